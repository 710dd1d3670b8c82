package app

// Working-day calendars: the national one (the holiday library with an admin's overrides,
// e.g. for a year the library does not know yet) and one per implementing body (local days
// off), read by anyone signed in and written by admins. Time limits count on them.

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/calendar"
	"onewindow/store"
)

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
	Days []CalendarDayInput `json:"days" validate:"required,max=366,dive"`
}

// CalendarDayInput is one listed day: a holiday on a weekday or a make-up working day on a
// weekend (or a correction of the library), named.
type CalendarDayInput struct {
	Date string `json:"date" validate:"max=32" example:"2027-02-06"`
	Kind string `json:"kind" validate:"max=32" enums:"holiday,workday" example:"holiday"`
	Name string `json:"name,omitempty" validate:"max=64,plaintext" example:"春节"`
}

// CalendarYear reads unit's calendar (store.NationalCalendar or an org unit id) in year (0:
// this year in China).
func (a *App) CalendarYear(ctx context.Context, p *Actor, unit string, year int) (*CalendarYear, error) {
	if year == 0 {
		year = a.now().In(calendar.National().Location()).Year()
	}
	if unit != store.NationalCalendar {
		if _, err := store.GetOrgUnit(ctx, a.db, unit); err != nil {
			return nil, err
		}
	}
	cal, from, err := a.cals.Resolve(ctx, unit)
	if err != nil {
		return nil, err
	}
	own, err := store.CalendarDays(ctx, a.db, unit, year)
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

// PutCalendarDays replaces the days an admin lists for unit in year with req's: every holiday
// and make-up working day the unit decides itself (none removes them). A bad table (a date
// that is none, listed twice, as both holiday and workday, or outside the year; an unknown
// kind) is a *calendar.ValidationError naming each bad day, and nothing changes. Cases count
// on the new calendar from their next step.
func (a *App) PutCalendarDays(ctx context.Context, p *Actor, unit string, year int, req CalendarDaysRequest) (*CalendarYear, error) {
	if err := allowRoles(p, "editing the calendars", store.RoleAdmin); err != nil {
		return nil, err
	}
	days, err := calendarTable(year, req.Days)
	if err != nil {
		return nil, err
	}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "calendar.put", "", fmt.Sprintf("calendar:%s/%d", unit, year), req)
		if unit != store.NationalCalendar {
			if _, err := store.GetOrgUnit(ctx, tx, unit); err != nil {
				return err
			}
		}
		return store.PutCalendarDays(ctx, tx, unit, year, days, p.UserID)
	})
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "calendar days replaced", "unit", unit, "year", year, "days", len(days), "by", p.Username)
	return a.CalendarYear(ctx, p, unit, year)
}

// calendarTable reads and checks the days listed for year.
func calendarTable(year int, in []CalendarDayInput) ([]calendar.Day, error) {
	if year < calendar.MinYear || year > calendar.MaxYear {
		return nil, store.Invalid("year", "must be from %d to %d, not %d", calendar.MinYear, calendar.MaxYear, year)
	}
	days := make([]calendar.Day, len(in))
	var bad []calendar.Problem
	for i, d := range in {
		field := fmt.Sprintf("days[%d].date", i)
		if err := days[i].Date.UnmarshalText([]byte(d.Date)); err != nil {
			bad = append(bad, calendar.Problem{Field: field, Date: d.Date, Code: calendar.CodeInvalidDate,
				Message: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", d.Date)})
		} else if days[i].Date.Year != year {
			bad = append(bad, calendar.Problem{Field: field, Date: d.Date, Code: "outside_year",
				Message: fmt.Sprintf("%s: not in %d, the year being edited", d.Date, year)})
		}
		days[i].Kind, days[i].Name = calendar.Kind(d.Kind), d.Name
	}
	if len(bad) > 0 {
		return nil, &calendar.ValidationError{Problems: bad}
	}
	if err := calendar.ValidateDays(days); err != nil {
		return nil, err
	}
	return days, nil
}
