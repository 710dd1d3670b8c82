package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// ratingRoutes are the applicant's evaluation of a finished case (好差评): five levels and an
// optional comment, once per case; a poor rating opens a rectification.
func (h *api) ratingRoutes(public, authed *gin.RouterGroup) {
	authed.POST("/cases/:id/rating", requireRole(store.RoleApplicant), h.rateCase)
	authed.GET("/cases/:id/rating", h.getRating)
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
//	@Param			id		path		string				true	"case id"
//	@Param			body	body		app.RatingRequest	true	"the rating"
//	@Success		201		{object}	store.Rating
//	@Failure		400		{object}	ErrorResponse	"code validation_failed: a level outside the five names the field level"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse	"no such case, or not the caller's"
//	@Failure		409		{object}	ErrorResponse	"code case_not_finished or already_rated"
//	@Failure		503		{object}	ErrorResponse	"code engine_unavailable"
//	@Router			/api/v1/cases/{id}/rating [post]
func (h *api) rateCase(c *gin.Context) {
	caseID, ok := pathName(c, "id", "case id")
	var req app.RatingRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.RateCase(c.Request.Context(), principalOf(c), caseID, req))
	}
}

// getRating godoc
//
//	@Summary	A case's rating (its applicant, the supervisors who oversee the case or whom it rates, admins)
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
	if caseID, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.Rating(c.Request.Context(), principalOf(c), caseID))
	}
}
