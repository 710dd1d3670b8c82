package store

import (
	"context"
	"fmt"
	"time"
)

// RevokeToken records that access token jti of userID is revoked (signed out) until
// expiresAt, when it would stop working anyway, and forgets the revocations that have
// expired by then.
func RevokeToken(ctx context.Context, q Q, jti, userID string, expiresAt, now time.Time) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM revoked_tokens WHERE expires_at < ?`), Time(now)); err != nil {
		return fmt.Errorf("forget expired token revocations: %w", err)
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (jti) DO NOTHING`), jti, userID, Time(expiresAt))
	return classify(err, "revoke token %q", jti)
}

// TokenRevoked reports whether access token jti was revoked.
func TokenRevoked(ctx context.Context, q Q, jti string) (bool, error) {
	var n int
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?`), jti); err != nil {
		return false, fmt.Errorf("is token %q revoked: %w", jti, err)
	}
	return n > 0, nil
}
