package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Error codes of ratings.
const (
	codeCaseNotFinished = "case_not_finished" // 409: only a finished case is rated
	codeAlreadyRated    = "already_rated"     // 409: a case is rated once
)

// ratingRoutes are the applicant's evaluation of a finished case (好差评, issue 7): five
// levels and an optional comment, once per case; a poor rating opens a rectification.
func (h *api) ratingRoutes(public, authed *gin.RouterGroup) {
	authed.POST("/cases/:id/rating", requireRole(store.RoleApplicant), h.needEngine, h.rateCase)
	authed.GET("/cases/:id/rating", h.getRating)
}

// RatingRequest rates a finished case.
type RatingRequest struct {
	Level   string `json:"level" validate:"required,oneof=very_satisfied satisfied basically_satisfied dissatisfied very_dissatisfied" example:"satisfied"`
	Comment string `json:"comment" validate:"max=1000" example:"窗口人员热情周到，一次办好"`
}

// rateCase godoc
//
//	@Summary		Rate a finished case (the case's applicant)
//	@Description	Five levels: very_satisfied, satisfied, basically_satisfied, dissatisfied,
//	@Description	very_dissatisfied, and an optional comment; once per case. A rating of
//	@Description	dissatisfied or worse opens a rectification for the department: a case of the
//	@Description	std-rectification process with a limit of 15 working days
//	@Description	(rectificationCaseId).
//	@Tags			evaluation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"case id"
//	@Param			body	body		RatingRequest	true	"the rating"
//	@Success		201		{object}	store.Rating
//	@Failure		400		{object}	ErrorResponse	"code validation_failed: a level outside the five names the field level"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse	"no such case, or not the caller's"
//	@Failure		409		{object}	ErrorResponse	"code case_not_finished or already_rated"
//	@Router			/api/v1/cases/{id}/rating [post]
func (h *api) rateCase(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	var req RatingRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	r := &store.Rating{CaseID: caseID, ApplicantID: principalOf(c).UserID, Level: req.Level, Comment: strings.TrimSpace(req.Comment)}
	var start *engine.CaseInput
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		start, err = store.RateCase(ctx, tx, r)
		return err
	})
	switch {
	case errors.Is(err, store.ErrCaseNotFinished):
		writeError(c, http.StatusConflict, codeCaseNotFinished, "case "+caseID+" has not finished: only a finished case can be rated")
		return
	case errors.Is(err, store.ErrAlreadyRated):
		writeError(c, http.StatusConflict, codeAlreadyRated, "case "+caseID+" has been rated already: a case is rated once")
		return
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, codeNotFound, "no case "+caseID+" of yours")
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	if start != nil {
		h.startQueued(ctx, start)
	}
	c.JSON(http.StatusCreated, r)
}

// startQueued starts a case queued with store.QueueProcessStart; a failure is logged and left
// to the start sweeper.
func (h *api) startQueued(ctx context.Context, in *engine.CaseInput) {
	h.App.StartQueuedCase(ctx, *in)
}

// getRating godoc
//
//	@Summary	A case's rating (its applicant, supervisors, admins)
//	@Tags		evaluation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id"
//	@Success	200	{object}	store.Rating
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse	"not rated, no such case, or not the caller's"
//	@Router		/api/v1/cases/{id}/rating [get]
func (h *api) getRating(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	p := principalOf(c)
	if !p.HasRole(store.RoleSupervisor, store.RoleAdmin) {
		applicant, err := store.CaseApplicant(ctx, h.DB, caseID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			h.fail(c, err)
			return
		}
		if applicant == "" || applicant != p.UserID {
			writeError(c, http.StatusNotFound, codeNotFound, "no rating of a case "+caseID+" of yours")
			return
		}
	}
	r, err := store.GetRating(ctx, h.DB, caseID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
