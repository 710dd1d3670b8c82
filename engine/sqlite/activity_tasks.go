// Copied from github.com/cschleiden/go-workflows v1.2.0 backend/sqlite
// (MIT licence, Copyright (c) 2022 Christopher Schleiden; see LICENSE here)
// and changed by onewindow where marked "onewindow:".

package sqlite

// Activity tasks: polling, completing and extending them.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/workflow"

	_ "modernc.org/sqlite"
)

// GetActivityTask implements backend.Backend. onewindow: it waits for work (wake.go).
func (sb *Backend) GetActivityTask(ctx context.Context, queues []workflow.Queue) (*backend.ActivityTask, error) {
	return waitForTask(ctx, sb.options.IdlePoll, &sb.actWake, nil, func(ctx context.Context) (*backend.ActivityTask, error) {
		return sb.getActivityTask(ctx, queues)
	})
}

// getActivityTask polls once for an activity task.
func (sb *Backend) getActivityTask(ctx context.Context, queues []workflow.Queue) (*backend.ActivityTask, error) {
	// onewindow: as in GetWorkflowTask, a read answers the polls that find nothing.
	if due, err := sb.any(ctx, `SELECT 1 FROM activities WHERE locked_until IS NULL OR locked_until < ? LIMIT 1`); err != nil || !due {
		return nil, err
	}

	tx, err := sb.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// Lock next activity
	// (work around missing LIMIT support in sqlite driver for UPDATE statements by using sub-query)
	now := time.Now()

	args := []interface{}{
		now.Add(sb.options.ActivityLockTimeout),
		sb.workerName,
		now,
	}

	for _, q := range queues {
		args = append(args, string(q))
	}

	row := tx.QueryRowContext(
		ctx,
		fmt.Sprintf(`UPDATE activities
			SET locked_until = ?, worker = ?
			WHERE rowid = (
				SELECT rowid FROM activities WHERE (locked_until IS NULL OR locked_until < ?) AND queue IN (?%s) LIMIT 1
			) RETURNING id, instance_id, execution_id, event_type, timestamp, schedule_event_id, visible_at`, strings.Repeat(",?", len(queues)-1)),
		args...,
	)

	var instanceID, executionID string
	event := &history.Event{}

	if err := row.Scan(
		&event.ID,
		&instanceID,
		&executionID,
		&event.Type,
		&event.Timestamp,
		&event.ScheduleEventID,
		&event.VisibleAt,
	); err != nil {
		if err == sql.ErrNoRows {
			// No rows locked, just return
			return nil, nil
		}

		return nil, fmt.Errorf("scanning event: %w", err)
	}

	var attributes []byte
	if err := tx.QueryRowContext(
		ctx, "SELECT data FROM attributes WHERE instance_id = ? AND execution_id = ? AND id = ?", instanceID, executionID, event.ID,
	).Scan(&attributes); err != nil {
		return nil, fmt.Errorf("scanning attributes: %w", err)
	}

	a, err := history.DeserializeAttributes(event.Type, attributes)
	if err != nil {
		return nil, fmt.Errorf("deserializing attributes: %w", err)
	}

	event.Attributes = a

	var metadataJson sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT metadata FROM instances WHERE id = ?", instanceID).Scan(&metadataJson); err != nil {
		return nil, fmt.Errorf("scanning metadata: %w", err)
	}

	var metadata *workflow.Metadata
	if err := json.Unmarshal([]byte(metadataJson.String), &metadata); err != nil {
		return nil, fmt.Errorf("unmarshaling metadata: %w", err)
	}

	t := &backend.ActivityTask{
		ID:               event.ID,
		ActivityID:       event.ID,
		WorkflowInstance: core.NewWorkflowInstance(instanceID, executionID),
		Event:            event,
	}

	if err := tx.Commit(); err != nil {
		return nil, err
	}

	return t, nil
}

// CompleteActivityTask implements backend.Backend.
func (sb *Backend) CompleteActivityTask(ctx context.Context, task *backend.ActivityTask, result *history.Event) error {
	tx, err := sb.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Remove activity but keep the attributes, they are still needed for the history
	if res, err := tx.ExecContext(
		ctx,
		`DELETE FROM activities WHERE instance_id = ? AND execution_id = ? AND id = ? AND worker = ?`,
		task.WorkflowInstance.InstanceID,
		task.WorkflowInstance.ExecutionID,
		task.ActivityID,
		sb.workerName,
	); err != nil {
		return fmt.Errorf("unlocking instance: %w", err)
	} else if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("checking for deleted activities: %w", err)
	} else if n != 1 {
		return errors.New("could not find activity to delete")
	}

	// Insert new event generated during this workflow execution
	if err := insertPendingEvents(ctx, tx, task.WorkflowInstance, []*history.Event{result}); err != nil {
		return fmt.Errorf("inserting new events for completed activity: %w", err)
	}

	return sb.commitWork(tx)
}

// ExtendActivityTask implements backend.Backend.
func (sb *Backend) ExtendActivityTask(ctx context.Context, task *backend.ActivityTask) error {
	tx, err := sb.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	until := time.Now().Add(sb.options.ActivityLockTimeout)
	res, err := tx.ExecContext(
		ctx,
		`UPDATE activities SET locked_until = ? WHERE id = ? AND worker = ?`,
		until,
		task.ActivityID,
		sb.workerName,
	)
	if err != nil {
		return fmt.Errorf("extending activity lock: %w", err)
	}

	if rowsAffected, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("determining if activity was extended: %w", err)
	} else if rowsAffected == 0 {
		return errors.New("could not extend activity")
	}

	return tx.Commit()
}
