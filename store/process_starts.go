package store

import (
	"context"
	"fmt"
	"time"
)

// Queued case starts (process_starts): a use case that starts a case writes its engine input
// in its transaction, and starts it after commit; a sweeper starts what a crash left behind.

// QueueProcessStart writes the start of a case (its engine input, encoded) in the caller's
// transaction; the use case starts it after commit, and MarkProcessStarted records that.
func QueueProcessStart(ctx context.Context, q Q, caseID string, input []byte) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO process_starts (case_id, input, created_at) VALUES (?, ?, ?)`), caseID, string(input), Now())
	return classify(err, "queue start of %s", caseID)
}

// MarkProcessStarted records that the queued start of caseID was handed to the engine.
func MarkProcessStarted(ctx context.Context, q Q, caseID string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE process_starts SET started_at = ? WHERE case_id = ? AND started_at IS NULL`), Now(), caseID)
	return classify(err, "mark %s started", caseID)
}

// ProcessStart is a queued case start.
type ProcessStart struct {
	CaseID string `db:"case_id"`
	Input  JSON   `db:"input"`
}

// PendingProcessStarts lists up to limit queued starts written before before and not marked
// started, oldest first.
func PendingProcessStarts(ctx context.Context, q Q, before time.Time, limit int) ([]ProcessStart, error) {
	var rows []ProcessStart
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT case_id, input FROM process_starts WHERE started_at IS NULL AND created_at < ?
		ORDER BY created_at LIMIT ?`), Time(before), limit)
	if err != nil {
		return nil, fmt.Errorf("pending process starts: %w", err)
	}
	return rows, nil
}
