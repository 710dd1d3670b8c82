-- The designer's studio (issue 16): a definition's test cases, dry-run scripts kept with the
-- definition (by key, for every version) and the state each must end in; publishing a version
-- runs them on it and refuses when one fails.
CREATE TABLE definition_tests (
    definition_key  TEXT NOT NULL,
    name            TEXT NOT NULL,
    script          {{json}} NOT NULL,
    expect          TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id),
    updated_at      {{timestamp}} NOT NULL,
    PRIMARY KEY (definition_key, name)
);
