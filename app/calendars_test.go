package app

import (
	"context"
	"errors"
	"testing"

	"onewindow/engine/calendar"
	"onewindow/store"
	"onewindow/store/storetest"
)

// A bad holiday table is refused whole, naming each bad day, and nothing is stored.
func TestPutCalendarDaysRefusesBadTables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ap := New(Config{DB: db})
		admin := &Actor{UserID: "admin", Username: "admin", Roles: []string{store.RoleAdmin}}
		day := func(date, kind string) CalendarDayInput { return CalendarDayInput{Date: date, Kind: kind} }
		for _, c := range []struct {
			name  string
			days  []CalendarDayInput
			field string
			code  string
		}{
			{"a date listed twice", []CalendarDayInput{day("2027-10-01", "holiday"), day("2027-10-01", "holiday")}, "days[1].date", calendar.CodeDuplicateDate},
			{"holiday and workday at once", []CalendarDayInput{day("2027-10-01", "holiday"), day("2027-10-01", "workday")}, "days[1].date", calendar.CodeConflictingDate},
			{"no such date", []CalendarDayInput{day("2027-02-30", "holiday")}, "days[0].date", calendar.CodeInvalidDate},
			{"not a date", []CalendarDayInput{day("2027-2-3", "holiday")}, "days[0].date", calendar.CodeInvalidDate},
			{"outside the year", []CalendarDayInput{day("2028-01-01", "holiday")}, "days[0].date", "outside_year"},
			{"unknown kind", []CalendarDayInput{day("2027-05-03", "rest")}, "days[0].kind", calendar.CodeUnknownKind},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := ap.PutCalendarDays(ctx, admin, store.NationalCalendar, 2027, CalendarDaysRequest{Days: c.days})
				var verr *calendar.ValidationError
				if !errors.As(err, &verr) || verr.Problems[0].Field != c.field || verr.Problems[0].Code != c.code {
					t.Fatalf("error %v, want a %s problem at %s", err, c.code, c.field)
				}
			})
		}
		if _, err := ap.PutCalendarDays(ctx, admin, "01jd5q3k8m0000000000000000", 2027, CalendarDaysRequest{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown unit: %v, want ErrNotFound", err)
		}
		_, err := ap.PutCalendarDays(ctx, admin, store.NationalCalendar, 99999, CalendarDaysRequest{})
		wantInvalid(t, err, "year")
		clerk := &Actor{UserID: "c", Username: "clerk", Roles: []string{store.RoleClerk}}
		if _, err := ap.PutCalendarDays(ctx, clerk, store.NationalCalendar, 2027, CalendarDaysRequest{}); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Errorf("a clerk edits the calendar: %v", err)
		}
		if days, _ := store.CalendarDays(ctx, db, store.NationalCalendar, 0); len(days) != 0 {
			t.Errorf("refused tables stored %d days", len(days))
		}
		// A good table is stored and shown.
		v, err := ap.PutCalendarDays(ctx, admin, store.NationalCalendar, 2027, CalendarDaysRequest{Days: []CalendarDayInput{{Date: "2027-10-08", Kind: "holiday", Name: "调休"}}})
		if err != nil || len(v.Overrides) != 1 || v.Overrides[0].Date != "2027-10-08" || v.Overrides[0].UpdatedBy != "admin" {
			t.Fatalf("stored %+v %v", v, err)
		}
	})
}
