package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"onewindow/app"
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

// calendarUnit reads the :unit path parameter: national or an org unit id.
func calendarUnit(c *gin.Context) (string, bool) {
	if c.Param("unit") == store.NationalCalendar {
		return store.NationalCalendar, true
	}
	return pathID(c, "unit")
}

// calendarYear reads the year query parameter (0 when absent: the use case takes this year);
// required says whether it may be absent.
func calendarYear(c *gin.Context, required bool) (int, bool) {
	if _, ok := c.GetQuery("year"); !ok && required {
		writeError(c, http.StatusBadRequest, codeValidation, "query parameter year is required: the year whose days the body lists",
			FieldError{Field: "year", Message: "is required"})
		return 0, false
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
//	@Success		200		{object}	app.CalendarYear
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/calendars/{unit}/days [get]
func (h *api) getCalendarDays(c *gin.Context) {
	unit, ok := calendarUnit(c)
	if !ok {
		return
	}
	if year, ok := calendarYear(c, false); ok {
		h.answer(c, http.StatusOK)(h.App.CalendarYear(c.Request.Context(), principalOf(c), unit, year))
	}
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
//	@Param			body	body		app.CalendarDaysRequest	true	"the days"
//	@Success		200		{object}	app.CalendarYear
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
	year, ok := calendarYear(c, true)
	var req app.CalendarDaysRequest
	if !ok || !h.bind(c, &req) {
		return
	}
	v, err := h.App.PutCalendarDays(c.Request.Context(), principalOf(c), unit, year, req)
	var verr *calendar.ValidationError
	if errors.As(err, &verr) {
		writeCalendarProblems(c, verr)
		return
	}
	h.answer(c, http.StatusOK)(v, err)
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
