package engine

import (
	"context"
	"errors"
	"time"
)

// Store is the engine's view of the application tables: package store
// implements it on SQLite and PostgreSQL. The engine writes its read model
// (cases, tasks, timers, subscriptions, history, incidents) only through
// ApplyBatch, once per step of a case, so queries never read go-workflows'
// own history.
type Store interface {
	// ApplyBatch writes one batch in one transaction. It must be
	// idempotent on (CaseID, Seq): an activity runs at least once, and a
	// batch already applied is not applied again.
	ApplyBatch(ctx context.Context, b *Batch) error
	// Definition returns the XML of a definition version; version 0 means
	// the latest published one.
	Definition(ctx context.Context, key string, version int) (*DefinitionRecord, error)
	// SignalSubscriptions lists the open signal waits for name in every
	// case but exceptCase.
	SignalSubscriptions(ctx context.Context, name, exceptCase string) ([]Subscription, error)
	// PendingSignals lists up to limit outbox signals written before
	// before, oldest first; DeleteSignal removes one once delivered.
	PendingSignals(ctx context.Context, before time.Time, limit int) ([]OutboxSignal, error)
	DeleteSignal(ctx context.Context, id string) error
	// EnqueueSignal writes a signal to the outbox on its own, setting its ID.
	EnqueueSignal(ctx context.Context, s *OutboxSignal) error
	// RecordAlert writes an alert; an alert already written is left as is.
	RecordAlert(ctx context.Context, a Alert) error
}

// OutboxSignal is a signal written to the outbox in the transaction that
// caused it, waiting to be delivered to its case.
type OutboxSignal struct {
	ID      string
	CaseID  string
	Channel string
	Signal  Signal
}

// ErrNotFound is returned by a Store when a record does not exist.
var ErrNotFound = errors.New("not found")

// DefinitionRecord is one stored definition version.
type DefinitionRecord struct {
	Key     string
	Version int
	// Hash identifies the content (SHA-256, hex); equal hashes mean equal models.
	Hash string
	// XML is the content; the history's record of LoadDefinition has none (pin.go).
	XML []byte `json:",omitempty"`
	// Decisions are the DMN files its business rule tasks evaluate (decisions.go).
	Decisions []DecisionRecord `json:",omitempty"`
}

// Batch is what one step of a case changes in the read model.
type Batch struct {
	CaseID string
	// Seq numbers the batches of a case from 1; it is the idempotency key.
	Seq int
	// At is the workflow time of the step.
	At time.Time
	// Definition and Version identify what the case runs (set on batch 1).
	Definition string
	Version    int
	// ParentCase is the calling case of a child case (set on batch 1).
	ParentCase string
	// Status is the case status after the batch: active, incident,
	// completed, terminated, cancelled or failed.
	Status string
	// Vars are the process variables after the batch.
	Vars map[string]any

	Tasks         []TaskRow
	Timers        []TimerRow
	Subscriptions []SubscriptionRow
	Closed        []ClosedWait
	History       []HistoryRow
	Incidents     []IncidentRow
	Resolved      []string // incident ids no longer open

	// Clock is set when the case's clock changed; Pauses are the pauses
	// that changed (by index); TaskDues the due times of limited open tasks.
	Clock    *ClockRow
	Pauses   []PauseRow
	TaskDues []TaskDueRow

	// Alarms are the long waits the step arms and disarms, written in the batch's
	// transaction by a Store that is an AlarmApplier (applyalarms.go).
	Alarms *AlarmChange
}

// ClockRow is the state of a case's time-limit clock.
type ClockRow struct {
	Unit          string
	State         string // none, running, paused, stopped
	Start         time.Time
	Reason        string
	Stopped       time.Time
	PromisedDays  float64
	StatutoryDays float64
	Warn          time.Time
	Due           time.Time
	Statutory     time.Time
}

// TaskDueRow is an open task's warning and due times (zero while paused).
type TaskDueRow struct {
	TaskID string
	Warn   time.Time
	Due    time.Time
}

// TaskRow is a user task created by the case.
type TaskRow struct {
	ID              string // case id + "/" + wait id
	CaseID          string
	WaitID          string
	Element         string
	Name            string
	Assignee        string
	CandidateUsers  []string
	CandidateGroups []string
	StepKind        string
	LimitDays       float64
	WarnDays        float64
	FormKey         string
	Documentation   string
	Priority        string
	LoopCounter     int
	Body            string // multi-instance body instance id, "" if none
	Created         time.Time
}

// TimerRow is an armed timer.
type TimerRow struct {
	ID      string // case id + "/" + wait id
	CaseID  string
	WaitID  string
	Element string
	Due     time.Time
	Spec    string // the timer as written, for display
}

// SubscriptionRow is an open message or signal wait.
type SubscriptionRow struct {
	ID      string // case id + "/" + wait id
	CaseID  string
	WaitID  string
	Element string
	Kind    string // message or signal
	Name    string
}

// ClosedWait is a wait that ended; Kind says which table holds it.
type ClosedWait struct {
	ID     string // case id + "/" + wait id
	Kind   string // task, timer, message, signal, child, handler
	Reason string // completed, fired, cancelled
}

// HistoryRow is one element event of a case; (CaseID, Seq, Index) is unique.
type HistoryRow struct {
	CaseID   string
	Seq      int
	Index    int
	At       time.Time
	Kind     string // entered, completed, cancelled, timerFired, moved
	Element  string
	Instance string
	Detail   string
}

// IncidentRow is a token that could not move.
type IncidentRow struct {
	ID      string // case id + "/" + incident id
	CaseID  string
	Element string
	Message string
	At      time.Time
}

// Subscription is an open wait that an outside event can trigger.
type Subscription struct {
	CaseID string
	WaitID string
	Name   string
}
