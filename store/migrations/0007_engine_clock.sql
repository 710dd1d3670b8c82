-- The engine's time-limit clock: when a case's clock started and why, its due times (promised
-- and statutory limits, shifted by pauses), each pause, each task's due times, and the warning
-- and overdue alerts that the engine's durable timers fired. Written by the engine's Apply and
-- RecordAlert activities (store/engine.go).

ALTER TABLE cases ADD COLUMN calendar_unit TEXT;
-- none (no clock yet), running, paused or stopped
ALTER TABLE cases ADD COLUMN clock_state TEXT NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN clock_started_at {{timestamp}};
ALTER TABLE cases ADD COLUMN clock_reason TEXT;
ALTER TABLE cases ADD COLUMN clock_stopped_at {{timestamp}};
ALTER TABLE cases ADD COLUMN promised_days DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN statutory_days DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN warn_at {{timestamp}};
ALTER TABLE cases ADD COLUMN due_at {{timestamp}};
ALTER TABLE cases ADD COLUMN statutory_due_at {{timestamp}};
CREATE INDEX cases_due ON cases (due_at);

ALTER TABLE tasks ADD COLUMN warn_at {{timestamp}};
ALTER TABLE tasks ADD COLUMN due_at {{timestamp}};
CREATE INDEX tasks_due ON tasks (due_at);

-- Time that does not count: a supplement after a notice, a hearing, an expert review, an
-- on-site survey, a public notice. holder is the waiting node's instance or the procedure id.
CREATE TABLE case_pauses (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    idx         INTEGER NOT NULL,
    holder      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    started_at  {{timestamp}} NOT NULL,
    ended_at    {{timestamp}},
    PRIMARY KEY (case_id, idx)
);

CREATE TABLE alerts (
    -- case id + "/" + what fired: case:warning, case:overdue, statutory:overdue, task:W:warning, ...
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    task_id     TEXT,
    -- warning (yellow) or overdue (red)
    kind        TEXT NOT NULL CHECK (kind IN ('warning', 'overdue')),
    -- case (promised limit), statutory (statutory limit) or task (a step's own limit)
    scope       TEXT NOT NULL CHECK (scope IN ('case', 'statutory', 'task')),
    element_id  TEXT,
    step_kind   TEXT,
    due_at      {{timestamp}} NOT NULL,
    fired_at    {{timestamp}} NOT NULL
);
CREATE INDEX alerts_case ON alerts (case_id);
CREATE INDEX alerts_fired ON alerts (fired_at);
