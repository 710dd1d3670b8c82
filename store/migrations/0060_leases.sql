-- Leases: which process runs a loop that must run in one process at a time across a
-- deployment (the outbox signal sweep, the start sweep, the delivery dispatcher, the alarm
-- loop). A holder renews its row at every pass; another process takes the row over once
-- expires_at has passed (docs/deployment.md, "Roles").
CREATE TABLE leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at {{timestamp}} NOT NULL
);
