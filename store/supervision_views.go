package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// OpenCase is an open case with its clock, its item's department and the counts the
// supervision list shows.
type OpenCase struct {
	CaseState
	// ItemDepartmentID is the department of the case's item ("" for a case of no item).
	ItemDepartmentID string `db:"item_department_id" json:"-"`
	OpenTasks        int    `db:"open_tasks" json:"openTasks"`
	Warnings         int    `db:"warnings" json:"warnings"`
	Overdue          int    `db:"overdue" json:"overdue"`
	// Violations of published rules recorded on the case.
	Violations int `db:"violations" json:"violations"`
}

// openCaseColumns are the columns of OpenCase from cases c and items i.
const openCaseColumns = `c.id, c.definition_key, c.definition_version, c.parent_case_id, c.status, c.variables,
		c.last_seq, c.started_at, c.updated_at, c.ended_at, c.calendar_unit, c.clock_state, c.clock_started_at, c.clock_reason,
		c.clock_stopped_at, c.promised_days, c.statutory_days, c.warn_at, c.due_at, c.statutory_due_at,
		COALESCE(i.department_id, '') AS item_department_id,
		(SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.state = 'open') AS open_tasks,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'warning') AS warnings,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'overdue') AS overdue,
		(SELECT COUNT(*) FROM alerts a WHERE a.case_id = c.id AND a.kind = 'violation') AS violations`

// OpenCases lists every case that has not ended (call activities' cases included) that o
// covers (nil: every one), oldest first, with counts of open tasks and alerts.
func OpenCases(ctx context.Context, q Q, o *Oversight) ([]OpenCase, error) {
	where, args := "1 = 1", []any(nil)
	if o != nil {
		where, args = o.CaseClause()
	}
	out := []OpenCase{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+openCaseColumns+`
		FROM cases c LEFT JOIN items i ON i.id = c.item_id
		WHERE c.status IN ('starting', 'active', 'incident') AND `+where+` ORDER BY c.started_at, c.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return out, nil
}

// CaseItemDepartment returns the department of a case's item ("" for a case of no item).
func CaseItemDepartment(ctx context.Context, q Q, caseID string) (string, error) {
	var dept *string
	err := q.GetContext(ctx, &dept, q.Rebind(`SELECT i.department_id FROM cases c LEFT JOIN items i ON i.id = c.item_id WHERE c.id = ?`), caseID)
	if err != nil {
		return "", classify(err, "case %s", caseID)
	}
	return deref(dept), nil
}

// OpenCasePauses returns the clock pauses of every open case, by case.
func OpenCasePauses(ctx context.Context, q Q) (map[string][]Pause, error) {
	var rows []struct {
		CaseID string `db:"case_id"`
		Pause
	}
	err := q.SelectContext(ctx, &rows, `SELECT p.case_id, p.idx, p.holder, p.kind, p.reason, p.started_at, p.ended_at
		FROM case_pauses p JOIN cases c ON c.id = p.case_id WHERE c.status IN ('starting', 'active', 'incident') ORDER BY p.case_id, p.idx`)
	if err != nil {
		return nil, fmt.Errorf("pauses of open cases: %w", err)
	}
	out := map[string][]Pause{}
	for _, r := range rows {
		out[r.CaseID] = append(out[r.CaseID], r.Pause)
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
