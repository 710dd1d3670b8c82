package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// supervisionRoutes are e-supervision (电子监察): everyone's own notifications, and for
// supervisors (their part of the org tree) and admins the alerts with filters, every open
// case with its remaining working time, and a case's timeline of limits, pauses, special
// procedures and alerts.
func (h *api) supervisionRoutes(public, authed *gin.RouterGroup) {
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/notifications", h.listNotifications)
	authed.POST("/notifications/:id/read", h.readNotification)
	authed.GET("/supervision/alerts", sup, h.listAlerts)
	authed.GET("/supervision/cases", sup, h.supervisedCases)
	authed.GET("/supervision/counts", sup, h.supervisedCounts)
	authed.GET("/supervision/cases/:id/timeline", sup, h.caseTimeline)
}

// notificationQuery filters the caller's notifications.
type notificationQuery struct {
	Unread string `form:"unread" validate:"omitempty,oneof=true false"`
	pageQuery
}

// listNotifications godoc
//
//	@Summary	The caller's notifications, newest first
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		unread	query		bool	false	"only those not read yet"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.Notification]
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Router		/api/v1/notifications [get]
func (h *api) listNotifications(c *gin.Context) {
	var q notificationQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Notifications(c.Request.Context(), principalOf(c), app.NotificationQuery{Unread: q.Unread == "true", Page: q.page()}))
	}
}

// readNotification godoc
//
//	@Summary	Mark one of the caller's notifications read
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"notification id"
//	@Success	200	{object}	store.Notification
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/notifications/{id}/read [post]
func (h *api) readNotification(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.ReadNotification(c.Request.Context(), principalOf(c), id))
	}
}

// alertQuery filters the alerts.
type alertQuery struct {
	Kind       string `form:"kind" validate:"omitempty,oneof=warning overdue violation"`
	Scope      string `form:"scope" validate:"omitempty,oneof=case statutory task rule"`
	Rule       string `form:"rule" validate:"omitempty,oneof=refusal_without_reason notice_twice"`
	CaseID     string `form:"caseId" validate:"max=512,plaintext"`
	Department string `form:"department" validate:"omitempty,id"`
	Window     string `form:"window" validate:"omitempty,id"`
	Person     string `form:"person" validate:"omitempty,id"`
	From       string `form:"from" validate:"max=40"`
	To         string `form:"to" validate:"max=40"`
	Acked      string `form:"acknowledged" validate:"omitempty,oneof=yes no"`
	pageQuery
}

// listAlerts godoc
//
//	@Summary		Alerts: warnings, overdue and rule violations (supervisor, admin)
//	@Description	A supervisor sees the alerts of their part of the org tree: attributed to a department or
//	@Description	window of it, or of a case they oversee; an admin sees all. Newest first.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			kind		query		string	false	"warning (yellow), overdue (red) or violation"	Enums(warning, overdue, violation)
//	@Param			scope		query		string	false	"case (promised limit), statutory, task (a step's limit) or rule"	Enums(case, statutory, task, rule)
//	@Param			rule		query		string	false	"only violations of this rule"	Enums(refusal_without_reason, notice_twice)
//	@Param			caseId		query		string	false	"only this case's"
//	@Param			department	query		string	false	"department id"
//	@Param			window		query		string	false	"window id"
//	@Param			person		query		string	false	"user id of the person concerned"
//	@Param			from		query		string	false	"fired at or after (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			to			query		string	false	"fired before (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			acknowledged	query	string	false	"yes: only acknowledged alerts; no: only the others"	Enums(yes, no)
//	@Param			limit		query		int		false	"page size (1-200, default 50)"
//	@Param			after		query		string	false	"the next cursor of the page before"
//	@Success		200			{object}	app.List[store.SupervisedAlert]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/api/v1/supervision/alerts [get]
func (h *api) listAlerts(c *gin.Context) {
	var q alertQuery
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
	h.answer(c, http.StatusOK)(h.App.Alerts(c.Request.Context(), principalOf(c), app.AlertQuery{Kind: q.Kind, Scope: q.Scope, Rule: q.Rule,
		CaseID: q.CaseID, DepartmentID: q.Department, WindowID: q.Window, PersonID: q.Person, From: from, To: to, Acknowledged: q.Acked, Page: q.page()}))
}

// supervisedCaseQuery filters and sorts the open cases.
type supervisedCaseQuery struct {
	State         string `form:"state" validate:"omitempty,oneof=overdue warning normal paused none"`
	Department    string `form:"department" validate:"omitempty,id"`
	DefinitionKey string `form:"definitionKey" validate:"max=200,plaintext"`
	Sort          string `form:"sort" validate:"omitempty,oneof=remaining due started alerts"`
	Order         string `form:"order" validate:"omitempty,oneof=asc desc"`
	pageQuery
}

// supervisedCases godoc
//
//	@Summary		Every open case with its remaining working time (supervisor, admin)
//	@Description	Remaining time counts on each case's calendar with its pauses. Sort by remaining
//	@Description	(default, least first), due, started or alerts; cases without a value sort last. A
//	@Description	supervisor sees the cases of their part of the org tree; an admin every case.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			state			query		string	false	"only cases in this state"	Enums(overdue, warning, normal, paused, none)
//	@Param			department		query		string	false	"department id"
//	@Param			definitionKey	query		string	false	"only cases of this process"
//	@Param			sort			query		string	false	"sort key (default remaining)"	Enums(remaining, due, started, alerts)
//	@Param			order			query		string	false	"asc (default) or desc"	Enums(asc, desc)
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Param			count	query		bool	false	"true: count the matches, up to 10,000 (total; totalCapped when there are more)"
//	@Success		200				{object}	app.List[app.SupervisedCase]
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse
//	@Router			/api/v1/supervision/cases [get]
func (h *api) supervisedCases(c *gin.Context) {
	var q supervisedCaseQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.SupervisedCases(c.Request.Context(), principalOf(c), app.SupervisedCaseQuery{State: q.State,
			DepartmentID: q.Department, DefinitionKey: q.DefinitionKey, Sort: q.Sort, Desc: q.Order == "desc", Page: q.page()}))
	}
}

// countsQuery narrows the counts of open cases.
type countsQuery struct {
	Department    string `form:"department" validate:"omitempty,id"`
	DefinitionKey string `form:"definitionKey" validate:"max=200,plaintext"`
}

// supervisedCounts godoc
//
//	@Summary		The open cases by state: overdue, warning, normal, paused, none (supervisor, admin)
//	@Description	Counts what GET /api/v1/supervision/cases lists, of the caller's part of the org tree.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			department		query		string	false	"department id"
//	@Param			definitionKey	query		string	false	"only cases of this process"
//	@Success		200				{object}	app.CaseCounts
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse
//	@Router			/api/v1/supervision/counts [get]
func (h *api) supervisedCounts(c *gin.Context) {
	var q countsQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.SupervisedCaseCounts(c.Request.Context(), principalOf(c), q.Department, q.DefinitionKey))
	}
}

// caseTimeline godoc
//
//	@Summary		A case's time limits, due dates, pauses, special procedures and alerts, in time order (supervisor, admin)
//	@Description	A case outside the caller's part of the org tree is 404, as if there were none.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id (a child case's with ~ for /)"
//	@Success		200	{object}	app.CaseTimeline
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/supervision/cases/{id}/timeline [get]
func (h *api) caseTimeline(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.CaseTimeline(c.Request.Context(), principalOf(c), id))
	}
}
