package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// APIKey describes a key a system user signs in with. The key itself is never stored.
type APIKey struct {
	ID         string     `db:"id" json:"id"`
	UserID     string     `db:"user_id" json:"userId"`
	Name       string     `db:"name" json:"name" example:"result push"`
	Prefix     string     `db:"prefix" json:"prefix" example:"owk_k3j9xq"`
	KeyHash    string     `db:"key_hash" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"createdAt"`
	LastUsedAt *time.Time `db:"last_used_at" json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revokedAt,omitempty"`
	// ExpiresAt is when a rotated key stops working: the end of its overlap with the new one.
	ExpiresAt *time.Time `db:"expires_at" json:"expiresAt,omitempty"`
}

const apiKeyCols = `id, user_id, name, prefix, key_hash, created_at, last_used_at, revoked_at, expires_at`

// apiKeyPrefix starts every key, so that a leaked key is recognisable (e.g. by secret scanners).
const apiKeyPrefix = "owk_"

func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a new key for user userID and returns it with its record; the key is
// shown to the caller this once and only its hash is kept. Who may have keys is app's rule.
func CreateAPIKey(ctx context.Context, q Q, userID, name string) (string, *APIKey, error) {
	if err := checkPlain("name", name); err != nil {
		return "", nil, err
	}
	key := newAPIKeyText()
	k := &APIKey{ID: NewID(), UserID: userID, Name: name, Prefix: key[:len(apiKeyPrefix)+6], KeyHash: hashAPIKey(key), CreatedAt: Now()}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		k.ID, k.UserID, k.Name, k.Prefix, k.KeyHash, k.CreatedAt)
	if err != nil {
		return "", nil, classify(err, "create API key for %q", userID)
	}
	return key, k, nil
}

// newAPIKeyText makes the text of a new key: the prefix and 160 random bits.
func newAPIKeyText() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return apiKeyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// ListAPIKeys returns at most limit (0: all) of the keys of userID after offset, newest
// first, revoked ones included.
func ListAPIKeys(ctx context.Context, q Q, userID string, limit, offset int) ([]APIKey, error) {
	query, args := pageClause(`SELECT `+apiKeyCols+` FROM api_keys WHERE user_id = ? ORDER BY id DESC`, []any{userID}, limit, offset)
	keys := []APIKey{}
	if err := q.SelectContext(ctx, &keys, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("API keys of %q: %w", userID, err)
	}
	return keys, nil
}

// RevokeAPIKey revokes key keyID of userID; a missing or already revoked key is ErrNotFound.
func RevokeAPIKey(ctx context.Context, q Q, userID, keyID string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`),
		Now(), keyID, userID)
	if err != nil {
		return fmt.Errorf("revoke API key %q: %w", keyID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("API key %q of user %q: %w", keyID, userID, ErrNotFound)
	}
	return nil
}

// ActiveAPIKey returns the unrevoked key key, or ErrNotFound.
func ActiveAPIKey(ctx context.Context, q Q, key string) (*APIKey, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return nil, fmt.Errorf("API key: %w", ErrNotFound)
	}
	var k APIKey
	err := q.GetContext(ctx, &k, q.Rebind(`SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`), hashAPIKey(key))
	if err != nil {
		return nil, classify(err, "API key")
	}
	return &k, nil
}

// TouchAPIKey records that key id was used at at.
func TouchAPIKey(ctx context.Context, q Q, id string, at time.Time) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`), Time(at), id); err != nil {
		return fmt.Errorf("record use of API key %q: %w", id, err)
	}
	return nil
}
