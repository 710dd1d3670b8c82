// Copied from github.com/cschleiden/go-workflows v1.2.0 backend/sqlite
// (MIT licence, Copyright (c) 2022 Christopher Schleiden; see LICENSE here)
// and changed by onewindow where marked "onewindow:".

package sqlite

// Worker names, the poll query, lock release and batch signalling.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/google/uuid"

	_ "modernc.org/sqlite"
)

// getWorkerName returns the worker name from options, or generates a UUID-based name if not set.
func getWorkerName(options *options) string {
	if options.Options.WorkerName != "" {
		return options.Options.WorkerName
	}
	return fmt.Sprintf("worker-%v", uuid.NewString())
}

// pollQuery locks the next instance with due work on one of n queues.
func pollQuery(n int) string {
	return fmt.Sprintf(`UPDATE instances
			SET locked_until = ?, worker = ?
			WHERE rowid = (
				SELECT i.rowid FROM pending_events pe
					CROSS JOIN instances i ON i.id = pe.instance_id AND i.execution_id = pe.execution_id
					WHERE
						(i.locked_until IS NULL OR i.locked_until < ?)
						AND (i.sticky_until IS NULL OR i.sticky_until < ? OR i.worker = ?)
						AND i.state = ?
						AND i.completed_at IS NULL
						AND i.queue IN (?%s)
						AND (pe.visible_at IS NULL OR pe.visible_at <= ?)
					LIMIT 1
			) RETURNING queue, id, execution_id, parent_instance_id, parent_execution_id, parent_schedule_event_id, metadata, sticky_until`, strings.Repeat(",?", n-1))
}

// ReleaseLocks frees the tasks that worker still holds. onewindow: an SQLite
// engine store belongs to one process, so whatever its worker name locks at
// start was in flight when that process died; waiting for the locks to time
// out would only delay every case that was moving.
func (sb *Backend) ReleaseLocks(ctx context.Context, worker string) error {
	for _, q := range []string{
		`UPDATE instances SET locked_until = NULL WHERE worker = ? AND locked_until IS NOT NULL`,
		`UPDATE activities SET locked_until = NULL WHERE worker = ? AND locked_until IS NOT NULL`,
	} {
		if _, err := sb.db.ExecContext(ctx, q, worker); err != nil {
			return fmt.Errorf("releasing the locks of %s: %w", worker, err)
		}
	}
	sb.WakeWorkflows()
	sb.WakeActivities()
	return nil
}

// DB is the engine store's database, for size figures and diagnostics.
func (sb *Backend) DB() *sql.DB { return sb.db }

// any reports whether query, given the time now, answers a row. onewindow.
func (sb *Backend) any(ctx context.Context, query string) (bool, error) {
	var one int
	switch err := sb.db.QueryRowContext(ctx, query, time.Now()).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("looking for due work: %w", err)
	}
	return true, nil
}

// SignalWorkflows delivers signal events to several instances in one transaction: what
// SignalWorkflow does for one, with one commit for all. onewindow: the alarm loop fires
// alarms by the hundred. It answers, per event, whether its instance was found running.
func (sb *Backend) SignalWorkflows(ctx context.Context, instanceIDs []string, events []*history.Event) ([]bool, error) {
	tx, err := sb.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	found := make([]bool, len(instanceIDs))
	for i, id := range instanceIDs {
		var executionID string
		err := tx.QueryRowContext(ctx, "SELECT execution_id FROM `instances` WHERE id = ? AND state = ? LIMIT 1", id, core.WorkflowInstanceStateActive).Scan(&executionID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("finding instance %s: %w", id, err)
		}
		if err := insertPendingEvents(ctx, tx, core.NewWorkflowInstance(id, executionID), []*history.Event{events[i]}); err != nil {
			return nil, fmt.Errorf("inserting signal event for %s: %w", id, err)
		}
		found[i] = true
	}
	return found, sb.commitWork(tx)
}
