package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// scorecardRoutes are the performance scorecards (绩效考评) per department, window and person,
// graded from weights an admin sets.
func (h *api) scorecardRoutes(public, authed *gin.RouterGroup) {
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/scorecards", sup, h.listScorecards)
	authed.GET("/scorecards/weights", sup, h.getScorecardWeights)
	authed.PUT("/scorecards/weights", requireRole(store.RoleAdmin), h.putScorecardWeights)
}

// scorecardQuery selects scorecards.
type scorecardQuery struct {
	Level   string `form:"level" validate:"required,oneof=department window person"`
	Quarter string `form:"quarter" validate:"max=10"`
	From    string `form:"from" validate:"max=40"`
	To      string `form:"to" validate:"max=40"`
}

// listScorecards godoc
//
//	@Summary		Scorecards per department, window or person over a period (supervisor, admin)
//	@Description	Cases received and finished, on-time rate (ended by the due time), average and 90th
//	@Description	percentile working days used (pauses left out), warnings and overdue alerts, notices
//	@Description	per case, ratings by level, complaints, and a score and grade (excellent, good,
//	@Description	pass, fail) from the weights (GET /api/v1/scorecards/weights). The period is a
//	@Description	quarter (quarter=2025Q4, the default being this quarter) or from/to. A case counts
//	@Description	for the department of its item, the window that accepted it and the clerk who
//	@Description	accepted it. A supervisor sees the units of their part of the org tree and their people.
//	@Description	A period of whole months in Beijing time (a quarter, or from/to on the first of a month)
//	@Description	is read from counters kept with every change; any other period is counted from the
//	@Description	cases, which costs a read of every case of the period.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			level	query		string	true	"department, window or person"	Enums(department, window, person)
//	@Param			quarter	query		string	false	"a quarter such as 2025Q4 (Beijing time)"
//	@Param			from	query		string	false	"start, inclusive (YYYY-MM-DD or RFC 3339)"
//	@Param			to		query		string	false	"end, exclusive (YYYY-MM-DD or RFC 3339)"
//	@Success		200		{object}	app.ScorecardReport
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/scorecards [get]
func (h *api) listScorecards(c *gin.Context) {
	var q scorecardQuery
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
	h.answer(c, http.StatusOK)(h.App.Scorecards(c.Request.Context(), principalOf(c), app.ScorecardQuery{Level: q.Level, Quarter: q.Quarter,
		From: from, To: to}))
}

// getScorecardWeights godoc
//
//	@Summary	The weights and grade thresholds of scorecards (supervisor, admin)
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	app.ScorecardWeights
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/api/v1/scorecards/weights [get]
func (h *api) getScorecardWeights(c *gin.Context) {
	h.answer(c, http.StatusOK)(h.App.ScorecardWeights(c.Request.Context(), principalOf(c)))
}

// putScorecardWeights godoc
//
//	@Summary		Set the weights and grade thresholds of scorecards (admin)
//	@Description	Weights and penalties are 0 or more, not all weights 0; 0 <= pass <= good <=
//	@Description	excellent <= 100. A field left out is 0.
//	@Tags			supervision
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.ScorecardWeights	true	"the weights"
//	@Success		200		{object}	app.ScorecardWeights
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming the field"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/scorecards/weights [put]
func (h *api) putScorecardWeights(c *gin.Context) {
	var w app.ScorecardWeights
	if h.bind(c, &w) {
		h.answer(c, http.StatusOK)(h.App.SetScorecardWeights(c.Request.Context(), principalOf(c), w))
	}
}
