package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// Error codes of the engine operations API.
const (
	codeEngineUnavailable = app.CodeEngineUnavailable // 503: this server runs no engine
	codeCaseEnded         = app.CodeCaseEnded         // 409: the case has ended
	codeChildCase         = app.CodeChildCase         // 409: a call activity's case is cancelled with its parent
	codeIncidentResolved  = app.CodeIncidentResolved  // 409: the incident was already resolved
	codeNoWait            = app.CodeNoWait            // 409: the case does not wait for that message
)

// operationRoutes are the engine's admin operations (issue 4): read a case as the engine sees
// it and list incidents (admins, and supervisors within their org unit's subtree), and repair
// a case (admins): set variables, retry an incident, cancel, deliver a message, broadcast a
// signal. An id that holds "/" (a call activity's case, an incident) is shown and accepted
// with "~" for "/" (or sent percent-encoded, %2F).
func (h *api) operationRoutes(public, authed *gin.RouterGroup) {
	read := requireRole(store.RoleAdmin, store.RoleSupervisor)
	admin := requireRole(store.RoleAdmin)
	authed.GET("/cases/:id/engine", read, h.caseEngineView)
	authed.GET("/incidents", read, h.listIncidents)
	authed.POST("/incidents/:id/retry", admin, h.retryIncident)
	authed.PUT("/cases/:id/variables", admin, h.setCaseVariables)
	authed.POST("/cases/:id/cancel", admin, h.cancelCase)
	authed.POST("/cases/:id/messages/:name", admin, h.deliverCaseMessage)
	authed.POST("/signals/:name", admin, h.broadcastSignal)
}

// caseEngineView godoc
//
//	@Summary		A case as the engine sees it, with its variables (admin; supervisor within their org unit's subtree)
//	@Description	A supervisor sees the cases of their org unit's subtree (its departments' items, its windows and
//	@Description	stations), a call activity's case with its root case; any other case is 404 for them.
//	@Tags			engine
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id (a call activity's case with ~ for /)"
//	@Success		200	{object}	app.CaseEngineView
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/cases/{id}/engine [get]
func (h *api) caseEngineView(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.CaseEngine(c.Request.Context(), principalOf(c), id))
	}
}

// incidentQuery filters the incidents.
type incidentQuery struct {
	State         string `form:"state" validate:"omitempty,oneof=open resolved"`
	CaseID        string `form:"caseId" validate:"max=512,plaintext"`
	DefinitionKey string `form:"definitionKey" validate:"max=255,plaintext"`
	pageQuery
}

// listIncidents godoc
//
//	@Summary	List incidents across cases, oldest first (admin; supervisor: of the cases of their org unit's subtree)
//	@Tags		engine
//	@Produce	json
//	@Security	BearerAuth
//	@Param		state			query		string	false	"only incidents in this state"	Enums(open, resolved)
//	@Param		caseId			query		string	false	"only incidents of this case"
//	@Param		definitionKey	query		string	false	"only incidents of cases of this process"
//	@Param		limit			query		int		false	"page size (1-200, default 50)"
//	@Param		after			query		string	false	"the next cursor of the page before"
//	@Success	200				{object}	app.List[store.Incident]
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/incidents [get]
func (h *api) listIncidents(c *gin.Context) {
	var q incidentQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Incidents(c.Request.Context(), principalOf(c), app.IncidentQuery{State: q.State, CaseID: q.CaseID,
			DefinitionKey: q.DefinitionKey, Page: q.page()}))
	}
}

// retryIncident godoc
//
//	@Summary		Retry an incident, optionally setting variables first (admin)
//	@Description	Sets the variables on the case and runs the incident's element again. The body is
//	@Description	optional.
//	@Tags			engine
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"incident id (with ~ for /)"
//	@Param			body	body		app.Variables	false	"variables to set before the retry"
//	@Success		202		{object}	app.OperationAccepted
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code incident_resolved"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/incidents/{id}/retry [post]
func (h *api) retryIncident(c *gin.Context) {
	id, ok := pathName(c, "id", "incident id")
	var req app.Variables
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.RetryIncident(c.Request.Context(), principalOf(c), id, req))
	}
}

// setCaseVariables godoc
//
//	@Summary		Set process variables of a running case (admin)
//	@Description	Variables the body does not name keep their values. Typically followed by retrying
//	@Description	an incident.
//	@Tags			engine
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"case id (a call activity's case with ~ for /)"
//	@Param			body	body		app.SetVariablesRequest	true	"the variables"
//	@Success		202		{object}	app.OperationAccepted
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code case_ended"
//	@Failure		413		{object}	ErrorResponse
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/variables [put]
func (h *api) setCaseVariables(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	var req app.SetVariablesRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.SetCaseVariables(c.Request.Context(), principalOf(c), id, req))
	}
}

// cancelCase godoc
//
//	@Summary		Cancel a running case: its tasks, timers and child cases end (admin)
//	@Description	A case started by a call activity is cancelled with its parent (409 child_case).
//	@Tags			engine
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		202	{object}	app.OperationAccepted
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"code case_ended or child_case"
//	@Failure		503	{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/cancel [post]
func (h *api) cancelCase(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusAccepted)(h.App.CancelCase(c.Request.Context(), principalOf(c), id))
	}
}

// deliverCaseMessage godoc
//
//	@Summary		Deliver a message to a case that waits for it (admin)
//	@Description	The message goes to the case's oldest open wait for that message name (a message
//	@Description	catch event, receive task or message boundary event); its variables are set on the
//	@Description	case. The body is optional.
//	@Tags			engine
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"case id (a call activity's case with ~ for /)"
//	@Param			name	path		string				true	"message name"
//	@Param			body	body		app.Variables	false	"the message's variables"
//	@Success		202		{object}	app.OperationAccepted
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code no_wait or case_ended"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/messages/{name} [post]
func (h *api) deliverCaseMessage(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	name, ok := pathName(c, "name", "message name")
	var req app.Variables
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.DeliverMessage(c.Request.Context(), principalOf(c), id, name, req))
	}
}

// broadcastSignal godoc
//
//	@Summary		Broadcast a BPMN signal to every case waiting for it (admin)
//	@Description	The body is optional; its variables are set on each case the signal reaches.
//	@Tags			engine
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			name	path		string				true	"signal name"
//	@Param			body	body		app.Variables	false	"the signal's variables"
//	@Success		200		{object}	app.SignalBroadcast
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/signals/{name} [post]
func (h *api) broadcastSignal(c *gin.Context) {
	name, ok := pathName(c, "name", "signal name")
	var req app.Variables
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusOK)(h.App.BroadcastSignal(c.Request.Context(), principalOf(c), name, req))
	}
}
