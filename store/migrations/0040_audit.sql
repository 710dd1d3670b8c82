-- The audit trail: every change a user, a system or the engine makes, one row each, appended
-- in the transaction of the change. Rows form one hash chain cut into days (docs/audit.md):
-- hash = SHA-256 over the row's content and prev_hash, the hash of the row before (the first
-- row of a day links to the last of the day before). detail is TEXT, not {{json}}: the bytes
-- hashed must read back as written (jsonb would reorder keys).
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	day TEXT NOT NULL,
	at {{timestamp}} NOT NULL,
	actor_id TEXT NOT NULL,
	actor_name TEXT NOT NULL,
	action TEXT NOT NULL,
	case_id TEXT,
	subject TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
-- A supervisor reads the audit of a case and of a user, in order.
CREATE INDEX audit_log_case ON audit_log (case_id, seq) WHERE case_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_day ON audit_log (day, seq);

-- The chain's head: the last row appended. Every append locks this one row first (FOR UPDATE
-- on PostgreSQL; SQLite's write lock), so concurrent writers queue and the chain never forks.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	day TEXT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, day, hash) VALUES (1, 0, '', '0000000000000000000000000000000000000000000000000000000000000000');
