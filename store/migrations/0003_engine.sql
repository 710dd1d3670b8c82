-- Engine read model: what every case is doing, written by the engine's Apply activity once per
-- step (see store/engine.go), so that queries never read go-workflows' own history.

CREATE TABLE cases (
    id                  TEXT PRIMARY KEY,
    definition_key      TEXT NOT NULL,
    definition_version  INTEGER NOT NULL,
    -- the calling case of a case started by a call activity
    parent_case_id      TEXT,
    status              TEXT NOT NULL CHECK (status IN ('starting', 'active', 'incident', 'completed', 'terminated', 'cancelled', 'failed')),
    variables           {{json}} NOT NULL,
    -- the last step applied (see case_steps)
    last_seq            INTEGER NOT NULL DEFAULT 0,
    started_at          {{timestamp}} NOT NULL,
    updated_at          {{timestamp}} NOT NULL,
    ended_at            {{timestamp}}
);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_parent ON cases (parent_case_id);

-- One row per applied step: the idempotency key of the Apply activity.
CREATE TABLE case_steps (
    case_id     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    applied_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE tasks (
    -- case id + "/" + wait id: the wait id names the signal that completes the task
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    element_id        TEXT NOT NULL,
    name              TEXT NOT NULL,
    -- open, then completing (an API call took it, its signal is on the way), then completed;
    -- or cancelled (a timer, a return, the case ended)
    state             TEXT NOT NULL CHECK (state IN ('open', 'completing', 'completed', 'cancelled')),
    assignee          TEXT,
    step_kind         TEXT,
    limit_days        DOUBLE PRECISION,
    warn_days         DOUBLE PRECISION,
    form_key          TEXT,
    documentation     TEXT,
    priority          TEXT,
    -- the index of a multi-instance task (-1 otherwise) and its body instance
    loop_counter      INTEGER NOT NULL,
    body_id           TEXT,
    created_at        {{timestamp}} NOT NULL,
    closed_at         {{timestamp}}
);
CREATE INDEX tasks_case ON tasks (case_id);
CREATE INDEX tasks_open_assignee ON tasks (assignee) WHERE state = 'open';

-- Candidate users and groups of a task, one row each, for the inbox query.
CREATE TABLE task_candidates (
    task_id  TEXT NOT NULL REFERENCES tasks (id),
    kind     TEXT NOT NULL CHECK (kind IN ('user', 'group')),
    value    TEXT NOT NULL,
    PRIMARY KEY (task_id, kind, value)
);
CREATE INDEX task_candidates_value ON task_candidates (kind, value);

CREATE TABLE timers (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    element_id  TEXT NOT NULL,
    due_at      {{timestamp}} NOT NULL,
    spec        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('armed', 'fired', 'cancelled')),
    created_at  {{timestamp}} NOT NULL,
    closed_at   {{timestamp}}
);
CREATE INDEX timers_case ON timers (case_id);
CREATE INDEX timers_armed ON timers (due_at) WHERE state = 'armed';

-- Open message and signal waits: how a message or a thrown signal finds its cases.
CREATE TABLE subscriptions (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    element_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('message', 'signal')),
    name        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    created_at  {{timestamp}} NOT NULL,
    closed_at   {{timestamp}}
);
CREATE INDEX subscriptions_open ON subscriptions (kind, name) WHERE state = 'open';
CREATE INDEX subscriptions_case ON subscriptions (case_id);

-- Append-only element events of each case.
CREATE TABLE case_history (
    case_id      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    at           {{timestamp}} NOT NULL,
    kind         TEXT NOT NULL,
    element_id   TEXT NOT NULL,
    instance_id  TEXT NOT NULL,
    detail       TEXT NOT NULL,
    PRIMARY KEY (case_id, seq, idx)
);

CREATE TABLE incidents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    element_id   TEXT NOT NULL,
    message      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    created_at   {{timestamp}} NOT NULL,
    resolved_at  {{timestamp}}
);
CREATE INDEX incidents_open ON incidents (case_id) WHERE state = 'open';

-- Signals to cases written in the same transaction as the change that causes them (a task taken
-- for completion, a message accepted): delivered to go-workflows right after commit, and again
-- by the engine's sweeper if the process died first. Cases ignore a delivery they have seen.
CREATE TABLE signal_outbox (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    payload     {{json}} NOT NULL,
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX signal_outbox_created ON signal_outbox (created_at);
