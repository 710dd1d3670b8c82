package store

import (
	"context"
	"fmt"
	"time"
)

// TakeLease makes holder the holder of the lease name until now+ttl, when nobody else holds it
// or the other holder's lease has expired, and reports whether holder holds it now. The holder
// calls it again before ttl passes to keep it. One statement, so two processes asking at once
// cannot both win: PostgreSQL's row lock on the conflicting row, SQLite's single writer.
func TakeLease(ctx context.Context, q Q, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < ?`), name, holder, Time(now.Add(ttl)), Time(now))
	if err != nil {
		return false, classify(err, "take lease %s for %s", name, holder)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease name up if holder holds it, so that another process need not
// wait for it to expire (a clean shutdown).
func ReleaseLease(ctx context.Context, q Q, name, holder string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder)
	return classify(err, "release lease %s", name)
}
