package store

// Tasks as the inbox and the task API see them: the engine's task rows with who claimed them,
// who delegated them (委派) to whom, and their case. The engine creates and closes tasks
// (store/engine.go); this file claims, hands over, delegates and takes them, each with one
// conditional UPDATE so that of two racing callers exactly one wins and the other gets
// ErrConflict.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Delegation states of a task (委派).
const (
	DelegationPending  = "pending"  // the delegate works on it; only they may resolve it
	DelegationResolved = "resolved" // the delegate gave it back to its owner
)

// Task is a user task (table tasks) with its claim and delegation, as the inbox, the case
// and the use cases see it. The engine writes tasks through engine.Batch (engine.TaskRow).
type Task struct {
	ID            string     `db:"id" json:"id"`
	CaseID        string     `db:"case_id" json:"caseId"`
	ElementID     string     `db:"element_id" json:"elementId"`
	Name          string     `db:"name" json:"name"`
	State         string     `db:"state" json:"state"`
	Assignee      *string    `db:"assignee" json:"assignee,omitempty"`
	StepKind      *string    `db:"step_kind" json:"stepKind,omitempty"`
	LimitDays     float64    `db:"limit_days" json:"limitDays,omitempty"`
	WarnDays      float64    `db:"warn_days" json:"warnDays,omitempty"`
	FormKey       *string    `db:"form_key" json:"formKey,omitempty"`
	Documentation *string    `db:"documentation" json:"documentation,omitempty"`
	LoopCounter   int        `db:"loop_counter" json:"loopCounter"`
	BodyID        *string    `db:"body_id" json:"bodyId,omitempty"`
	CreatedAt     time.Time  `db:"created_at" json:"createdAt"`
	ClosedAt      *time.Time `db:"closed_at" json:"closedAt,omitempty"`
	WarnAt        *time.Time `db:"warn_at" json:"warnAt,omitempty"`
	DueAt         *time.Time `db:"due_at" json:"dueAt,omitempty"`
	// Owner is who delegated the task (委派) and gets it back when it is resolved.
	Owner string `db:"owner" json:"owner,omitempty"`
	// Delegation is pending or resolved ("" when never delegated).
	Delegation string     `db:"delegation" json:"delegation,omitempty" example:"pending"`
	ClaimedAt  *time.Time `db:"claimed_at" json:"claimedAt,omitempty"`
}

// taskColumns lists the columns of Task qualified with alias t.
const taskColumns = `t.id, t.case_id, t.element_id, t.name, t.state, t.assignee, t.step_kind, t.limit_days, t.warn_days,
	t.form_key, t.documentation, t.loop_counter, t.body_id, t.created_at, t.closed_at, t.warn_at, t.due_at,
	COALESCE(t.owner, '') AS owner, COALESCE(t.delegation, '') AS delegation, t.claimed_at`

// GetTask returns one task with its claim and delegation, or ErrNotFound.
func GetTask(ctx context.Context, q Q, id string) (*Task, error) {
	var t Task
	if err := q.GetContext(ctx, &t, q.Rebind(`SELECT `+taskColumns+` FROM tasks t WHERE t.id = ?`), id); err != nil {
		return nil, classify(err, "task %s", id)
	}
	return &t, nil
}

// CaseTasks lists a case's tasks with their claims, oldest first; state "" lists all.
func CaseTasks(ctx context.Context, q Q, caseID, state string) ([]Task, error) {
	query := `SELECT ` + taskColumns + ` FROM tasks t WHERE t.case_id = ?`
	args := []any{caseID}
	if state != "" {
		query += ` AND t.state = ?`
		args = append(args, state)
	}
	out := []Task{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY t.created_at, t.id`), args...); err != nil {
		return nil, fmt.Errorf("tasks of case %s: %w", caseID, err)
	}
	return out, nil
}

// TaskCandidates returns a task's candidate users and groups (org-unit codes).
func TaskCandidates(ctx context.Context, q Q, taskID string) (users, groups []string, err error) {
	var rows []struct {
		Kind  string `db:"kind"`
		Value string `db:"value"`
	}
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT kind, value FROM task_candidates WHERE task_id = ? ORDER BY kind, value`), taskID); err != nil {
		return nil, nil, fmt.Errorf("candidates of task %s: %w", taskID, err)
	}
	users, groups = []string{}, []string{}
	for _, r := range rows {
		if r.Kind == "group" {
			groups = append(groups, r.Value)
		} else {
			users = append(users, r.Value)
		}
	}
	return users, groups, nil
}

var (
	// ErrTaskClosed is wrapped when a task is no longer open (completed, cancelled, or being
	// completed); it wraps ErrConflict.
	ErrTaskClosed = fmt.Errorf("the task is no longer open: %w", ErrConflict)
	// ErrTaskHeld is wrapped when someone else holds a task (claimed, delegated); it wraps
	// ErrConflict.
	ErrTaskHeld = fmt.Errorf("the task is held by someone else: %w", ErrConflict)
)

// taskConflict explains why a conditional update of task id changed nothing: the task is
// missing (ErrNotFound), no longer open, or held by someone else (ErrConflict).
func taskConflict(ctx context.Context, q Q, id, want string) error {
	t, err := GetTask(ctx, q, id)
	if err != nil {
		return err
	}
	switch {
	case t.State != "open":
		return fmt.Errorf("task %s (%s) is %s: %w", id, t.Name, t.State, ErrTaskClosed)
	case t.Delegation == DelegationPending:
		return fmt.Errorf("task %s (%s) is delegated to %s until they resolve it: %w", id, t.Name, deref(t.Assignee), ErrTaskHeld)
	case t.Assignee != nil:
		return fmt.Errorf("task %s (%s) is claimed by %s: %w", id, t.Name, *t.Assignee, ErrTaskHeld)
	}
	return fmt.Errorf("task %s (%s): %s: %w", id, t.Name, want, ErrTaskHeld)
}

// ClaimTask assigns an open, unassigned task to userID. Claiming a task one holds already
// changes nothing; a task claimed by another is ErrConflict.
func ClaimTask(ctx context.Context, q Q, id, userID string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET assignee = ?, claimed_at = ? WHERE id = ? AND state = 'open' AND assignee IS NULL`),
		userID, Time(at), id)
	if err != nil {
		return classify(err, "claim task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	t, err := GetTask(ctx, q, id)
	if err == nil && t.State == "open" && deref(t.Assignee) == userID {
		return nil
	}
	return taskConflict(ctx, q, id, "cannot be claimed")
}

// UnclaimTask gives a task one of holders holds back to its candidates. A task delegated and
// not yet resolved is ErrTaskHeld (the delegate resolves it instead).
func UnclaimTask(ctx context.Context, q Q, id string, holders []string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET assignee = NULL, claimed_at = NULL, owner = NULL, delegation = NULL
		WHERE id = ? AND state = 'open' AND assignee IN (`+qmarks(len(holders))+`) AND (delegation IS NULL OR delegation <> 'pending')`),
		append([]any{id}, anys(holders)...)...)
	if err != nil {
		return classify(err, "unclaim task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	return taskConflict(ctx, q, id, "only its holder may give it back")
}

// HandOverTask (转办) assigns an open task held by one of holders (or by nobody) to userID
// for good; a pending delegation is ErrConflict.
func HandOverTask(ctx context.Context, q Q, id string, holders []string, userID string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET assignee = ?, claimed_at = ?, owner = NULL, delegation = NULL
		WHERE id = ? AND state = 'open' AND (assignee IS NULL OR assignee IN (`+qmarks(len(holders))+`))
		AND (delegation IS NULL OR delegation <> 'pending')`), append([]any{userID, Time(at), id}, anys(holders)...)...)
	if err != nil {
		return classify(err, "hand over task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	return taskConflict(ctx, q, id, "cannot be handed over")
}

// DelegateTask (委派) lets userID work on an open task held by owner (one of holders, or
// nobody) until userID resolves it: owner keeps it and completes it after.
func DelegateTask(ctx context.Context, q Q, id string, holders []string, owner, userID string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET owner = ?, assignee = ?, delegation = 'pending', claimed_at = ?
		WHERE id = ? AND state = 'open' AND (assignee IS NULL OR assignee IN (`+qmarks(len(holders))+`))
		AND (delegation IS NULL OR delegation <> 'pending')`), append([]any{owner, userID, Time(at), id}, anys(holders)...)...)
	if err != nil {
		return classify(err, "delegate task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	return taskConflict(ctx, q, id, "cannot be delegated")
}

// ResolveTask gives a delegated task back to its owner.
func ResolveTask(ctx context.Context, q Q, id string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET assignee = owner, delegation = 'resolved', claimed_at = ?
		WHERE id = ? AND state = 'open' AND delegation = 'pending'`), Time(at), id)
	if err != nil {
		return classify(err, "resolve task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	t, err := GetTask(ctx, q, id)
	if err != nil {
		return err
	}
	if t.State != "open" {
		return fmt.Errorf("task %s (%s) is %s: %w", id, t.Name, t.State, ErrTaskClosed)
	}
	return fmt.Errorf("task %s (%s) is not delegated: %w", id, t.Name, ErrConflict)
}

// TakeTaskFor moves an open task to completing for a caller known by holders (their id and
// username): the task must be unassigned or assigned to them, and not waiting for a delegate.
// Of two racing callers one wins; the other gets ErrConflict.
func TakeTaskFor(ctx context.Context, q Q, id string, holders []string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET state = 'completing'
		WHERE id = ? AND state = 'open' AND (assignee IS NULL OR assignee IN (`+qmarks(len(holders))+`))
		AND (delegation IS NULL OR delegation <> 'pending')`), append([]any{id}, anys(holders)...)...)
	if err != nil {
		return classify(err, "take task %s", id)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	return taskConflict(ctx, q, id, "cannot be taken")
}

// TakeCaseTasks moves every open task of a case to completing (a withdrawal is on its way
// to cancel them), so that nobody completes one meanwhile.
func TakeCaseTasks(ctx context.Context, q Q, caseID string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tasks SET state = 'completing' WHERE case_id = ? AND state = 'open'`), caseID)
	return classify(err, "take the tasks of case %s", caseID)
}

// InboxTask is an open task in an inbox, with its case.
type InboxTask struct {
	Task
	CaseNumber    string     `json:"caseNumber" example:"20251126-450981-FGJ-XK-001-0001"`
	ItemID        string     `json:"itemId"`
	ItemName      string     `json:"itemName" example:"企业投资项目核准"`
	ApplicantName string     `json:"applicantName" example:"北流市某某实业有限公司"`
	Channel       string     `json:"channel" example:"online"`
	ReceivedAt    time.Time  `json:"receivedAt"`
	CaseDueAt     *time.Time `json:"caseDueAt,omitempty"`
	// CandidateGroups are the codes of the units the task is offered to.
	CandidateGroups []string `json:"candidateGroups"`
}

// Inbox filter statuses.
const (
	InboxClaimed   = "claimed"   // assigned to the caller
	InboxUnclaimed = "unclaimed" // offered to a group, nobody holds it
	InboxDelegated = "delegated" // delegated (委派) to the caller
	InboxWarning   = "warning"   // past its warning time, not yet due
	InboxOverdue   = "overdue"   // past its due time
)

// InboxStatuses lists the inbox filter statuses.
var InboxStatuses = []string{InboxClaimed, InboxUnclaimed, InboxDelegated, InboxWarning, InboxOverdue}

// InboxFilter selects the open tasks of an inbox.
type InboxFilter struct {
	// Reach restricts the tasks to those the caller may act on (nil: every task).
	Reach *TaskReach
	// Holders are the caller's id and username, for Status claimed and delegated.
	Holders   []string
	ItemID    string
	StepKind  string
	DueBefore time.Time
	Status    string
	// Now is the time Status warning and overdue compare with.
	Now time.Time
	// After is the place of the last task of the page before (zero: the first page).
	After InboxKey
	Limit int // default 50
}

// InboxKey is a task's place in the inbox: the tasks with a due time first, by due time,
// creation and id; then those without one, by creation and id.
type InboxKey struct {
	// Undue is set for a task without a due time (the second part of the inbox).
	Undue     bool
	DueAt     time.Time
	CreatedAt time.Time
	ID        string
}

// Key is the inbox key of t.
func (t *InboxTask) Key() InboxKey {
	k := InboxKey{CreatedAt: t.CreatedAt, ID: t.ID, Undue: t.DueAt == nil}
	if t.DueAt != nil {
		k.DueAt = *t.DueAt
	}
	return k
}

// where is the condition of f (without paging) on tasks t joined to cases c.
func (f *InboxFilter) where() (string, []any) {
	where := []string{`t.state = 'open'`, `c.number IS NOT NULL`}
	var args []any
	if f.Reach != nil {
		clause, cargs := f.Reach.Clause("t", "c.item_id")
		where = append(where, clause)
		args = append(args, cargs...)
	}
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if f.ItemID != "" {
		add(`c.item_id = ?`, f.ItemID)
	}
	if f.StepKind != "" {
		add(`t.step_kind = ?`, f.StepKind)
	}
	if !f.DueBefore.IsZero() {
		add(`t.due_at < ?`, Time(f.DueBefore))
	}
	holders := f.Holders
	if len(holders) == 0 {
		holders = []string{""}
	}
	switch f.Status {
	case InboxClaimed:
		add(`t.assignee IN (`+qmarks(len(holders))+`)`, anys(holders)...)
	case InboxUnclaimed:
		where = append(where, `t.assignee IS NULL`)
	case InboxDelegated:
		add(`t.delegation = 'pending' AND t.assignee IN (`+qmarks(len(holders))+`)`, anys(holders)...)
	case InboxWarning:
		add(`t.warn_at <= ? AND (t.due_at IS NULL OR t.due_at > ?)`, Time(f.Now), Time(f.Now))
	case InboxOverdue:
		add(`t.due_at <= ?`, Time(f.Now))
	}
	return strings.Join(where, ` AND `), args
}

// ListInbox returns up to f.Limit open tasks matching f after f.After, the most urgent first
// (by due time, then age; tasks without a due time last). It reads in two parts, each walking
// an index of the open tasks in its order (migration 0025) and checking each task's reach, so a
// page costs about the same however many tasks are open.
func ListInbox(ctx context.Context, q Q, f InboxFilter) ([]InboxTask, error) {
	cond, args := f.where()
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []InboxTask
	if !f.After.Undue {
		c, a := cond+` AND t.due_at IS NOT NULL`, args
		if f.After.ID != "" {
			k := f.After
			c += ` AND (t.due_at, t.created_at, t.id) > (?, ?, ?)`
			a = append(append([]any{}, a...), Time(k.DueAt), Time(k.CreatedAt), k.ID)
		}
		due, err := inboxPart(ctx, q, c, `t.due_at, t.created_at, t.id`, a, limit)
		if err != nil {
			return nil, err
		}
		out = due
	}
	if len(out) < limit && f.Status != InboxOverdue && f.DueBefore.IsZero() { // those need a due time
		c, a := cond+` AND t.due_at IS NULL`, args
		if f.After.Undue {
			k := f.After
			c += ` AND (t.created_at, t.id) > (?, ?)`
			a = append(append([]any{}, a...), Time(k.CreatedAt), k.ID)
		}
		undue, err := inboxPart(ctx, q, c, `t.created_at, t.id`, a, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, undue...)
	}
	if err := inboxGroups(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CountInbox counts the open tasks matching f, up to most.
func CountInbox(ctx context.Context, q Q, f InboxFilter, most int) (int, error) {
	cond, args := f.where()
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM (SELECT 1 FROM tasks t JOIN cases c ON c.id = t.case_id WHERE `+cond+` LIMIT ?) x`), append(args, most)...)
	if err != nil {
		return 0, fmt.Errorf("count inbox: %w", err)
	}
	return n, nil
}

// inboxPart reads up to limit inbox tasks matching cond in order.
func inboxPart(ctx context.Context, q Q, cond, order string, args []any, limit int) ([]InboxTask, error) {
	var rows []struct {
		Task
		CaseNumber    string     `db:"case_number"`
		ItemID        *string    `db:"item_id"`
		ItemName      *string    `db:"item_name"`
		ApplicantName *string    `db:"applicant_name"`
		Channel       *string    `db:"channel"`
		ReceivedAt    *time.Time `db:"received_at"`
		CaseDueAt     *time.Time `db:"case_due_at"`
	}
	read := func(q Q) error {
		return q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+taskColumns+`, c.number AS case_number, c.item_id, c.item_name,
		c.applicant_name, c.channel, c.received_at, c.due_at AS case_due_at
		FROM tasks t JOIN cases c ON c.id = t.case_id WHERE `+cond+` ORDER BY `+order+` LIMIT ?`), append(args, limit)...)
	}
	var err error
	if db, ok := q.(*DB); ok && db.Dialect() == Postgres {
		// PostgreSQL estimates (rightly) that most open tasks are in a clerk's reach and then
		// prefers reading every open task and case and sorting them (47 ms at 13,000 open
		// tasks, growing with them) to walking the order's index and stopping after a page
		// (under 1 ms); with sorting disabled for this one read it walks the index.
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_sort = off`); err != nil {
				return err
			}
			return read(tx)
		})
	} else {
		err = read(q)
	}
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	out := make([]InboxTask, len(rows))
	for i, r := range rows {
		out[i] = InboxTask{Task: r.Task, CaseNumber: r.CaseNumber, ItemID: deref(r.ItemID), ItemName: deref(r.ItemName),
			ApplicantName: deref(r.ApplicantName), Channel: deref(r.Channel), CaseDueAt: r.CaseDueAt, CandidateGroups: []string{}}
		if r.ReceivedAt != nil {
			out[i].ReceivedAt = *r.ReceivedAt
		}
	}
	return out, nil
}

// inboxGroups fills the candidate groups of tasks in one query.
func inboxGroups(ctx context.Context, q Q, tasks []InboxTask) error {
	if len(tasks) == 0 {
		return nil
	}
	ids := make([]any, len(tasks))
	at := make(map[string]int, len(tasks))
	for i := range tasks {
		ids[i] = tasks[i].ID
		at[tasks[i].ID] = i
	}
	var rows []struct {
		TaskID string `db:"task_id"`
		Value  string `db:"value"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT task_id, value FROM task_candidates WHERE kind = 'group' AND task_id IN (`+
		qmarks(len(ids))+`) ORDER BY task_id, value`), ids...)
	if err != nil {
		return fmt.Errorf("candidate groups of the inbox: %w", err)
	}
	for _, r := range rows {
		t := &tasks[at[r.TaskID]]
		t.CandidateGroups = append(t.CandidateGroups, r.Value)
	}
	return nil
}

// SubscriptionFor returns the open message wait named name of a case (its id is what
// engine.DeliverMessage addresses), or ErrNotFound.
func SubscriptionFor(ctx context.Context, q Q, caseID, name string) (string, error) {
	var id string
	err := q.GetContext(ctx, &id, q.Rebind(`SELECT id FROM subscriptions WHERE case_id = ? AND kind = 'message' AND name = ? AND state = 'open'
		ORDER BY created_at, id LIMIT 1`), caseID, name)
	if err != nil {
		return "", classify(err, "the %s wait of case %s", name, caseID)
	}
	return id, nil
}
