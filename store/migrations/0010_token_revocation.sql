-- Token revocation (issue 10). An access token carries the token version of its user; a
-- password change or disabling the user raises the version, which revokes every token issued
-- before. Signing out revokes the one token it is sent with, by its id (jti), until it would
-- have expired anyway.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE revoked_tokens (
    jti         TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  {{timestamp}} NOT NULL
);
-- pruning the entries past their expiry
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Failed sign-ins are now counted in memory by each process (app/throttle.go), atomically
-- and per client address as well as per username.
DROP TABLE login_attempts;
