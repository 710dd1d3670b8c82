package handlers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// Error codes of the task API.
const (
	codeNotRecallable  = "not_recallable"  // 409: the completion can no longer be recalled
	codeNotCountersign = "not_countersign" // 409: the task is not a signer's task of a running countersign
	codeAlreadySigner  = "already_signer"  // 409: the section signs already
	codeLastSigner     = "last_signer"     // 409: the only signer left cannot be removed
)

func (h *api) taskRoutes(public, authed *gin.RouterGroup) {
	staff := requireRole(store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleAdmin, store.RoleSupervisor)
	g := authed.Group("/tasks", staff)
	g.GET("", h.listTasks)
	g.GET("/:id", h.getTask)
	g.POST("/:id/claim", h.claimTask)
	g.POST("/:id/unclaim", h.unclaimTask)
	g.POST("/:id/complete", h.needEngine, h.completeTask)
	g.POST("/:id/handover", h.handOverTask)
	g.POST("/:id/delegate", h.delegateTask)
	g.POST("/:id/resolve", h.resolveTask)
	g.POST("/:id/return", h.needEngine, h.returnTask)
	g.POST("/:id/recall", h.needEngine, h.recallTask)
	g.POST("/:id/signers", h.needEngine, h.addSigner)
	g.POST("/:id/remove-signer", h.needEngine, h.removeSigner)
	g.POST("/:id/comments", h.commentTask)
}

// taskCtx is a task, its case, and what the caller may do with it.
type taskCtx struct {
	p    *Principal
	t    *store.Task
	k    *store.Case
	f    *flowInfo
	info store.TaskInfo
	v    *store.Visibility
	// auth is why the caller may act on the task as it stands (nil: they may not).
	auth *store.Authority
}

func (tc *taskCtx) holders() []string { return []string{tc.p.UserID, tc.p.Username} }

func (tc *taskCtx) isMe(s string) bool { return s != "" && (s == tc.p.UserID || s == tc.p.Username) }

// loadTask reads the task of path parameter id with its case and the caller's authority, or
// answers 400/404.
func (h *api) loadTask(c *gin.Context) (*taskCtx, bool) {
	id, ok := pathName(c, "id", "task id")
	if !ok {
		return nil, false
	}
	ctx := c.Request.Context()
	tc := &taskCtx{p: principalOf(c)}
	err := func() (err error) {
		if tc.t, err = store.GetCaseTask(ctx, h.DB, id); err != nil {
			return err
		}
		if tc.k, err = store.GetCase(ctx, h.DB, tc.t.CaseID); err != nil {
			return fmt.Errorf("task %s: %w", id, err)
		}
		if tc.f, err = h.flow(ctx, tc.k.DefinitionKey, tc.k.DefinitionVersion); err != nil {
			return err
		}
		users, groups, err := store.TaskCandidates(ctx, h.DB, id)
		if err != nil {
			return err
		}
		tc.info = store.TaskInfo{Assignee: deref(tc.t.Assignee), CandidateUsers: users, CandidateGroups: groups,
			StepKind: deref(tc.t.StepKind), ItemID: tc.k.ItemID}
		if tc.v, err = store.TaskVisibility(ctx, h.DB, tc.p.UserID, h.Now()); err != nil {
			return err
		}
		tc.auth, _ = tc.v.Authority(tc.info)
		return nil
	}()
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return tc, true
}

// mayKnow reports whether the caller deals with the task at all: they may act on it as if
// it were unassigned, hold or own it, or acted on it before.
func (h *api) mayKnow(ctx context.Context, tc *taskCtx) bool {
	if tc.auth != nil || tc.isMe(tc.info.Assignee) || tc.isMe(tc.t.Owner) {
		return true
	}
	free := tc.info
	free.Assignee = ""
	if _, ok := tc.v.Authority(free); ok {
		return true
	}
	acts, err := store.TaskActions(ctx, h.DB, tc.t.ID)
	return err == nil && slices.ContainsFunc(acts, func(a store.Action) bool { return a.ActorID == tc.p.UserID })
}

// mayAct lets an action on an open task through, or answers 409 task_closed (to those who
// deal with it) or 403 no_authority (to anyone else).
func (h *api) mayAct(c *gin.Context, tc *taskCtx) bool {
	ctx := c.Request.Context()
	if tc.t.State != "open" {
		if !h.mayKnow(ctx, tc) {
			h.noAuthority(c, tc)
			return false
		}
		writeError(c, http.StatusConflict, codeTaskClosed, fmt.Sprintf("task %s (%s of case %s) is %s: it takes no more actions",
			tc.t.ID, tc.t.Name, tc.k.Number, tc.t.State))
		return false
	}
	if tc.auth == nil {
		h.noAuthority(c, tc)
		return false
	}
	return true
}

// noAuthority answers 403 no_authority saying whose the task is.
func (h *api) noAuthority(c *gin.Context, tc *taskCtx) {
	_, err := store.CanActOnTask(c.Request.Context(), h.DB, tc.p.UserID, tc.t.ID, h.Now())
	if err == nil || !errors.Is(err, store.ErrNoAuthority) {
		err = fmt.Errorf("%s may not act on task %s: %w", tc.p.Username, tc.t.ID, store.ErrNoAuthority)
	}
	h.fail(c, err)
}

// action starts the log entry of an action on the task under the caller's authority.
func (tc *taskCtx) action(kind string) *store.Action {
	a := &store.Action{CaseID: tc.k.ID, TaskID: tc.t.ID, ElementID: tc.t.ElementID, StepKind: deref(tc.t.StepKind), Action: kind,
		ActorID: tc.p.UserID, ActorName: tc.p.DisplayName, Public: true}
	if tc.auth != nil {
		a.Authority, a.UnitCode, a.GrantID, a.DepartmentID, a.WindowID = tc.auth.Kind, tc.auth.UnitCode, tc.auth.GrantID, tc.auth.DepartmentID, tc.auth.WindowID
	}
	if a.UnitCode == "" && len(tc.info.CandidateGroups) > 0 {
		a.UnitCode = tc.info.CandidateGroups[0]
	}
	return a
}

// TaskActionResult answers an action on a task: the action as logged and the task after it.
type TaskActionResult struct {
	Action store.Action `json:"action"`
	Task   store.Task   `json:"task"`
}

// answer writes a TaskActionResult with the task as it now is.
func (h *api) answer(c *gin.Context, status int, taskID string, a *store.Action) {
	t, err := store.GetCaseTask(c.Request.Context(), h.DB, taskID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(status, TaskActionResult{Action: *a, Task: *t})
}

// TaskList is a page of an inbox, the most urgent first.
type TaskList struct {
	Items  []store.InboxTask `json:"items"`
	Total  int               `json:"total" example:"1"`
	Limit  int               `json:"limit" example:"50"`
	Offset int               `json:"offset" example:"0"`
}

// listTasks godoc
//
//	@Summary		The caller's inbox: the open tasks they may act on
//	@Description	Tasks assigned to the caller, offered to one of their units (candidate group = the unit's
//	@Description	code) or to them, and the tasks of departments that delegated the step to the caller's window
//	@Description	(三集中). A task of another unit is not listed. Most urgent first (due time, then age).
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			itemId		query		string	false	"only tasks of cases of this item"
//	@Param			stepKind	query		string	false	"only tasks of this step kind"	Enums(acceptance, review, coordination, approval, certification, delivery)
//	@Param			dueBefore	query		string	false	"only tasks due before this time (RFC 3339 or YYYY-MM-DD)"
//	@Param			status		query		string	false	"claimed (by the caller), unclaimed, delegated (to the caller), warning (past the warning time), overdue"	Enums(claimed, unclaimed, delegated, warning, overdue)
//	@Param			limit		query		int		false	"page size (1-200, default 50)"
//	@Param			offset		query		int		false	"rows to skip"
//	@Success		200			{object}	TaskList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse	"applicants and systems have no inbox"
//	@Router			/api/v1/tasks [get]
func (h *api) listTasks(c *gin.Context) {
	p := principalOf(c)
	ctx := c.Request.Context()
	f := store.InboxFilter{ItemID: c.Query("itemId"), Holders: []string{p.UserID, p.Username}, Now: h.Now()}
	var ok bool
	if f.StepKind, ok = queryOneOf(c, "stepKind", definitions.StepKinds); !ok {
		return
	}
	if f.Status, ok = queryOneOf(c, "status", store.InboxStatuses); !ok {
		return
	}
	if f.DueBefore, ok = queryDateTime(c, "dueBefore"); !ok {
		return
	}
	if f.Limit, ok = queryInt(c, "limit", 50, 1, 200); !ok {
		return
	}
	if f.Offset, ok = queryInt(c, "offset", 0, 0, 1<<30); !ok {
		return
	}
	v, err := store.TaskVisibility(ctx, h.DB, p.UserID, h.Now())
	if err != nil {
		h.fail(c, err)
		return
	}
	f.Clause, f.Args = v.Clause("t", "c.item_id")
	items, total, err := store.ListInbox(ctx, h.DB, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, TaskList{Items: items, Total: total, Limit: f.Limit, Offset: f.Offset})
}

// Signer is one department of a running countersign.
type Signer struct {
	TaskID  string `json:"taskId"`
	Section string `json:"section" example:"zjj-xzsp"`
	Name    string `json:"name" example:"北流市住房和城乡建设局行政审批股"`
	State   string `json:"state" example:"open"`
}

// TaskDetail is a task with its case (materials, timeline), what completing it takes, and
// why the caller may act on it.
type TaskDetail struct {
	Task store.Task `json:"task"`
	// Units are the names of the units the task is offered to.
	Units           []string `json:"units"`
	CandidateGroups []string `json:"candidateGroups"`
	// Authority is why the caller may act on it now (nil: they may not).
	Authority *store.Authority `json:"authority,omitempty"`
	// Outcomes are the outcomes to complete it with (empty: none); Requires the variables an
	// outcome needs; Reads the variables the conditions after it read.
	Outcomes []string            `json:"outcomes"`
	Requires map[string][]string `json:"requires"`
	Reads    []string            `json:"reads"`
	// Passed are the steps the case may be returned to (退回).
	Passed []string `json:"passed"`
	// Signers are the departments of the countersign this task belongs to.
	Signers []Signer       `json:"signers,omitempty"`
	Actions []store.Action `json:"actions"`
	Case    CaseDetail     `json:"case"`
}

// getTask godoc
//
//	@Summary		A task with its case, materials, timeline and what completing it takes
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id (case id + / + wait id; send the / as %2F)"
//	@Success		200	{object}	TaskDetail
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority: the task is another unit's"
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/tasks/{id} [get]
func (h *api) getTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if !h.mayKnow(ctx, tc) {
		scope, err := h.caseScope(ctx, tc.p)
		if err != nil {
			h.fail(c, err)
			return
		}
		if ok, err := store.CanSeeCase(ctx, h.DB, scope, tc.k.ID); err != nil || !ok {
			if err != nil {
				h.fail(c, err)
			} else {
				h.noAuthority(c, tc)
			}
			return
		}
	}
	d, err := h.taskDetail(ctx, tc)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *api) taskDetail(ctx context.Context, tc *taskCtx) (*TaskDetail, error) {
	n := h.namer(ctx)
	d := &TaskDetail{Task: *tc.t, Units: []string{}, CandidateGroups: tc.info.CandidateGroups, Authority: tc.auth,
		Outcomes: []string{}, Requires: map[string][]string{}, Reads: []string{}, Passed: []string{}}
	for _, g := range tc.info.CandidateGroups {
		d.Units = append(d.Units, n.unitByCode(g))
	}
	if sc := tc.f.steps[tc.t.ElementID]; sc != nil {
		d.Outcomes = append(d.Outcomes, sc.Outcomes...)
		maps.Copy(d.Requires, sc.Requires)
		for v := range sc.Reads {
			d.Reads = append(d.Reads, v)
		}
		sort.Strings(d.Reads)
		if sc.NeedOutcome && deref(tc.t.StepKind) == definitions.StepAcceptance && slices.Contains(sc.Outcomes, standard.OutcomeNotify) {
			d.Requires[standard.OutcomeNotify] = []string{"notice"}
		}
	}
	all, err := store.ListCaseTasks(ctx, h.DB, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	d.Passed = passedSteps(all, tc.t.ElementID)
	if tc.t.BodyID != nil {
		for _, s := range all {
			if s.BodyID == nil || *s.BodyID != *tc.t.BodyID {
				continue
			}
			_, groups, err := store.TaskCandidates(ctx, h.DB, s.ID)
			if err != nil {
				return nil, err
			}
			sg := Signer{TaskID: s.ID, State: s.State}
			if len(groups) > 0 {
				sg.Section, sg.Name = groups[0], n.unitByCode(groups[0])
			}
			d.Signers = append(d.Signers, sg)
		}
	}
	if d.Actions, err = store.TaskActions(ctx, h.DB, tc.t.ID); err != nil {
		return nil, err
	}
	cd, err := h.caseDetail(ctx, tc.k, false, true)
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

// claimTask godoc
//
//	@Summary		Claim a task: it becomes the caller's alone
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id (send the / as %2F)"
//	@Success		200	{object}	TaskActionResult
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"task_closed, or task_held (claimed by someone else)"
//	@Router			/api/v1/tasks/{id}/claim [post]
func (h *api) claimTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	if tc.t.State == "open" && tc.info.Assignee != "" && !tc.isMe(tc.info.Assignee) && h.mayKnow(c.Request.Context(), tc) {
		h.fail(c, fmt.Errorf("task %s (%s) is claimed by %s: %w", tc.t.ID, tc.t.Name, h.namer(c.Request.Context()).user(tc.info.Assignee), store.ErrTaskHeld))
		return
	}
	if !h.mayAct(c, tc) {
		return
	}
	a := tc.action(store.ActionClaim)
	if tc.isMe(tc.info.Assignee) {
		h.answer(c, http.StatusOK, tc.t.ID, a) // claimed already: nothing changes
		return
	}
	ctx := c.Request.Context()
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.ClaimTask(ctx, tx, tc.t.ID, tc.p.UserID, h.Now()); err != nil {
			return err
		}
		return store.RecordAction(ctx, tx, a)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusOK, tc.t.ID, a)
}

// unclaimTask godoc
//
//	@Summary		Give a claimed task back to its units
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id (send the / as %2F)"
//	@Success		200	{object}	TaskActionResult
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"task_closed; task_held (not the caller's, or delegated)"
//	@Router			/api/v1/tasks/{id}/unclaim [post]
func (h *api) unclaimTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok || !h.mayAct(c, tc) {
		return
	}
	ctx := c.Request.Context()
	a := tc.action(store.ActionUnclaim)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.UnclaimTask(ctx, tx, tc.t.ID, tc.holders()); err != nil {
			return err
		}
		return store.RecordAction(ctx, tx, a)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusOK, tc.t.ID, a)
}

// NoticeInput is the notice (一次性告知书) that completes an acceptance with outcome notify.
type NoticeInput struct {
	// Materials lists every missing or defective material, at once.
	Materials []store.NoticeItem `json:"materials" validate:"required,min=1,max=50"`
	Note      string             `json:"note,omitempty" validate:"max=2000" example:"请于补正后重新提交"`
}

// CompleteRequest completes a task.
type CompleteRequest struct {
	// Outcome is one of the step's outcomes (GET /api/v1/tasks/{id} lists them): accept, refuse,
	// notify (acceptance); approve, reject (approval); agree, object (countersign); resolved,
	// rereview (coordination); none for review, certification and delivery.
	Outcome string `json:"outcome,omitempty" validate:"max=64" example:"accept"`
	// Reason fills the variable the outcome needs: refusalReason (refuse), decisionReason
	// (reject), objection (object).
	Reason string `json:"reason,omitempty" validate:"max=2000"`
	// Variables are set on the case; the conditions after the step may read them.
	Variables map[string]any `json:"variables,omitempty" swaggertype:"object"`
	// Comment is the opinion (意见) written with the completion; staff see it.
	Comment string `json:"comment,omitempty" validate:"max=2000" example:"材料齐全，符合法定形式"`
	// Notice is required with outcome notify.
	Notice *NoticeInput `json:"notice,omitempty"`
}

// completeTask godoc
//
//	@Summary		Complete a task with an outcome (accept, refuse, notify once, approve, reject, agree, object ...)
//	@Description	Validates the outcome against the step (and the variables it needs: refuse → reason, reject →
//	@Description	reason, object → reason, notify → notice with every missing or defective material; every variable
//	@Description	the conditions after the step read) before changing anything, records who completed it under which
//	@Description	authority, and moves the case on. Of two people completing one task at once, one succeeds and
//	@Description	the other gets 409 task_closed. A second notice on a case is 409 notify_once.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		CompleteRequest	true	"outcome and variables"
//	@Success		202		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming outcome, reason, notice.materials or variables.X"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held (claimed by or delegated to someone else), notify_once, case_withdrawn"
//	@Router			/api/v1/tasks/{id}/complete [post]
func (h *api) completeTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req CompleteRequest
	if !h.bindOptional(c, &req) || !h.mayAct(c, tc) {
		return
	}
	vars, reason, err := h.checkCompletion(tc, &req)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	sig, err := engine.CompleteTask(tc.t.ID, req.Outcome, vars, false)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.Now()
	a := tc.action(store.ActionComplete)
	a.Outcome, a.Comment, a.At = req.Outcome, strings.TrimSpace(req.Comment), now
	a.Detail = map[string]any{}
	if reason != "" {
		a.Detail["reason"] = reason
	}
	if len(vars) > 0 {
		a.Detail["variables"] = anySlice(slices.Sorted(maps.Keys(vars)))
	}
	kind := deref(tc.t.StepKind)
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.TakeTaskFor(ctx, tx, tc.t.ID, tc.holders()); err != nil {
			return err
		}
		switch {
		case req.Outcome == standard.OutcomeNotify:
			n := &store.Notice{CaseID: tc.k.ID, TaskID: tc.t.ID, ItemID: tc.k.ItemID, ItemVersion: tc.k.ItemVersion,
				Materials: req.Notice.Materials, Note: strings.TrimSpace(req.Notice.Note), IssuedBy: tc.p.UserID}
			if err := store.IssueNotice(ctx, tx, n); err != nil {
				return prefixField(err, "notice.")
			}
			names := make([]any, len(n.Materials))
			for i, m := range n.Materials {
				names[i] = m.Name
			}
			a.Detail["materials"], a.Detail["noticeId"] = names, n.ID
		case kind == definitions.StepAcceptance && req.Outcome == standard.OutcomeAccept:
			if err := store.SetCaseAccepted(ctx, tx, tc.k.ID, now); err != nil {
				return err
			}
		case kind == definitions.StepAcceptance && req.Outcome == standard.OutcomeRefuse:
			if err := store.SetCaseDecision(ctx, tx, tc.k.ID, store.DecisionRefuse, reason, now); err != nil {
				return err
			}
			a.Detail["decision"] = store.DecisionRefuse
		case kind == definitions.StepApproval && (req.Outcome == standard.OutcomeApprove || req.Outcome == standard.OutcomeReject):
			if err := store.SetCaseDecision(ctx, tx, tc.k.ID, req.Outcome, reason, now); err != nil {
				return err
			}
			a.Detail["decision"] = req.Outcome
		}
		return recordAndQueue(ctx, tx, a, &sig)
	})
	if errors.Is(err, store.ErrNotifyOnce) {
		// E-supervision: a second notice attempted on the case breaks notify-once (一次性告知);
		// recorded outside the transaction that was just rolled back.
		if _, rerr := store.RecordRuleAlert(ctx, h.DB, store.RuleAlert{CaseID: tc.k.ID, TaskID: tc.t.ID, Element: tc.t.ElementID,
			StepKind: kind, Rule: store.RuleNoticeTwice, Detail: err.Error(), At: now}); rerr != nil {
			h.log(c).Error("recording a notice issued twice", "case", tc.k.ID, "err", rerr)
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	h.answer(c, http.StatusAccepted, tc.t.ID, a)
}

// checkCompletion checks a completion against the step's contract and returns the variables
// to set and the reason given, or an *InvalidError naming the field.
func (h *api) checkCompletion(tc *taskCtx, req *CompleteRequest) (map[string]any, string, error) {
	vars := maps.Clone(req.Variables)
	if vars == nil {
		vars = map[string]any{}
	}
	system := store.StartVariableNames()
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if slices.Contains(engineVariables, name) || slices.Contains(system, name) || name == "initiator" {
			return nil, "", store.Invalid("variables."+name, "is set by the system, not by a completion")
		}
	}
	step := tc.t.Name
	sc := tc.f.steps[tc.t.ElementID]
	if sc == nil {
		sc = &stepContract{Requires: map[string][]string{}, Reads: map[string]string{}}
	}
	o := req.Outcome
	switch {
	case sc.NeedOutcome && o == "":
		return nil, "", store.Invalid("outcome", "step %s completes with one of %s", step, strings.Join(sc.Outcomes, ", "))
	case sc.NeedOutcome && !slices.Contains(sc.Outcomes, o):
		return nil, "", store.Invalid("outcome", "%q is not an outcome of step %s: use one of %s", o, step, strings.Join(sc.Outcomes, ", "))
	case !sc.NeedOutcome && o != "" && !sc.MultiInstance:
		return nil, "", store.Invalid("outcome", "step %s completes without an outcome", step)
	}
	reason := strings.TrimSpace(req.Reason)
	for _, name := range sc.Requires[o] {
		if _, ok := vars[name]; !ok && reason != "" {
			vars[name] = reason
		}
		s, _ := vars[name].(string)
		if strings.TrimSpace(s) == "" {
			return nil, "", store.Invalid("reason", "the outcome %s of step %s needs a reason (reason, or variables.%s)", o, step, name)
		}
		reason = strings.TrimSpace(s)
	}
	if o == standard.OutcomeNotify && (req.Notice == nil || len(req.Notice.Materials) == 0) {
		return nil, "", store.Invalid("notice.materials", "notify once lists every missing or defective material of the application")
	}
	if o != standard.OutcomeNotify && req.Notice != nil {
		return nil, "", store.Invalid("notice", "a notice goes with the outcome notify only")
	}
	have := tc.k.Vars()
	for _, name := range slices.Sorted(maps.Keys(sc.Reads)) {
		if _, ok := vars[name]; ok {
			continue
		}
		if _, ok := have[name]; !ok {
			return nil, "", store.Invalid("variables."+name, "is read by the condition %s after step %s: set it", sc.Reads[name], step)
		}
	}
	return vars, reason, nil
}

// PersonRequest names the person a task goes to.
type PersonRequest struct {
	UserID string `json:"userId" validate:"required,id" example:"01jd5q3k8m0000000000000010"`
	Reason string `json:"reason,omitempty" validate:"max=2000" example:"该申请涉及专业审查，转由专人办理"`
}

// person checks the user a task is handed over or delegated to: an enabled staff member
// other than the caller.
func (h *api) person(ctx context.Context, tc *taskCtx, id string) (*store.User, error) {
	u, err := store.GetUser(ctx, h.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Invalid("userId", "user %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case u.ID == tc.p.UserID:
		return nil, store.Invalid("userId", "that is you")
	case u.Kind != store.UserStaff || u.Disabled:
		return nil, store.Invalid("userId", "%s is not an active staff member", u.Username)
	}
	return u, nil
}

// handOverTask godoc
//
//	@Summary		Hand a task over to another person for good (转办)
//	@Description	The person must be able to act on the task themselves (one of its units, or a delegation).
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		PersonRequest	true	"to whom"
//	@Success		200		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: userId is unknown, you, or may not act on the task"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Router			/api/v1/tasks/{id}/handover [post]
func (h *api) handOverTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req PersonRequest
	if !h.bind(c, &req) || !h.mayAct(c, tc) {
		return
	}
	ctx := c.Request.Context()
	u, err := h.person(ctx, tc, req.UserID)
	if err == nil {
		var v *store.Visibility
		if v, err = store.TaskVisibility(ctx, h.DB, u.ID, h.Now()); err == nil {
			free := tc.info
			free.Assignee = ""
			if _, ok := v.Authority(free); !ok {
				err = store.Invalid("userId", "%s may not act on this task: none of their units is one of %s and no delegation covers it",
					u.Username, strings.Join(tc.info.CandidateGroups, ", "))
			}
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	a := tc.action(store.ActionHandover)
	a.TargetUser, a.Comment = u.ID, strings.TrimSpace(req.Reason)
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.HandOverTask(ctx, tx, tc.t.ID, tc.holders(), u.ID, h.Now()); err != nil {
			return err
		}
		return store.RecordAction(ctx, tx, a)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusOK, tc.t.ID, a)
}

// delegateTask godoc
//
//	@Summary		Delegate a task to another person who works on it and gives it back (委派)
//	@Description	The caller stays its owner: the delegate resolves it (POST .../resolve), and the owner completes it.
//	@Description	While delegated, nobody completes it.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		PersonRequest	true	"to whom"
//	@Success		200		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Router			/api/v1/tasks/{id}/delegate [post]
func (h *api) delegateTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req PersonRequest
	if !h.bind(c, &req) || !h.mayAct(c, tc) {
		return
	}
	ctx := c.Request.Context()
	u, err := h.person(ctx, tc, req.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	a := tc.action(store.ActionDelegate)
	a.TargetUser, a.Comment = u.ID, strings.TrimSpace(req.Reason)
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.DelegateTask(ctx, tx, tc.t.ID, tc.holders(), tc.p.UserID, u.ID, h.Now()); err != nil {
			return err
		}
		return store.RecordAction(ctx, tx, a)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusOK, tc.t.ID, a)
}

// CommentRequest is an opinion (意见) on a task.
type CommentRequest struct {
	Text string `json:"text" validate:"required,max=4000" example:"已核对原件，与复印件一致"`
	// Public shows it to the applicant too; by default staff only see it.
	Public bool `json:"public,omitempty"`
}

// resolveTask godoc
//
//	@Summary		Give a delegated task back to its owner (委派归还; the owner may also take it back)
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		CommentRequest	false	"what the delegate found"
//	@Success		200		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"neither the delegate nor the owner"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, or conflict: not delegated"
//	@Router			/api/v1/tasks/{id}/resolve [post]
func (h *api) resolveTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req CommentRequest
	if !h.bindOptional(c, &req) {
		return
	}
	if !tc.isMe(tc.info.Assignee) && !tc.isMe(tc.t.Owner) {
		if !h.mayAct(c, tc) {
			return
		}
		writeError(c, http.StatusForbidden, codeNoAuthority, fmt.Sprintf("only the delegate or the owner of task %s resolves it", tc.t.ID))
		return
	}
	ctx := c.Request.Context()
	a := tc.action(store.ActionResolve)
	a.TargetUser, a.Comment = tc.t.Owner, strings.TrimSpace(req.Text)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.ResolveTask(ctx, tx, tc.t.ID, h.Now()); err != nil {
			return err
		}
		return store.RecordAction(ctx, tx, a)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusOK, tc.t.ID, a)
}

// ReturnRequest sends a case back to an earlier step (退回).
type ReturnRequest struct {
	// Target is the element id of a step the case has passed (GET /api/v1/tasks/{id} lists them in passed).
	Target string `json:"target" validate:"required,max=128" example:"acceptance"`
	Reason string `json:"reason" validate:"required,max=2000" example:"申请书签字不全，退回受理环节重新核对"`
}

// returnTask godoc
//
//	@Summary		Return the case to an earlier step of its path (退回)
//	@Description	The task ends and the target step (one the case has completed before) starts again. From a
//	@Description	countersign the whole countersign ends. A decision made since the target step is undone.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		ReturnRequest	true	"where to and why"
//	@Success		202		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: target is not a step the case passed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Router			/api/v1/tasks/{id}/return [post]
func (h *api) returnTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req ReturnRequest
	if !h.bind(c, &req) || !h.mayAct(c, tc) {
		return
	}
	ctx := c.Request.Context()
	all, err := store.ListCaseTasks(ctx, h.DB, tc.k.ID, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	passed := passedSteps(all, tc.t.ElementID)
	target := strings.TrimSpace(req.Target)
	switch {
	case target == tc.t.ElementID:
		err = store.Invalid("target", "the case is at step %s now: return it to an earlier step (%s)", target, strings.Join(passed, ", "))
	case !slices.Contains(passed, target):
		err = store.Invalid("target", "the case has not passed a step %q: it may go back to %s", target, strings.Join(orNoStep(passed), ", "))
	case tc.f.proc.Node(target).Parent != tc.f.proc.Node(tc.t.ElementID).Parent:
		err = store.Invalid("target", "step %s lies in another sub-process", target)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Undo a decision taken at or after the target step's first completion.
	undo := false
	if tc.k.DecidedAt != nil {
		for _, t := range all {
			if t.ElementID == target && t.State == "completed" && t.ClosedAt != nil && !t.ClosedAt.After(*tc.k.DecidedAt) {
				undo = true
			}
		}
	}
	sig, err := engine.MoveTask(tc.t.ID, target)
	if err != nil {
		h.fail(c, err)
		return
	}
	a := tc.action(store.ActionReturn)
	a.Target, a.Comment = target, strings.TrimSpace(req.Reason)
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.TakeTaskFor(ctx, tx, tc.t.ID, tc.holders()); err != nil {
			return err
		}
		if undo {
			if err := store.ClearCaseDecision(ctx, tx, tc.k.ID); err != nil {
				return err
			}
		}
		if n := tc.f.proc.Node(target); n.Step != nil && n.Step.Kind == definitions.StepAcceptance {
			if err := store.ClearCaseAccepted(ctx, tx, tc.k.ID); err != nil {
				return err
			}
		}
		return recordAndQueue(ctx, tx, a, &sig)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	h.answer(c, http.StatusAccepted, tc.t.ID, a)
}

func orNoStep(s []string) []string {
	if len(s) == 0 {
		return []string{"no step (it has passed none)"}
	}
	return s
}

// RecallRequest takes back one's own completion (撤回).
type RecallRequest struct {
	Reason string `json:"reason,omitempty" validate:"max=2000" example:"结果填写有误"`
}

// recallTask godoc
//
//	@Summary		Recall one's own completion while the next step has not started (撤回)
//	@Description	The task is the caller's completed task. Allowed while every open task of the case came after it
//	@Description	and nobody has claimed or acted on them; the step starts again for the caller's units. A
//	@Description	countersign opinion cannot be recalled.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"the caller's completed task (send the / as %2F)"
//	@Param			body	body		RecallRequest	false	"why"
//	@Success		202		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: someone else completed it"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_recallable: the next step has started, or the task is not completed"
//	@Router			/api/v1/tasks/{id}/recall [post]
func (h *api) recallTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req RecallRequest
	if !h.bindOptional(c, &req) {
		return
	}
	ctx := c.Request.Context()
	acts, err := store.TaskActions(ctx, h.DB, tc.t.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	var done *store.Action
	for i := range acts {
		if acts[i].Action == store.ActionComplete {
			done = &acts[i]
		}
	}
	if done == nil || done.ActorID != tc.p.UserID {
		if tc.t.State == "open" && tc.auth != nil {
			writeError(c, http.StatusConflict, codeNotRecallable, fmt.Sprintf("task %s is still open: there is nothing to recall", tc.t.ID))
			return
		}
		h.fail(c, fmt.Errorf("only who completed task %s (%s) may recall it: %w", tc.t.ID, tc.t.Name, store.ErrNoAuthority))
		return
	}
	notRecallable := func(format string, args ...any) {
		writeError(c, http.StatusConflict, codeNotRecallable, fmt.Sprintf(format, args...))
	}
	switch {
	case tc.t.State != "completed":
		notRecallable("task %s is %s, not completed yet: try again in a moment", tc.t.ID, tc.t.State)
		return
	case tc.t.LoopCounter >= 0:
		notRecallable("task %s is one department's opinion in a countersign: it cannot be recalled", tc.t.ID)
		return
	case tc.k.Ended() || tc.k.WithdrawnAt != nil:
		notRecallable("case %s has ended", tc.k.Number)
		return
	}
	all, err := store.ListCaseTasks(ctx, h.DB, tc.k.ID, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	var open []store.Task
	for _, t := range all {
		switch {
		case t.ID == tc.t.ID:
		case t.State == "completed" && t.ClosedAt != nil && t.ClosedAt.After(*tc.t.ClosedAt):
			notRecallable("the step %s after it has been completed already", t.Name)
			return
		case t.State == "open" || t.State == "completing":
			if t.State == "completing" || t.CreatedAt.Before(*tc.t.ClosedAt) || t.Assignee != nil {
				notRecallable("the next step %s has started (it is claimed or being completed)", t.Name)
				return
			}
			if len(open) > 0 && open[0].ElementID != t.ElementID {
				notRecallable("the case went on to several steps at once (%s, %s)", open[0].Name, t.Name)
				return
			}
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		notRecallable("the case does not wait at a step after task %s (it may wait for the applicant's supplement)", tc.t.ID)
		return
	}
	for _, t := range open {
		if ta, err := store.TaskActions(ctx, h.DB, t.ID); err != nil || len(ta) > 0 {
			if err != nil {
				h.fail(c, err)
			} else {
				notRecallable("someone has acted on the next step %s already", t.Name)
			}
			return
		}
	}
	sig, err := engine.MoveTask(open[0].ID, tc.t.ElementID)
	if err != nil {
		h.fail(c, err)
		return
	}
	free := tc.info
	free.Assignee = ""
	tc.auth, _ = tc.v.Authority(free)
	a := tc.action(store.ActionRecall)
	a.Comment, a.Target = strings.TrimSpace(req.Reason), open[0].ElementID
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, t := range open {
			if err := store.TakeTaskFor(ctx, tx, t.ID, tc.holders()); err != nil {
				return fmt.Errorf("the next step has started meanwhile: %w", err)
			}
		}
		if done.Detail["decision"] != nil {
			if err := store.ClearCaseDecision(ctx, tx, tc.k.ID); err != nil {
				return err
			}
		}
		if done.StepKind == definitions.StepAcceptance && done.Outcome == standard.OutcomeAccept {
			if err := store.ClearCaseAccepted(ctx, tx, tc.k.ID); err != nil {
				return err
			}
		}
		return recordAndQueue(ctx, tx, a, &sig)
	})
	if errors.Is(err, store.ErrConflict) {
		writeError(c, http.StatusConflict, codeNotRecallable, err.Error())
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	h.answer(c, http.StatusAccepted, tc.t.ID, a)
}

// countersignCtx checks that tc is a signer's task of a running countersign and that the
// caller acts for the case's lead section, who adds and removes signers. It answers 409 or
// 403 and returns false otherwise.
func (h *api) countersignCtx(c *gin.Context, tc *taskCtx) bool {
	if tc.t.State != "open" {
		return h.mayAct(c, tc)
	}
	if tc.t.BodyID == nil || tc.t.LoopCounter < 0 {
		writeError(c, http.StatusConflict, codeNotCountersign, fmt.Sprintf("task %s (%s) is not a signer's task of a countersign", tc.t.ID, tc.t.Name))
		return false
	}
	lead, _ := tc.k.Vars()["leadSection"].(string)
	auth, ok := tc.v.Authority(store.TaskInfo{CandidateGroups: []string{lead}, StepKind: tc.info.StepKind, ItemID: tc.k.ItemID})
	if lead == "" || !ok {
		h.fail(c, fmt.Errorf("%s does not act for the lead section %s of case %s, which adds and removes signers: %w",
			tc.p.Username, lead, tc.k.Number, store.ErrNoAuthority))
		return false
	}
	tc.auth = auth
	return true
}

// removing reports whether t is a signer's task whose removal (减签) is on its way to the
// engine: it no longer counts as a signer.
func (h *api) removing(ctx context.Context, t *store.Task) bool {
	if t.State != "completing" {
		return false
	}
	acts, err := store.TaskActions(ctx, h.DB, t.ID)
	return err == nil && len(acts) > 0 && acts[len(acts)-1].Action == store.ActionRemoveSigner
}

// SignerRequest adds a department's section to a running countersign (加签).
type SignerRequest struct {
	SectionID string `json:"sectionId" validate:"required,id" example:"01jd5q3k8m0000000000000020"`
	Reason    string `json:"reason,omitempty" validate:"max=2000" example:"涉及消防审查，增加消防部门会签"`
}

// addSigner godoc
//
//	@Summary		Add a signer (a department's section) to a running countersign (加签)
//	@Description	The task is any open signer's task of the countersign; the caller acts for the case's lead
//	@Description	section (as one of its members, or under its delegation). The new section gets its own task.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"an open signer's task (send the / as %2F)"
//	@Param			body	body		SignerRequest	true	"the section"
//	@Success		202		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: sectionId is not a section"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: not the lead section"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_countersign, already_signer, task_closed"
//	@Router			/api/v1/tasks/{id}/signers [post]
func (h *api) addSigner(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req SignerRequest
	if !h.bind(c, &req) || !h.countersignCtx(c, tc) {
		return
	}
	ctx := c.Request.Context()
	sec, err := store.GetOrgUnit(ctx, h.DB, req.SectionID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sec.Kind != store.KindSection) {
		err = store.Invalid("sectionId", "%s is not a department's section", req.SectionID)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	all, err := store.ListCaseTasks(ctx, h.DB, tc.k.ID, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, t := range all {
		if t.BodyID == nil || *t.BodyID != *tc.t.BodyID || (t.State != "open" && t.State != "completing") || h.removing(ctx, &t) {
			continue
		}
		_, groups, err := store.TaskCandidates(ctx, h.DB, t.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		if slices.Contains(groups, sec.Code) {
			writeError(c, http.StatusConflict, codeAlreadySigner, fmt.Sprintf("%s (%s) signs this countersign already (task %s)", sec.Name, sec.Code, t.ID))
			return
		}
	}
	sig := engine.AddSigner(tc.k.ID, *tc.t.BodyID, sec.Code)
	a := tc.action(store.ActionAddSigner)
	a.Target, a.Comment = sec.Code, strings.TrimSpace(req.Reason)
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		return recordAndQueue(ctx, tx, a, &sig)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	h.answer(c, http.StatusAccepted, tc.t.ID, a)
}

// removeSigner godoc
//
//	@Summary		Remove a signer from a running countersign (减签)
//	@Description	The task is the signer's open task; the caller acts for the case's lead section. The only
//	@Description	signer left of a countersign nobody has signed yet cannot be removed.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"the signer's open task (send the / as %2F)"
//	@Param			body	body		RecallRequest	false	"why"
//	@Success		202		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: not the lead section"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_countersign, last_signer, task_closed"
//	@Router			/api/v1/tasks/{id}/remove-signer [post]
func (h *api) removeSigner(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req RecallRequest
	if !h.bindOptional(c, &req) {
		return
	}
	if !h.countersignCtx(c, tc) {
		return
	}
	ctx := c.Request.Context()
	all, err := store.ListCaseTasks(ctx, h.DB, tc.k.ID, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	others, signed := 0, 0
	for _, t := range all {
		if t.ID == tc.t.ID || t.BodyID == nil || *t.BodyID != *tc.t.BodyID {
			continue
		}
		switch {
		case t.State == "open":
			others++
		case t.State == "completing" && !h.removing(ctx, &t):
			signed++ // a completion on its way
		case t.State == "completed":
			signed++
		}
	}
	if others == 0 && signed == 0 {
		writeError(c, http.StatusConflict, codeLastSigner, fmt.Sprintf("%s is the only signer of the countersign: it cannot be removed", tc.t.Name))
		return
	}
	sig, err := engine.RemoveSigner(tc.t.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	a := tc.action(store.ActionRemoveSigner)
	a.Comment = strings.TrimSpace(req.Reason)
	if len(tc.info.CandidateGroups) > 0 {
		a.Target = tc.info.CandidateGroups[0]
	}
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.TakeTask(ctx, tx, tc.t.ID); err != nil {
			return fmt.Errorf("%w (%v)", store.ErrTaskClosed, err)
		}
		return recordAndQueue(ctx, tx, a, &sig)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	h.answer(c, http.StatusAccepted, tc.t.ID, a)
}

// commentTask godoc
//
//	@Summary		Write an opinion (意见) on a task
//	@Description	Staff dealing with the task see it in the case's timeline; with public true the applicant too.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"task id (send the / as %2F)"
//	@Param			body	body		CommentRequest	true	"the opinion"
//	@Success		201		{object}	TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/tasks/{id}/comments [post]
func (h *api) commentTask(c *gin.Context) {
	tc, ok := h.loadTask(c)
	if !ok {
		return
	}
	var req CommentRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	if !h.mayKnow(ctx, tc) {
		h.noAuthority(c, tc)
		return
	}
	a := tc.action(store.ActionComment)
	a.Comment, a.Public = strings.TrimSpace(req.Text), req.Public
	if err := store.RecordAction(ctx, h.DB, a); err != nil {
		h.fail(c, err)
		return
	}
	h.answer(c, http.StatusCreated, tc.t.ID, a)
}

// recordAndQueue logs an action on a task and queues the signal that
// carries it to the case, in the caller's transaction: the log and the
// signal stand or fall together.
func recordAndQueue(ctx context.Context, tx *sqlx.Tx, a *store.Action, sig *engine.OutboxSignal) error {
	if err := store.RecordAction(ctx, tx, a); err != nil {
		return err
	}
	return store.EnqueueSignal(ctx, tx, sig)
}
