package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Error codes of special procedures.
const codeProcedureNotOpen = "procedure_not_open" // 409: the procedure has ended already

// procedureRoutes are the special procedures (特别程序: hearing, expert review, on-site survey,
// public notice) a clerk starts on a case with a reason: the case's clock pauses until the
// clerk ends them, and the due dates move by the paused working time.
func (h *api) procedureRoutes(public, authed *gin.RouterGroup) {
	staff := requireRole(store.RoleClerk, store.RoleReviewer, store.RoleAdmin)
	authed.GET("/cases/:id/procedures", requireRole(store.RoleClerk, store.RoleReviewer, store.RoleAdmin, store.RoleSupervisor), h.listProcedures)
	authed.POST("/cases/:id/procedures", staff, h.needEngine, h.startProcedure)
	authed.POST("/cases/:id/procedures/:procedureId/end", staff, h.needEngine, h.endProcedure)
}

// ProcedureRequest starts a special procedure.
type ProcedureRequest struct {
	Kind   string `json:"kind" validate:"required,oneof=hearing expert_review on_site_survey public_notice" example:"hearing"`
	Reason string `json:"reason" validate:"required,max=1000" example:"申请人要求听证"`
}

// EndProcedureRequest ends a special procedure; the note is optional.
type EndProcedureRequest struct {
	Note string `json:"note" validate:"max=1000" example:"听证会已举行，笔录附卷"`
}

// ProcedureList lists a case's special procedures, oldest first.
type ProcedureList struct {
	Items []store.Procedure `json:"items"`
}

// startProcedure godoc
//
//	@Summary		Start a special procedure on a case: its clock pauses (clerk, reviewer, admin)
//	@Description	The reason is required. The case's time-limit clock pauses until the procedure
//	@Description	ends; the due dates then move by the working time it took.
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"case id (percent-encode a / as %2F)"
//	@Param			body	body		ProcedureRequest	true	"kind and reason"
//	@Success		201		{object}	store.Procedure
//	@Failure		400		{object}	ErrorResponse	"code validation_failed (a missing reason names the field reason)"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse	"no such case, or not one the caller deals with"
//	@Failure		409		{object}	ErrorResponse	"code case_ended"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/procedures [post]
func (h *api) startProcedure(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	var req ProcedureRequest
	if !h.bind(c, &req) {
		return
	}
	if !h.seesCase(c, caseID) {
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "the request is not valid: reason is required: say why the case's clock pauses",
			FieldError{Field: "reason", Message: "is required"})
		return
	}
	p := &store.Procedure{CaseID: caseID, Kind: req.Kind, Reason: req.Reason, StartedBy: principalOf(c).UserID}
	h.signalCase(c, http.StatusCreated, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, any, error) {
		if _, err := runningCase(ctx, tx, caseID); err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		if err := store.StartProcedure(ctx, tx, p); err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		return engine.PauseClock(caseID, p.ID, p.Kind, p.Reason), p, nil
	})
}

// endProcedure godoc
//
//	@Summary		End a special procedure: the case's clock runs again (clerk, reviewer, admin)
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string				true	"case id (percent-encode a / as %2F)"
//	@Param			procedureId	path		string				true	"procedure id"
//	@Param			body		body		EndProcedureRequest	false	"an optional note"
//	@Success		200			{object}	store.Procedure
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
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
	if !ok {
		return
	}
	var req EndProcedureRequest
	if !h.bindOptional(c, &req) || !h.seesCase(c, caseID) {
		return
	}
	by := principalOf(c).UserID
	h.signalCase(c, http.StatusOK, func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, any, error) {
		if _, err := runningCase(ctx, tx, caseID); err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		p, err := store.EndProcedure(ctx, tx, caseID, id, by, strings.TrimSpace(req.Note))
		if errors.Is(err, store.ErrProcedureNotOpen) {
			return engine.OutboxSignal{}, nil, &opError{http.StatusConflict, codeProcedureNotOpen,
				fmt.Sprintf("the %s procedure %s of case %s is not open: it ended at %s", p.Kind, id, caseID, p.EndedAt.Format("2006-01-02 15:04:05 MST"))}
		}
		if err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		return engine.ResumeClock(caseID, p.ID), p, nil
	})
}

// listProcedures godoc
//
//	@Summary	A case's special procedures, oldest first (clerk, reviewer, admin, supervisor)
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id (percent-encode a / as %2F)"
//	@Success	200	{object}	ProcedureList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/cases/{id}/procedures [get]
func (h *api) listProcedures(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	if !h.seesCase(c, caseID) {
		return
	}
	list, err := store.CaseProcedures(c.Request.Context(), h.DB, caseID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ProcedureList{Items: list})
}

// seesCase reports whether the caller may see case id (admins and supervisors see every
// case; staff the cases of their units, tasks and delegations), or answers 404.
func (h *api) seesCase(c *gin.Context, id string) bool {
	if _, err := h.App.CaseFor(c.Request.Context(), principalOf(c), id); err != nil {
		h.fail(c, err)
		return false
	}
	return true
}

// signalCase runs build in a transaction and writes the signal it returns to the outbox there,
// so that the change and the signal commit together; then it delivers the signal (a failed
// delivery is left to the engine's outbox sweeper) and answers status with the body build
// returned.
func (h *api) signalCase(c *gin.Context, status int, build func(ctx context.Context, tx *sqlx.Tx) (engine.OutboxSignal, any, error)) {
	ctx := c.Request.Context()
	var (
		sig  engine.OutboxSignal
		body any
	)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if sig, body, err = build(ctx, tx); err != nil {
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
	c.JSON(status, body)
}
