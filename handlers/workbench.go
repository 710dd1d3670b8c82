package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// workbenchRoutes are what the workbench's screens (web/) need beyond the other areas: a case's
// flowchart with its steps' states, the done list (已办), decision support (决策参考) and the
// acknowledgement of alerts.
func (h *api) workbenchRoutes(public, authed *gin.RouterGroup) {
	staff := requireRole(store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleAdmin, store.RoleSupervisor)
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/cases/:id/diagram", h.caseDiagram)
	authed.GET("/done-tasks", staff, h.doneTasks)
	authed.GET("/tasks/:id/colleagues", staff, h.taskColleagues)
	authed.GET("/supervision/decisions", sup, h.decisionSupport)
	authed.POST("/supervision/alerts/:id/ack", sup, h.ackAlert)
}

// caseDiagram godoc
//
//	@Summary		A case's flowchart with its done steps, current steps and running countersigns (whoever may see the case)
//	@Description	The BPMN 2.0 XML (with its diagram) of the process version the case runs, and the state of each
//	@Description	element the case has reached: done, current, or countersign (a multi-instance step with signers
//	@Description	still to sign; open and completed count them). For a viewer such as bpmn-js to colour.
//	@Tags			cases
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		200	{object}	app.CaseDiagram
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such case, or not one the caller may see"
//	@Router			/api/v1/cases/{id}/diagram [get]
func (h *api) caseDiagram(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.CaseDiagram(c.Request.Context(), principalOf(c), id))
	}
}

// doneQuery selects the done list.
type doneQuery struct {
	Scope string `form:"scope" validate:"omitempty,oneof=mine window"`
	pageQuery
}

// doneTasks godoc
//
//	@Summary		The done list (已办): tasks the caller, or anyone at the caller's window, completed, newest first
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			scope	query		string	false	"mine (default) or window"	Enums(mine, window)
//	@Param			limit	query		int		false	"page size (1-200, default 50)"
//	@Param			after	query		string	false	"the next cursor of the page before"
//	@Success		200		{object}	app.List[store.DoneTask]
//	@Failure		400		{object}	ErrorResponse	"no_window: scope=window for someone at no window"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/done-tasks [get]
func (h *api) doneTasks(c *gin.Context) {
	var q doneQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.DoneTasks(c.Request.Context(), principalOf(c), app.DoneQuery{Scope: q.Scope, Page: q.page()}))
}

// decisionQuery selects an item and a period.
type decisionQuery struct {
	ItemID string `form:"itemId" validate:"required,id"`
	From   string `form:"from" validate:"max=40"`
	To     string `form:"to" validate:"max=40"`
}

// decisionSupport godoc
//
//	@Summary		Decision support (决策参考): working time per step and per unit of an item's cases (supervisor, admin)
//	@Description	For the steps of the item's cases completed in the period (of the cases the supervisor oversees): the
//	@Description	count, median, p90 and maximum working days each step and each unit took, the slowest first, with
//	@Description	the flowchart of the item's current version to colour as a heatmap. Default period: the 90 days
//	@Description	before now.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			itemId	query		string	true	"item id"
//	@Param			from	query		string	false	"steps completed at or after (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			to		query		string	false	"steps completed before (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Success		200		{object}	app.DecisionSupport
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/supervision/decisions [get]
func (h *api) decisionSupport(c *gin.Context) {
	var q decisionQuery
	if !h.bindQuery(c, &q) {
		return
	}
	from, ok := parseQueryTime(c, "from", q.From)
	if !ok {
		return
	}
	to, ok := parseQueryTime(c, "to", q.To)
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.DecisionSupport(c.Request.Context(), principalOf(c), app.DecisionQuery{ItemID: q.ItemID, From: from, To: to}))
}

// ackAlert godoc
//
//	@Summary		Acknowledge an alert (已知悉), once, with an optional note (supervisor, admin)
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"alert id as the alert list shows it"
//	@Param			body	body		app.AckRequest	false	"a note"
//	@Success		200		{object}	store.AlertAck
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse	"no such alert among those the caller oversees"
//	@Failure		409		{object}	ErrorResponse	"already_acknowledged: the message names who and when"
//	@Router			/api/v1/supervision/alerts/{id}/ack [post]
func (h *api) ackAlert(c *gin.Context) {
	id, ok := pathName(c, "id", "alert id")
	if !ok {
		return
	}
	var req app.AckRequest
	if c.Request.ContentLength != 0 && !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.AckAlert(c.Request.Context(), principalOf(c), id, req))
}

// taskColleagues godoc
//
//	@Summary		The people a task may be handed over or delegated to, for a picker (who deals with the task)
//	@Description	The enabled clerks, reviewers and agents of the units the task is offered to and, under a window's
//	@Description	delegation, of the caller's window; not the caller. POST handover and delegate check the person again.
//	@Tags			tasks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"task id"
//	@Success		200	{array}		store.Colleague
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse	"no_authority: the task is another unit's"
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/tasks/{id}/colleagues [get]
func (h *api) taskColleagues(c *gin.Context) {
	if id, ok := pathName(c, "id", "task id"); ok {
		h.answer(c, http.StatusOK)(h.App.Colleagues(c.Request.Context(), principalOf(c), id))
	}
}
