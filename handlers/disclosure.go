package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// disclosureRoutes are information-disclosure requests (依申请公开): anyone files one; it runs
// as a case of std-disclosure (register, assign, reply) within 20 working days, extendable once.
func (h *api) disclosureRoutes(public, authed *gin.RouterGroup) {
	public.POST("/disclosure-requests", h.throttle(limitDisclosure), h.optionalAuth, h.fileDisclosure)
	authed.GET("/disclosure-requests", h.listDisclosures)
	authed.GET("/disclosure-requests/:id", h.getDisclosure)
	authed.POST("/disclosure-requests/:id/extend", h.extendDisclosure)
}

// fileDisclosure godoc
//
//	@Summary		Request government information from a department (anyone)
//	@Description	No account is needed: without one, requesterName and contactPhone are required and the reply comes by
//	@Description	phone, post, email or pickup. The request runs as a case of std-disclosure (processCaseId): the
//	@Description	disclosure desk registers and assigns it, the department's section replies within 20 working days
//	@Description	(extendable once by 20 with a reason), supervised like any case.
//	@Tags			disclosure
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.DisclosureInput	true	"the request"
//	@Success		201		{object}	app.DisclosureView
//	@Failure		400		{object}	ErrorResponse	"code validation_failed, naming the field"
//	@Failure		401		{object}	ErrorResponse	"bad credentials (none at all are fine)"
//	@Failure		404		{object}	ErrorResponse	"code department_not_found"
//	@Failure		429		{object}	ErrorResponse	"code too_many_attempts"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/disclosure-requests [post]
func (h *api) fileDisclosure(c *gin.Context) {
	var req app.DisclosureInput
	if h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.FileDisclosure(c.Request.Context(), principalOf(c), req))
	}
}

// disclosureQuery filters requests.
type disclosureQuery struct {
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	pageQuery
}

// listDisclosures godoc
//
//	@Summary		Information-disclosure requests, newest first (one's own; staff: their departments'; supervisors: those they oversee)
//	@Tags			disclosure
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			departmentId	query		string	false	"only requests to this department"
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Success		200				{object}	app.List[store.DisclosureRequest]
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse
//	@Router			/api/v1/disclosure-requests [get]
func (h *api) listDisclosures(c *gin.Context) {
	var q disclosureQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Disclosures(c.Request.Context(), principalOf(c), app.DisclosureQuery{DepartmentID: q.DepartmentID, Page: q.page()}))
	}
}

// getDisclosure godoc
//
//	@Summary		An information-disclosure request and the state of its handling
//	@Tags			disclosure
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"request id"
//	@Success		200	{object}	app.DisclosureView
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/disclosure-requests/{id} [get]
func (h *api) getDisclosure(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.Disclosure(c.Request.Context(), principalOf(c), id))
	}
}

// extendDisclosure godoc
//
//	@Summary		Extend the reply limit once, by up to 20 working days, with a reason (who deals with the request)
//	@Description	Who may act on the request's open step, or a supervisor over its department. The reason is recorded and
//	@Description	the requester is told; the due time moves. A second extension is 409 already_extended.
//	@Tags			disclosure
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string				true	"request id"
//	@Param			body	body		app.ExtendRequest	true	"the reason (and days, default 20)"
//	@Success		200		{object}	app.DisclosureView
//	@Failure		400		{object}	ErrorResponse	"code validation_failed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"code no_authority"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code already_extended or request_closed"
//	@Router			/api/v1/disclosure-requests/{id}/extend [post]
func (h *api) extendDisclosure(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req app.ExtendRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.ExtendDisclosure(c.Request.Context(), principalOf(c), id, req))
	}
}
