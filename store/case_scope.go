package store

import (
	"context"
	"fmt"
	"strings"
	"time"
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
// cases s may see.
func (s *CaseScope) Clause() (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	ors := []string{`c.applicant_id = ?`, `c.submitted_by = ?`, `c.agent_id = ?`,
		`EXISTS (SELECT 1 FROM case_actions sa WHERE sa.case_id = c.id AND sa.actor_id = ?)`}
	args := []any{s.UserID, s.UserID, s.UserID, s.UserID}
	if len(s.Within) > 0 {
		in := qmarkList(len(s.Within))
		ors = append(ors, `c.window_id IN (`+in+`)`, `c.station_id IN (`+in+`)`, `c.calendar_unit IN (`+in+`)`,
			`EXISTS (SELECT 1 FROM items si WHERE si.id = c.item_id AND si.department_id IN (`+in+`))`)
		for range 4 {
			for _, u := range s.Within {
				args = append(args, u)
			}
		}
	}
	if len(s.UnitIDs) > 0 {
		ors = append(ors, `c.window_id IN (`+qmarkList(len(s.UnitIDs))+`)`, `c.station_id IN (`+qmarkList(len(s.UnitIDs))+`)`)
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
		task += ` OR (sc.kind = 'group' AND sc.value IN (` + qmarkList(len(s.UnitCodes)) + `))`
		for _, u := range s.UnitCodes {
			args = append(args, u)
		}
	}
	task += `))`
	for _, g := range s.Grants {
		if len(g.StepKinds) == 0 {
			continue
		}
		cl := ` OR (st.step_kind IN (` + qmarkList(len(g.StepKinds)) + `) AND EXISTS (SELECT 1 FROM task_candidates sg
			WHERE sg.task_id = st.id AND sg.kind = 'group' AND sg.value = ?)`
		for _, k := range g.StepKinds {
			args = append(args, k)
		}
		args = append(args, g.SectionCode)
		if g.ItemIDs != nil {
			cl += ` AND c.item_id IN (` + qmarkList(len(g.ItemIDs)) + `)`
			for _, it := range g.ItemIDs {
				args = append(args, it)
			}
		}
		task += cl + `)`
	}
	ors = append(ors, `EXISTS (SELECT 1 FROM tasks st WHERE st.case_id = c.id AND (`+task+`))`)
	return `(` + strings.Join(ors, ` OR `) + `)`, args
}

func qmarkList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
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
	Limit  int // default 50
	Offset int
}

// ListCases returns a page of the cases matching f, newest first, and how many match in all.
func ListCases(ctx context.Context, q Q, f CaseFilter) ([]Case, int, error) {
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
	cond := strings.Join(where, ` AND `)
	var total int
	if err := q.GetContext(ctx, &total, q.Rebind(`SELECT COUNT(*) FROM cases c WHERE `+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []caseRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+caseColumns+` FROM cases c WHERE `+cond+`
		ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?`), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	out := make([]Case, len(rows))
	for i := range rows {
		out[i] = *rows[i].toCase()
	}
	return out, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
