-- Catalogue: service items (政务服务事项) and their published versions; delegation grants from
-- departments to windows (三集中) with their audit trail; notify-once notices (一次性告知) and the
-- supplements that answer them. See store/catalogue.go, store/delegation.go, store/notices.go.

-- An item as the designer edits it: the whole content-information table is the JSON content
-- (store.ItemContent); a few fields are columns too, for lists and joins.
CREATE TABLE items (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    handling_type    TEXT NOT NULL CHECK (handling_type IN ('immediate', 'promised')),
    department_id    TEXT NOT NULL REFERENCES org_units (id),
    definition_key   TEXT NOT NULL,
    content          {{json}} NOT NULL,
    -- draft: never published; published: new cases start with current_version;
    -- unpublished: no new cases (running ones go on with their version)
    state            TEXT NOT NULL CHECK (state IN ('draft', 'published', 'unpublished')),
    current_version  INTEGER,
    created_by       TEXT NOT NULL,
    created_at       {{timestamp}} NOT NULL,
    updated_by       TEXT NOT NULL,
    updated_at       {{timestamp}} NOT NULL,
    CHECK ((state = 'draft') = (current_version IS NULL))
);
CREATE INDEX items_department ON items (department_id);
CREATE INDEX items_state ON items (state);

-- What publishing an item froze: its content and the definition version it runs. A case keeps
-- the version it started with; versions never change.
CREATE TABLE item_versions (
    item_id             TEXT NOT NULL REFERENCES items (id),
    version             INTEGER NOT NULL CHECK (version >= 1),
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    definition_key      TEXT NOT NULL,
    definition_version  INTEGER NOT NULL,
    content             {{json}} NOT NULL,
    published_by        TEXT NOT NULL,
    published_at        {{timestamp}} NOT NULL,
    PRIMARY KEY (item_id, version),
    FOREIGN KEY (definition_key, definition_version) REFERENCES definitions (definition_key, version)
);

-- A department's grant to a window (or one named clerk of it) of the authority for some step
-- kinds of some of its items (all of them when it lists none), for a period.
CREATE TABLE delegation_grants (
    id             TEXT PRIMARY KEY,
    department_id  TEXT NOT NULL REFERENCES org_units (id),
    -- the department's section whose tasks the window may act on (their candidate group)
    section_id     TEXT NOT NULL REFERENCES org_units (id),
    window_id      TEXT NOT NULL REFERENCES org_units (id),
    -- a named clerk of the window; NULL: every clerk of the window
    user_id        TEXT REFERENCES users (id),
    all_items      BOOLEAN NOT NULL,
    valid_from     {{timestamp}} NOT NULL,
    valid_until    {{timestamp}},
    note           TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     {{timestamp}} NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     {{timestamp}} NOT NULL,
    revoked_by     TEXT,
    revoked_at     {{timestamp}},
    revoke_reason  TEXT,
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX delegation_grants_section ON delegation_grants (section_id);
CREATE INDEX delegation_grants_window ON delegation_grants (window_id);
CREATE INDEX delegation_grants_department ON delegation_grants (department_id);

CREATE TABLE delegation_grant_steps (
    grant_id   TEXT NOT NULL REFERENCES delegation_grants (id),
    step_kind  TEXT NOT NULL CHECK (step_kind IN ('acceptance', 'review', 'coordination', 'approval', 'certification', 'delivery')),
    PRIMARY KEY (grant_id, step_kind)
);

CREATE TABLE delegation_grant_items (
    grant_id  TEXT NOT NULL REFERENCES delegation_grants (id),
    item_id   TEXT NOT NULL REFERENCES items (id),
    PRIMARY KEY (grant_id, item_id)
);
CREATE INDEX delegation_grant_items_item ON delegation_grant_items (item_id);

-- Who granted, changed or revoked a grant, when, and what it was afterwards. Append-only.
CREATE TABLE delegation_audit (
    id        TEXT PRIMARY KEY,
    grant_id  TEXT NOT NULL REFERENCES delegation_grants (id),
    action    TEXT NOT NULL CHECK (action IN ('granted', 'changed', 'revoked')),
    actor     TEXT NOT NULL,
    at        {{timestamp}} NOT NULL,
    detail    {{json}} NOT NULL
);
CREATE INDEX delegation_audit_grant ON delegation_audit (grant_id, at);

-- Notify-once (一次性告知): a notice lists every missing or defective material of a case at
-- once. case_id is the case's id (the engine's cases.id); there is no foreign key because the
-- case row is written by the engine after the workflow starts. At most one notice per case is
-- open (waiting for its supplement); seq numbers a case's notices from 1.
CREATE TABLE notices (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    task_id       TEXT NOT NULL,
    item_id       TEXT REFERENCES items (id),
    item_version  INTEGER,
    materials     {{json}} NOT NULL,
    note          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('open', 'answered', 'withdrawn')),
    issued_by     TEXT NOT NULL,
    issued_at     {{timestamp}} NOT NULL,
    closed_at     {{timestamp}},
    UNIQUE (case_id, seq)
);
CREATE UNIQUE INDEX notices_one_open ON notices (case_id) WHERE state = 'open';

-- The applicant's answer to a notice: which materials were newly supplied (by code).
CREATE TABLE supplements (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    notice_id    TEXT NOT NULL UNIQUE REFERENCES notices (id),
    materials    {{json}} NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  {{timestamp}} NOT NULL
);
CREATE INDEX supplements_case ON supplements (case_id, recorded_at);
