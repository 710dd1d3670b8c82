package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IdempotentResponse is the stored first answer to a request with an Idempotency-Key.
type IdempotentResponse struct {
	UserID      string
	Key         string
	RequestHash string
	Status      int
	Response    JSON
	CaseID      string
	CreatedAt   time.Time
}

// ErrIdempotencyMismatch is wrapped when an Idempotency-Key is reused for a different request.
var ErrIdempotencyMismatch = errors.New("the Idempotency-Key was used for a different request")

// GetIdempotent returns the stored answer to user's request with key, or ErrNotFound.
func GetIdempotent(ctx context.Context, q Q, userID, key string) (*IdempotentResponse, error) {
	var r struct {
		RequestHash string    `db:"request_hash"`
		Status      int       `db:"status"`
		Response    JSON      `db:"response"`
		CaseID      *string   `db:"case_id"`
		CreatedAt   time.Time `db:"created_at"`
	}
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT request_hash, status, response, case_id, created_at FROM idempotency_keys
		WHERE user_id = ? AND idem_key = ?`), userID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("idempotency key: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	return &IdempotentResponse{UserID: userID, Key: key, RequestHash: r.RequestHash, Status: r.Status, Response: r.Response,
		CaseID: deref(r.CaseID), CreatedAt: r.CreatedAt}, nil
}

// SaveIdempotent stores the first answer to a request with an Idempotency-Key; a key stored
// already is ErrConflict.
func SaveIdempotent(ctx context.Context, q Q, r *IdempotentResponse) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = Now()
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, response, case_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), r.UserID, r.Key, r.RequestHash, r.Status, string(r.Response), nullable(r.CaseID), Time(r.CreatedAt))
	return classify(err, "store the answer to Idempotency-Key %q", r.Key)
}
