package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"onewindow/engine/calendar"
	"onewindow/store"
)

// scorecardRoutes are the performance scorecards (绩效考评, issue 7) per department, window and
// person, graded from weights an admin sets.
func (h *api) scorecardRoutes(public, authed *gin.RouterGroup) {
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/scorecards", sup, h.listScorecards)
	authed.GET("/scorecards/weights", sup, h.getScorecardWeights)
	authed.PUT("/scorecards/weights", requireRole(store.RoleAdmin), h.putScorecardWeights)
}

// ScorecardReport is the scorecards of one level over a period, best score first.
type ScorecardReport struct {
	Level string `json:"level" example:"department"`
	// From and To bound the period: From <= t < To.
	From    time.Time              `json:"from"`
	To      time.Time              `json:"to"`
	Weights store.ScorecardWeights `json:"weights"`
	Items   []store.Scorecard      `json:"items"`
}

var quarterRE = regexp.MustCompile(`^([0-9]{4})Q([1-4])$`)

// listScorecards godoc
//
//	@Summary		Scorecards per department, window or person over a period (supervisor, admin)
//	@Description	Cases received and finished, on-time rate (ended by the due time), average and 90th
//	@Description	percentile working days used (pauses left out), warnings and overdue alerts, notices
//	@Description	per case, ratings by level, complaints, and a score and grade (excellent, good,
//	@Description	pass, fail) from the weights (GET /api/v1/scorecards/weights). The period is a
//	@Description	quarter (quarter=2025Q4, the default being this quarter) or from/to. A case counts
//	@Description	for the department of its item, the window that accepted it and the clerk who
//	@Description	accepted it. A supervisor sees the units in their part of the org tree.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			level	query		string	true	"department, window or person"	Enums(department, window, person)
//	@Param			quarter	query		string	false	"a quarter such as 2025Q4 (China time)"
//	@Param			from	query		string	false	"start, inclusive (YYYY-MM-DD or RFC 3339)"
//	@Param			to		query		string	false	"end, exclusive (YYYY-MM-DD or RFC 3339)"
//	@Success		200		{object}	ScorecardReport
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/scorecards [get]
func (h *api) listScorecards(c *gin.Context) {
	level, ok := queryOneOf(c, "level", store.ScorecardLevels)
	if !ok {
		return
	}
	if level == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "query parameter level is required: department, window or person",
			FieldError{Field: "level", Message: "is required"})
		return
	}
	from, to, ok := h.scorecardPeriod(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	w, err := store.GetScorecardWeights(ctx, h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	units, err := store.SupervisedUnits(ctx, h.DB, principalOf(c).UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	list, err := store.Scorecards(ctx, h.DB, h.cals, store.ScorecardFilter{Level: level, From: from, To: to, Units: units}, w)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ScorecardReport{Level: level, From: from, To: to, Weights: w, Items: list})
}

// scorecardPeriod reads quarter, or from and to; without any, the current quarter in China.
func (h *api) scorecardPeriod(c *gin.Context) (time.Time, time.Time, bool) {
	loc := calendar.National().Location()
	quarter := func(y, q int) (time.Time, time.Time) {
		from := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 3, 0)
	}
	if s := c.Query("quarter"); s != "" {
		m := quarterRE.FindStringSubmatch(s)
		if m == nil {
			msg := "must be a quarter such as 2025Q4"
			writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("query parameter quarter %s, got %q", msg, s), FieldError{Field: "quarter", Message: msg})
			return time.Time{}, time.Time{}, false
		}
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		from, to := quarter(y, q)
		return from, to, true
	}
	from, ok := queryTimeOrDate(c, "from")
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	to, ok := queryTimeOrDate(c, "to")
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	if from.IsZero() && to.IsZero() {
		now := h.Now().In(loc)
		f, t := quarter(now.Year(), (int(now.Month())-1)/3+1)
		return f, t, true
	}
	if from.IsZero() || to.IsZero() || !to.After(from) {
		msg := "from and to are both needed, to after from"
		writeError(c, http.StatusBadRequest, codeValidation, "the period is not valid: "+msg, FieldError{Field: "to", Message: msg})
		return time.Time{}, time.Time{}, false
	}
	return from, to, true
}

// getScorecardWeights godoc
//
//	@Summary	The weights and grade thresholds of scorecards (supervisor, admin)
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	store.ScorecardWeights
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/api/v1/scorecards/weights [get]
func (h *api) getScorecardWeights(c *gin.Context) {
	w, err := store.GetScorecardWeights(c.Request.Context(), h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
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
//	@Param			body	body		store.ScorecardWeights	true	"the weights"
//	@Success		200		{object}	store.ScorecardWeights
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming the field"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/scorecards/weights [put]
func (h *api) putScorecardWeights(c *gin.Context) {
	var w store.ScorecardWeights
	if !h.bind(c, &w) {
		return
	}
	if err := store.PutScorecardWeights(c.Request.Context(), h.DB, w); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}
