package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// auditRoutes are the audit trail as supervisors (their part of the org tree) and admins read
// it: what happened to a case, and what a user did, each row with its place in the hash chain.
func (h *api) auditRoutes(_, authed *gin.RouterGroup) {
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/supervision/cases/:id/audit", sup, h.caseAudit)
	authed.GET("/supervision/users/:id/audit", sup, h.userAudit)
}

// caseAudit godoc
//
//	@Summary		The audit trail of a case: every action on it and every engine step, oldest first (supervisor, admin)
//	@Description	Rows are hash-chained (docs/audit.md): hash is SHA-256 over the row and prevHash. A case outside the caller's part of the org tree is 404, as if there were none. Keyset-paged on the row number: pass next as after.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"case id (a child case's with ~ for /)"
//	@Param			limit	query		int		false	"rows per page (1-200, default 50)"
//	@Param			after	query		string	false	"the next value of the page before"
//	@Success		200		{object}	app.List[store.AuditRow]
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/supervision/cases/{id}/audit [get]
func (h *api) caseAudit(c *gin.Context) {
	var q pageQuery
	if id, ok := pathName(c, "id", "case id"); ok && h.bindQuery(c, &q) {
		var page app.Page = q.page()
		h.answer(c, http.StatusOK)(h.App.CaseAudit(c.Request.Context(), principalOf(c), id, page))
	}
}

// userAudit godoc
//
//	@Summary		What a user did, from the audit trail, oldest first (supervisor: staff and systems of their subtree; admin: anyone)
//	@Description	Sign-ins, task actions, catalogue, grant, account and calendar changes, each with its place in the hash chain. A user the caller may not read is 404. Keyset-paged on the row number: pass next as after.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"user id"
//	@Param			limit	query		int		false	"rows per page (1-200, default 50)"
//	@Param			after	query		string	false	"the next value of the page before"
//	@Success		200		{object}	app.List[store.AuditRow]
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/supervision/users/{id}/audit [get]
func (h *api) userAudit(c *gin.Context) {
	var q pageQuery
	if id, ok := pathName(c, "id", "user id"); ok && h.bindQuery(c, &q) {
		var page app.Page = q.page()
		h.answer(c, http.StatusOK)(h.App.UserAudit(c.Request.Context(), principalOf(c), id, page))
	}
}
