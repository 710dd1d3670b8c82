package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
)

// Engine is the engine's read model on this database: it implements
// engine.Store. Every write of the engine goes through ApplyBatch.
type Engine struct {
	DB *DB
	// Calendars count a finished case's working days into the scorecards' counters; nil reads
	// the calendars from DB on each case that finishes.
	Calendars engine.Calendars
}

// calendars are the calendars the counters count working days on.
func (s Engine) calendars() engine.Calendars {
	if s.Calendars != nil {
		return s.Calendars
	}
	return &Calendars{DB: s.DB}
}

var _ engine.Store = Engine{}

// ApplyBatch writes one step of a case in one transaction. A step already
// applied (same case and sequence) is skipped, which makes the engine's
// Apply activity idempotent however often it runs.
func (s Engine) ApplyBatch(ctx context.Context, b *engine.Batch) error {
	vars, err := json.Marshal(orEmpty(b.Vars))
	if err != nil {
		return fmt.Errorf("encode variables of case %s: %w", b.CaseID, err)
	}
	at := Time(b.At)
	cals := s.calendars()
	if b.Status == "completed" {
		// The step finishes the case: its calendar is built before the transaction, so that
		// counting its working days in it reads nothing through another connection.
		unit := ""
		if b.Clock != nil {
			unit = b.Clock.Unit
		} else if err := s.DB.GetContext(ctx, &unit, s.DB.Rebind(`SELECT COALESCE(calendar_unit, '') FROM cases WHERE id = ?`), b.CaseID); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("calendar unit of case %s: %w", b.CaseID, err)
		}
		if _, err := cals.Calendar(ctx, unit); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_batches (case_id, seq, applied_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			b.CaseID, b.Seq, Now())
		if err != nil {
			return classify(err, "record step %d of case %s", b.Seq, b.CaseID)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // applied before
		}
		if b.Seq == 1 || b.Status == "completed" {
			// The step creates the case or finishes it: the scorecards' counters follow.
			return countCase(ctx, tx, cals, b.CaseID, func() error { return applyStep(ctx, tx, b, string(vars), at) })
		}
		return applyStep(ctx, tx, b, string(vars), at)
	})
}

// applyStep writes the rows of one step of a case in tx.
func applyStep(ctx context.Context, tx *sqlx.Tx, b *engine.Batch, vars string, at time.Time) error {
	if err := writeCase(ctx, tx, b, vars, at); err != nil {
		return err
	}
	if b.Alarms != nil {
		if err := setAlarms(ctx, tx, *b.Alarms); err != nil {
			return err
		}
	}
	for _, t := range b.Tasks {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO tasks (id, case_id, element_id, name, state, assignee, step_kind,
				limit_days, warn_days, form_key, documentation, priority, loop_counter, body_id, created_at)
				VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			t.ID, t.CaseID, t.Element, t.Name, nullable(t.Assignee), nullable(t.StepKind), t.LimitDays, t.WarnDays,
			nullable(t.FormKey), nullable(t.Documentation), nullable(t.Priority), t.LoopCounter, nullable(t.Body), Time(t.Created))
		if err != nil {
			return classify(err, "create task %s", t.ID)
		}
		for _, c := range candidates(t) {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO task_candidates (task_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
				t.ID, c[0], c[1]); err != nil {
				return classify(err, "candidate of task %s", t.ID)
			}
		}
	}
	for _, t := range b.Timers {
		// A cycle arms the same timer again: the row takes the new due time.
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO timers (id, case_id, element_id, due_at, spec, state, created_at)
				VALUES (?, ?, ?, ?, ?, 'armed', ?)
				ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, state = 'armed', closed_at = NULL`),
			t.ID, t.CaseID, t.Element, Time(t.Due), t.Spec, at)
		if err != nil {
			return classify(err, "arm timer %s", t.ID)
		}
	}
	for _, sub := range b.Subscriptions {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO subscriptions (id, case_id, element_id, kind, name, state, created_at)
				VALUES (?, ?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING`),
			sub.ID, sub.CaseID, sub.Element, sub.Kind, sub.Name, at)
		if err != nil {
			return classify(err, "subscribe %s", sub.ID)
		}
	}
	for _, c := range b.Closed {
		if err := closeWait(ctx, tx, c, at); err != nil {
			return err
		}
	}
	for _, h := range b.History {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_history (case_id, seq, idx, at, kind, element_id, instance_id, detail)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			h.CaseID, h.Seq, h.Index, Time(h.At), h.Kind, h.Element, h.Instance, h.Detail)
		if err != nil {
			return classify(err, "history of case %s", h.CaseID)
		}
	}
	for _, x := range b.Incidents {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO incidents (id, case_id, element_id, message, state, created_at)
				VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING`), x.ID, x.CaseID, x.Element, x.Message, Time(x.At))
		if err != nil {
			return classify(err, "incident %s", x.ID)
		}
	}
	if err := auditStep(ctx, tx, b); err != nil {
		return err
	}
	if err := writeClock(ctx, tx, b); err != nil {
		return err
	}
	for _, id := range b.Resolved {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE incidents SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'open'`), at, id); err != nil {
			return classify(err, "resolve incident %s", id)
		}
	}
	return nil
}

// writeClock writes a case's clock, its changed pauses and its tasks' due times.
func writeClock(ctx context.Context, tx *sqlx.Tx, b *engine.Batch) error {
	if c := b.Clock; c != nil {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE cases SET calendar_unit = ?, clock_state = ?, clock_started_at = ?, clock_reason = ?,
			clock_stopped_at = ?, promised_days = ?, statutory_days = ?, warn_at = ?, due_at = ?, statutory_due_at = ? WHERE id = ?`),
			nullable(c.Unit), c.State, nullTime(c.Start), nullable(c.Reason), nullTime(c.Stopped), c.PromisedDays, c.StatutoryDays,
			nullTime(c.Warn), nullTime(c.Due), nullTime(c.Statutory), b.CaseID)
		if err != nil {
			return classify(err, "clock of case %s", b.CaseID)
		}
	}
	for _, p := range b.Pauses {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO case_pauses (case_id, idx, holder, kind, reason, started_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, idx) DO UPDATE SET ended_at = excluded.ended_at`),
			b.CaseID, p.Idx, p.Holder, p.Kind, p.Reason, Time(p.From), nullTime(p.To))
		if err != nil {
			return classify(err, "pause %d of case %s", p.Idx, b.CaseID)
		}
	}
	for _, d := range b.TaskDues {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE tasks SET warn_at = ?, due_at = ? WHERE id = ?`), nullTime(d.Warn), nullTime(d.Due), d.TaskID)
		if err != nil {
			return classify(err, "due times of task %s", d.TaskID)
		}
	}
	return nil
}

// RecordAlert implements engine.Store.
func (s Engine) RecordAlert(ctx context.Context, a engine.Alert) error {
	_, err := s.DB.ExecContext(ctx, s.DB.Rebind(`INSERT INTO alerts (id, case_id, task_id, kind, scope, element_id, step_kind, due_at, fired_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		a.ID, a.CaseID, nullable(a.TaskID), a.Kind, a.Scope, nullable(a.Element), nullable(a.StepKind), Time(a.Due), Time(a.At))
	return classify(err, "record alert %s", a.ID)
}

// writeCase creates the case row on its first step (or completes a row the
// application created before starting the workflow) and updates it on later ones.
func writeCase(ctx context.Context, tx *sqlx.Tx, b *engine.Batch, vars string, at time.Time) error {
	var ended any
	switch b.Status {
	case "completed", "terminated", "cancelled", "failed":
		ended = at
	}
	if b.Seq == 1 {
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO cases (id, definition_key, definition_version, parent_case_id, status,
			variables, last_seq, started_at, updated_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET definition_key = excluded.definition_key, definition_version = excluded.definition_version,
			parent_case_id = excluded.parent_case_id, status = excluded.status, variables = excluded.variables,
			last_seq = excluded.last_seq, updated_at = excluded.updated_at, ended_at = excluded.ended_at`),
			b.CaseID, b.Definition, b.Version, nullable(b.ParentCase), b.Status, vars, b.Seq, at, at, ended)
		return classify(err, "create case %s", b.CaseID)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE cases SET status = ?, variables = ?, last_seq = ?, updated_at = ?,
		ended_at = COALESCE(ended_at, ?) WHERE id = ?`), b.Status, vars, b.Seq, at, ended, b.CaseID)
	return classify(err, "update case %s", b.CaseID)
}

func closeWait(ctx context.Context, tx *sqlx.Tx, c engine.ClosedWait, at time.Time) error {
	var err error
	switch c.Kind {
	case "task":
		state := "cancelled"
		if c.Reason == "completed" {
			state = "completed"
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE tasks SET state = ?, closed_at = ? WHERE id = ? AND state IN ('open', 'completing')`),
			state, at, c.ID)
	case "timer":
		state := "cancelled"
		if c.Reason == "fired" {
			state = "fired"
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE timers SET state = ?, closed_at = ? WHERE id = ? AND state = 'armed'`), state, at, c.ID)
	case "message", "signal":
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET state = 'closed', closed_at = ? WHERE id = ? AND state = 'open'`), at, c.ID)
	}
	return classify(err, "close wait %s", c.ID)
}

func candidates(t engine.TaskRow) [][2]string {
	var out [][2]string
	if t.Assignee != "" {
		out = append(out, [2]string{"user", t.Assignee})
	}
	for _, u := range t.CandidateUsers {
		out = append(out, [2]string{"user", u})
	}
	for _, g := range t.CandidateGroups {
		out = append(out, [2]string{"group", g})
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Definition returns the XML of a definition version for the engine;
// version 0 is the latest published one.
func (s Engine) Definition(ctx context.Context, key string, version int) (*engine.DefinitionRecord, error) {
	d, err := GetDefinition(ctx, s.DB, key, version)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", engine.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	if d.Kind != KindBPMN {
		return nil, fmt.Errorf("%w: %s is a decision, not a process", engine.ErrNotFound, key)
	}
	return &engine.DefinitionRecord{Key: d.Key, Version: d.Version, Hash: d.Hash, XML: d.XML}, nil
}

// Decision returns the .dmn file of decision key at version (0: the latest published) for
// the engine (engine.DecisionSource).
func (s Engine) Decision(ctx context.Context, key string, version int) (*engine.DecisionRecord, error) {
	d, err := GetDefinition(ctx, s.DB, key, version)
	if errors.Is(err, ErrNotFound) || err == nil && d.Kind != KindDMN {
		return nil, fmt.Errorf("%w: decision %s v%d", engine.ErrNotFound, key, version)
	}
	if err != nil {
		return nil, err
	}
	return &engine.DecisionRecord{Key: d.Key, Version: d.Version, Namespace: d.Namespace, Hash: d.Hash, XML: d.XML}, nil
}

// DecisionFile returns the latest published .dmn file with namespace ns, for imports
// (engine.DecisionSource).
func (s Engine) DecisionFile(ctx context.Context, ns string) (*engine.DecisionRecord, error) {
	d, err := PublishedDecisionFile(ctx, s.DB, ns)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: decisions of namespace %s", engine.ErrNotFound, ns)
	}
	if err != nil {
		return nil, err
	}
	return &engine.DecisionRecord{Key: d.Key, Version: d.Version, Namespace: d.Namespace, Hash: d.Hash, XML: d.XML}, nil
}

// DecisionFileByHash returns the .dmn file with namespace ns and content hash hash, published
// or not (a case pinned it): what a replay reads for a file another imports
// (engine.DecisionFileSource).
func (s Engine) DecisionFileByHash(ctx context.Context, ns, hash string) (*engine.DecisionRecord, error) {
	var d DefinitionVersion
	err := s.DB.GetContext(ctx, &d, s.DB.Rebind(`SELECT `+definitionCols+` FROM definitions
		WHERE namespace = ? AND hash = ? AND kind = 'dmn' ORDER BY definition_key LIMIT 1`), ns, hash)
	if err != nil {
		err = classify(err, "decision file of namespace %s with hash %s", ns, hash)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %v", engine.ErrNotFound, err)
		}
		return nil, err
	}
	return &engine.DecisionRecord{Key: d.Key, Version: d.Version, Namespace: d.Namespace, Hash: d.Hash, XML: d.XML}, nil
}

// SignalSubscriptions lists the open waits for signal name outside exceptCase.
func (s Engine) SignalSubscriptions(ctx context.Context, name, exceptCase string) ([]engine.Subscription, error) {
	var rows []struct {
		ID     string `db:"id"`
		CaseID string `db:"case_id"`
	}
	err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(`SELECT id, case_id FROM subscriptions
		WHERE kind = 'signal' AND name = ? AND state = 'open' AND case_id <> ? ORDER BY created_at, id`), name, exceptCase)
	if err != nil {
		return nil, fmt.Errorf("signal subscriptions for %q: %w", name, err)
	}
	out := make([]engine.Subscription, 0, len(rows))
	for _, r := range rows {
		_, w, ok := engine.SplitTaskID(r.ID)
		if !ok {
			continue
		}
		out = append(out, engine.Subscription{CaseID: r.CaseID, WaitID: w, Name: name})
	}
	return out, nil
}

// CaseState is a case as the engine's read model shows it.
type CaseState struct {
	ID                string     `db:"id" json:"id"`
	DefinitionKey     string     `db:"definition_key" json:"definitionKey"`
	DefinitionVersion int        `db:"definition_version" json:"definitionVersion"`
	ParentCaseID      *string    `db:"parent_case_id" json:"parentCaseId,omitempty"`
	Status            string     `db:"status" json:"status"`
	Variables         JSON       `db:"variables" json:"variables" swaggertype:"object"`
	LastSeq           int        `db:"last_seq" json:"-"`
	StartedAt         time.Time  `db:"started_at" json:"startedAt"`
	UpdatedAt         time.Time  `db:"updated_at" json:"updatedAt"`
	EndedAt           *time.Time `db:"ended_at" json:"endedAt,omitempty"`
	CalendarUnit      *string    `db:"calendar_unit" json:"calendarUnit,omitempty"`
	ClockState        string     `db:"clock_state" json:"clockState"`
	ClockStartedAt    *time.Time `db:"clock_started_at" json:"clockStartedAt,omitempty"`
	ClockReason       *string    `db:"clock_reason" json:"clockReason,omitempty"`
	ClockStoppedAt    *time.Time `db:"clock_stopped_at" json:"clockStoppedAt,omitempty"`
	PromisedDays      *float64   `db:"promised_days" json:"promisedDays,omitempty"`
	StatutoryDays     *float64   `db:"statutory_days" json:"statutoryDays,omitempty"`
	WarnAt            *time.Time `db:"warn_at" json:"warnAt,omitempty"`
	DueAt             *time.Time `db:"due_at" json:"dueAt,omitempty"`
	StatutoryDueAt    *time.Time `db:"statutory_due_at" json:"statutoryDueAt,omitempty"`
}

// GetCaseState returns the engine's row of a case, or ErrNotFound.
func GetCaseState(ctx context.Context, q Q, id string) (*CaseState, error) {
	var c CaseState
	err := q.GetContext(ctx, &c, q.Rebind(`SELECT id, definition_key, definition_version, parent_case_id, status, variables,
		last_seq, started_at, updated_at, ended_at, calendar_unit, clock_state, clock_started_at, clock_reason, clock_stopped_at,
		promised_days, statutory_days, warn_at, due_at, statutory_due_at FROM cases WHERE id = ?`), id)
	if err != nil {
		return nil, classify(err, "case %s", id)
	}
	return &c, nil
}

// TakeTask moves an open task to completing, so that exactly one caller
// completes it: the loser of a race gets ErrConflict.
func TakeTask(ctx context.Context, q Q, id string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET state = 'completing' WHERE id = ? AND state = 'open'`), id)
	if err != nil {
		return classify(err, "take task %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GetTask(ctx, q, id); err != nil {
			return err
		}
		return fmt.Errorf("task %s is no longer open: %w", id, ErrTaskClosed)
	}
	return nil
}

// ReleaseTask puts a task taken by TakeTask back when its signal could not be sent.
func ReleaseTask(ctx context.Context, q Q, id string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET state = 'open' WHERE id = ? AND state = 'completing'`), id)
	return classify(err, "release task %s", id)
}

// ElementEvent is one element event of a case.
type ElementEvent struct {
	Seq        int       `db:"seq" json:"seq"`
	Idx        int       `db:"idx" json:"idx"`
	At         time.Time `db:"at" json:"at"`
	Kind       string    `db:"kind" json:"kind"`
	ElementID  string    `db:"element_id" json:"elementId"`
	InstanceID string    `db:"instance_id" json:"instanceId,omitempty"`
	Detail     string    `db:"detail" json:"detail,omitempty"`
}

// CaseHistory lists a case's element events in order.
func CaseHistory(ctx context.Context, q Q, caseID string) ([]ElementEvent, error) {
	out := []ElementEvent{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT seq, idx, at, kind, element_id, instance_id, detail FROM case_history
		WHERE case_id = ? ORDER BY seq, idx`), caseID)
	if err != nil {
		return nil, fmt.Errorf("history of case %s: %w", caseID, err)
	}
	return out, nil
}

// Timer is an armed, fired or cancelled timer.
type Timer struct {
	ID        string    `db:"id" json:"id"`
	ElementID string    `db:"element_id" json:"elementId"`
	DueAt     time.Time `db:"due_at" json:"dueAt"`
	Spec      string    `db:"spec" json:"spec"`
	State     string    `db:"state" json:"state"`
}

// CaseTimers lists a case's timers by due time; state "" lists all.
func CaseTimers(ctx context.Context, q Q, caseID, state string) ([]Timer, error) {
	return caseRows[Timer](ctx, q, `id, element_id, due_at, spec, state`, "timers", caseID, state, "due_at, id", "timers")
}

// MessageWait is an open or closed message or signal wait.
type MessageWait struct {
	ID        string `db:"id" json:"id"`
	ElementID string `db:"element_id" json:"elementId"`
	Kind      string `db:"kind" json:"kind"`
	Name      string `db:"name" json:"name"`
	State     string `db:"state" json:"state"`
}

// CaseSubscriptions lists a case's message and signal waits; state "" lists all.
func CaseSubscriptions(ctx context.Context, q Q, caseID, state string) ([]MessageWait, error) {
	return caseRows[MessageWait](ctx, q, `id, element_id, kind, name, state`, "subscriptions", caseID, state, "created_at, id", "subscriptions")
}

// Incident is an open or resolved incident.
type Incident struct {
	ID        string    `db:"id" json:"id"`
	CaseID    string    `db:"case_id" json:"caseId"`
	ElementID string    `db:"element_id" json:"elementId"`
	Message   string    `db:"message" json:"message"`
	State     string    `db:"state" json:"state"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
}

// CaseIncidents lists a case's incidents; state "" lists all.
func CaseIncidents(ctx context.Context, q Q, caseID, state string) ([]Incident, error) {
	return caseRows[Incident](ctx, q, `id, case_id, element_id, message, state, created_at`, "incidents", caseID, state, "created_at, id", "incidents")
}

// EnqueueSignal writes a signal for a case to the outbox, setting its ID.
// Call it in the transaction whose change the signal reports, then hand
// the signal to engine.Deliver after commit.
func EnqueueSignal(ctx context.Context, q Q, s *engine.OutboxSignal) error {
	s.ID = NewID()
	s.Signal.ID = s.ID
	payload, err := json.Marshal(s.Signal)
	if err != nil {
		return fmt.Errorf("encode signal for case %s: %w", s.CaseID, err)
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO signal_outbox (id, case_id, channel, payload, created_at) VALUES (?, ?, ?, ?, ?)`),
		s.ID, s.CaseID, s.Channel, string(payload), Now())
	return classify(err, "queue signal for case %s", s.CaseID)
}

// EnqueueSignal implements engine.Store.
func (s Engine) EnqueueSignal(ctx context.Context, sig *engine.OutboxSignal) error {
	return EnqueueSignal(ctx, s.DB, sig)
}

// PendingSignals implements engine.Store.
func (s Engine) PendingSignals(ctx context.Context, before time.Time, limit int) ([]engine.OutboxSignal, error) {
	var rows []struct {
		ID      string `db:"id"`
		CaseID  string `db:"case_id"`
		Channel string `db:"channel"`
		Payload JSON   `db:"payload"`
	}
	err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(`SELECT id, case_id, channel, payload FROM signal_outbox
		WHERE created_at < ? ORDER BY created_at, id LIMIT ?`), Time(before), limit)
	if err != nil {
		return nil, fmt.Errorf("pending signals: %w", err)
	}
	out := make([]engine.OutboxSignal, 0, len(rows))
	for _, r := range rows {
		sig := engine.OutboxSignal{ID: r.ID, CaseID: r.CaseID, Channel: r.Channel}
		if err := json.Unmarshal(r.Payload, &sig.Signal); err != nil {
			return nil, fmt.Errorf("decode signal %s: %w", r.ID, err)
		}
		out = append(out, sig)
	}
	return out, nil
}

// DeleteSignal implements engine.Store.
func (s Engine) DeleteSignal(ctx context.Context, id string) error {
	_, err := s.DB.ExecContext(ctx, s.DB.Rebind(`DELETE FROM signal_outbox WHERE id = ?`), id)
	return classify(err, "delete signal %s", id)
}

// Pause is one pause of a case's clock.
type Pause struct {
	Idx       int        `db:"idx" json:"idx"`
	Holder    string     `db:"holder" json:"holder"`
	Kind      string     `db:"kind" json:"kind"`
	Reason    string     `db:"reason" json:"reason"`
	StartedAt time.Time  `db:"started_at" json:"startedAt"`
	EndedAt   *time.Time `db:"ended_at" json:"endedAt,omitempty"`
}

// CasePauses lists a case's clock pauses in order.
func CasePauses(ctx context.Context, q Q, caseID string) ([]Pause, error) {
	out := []Pause{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT idx, holder, kind, reason, started_at, ended_at FROM case_pauses
		WHERE case_id = ? ORDER BY idx`), caseID)
	if err != nil {
		return nil, fmt.Errorf("pauses of case %s: %w", caseID, err)
	}
	return out, nil
}

// Alert is a warning or overdue alert the engine raised.
type Alert struct {
	ID        string    `db:"id" json:"id"`
	CaseID    string    `db:"case_id" json:"caseId"`
	TaskID    *string   `db:"task_id" json:"taskId,omitempty"`
	Kind      string    `db:"kind" json:"kind"`
	Scope     string    `db:"scope" json:"scope"`
	ElementID *string   `db:"element_id" json:"elementId,omitempty"`
	StepKind  *string   `db:"step_kind" json:"stepKind,omitempty"`
	DueAt     time.Time `db:"due_at" json:"dueAt"`
	FiredAt   time.Time `db:"fired_at" json:"firedAt"`
}

// CaseAlerts lists a case's alerts in the order they fired.
func CaseAlerts(ctx context.Context, q Q, caseID string) ([]Alert, error) {
	out := []Alert{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT id, case_id, task_id, kind, scope, element_id, step_kind, due_at, fired_at
		FROM alerts WHERE case_id = ? ORDER BY fired_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("alerts of case %s: %w", caseID, err)
	}
	return out, nil
}

// caseRows selects the rows of one case from table, in one state or
// ("" ) all, ordered by order.
func caseRows[T any](ctx context.Context, q Q, cols, table, caseID, state, order, what string) ([]T, error) {
	out := []T{}
	query := `SELECT ` + cols + ` FROM ` + table + ` WHERE case_id = ?`
	args := []any{caseID}
	if state != "" {
		query += ` AND state = ?`
		args = append(args, state)
	}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY `+order), args...); err != nil {
		return nil, fmt.Errorf("%s of case %s: %w", what, caseID, err)
	}
	return out, nil
}

var _ engine.DecisionSource = Engine{}
