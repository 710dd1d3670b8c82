// Copied from github.com/cschleiden/go-workflows v1.2.0 backend/sqlite
// (MIT licence, Copyright (c) 2022 Christopher Schleiden; see LICENSE here)
// and changed by onewindow where marked "onewindow:".

package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/workflow"
)

func scheduleActivity(ctx context.Context, tx *sql.Tx, queue workflow.Queue, instance *workflow.Instance, event *history.Event) error {
	// Attributes are already persisted via the history, we do not need to add them again.

	if _, err := tx.ExecContext(
		ctx,
		`INSERT INTO activities
			(id, queue, instance_id, execution_id, event_type, timestamp, schedule_event_id, visible_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		event.ID,
		string(queue),
		instance.InstanceID,
		instance.ExecutionID,
		event.Type,
		event.Timestamp,
		event.ScheduleEventID,
		event.VisibleAt,
	); err != nil {
		return fmt.Errorf("inserting events: %w", err)
	}

	return nil
}
