package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// SupervisedAlert is an alert with the names of the step, department, window and person it
// concerns, as the supervision view lists it.
type SupervisedAlert struct {
	ID            string    `db:"id" json:"id"`
	CaseID        string    `db:"case_id" json:"caseId"`
	DefinitionKey string    `db:"definition_key" json:"definitionKey"`
	TaskID        *string   `db:"task_id" json:"taskId,omitempty"`
	TaskName      *string   `db:"task_name" json:"taskName,omitempty"`
	Kind          string    `db:"kind" json:"kind" enums:"warning,overdue,violation"`
	Scope         string    `db:"scope" json:"scope" enums:"case,statutory,task,rule"`
	ElementID     *string   `db:"element_id" json:"elementId,omitempty"`
	StepKind      *string   `db:"step_kind" json:"stepKind,omitempty"`
	DueAt         time.Time `db:"due_at" json:"dueAt"`
	FiredAt       time.Time `db:"fired_at" json:"firedAt"`
	// Rule and Detail are set for violations.
	Rule           *string `db:"rule" json:"rule,omitempty" example:"refusal_without_reason"`
	Detail         *string `db:"detail" json:"detail,omitempty"`
	ItemID         *string `db:"item_id" json:"itemId,omitempty"`
	DepartmentID   *string `db:"department_id" json:"departmentId,omitempty"`
	DepartmentName *string `db:"department_name" json:"departmentName,omitempty"`
	WindowID       *string `db:"window_id" json:"windowId,omitempty"`
	WindowName     *string `db:"window_name" json:"windowName,omitempty"`
	PersonID       *string `db:"person_id" json:"personId,omitempty"`
	PersonName     *string `db:"person_name" json:"personName,omitempty"`
}

// AlertFilter selects alerts; zero fields do not filter.
type AlertFilter struct {
	Kind, Scope, Rule string
	CaseID            string
	DepartmentID      string
	WindowID          string
	PersonID          string
	// From and To bound the time the alert fired: From <= fired_at < To.
	From, To time.Time
	// Units, when not nil, limits alerts to those of these departments (or of none): a
	// supervisor's subtree.
	Units  []string
	Limit  int // default 100
	Offset int
}

// ListAlerts lists alerts, newest first.
func ListAlerts(ctx context.Context, q Q, f AlertFilter) ([]SupervisedAlert, error) {
	query := `SELECT a.id, a.case_id, c.definition_key, a.task_id, t.name AS task_name, a.kind, a.scope, a.element_id, a.step_kind,
		a.due_at, a.fired_at, a.rule, a.detail, a.item_id, a.department_id, d.name AS department_name, a.window_id, w.name AS window_name,
		a.person_id, u.display_name AS person_name
		FROM alerts a JOIN cases c ON c.id = a.case_id LEFT JOIN tasks t ON t.id = a.task_id
		LEFT JOIN org_units d ON d.id = a.department_id LEFT JOIN org_units w ON w.id = a.window_id LEFT JOIN users u ON u.id = a.person_id`
	var where []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			where, args = append(where, col+" = ?"), append(args, v)
		}
	}
	eq("a.kind", f.Kind)
	eq("a.scope", f.Scope)
	eq("a.rule", f.Rule)
	eq("a.case_id", f.CaseID)
	eq("a.department_id", f.DepartmentID)
	eq("a.window_id", f.WindowID)
	eq("a.person_id", f.PersonID)
	if !f.From.IsZero() {
		where, args = append(where, "a.fired_at >= ?"), append(args, Time(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.fired_at < ?"), append(args, Time(f.To))
	}
	if f.Units != nil {
		if len(f.Units) == 0 {
			where = append(where, "a.department_id IS NULL")
		} else {
			in, inArgs, err := sqlx.In("(a.department_id IS NULL OR a.department_id IN (?))", f.Units)
			if err != nil {
				return nil, err
			}
			where, args = append(where, in), append(args, inArgs...)
		}
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query += ` ORDER BY a.fired_at DESC, a.id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	out := []SupervisedAlert{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// SupervisedCase is an open case with its clock and the counts the supervision list shows.
type SupervisedCase struct {
	CaseRow
	OpenTasks int `db:"open_tasks" json:"openTasks"`
	Warnings  int `db:"warnings" json:"warnings"`
	Overdue   int `db:"overdue" json:"overdue"`
	// Violations of published rules recorded on the case.
	Violations int `db:"violations" json:"violations"`
}

// OpenCases lists every case that has not ended (call activities' cases included), oldest
// first, with counts of open tasks and alerts.
func OpenCases(ctx context.Context, q Q) ([]SupervisedCase, error) {
	out := []SupervisedCase{}
	err := q.SelectContext(ctx, &out, `SELECT c.id, c.definition_key, c.definition_version, c.parent_case_id, c.status, c.variables,
		c.last_seq, c.started_at, c.updated_at, c.ended_at, c.calendar_unit, c.clock_state, c.clock_started_at, c.clock_reason,
		c.clock_stopped_at, c.promised_days, c.statutory_days, c.warn_at, c.due_at, c.statutory_due_at,
		(SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.state = 'open') AS open_tasks,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'warning') AS warnings,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'overdue') AS overdue,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'violation') AS violations
		FROM cases c WHERE c.status IN ('starting', 'active', 'incident') ORDER BY c.started_at, c.id`)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return out, nil
}

// OpenCasePauses returns the clock pauses of every open case, by case.
func OpenCasePauses(ctx context.Context, q Q) (map[string][]PauseRow, error) {
	var rows []struct {
		CaseID string `db:"case_id"`
		PauseRow
	}
	err := q.SelectContext(ctx, &rows, `SELECT p.case_id, p.idx, p.holder, p.kind, p.reason, p.started_at, p.ended_at
		FROM case_pauses p JOIN cases c ON c.id = p.case_id WHERE c.status IN ('starting', 'active', 'incident') ORDER BY p.case_id, p.idx`)
	if err != nil {
		return nil, fmt.Errorf("pauses of open cases: %w", err)
	}
	out := map[string][]PauseRow{}
	for _, r := range rows {
		out[r.CaseID] = append(out[r.CaseID], r.PauseRow)
	}
	return out, nil
}

// UnitIDsByCode maps the codes of every org unit to their ids.
func UnitIDsByCode(ctx context.Context, q Q) (map[string]string, error) {
	var rows []struct {
		ID   string `db:"id"`
		Code string `db:"code"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT id, code FROM org_units`); err != nil {
		return nil, fmt.Errorf("org unit codes: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Code] = r.ID
	}
	return out, nil
}

// SupervisedUnits returns the org units a supervisor oversees: the units where they hold the
// role supervisor and every unit below them; nil (no limit) for an admin.
func SupervisedUnits(ctx context.Context, q Q, userID string) ([]string, error) {
	var admin int
	if err := q.GetContext(ctx, &admin, q.Rebind(`SELECT COUNT(*) FROM memberships WHERE user_id = ? AND role = 'admin'`), userID); err != nil {
		return nil, fmt.Errorf("roles of %s: %w", userID, err)
	}
	if admin > 0 {
		return nil, nil
	}
	out := []string{}
	err := q.SelectContext(ctx, &out, q.Rebind(`WITH RECURSIVE down (id) AS (
			SELECT org_unit_id FROM memberships WHERE user_id = ? AND role = 'supervisor'
			UNION
			SELECT o.id FROM org_units o JOIN down ON o.parent_id = down.id)
		SELECT id FROM down ORDER BY id`), userID)
	if err != nil {
		return nil, fmt.Errorf("units supervised by %s: %w", userID, err)
	}
	return out, nil
}

// UnitsBelow returns the given org units and every unit below them.
func UnitsBelow(ctx context.Context, q Q, ids []string) ([]string, error) {
	out := []string{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(`WITH RECURSIVE down (id) AS (
			SELECT id FROM org_units WHERE id IN (?)
			UNION
			SELECT o.id FROM org_units o JOIN down ON o.parent_id = down.id)
		SELECT id FROM down ORDER BY id`, ids)
	if err != nil {
		return nil, err
	}
	if err := q.SelectContext(ctx, &out, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("units below %v: %w", ids, err)
	}
	return out, nil
}
