package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// procedureRoutes are the special procedures (特别程序: hearing, expert review, on-site survey,
// public notice) that who deals with a case starts with a reason: the case's clock pauses
// until they end them, and the due dates move by the paused working time.
func (h *api) procedureRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/cases/:id/procedures", h.listProcedures)
	authed.POST("/cases/:id/procedures", h.startProcedure)
	authed.POST("/cases/:id/procedures/:procedureId/end", h.endProcedure)
}

// startProcedure godoc
//
//	@Summary		Start a special procedure on a case: its clock pauses (who may act on its current step, or a clerk of its window)
//	@Description	Staff with authority over one of the case's open steps, or a clerk of the window the case
//	@Description	was submitted at, start one; anyone else who sees the case is refused with no_authority. The
//	@Description	reason is required. The case's time-limit clock pauses until the procedure ends; the due
//	@Description	dates then move by the working time it took.
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"case id (a child case's with ~ for /)"
//	@Param			body	body		app.ProcedureRequest	true	"kind and reason"
//	@Success		201		{object}	store.Procedure
//	@Failure		400		{object}	ErrorResponse	"code validation_failed (a missing reason names the field reason)"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"code forbidden (not staff) or no_authority (no authority over the case's current step or window)"
//	@Failure		404		{object}	ErrorResponse	"no such case, or not one the caller deals with"
//	@Failure		409		{object}	ErrorResponse	"code case_ended"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/procedures [post]
func (h *api) startProcedure(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	var req app.ProcedureRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.StartProcedure(c.Request.Context(), principalOf(c), caseID, req))
	}
}

// endProcedure godoc
//
//	@Summary		End a special procedure: the case's clock runs again (who may act on its current step, or a clerk of its window)
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string					true	"case id (a child case's with ~ for /)"
//	@Param			procedureId	path		string					true	"procedure id"
//	@Param			body		body		app.EndProcedureRequest	false	"an optional note"
//	@Success		200			{object}	store.Procedure
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse	"code forbidden or no_authority"
//	@Failure		404			{object}	ErrorResponse
//	@Failure		409			{object}	ErrorResponse	"code procedure_not_open or case_ended"
//	@Failure		503			{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/procedures/{procedureId}/end [post]
func (h *api) endProcedure(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	id, ok := pathID(c, "procedureId")
	var req app.EndProcedureRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusOK)(h.App.EndProcedure(c.Request.Context(), principalOf(c), caseID, id, req))
	}
}

// listProcedures godoc
//
//	@Summary	A case's special procedures, oldest first (staff who see the case, supervisors who oversee it)
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id (a child case's with ~ for /)"
//	@Success	200	{object}	app.List[store.Procedure]
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/cases/{id}/procedures [get]
func (h *api) listProcedures(c *gin.Context) {
	if caseID, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.Procedures(c.Request.Context(), principalOf(c), caseID))
	}
}
