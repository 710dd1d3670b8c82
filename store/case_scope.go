package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onewindow/definitions/standard"
)

// CaseScope is which cases a caller may see, as the filter of a case query: everything, or
// the cases they applied for, submitted, follow as agent, acted on, that have a task of one
// of their units or covered by one of their delegation grants, or that lie within the org
// units they oversee. Who gets which scope is the use cases' rule (app/scope.go).
type CaseScope struct {
	All      bool
	UserID   string
	Username string
	// UnitIDs are the caller's org units: cases submitted at one of these windows or stations.
	UnitIDs []string
	// UnitCodes are the codes of the caller's org units: cases with a task whose candidate
	// group is one of them.
	UnitCodes []string
	// Grants are the caller's active delegation grants.
	Grants []GrantReach
	// Within are org unit ids whose cases the caller oversees: cases of items of departments
	// among them, cases submitted at windows or stations among them, and cases counted on the
	// calendar of one of them (their implementing body).
	Within []string
}

// Clause returns an SQL condition on cases alias c (with ? placeholders) that holds for the
// cases s may see. Every term is a lookup through an index from the case row (migration 0025:
// case_actions by case and actor, tasks by case, candidates by task), so a list that walks the
// cases newest first checks each row in a few index probes and stops after a page; no term
// scans the caller's own history per case, which made the list quadratic.
func (s *CaseScope) Clause() (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	if s.personal() {
		return s.personalClause()
	}
	ors := []string{`c.applicant_id = ?`, `c.submitted_by = ?`, `c.agent_id = ?`,
		`EXISTS (SELECT 1 FROM case_actions sa WHERE sa.case_id = c.id AND sa.actor_id = ?)`}
	args := []any{s.UserID, s.UserID, s.UserID, s.UserID}
	if len(s.Within) > 0 {
		in := qmarks(len(s.Within))
		ors = append(ors, `c.window_id IN (`+in+`)`, `c.station_id IN (`+in+`)`, `c.calendar_unit IN (`+in+`)`,
			`c.item_id IN (SELECT si.id FROM items si WHERE si.department_id IN (`+in+`))`)
		for range 4 {
			for _, u := range s.Within {
				args = append(args, u)
			}
		}
	}
	if len(s.UnitIDs) > 0 {
		ors = append(ors, `c.window_id IN (`+qmarks(len(s.UnitIDs))+`)`, `c.station_id IN (`+qmarks(len(s.UnitIDs))+`)`)
		for range 2 {
			for _, u := range s.UnitIDs {
				args = append(args, u)
			}
		}
	}
	task := `st.assignee IN (?, ?) OR st.owner = ? OR EXISTS (SELECT 1 FROM task_candidates sc WHERE sc.task_id = st.id AND
		((sc.kind = 'user' AND sc.value IN (?, ?))`
	args = append(args, s.UserID, s.Username, s.UserID, s.UserID, s.Username)
	if len(s.UnitCodes) > 0 {
		task += ` OR (sc.kind = 'group' AND sc.value IN (` + qmarks(len(s.UnitCodes)) + `))`
		for _, u := range s.UnitCodes {
			args = append(args, u)
		}
	}
	task += `))`
	for _, g := range s.Grants {
		if len(g.StepKinds) == 0 {
			continue
		}
		cl := ` OR (st.step_kind IN (` + qmarks(len(g.StepKinds)) + `) AND EXISTS (SELECT 1 FROM task_candidates sg
			WHERE sg.task_id = st.id AND sg.kind = 'group' AND sg.value = ?)`
		for _, k := range g.StepKinds {
			args = append(args, k)
		}
		args = append(args, g.SectionCode)
		if g.ItemIDs != nil {
			cl += ` AND c.item_id IN (` + qmarks(len(g.ItemIDs)) + `)`
			for _, it := range g.ItemIDs {
				args = append(args, it)
			}
		}
		task += cl + `)`
	}
	ors = append(ors, `EXISTS (SELECT 1 FROM tasks st WHERE st.case_id = c.id AND (`+task+`))`)
	return `(` + strings.Join(ors, ` OR `) + `)`, args
}

// personal reports whether s reaches cases through the caller alone (an applicant, a staff
// member without units or grants): few cases among many, found faster from the caller's side.
func (s *CaseScope) personal() bool {
	return len(s.Within) == 0 && len(s.UnitIDs) == 0 && len(s.UnitCodes) == 0 && len(s.Grants) == 0
}

// personalClause is Clause for a personal scope, driven from the caller's side: the ids of
// the cases they applied for, submitted, follow, acted on or hold a task of, each read
// through an index on the caller's column, so that an applicant's few cases are found without
// walking everyone's.
func (s *CaseScope) personalClause() (string, []any) {
	return `c.id IN (SELECT pc.id FROM cases pc WHERE pc.applicant_id = ?
		UNION ALL SELECT pc.id FROM cases pc WHERE pc.submitted_by = ?
		UNION ALL SELECT pc.id FROM cases pc WHERE pc.agent_id = ?
		UNION ALL SELECT pa.case_id FROM case_actions pa WHERE pa.actor_id = ?
		UNION ALL SELECT pt.case_id FROM tasks pt WHERE pt.assignee IN (?, ?)
		UNION ALL SELECT pt.case_id FROM tasks pt WHERE pt.owner = ?
		UNION ALL SELECT pt.case_id FROM task_candidates pk JOIN tasks pt ON pt.id = pk.task_id
			WHERE pk.kind = 'user' AND pk.value IN (?, ?))`,
		[]any{s.UserID, s.UserID, s.UserID, s.UserID, s.UserID, s.Username, s.UserID, s.UserID, s.Username}
}

// CanSeeCase reports whether scope s covers case id.
func CanSeeCase(ctx context.Context, q Q, s *CaseScope, id string) (bool, error) {
	clause, args := s.Clause()
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+clause), append([]any{id}, args...)...)
	if err != nil {
		return false, fmt.Errorf("access to case %s: %w", id, err)
	}
	return n > 0, nil
}

// Case filter states (CaseFilter.State).
const (
	CasesOpen  = "open"  // the workflow has not ended
	CasesEnded = "ended" // finished, refused, withdrawn or cancelled
)

// CaseFilter selects cases; zero fields match everything.
type CaseFilter struct {
	Scope       *CaseScope
	ApplicantID string
	ItemID      string
	Channel     string
	// State is open or ended.
	State string
	// Decision is approve, reject or refuse.
	Decision       string
	ReceivedFrom   time.Time
	ReceivedBefore time.Time
	// Search is a part of the case number or of the applicant's name.
	Search string
	// After is the keyset of the last case of the page before (its receipt time and id):
	// the page holds the cases received before it. Zero for the first page.
	After CaseKey
	Limit int // default 50
}

// CaseKey is a case's place in the case list: newest first, by receipt time then id.
type CaseKey struct {
	ReceivedAt time.Time
	ID         string
}

// ListedCase is a case as the case list shows it: the case and what its stage in words
// needs, read in the list's query rather than per row.
type ListedCase struct {
	Case
	// AtAcceptance: the case has an open acceptance task.
	AtAcceptance bool
	// AwaitingSupplement: the case waits for the applicant's supplement (the message wait
	// standard.SupplementMessage).
	AwaitingSupplement bool
}

// where is the condition of f (without paging) on cases alias c.
func (f *CaseFilter) where() (string, []any) {
	where := []string{`c.number IS NOT NULL`}
	var args []any
	if f.Scope != nil {
		cl, a := f.Scope.Clause()
		where = append(where, cl)
		args = append(args, a...)
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.ApplicantID != "" {
		add(`c.applicant_id = ?`, f.ApplicantID)
	}
	if f.ItemID != "" {
		add(`c.item_id = ?`, f.ItemID)
	}
	if f.Channel != "" {
		add(`c.channel = ?`, f.Channel)
	}
	switch f.State {
	case CasesOpen:
		where = append(where, `c.ended_at IS NULL`)
	case CasesEnded:
		where = append(where, `c.ended_at IS NOT NULL`)
	}
	if f.Decision != "" {
		add(`c.decision = ?`, f.Decision)
	}
	if !f.ReceivedFrom.IsZero() {
		add(`c.received_at >= ?`, Time(f.ReceivedFrom))
	}
	if !f.ReceivedBefore.IsZero() {
		add(`c.received_at < ?`, Time(f.ReceivedBefore))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		like := "%" + escapeLike(s) + "%"
		where = append(where, `(c.number LIKE ? ESCAPE '\' OR c.applicant_name LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	return strings.Join(where, ` AND `), args
}

// caseListColumns are the columns of caseRow the case list shows or decides the stage from:
// not the form, the variables or the applicant's certificate, which only a case's page shows.
const caseListColumns = `c.id, c.number, c.item_id, c.item_version, c.item_code, c.item_name, c.channel, c.applicant_id,
	c.applicant_name, c.submitted_by, c.window_id, c.station_id, c.agent_id, c.received_at, c.accepted_at, c.decision,
	c.decided_at, c.withdrawn_at, c.definition_key, c.definition_version, c.status, c.started_at, c.updated_at, c.ended_at,
	c.clock_state, c.clock_started_at, c.promised_days, c.statutory_days, c.warn_at, c.due_at, c.statutory_due_at`

// ListCases returns up to f.Limit cases matching f (the list's columns, caseListColumns), newest
// first, after f.After. The query
// walks the cases by receipt time through the index (received_at, id) and checks each row, so
// a page costs about the same however many cases there are.
func ListCases(ctx context.Context, q Q, f CaseFilter) ([]ListedCase, error) {
	cond, args := f.where()
	if !f.After.ReceivedAt.IsZero() {
		cond += ` AND (c.received_at, c.id) < (?, ?)` // a row value: the index seeks to it
		args = append(args, Time(f.After.ReceivedAt), f.After.ID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []struct {
		caseRow
		AtAcceptance       bool `db:"at_acceptance"`
		AwaitingSupplement bool `db:"awaiting_supplement"`
	}
	// On PostgreSQL "OFFSET 0" keeps each stage probe a per-row lookup by case: without it the
	// planner turns the EXISTS into a hash of every open acceptance task (and every open
	// supplement wait) built on each call, a read of all open cases' tasks for a page of 50.
	// SQLite probes per row anyway (and has no OFFSET without LIMIT).
	probe := ``
	if DialectOf(q) == Postgres {
		probe = ` OFFSET 0`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+caseListColumns+`,
		EXISTS (SELECT 1 FROM tasks lt WHERE lt.case_id = c.id AND lt.state = 'open' AND lt.step_kind = 'acceptance'`+probe+`) AS at_acceptance,
		EXISTS (SELECT 1 FROM subscriptions ls WHERE ls.case_id = c.id AND ls.kind = 'message' AND ls.name = ? AND ls.state = 'open'`+probe+`) AS awaiting_supplement
		FROM cases c WHERE `+cond+`
		ORDER BY c.received_at DESC, c.id DESC LIMIT ?`), append(append([]any{standard.SupplementMessage}, args...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	out := make([]ListedCase, len(rows))
	for i := range rows {
		out[i] = ListedCase{Case: *rows[i].toCase(), AtAcceptance: rows[i].AtAcceptance, AwaitingSupplement: rows[i].AwaitingSupplement}
	}
	return out, nil
}

// CountCases counts the cases matching f, up to most: a count stops there rather than
// walk every case (the answer is then most, "at least").
func CountCases(ctx context.Context, q Q, f CaseFilter, most int) (int, error) {
	cond, args := f.where()
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+cond+` LIMIT ?) x`), append(args, most)...)
	if err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	return n, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
