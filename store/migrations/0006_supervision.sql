-- Supervision (电子监察) and evaluation: the working-day calendars an admin edits, clerks'
-- special procedures, the notification outbox, ratings (好差评) and complaints (投诉). See
-- store/calendars.go, store/procedures.go, store/supervision.go, store/ratings.go,
-- store/complaints.go. The alerts table of the engine's clock gains its supervision columns in
-- 0008 (this file runs before 0007 on a new database).

-- Days an admin lists on top of the holiday library: for the national calendar (unit
-- 'national': a year the library does not know yet, a correction) or for an org unit (an
-- implementing body's local days off). Listing a date decides it outright.
CREATE TABLE calendar_days (
    -- 'national' or an org unit id
    unit        TEXT NOT NULL,
    -- YYYY-MM-DD
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (unit, day)
);

-- One row: bumped by every edit of calendar_days, so that every process (each caches the
-- calendars it built) notices an edit with one cheap read.
CREATE TABLE calendar_revision (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    revision    BIGINT NOT NULL,
    updated_at  {{timestamp}}
);
INSERT INTO calendar_revision (id, revision) VALUES (1, 0);

-- Special procedures (特别程序) a clerk starts on a case with a reason: the case's clock pauses
-- until the clerk ends them (the engine keeps the pause itself in case_pauses).
CREATE TABLE procedures (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('hearing', 'expert_review', 'on_site_survey', 'public_notice')),
    reason      TEXT NOT NULL CHECK (reason <> ''),
    state       TEXT NOT NULL CHECK (state IN ('open', 'ended')),
    started_by  TEXT NOT NULL,
    started_at  {{timestamp}} NOT NULL,
    ended_by    TEXT,
    ended_at    {{timestamp}},
    end_note    TEXT,
    CHECK ((state = 'ended') = (ended_at IS NOT NULL))
);
CREATE INDEX procedures_case ON procedures (case_id, started_at);

-- Notifications to people (warnings, overdue, rule violations, messages of the notify handler,
-- complaint replies). A row is also the outbox entry of its delivery to other systems (SMS, a
-- department's system), which comes later: delivered_at stays NULL until then.
CREATE TABLE notifications (
    id            TEXT PRIMARY KEY,
    -- who: a user id, or a contact for someone without an account ('tel:13800000000')
    recipient     TEXT NOT NULL,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    -- what caused it, the idempotency key with recipient: 'alert:<alert id>', 'handler:<wait>', ...
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    case_id       TEXT,
    task_id       TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    {{timestamp}} NOT NULL,
    read_at       {{timestamp}},
    delivered_at  {{timestamp}},
    UNIQUE (source, recipient)
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE INDEX notifications_outbox ON notifications (created_at) WHERE delivered_at IS NULL;

-- Cases e-supervision starts (a rectification, a complaint), written in the transaction that
-- decides them and started through the engine after commit; a sweeper starts those a crash left
-- behind (an outbox of case starts).
CREATE TABLE process_starts (
    case_id     TEXT PRIMARY KEY,
    input       {{json}} NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    started_at  {{timestamp}}
);
CREATE INDEX process_starts_pending ON process_starts (created_at) WHERE started_at IS NULL;

-- The applicant's rating of a finished case (好差评), once per case. A poor one (dissatisfied
-- or worse) opens a rectification: a case of the std-rectification process for the department.
CREATE TABLE ratings (
    case_id                TEXT PRIMARY KEY REFERENCES cases (id),
    applicant_id           TEXT NOT NULL REFERENCES users (id),
    level                  TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied')),
    -- 5 (very satisfied) to 1 (very dissatisfied)
    score                  INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment                TEXT NOT NULL,
    -- who served the case, as the supervision columns of alerts name them
    department_id          TEXT,
    window_id              TEXT,
    person_id              TEXT,
    rectification_case_id  TEXT UNIQUE,
    rated_at               {{timestamp}} NOT NULL
);
CREATE INDEX ratings_department ON ratings (department_id, rated_at);

-- A complaint (投诉) about a case, a window or a department, from an applicant or from the public
-- without an account (with contact details). It runs as a case of the std-complaint process.
CREATE TABLE complaints (
    id               TEXT PRIMARY KEY,
    subject          TEXT NOT NULL CHECK (subject IN ('case', 'window', 'department')),
    case_id          TEXT REFERENCES cases (id),
    window_id        TEXT REFERENCES org_units (id),
    department_id    TEXT REFERENCES org_units (id),
    -- the person who served the case complained about, if known
    person_id        TEXT REFERENCES users (id),
    complainant_id   TEXT REFERENCES users (id),
    contact_name     TEXT NOT NULL,
    contact_phone    TEXT NOT NULL,
    content          TEXT NOT NULL,
    process_case_id  TEXT NOT NULL UNIQUE,
    filed_at         {{timestamp}} NOT NULL
);
CREATE INDEX complaints_case ON complaints (case_id);
CREATE INDEX complaints_department ON complaints (department_id, filed_at);
CREATE INDEX complaints_window ON complaints (window_id, filed_at);
