package app

// Tasks: what counter staff see and do in their inbox. Every action loads the task with its
// case and the actor's authority (loadTask), checks the rules of the action, and changes the
// task, the case and the action log in one transaction with the engine signal it causes
// (change). The actions live in task_*.go by kind.

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"

	"github.com/jmoiron/sqlx"
)

// Codes of the task use cases.
const (
	CodeNotRecallable  = "not_recallable"  // 409: the completion can no longer be recalled
	CodeNotCountersign = "not_countersign" // 409: the task is not a signer's task of a running countersign
	CodeAlreadySigner  = "already_signer"  // 409: the section signs already
	CodeLastSigner     = "last_signer"     // 409: the only signer left cannot be removed
)

// Task ids are a case id, "/" and a wait id; a child case's id holds "/" too. The API shows
// them with "~" for "/" so that an id pasted into a URL path stays one segment; both forms
// are accepted. Neither case ids (ULIDs) nor wait ids (BPMN ids, which are XML names) hold "~".

// PublicID is id as the API shows it.
func PublicID(id string) string { return strings.ReplaceAll(id, "/", "~") }

// internalID is an id from the API as the store keeps it.
func internalID(id string) string { return strings.ReplaceAll(id, "~", "/") }

// publicTask is t with its ids as the API shows them.
func publicTask(t store.Task) store.Task {
	t.ID, t.CaseID = PublicID(t.ID), PublicID(t.CaseID)
	return t
}

// taskCtx is a task, its case, and what the actor may do with it: the scene it was read
// from, and what the use cases decided of it.
type taskCtx struct {
	p     *Actor
	scene *store.TaskScene
	t     *store.Task
	k     *store.Case
	f     *flow
	info  taskInfo
	v     *Visibility
	// auth is why the actor may act on the task as it stands (nil: they may not).
	auth *Authority
}

// loadTask reads task id's scene and decides what the actor may do with it.
func (a *App) loadTask(ctx context.Context, p *Actor, id string) (*taskCtx, error) {
	now := a.now()
	s, err := store.LoadTaskScene(ctx, a.db, internalID(id), p.UserID, now)
	if err != nil {
		return nil, err
	}
	if s.Memberships, err = a.withSystemSections(ctx, a.db, s.Memberships); err != nil {
		return nil, err
	}
	f, err := a.flow(ctx, s.Case.DefinitionKey, s.Case.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	tc := &taskCtx{p: p, scene: s, t: &s.Task, k: &s.Case, f: f, info: infoOf(s), v: visibilityOf(&s.User, s.Memberships, s.WindowGrants, now)}
	tc.auth, _ = tc.v.authority(tc.info)
	return tc, nil
}

// freeAuthority is the authority the actor would have over the task were nobody holding it.
func (tc *taskCtx) freeAuthority() (*Authority, bool) {
	free := tc.info
	free.Assignee = ""
	return tc.v.authority(free)
}

// mayKnow reports whether the actor deals with the task at all: they may act on it as if it
// were unassigned, hold or own it, or acted on it before.
func (tc *taskCtx) mayKnow() bool {
	if tc.auth != nil || tc.p.isMe(tc.info.Assignee) || tc.p.isMe(tc.t.Owner) {
		return true
	}
	if _, ok := tc.freeAuthority(); ok {
		return true
	}
	return slices.ContainsFunc(tc.scene.Actions, func(x store.Action) bool { return x.ActorID == tc.p.UserID })
}

// mayAct lets an action on an open task through. It refuses with task_closed (to those who
// deal with the task), task_held (someone else holds a task the actor could act on), or
// no_authority (anyone else).
func (tc *taskCtx) mayAct() error {
	if tc.t.State != "open" {
		if !tc.mayKnow() {
			return tc.noAuthority()
		}
		// Say who closed it and when: the clerk who lost the race wants to know whom to ask.
		by := ""
		for i := len(tc.scene.Actions) - 1; i >= 0; i-- {
			if a := tc.scene.Actions[i]; a.TaskID == tc.t.ID && a.Action == store.ActionComplete {
				by = " by " + a.ActorName
				break
			}
		}
		if tc.t.ClosedAt != nil {
			by += " at " + tc.t.ClosedAt.In(store.CaseZone).Format("2006-01-02 15:04")
		}
		return refuse(Conflict, CodeTaskClosed, "task %s (%s of case %s) is %s%s: it takes no more actions", PublicID(tc.t.ID), tc.t.Name, tc.k.Number, tc.t.State, by)
	}
	if tc.auth != nil {
		return nil
	}
	if _, ok := tc.freeAuthority(); ok && tc.info.Assignee != "" {
		return tc.held()
	}
	return tc.noAuthority()
}

// held refuses an action on a task someone else holds, saying who.
func (tc *taskCtx) held() error {
	who := tc.scene.HolderName
	if who == "" {
		who = tc.info.Assignee
	}
	if tc.t.Delegation == store.DelegationPending {
		return refuse(Conflict, CodeTaskHeld, "task %s (%s) is delegated to %s until they give it back", PublicID(tc.t.ID), tc.t.Name, who)
	}
	return refuse(Conflict, CodeTaskHeld, "task %s (%s) is claimed by %s", PublicID(tc.t.ID), tc.t.Name, who)
}

// noAuthority refuses the actor an action on the task, saying whose it is.
func (tc *taskCtx) noAuthority() error {
	t := *tc.t
	t.ID = PublicID(t.ID)
	return whoseTask(tc.p.Username, &t, tc.info)
}

// action starts the log entry of an action on the task under the actor's authority.
func (tc *taskCtx) action(kind string) *store.Action {
	x := &store.Action{CaseID: tc.k.ID, TaskID: tc.t.ID, ElementID: tc.t.ElementID, StepKind: deref(tc.t.StepKind), Action: kind,
		ActorID: tc.p.UserID, ActorName: tc.p.DisplayName, Public: true, At: store.Time(tc.v.At)}
	if tc.auth != nil {
		x.Authority, x.UnitCode, x.GrantID, x.DepartmentID, x.WindowID = tc.auth.Kind, tc.auth.UnitCode, tc.auth.GrantID, tc.auth.DepartmentID, tc.auth.WindowID
	}
	if x.UnitCode == "" && len(tc.info.CandidateGroups) > 0 {
		x.UnitCode = tc.info.CandidateGroups[0]
	}
	return x
}

// openTask reads task id and lets an action on it through (mayAct).
func (a *App) openTask(ctx context.Context, p *Actor, id string) (*taskCtx, error) {
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := tc.mayAct(); err != nil {
		return nil, err
	}
	return tc, nil
}

// record writes an action on a task in one transaction: update (the task's own change, if
// any), the action x in the log, and the engine signal sig (if any) in the outbox; then it
// answers the task as it now is.
func (a *App) record(ctx context.Context, tc *taskCtx, x *store.Action, update func(tx *sqlx.Tx) error, sig *engine.OutboxSignal) (*TaskActionResult, error) {
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if update != nil {
			if err := update(tx); err != nil {
				return err
			}
		}
		if err := out.Act(tc.p, x); err != nil {
			return err
		}
		if sig == nil {
			return nil
		}
		return out.Signal(*sig)
	})
	if err != nil {
		return nil, err
	}
	return a.result(ctx, tc.t.ID, x)
}

// TaskActionResult answers an action on a task: the action as logged and the task after it.
type TaskActionResult struct {
	Action store.Action `json:"action"`
	Task   store.Task   `json:"task"`
}

// result reads the task after an action.
func (a *App) result(ctx context.Context, taskID string, x *store.Action) (*TaskActionResult, error) {
	t, err := store.GetTask(ctx, a.db, taskID)
	if err != nil {
		return nil, err
	}
	act := *x
	act.TaskID, act.CaseID = PublicID(act.TaskID), PublicID(act.CaseID)
	return &TaskActionResult{Action: act, Task: publicTask(*t)}, nil
}

// InboxQuery selects tasks of an inbox.
type InboxQuery struct {
	ItemID   string
	StepKind string
	// DueBefore, if set, keeps the tasks due before it.
	DueBefore time.Time
	// Status is claimed, unclaimed, delegated, warning or overdue (store.InboxStatuses).
	Status string
	Page   Page
}

// Inbox lists the open tasks the actor may act on, the most urgent first: assigned to them,
// offered to one of their units or to them, and the tasks of departments that delegated the
// step to their window (三集中).
func (a *App) Inbox(ctx context.Context, p *Actor, q InboxQuery) (*List[store.InboxTask], error) {
	if !p.HasRole(store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleAdmin, store.RoleSupervisor, store.RoleSystem) {
		return nil, refuse(Forbidden, CodeForbidden, "%s has no inbox: it is for counter staff, reviewers and department systems", p.Username)
	}
	now := a.now()
	v, err := a.visibility(ctx, p.UserID, now)
	if err != nil {
		return nil, err
	}
	after, err := inboxAfter(q.Page)
	if err != nil {
		return nil, err
	}
	reach := v.reach()
	f := store.InboxFilter{ItemID: q.ItemID, StepKind: q.StepKind, Status: q.Status, DueBefore: q.DueBefore, Holders: p.holders(),
		Now: now, Reach: &reach, Limit: q.Page.limit() + 1, After: after}
	items, err := store.ListInbox(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	l := keysetPage(items, q.Page, inboxKey)
	for i := range l.Items {
		l.Items[i].Task = publicTask(l.Items[i].Task)
	}
	return l.withTotal(q.Page, func(most int) (int, error) { return store.CountInbox(ctx, a.db, f, most) })
}

// inboxKey is the cursor key of an inbox task: "d" and its due time, or "u" without one,
// then its creation and id.
func inboxKey(t store.InboxTask) []string {
	k := t.Key()
	part, due := "d", k.DueAt.UTC().Format(time.RFC3339Nano)
	if k.Undue {
		part, due = "u", ""
	}
	return []string{part, due, k.CreatedAt.UTC().Format(time.RFC3339Nano), k.ID}
}

// inboxAfter reads an inbox cursor.
func inboxAfter(p Page) (store.InboxKey, error) {
	vals, err := keysetAfter(p, 4)
	if err != nil || vals == nil {
		return store.InboxKey{}, err
	}
	k := store.InboxKey{Undue: vals[0] == "u", ID: vals[3]}
	var derr, cerr error
	if !k.Undue {
		k.DueAt, derr = time.Parse(time.RFC3339Nano, vals[1])
	}
	k.CreatedAt, cerr = time.Parse(time.RFC3339Nano, vals[2])
	if (vals[0] != "u" && vals[0] != "d") || derr != nil || cerr != nil || k.ID == "" {
		return store.InboxKey{}, badCursor(p)
	}
	return k, nil
}

// Signer is one department of a running countersign.
type Signer struct {
	TaskID  string `json:"taskId"`
	Section string `json:"section" example:"zjj-xzsp"`
	Name    string `json:"name" example:"北流市住房和城乡建设局行政审批股"`
	State   string `json:"state" example:"open"`
}

// TaskDetail is a task with its case (materials, timeline), what completing it takes, and
// why the actor may act on it.
type TaskDetail struct {
	Task store.Task `json:"task"`
	// Units are the names of the units the task is offered to.
	Units           []string `json:"units"`
	CandidateGroups []string `json:"candidateGroups"`
	// Authority is why the actor may act on it now (nil: they may not).
	Authority *Authority `json:"authority,omitempty"`
	// Outcomes are the outcomes to complete it with (empty: none); Requires the variables an
	// outcome needs; Reads the variables the conditions after it read.
	Outcomes []string            `json:"outcomes"`
	Requires map[string][]string `json:"requires"`
	Reads    []string            `json:"reads"`
	// Passed are the steps the case may be returned to (退回), by element id; PassedNames
	// names each (element id → step name) for a picker in plain words.
	Passed      []string          `json:"passed"`
	PassedNames map[string]string `json:"passedNames" example:"acceptance:受理"`
	// Signers are the departments of the countersign this task belongs to.
	Signers []Signer       `json:"signers,omitempty"`
	Actions []store.Action `json:"actions"`
	Case    CaseDetail     `json:"case"`
}

// Task reads a task with its case for the actor: staff who deal with the task or may see
// its case.
func (a *App) Task(ctx context.Context, p *Actor, id string) (*TaskDetail, error) {
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !tc.mayKnow() {
		ok, err := a.maySeeCase(ctx, p, tc.k)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, tc.noAuthority()
		}
	}
	return a.taskDetail(ctx, tc)
}

func (a *App) taskDetail(ctx context.Context, tc *taskCtx) (*TaskDetail, error) {
	n := a.namer(ctx)
	d := &TaskDetail{Task: publicTask(*tc.t), Units: []string{}, CandidateGroups: tc.info.CandidateGroups, Authority: tc.auth,
		Outcomes: []string{}, Requires: map[string][]string{}, Reads: []string{}, Passed: []string{}, PassedNames: map[string]string{}}
	for _, g := range tc.info.CandidateGroups {
		d.Units = append(d.Units, n.unitByCode(g))
	}
	if sc := tc.f.contracts[tc.t.ElementID]; sc != nil {
		d.Outcomes = append(d.Outcomes, sc.Outcomes...)
		for o, vars := range sc.Requires {
			d.Requires[o] = vars
		}
		for v := range sc.Reads {
			d.Reads = append(d.Reads, v)
		}
		sort.Strings(d.Reads)
		if sc.NeedOutcome && deref(tc.t.StepKind) == definitions.StepAcceptance && slices.Contains(sc.Outcomes, standard.OutcomeNotify) {
			d.Requires[standard.OutcomeNotify] = []string{"notice"}
		}
	}
	all, err := store.CaseTasks(ctx, a.db, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	d.Passed = passedSteps(all, tc.t.ElementID)
	for _, t := range all {
		if slices.Contains(d.Passed, t.ElementID) {
			d.PassedNames[t.ElementID] = t.Name
		}
	}
	if tc.t.BodyID != nil {
		for _, s := range all {
			if s.BodyID == nil || *s.BodyID != *tc.t.BodyID {
				continue
			}
			_, groups, err := store.TaskCandidates(ctx, a.db, s.ID)
			if err != nil {
				return nil, err
			}
			sg := Signer{TaskID: PublicID(s.ID), State: s.State}
			if len(groups) > 0 {
				sg.Section, sg.Name = groups[0], n.unitByCode(groups[0])
			}
			d.Signers = append(d.Signers, sg)
		}
	}
	d.Actions = slices.Clone(tc.scene.Actions)
	for i := range d.Actions {
		d.Actions[i].TaskID, d.Actions[i].CaseID = PublicID(d.Actions[i].TaskID), PublicID(d.Actions[i].CaseID)
	}
	cd, err := a.caseDetail(ctx, tc.k, false, forStaff)
	if err != nil {
		return nil, err
	}
	d.Case = *cd
	return d, nil
}

// passedSteps lists the elements of the completed tasks of a case, in the order first
// completed, without current.
func passedSteps(tasks []store.Task, current string) []string {
	done := slices.Clone(tasks)
	slices.SortStableFunc(done, func(a, b store.Task) int {
		switch {
		case a.ClosedAt == nil || b.ClosedAt == nil:
			return 0
		case a.ClosedAt.Before(*b.ClosedAt):
			return -1
		case b.ClosedAt.Before(*a.ClosedAt):
			return 1
		}
		return 0
	})
	out := []string{}
	for _, t := range done {
		if t.State == "completed" && t.ElementID != current && !slices.Contains(out, t.ElementID) {
			out = append(out, t.ElementID)
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
