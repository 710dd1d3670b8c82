package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

func (h *api) taskRoutes(public, authed *gin.RouterGroup) {
	staff := requireRole(store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleAdmin, store.RoleSupervisor, store.RoleSystem)
	g := authed.Group("/tasks", staff)
	g.GET("", h.listTasks)
	g.GET("/:id", h.getTask)
	g.POST("/:id/claim", h.claimTask)
	g.POST("/:id/unclaim", h.unclaimTask)
	g.POST("/:id/complete", h.completeTask)
	g.POST("/:id/handover", h.handOverTask)
	g.POST("/:id/delegate", h.delegateTask)
	g.POST("/:id/resolve", h.resolveTask)
	g.POST("/:id/return", h.returnTask)
	g.POST("/:id/recall", h.recallTask)
	g.POST("/:id/signers", h.addSigner)
	g.POST("/:id/remove-signer", h.removeSigner)
	g.POST("/:id/comments", h.commentTask)
}

// inboxQuery filters the inbox.
type inboxQuery struct {
	ItemID    string `form:"itemId" validate:"omitempty,id"`
	StepKind  string `form:"stepKind" validate:"omitempty,oneof=acceptance review coordination approval certification delivery"`
	DueBefore string `form:"dueBefore" validate:"max=40"`
	Status    string `form:"status" validate:"omitempty,oneof=claimed unclaimed delegated warning overdue"`
	pageQuery
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
//	@Param			after		query		string	false	"the next cursor of the page before"
//	@Param			count	query		bool	false	"true: count the matches, up to 10,000 (total; totalCapped when there are more)"
//	@Success		200			{object}	app.List[store.InboxTask]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse	"applicants and systems have no inbox"
//	@Router			/api/v1/tasks [get]
func (h *api) listTasks(c *gin.Context) {
	var q inboxQuery
	if !h.bindQuery(c, &q) {
		return
	}
	due, ok := parseQueryTime(c, "dueBefore", q.DueBefore)
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.Inbox(c.Request.Context(), principalOf(c),
		app.InboxQuery{ItemID: q.ItemID, StepKind: q.StepKind, Status: q.Status, DueBefore: due, Page: q.page()}))
}

// getTask godoc
//
//	@Summary		A task with its case, materials, timeline and what completing it takes
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id as GET /api/v1/tasks lists it (case id ~ wait id; the older form with %2F is accepted too)"
//	@Success		200	{object}	app.TaskDetail
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority: the task is another unit's"
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/tasks/{id} [get]
func (h *api) getTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.Task(c.Request.Context(), principalOf(c), id))
}

// claimTask godoc
//
//	@Summary		Claim a task: it becomes the caller's alone
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id"
//	@Success		200	{object}	app.TaskActionResult
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"task_closed, or task_held (claimed by someone else)"
//	@Router			/api/v1/tasks/{id}/claim [post]
func (h *api) claimTask(c *gin.Context) {
	if id, ok := pathName(c, "id", "task id"); ok {
		h.answer(c, http.StatusOK)(h.App.ClaimTask(c.Request.Context(), principalOf(c), id))
	}
}

// unclaimTask godoc
//
//	@Summary		Give a claimed task back to its units
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id"
//	@Success		200	{object}	app.TaskActionResult
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority"
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"task_closed; task_held (not the caller's, or delegated)"
//	@Router			/api/v1/tasks/{id}/unclaim [post]
func (h *api) unclaimTask(c *gin.Context) {
	if id, ok := pathName(c, "id", "task id"); ok {
		h.answer(c, http.StatusOK)(h.App.UnclaimTask(c.Request.Context(), principalOf(c), id))
	}
}

// completeTask godoc
//
//	@Summary		Complete a task with an outcome (accept, refuse, notify once, approve, reject, agree, object ...)
//	@Description	Validates the outcome against the step (and the variables it needs: refuse → reason, reject →
//	@Description	reason, object → reason, notify → notice with every missing or defective material; every variable
//	@Description	the conditions after the step read) before changing anything, records who completed it under which
//	@Description	authority, and moves the case on. Accepting while a required material is missing needs
//	@Description	deficiencies (容缺受理: the materials, a promised date, the reason), else 409 materials_missing.
//	@Description	Of two people completing one task at once, one succeeds and the other gets 409 task_closed.
//	@Description	A notice that omits a material known missing is 400; a second notice on a case 409 notify_once.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.CompleteRequest	true	"outcome and variables"
//	@Success		202		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming outcome, reason, notice.materials, deficiencies.X or variables.X"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held (claimed by or delegated to someone else), notify_once, materials_missing, case_withdrawn"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/tasks/{id}/complete [post]
func (h *api) completeTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.CompleteRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.CompleteTask(c.Request.Context(), principalOf(c), id, req))
	}
}

// handOverTask godoc
//
//	@Summary		Hand a task over to another person for good (转办)
//	@Description	The person must be able to act on the task themselves (one of its units, or a delegation).
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.PersonRequest	true	"to whom"
//	@Success		200		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: userId is unknown, you, or may not act on the task"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Router			/api/v1/tasks/{id}/handover [post]
func (h *api) handOverTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.PersonRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.HandOverTask(c.Request.Context(), principalOf(c), id, req))
	}
}

// delegateTask godoc
//
//	@Summary		Delegate a task to another person who works on it and gives it back (委派)
//	@Description	The person must be able to act on the task themselves, as for a hand-over. The caller stays its
//	@Description	owner: the delegate resolves it (POST .../resolve), and the owner completes it. While delegated,
//	@Description	nobody completes it.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.PersonRequest	true	"to whom"
//	@Success		200		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: userId is unknown, you, or may not act on the task"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Router			/api/v1/tasks/{id}/delegate [post]
func (h *api) delegateTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.PersonRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.DelegateTask(c.Request.Context(), principalOf(c), id, req))
	}
}

// resolveTask godoc
//
//	@Summary		Give a delegated task back to its owner (委派归还; the owner may also take it back)
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.CommentRequest	false	"what the delegate found (internal)"
//	@Success		200		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"neither the delegate nor the owner"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, or conflict: not delegated"
//	@Router			/api/v1/tasks/{id}/resolve [post]
func (h *api) resolveTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.CommentRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusOK)(h.App.ResolveTask(c.Request.Context(), principalOf(c), id, req))
	}
}

// returnTask godoc
//
//	@Summary		Return the case to an earlier step of its path (退回)
//	@Description	The task ends and the target step (one the case has completed before) starts again. From a
//	@Description	countersign the whole countersign ends. What the steps since the target recorded is undone: an
//	@Description	acceptance (with its 容缺 commitments) and a decision. The case's clock keeps running.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.ReturnRequest	true	"where to and why"
//	@Success		202		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: target is not a step the case passed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"task_closed, task_held"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/tasks/{id}/return [post]
func (h *api) returnTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.ReturnRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.ReturnTask(c.Request.Context(), principalOf(c), id, req))
	}
}

// recallTask godoc
//
//	@Summary		Recall one's own completion while the next step has not started (撤回)
//	@Description	The task is the caller's completed task. Allowed while every open task of the case came after it
//	@Description	and nobody has claimed or acted on them; the step starts again for the caller's units, and what
//	@Description	the completion recorded (an acceptance, a decision) is undone. A signer's opinion in a countersign
//	@Description	may be recalled while the countersign is still open (撤回意见): the signer's step starts again.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"the caller's completed task"
//	@Param			body	body		app.RecallRequest	false	"why"
//	@Success		202		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: someone else completed it"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_recallable: the next step has started, the countersign has closed, or the task is not completed"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/tasks/{id}/recall [post]
func (h *api) recallTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.RecallRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.RecallTask(c.Request.Context(), principalOf(c), id, req))
	}
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
//	@Param			id		path		string				true	"an open signer's task"
//	@Param			body	body		app.SignerRequest	true	"the section"
//	@Success		202		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse	"validation_failed: sectionId is not a section"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: not the lead section"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_countersign, already_signer, task_closed"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/tasks/{id}/signers [post]
func (h *api) addSigner(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.SignerRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.AddSigner(c.Request.Context(), principalOf(c), id, req))
	}
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
//	@Param			id		path		string				true	"the signer's open task"
//	@Param			body	body		app.RecallRequest	false	"why"
//	@Success		202		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority: not the lead section"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"not_countersign, last_signer, task_closed"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/tasks/{id}/remove-signer [post]
func (h *api) removeSigner(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.RecallRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.RemoveSigner(c.Request.Context(), principalOf(c), id, req))
	}
}

// commentTask godoc
//
//	@Summary		Write an opinion (意见) on a task
//	@Description	Opinions are internal (内部意见): staff dealing with the case see them in its timeline; the
//	@Description	applicant does not.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"task id"
//	@Param			body	body		app.CommentRequest	true	"the opinion"
//	@Success		201		{object}	app.TaskActionResult
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/tasks/{id}/comments [post]
func (h *api) commentTask(c *gin.Context) {
	id, ok := pathName(c, "id", "task id")
	var req app.CommentRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.CommentTask(c.Request.Context(), principalOf(c), id, req))
	}
}
