-- Identity: the organisation tree, users, their memberships, API keys, login throttling, and
-- server settings (such as the generated token-signing secret).

CREATE TABLE org_units (
    id          TEXT PRIMARY KEY,
    parent_id   TEXT REFERENCES org_units (id),
    kind        TEXT NOT NULL CHECK (kind IN ('government', 'department', 'section', 'centre', 'window', 'station')),
    level       TEXT CHECK (level IN ('region', 'city', 'county', 'township', 'village')),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    -- a government has a level; nothing else has one
    CHECK ((kind = 'government') = (level IS NOT NULL))
);
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    -- bcrypt; empty for a system user that signs in with API keys only
    password_hash  TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('staff', 'applicant', 'system')),
    -- applicants only: legal name, GB 11643 ID-card number, mobile phone
    real_name      TEXT,
    id_card        TEXT UNIQUE,
    phone          TEXT,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     {{timestamp}} NOT NULL,
    updated_at     {{timestamp}} NOT NULL
);

CREATE TABLE memberships (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_unit_id  TEXT NOT NULL REFERENCES org_units (id),
    role         TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'clerk', 'reviewer', 'agent', 'supervisor', 'applicant', 'system')),
    created_at   {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, org_unit_id, role)
);
CREATE INDEX memberships_unit_role ON memberships (org_unit_id, role);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- the first characters of the key, shown so that people can tell keys apart
    prefix        TEXT NOT NULL,
    -- hex SHA-256 of the whole key; the key itself is shown once and never stored
    key_hash      TEXT NOT NULL UNIQUE,
    created_at    {{timestamp}} NOT NULL,
    last_used_at  {{timestamp}},
    revoked_at    {{timestamp}}
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Failed sign-ins per username (whether or not such a user exists), to slow guessing.
CREATE TABLE login_attempts (
    username         TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at  {{timestamp}} NOT NULL
);

CREATE TABLE settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);
