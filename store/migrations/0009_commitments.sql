-- Acceptance with deficiencies (容缺受理): a case accepted while required materials are still
-- missing carries one open commitment per material, with the date the applicant promised to
-- hand it in and the clerk's reason. Supervision lists the open ones; a supplement fulfils them.
CREATE TABLE case_commitments (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    task_id        TEXT NOT NULL,
    material_code  TEXT NOT NULL,
    material_name  TEXT NOT NULL,
    -- the promised date (YYYY-MM-DD, Beijing)
    promised_date  TEXT NOT NULL,
    reason         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'fulfilled', 'withdrawn')),
    created_by     TEXT NOT NULL,
    created_at     {{timestamp}} NOT NULL,
    closed_at      {{timestamp}},
    supplement_id  TEXT
);
CREATE INDEX case_commitments_case ON case_commitments (case_id, created_at);
CREATE INDEX case_commitments_open ON case_commitments (promised_date, id) WHERE state = 'open';
