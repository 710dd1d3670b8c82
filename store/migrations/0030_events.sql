-- Events out (issue 13): one table of what happened to cases, written in the transaction of
-- the change it describes (or, for what the engine does, by the hook that records it, once per
-- source), read by the event feed and delivered to webhook subscriptions.
CREATE TABLE events (
    -- the order of the feed: on PostgreSQL writers take a transaction lock before they insert
    -- (store.AppendEvents), so a sequence number is visible only after every lower one
    seq            {{autoinc_pk}},
    -- the event id receivers deduplicate on
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    case_id        TEXT,
    -- the department the event concerns; a department system reads only its own
    department_id  TEXT,
    -- what caused it, so that a hook that runs twice writes it once ('alert:<id>', ...)
    source         TEXT NOT NULL UNIQUE,
    data           {{json}} NOT NULL,
    occurred_at    {{timestamp}} NOT NULL
);
CREATE INDEX events_department ON events (department_id, seq);
CREATE INDEX events_case ON events (case_id, seq);

-- A webhook subscription: events of some types POSTed to a URL, signed with the secret
-- (shown once when it is made). A department system's subscription gets its department's
-- events; an admin's, those of department_id or of every department.
CREATE TABLE webhook_subscriptions (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id),
    department_id   TEXT REFERENCES org_units (id),
    url             TEXT NOT NULL,
    -- comma-separated event types; '' is every type
    types           TEXT NOT NULL,
    secret          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('active', 'disabled')),
    -- an admin allowed a URL on this machine (loopback), for a test setup
    allow_loopback  BOOLEAN NOT NULL DEFAULT FALSE,
    -- the last event (seq) made into deliveries of this subscription
    event_cursor    BIGINT NOT NULL,
    -- the first failed attempt since the last success; a day of failures disables it
    failing_since   {{timestamp}},
    disabled_at     {{timestamp}},
    disabled_reason TEXT,
    created_at      {{timestamp}} NOT NULL,
    updated_at      {{timestamp}} NOT NULL
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_id, id);
CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (state, id);

-- One event to one subscription: the delivery log. A run is one durable workflow of attempts
-- (a manual redelivery starts the next run); started_at is set once its workflow exists.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_seq        BIGINT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    run              INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    last_attempt_at  {{timestamp}},
    delivered_at     {{timestamp}},
    started_at       {{timestamp}},
    created_at       {{timestamp}} NOT NULL,
    UNIQUE (subscription_id, event_seq)
);
CREATE INDEX webhook_deliveries_unstarted ON webhook_deliveries (created_at) WHERE started_at IS NULL;
