package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
)

// E-supervision (电子监察): every alert is stored with whom it concerns (the item, department,
// window and person) and notified to the people who can act on it. The engine writes its
// warning and overdue alerts (alerts table, 0007) and calls OnAlert; the published rules that
// no timer checks (a refusal without a reason, a notice issued twice) are recorded with
// RecordRuleAlert.

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

// Rules of the published working rules that RecordRuleAlert records.
const (
	// RuleRefusalWithoutReason: an application refused (不予受理) without a reason; detected
	// from the engine's steps (Supervision.Observe).
	RuleRefusalWithoutReason = "refusal_without_reason"
	// RuleNoticeTwice: a second notify-once notice attempted on a case (一次性告知 broken);
	// recorded by the task API when store.IssueNotice refuses it.
	RuleNoticeTwice = "notice_twice"
)

// ruleText says what a rule forbids, for notifications.
var ruleText = map[string]string{
	RuleRefusalWithoutReason: "不予受理未说明理由",
	RuleNoticeTwice:          "重复出具一次性告知书",
}

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

// RecordRuleAlert records a violation of a published rule as an alert of kind violation and
// scope rule, enriches it and notifies it like the engine's alerts. It returns the alert id
// (case id + "/rule:" + rule + ":" + key). Recording the same alert again changes nothing.
//
// Call it with the database (or a transaction of its own), not in a transaction that is about
// to roll back: e.g. the task API calls it after store.IssueNotice refused a second notice and
// its transaction was rolled back:
//
//	if errors.Is(err, store.ErrNotifyOnce) {
//		_, _ = store.RecordRuleAlert(ctx, h.DB, store.RuleAlert{CaseID: caseID, TaskID: taskID,
//			Element: "acceptance", StepKind: "acceptance", Rule: store.RuleNoticeTwice,
//			Detail: err.Error(), Key: store.NewID(), At: store.Now()})
//	}
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
	return id, EnrichAlert(ctx, q, id)
}

// alertFacts is what EnrichAlert reads about an alert.
type alertFacts struct {
	ID        string     `db:"id"`
	CaseID    string     `db:"case_id"`
	TaskID    *string    `db:"task_id"`
	Kind      string     `db:"kind"`
	Scope     string     `db:"scope"`
	ElementID *string    `db:"element_id"`
	DueAt     time.Time  `db:"due_at"`
	Rule      *string    `db:"rule"`
	Detail    *string    `db:"detail"`
	Enriched  *time.Time `db:"enriched_at"`
	Variables JSON       `db:"variables"`
	DefKey    string     `db:"definition_key"`
}

// CaseParties are whom a case (or one of its tasks) concerns: its item, the responsible
// department, the window that serves it and the person working on it ("" when unknown).
type CaseParties struct {
	ItemID       string
	DepartmentID string
	WindowID     string
	PersonID     string
	// Groups are the candidate groups (org unit codes) of the tasks concerned.
	Groups []string
}

// EnrichAlert fills in the item, department, window and person of an alert and writes its
// notifications, once: an alert already enriched is left as is (OnAlert runs at least once per
// alert).
func EnrichAlert(ctx context.Context, q Q, alertID string) error {
	var f alertFacts
	err := q.GetContext(ctx, &f, q.Rebind(`SELECT a.id, a.case_id, a.task_id, a.kind, a.scope, a.element_id, a.due_at, a.rule, a.detail,
		a.enriched_at, c.variables, c.definition_key FROM alerts a JOIN cases c ON c.id = a.case_id WHERE a.id = ?`), alertID)
	if err != nil {
		return classify(err, "alert %s", alertID)
	}
	if f.Enriched != nil {
		return nil
	}
	taskID := ""
	if f.TaskID != nil {
		taskID = *f.TaskID
	}
	p, err := Parties(ctx, q, f.CaseID, taskID)
	if err != nil {
		return err
	}
	now := Now()
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE alerts SET item_id = ?, department_id = ?, window_id = ?, person_id = ?, enriched_at = ? WHERE id = ?`),
		nullable(p.ItemID), nullable(p.DepartmentID), nullable(p.WindowID), nullable(p.PersonID), now, alertID)
	if err != nil {
		return classify(err, "enrich alert %s", alertID)
	}
	recipients, err := alertRecipients(ctx, q, &f, p)
	if err != nil {
		return err
	}
	title, body := alertText(ctx, q, &f)
	for _, user := range recipients {
		n := &Notification{Recipient: user, UserID: user, Source: "alert:" + alertID, Kind: f.Kind, CaseID: f.CaseID, TaskID: taskID, Title: title, Body: body}
		if err := AddNotification(ctx, q, n); err != nil {
			return err
		}
	}
	return nil
}

// Parties returns whom a case, or one of its tasks (taskID not ""), concerns. The department is
// the task's section's department for a task, else the case's competent department; the person
// is the task's assignee, else the assignee of the case's oldest assigned open task; the window
// is the window of a clerk who holds the case's acceptance task.
func Parties(ctx context.Context, q Q, caseID, taskID string) (*CaseParties, error) {
	var vars map[string]any
	var row struct {
		Variables JSON    `db:"variables"`
		ItemID    *string `db:"item_id"`
	}
	if err := q.GetContext(ctx, &row, q.Rebind(`SELECT variables, item_id FROM cases WHERE id = ?`), caseID); err != nil {
		return nil, classify(err, "case %s", caseID)
	}
	_ = json.Unmarshal(row.Variables, &vars)
	p := &CaseParties{ItemID: str(vars["itemId"])}
	if row.ItemID != nil {
		p.ItemID = *row.ItemID
	}
	var groups []string
	if taskID != "" {
		var assignee *string
		if err := q.GetContext(ctx, &assignee, q.Rebind(`SELECT assignee FROM tasks WHERE id = ?`), taskID); err != nil {
			return nil, classify(err, "task %s", taskID)
		}
		if assignee != nil {
			p.PersonID = *assignee
		}
		if err := q.SelectContext(ctx, &groups, q.Rebind(`SELECT value FROM task_candidates WHERE task_id = ? AND kind = 'group' ORDER BY value`), taskID); err != nil {
			return nil, fmt.Errorf("candidate groups of task %s: %w", taskID, err)
		}
	} else {
		var assignees []string
		if err := q.SelectContext(ctx, &assignees, q.Rebind(`SELECT assignee FROM tasks WHERE case_id = ? AND state = 'open' AND assignee IS NOT NULL
			ORDER BY created_at, id`), caseID); err != nil {
			return nil, fmt.Errorf("assignees of case %s: %w", caseID, err)
		}
		if len(assignees) > 0 {
			p.PersonID = assignees[0]
		}
		if err := q.SelectContext(ctx, &groups, q.Rebind(`SELECT DISTINCT tc.value FROM task_candidates tc JOIN tasks t ON t.id = tc.task_id
			WHERE t.case_id = ? AND t.state = 'open' AND tc.kind = 'group' ORDER BY tc.value`), caseID); err != nil {
			return nil, fmt.Errorf("candidate groups of case %s: %w", caseID, err)
		}
	}
	p.Groups = groups
	// The department: a task's section's department; the case's competent department.
	var codes []string
	if taskID != "" {
		codes = append(codes, groups...)
	}
	codes = append(codes, str(vars["department"]), str(vars["leadSection"]))
	for _, code := range codes {
		if code == "" {
			continue
		}
		dept, err := departmentOfCode(ctx, q, code)
		if err != nil {
			return nil, err
		}
		if dept != "" {
			p.DepartmentID = dept
			break
		}
	}
	w, err := caseWindow(ctx, q, caseID, p.PersonID)
	if err != nil {
		return nil, err
	}
	p.WindowID = w
	return p, nil
}

// departmentOfCode returns the department of the unit with code: the unit itself when it is a
// department, its parent when it is a section; "" otherwise.
func departmentOfCode(ctx context.Context, q Q, code string) (string, error) {
	var u struct {
		ID       string  `db:"id"`
		Kind     string  `db:"kind"`
		ParentID *string `db:"parent_id"`
	}
	err := q.GetContext(ctx, &u, q.Rebind(`SELECT id, kind, parent_id FROM org_units WHERE code = ?`), code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("org unit %q: %w", code, err)
	}
	switch {
	case u.Kind == KindDepartment:
		return u.ID, nil
	case u.Kind == KindSection && u.ParentID != nil:
		return *u.ParentID, nil
	}
	return "", nil
}

// caseWindow returns the window that serves a case: the window its acceptance was completed
// at (under a department's delegation), else the window of the clerk who completed or holds its
// acceptance, else the window it was submitted at, else the window of person; "" when none is
// known.
func caseWindow(ctx context.Context, q Q, caseID, person string) (string, error) {
	var acted []struct {
		WindowID *string `db:"window_id"`
		ActorID  string  `db:"actor_id"`
	}
	if err := q.SelectContext(ctx, &acted, q.Rebind(`SELECT window_id, actor_id FROM case_actions
		WHERE case_id = ? AND step_kind = 'acceptance' AND action = 'complete' ORDER BY at DESC, id`), caseID); err != nil {
		return "", fmt.Errorf("acceptance of case %s: %w", caseID, err)
	}
	var users []string
	for _, a := range acted {
		if a.WindowID != nil && *a.WindowID != "" {
			return *a.WindowID, nil
		}
		users = append(users, a.ActorID)
	}
	var holders []string
	if err := q.SelectContext(ctx, &holders, q.Rebind(`SELECT assignee FROM tasks WHERE case_id = ? AND step_kind = 'acceptance' AND assignee IS NOT NULL
		ORDER BY created_at DESC, id`), caseID); err != nil {
		return "", fmt.Errorf("acceptance of case %s: %w", caseID, err)
	}
	users = append(users, holders...)
	for _, u := range users {
		if w, err := userWindow(ctx, q, u); err != nil || w != "" {
			return w, err
		}
	}
	var submitted *string
	if err := q.GetContext(ctx, &submitted, q.Rebind(`SELECT window_id FROM cases WHERE id = ?`), caseID); err != nil {
		return "", classify(err, "case %s", caseID)
	}
	if submitted != nil && *submitted != "" {
		return *submitted, nil
	}
	if person != "" {
		return userWindow(ctx, q, person)
	}
	return "", nil
}

// userWindow returns the first window where user is a member, or "".
func userWindow(ctx context.Context, q Q, user string) (string, error) {
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

// alertRecipients returns the users an alert is notified to: the person working on it, else
// the staff of the units its tasks are offered to; and for overdue alerts and violations the
// supervisors over its department (every supervisor when it has none).
func alertRecipients(ctx context.Context, q Q, f *alertFacts, p *CaseParties) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(ids []string) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	if p.PersonID != "" {
		add([]string{p.PersonID})
	} else if len(p.Groups) > 0 {
		query, args, err := sqlx.In(`SELECT DISTINCT m.user_id FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
			WHERE o.code IN (?) AND m.role IN ('clerk', 'reviewer', 'agent') ORDER BY m.user_id`, p.Groups)
		if err != nil {
			return nil, err
		}
		var staff []string
		if err := q.SelectContext(ctx, &staff, q.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("staff of %v: %w", p.Groups, err)
		}
		add(staff)
	}
	if f.Kind == AlertOverdue || f.Kind == AlertViolation {
		sup, err := supervisorsOver(ctx, q, p.DepartmentID)
		if err != nil {
			return nil, err
		}
		add(sup)
	}
	return out, nil
}

// supervisorsOver returns the supervisors of unit or of a unit above it (every supervisor when
// unit is "").
func supervisorsOver(ctx context.Context, q Q, unit string) ([]string, error) {
	var out []string
	var err error
	if unit == "" {
		err = q.SelectContext(ctx, &out, `SELECT DISTINCT user_id FROM memberships WHERE role = 'supervisor' ORDER BY user_id`)
	} else {
		err = q.SelectContext(ctx, &out, q.Rebind(`WITH RECURSIVE up (id, parent_id) AS (
				SELECT id, parent_id FROM org_units WHERE id = ?
				UNION ALL
				SELECT o.id, o.parent_id FROM org_units o JOIN up ON o.id = up.parent_id)
			SELECT DISTINCT m.user_id FROM memberships m JOIN up ON up.id = m.org_unit_id WHERE m.role = 'supervisor' ORDER BY m.user_id`), unit)
	}
	if err != nil {
		return nil, fmt.Errorf("supervisors over %q: %w", unit, err)
	}
	return out, nil
}

// alertText is the title and body of an alert's notification, in the words of the service
// centre.
func alertText(ctx context.Context, q Q, f *alertFacts) (string, string) {
	what := "办件 " + f.CaseID
	if f.TaskID != nil {
		var name string
		if err := q.GetContext(ctx, &name, q.Rebind(`SELECT name FROM tasks WHERE id = ?`), *f.TaskID); err == nil && name != "" {
			what += " 的「" + name + "」环节"
		} else if f.ElementID != nil {
			what += " 的 " + *f.ElementID + " 环节"
		}
	}
	due := f.DueAt.In(chinaZone).Format("2006-01-02 15:04")
	limit := map[string]string{ScopeCase: "承诺时限", ScopeStatutory: "法定时限", ScopeTask: "环节时限"}[f.Scope]
	switch f.Kind {
	case AlertWarning:
		return "黄牌预警：" + what, fmt.Sprintf("%s将于 %s 达到%s，请抓紧办理。", what, due, limit)
	case AlertOverdue:
		return "红牌超时：" + what, fmt.Sprintf("%s已于 %s 超过%s。", what, due, limit)
	}
	rule, detail := "", ""
	if f.Rule != nil {
		rule = ruleText[*f.Rule]
		if rule == "" {
			rule = *f.Rule
		}
	}
	if f.Detail != nil {
		detail = *f.Detail
	}
	return "违规提醒：" + what, strings.TrimSpace(fmt.Sprintf("%s：%s。%s", what, rule, detail))
}

// chinaZone reads times for people: China Standard Time.
var chinaZone = time.FixedZone("CST", 8*3600)

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// Supervision is e-supervision's part in the engine: engine.Config.OnAlert, Observer and the
// built-in notify handler, over the application database.
type Supervision struct {
	DB     *DB
	Logger *slog.Logger
}

// OnAlert implements engine.Config.OnAlert: it enriches the alert the engine just wrote and
// notifies it (idempotent).
func (s Supervision) OnAlert(ctx context.Context, a engine.Alert) error {
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error { return EnrichAlert(ctx, tx, a.ID) })
}

// Observe implements engine.Config.Observer: it checks each step of a case against the
// published rules the step can break (an acceptance completed with outcome refuse and no
// refusalReason), and ends the special procedures of a case that has ended. It runs at least
// once per step; what it records is idempotent.
func (s Supervision) Observe(ctx context.Context, b *engine.Batch) {
	if err := s.observe(ctx, b); err != nil && s.Logger != nil {
		s.Logger.Error("e-supervision could not check a step", "case", b.CaseID, "seq", b.Seq, "err", err)
	}
}

func (s Supervision) observe(ctx context.Context, b *engine.Batch) error {
	for _, h := range b.History {
		if h.Kind != "completed" || h.Element == "" || !isRefusal(h.Detail) {
			continue
		}
		if reason := strings.TrimSpace(fmt.Sprint(b.Vars["refusalReason"])); b.Vars["refusalReason"] != nil && reason != "" {
			continue
		}
		var n int
		if err := s.DB.GetContext(ctx, &n, s.DB.Rebind(`SELECT COUNT(*) FROM tasks WHERE case_id = ? AND element_id = ? AND step_kind = 'acceptance'`),
			b.CaseID, h.Element); err != nil {
			return fmt.Errorf("acceptance step %s: %w", h.Element, err)
		}
		if n == 0 {
			continue
		}
		var taskID string
		_ = s.DB.GetContext(ctx, &taskID, s.DB.Rebind(`SELECT id FROM tasks WHERE case_id = ? AND element_id = ? ORDER BY created_at DESC, id LIMIT 1`), b.CaseID, h.Element)
		err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := RecordRuleAlert(ctx, tx, RuleAlert{CaseID: b.CaseID, TaskID: taskID, Element: h.Element, StepKind: "acceptance",
				Rule: RuleRefusalWithoutReason, Detail: "acceptance completed with outcome " + h.Detail + " and no refusalReason",
				Key: fmt.Sprintf("%d.%d", h.Seq, h.Index), At: h.At})
			return err
		})
		if err != nil {
			return err
		}
	}
	if CaseEnded(b.Status) {
		_, err := s.DB.ExecContext(ctx, s.DB.Rebind(`UPDATE procedures SET state = 'ended', ended_by = 'system', ended_at = ?, end_note = ?
			WHERE case_id = ? AND state = 'open'`), Time(b.At), "the case ended ("+b.Status+")", b.CaseID)
		if err != nil {
			return classify(err, "end the procedures of case %s", b.CaseID)
		}
	}
	return nil
}

func isRefusal(outcome string) bool {
	switch strings.ToLower(outcome) {
	case "refuse", "refused":
		return true
	}
	return false
}

// NotifyHandler is the name service tasks give in ow:handler to run Notify.
const NotifyHandler = "notify"

// Handlers returns e-supervision's built-in service handlers for engine.Config.Handlers.
func (s Supervision) Handlers() map[string]engine.Handler {
	return map[string]engine.Handler{NotifyHandler: s.Notify}
}

// Notify is the built-in notify handler (ow:handler="notify"): it writes a notification to
// the outbox for each recipient, read through GET /api/v1/notifications and later delivered to
// other systems. It reads the case's variables:
//
//	notifyTo       user id or list of user ids (default: the variable applicant, else complainant)
//	notifyGroups   org unit code or list of codes: their staff (clerks, reviewers, agents)
//	notifyContact  a phone number for someone without an account (default: contactPhone
//	               when there is no user to notify)
//	notifyTitle    the title (default 办件通知)
//	notifyMessage  the text (default: the variable reply, else a line naming the step)
//
// It is idempotent on the call's case and wait.
func (s Supervision) Notify(ctx context.Context, call engine.HandlerCall) (map[string]any, error) {
	v := call.Vars
	users := strList(v["notifyTo"])
	if len(users) == 0 {
		for _, k := range []string{"applicant", "complainant"} {
			if u := str(v[k]); u != "" {
				users = append(users, u)
				break
			}
		}
	}
	title := str(v["notifyTitle"])
	if title == "" {
		title = "办件通知"
	}
	body := str(v["notifyMessage"])
	if body == "" {
		body = str(v["reply"])
	}
	if body == "" {
		body = "办件 " + call.CaseID + " 有新进展（" + call.Element + "）。"
	}
	source := "handler:" + call.CaseID + "/" + call.WaitID
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		groups := strList(v["notifyGroups"])
		if len(groups) > 0 {
			query, args, err := sqlx.In(`SELECT DISTINCT m.user_id FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
				WHERE o.code IN (?) AND m.role IN ('clerk', 'reviewer', 'agent', 'supervisor') ORDER BY m.user_id`, groups)
			if err != nil {
				return err
			}
			var staff []string
			if err := tx.SelectContext(ctx, &staff, tx.Rebind(query), args...); err != nil {
				return fmt.Errorf("staff of %v: %w", groups, err)
			}
			users = append(users, staff...)
		}
		sent := 0
		for _, u := range users {
			var exists int
			if err := tx.GetContext(ctx, &exists, tx.Rebind(`SELECT COUNT(*) FROM users WHERE id = ?`), u); err != nil {
				return err
			}
			if exists == 0 {
				continue // a user deleted since: nobody to tell
			}
			if err := AddNotification(ctx, tx, &Notification{Recipient: u, UserID: u, Source: source, Kind: "message", CaseID: call.CaseID,
				Title: title, Body: body}); err != nil {
				return err
			}
			sent++
		}
		contact := str(v["notifyContact"])
		if contact == "" && sent == 0 {
			contact = str(v["contactPhone"])
		}
		if contact != "" {
			if err := AddNotification(ctx, tx, &Notification{Recipient: "tel:" + contact, Source: source, Kind: "message", CaseID: call.CaseID,
				Title: title, Body: body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify for case %s: %w", call.CaseID, err)
	}
	return nil, nil
}

// strList reads a string or a list of strings.
func strList(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

// Notification is a message to a person: an alert, a step of a case or complaint.
type Notification struct {
	ID string `db:"id" json:"id"`
	// Recipient is the user id, or "tel:<number>" for someone without an account.
	Recipient   string     `db:"recipient" json:"-"`
	UserID      string     `db:"user_id" json:"-"`
	Source      string     `db:"source" json:"source" example:"alert:C-01jd.../case:warning"`
	Kind        string     `db:"kind" json:"kind" enums:"warning,overdue,violation,message" example:"warning"`
	CaseID      string     `db:"case_id" json:"caseId,omitempty"`
	TaskID      string     `db:"task_id" json:"taskId,omitempty"`
	Title       string     `db:"title" json:"title" example:"黄牌预警：办件 C-01jd... 的「审核」环节"`
	Body        string     `db:"body" json:"body"`
	CreatedAt   time.Time  `db:"created_at" json:"createdAt"`
	ReadAt      *time.Time `db:"read_at" json:"readAt,omitempty"`
	DeliveredAt *time.Time `db:"delivered_at" json:"-"`
}

// AddNotification writes a notification (setting ID and CreatedAt); one already written for
// the same source and recipient is left as is.
func AddNotification(ctx context.Context, q Q, n *Notification) error {
	n.ID, n.CreatedAt = NewID(), Now()
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO notifications (id, recipient, user_id, source, kind, case_id, task_id, title, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, recipient) DO NOTHING`),
		n.ID, n.Recipient, nullable(n.UserID), n.Source, n.Kind, nullable(n.CaseID), nullable(n.TaskID), n.Title, n.Body, n.CreatedAt)
	return classify(err, "notification %s for %s", n.Source, n.Recipient)
}

const notificationCols = `id, recipient, COALESCE(user_id, '') AS user_id, source, kind, COALESCE(case_id, '') AS case_id,
	COALESCE(task_id, '') AS task_id, title, body, created_at, read_at, delivered_at`

// UserNotifications lists a user's notifications, newest first; unread only when unread.
func UserNotifications(ctx context.Context, q Q, userID string, unread bool, limit, offset int) ([]Notification, error) {
	query := `SELECT ` + notificationCols + ` FROM notifications WHERE user_id = ?`
	if unread {
		query += ` AND read_at IS NULL`
	}
	if limit <= 0 {
		limit = 100
	}
	out := []Notification{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`), userID, limit, offset); err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", userID, err)
	}
	return out, nil
}

// CaseNotifications lists the notifications about a case (to anyone), oldest first.
func CaseNotifications(ctx context.Context, q Q, caseID string) ([]Notification, error) {
	out := []Notification{}
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE case_id = ? ORDER BY created_at, id`), caseID); err != nil {
		return nil, fmt.Errorf("notifications of case %s: %w", caseID, err)
	}
	return out, nil
}

// MarkNotificationRead marks a user's notification read (ErrNotFound when it is not theirs).
func MarkNotificationRead(ctx context.Context, q Q, userID, id string) (*Notification, error) {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`), Now(), id, userID); err != nil {
		return nil, classify(err, "mark notification %s read", id)
	}
	var n Notification
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE id = ? AND user_id = ?`), id, userID); err != nil {
		return nil, classify(err, "notification %s", id)
	}
	return &n, nil
}

// PendingNotifications is the delivery outbox: up to limit notifications not yet delivered to
// other systems, oldest first. A deliverer marks each with MarkNotificationDelivered.
func PendingNotifications(ctx context.Context, q Q, limit int) ([]Notification, error) {
	out := []Notification{}
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE delivered_at IS NULL
		ORDER BY created_at, id LIMIT ?`), limit); err != nil {
		return nil, fmt.Errorf("pending notifications: %w", err)
	}
	return out, nil
}

// MarkNotificationDelivered records that a notification was delivered.
func MarkNotificationDelivered(ctx context.Context, q Q, id string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`), Now(), id)
	return classify(err, "mark notification %s delivered", id)
}
