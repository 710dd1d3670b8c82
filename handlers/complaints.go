package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// complaintRoutes are complaints (投诉): anyone, signed in or not, files a complaint about a
// case, a window or a department; it runs as a case of the std-complaint process, supervised
// like any case, its tasks in the staff's inboxes.
func (h *api) complaintRoutes(public, authed *gin.RouterGroup) {
	public.POST("/complaints", h.throttle(limitComplaints), h.optionalAuth, h.fileComplaint)
	authed.GET("/complaints", h.listComplaints)
	authed.GET("/complaints/:id", h.getComplaint)
}

// optionalAuth authenticates a request that carries credentials (401 when they are bad) and
// lets one without any through anonymously.
func (h *api) optionalAuth(c *gin.Context) {
	if c.GetHeader("Authorization") == "" && c.GetHeader("X-API-Key") == "" {
		c.Next()
		return
	}
	h.authenticate(c)
}

// fileComplaint godoc
//
//	@Summary		File a complaint about a case, a window or a department (anyone)
//	@Description	No account is needed: without one, contactName and contactPhone are required. The
//	@Description	complaint runs as a case of the std-complaint process (processCaseId) with a limit
//	@Description	of 15 working days: registered, assigned, handled, replied to, and confirmed by the
//	@Description	complainant. A subject that does not exist is 404 with code case_not_found,
//	@Description	window_not_found or department_not_found.
//	@Tags			evaluation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.ComplaintRequest	true	"the complaint"
//	@Success		201		{object}	app.ComplaintView
//	@Failure		400		{object}	ErrorResponse	"code validation_failed, naming the field"
//	@Failure		401		{object}	ErrorResponse	"bad credentials (none at all are fine)"
//	@Failure		404		{object}	ErrorResponse	"code case_not_found, window_not_found or department_not_found"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/complaints [post]
func (h *api) fileComplaint(c *gin.Context) {
	var req app.ComplaintRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.FileComplaint(c.Request.Context(), principalOf(c), req))
	}
}

// complaintQuery filters complaints.
type complaintQuery struct {
	Subject    string `form:"subject" validate:"omitempty,oneof=case window department"`
	CaseID     string `form:"caseId" validate:"max=512,plaintext"`
	Window     string `form:"window" validate:"omitempty,id"`
	Department string `form:"department" validate:"omitempty,id"`
	From       string `form:"from" validate:"max=40"`
	To         string `form:"to" validate:"max=40"`
	pageQuery
}

// listComplaints godoc
//
//	@Summary		Complaints, newest first
//	@Description	Supervisors see the complaints of their part of the org tree (about a department or
//	@Description	window of it, or a case they oversee), admins every complaint, anyone else their own.
//	@Tags			evaluation
//	@Produce		json
//	@Security		BearerAuth
//	@Param			subject		query		string	false	"case, window or department"	Enums(case, window, department)
//	@Param			caseId		query		string	false	"complaints about this case"
//	@Param			window		query		string	false	"window id"
//	@Param			department	query		string	false	"department id"
//	@Param			from		query		string	false	"filed at or after (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			to			query		string	false	"filed before (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			limit		query		int		false	"page size (1-200, default 50)"
//	@Param			after		query		string	false	"the next cursor of the page before"
//	@Success		200			{object}	app.List[store.Complaint]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Router			/api/v1/complaints [get]
func (h *api) listComplaints(c *gin.Context) {
	var q complaintQuery
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
	h.answer(c, http.StatusOK)(h.App.Complaints(c.Request.Context(), principalOf(c), app.ComplaintQuery{Subject: q.Subject, CaseID: q.CaseID,
		WindowID: q.Window, DepartmentID: q.Department, From: from, To: to, Page: q.page()}))
}

// getComplaint godoc
//
//	@Summary	A complaint and the state of its handling (its complainant, the supervisors who oversee it, admins)
//	@Tags		evaluation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"complaint id"
//	@Success	200	{object}	app.ComplaintView
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/complaints/{id} [get]
func (h *api) getComplaint(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.Complaint(c.Request.Context(), principalOf(c), id))
	}
}
