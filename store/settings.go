package store

import (
	"context"
	"fmt"
)

// GetSetting returns the value of the server setting name, or ErrNotFound.
func GetSetting(ctx context.Context, q Q, name string) (string, error) {
	var v string
	if err := q.GetContext(ctx, &v, q.Rebind(`SELECT value FROM settings WHERE name = ?`), name); err != nil {
		return "", classify(err, "setting %q", name)
	}
	return v, nil
}

// EnsureSetting stores value under name unless the setting exists, and returns the stored
// value: the first process to start decides, and later ones (or concurrent ones) agree.
func EnsureSetting(ctx context.Context, q Q, name, value string) (string, error) {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`),
		name, value, Now())
	if err != nil {
		return "", fmt.Errorf("store setting %q: %w", name, err)
	}
	return GetSetting(ctx, q, name)
}

// PutSetting stores value under name, replacing what was there.
func PutSetting(ctx context.Context, q Q, name, value string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value, Now())
	return classify(err, "store setting %q", name)
}
