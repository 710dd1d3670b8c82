package app

import (
	"context"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// API keys: a department's business system signs in with a key an admin made for its system
// user ("X-API-Key: <key>"). The key is shown once; the server keeps its hash.

// APIKeyRequest names a new API key.
type APIKeyRequest struct {
	Name string `json:"name" validate:"required,max=64,plaintext" example:"result push"`
}

// NewAPIKey carries a new key, shown this once, and its record.
type NewAPIKey struct {
	Key    string       `json:"key" example:"owk_..."`
	APIKey store.APIKey `json:"apiKey"`
}

// systemUser reads user id, who must be a system user.
func systemUser(ctx context.Context, q store.Q, id string) (*store.User, error) {
	u, err := store.GetUser(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if u.Kind != store.UserSystem {
		return nil, invalidField("userId", "only system users have API keys; %s is a %s user", u.Username, u.Kind)
	}
	return u, nil
}

// APIKeys lists a system user's keys, newest first, revoked ones included (admins).
func (a *App) APIKeys(ctx context.Context, p *Actor, userID string, page Page) (*List[store.APIKey], error) {
	if err := needAdmin(p, "reading API keys"); err != nil {
		return nil, err
	}
	if _, err := store.GetUser(ctx, a.db, userID); err != nil {
		return nil, err
	}
	return readPage(page, func(limit, offset int) ([]store.APIKey, error) {
		return store.ListAPIKeys(ctx, a.db, userID, limit, offset)
	})
}

// CreateAPIKey makes a key for a system user (admins).
func (a *App) CreateAPIKey(ctx context.Context, p *Actor, userID string, in APIKeyRequest) (*NewAPIKey, error) {
	if err := needAdmin(p, "making API keys"); err != nil {
		return nil, err
	}
	var out NewAPIKey
	err := a.change(ctx, func(tx *sqlx.Tx, box *Outbox) error {
		if _, err := keyedSystemUser(ctx, tx, userID); err != nil {
			return err
		}
		key, rec, err := store.CreateAPIKey(ctx, tx, userID, in.Name)
		if err != nil {
			return err
		}
		out = NewAPIKey{Key: key, APIKey: *rec}
		box.Audit(p, "apikey.create", "", "user:"+userID, rec) // the key's record, not the key
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeAPIKey revokes a system user's key (admins): requests with it are refused at once.
func (a *App) RevokeAPIKey(ctx context.Context, p *Actor, userID, keyID string) error {
	if err := needAdmin(p, "revoking API keys"); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "apikey.revoke", "", "user:"+userID, map[string]string{"keyId": keyID})
		return store.RevokeAPIKey(ctx, tx, userID, keyID)
	})
}
