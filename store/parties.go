package store

import (
	"context"
	"fmt"
)

// The facts e-supervision attributes alerts, ratings and complaints from: who worked on a
// case, at which window. Which of them counts is the use cases' rule (app).

// Acceptance is a completion of a case's acceptance step: who completed it, and at which
// window when they acted under a department's delegation.
type Acceptance struct {
	ActorID  string  `db:"actor_id"`
	WindowID *string `db:"window_id"`
}

// CaseAcceptances lists the completions of a case's acceptance step, the latest first.
func CaseAcceptances(ctx context.Context, q Q, caseID string) ([]Acceptance, error) {
	var out []Acceptance
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT actor_id, window_id FROM case_actions
		WHERE case_id = ? AND step_kind = 'acceptance' AND action = 'complete' ORDER BY at DESC, id`), caseID); err != nil {
		return nil, fmt.Errorf("acceptance of case %s: %w", caseID, err)
	}
	return out, nil
}

// CaseHolders lists the people who hold or held a case's tasks, the acceptance's first and
// then the latest first; openOnly keeps the open tasks' holders, oldest task first.
func CaseHolders(ctx context.Context, q Q, caseID string, openOnly bool) ([]string, error) {
	query := `SELECT assignee FROM tasks WHERE case_id = ? AND assignee IS NOT NULL
		ORDER BY CASE WHEN step_kind = 'acceptance' THEN 0 ELSE 1 END, created_at DESC, id`
	if openOnly {
		query = `SELECT assignee FROM tasks WHERE case_id = ? AND state = 'open' AND assignee IS NOT NULL ORDER BY created_at, id`
	}
	var out []string
	if err := q.SelectContext(ctx, &out, q.Rebind(query), caseID); err != nil {
		return nil, fmt.Errorf("holders of case %s: %w", caseID, err)
	}
	return out, nil
}

// AcceptanceHolders lists who holds or held a case's acceptance tasks, the latest first.
func AcceptanceHolders(ctx context.Context, q Q, caseID string) ([]string, error) {
	var out []string
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT assignee FROM tasks WHERE case_id = ? AND step_kind = 'acceptance' AND assignee IS NOT NULL
		ORDER BY created_at DESC, id`), caseID); err != nil {
		return nil, fmt.Errorf("acceptance of case %s: %w", caseID, err)
	}
	return out, nil
}

// OpenTaskGroups lists the candidate groups (org unit codes) of a case's open tasks.
func OpenTaskGroups(ctx context.Context, q Q, caseID string) ([]string, error) {
	var out []string
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT DISTINCT tc.value FROM task_candidates tc JOIN tasks t ON t.id = tc.task_id
		WHERE t.case_id = ? AND t.state = 'open' AND tc.kind = 'group' ORDER BY tc.value`), caseID); err != nil {
		return nil, fmt.Errorf("candidate groups of case %s: %w", caseID, err)
	}
	return out, nil
}

// CaseCounter returns the window and the station a case was submitted at ("" for none, and
// for a case the engine started without the case API).
func CaseCounter(ctx context.Context, q Q, caseID string) (window, station string, err error) {
	var row struct {
		WindowID  *string `db:"window_id"`
		StationID *string `db:"station_id"`
	}
	if err := q.GetContext(ctx, &row, q.Rebind(`SELECT window_id, station_id FROM cases WHERE id = ?`), caseID); err != nil {
		return "", "", classify(err, "case %s", caseID)
	}
	return deref(row.WindowID), deref(row.StationID), nil
}

// UserWindow returns the first window (by code) where user is a member, or "".
func UserWindow(ctx context.Context, q Q, user string) (string, error) {
	var ids []string
	if err := q.SelectContext(ctx, &ids, q.Rebind(`SELECT o.id FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE m.user_id = ? AND o.kind = 'window' ORDER BY o.code`), user); err != nil {
		return "", fmt.Errorf("windows of user %s: %w", user, err)
	}
	if len(ids) > 0 {
		return ids[0], nil
	}
	return "", nil
}

// UnitUp is an org unit above another (or the unit itself) with how many supervisors it has.
type UnitUp struct {
	ID          string `db:"id"`
	Code        string `db:"code"`
	Supervisors int    `db:"sup"`
}

// UnitsUp lists unit and the units above it, nearest first, with their supervisors.
func UnitsUp(ctx context.Context, q Q, unit string) ([]UnitUp, error) {
	var out []UnitUp
	err := q.SelectContext(ctx, &out, q.Rebind(`WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id)
		SELECT o.id, o.code, (SELECT COUNT(*) FROM memberships m WHERE m.org_unit_id = o.id AND m.role = 'supervisor') AS sup
		FROM up JOIN org_units o ON o.id = up.id ORDER BY up.depth`), unit)
	if err != nil {
		return nil, fmt.Errorf("units above %s: %w", unit, err)
	}
	return out, nil
}

// SupervisorUnitCodes lists the codes of the units where someone holds the role supervisor,
// in code order.
func SupervisorUnitCodes(ctx context.Context, q Q) ([]string, error) {
	var out []string
	if err := q.SelectContext(ctx, &out, `SELECT DISTINCT o.code FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE m.role = 'supervisor' ORDER BY o.code`); err != nil {
		return nil, fmt.Errorf("supervision units: %w", err)
	}
	return out, nil
}

// SectionCodes lists the codes of a department's sections, in code order.
func SectionCodes(ctx context.Context, q Q, departmentID string) ([]string, error) {
	var out []string
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT code FROM org_units WHERE parent_id = ? AND kind = 'section' ORDER BY code`), departmentID); err != nil {
		return nil, fmt.Errorf("sections of %s: %w", departmentID, err)
	}
	return out, nil
}
