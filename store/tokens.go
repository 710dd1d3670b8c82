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

// TokenUser returns user id, the owner of access token jti, and whether the token was
// revoked, in one query: what every request with a token reads.
func TokenUser(ctx context.Context, q Q, id, jti string) (*User, bool, error) {
	var row struct {
		User
		Revoked bool `db:"revoked"`
	}
	err := q.GetContext(ctx, &row, q.Rebind(`SELECT `+userCols+`,
		EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?) AS revoked FROM users WHERE id = ?`), jti, id)
	if err != nil {
		return nil, false, classify(err, "user %q", id)
	}
	return &row.User, row.Revoked, nil
}
