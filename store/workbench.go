package store

// Queries of the workbench (issue 12): the tasks a person or window has done (已办), the time
// cases of an item spent in each step (决策参考), and acknowledged alerts.

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// DoneTask is a task someone completed, with its case, as the done list (已办) shows it.
type DoneTask struct {
	ActionID      string    `db:"id" json:"actionId"`
	CaseID        string    `db:"case_id" json:"caseId"`
	CaseNumber    *string   `db:"number" json:"caseNumber,omitempty"`
	ItemName      *string   `db:"item_name" json:"itemName,omitempty"`
	ApplicantName *string   `db:"applicant_name" json:"applicantName,omitempty"`
	Channel       *string   `db:"channel" json:"channel,omitempty"`
	TaskID        *string   `db:"task_id" json:"taskId,omitempty"`
	StepName      *string   `db:"step_name" json:"stepName,omitempty"`
	StepKind      *string   `db:"step_kind" json:"stepKind,omitempty"`
	Outcome       *string   `db:"outcome" json:"outcome,omitempty"`
	ActorName     string    `db:"actor_name" json:"actorName"`
	At            time.Time `db:"at" json:"at"`
	CaseStatus    string    `db:"status" json:"caseStatus"`
	Decision      *string   `db:"decision" json:"decision,omitempty"`
}

// DoneFilter selects completions: by ActorID, or by anyone at WindowID (one of them is set).
type DoneFilter struct {
	ActorID  string
	WindowID string
	Limit    int
	// BeforeAt and BeforeID are the key (at, action id) of the last row of the page before.
	BeforeAt time.Time
	BeforeID string
}

// DoneTasks lists completed tasks (action complete), newest first.
func DoneTasks(ctx context.Context, q Q, f DoneFilter) ([]DoneTask, error) {
	var c conds
	// A literal, not a parameter: SQLite uses a partial index (case_actions_done_*) only for a
	// condition it can see in the query's text.
	c.add(`a.action = '` + ActionComplete + `'`)
	c.eq("a.actor_id", f.ActorID)
	c.eq("a.window_id", f.WindowID)
	if f.BeforeID != "" {
		c.add(`(a.at, a.id) < (?, ?)`, Time(f.BeforeAt), f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	out := []DoneTask{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT a.id, a.case_id, c.number, c.item_name, c.applicant_name, c.channel, a.task_id,
		t.name AS step_name, a.step_kind, a.outcome, a.actor_name, a.at, c.status, c.decision
		FROM case_actions a JOIN cases c ON c.id = a.case_id LEFT JOIN tasks t ON t.id = a.task_id`+c.sql()+`
		ORDER BY a.at DESC, a.id DESC LIMIT ?`), append(c.args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("done tasks: %w", err)
	}
	return out, nil
}

// StepSpan is one completed task of a case of an item: when it was open and who completed it
// under which unit.
type StepSpan struct {
	ElementID    string    `db:"element_id"`
	Name         string    `db:"name"`
	StepKind     *string   `db:"step_kind"`
	CreatedAt    time.Time `db:"created_at"`
	ClosedAt     time.Time `db:"closed_at"`
	CalendarUnit *string   `db:"calendar_unit"`
	UnitCode     *string   `db:"unit_code"`
	UnitName     *string   `db:"unit_name"`
}

// ItemStepSpans lists the completed tasks of the cases of an item closed in [from, to), with
// the unit the completion counted for (the acting unit, or the window of a delegation); o, when
// not nil, keeps the cases a supervisor oversees.
func ItemStepSpans(ctx context.Context, q Q, itemID string, from, to time.Time, o *Oversight) ([]StepSpan, error) {
	var c conds
	c.add(`t.state = 'completed' AND t.closed_at IS NOT NULL`)
	c.add(`c.item_id = ?`, itemID)
	c.within("t.closed_at", from, to)
	if o != nil {
		cl, args := o.CaseClause()
		c.add(cl, args...)
	}
	out := []StepSpan{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT t.element_id, t.name, t.step_kind, t.created_at, t.closed_at, c.calendar_unit,
		COALESCE(w.code, a.unit_code) AS unit_code, COALESCE(w.name, u.name, a.unit_code) AS unit_name
		FROM tasks t JOIN cases c ON c.id = t.case_id
		LEFT JOIN case_actions a ON a.task_id = t.id AND a.action = 'complete'
		LEFT JOIN org_units w ON w.id = a.window_id
		LEFT JOIN org_units u ON u.code = a.unit_code`+c.sql()+` ORDER BY t.closed_at, t.id`), c.args...)
	if err != nil {
		return nil, fmt.Errorf("step spans of item %s: %w", itemID, err)
	}
	return out, nil
}

// AlertAck is a supervisor's acknowledgement of an alert.
type AlertAck struct {
	AlertID  string    `db:"alert_id" json:"alertId"`
	UserID   string    `db:"user_id" json:"userId"`
	UserName string    `db:"user_name" json:"userName"`
	Note     string    `db:"note" json:"note"`
	At       time.Time `db:"at" json:"at"`
}

// AckAlert records an acknowledgement; an alert acknowledged before is ErrConflict.
func AckAlert(ctx context.Context, q Q, a *AlertAck) error {
	a.At = Time(a.At)
	res, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO alert_acks (alert_id, user_id, user_name, note, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`), a.AlertID, a.UserID, a.UserName, a.Note, a.At)
	if err != nil {
		return classify(err, "acknowledge alert %s", a.AlertID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("alert %s was acknowledged before: %w", a.AlertID, ErrConflict)
	}
	return nil
}

// GetAlertAck returns an alert's acknowledgement, or ErrNotFound.
func GetAlertAck(ctx context.Context, q Q, alertID string) (*AlertAck, error) {
	var a AlertAck
	if err := q.GetContext(ctx, &a, q.Rebind(`SELECT alert_id, user_id, user_name, note, at FROM alert_acks WHERE alert_id = ?`), alertID); err != nil {
		return nil, classify(err, "acknowledgement of alert %s", alertID)
	}
	return &a, nil
}

// Colleague is a staff member a task may be handed over or delegated to.
type Colleague struct {
	ID          string `db:"id" json:"id"`
	Username    string `db:"username" json:"username"`
	DisplayName string `db:"display_name" json:"displayName"`
	UnitName    string `db:"unit_name" json:"unitName"`
}

// StaffOfUnits lists the enabled clerks, reviewers and agents of the units with the given codes
// or ids, but not the user except; each person once, by name.
func StaffOfUnits(ctx context.Context, q Q, codes, ids []string, except string) ([]Colleague, error) {
	out := []Colleague{}
	if len(codes)+len(ids) == 0 {
		return out, nil
	}
	keys := append(append([]string{}, codes...), ids...)
	query, args, err := sqlx.In(`SELECT u.id, u.username, u.display_name, MIN(o.name) AS unit_name
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN org_units o ON o.id = m.org_unit_id
		WHERE (o.code IN (?) OR o.id IN (?)) AND m.role IN ('clerk', 'reviewer', 'agent') AND u.id <> ? AND NOT u.disabled
		GROUP BY u.id, u.username, u.display_name ORDER BY u.display_name, u.id`, keys, keys, except)
	if err != nil {
		return nil, err
	}
	if err := q.SelectContext(ctx, &out, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("staff of units: %w", err)
	}
	return out, nil
}
