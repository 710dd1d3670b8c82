-- Definitions: every version of every BPMN process a designer deployed, byte for byte.
-- A version is a draft until published; published versions never change.

CREATE TABLE definitions (
    -- the process id inside the XML
    definition_key TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    name           TEXT NOT NULL,
    -- hex SHA-256 of xml: deploying the same content again returns this version
    hash           TEXT NOT NULL,
    xml            {{blob}} NOT NULL,
    file_name      TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    -- files deployed together (a process and the processes its call activities name)
    deployment_id  TEXT NOT NULL,
    -- validation warnings at deployment, as JSON problems
    warnings       {{json}} NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     {{timestamp}} NOT NULL,
    published_by   TEXT,
    published_at   {{timestamp}},
    PRIMARY KEY (definition_key, version),
    UNIQUE (definition_key, hash)
);
CREATE INDEX definitions_published ON definitions (definition_key, state, version);
