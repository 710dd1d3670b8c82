package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// integrationRoutes are the interface of department systems (部门业务系统对接): the event feed,
// webhook subscriptions with their delivery log, result documents of a case's steps, the
// rotation of system users' API keys, and where a person's notifications are emailed.
func (h *api) integrationRoutes(_, authed *gin.RouterGroup) {
	authed.GET("/events", h.listEvents)
	authed.POST("/webhooks", h.createWebhook)
	authed.GET("/webhooks", h.listWebhooks)
	authed.GET("/webhooks/:id", h.getWebhook)
	authed.PATCH("/webhooks/:id", h.updateWebhook)
	authed.GET("/webhooks/:id/deliveries", h.listDeliveries)
	authed.POST("/webhooks/:id/deliveries/:deliveryId/redeliver", h.redeliver)
	authed.POST("/cases/:id/documents", h.attachDocuments)
	authed.GET("/cases/:id/documents", h.listDocuments)
	authed.POST("/users/:id/api-keys/:keyId/rotate", h.rotateAPIKey)
	authed.PUT("/me/email", h.setEmail)
}

// eventQuery selects events of the feed.
type eventQuery struct {
	Types        string `form:"types" validate:"max=1000"`
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	CaseID       string `form:"caseId" validate:"max=512,plaintext"`
	pageQuery
}

// listEvents godoc
//
//	@Summary		The event feed: what happened to cases, oldest first (department systems, admins)
//	@Description	Events (case.created, case.accepted, notice.issued, case.supplemented, step.completed, case.warning,
//	@Description	case.overdue, case.decided, case.finished, case.rated, complaint.filed, disclosure.filed,
//	@Description	disclosure.extended, webhook.disabled) in the order they were written, each with an id to
//	@Description	deduplicate on. A system reads its department's, an admin every department's. Poll with
//	@Description	after=<next of the last page>: next is always set, to the last event read (or the cursor sent
//	@Description	when nothing is new). A garbage cursor is 400.
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			types			query		string	false	"comma-separated event types (default every type)"
//	@Param			departmentId	query		string	false	"an admin's filter: one department's events"
//	@Param			caseId			query		string	false	"one case's events"
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Success		200				{object}	app.List[store.Event]
//	@Failure		400				{object}	ErrorResponse	"code validation_failed (a bad cursor or type)"
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse	"code forbidden: not a department system or admin, or another department"
//	@Router			/api/v1/events [get]
func (h *api) listEvents(c *gin.Context) {
	var q eventQuery
	if !h.bindQuery(c, &q) {
		return
	}
	var types []string
	if q.Types != "" {
		types = strings.Split(q.Types, ",")
	}
	h.answer(c, http.StatusOK)(h.App.Events(c.Request.Context(), principalOf(c), app.EventQuery{Types: types, DepartmentID: q.DepartmentID,
		CaseID: q.CaseID, Page: q.page()}))
}

// attachDocuments godoc
//
//	@Summary		Attach the result documents of a step to its case (the department's system or staff)
//	@Description	Upload each file first (POST /api/v1/files); then name the step (taskId) whose result they are. The
//	@Description	caller attaches files they uploaded, to a step they completed, hold or may act on.
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string					true	"case id"
//	@Param			body	body		app.DocumentRequest		true	"the step and the files"
//	@Success		201		{array}		store.CaseDocument
//	@Failure		400		{object}	ErrorResponse	"code validation_failed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"code no_authority: the step is not the caller's"
//	@Failure		404		{object}	ErrorResponse	"no such task or file"
//	@Router			/api/v1/cases/{id}/documents [post]
func (h *api) attachDocuments(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	var req app.DocumentRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.AttachDocuments(c.Request.Context(), principalOf(c), caseID, req))
	}
}

// listDocuments godoc
//
//	@Summary		The result documents of a case (whoever may see the case)
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"case id"
//	@Success		200	{array}		store.CaseDocument
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/cases/{id}/documents [get]
func (h *api) listDocuments(c *gin.Context) {
	if caseID, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.CaseDocuments(c.Request.Context(), principalOf(c), caseID))
	}
}

// rotateAPIKey godoc
//
//	@Summary		Rotate a system user's API key: a new key, the old one working for the overlap (admin)
//	@Description	The new key is in the answer only. The old key keeps working until previous.expiresAt (overlap, default
//	@Description	24h, at most 720h), so that the system switches without a gap; then it is refused with 401.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"user id"
//	@Param			keyId	path		string					true	"key id"
//	@Param			body	body		app.RotateKeyRequest	false	"the new key's name and the overlap"
//	@Success		201		{object}	app.RotatedAPIKey
//	@Failure		400		{object}	ErrorResponse	"code validation_failed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code key_revoked"
//	@Failure		422		{object}	ErrorResponse	"code no_department: the system has no department"
//	@Router			/api/v1/users/{id}/api-keys/{keyId}/rotate [post]
func (h *api) rotateAPIKey(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	keyID, ok := pathID(c, "keyId")
	var req app.RotateKeyRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.RotateAPIKey(c.Request.Context(), principalOf(c), id, keyID, req))
	}
}

// setEmail godoc
//
//	@Summary		Set where one's notifications are emailed (when the server sends email)
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.EmailRequest	true	"the address (empty: no email)"
//	@Success		200		{object}	app.EmailRequest
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Router			/api/v1/me/email [put]
func (h *api) setEmail(c *gin.Context) {
	var req app.EmailRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.SetNotificationEmail(c.Request.Context(), principalOf(c), req))
	}
}
