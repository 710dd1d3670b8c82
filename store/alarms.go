package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
)

var _ engine.AlarmStore = Engine{}

// SetAlarms implements engine.AlarmStore: one transaction arms and disarms a case's alarms.
// An alarm already known keeps its row (an activity runs at least once); disarming one that
// fired or was disarmed changes nothing.
func (s Engine) SetAlarms(ctx context.Context, c engine.AlarmChange) error {
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error { return setAlarms(ctx, tx, c) })
}

// AppliesAlarmsOf implements engine.AlarmApplier: ApplyBatch writes a step's alarms
// (Batch.Alarms) in its transaction when they live in the same database.
func (s Engine) AppliesAlarmsOf(as engine.AlarmStore) bool {
	o, ok := as.(Engine)
	return ok && o.DB == s.DB
}

// setAlarms arms and disarms alarms in tx: arming one that exists, or disarming one no
// longer armed, changes nothing.
func setAlarms(ctx context.Context, tx *sqlx.Tx, c engine.AlarmChange) error {
	now := Now()
	for _, a := range c.Arm {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO alarms (id, case_id, channel, due_at, state, created_at)
			VALUES (?, ?, ?, ?, 'armed', ?) ON CONFLICT DO NOTHING`), a.ID, a.CaseID, a.Channel, Time(a.Due), now); err != nil {
			return classify(err, "arm alarm %s", a.ID)
		}
	}
	for _, id := range c.Disarm {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE alarms SET state = 'cancelled', ended_at = ? WHERE id = ? AND state = 'armed'`),
			now, id); err != nil {
			return classify(err, "disarm alarm %s", id)
		}
	}
	return nil
}

// alarmRow is a row of the alarms table.
type alarmRow struct {
	ID      string    `db:"id"`
	CaseID  string    `db:"case_id"`
	Channel string    `db:"channel"`
	Due     time.Time `db:"due_at"`
}

// DueAlarms implements engine.AlarmStore through the alarms_due index.
func (s Engine) DueAlarms(ctx context.Context, now time.Time, limit int) ([]engine.Alarm, error) {
	var rows []alarmRow
	if err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(`SELECT id, case_id, channel, due_at FROM alarms
		WHERE state = 'armed' AND due_at <= ? ORDER BY due_at LIMIT ?`), Time(now), limit); err != nil {
		return nil, classify(err, "due alarms")
	}
	out := make([]engine.Alarm, len(rows))
	for i, r := range rows {
		out[i] = engine.Alarm{ID: r.ID, CaseID: r.CaseID, Channel: r.Channel, Due: r.Due}
	}
	return out, nil
}

// NextAlarm implements engine.AlarmStore.
func (s Engine) NextAlarm(ctx context.Context) (time.Time, bool, error) {
	var due time.Time
	err := s.DB.GetContext(ctx, &due, `SELECT due_at FROM alarms WHERE state = 'armed' ORDER BY due_at LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, classify(err, "next alarm")
	}
	return due, true, nil
}

// FireAlarms implements engine.AlarmStore: the claims (armed to fired) and the signals'
// outbox rows commit together, so a crash either leaves an alarm armed or its signal queued.
func (s Engine) FireAlarms(ctx context.Context, due []engine.Alarm) ([]engine.OutboxSignal, error) {
	if len(due) == 0 {
		return nil, nil
	}
	byID := make(map[string]engine.Alarm, len(due))
	args := []any{Now()}
	for _, a := range due {
		byID[a.ID] = a
		args = append(args, a.ID)
	}
	var out []engine.OutboxSignal
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		out = out[:0]
		var claimed []string
		if err := tx.SelectContext(ctx, &claimed, tx.Rebind(`UPDATE alarms SET state = 'fired', ended_at = ?
			WHERE state = 'armed' AND id IN (?`+strings.Repeat(", ?", len(due)-1)+`) RETURNING id`), args...); err != nil {
			return classify(err, "claim %d alarms", len(due))
		}
		sort.Strings(claimed)
		for _, id := range claimed {
			a := byID[id]
			sig := engine.OutboxSignal{CaseID: a.CaseID, Channel: a.Channel, Signal: engine.Signal{Kind: engine.SignalAlarm, Instance: a.ID}}
			if err := EnqueueSignal(ctx, tx, &sig); err != nil {
				return err
			}
			out = append(out, sig)
		}
		return nil
	})
	return out, err
}

// DeleteSignals removes delivered signals from the outbox in one statement.
func (s Engine) DeleteSignals(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := s.DB.ExecContext(ctx, s.DB.Rebind(`DELETE FROM signal_outbox WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), args...)
	return classify(err, "delete %d delivered signals", len(ids))
}
