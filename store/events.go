package store

// Events out: what happened to cases, for other systems (webhook deliveries and the event
// feed). The use cases write events in the transaction of the change they describe; a hook
// that runs at least once writes its event under a source it names, once.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Event is one thing that happened, as other systems read it.
type Event struct {
	// Seq orders the events; the feed's cursor is a sequence number.
	Seq int64 `db:"seq" json:"seq" example:"1042"`
	// ID is what a receiver deduplicates on: a delivery may come more than once.
	ID           string    `db:"id" json:"id" example:"01jd5q3k8m0000000000000300"`
	Type         string    `db:"type" json:"type" example:"case.accepted"`
	CaseID       string    `db:"case_id" json:"caseId,omitempty"`
	DepartmentID string    `db:"department_id" json:"departmentId,omitempty"`
	Source       string    `db:"source" json:"-"`
	Data         JSON      `db:"data" json:"data" swaggertype:"object"`
	OccurredAt   time.Time `db:"occurred_at" json:"occurredAt"`
}

const eventCols = `seq, id, type, COALESCE(case_id, '') AS case_id, COALESCE(department_id, '') AS department_id, source, data, occurred_at`

// eventLock is the PostgreSQL advisory lock event writers take: held to commit, it makes the
// sequence numbers visible in order, so that a reader past seq N never misses one below N.
const eventLock = 13013

// AppendEvents writes events (filling in Seq is left to the database); an event whose source
// was written before is left out. Call it last in a transaction: on PostgreSQL it takes a
// lock that event writers hold until they commit.
func AppendEvents(ctx context.Context, q Q, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	if DialectOf(q) == Postgres {
		if _, err := q.ExecContext(ctx, q.Rebind(`SELECT pg_advisory_xact_lock(?)`), eventLock); err != nil {
			return fmt.Errorf("lock the event sequence: %w", err)
		}
	}
	for _, e := range evs {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO events (id, type, case_id, department_id, source, data, occurred_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO NOTHING`),
			e.ID, e.Type, nullable(e.CaseID), nullable(e.DepartmentID), e.Source, string(e.Data), Time(e.OccurredAt))
		if err != nil {
			return classify(err, "event %s of case %s", e.Type, e.CaseID)
		}
	}
	return nil
}

// EventFilter selects events of the feed.
type EventFilter struct {
	// After is the last sequence number read (0: from the start).
	After int64
	// Types keeps these types (none: every type).
	Types []string
	// Departments, when not nil, keeps the events of these departments.
	Departments []string
	// CaseID keeps one case's events.
	CaseID string
	Limit  int
}

// ListEvents returns up to f.Limit events after f.After, in order.
func ListEvents(ctx context.Context, q Q, f EventFilter) ([]Event, error) {
	conds, args := []string{`seq > ?`}, []any{f.After}
	if len(f.Types) > 0 {
		conds = append(conds, `type IN (`+qmarks(len(f.Types))+`)`)
		for _, t := range f.Types {
			args = append(args, t)
		}
	}
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return []Event{}, nil
		}
		conds = append(conds, `department_id IN (`+qmarks(len(f.Departments))+`)`)
		for _, d := range f.Departments {
			args = append(args, d)
		}
	}
	if f.CaseID != "" {
		conds = append(conds, `case_id = ?`)
		args = append(args, f.CaseID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	out := []Event{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+eventCols+` FROM events WHERE `+strings.Join(conds, ` AND `)+
		` ORDER BY seq LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", f.After, err)
	}
	return out, nil
}

// GetEvent returns the event with sequence number seq, or ErrNotFound.
func GetEvent(ctx context.Context, q Q, seq int64) (*Event, error) {
	var e Event
	if err := q.GetContext(ctx, &e, q.Rebind(`SELECT `+eventCols+` FROM events WHERE seq = ?`), seq); err != nil {
		return nil, classify(err, "event %d", seq)
	}
	return &e, nil
}

// LastEventSeq returns the sequence number of the newest event (0 when there is none).
func LastEventSeq(ctx context.Context, q Q) (int64, error) {
	var n int64
	if err := q.GetContext(ctx, &n, `SELECT COALESCE(MAX(seq), 0) FROM events`); err != nil {
		return 0, fmt.Errorf("last event: %w", err)
	}
	return n, nil
}
