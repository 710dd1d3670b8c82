package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Queries of the engine operations (app/operations.go) over the engine's read model; the
// tables are written only by Engine.ApplyBatch.

// Incident states.
const (
	IncidentOpen     = "open"
	IncidentResolved = "resolved"
)

// IncidentStates lists the valid incident states.
var IncidentStates = []string{IncidentOpen, IncidentResolved}

// CaseEnded reports whether a case in status can no longer change.
func CaseEnded(status string) bool {
	switch status {
	case "completed", "terminated", "cancelled", "failed":
		return true
	}
	return false
}

// IncidentFilter selects incidents across cases; zero fields do not filter.
type IncidentFilter struct {
	State         string // open or resolved
	CaseID        string
	DefinitionKey string // only incidents of cases of this process
	// Scope keeps the incidents of the cases it may see (a child case's by its root case's);
	// nil keeps every incident, of engine-only cases too.
	Scope *CaseScope
	Limit int // default 100
	// AfterAt and AfterID are the key (created at, id) of the last row of the page before.
	AfterAt time.Time
	AfterID string
}

// ListIncidents lists incidents across cases, oldest first (the incidents_listed indexes).
func ListIncidents(ctx context.Context, q Q, f IncidentFilter) ([]Incident, error) {
	query := `SELECT i.id, i.case_id, i.element_id, i.message, i.state, i.created_at FROM incidents i`
	var where []string
	var args []any
	if f.DefinitionKey != "" {
		query += ` JOIN cases c ON c.id = i.case_id`
		where, args = append(where, "c.definition_key = ?"), append(args, f.DefinitionKey)
	}
	if f.State != "" {
		where, args = append(where, "i.state = ?"), append(args, f.State)
	}
	if f.CaseID != "" {
		where, args = append(where, "i.case_id = ?"), append(args, f.CaseID)
	}
	if f.Scope != nil && !f.Scope.All {
		clause, a := f.Scope.Clause()
		where = append(where, `EXISTS (SELECT 1 FROM cases c WHERE c.id = `+rootCaseExpr(q, "i.case_id")+` AND c.number IS NOT NULL AND `+clause+`)`)
		args = append(args, a...)
	}
	if f.AfterID != "" {
		where, args = append(where, "(i.created_at, i.id) > (?, ?)"), append(args, Time(f.AfterAt), f.AfterID)
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query += ` ORDER BY i.created_at, i.id LIMIT ?`
	args = append(args, f.Limit)
	out := []Incident{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

// rootCaseExpr is the SQL expression of the root case of the case id col: the id up to its
// first "/" (a call activity's case is its parent's id + "/" + the wait's).
func rootCaseExpr(q Q, col string) string {
	if DialectOf(q) == Postgres {
		return `split_part(` + col + `, '/', 1)`
	}
	return `CASE WHEN instr(` + col + `, '/') > 0 THEN substr(` + col + `, 1, instr(` + col + `, '/') - 1) ELSE ` + col + ` END`
}

// GetIncident returns one incident, or ErrNotFound.
func GetIncident(ctx context.Context, q Q, id string) (*Incident, error) {
	var x Incident
	err := q.GetContext(ctx, &x, q.Rebind(`SELECT id, case_id, element_id, message, state, created_at FROM incidents WHERE id = ?`), id)
	if err != nil {
		return nil, classify(err, "incident %s", id)
	}
	return &x, nil
}

// CaseMessageWait returns the case's oldest open wait for message name, or
// ErrNotFound when the case does not wait for it.
func CaseMessageWait(ctx context.Context, q Q, caseID, name string) (*MessageWait, error) {
	var s MessageWait
	err := q.GetContext(ctx, &s, q.Rebind(`SELECT id, element_id, kind, name, state FROM subscriptions
		WHERE case_id = ? AND kind = 'message' AND name = ? AND state = 'open' ORDER BY created_at, id LIMIT 1`), caseID, name)
	if err != nil {
		return nil, classify(err, "case %s waiting for message %q", caseID, name)
	}
	return &s, nil
}

// ChildCases lists the cases that caseID's call activities started, oldest first.
func ChildCases(ctx context.Context, q Q, caseID string) ([]CaseState, error) {
	out := []CaseState{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT id, definition_key, definition_version, parent_case_id, status, variables,
		last_seq, started_at, updated_at, ended_at FROM cases WHERE parent_case_id = ? ORDER BY started_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("child cases of %s: %w", caseID, err)
	}
	return out, nil
}
