package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// E-supervision's alerts (电子监察): the engine writes its warning and overdue alerts (alerts
// table, 0007); violations of the published rules that no timer checks are written with
// RecordRuleAlert. Whom an alert concerns (SetAlertParties) and whom it is told to are
// decided by the use cases (app).

// Alert kinds and scopes; the engine raises warnings and overdue alerts of the scopes case,
// statutory and task, e-supervision records violations of scope rule.
const (
	AlertWarning   = "warning"
	AlertOverdue   = "overdue"
	AlertViolation = "violation"

	ScopeCase      = "case"
	ScopeStatutory = "statutory"
	ScopeTask      = "task"
	ScopeRule      = "rule"
)

// AlertKinds and AlertScopes list the valid values.
var (
	AlertKinds  = []string{AlertWarning, AlertOverdue, AlertViolation}
	AlertScopes = []string{ScopeCase, ScopeStatutory, ScopeTask, ScopeRule}
)

// Rules of the published working rules that e-supervision records violations of.
const (
	// RuleRefusalWithoutReason: an application refused (不予受理) without a reason, seen in
	// the engine's steps.
	RuleRefusalWithoutReason = "refusal_without_reason"
	// RuleNoticeTwice: a second notify-once notice attempted on a case (一次性告知 broken).
	RuleNoticeTwice = "notice_twice"
)

// AlertRules lists the rules.
var AlertRules = []string{RuleRefusalWithoutReason, RuleNoticeTwice}

// RuleAlert is a violation of a published rule on a case.
type RuleAlert struct {
	CaseID string
	// TaskID, Element and StepKind name the step concerned, if any.
	TaskID   string
	Element  string
	StepKind string
	// Rule is one of the Rule constants (or another stable name).
	Rule string
	// Detail says what happened, for people.
	Detail string
	// Key makes the alert unique within the case and rule (e.g. the step's sequence number):
	// recording the same key again changes nothing.
	Key string
	At  time.Time
}

// RecordRuleAlert writes a violation of a published rule as an alert of kind violation and
// scope rule, and returns its id (case id + "/rule:" + rule + ":" + key). Recording the same
// alert again changes nothing. It writes the row only: e-supervision (app) then says whom it
// concerns and tells them.
func RecordRuleAlert(ctx context.Context, q Q, a RuleAlert) (string, error) {
	if a.CaseID == "" || a.Rule == "" {
		return "", errors.New("rule alert: a case and a rule are required")
	}
	if a.At.IsZero() {
		a.At = Now()
	}
	if a.Key == "" {
		a.Key = NewID()
	}
	id := a.CaseID + "/rule:" + a.Rule + ":" + a.Key
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO alerts (id, case_id, task_id, kind, scope, element_id, step_kind, due_at, fired_at, rule, detail)
		VALUES (?, ?, ?, 'violation', 'rule', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		id, a.CaseID, nullable(a.TaskID), nullable(a.Element), nullable(a.StepKind), Time(a.At), Time(a.At), a.Rule, nullable(a.Detail))
	if err != nil {
		return "", classify(err, "record rule alert %s", id)
	}
	return id, nil
}

// AlertParties are whom an alert concerns: the item, department, window and person ("" when
// unknown).
type AlertParties struct {
	ItemID       string
	DepartmentID string
	WindowID     string
	PersonID     string
}

// SetAlertParties records whom an alert concerns and marks it enriched, once: it reports
// false, changing nothing, for an alert enriched before.
func SetAlertParties(ctx context.Context, q Q, alertID string, p AlertParties, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE alerts SET item_id = ?, department_id = ?, window_id = ?, person_id = ?, enriched_at = ?
		WHERE id = ? AND enriched_at IS NULL`),
		nullable(p.ItemID), nullable(p.DepartmentID), nullable(p.WindowID), nullable(p.PersonID), Time(at), alertID)
	if err != nil {
		return false, classify(err, "enrich alert %s", alertID)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	// The alert counts for whom it concerns in the scorecards' counters, once (enriched once).
	var a struct {
		Kind string    `db:"kind"`
		At   time.Time `db:"fired_at"`
	}
	if err := q.GetContext(ctx, &a, q.Rebind(`SELECT kind, fired_at FROM alerts WHERE id = ?`), alertID); err != nil {
		return false, fmt.Errorf("alert %s: %w", alertID, err)
	}
	item, dept, window, person := p.ItemID, p.DepartmentID, p.WindowID, p.PersonID
	return true, countEvent(ctx, q, a.At, eventUnits(&item, &dept, &window, &person), alertCount(a.Kind))
}

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
	// EnrichedAt is when whom it concerns was recorded (nil: not yet).
	EnrichedAt *time.Time `db:"enriched_at" json:"-"`
	// AckedAt and AckedBy say when and by whom a supervisor acknowledged it (nil: not yet).
	AckedAt *time.Time `db:"acked_at" json:"ackedAt,omitempty"`
	AckedBy *string    `db:"acked_by" json:"ackedBy,omitempty"`
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
	// Acknowledged keeps the acknowledged alerts ("yes") or the others ("no"); "": both.
	Acknowledged string
	// Oversight, when not nil, limits alerts to what a supervisor oversees.
	Oversight *Oversight
	Limit     int // default 100
	// After is the place (firing time and id) of the last alert of the page before.
	After TimeKey
}

const alertSelect = `SELECT a.id, a.case_id, c.definition_key, a.task_id, t.name AS task_name, a.kind, a.scope, a.element_id, a.step_kind,
	a.due_at, a.fired_at, a.rule, a.detail, a.item_id, a.department_id, d.name AS department_name, a.window_id, w.name AS window_name,
	a.person_id, u.display_name AS person_name, a.enriched_at, k.at AS acked_at, k.user_name AS acked_by
	FROM alerts a JOIN cases c ON c.id = a.case_id LEFT JOIN tasks t ON t.id = a.task_id LEFT JOIN alert_acks k ON k.alert_id = a.id
	LEFT JOIN org_units d ON d.id = a.department_id LEFT JOIN org_units w ON w.id = a.window_id LEFT JOIN users u ON u.id = a.person_id`

// GetAlert returns an alert, or ErrNotFound.
func GetAlert(ctx context.Context, q Q, id string) (*SupervisedAlert, error) {
	var a SupervisedAlert
	if err := q.GetContext(ctx, &a, q.Rebind(alertSelect+` WHERE a.id = ?`), id); err != nil {
		return nil, classify(err, "alert %s", id)
	}
	return &a, nil
}

// ListAlerts lists alerts, newest first.
func ListAlerts(ctx context.Context, q Q, f AlertFilter) ([]SupervisedAlert, error) {
	var c conds
	c.eq("a.kind", f.Kind)
	c.eq("a.scope", f.Scope)
	c.eq("a.rule", f.Rule)
	c.eq("a.case_id", f.CaseID)
	c.eq("a.department_id", f.DepartmentID)
	c.eq("a.window_id", f.WindowID)
	c.eq("a.person_id", f.PersonID)
	c.within("a.fired_at", f.From, f.To)
	switch f.Acknowledged {
	case "yes":
		c.add("k.alert_id IS NOT NULL")
	case "no":
		c.add("k.alert_id IS NULL")
	}
	if f.Oversight != nil {
		cl, args := f.Oversight.RecordClause("a")
		c.add(cl, args...)
	}
	if !f.After.At.IsZero() {
		c.add(`(a.fired_at, a.id) < (?, ?)`, Time(f.After.At), f.After.ID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out := []SupervisedAlert{}
	err := q.SelectContext(ctx, &out, q.Rebind(alertSelect+c.sql()+` ORDER BY a.fired_at DESC, a.id DESC LIMIT ?`), append(c.args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Oversight limits what a supervisor sees to their part of the org tree: the cases their
// case scope covers or that count on the calendar of one of Units, and the records (alerts,
// ratings, complaints) attributed to a department or window among Units or about such a case.
// A nil *Oversight limits nothing.
type Oversight struct {
	Scope *CaseScope
	// Units are the org units of the supervisor's subtree.
	Units []string
}

// CaseClause is an SQL condition on cases alias c that holds for the cases o covers.
func (o *Oversight) CaseClause() (string, []any) {
	cl, args := o.Scope.Clause()
	if len(o.Units) == 0 {
		return cl, args
	}
	in, inArgs, _ := sqlx.In(`c.calendar_unit IN (?)`, o.Units)
	return `(` + cl + ` OR ` + in + `)`, append(args, inArgs...)
}

// RecordClause is an SQL condition on the table alias (with columns department_id,
// window_id and case_id) that holds for the records o covers.
func (o *Oversight) RecordClause(alias string) (string, []any) {
	var ors []string
	var args []any
	if len(o.Units) > 0 {
		for _, col := range []string{"department_id", "window_id"} {
			in, inArgs, _ := sqlx.In(alias+`.`+col+` IN (?)`, o.Units)
			ors, args = append(ors, in), append(args, inArgs...)
		}
	}
	cl, caseArgs := o.CaseClause()
	ors = append(ors, `EXISTS (SELECT 1 FROM cases c WHERE c.id = `+alias+`.case_id AND `+cl+`)`)
	return `(` + strings.Join(ors, ` OR `) + `)`, append(args, caseArgs...)
}

// Oversees reports whether o covers case id.
func Oversees(ctx context.Context, q Q, o *Oversight, caseID string) (bool, error) {
	if o == nil {
		return true, nil
	}
	cl, args := o.CaseClause()
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+cl), append([]any{caseID}, args...)...)
	if err != nil {
		return false, fmt.Errorf("oversight of case %s: %w", caseID, err)
	}
	return n > 0, nil
}

// Overseen reports whether o covers the record attributed to departmentID and windowID about
// caseID (each "" when none): a rating or a complaint.
func Overseen(ctx context.Context, q Q, o *Oversight, caseID, departmentID, windowID string) (bool, error) {
	if o == nil {
		return true, nil
	}
	for _, u := range o.Units {
		if u != "" && (u == departmentID || u == windowID) {
			return true, nil
		}
	}
	if caseID == "" {
		return false, nil
	}
	return Oversees(ctx, q, o, caseID)
}
