-- E-supervision's alerts: the engine's warning and overdue alerts (0007) plus the violations of
-- the published rules that no timer raises (a refusal without a reason, a notice issued twice),
-- each stored with whom it concerns: the item, the department, the window and the person.
-- The engine writes an alert; e-supervision's OnAlert fills in the rest (enriched_at).
-- SQLite cannot widen a CHECK constraint in place, so the table is rebuilt.

CREATE TABLE alerts_v2 (
    -- case id + "/" + what fired: case:warning, task:W:overdue, rule:refusal_without_reason:7, ...
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    task_id        TEXT,
    -- warning (yellow), overdue (red), or violation (a rule broken)
    kind           TEXT NOT NULL CHECK (kind IN ('warning', 'overdue', 'violation')),
    -- case (promised limit), statutory, task (a step's own limit), or rule
    scope          TEXT NOT NULL CHECK (scope IN ('case', 'statutory', 'task', 'rule')),
    element_id     TEXT,
    step_kind      TEXT,
    due_at         {{timestamp}} NOT NULL,
    fired_at       {{timestamp}} NOT NULL,
    -- the rule a violation breaks (refusal_without_reason, notice_twice, ...) and what happened
    rule           TEXT,
    detail         TEXT,
    item_id        TEXT,
    department_id  TEXT,
    window_id      TEXT,
    person_id      TEXT,
    enriched_at    {{timestamp}}
);
INSERT INTO alerts_v2 (id, case_id, task_id, kind, scope, element_id, step_kind, due_at, fired_at)
    SELECT id, case_id, task_id, kind, scope, element_id, step_kind, due_at, fired_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v2 RENAME TO alerts;
CREATE INDEX alerts_case ON alerts (case_id);
CREATE INDEX alerts_fired ON alerts (fired_at);
CREATE INDEX alerts_department ON alerts (department_id, fired_at);
CREATE INDEX alerts_person ON alerts (person_id, fired_at);
