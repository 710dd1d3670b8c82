package store

import "strings"

// TaskReach is whom a task query is for: the tasks assigned to the user; the unassigned ones
// offered to the user or to one of Units; and the unassigned ones a grant in Grants covers.
// The use cases decide what goes in (who may act on what is their rule); the store only turns
// it into SQL.
type TaskReach struct {
	UserID   string
	Username string
	// Units are codes of org units (candidate groups).
	Units  []string
	Grants []GrantReach
}

// GrantReach is what a delegation grant reaches: the tasks of a section's code with one of
// some step kinds, of some items (nil: all).
type GrantReach struct {
	SectionCode string
	StepKinds   []string
	ItemIDs     []string
}

// Clause returns an SQL condition (with ? placeholders, to pass through Rebind) that holds for
// the tasks r reaches: task is the alias of the tasks table, itemExpr an SQL expression giving
// the item id of the task's case.
func (r *TaskReach) Clause(task, itemExpr string) (string, []any) {
	users := []any{r.UserID, r.Username}
	var ors []string
	args := []any{}
	cand := task + `.id`
	userPart := `(vc.kind = 'user' AND vc.value IN (?, ?))`
	args = append(args, users...)
	if len(r.Units) > 0 {
		userPart = `(` + userPart + ` OR (vc.kind = 'group' AND vc.value IN (` + qmarks(len(r.Units)) + `)))`
		for _, u := range r.Units {
			args = append(args, u)
		}
	}
	ors = append(ors, `EXISTS (SELECT 1 FROM task_candidates vc WHERE vc.task_id = `+cand+` AND `+userPart+`)`)
	for _, s := range r.Grants {
		if len(s.StepKinds) == 0 {
			continue
		}
		c := `(` + task + `.step_kind IN (` + qmarks(len(s.StepKinds)) + `) AND EXISTS (SELECT 1 FROM task_candidates vg WHERE vg.task_id = ` +
			cand + ` AND vg.kind = 'group' AND vg.value = ?)`
		for _, k := range s.StepKinds {
			args = append(args, k)
		}
		args = append(args, s.SectionCode)
		if s.ItemIDs != nil {
			c += ` AND ` + itemExpr + ` IN (` + qmarks(len(s.ItemIDs)) + `)`
			for _, it := range s.ItemIDs {
				args = append(args, it)
			}
		}
		ors = append(ors, c+`)`)
	}
	clause := `(` + task + `.assignee IN (?, ?) OR (` + task + `.assignee IS NULL AND (` + strings.Join(ors, ` OR `) + `)))`
	return clause, append(users, args...)
}

// CaseItemExpr is the SQL expression for the item id of a case in the
// engine's cases table (alias cases): its start variable itemId.
func CaseItemExpr(q Q, cases string) string {
	if DialectOf(q) == Postgres {
		return `(` + cases + `.variables->>'itemId')`
	}
	return `json_extract(` + cases + `.variables, '$.itemId')`
}
