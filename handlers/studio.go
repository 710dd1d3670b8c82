package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/engine/simulate"
	"onewindow/store"
)

// The designer's studio (issue 16): what the bpmn-js modeller asks of the server while a
// designer draws. Nothing here stores the drawing; deploying it is POST /definitions.
func (h *api) studioRoutes(public, authed *gin.RouterGroup) {
	g := authed.Group("/studio", requireRole(store.RoleDesigner, store.RoleAdmin))
	g.POST("/check", h.checkDrawing)
	g.POST("/dry-run", h.dryRunDrawing)
	g.POST("/definitions/:key/versions/:version/publish", h.publishDrawing)
}

// checkDrawing godoc
//
//	@Summary		Validate a diagram being drawn, at both levels, without storing it (designer, admin)
//	@Description	Send the BPMN XML as the raw body (application/xml or text/xml). The answer lists every
//	@Description	problem of the model level (well-formed BPMN) and, when there is none of its errors, of
//	@Description	the executable level (what the engine needs), each with its element, code and level, so
//	@Description	that the modeller marks them on the diagram. deployable is false while an error remains.
//	@Description	A file that is not BPMN answers its one problem (not-xml, not-bpmn, ...), still 200.
//	@Tags			studio
//	@Accept			application/xml
//	@Accept			xml
//	@Produce		json
//	@Security		BearerAuth
//	@Param			fileName	query		string	false	"the file's name, for messages"
//	@Success		200			{object}	app.DrawingCheck
//	@Failure		400			{object}	ErrorResponse	"an empty body"
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		413			{object}	ErrorResponse	"over 10 MiB"
//	@Failure		415			{object}	ErrorResponse	"not XML"
//	@Router			/api/v1/studio/check [post]
func (h *api) checkDrawing(c *gin.Context) {
	files, ok := readDefinitionFiles(c)
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.CheckDrawing(c.Request.Context(), principalOf(c), files[0].Data))
}

// DryRunRequest is a diagram being drawn and the script of a dry run.
type DryRunRequest struct {
	// XML is the BPMN of the diagram.
	XML    string          `json:"xml" validate:"required"`
	Script simulate.Script `json:"script"`
}

// dryRunDrawing godoc
//
//	@Summary		Dry-run a diagram being drawn in the simulator (designer, admin)
//	@Description	Runs the diagram's executable process in memory with virtual time, as `onewindow
//	@Description	definitions simulate` does, through the script's steps (complete a task with an
//	@Description	outcome, advance time, send a message or signal, pause and resume the clock, fail a
//	@Description	service task). The result names every element the token entered in order, the active
//	@Description	ones, the variables, the clock and the alerts. A diagram with errors answers them in
//	@Description	problems and runs nothing; a step naming nothing waiting stops the run there
//	@Description	(stepError) with the state before it. The process runs alone: a call activity or a
//	@Description	business rule task ends in an incident. Nothing is stored.
//	@Tags			studio
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		DryRunRequest	true	"diagram and script"
//	@Success		200		{object}	app.DryRun
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Failure		422		{object}	ErrorResponse	"the simulator could not run the diagram"
//	@Router			/api/v1/studio/dry-run [post]
func (h *api) dryRunDrawing(c *gin.Context) {
	var req DryRunRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.DryRunDrawing(c.Request.Context(), principalOf(c), []byte(req.XML), req.Script))
	}
}

// PublishDrawingRequest names the version a designer's drawing started from.
type PublishDrawingRequest struct {
	// BasedOn is the version the designer opened to draw this one (0: a new definition).
	BasedOn int `json:"basedOn" validate:"min=0" example:"3"`
}

// publishDrawing godoc
//
//	@Summary		Publish a version drawn from another, refusing to replace a newer publication (designer, admin)
//	@Description	Like POST /definitions/{key}/versions/{version}/publish, but when a version newer than
//	@Description	basedOn was published in the meantime by someone, it answers 409 published_by_another
//	@Description	naming that version and who published it, and publishes nothing.
//	@Tags			studio
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			key		path		string					true	"process id"
//	@Param			version	path		int						true	"version number"
//	@Param			body	body		PublishDrawingRequest	true	"the version drawn from"
//	@Success		200		{object}	app.DefinitionVersionInfo
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"another designer published a newer version"
//	@Router			/api/v1/studio/definitions/{key}/versions/{version}/publish [post]
func (h *api) publishDrawing(c *gin.Context) {
	key, version, ok := pathKeyVersion(c)
	var req PublishDrawingRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.PublishDrawing(c.Request.Context(), principalOf(c), key, version, req.BasedOn))
	}
}
