package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Error codes of the engine operations API.
const (
	codeEngineUnavailable = "engine_unavailable" // 503: this server runs no engine
	codeCaseEnded         = "case_ended"         // 409: the case has ended
	codeChildCase         = "child_case"         // 409: a call activity's case is cancelled with its parent
	codeIncidentResolved  = "incident_resolved"  // 409: the incident was already resolved
	codeNoWait            = "no_wait"            // 409: the case does not wait for that message
)

// operationRoutes are the engine's admin operations (issue 4): read a case
// as the engine sees it, list incidents, and repair a case: set variables,
// retry an incident, cancel, deliver a message, broadcast a signal. A case
// id that holds "/" (a call activity's case) is sent percent-encoded (%2F).
func (h *api) operationRoutes(public, authed *gin.RouterGroup) {
	read := requireRole(store.RoleAdmin, store.RoleSupervisor)
	admin := requireRole(store.RoleAdmin)
	authed.GET("/cases/:id/engine", read, h.caseEngineView)
	authed.GET("/incidents", read, h.listIncidents)
	authed.POST("/incidents/:id/retry", admin, h.needEngine, h.retryIncident)
	authed.PUT("/cases/:id/variables", admin, h.needEngine, h.setCaseVariables)
	authed.POST("/cases/:id/cancel", admin, h.needEngine, h.cancelCase)
	authed.POST("/cases/:id/messages/:name", admin, h.needEngine, h.deliverCaseMessage)
	authed.POST("/signals/:name", admin, h.needEngine, h.broadcastSignal)
}

// needEngine answers 503 when this server runs no engine.
func (h *api) needEngine(c *gin.Context) {
	if h.Engine == nil {
		writeError(c, http.StatusServiceUnavailable, codeEngineUnavailable, "this server runs no workflow engine")
		return
	}
	c.Next()
}

// CaseEngineView is a case as the engine's read model shows it: its row,
// the cases its call activities started, every task, timer, message or
// signal wait and incident, open or closed, and its element history.
type CaseEngineView struct {
	Case          store.CaseRow           `json:"case"`
	Children      []store.CaseRow         `json:"children"`
	Tasks         []store.TaskRow         `json:"tasks"`
	Timers        []store.TimerRow        `json:"timers"`
	Subscriptions []store.SubscriptionRow `json:"subscriptions"`
	Incidents     []store.IncidentRow     `json:"incidents"`
	History       []store.HistoryRow      `json:"history"`
}

// caseEngineView godoc
//
//	@Summary	A case as the engine sees it (admin, supervisor)
//	@Tags		engine
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id (percent-encode a / as %2F)"
//	@Success	200	{object}	CaseEngineView
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/cases/{id}/engine [get]
func (h *api) caseEngineView(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	row, err := store.GetCaseRow(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := CaseEngineView{Case: *row}
	steps := []func() error{
		func() (err error) { v.Children, err = store.ChildCases(ctx, h.DB, id); return },
		func() (err error) { v.Tasks, err = store.CaseTasks(ctx, h.DB, id, ""); return },
		func() (err error) { v.Timers, err = store.CaseTimers(ctx, h.DB, id, ""); return },
		func() (err error) { v.Subscriptions, err = store.CaseSubscriptions(ctx, h.DB, id, ""); return },
		func() (err error) { v.Incidents, err = store.CaseIncidents(ctx, h.DB, id, ""); return },
		func() (err error) { v.History, err = store.CaseHistory(ctx, h.DB, id); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			h.fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, v)
}

// IncidentList is a page of incidents, oldest first.
type IncidentList struct {
	Items []store.IncidentRow `json:"items"`
}

// listIncidents godoc
//
//	@Summary	List incidents across cases, oldest first (admin, supervisor)
//	@Tags		engine
//	@Produce	json
//	@Security	BearerAuth
//	@Param		state			query		string	false	"only incidents in this state"	Enums(open, resolved)
//	@Param		caseId			query		string	false	"only incidents of this case"
//	@Param		definitionKey	query		string	false	"only incidents of cases of this process"
//	@Param		limit			query		int		false	"page size (1-500, default 100)"
//	@Param		offset			query		int		false	"rows to skip"
//	@Success	200				{object}	IncidentList
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/incidents [get]
func (h *api) listIncidents(c *gin.Context) {
	state, ok := queryOneOf(c, "state", store.IncidentStates)
	if !ok {
		return
	}
	limit, ok := queryInt(c, "limit", 100, 1, 500)
	if !ok {
		return
	}
	offset, ok := queryInt(c, "offset", 0, 0, 1<<30)
	if !ok {
		return
	}
	list, err := store.ListIncidents(c.Request.Context(), h.DB, store.IncidentFilter{
		State: state, CaseID: c.Query("caseId"), DefinitionKey: c.Query("definitionKey"), Limit: limit, Offset: offset,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, IncidentList{Items: list})
}

// VariablesRequest carries process variables (JSON values by name).
type VariablesRequest struct {
	Variables map[string]any `json:"variables" validate:"omitempty,dive,keys,min=1,max=128,endkeys"`
}

// SetVariablesRequest sets process variables; variables it does not name
// keep their values.
type SetVariablesRequest struct {
	Variables map[string]any `json:"variables" validate:"required,min=1,dive,keys,min=1,max=128,endkeys"`
}

// OperationAccepted says that an operation was handed to the case: the
// engine carries it out asynchronously (watch GET /api/v1/cases/{id}/engine).
type OperationAccepted struct {
	CaseID    string `json:"caseId" example:"C-01jd5q3k8m0000000000000000"`
	Operation string `json:"operation" enums:"retry,setVariables,cancel,message" example:"retry"`
	// Target is the incident retried or the wait the message went to.
	Target string `json:"target,omitempty" example:"C-01jd5q3k8m0000000000000000/x1"`
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
//	@Param			id		path		string				true	"incident id (percent-encode its / as %2F)"
//	@Param			body	body		VariablesRequest	false	"variables to set before the retry"
//	@Success		202		{object}	OperationAccepted
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code incident_resolved"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/incidents/{id}/retry [post]
func (h *api) retryIncident(c *gin.Context) {
	id, ok := pathName(c, "id", "incident id")
	if !ok {
		return
	}
	var req VariablesRequest
	if !h.bindOptional(c, &req) {
		return
	}
	var caseID string
	h.queueSignal(c, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, error) {
		x, err := store.GetIncident(ctx, tx, id)
		if err != nil {
			return engine.OutboxSignal{}, err
		}
		if x.State != store.IncidentOpen {
			return engine.OutboxSignal{}, &opError{http.StatusConflict, codeIncidentResolved, fmt.Sprintf("incident %s is %s: nothing to retry", id, x.State)}
		}
		caseID = x.CaseID
		return engine.RetryIncident(x.ID, req.Variables)
	}, func() OperationAccepted { return OperationAccepted{CaseID: caseID, Operation: "retry", Target: id} })
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
//	@Param			id		path		string				true	"case id (percent-encode a / as %2F)"
//	@Param			body	body		SetVariablesRequest	true	"the variables"
//	@Success		202		{object}	OperationAccepted
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
	if !ok {
		return
	}
	var req SetVariablesRequest
	if !h.bind(c, &req) {
		return
	}
	h.queueSignal(c, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, error) {
		if _, err := runningCase(ctx, tx, id); err != nil {
			return engine.OutboxSignal{}, err
		}
		return engine.SetVariables(id, req.Variables), nil
	}, func() OperationAccepted { return OperationAccepted{CaseID: id, Operation: "setVariables"} })
}

// cancelCase godoc
//
//	@Summary		Cancel a running case: its tasks, timers and child cases end (admin)
//	@Description	A case started by a call activity is cancelled with its parent (409 child_case).
//	@Tags			engine
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		202	{object}	OperationAccepted
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"code case_ended or child_case"
//	@Failure		503	{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/cancel [post]
func (h *api) cancelCase(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	h.queueSignal(c, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, error) {
		row, err := runningCase(ctx, tx, id)
		if err != nil {
			return engine.OutboxSignal{}, err
		}
		if row.ParentCaseID != nil {
			// The parent's call activity would wait for a child that no
			// longer runs.
			return engine.OutboxSignal{}, &opError{http.StatusConflict, codeChildCase,
				fmt.Sprintf("case %s was started by a call activity of case %s: cancel that case", id, *row.ParentCaseID)}
		}
		return engine.CancelCase(id), nil
	}, func() OperationAccepted { return OperationAccepted{CaseID: id, Operation: "cancel"} })
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
//	@Param			id		path		string				true	"case id (percent-encode a / as %2F)"
//	@Param			name	path		string				true	"message name"
//	@Param			body	body		VariablesRequest	false	"the message's variables"
//	@Success		202		{object}	OperationAccepted
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
	if !ok {
		return
	}
	var req VariablesRequest
	if !h.bindOptional(c, &req) {
		return
	}
	var waitID string
	h.queueSignal(c, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, error) {
		if _, err := runningCase(ctx, tx, id); err != nil {
			return engine.OutboxSignal{}, err
		}
		w, err := store.CaseMessageWait(ctx, tx, id, name)
		if errors.Is(err, store.ErrNotFound) {
			return engine.OutboxSignal{}, &opError{http.StatusConflict, codeNoWait, fmt.Sprintf("case %s does not wait for message %q", id, name)}
		}
		if err != nil {
			return engine.OutboxSignal{}, err
		}
		waitID = w.ID
		return engine.DeliverMessage(w.ID, name, req.Variables)
	}, func() OperationAccepted { return OperationAccepted{CaseID: id, Operation: "message", Target: waitID} })
}

// SignalBroadcast reports how many waits a signal reached.
type SignalBroadcast struct {
	Name      string `json:"name" example:"policyChanged"`
	Delivered int    `json:"delivered" example:"3"`
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
//	@Param			body	body		VariablesRequest	false	"the signal's variables"
//	@Success		200		{object}	SignalBroadcast
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/signals/{name} [post]
func (h *api) broadcastSignal(c *gin.Context) {
	name, ok := pathName(c, "name", "signal name")
	if !ok {
		return
	}
	var req VariablesRequest
	if !h.bindOptional(c, &req) {
		return
	}
	n, err := h.Engine.BroadcastSignal(c.Request.Context(), name, req.Variables)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, SignalBroadcast{Name: name, Delivered: n})
}

// opError is a refusal with its own status and code.
type opError struct {
	status  int
	code    string
	message string
}

func (e *opError) Error() string { return e.message }

// queueSignal runs build in a transaction and writes the signal it returns
// to the outbox there, so that the check and the signal commit together;
// then it delivers the signal and answers 202 with accepted(). A delivery
// that fails after the commit is left to the engine's outbox sweeper.
func (h *api) queueSignal(c *gin.Context, build func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, error), accepted func() OperationAccepted) {
	ctx := c.Request.Context()
	var sig engine.OutboxSignal
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if sig, err = build(ctx, tx); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &sig)
	})
	var op *opError
	if errors.As(err, &op) {
		writeError(c, op.status, op.code, op.message)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Engine.Deliver(ctx, sig); err != nil {
		h.log(c).Warn("signal queued but not delivered; the outbox sweeper will deliver it", "case", sig.CaseID, "kind", sig.Signal.Kind, "err", err)
	}
	c.JSON(http.StatusAccepted, accepted())
}

// runningCase returns the case's row, ErrNotFound, or a case_ended refusal.
func runningCase(ctx context.Context, q store.Q, id string) (*store.CaseRow, error) {
	row, err := store.GetCaseRow(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if store.CaseEnded(row.Status) {
		return nil, &opError{http.StatusConflict, codeCaseEnded, fmt.Sprintf("case %s has ended (%s)", id, row.Status)}
	}
	return row, nil
}
