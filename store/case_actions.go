package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Actions a person takes on a case or task (case_actions.action).
const (
	ActionSubmit       = "submit"       // applied (online, at a window, at a station)
	ActionClaim        = "claim"        // took a task
	ActionUnclaim      = "unclaim"      // gave a task back to its group
	ActionComplete     = "complete"     // completed a task with an outcome
	ActionHandover     = "handover"     // 转办: passed a task to another person
	ActionDelegate     = "delegate"     // 委派: asked another person to work a task
	ActionResolve      = "resolve"      // 委派归还: the delegate gave the task back (or the owner took it back)
	ActionReturn       = "return"       // 退回: sent the case back to an earlier step
	ActionRecall       = "recall"       // 撤回: took back one's own completion
	ActionAddSigner    = "addSigner"    // 加签
	ActionRemoveSigner = "removeSigner" // 减签
	ActionComment      = "comment"      // 意见
	ActionSupplement   = "supplement"   // 补正: answered a notice
	ActionWithdraw     = "withdraw"     // 撤回申请: the applicant withdrew the case
)

// Action is one entry of a case's action log: who did what, on which task, under which authority.
type Action struct {
	ID        string `json:"id"`
	CaseID    string `json:"caseId"`
	TaskID    string `json:"taskId,omitempty"`
	ElementID string `json:"elementId,omitempty" example:"acceptance"`
	StepKind  string `json:"stepKind,omitempty" example:"acceptance"`
	Action    string `json:"action" example:"complete"`
	Outcome   string `json:"outcome,omitempty" example:"accept"`
	ActorID   string `json:"actorId"`
	ActorName string `json:"actorName" example:"一号窗口 王丽"`
	// Authority is assignee, candidateUser, unit or delegation; for a delegation
	// GrantID, DepartmentID and WindowID say whose and where.
	Authority    string `json:"authority,omitempty" example:"delegation"`
	UnitCode     string `json:"unitCode,omitempty" example:"fgj-xzsp"`
	GrantID      string `json:"grantId,omitempty"`
	DepartmentID string `json:"departmentId,omitempty"`
	WindowID     string `json:"windowId,omitempty"`
	// TargetUser is the person a task was handed over or delegated to; Target the step a case
	// was returned to or the section a signer was added for.
	TargetUser string `json:"targetUser,omitempty"`
	Target     string `json:"target,omitempty"`
	Comment    string `json:"comment,omitempty"`
	// Public actions are shown to the applicant; internal comments are not.
	Public bool           `json:"public"`
	Detail map[string]any `json:"detail,omitempty"`
	At     time.Time      `json:"at"`
}

type actionRow struct {
	ID           string    `db:"id"`
	CaseID       string    `db:"case_id"`
	TaskID       *string   `db:"task_id"`
	ElementID    *string   `db:"element_id"`
	StepKind     *string   `db:"step_kind"`
	Action       string    `db:"action"`
	Outcome      *string   `db:"outcome"`
	ActorID      string    `db:"actor_id"`
	ActorName    string    `db:"actor_name"`
	Authority    *string   `db:"authority"`
	UnitCode     *string   `db:"unit_code"`
	GrantID      *string   `db:"grant_id"`
	DepartmentID *string   `db:"department_id"`
	WindowID     *string   `db:"window_id"`
	TargetUser   *string   `db:"target_user"`
	Target       *string   `db:"target"`
	Comment      string    `db:"comment"`
	Public       bool      `db:"public"`
	Detail       JSON      `db:"detail"`
	At           time.Time `db:"at"`
}

// RecordAction appends a to its case's action log, setting its ID (and At when zero).
func RecordAction(ctx context.Context, q Q, a *Action) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.At.IsZero() {
		a.At = Now()
	}
	a.At = Time(a.At)
	detail, err := json.Marshal(orEmpty(a.Detail))
	if err != nil {
		return fmt.Errorf("encode action detail: %w", err)
	}
	insert := func() error {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_actions (id, case_id, task_id, element_id, step_kind, action, outcome,
		actor_id, actor_name, authority, unit_code, grant_id, department_id, window_id, target_user, target, comment, public, detail, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			a.ID, a.CaseID, nullable(a.TaskID), nullable(a.ElementID), nullable(a.StepKind), a.Action, nullable(a.Outcome),
			a.ActorID, a.ActorName, nullable(a.Authority), nullable(a.UnitCode), nullable(a.GrantID), nullable(a.DepartmentID),
			nullable(a.WindowID), nullable(a.TargetUser), nullable(a.Target), a.Comment, a.Public, string(detail), a.At)
		return err
	}
	if a.StepKind == "acceptance" && a.Action == ActionComplete {
		// An acceptance attributes the case to a window and a clerk in the scorecards' counters.
		err = countCase(ctx, q, nil, a.CaseID, insert)
	} else {
		err = insert()
	}
	return classify(err, "record %s on case %s", a.Action, a.CaseID)
}

const actionColumns = `id, case_id, task_id, element_id, step_kind, action, outcome, actor_id, actor_name, authority, unit_code,
	grant_id, department_id, window_id, target_user, target, comment, public, detail, at`

func (r *actionRow) action() Action {
	a := Action{ID: r.ID, CaseID: r.CaseID, TaskID: deref(r.TaskID), ElementID: deref(r.ElementID), StepKind: deref(r.StepKind),
		Action: r.Action, Outcome: deref(r.Outcome), ActorID: r.ActorID, ActorName: r.ActorName, Authority: deref(r.Authority),
		UnitCode: deref(r.UnitCode), GrantID: deref(r.GrantID), DepartmentID: deref(r.DepartmentID), WindowID: deref(r.WindowID),
		TargetUser: deref(r.TargetUser), Target: deref(r.Target), Comment: r.Comment, Public: r.Public, At: r.At}
	if len(r.Detail) > 0 {
		_ = json.Unmarshal(r.Detail, &a.Detail)
		if len(a.Detail) == 0 {
			a.Detail = nil
		}
	}
	return a
}

// CaseActions lists the actions on a case in order; publicOnly leaves out internal ones.
func CaseActions(ctx context.Context, q Q, caseID string, publicOnly bool) ([]Action, error) {
	query := `SELECT ` + actionColumns + ` FROM case_actions WHERE case_id = ?`
	if publicOnly {
		query += ` AND public = ?`
	}
	args := []any{caseID}
	if publicOnly {
		args = append(args, true)
	}
	var rows []actionRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query+` ORDER BY at, id`), args...); err != nil {
		return nil, fmt.Errorf("actions of case %s: %w", caseID, err)
	}
	out := make([]Action, len(rows))
	for i := range rows {
		out[i] = rows[i].action()
	}
	return out, nil
}

// TaskActions lists the actions on one task in order.
func TaskActions(ctx context.Context, q Q, taskID string) ([]Action, error) {
	var rows []actionRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+actionColumns+` FROM case_actions WHERE task_id = ? ORDER BY at, id`), taskID); err != nil {
		return nil, fmt.Errorf("actions on task %s: %w", taskID, err)
	}
	out := make([]Action, len(rows))
	for i := range rows {
		out[i] = rows[i].action()
	}
	return out, nil
}
