package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

func (h *api) grantRoutes(public, authed *gin.RouterGroup) {
	staff := authed.Group("", requireRole(staffRoles...))
	admin := authed.Group("", requireRole(store.RoleAdmin))
	staff.GET("/grants", h.listGrants)
	staff.GET("/grants/:id", h.getGrant)
	staff.GET("/grants/:id/audit", h.grantAudit)
	admin.POST("/grants", h.createGrant)
	admin.PATCH("/grants/:id", h.updateGrant)
	admin.POST("/grants/:id/revoke", h.revokeGrant)
	authed.GET("/departments/:id/delegation-report", requireRole(store.RoleAdmin, store.RoleSupervisor), h.delegationReport)
}

// grantQuery filters the grants.
type grantQuery struct {
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	WindowID     string `form:"windowId" validate:"omitempty,id"`
	UserID       string `form:"userId" validate:"omitempty,id"`
	ActiveAt     string `form:"activeAt" validate:"max=40"`
	pageQuery
}

// listGrants godoc
//
//	@Summary	List delegation grants (三集中), newest first
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		departmentId	query		string	false	"only grants of this department"
//	@Param		windowId		query		string	false	"only grants to this window"
//	@Param		userId			query		string	false	"only grants naming this clerk"
//	@Param		activeAt		query		string	false	"only grants in force at this time (RFC 3339, or a date: its midnight in Beijing); without it, revoked and expired ones are listed too"
//	@Param		limit			query		int		false	"page size (1-200, default 50)"
//	@Param		after			query		string	false	"the next cursor of the page before"
//	@Success	200				{object}	app.List[store.Grant]
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/grants [get]
func (h *api) listGrants(c *gin.Context) {
	var q grantQuery
	if !h.bindQuery(c, &q) {
		return
	}
	at, ok := parseQueryTime(c, "activeAt", q.ActiveAt)
	if ok {
		h.answer(c, http.StatusOK)(h.App.Grants(c.Request.Context(), principalOf(c), app.GrantQuery{DepartmentID: q.DepartmentID,
			WindowID: q.WindowID, UserID: q.UserID, ActiveAt: at, Page: q.page()}))
	}
}

// getGrant godoc
//
//	@Summary	Get a delegation grant
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"grant id"
//	@Success	200	{object}	store.Grant
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/grants/{id} [get]
func (h *api) getGrant(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.Grant(c.Request.Context(), principalOf(c), id))
	}
}

// grantAudit godoc
//
//	@Summary	Who granted, changed and revoked a grant, and when
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"grant id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.GrantAuditEntry]
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/grants/{id}/audit [get]
func (h *api) grantAudit(c *gin.Context) {
	id, ok := pathID(c, "id")
	var q pageQuery
	if ok && h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.GrantAudit(c.Request.Context(), principalOf(c), id, q.page()))
	}
}

// createGrant godoc
//
//	@Summary		Delegate authority to a window (admin)
//	@Description	Refused with 400 naming the field: a unit that is not a window (windowId), a step kind the department's section does not own in the grant's items (stepKinds[i]: it is the candidate group of no such step), an item in which the section holds no step (itemIds[i]), a named user who is not a clerk of the window (userId). Audited.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.CreateGrantRequest	true	"the grant"
//	@Success		201		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/grants [post]
func (h *api) createGrant(c *gin.Context) {
	var req app.CreateGrantRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.CreateGrant(c.Request.Context(), principalOf(c), req))
	}
}

// updateGrant godoc
//
//	@Summary		Change a grant's terms (admin)
//	@Description	Checked as on creation and audited. 409 for a revoked grant.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"grant id"
//	@Param			body	body		app.UpdateGrantRequest	true	"the changes"
//	@Success		200		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"revoked"
//	@Router			/api/v1/grants/{id} [patch]
func (h *api) updateGrant(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req app.UpdateGrantRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.UpdateGrant(c.Request.Context(), principalOf(c), id, req))
	}
}

// revokeGrant godoc
//
//	@Summary		Revoke a grant now (admin)
//	@Description	The grant stays, with who revoked it, when and why. 409 when it is revoked already.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"grant id"
//	@Param			body	body		app.RevokeGrantRequest	true	"the reason"
//	@Success		200		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"already revoked"
//	@Router			/api/v1/grants/{id}/revoke [post]
func (h *api) revokeGrant(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req app.RevokeGrantRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.RevokeGrant(c.Request.Context(), principalOf(c), id, req))
	}
}

// delegationReport godoc
//
//	@Summary		A department's delegation rate (admin, supervisor)
//	@Description	Over the published items in which the department's sections hold a step: the share whose acceptance, review, coordination and delivery steps are all delegated to windows by active grants (the source reports 100%), the same for approval and certification (80%+), and a row per item and step kind.
//	@Tags			delegation
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"department id"
//	@Param			at	query		string	false	"as of this time (RFC 3339, or a date: its midnight in Beijing; default now)"
//	@Success		200	{object}	app.DelegationReport
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/departments/{id}/delegation-report [get]
func (h *api) delegationReport(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if at, ok := parseQueryTime(c, "at", c.Query("at")); ok {
		h.answer(c, http.StatusOK)(h.App.DelegationReport(c.Request.Context(), principalOf(c), id, at))
	}
}
