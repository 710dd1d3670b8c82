-- The workbench (issue 12): a supervisor acknowledges an alert (已知悉) with an optional note,
-- once; the alert list shows who acknowledged it and when, and filters on it.
CREATE TABLE alert_acks (
    alert_id    TEXT PRIMARY KEY REFERENCES alerts (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    user_name   TEXT NOT NULL,
    note        TEXT NOT NULL,
    at          {{timestamp}} NOT NULL
);
