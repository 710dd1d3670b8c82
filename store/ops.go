package store

import "context"

// OpsFigures are the counts an operator watches (the metrics of /metrics): work waiting for
// the engine and what the engine raised.
type OpsFigures struct {
	// PendingSignals are signals in the outbox not yet delivered to their cases.
	PendingSignals int `db:"pending_signals"`
	// PendingStarts are queued case starts not yet handed to the engine.
	PendingStarts int `db:"pending_starts"`
	// TimersArmed are BPMN timers waiting to fire.
	TimersArmed int `db:"timers_armed"`
	// OpenIncidents are tokens that could not move, waiting for an admin.
	OpenIncidents int `db:"open_incidents"`
	// WebhookBacklog are webhook deliveries not yet delivered nor given up.
	WebhookBacklog int `db:"webhook_backlog"`
	// NotificationBacklog are notifications not yet sent nor given up.
	NotificationBacklog int `db:"notification_backlog"`
	// AuditRows is how many rows the audit chain holds (its head's number).
	AuditRows int64 `db:"audit_rows"`
	// Alerts counts the alerts raised, by kind (warning, overdue, violation).
	Alerts map[string]int `db:"-"`
}

// ReadOpsFigures counts the figures, each through an index or a small table.
func ReadOpsFigures(ctx context.Context, q Q) (*OpsFigures, error) {
	f := &OpsFigures{Alerts: map[string]int{}}
	err := q.GetContext(ctx, f, `SELECT
		(SELECT COUNT(*) FROM signal_outbox) AS pending_signals,
		(SELECT COUNT(*) FROM process_starts WHERE started_at IS NULL) AS pending_starts,
		(SELECT COUNT(*) FROM timers WHERE state = 'armed') AS timers_armed,
		(SELECT COUNT(*) FROM incidents WHERE state = 'open') AS open_incidents,
		(SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending') AS webhook_backlog,
		(SELECT COUNT(*) FROM notifications WHERE delivery_state = 'pending') AS notification_backlog,
		(SELECT seq FROM audit_head WHERE id = 1) AS audit_rows`)
	if err != nil {
		return nil, classify(err, "operations figures")
	}
	var kinds []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &kinds, `SELECT kind, COUNT(*) AS n FROM alerts GROUP BY kind ORDER BY kind`); err != nil {
		return nil, classify(err, "alerts by kind")
	}
	for _, k := range kinds {
		f.Alerts[k.Kind] = k.N
	}
	return f, nil
}
