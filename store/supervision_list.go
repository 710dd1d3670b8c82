package store

// Supervision's list of open cases at scale: a page read in the list's order through an index
// of the open cases (migration 0025: by due time, by start), with the case's supervision state
// computed in SQL so that a filter by state and the counts by state need no pass over every open
// case in Go.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Supervision sort keys (SupervisionFilter.Sort).
const (
	SortRemaining = "remaining" // least working time left first: by due time
	SortDue       = "due"       // earliest due first
	SortStarted   = "started"   // oldest first
)

// SupervisionFilter selects a page of the open cases o covers.
type SupervisionFilter struct {
	Oversight *Oversight
	// State keeps the cases in this state (overdue, warning, normal, paused, none; see
	// stateExpr), at Now.
	State         string
	DepartmentID  string
	DefinitionKey string
	Now           time.Time
	// Sort is SortRemaining, SortDue or SortStarted; Desc reverses it (cases without a due
	// time come last either way).
	Sort string
	Desc bool
	// After is the place of the last case of the page before.
	After SupervisionKey
	Limit int
}

// SupervisionKey is an open case's place in the supervision list: by its sort time (due or
// start; NoTime for a case without a due time, listed after those with one) and id.
type SupervisionKey struct {
	NoTime bool
	At     time.Time
	ID     string
}

// stateExpr is the supervision state of a case (alias c) at the time given twice as
// arguments: none (no clock, or no promised limit and not paused), overdue (past its due
// time), paused, warning (past its warning time) or normal. It is what app.supervise decides
// from the same columns: for a running clock the due time is when the working days run out.
const stateExpr = `CASE
	WHEN c.clock_started_at IS NULL OR c.clock_state = 'none' THEN 'none'
	WHEN c.promised_days IS NULL OR c.promised_days <= 0 THEN CASE WHEN c.clock_state = 'paused' THEN 'paused' ELSE 'none' END
	WHEN c.due_at IS NOT NULL AND c.due_at <= ? THEN 'overdue'
	WHEN c.clock_state = 'paused' THEN 'paused'
	WHEN c.warn_at IS NOT NULL AND c.warn_at <= ? THEN 'warning'
	ELSE 'normal' END`

// where is the condition of f on the open cases (alias c, items alias i), without
// paging.
func (f *SupervisionFilter) where(q Q) (string, []any) {
	where := []string{`c.status IN ('starting', 'active', 'incident')`}
	var args []any
	if f.Oversight != nil {
		cl, a := f.Oversight.CaseClause()
		where, args = append(where, cl), append(args, a...)
	}
	if f.DefinitionKey != "" {
		where, args = append(where, `c.definition_key = ?`), append(args, f.DefinitionKey)
	}
	if f.DepartmentID != "" {
		// A case of no item (a rectification, a complaint) names its department by code.
		dept := `json_extract(c.variables, '$.department')`
		if DialectOf(q) == Postgres {
			dept = `(c.variables->>'department')`
		}
		where = append(where, `(i.department_id = ? OR (c.item_id IS NULL AND EXISTS (SELECT 1 FROM org_units du WHERE du.id = ? AND du.code = `+dept+`)))`)
		args = append(args, f.DepartmentID, f.DepartmentID)
	}
	if f.State != "" {
		where = append(where, stateExpr+` = ?`)
		args = append(args, Time(f.Now), Time(f.Now), f.State)
	}
	return strings.Join(where, ` AND `), args
}

// SupervisedPage reads up to f.Limit open cases matching f after f.After, in f's order, with
// their counts of open tasks and alerts.
func SupervisedPage(ctx context.Context, q Q, f SupervisionFilter) ([]OpenCase, error) {
	cond, args := f.where(q)
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	col := `c.due_at`
	if f.Sort == SortStarted {
		col = `c.started_at`
	}
	dir, cmp := `ASC`, `>`
	if f.Desc {
		dir, cmp = `DESC`, `<`
	}
	var out []OpenCase
	if !f.After.NoTime {
		c, a := cond+` AND `+col+` IS NOT NULL`, args
		if f.After.ID != "" {
			c += ` AND (` + col + `, c.id) ` + cmp + ` (?, ?)`
			a = append(append([]any{}, a...), Time(f.After.At), f.After.ID)
		}
		rows, err := openCasePart(ctx, q, c, col+` `+dir+`, c.id `+dir, a, limit, openIndex[col])
		if err != nil {
			return nil, err
		}
		out = rows
	}
	if len(out) < limit && f.Sort != SortStarted { // started_at is never null
		c, a := cond+` AND c.due_at IS NULL`, args
		if f.After.NoTime {
			c += ` AND (c.started_at, c.id) > (?, ?)`
			a = append(append([]any{}, a...), Time(f.After.At), f.After.ID)
		}
		rows, err := openCasePart(ctx, q, c, `c.started_at, c.id`, a, limit-len(out), "cases_open_started")
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// Key is c's place in a supervision list sorted by sort.
func (c *OpenCase) Key(sort string) SupervisionKey {
	switch {
	case sort == SortStarted:
		return SupervisionKey{At: c.StartedAt, ID: c.ID}
	case c.DueAt == nil:
		return SupervisionKey{NoTime: true, At: c.StartedAt, ID: c.ID}
	}
	return SupervisionKey{At: *c.DueAt, ID: c.ID}
}

// CountOpenCasesByState counts the open cases matching f (its State aside) by supervision
// state at f.Now, in one pass of the database over them.
func CountOpenCasesByState(ctx context.Context, q Q, f SupervisionFilter) (map[string]int, error) {
	f.State = ""
	cond, args := f.where(q)
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+stateExpr+` AS state, COUNT(*) AS n
		FROM cases c LEFT JOIN items i ON i.id = c.item_id WHERE `+cond+` GROUP BY 1`), append([]any{Time(f.Now), Time(f.Now)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("count open cases: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] += r.N
	}
	return out, nil
}

// openIndex is the index of the open cases in the order of a column (migration 0025).
var openIndex = map[string]string{`c.due_at`: "cases_open_due", `c.started_at`: "cases_open_started"}

// openCasePart reads up to limit open cases matching cond in order, walking index (an index of
// the open cases in that order). On SQLite the walk is named (INDEXED BY): with 100,000 open
// cases and fresh statistics the planner preferred cases_status and sorted every open case
// (300 ms a page) to walking the order's index and stopping after a page (a few ms).
func openCasePart(ctx context.Context, q Q, cond, order string, args []any, limit int, index string) ([]OpenCase, error) {
	from := `cases c`
	if DialectOf(q) != Postgres && index != "" {
		from = `cases c INDEXED BY ` + index
	}
	out := []OpenCase{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+openCaseColumns+`
		FROM `+from+` LEFT JOIN items i ON i.id = c.item_id
		WHERE `+cond+` ORDER BY `+order+` LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return out, nil
}

// PausesOf returns the clock pauses of the cases ids, by case.
func PausesOf(ctx context.Context, q Q, ids []string) (map[string][]Pause, error) {
	out := map[string][]Pause{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		CaseID string `db:"case_id"`
		Pause
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT p.case_id, p.idx, p.holder, p.kind, p.reason, p.started_at, p.ended_at
		FROM case_pauses p WHERE p.case_id IN (`+qmarks(len(ids))+`) ORDER BY p.case_id, p.idx`), anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("pauses of open cases: %w", err)
	}
	for _, r := range rows {
		out[r.CaseID] = append(out[r.CaseID], r.Pause)
	}
	return out, nil
}
