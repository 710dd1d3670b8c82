-- Cases (办件) as applicants and counter staff see them: the business columns of a case beside
-- the engine's (the application writes them before the workflow starts; the engine's first step
-- upserts only its own columns), the daily case-number sequences, idempotent submissions,
-- uploaded files and the versions of each material of a case, the action log of every person's
-- action on a case or task, and the task columns of claiming and delegating (委派).
-- See store/cases.go, store/files.go and store/tasks.go.

-- 20251126-450981-FGJ-XK-001-0001: the local date, the item code and the day's sequence of
-- that item; unique, readable and sortable.
ALTER TABLE cases ADD COLUMN number TEXT;
-- random, shown to the applicant: with the number it opens the public progress page
ALTER TABLE cases ADD COLUMN query_code TEXT;
-- the item version the case runs, and its code and name as that version had them
ALTER TABLE cases ADD COLUMN item_id TEXT;
ALTER TABLE cases ADD COLUMN item_version INTEGER;
ALTER TABLE cases ADD COLUMN item_code TEXT;
ALTER TABLE cases ADD COLUMN item_name TEXT;
-- window, online or station
ALTER TABLE cases ADD COLUMN channel TEXT;
-- the applicant's account (NULL for a walk-in applicant without one), name, kind
-- (naturalPerson, legalPerson), certificate (idCard, creditCode) and phone
ALTER TABLE cases ADD COLUMN applicant_id TEXT;
ALTER TABLE cases ADD COLUMN applicant_name TEXT;
ALTER TABLE cases ADD COLUMN applicant_kind TEXT;
ALTER TABLE cases ADD COLUMN applicant_cert_type TEXT;
ALTER TABLE cases ADD COLUMN applicant_cert_no TEXT;
ALTER TABLE cases ADD COLUMN applicant_phone TEXT;
-- who submitted: the applicant online, a clerk at a window, an agent at a station
ALTER TABLE cases ADD COLUMN submitted_by TEXT;
ALTER TABLE cases ADD COLUMN window_id TEXT;
ALTER TABLE cases ADD COLUMN station_id TEXT;
ALTER TABLE cases ADD COLUMN agent_id TEXT;
ALTER TABLE cases ADD COLUMN received_at {{timestamp}};
-- the application form's fields as the applicant filled them in
ALTER TABLE cases ADD COLUMN form {{json}};
-- set by the task API: when acceptance accepted the case, and the decision (approve or reject
-- at the approval step, refuse at acceptance) with its reason
ALTER TABLE cases ADD COLUMN accepted_at {{timestamp}};
ALTER TABLE cases ADD COLUMN decision TEXT;
ALTER TABLE cases ADD COLUMN decision_reason TEXT;
ALTER TABLE cases ADD COLUMN decided_at {{timestamp}};
-- the applicant's withdrawal (撤回申请) before a decision
ALTER TABLE cases ADD COLUMN withdrawn_at {{timestamp}};
ALTER TABLE cases ADD COLUMN withdraw_reason TEXT;
CREATE UNIQUE INDEX cases_number ON cases (number);
CREATE INDEX cases_applicant ON cases (applicant_id, received_at);
CREATE INDEX cases_item ON cases (item_id);
CREATE INDEX cases_received ON cases (received_at);

-- One row per local day and item: the last sequence number handed out. The upsert that takes
-- the next number locks the row, so concurrent submissions get distinct numbers.
CREATE TABLE case_number_seqs (
    day        TEXT NOT NULL,
    item_code  TEXT NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (day, item_code)
);

-- Idempotent submissions: the first answer to (caller, Idempotency-Key), replayed for the same
-- key; request_hash detects a key reused for a different request.
CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    response      {{json}} NOT NULL,
    case_id       TEXT,
    created_at    {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

-- Uploaded files; the bytes live on disk under the data directory at path.
CREATE TABLE files (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    path          TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL REFERENCES users (id),
    uploaded_at   {{timestamp}} NOT NULL
);
CREATE INDEX files_sha256 ON files (sha256);
CREATE INDEX files_uploader ON files (uploaded_by, uploaded_at);

-- Each version of each material of a case: version 1 comes with the application, a supplement
-- adds the next one. code is the item's material code (or OTHER for an unlisted one).
CREATE TABLE case_materials (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    supplement_id  TEXT,
    note           TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       {{timestamp}} NOT NULL,
    UNIQUE (case_id, code, version)
);

CREATE TABLE case_material_files (
    material_id  TEXT NOT NULL REFERENCES case_materials (id),
    file_id      TEXT NOT NULL REFERENCES files (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (material_id, file_id)
);
CREATE INDEX case_material_files_file ON case_material_files (file_id);

-- Every action a person took on a case or one of its tasks, with the authority they acted
-- under (assignee, candidateUser, unit, delegation with the grant, department and window):
-- the case's timeline shows them in plain words; public=false hides an internal comment
-- from the applicant.
CREATE TABLE case_actions (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    task_id        TEXT,
    element_id     TEXT,
    step_kind      TEXT,
    action         TEXT NOT NULL,
    outcome        TEXT,
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    authority      TEXT,
    unit_code      TEXT,
    grant_id       TEXT,
    department_id  TEXT,
    window_id      TEXT,
    target_user    TEXT,
    target         TEXT,
    comment        TEXT NOT NULL,
    public         BOOLEAN NOT NULL,
    detail         {{json}} NOT NULL,
    at             {{timestamp}} NOT NULL
);
CREATE INDEX case_actions_case ON case_actions (case_id, at);
CREATE INDEX case_actions_actor ON case_actions (actor_id, at);
CREATE INDEX case_actions_task ON case_actions (task_id);

-- Claiming and delegating (委派): owner is who delegated the task to its assignee and gets it
-- back when the delegate resolves it; delegation is pending or resolved.
ALTER TABLE tasks ADD COLUMN owner TEXT;
ALTER TABLE tasks ADD COLUMN delegation TEXT;
ALTER TABLE tasks ADD COLUMN claimed_at {{timestamp}};
