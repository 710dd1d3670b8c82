package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/engine/calendar"
	"onewindow/store"
)

// calendarRoutes are the working-day calendars (issue 7): the national one (the holiday
// library with an admin's overrides, e.g. for a year the library does not know yet) and one per
// implementing body (local days off), read by anyone signed in and written by admins.
func (h *api) calendarRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/calendars/:unit/days", h.getCalendarDays)
	authed.PUT("/calendars/:unit/days", requireRole(store.RoleAdmin), h.putCalendarDays)
}

// CalendarDayView is one listed day of a calendar.
type CalendarDayView struct {
	Date string `json:"date" example:"2026-10-01"`
	// holiday (a day off on a weekday) or workday (a make-up working day on a weekend)
	Kind string `json:"kind" enums:"holiday,workday" example:"holiday"`
	Name string `json:"name,omitempty" example:"国庆节"`
}

// CalendarYear is a calendar's year: the days listed for the unit itself and every listed
// day in force (the library's holidays and make-up days, inherited and own overrides).
type CalendarYear struct {
	// national or an org unit id
	Unit string `json:"unit" example:"national"`
	Year int    `json:"year" example:"2026"`
	// the calendar this one builds on: national, or the org unit id of the nearest ancestor
	// with days of its own ("" for the national calendar itself)
	InheritsFrom string `json:"inheritsFrom,omitempty" example:"national"`
	// the days an admin listed for this unit in the year
	Overrides []store.CalendarDay `json:"overrides"`
	// every listed day in force in the year, by date; days not listed follow the weekday rule
	Days []CalendarDayView `json:"days"`
	// working days in the year
	Workdays int `json:"workdays" example:"250"`
}

// CalendarDaysRequest replaces the days listed for a unit in one year.
type CalendarDaysRequest struct {
	Days []CalendarDayInput `json:"days" validate:"required,max=366"`
}

// CalendarDayInput is one listed day: a holiday on a weekday or a make-up working day on a
// weekend (or a correction of the library), named.
type CalendarDayInput struct {
	Date string `json:"date" example:"2027-02-06"`
	Kind string `json:"kind" enums:"holiday,workday" example:"holiday"`
	Name string `json:"name,omitempty" example:"春节"`
}

// calendarUnit reads the :unit path parameter: national or an org unit id.
func calendarUnit(c *gin.Context) (string, bool) {
	if c.Param("unit") == store.NationalCalendar {
		return store.NationalCalendar, true
	}
	return pathID(c, "unit")
}

// calendarYear reads the year query parameter; required says whether it may be absent (then
// the current year in China).
func (h *api) calendarYear(c *gin.Context, required bool) (int, bool) {
	if _, ok := c.GetQuery("year"); !ok {
		if required {
			writeError(c, http.StatusBadRequest, codeValidation, "query parameter year is required: the year whose days the body lists",
				FieldError{Field: "year", Message: "is required"})
			return 0, false
		}
		return h.Now().In(calendar.National().Location()).Year(), true
	}
	return queryInt(c, "year", 0, calendar.MinYear, calendar.MaxYear)
}

// getCalendarDays godoc
//
//	@Summary		A calendar's days in one year
//	@Description	unit is national or an org unit id. A unit without days of its own follows its
//	@Description	nearest ancestor that has some, else the national calendar (inheritsFrom).
//	@Tags			calendars
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			unit	path		string	true	"national or an org unit id"
//	@Param			year	query		int		false	"the year (default: this year)"
//	@Success		200		{object}	CalendarYear
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/calendars/{unit}/days [get]
func (h *api) getCalendarDays(c *gin.Context) {
	unit, ok := calendarUnit(c)
	if !ok {
		return
	}
	year, ok := h.calendarYear(c, false)
	if !ok {
		return
	}
	v, err := h.calendarYearView(c.Request.Context(), unit, year)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// putCalendarDays godoc
//
//	@Summary		Replace the days listed for a calendar in one year (admin)
//	@Description	The body lists every holiday and make-up working day the unit decides itself in
//	@Description	that year (an empty list removes them); dates not listed follow the calendar the
//	@Description	unit inherits. A date listed twice, listed as both holiday and workday, that does
//	@Description	not exist (2026-02-30) or outside the year is refused with 400 naming it. Cases
//	@Description	count on the new calendar from their next step.
//	@Tags			calendars
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			unit	path		string				true	"national or an org unit id"
//	@Param			year	query		int					true	"the year the days fall in"
//	@Param			body	body		CalendarDaysRequest	true	"the days"
//	@Success		200		{object}	CalendarYear
//	@Failure		400		{object}	ErrorResponse	"code validation_failed: fields name each bad date"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/calendars/{unit}/days [put]
func (h *api) putCalendarDays(c *gin.Context) {
	unit, ok := calendarUnit(c)
	if !ok {
		return
	}
	year, ok := h.calendarYear(c, true)
	if !ok {
		return
	}
	var req CalendarDaysRequest
	if !h.bind(c, &req) {
		return
	}
	days := make([]calendar.Day, len(req.Days))
	var bad []FieldError
	for i, in := range req.Days {
		if err := days[i].Date.UnmarshalText([]byte(in.Date)); err != nil {
			bad = append(bad, FieldError{Field: fmt.Sprintf("days[%d].date", i), Message: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", in.Date)})
		}
		days[i].Kind, days[i].Name = calendar.Kind(in.Kind), in.Name
	}
	if len(bad) > 0 {
		writeError(c, http.StatusBadRequest, codeValidation, "the request is not valid: "+bad[0].Field+" "+bad[0].Message, bad...)
		return
	}
	ctx := c.Request.Context()
	p := principalOf(c)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		return store.PutCalendarDays(ctx, tx, unit, year, days, p.UserID)
	})
	var verr *calendar.ValidationError
	if errors.As(err, &verr) {
		writeCalendarProblems(c, verr)
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.log(c).Info("calendar days replaced", "unit", unit, "year", year, "days", len(days), "by", p.Username)
	v, err := h.calendarYearView(ctx, unit, year)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// writeCalendarProblems answers 400 with one field error per problem of a holiday table.
func writeCalendarProblems(c *gin.Context, verr *calendar.ValidationError) {
	fields := make([]FieldError, len(verr.Problems))
	for i, p := range verr.Problems {
		fields[i] = FieldError{Field: p.Field, Message: p.Message + " [" + p.Code + "]"}
	}
	msg := "the holiday table is not valid: " + verr.Problems[0].Message
	if n := len(verr.Problems); n > 1 {
		msg += " (and " + strconv.Itoa(n-1) + " more)"
	}
	writeError(c, http.StatusBadRequest, codeValidation, msg, fields...)
}

// calendarYearView builds the view of unit's calendar in year.
func (h *api) calendarYearView(ctx context.Context, unit string, year int) (*CalendarYear, error) {
	if unit != store.NationalCalendar {
		if _, err := store.GetOrgUnit(ctx, h.DB, unit); err != nil {
			return nil, err
		}
	}
	cal, from, err := h.cals.Resolve(ctx, unit)
	if err != nil {
		return nil, err
	}
	own, err := store.CalendarDays(ctx, h.DB, unit, year)
	if err != nil {
		return nil, err
	}
	v := &CalendarYear{Unit: unit, Year: year, InheritsFrom: from, Overrides: own, Days: []CalendarDayView{}}
	first, last := calendar.Date{Year: year, Month: 1, Day: 1}, calendar.Date{Year: year, Month: 12, Day: 31}
	for _, d := range cal.Days(first, last) {
		v.Days = append(v.Days, CalendarDayView{Date: d.Date.String(), Kind: string(d.Kind), Name: d.Name})
	}
	v.Workdays = cal.CountWorkdays(first.AddDays(-1), last)
	return v, nil
}
