package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/calendar"
	"onewindow/store"
	"onewindow/store/storetest"
)

var cst = time.FixedZone("CST", 8*3600)

func cday(t *testing.T, s string, kind calendar.Kind, name string) calendar.Day {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return calendar.Day{Date: d, Kind: kind, Name: name}
}

func putDays(t *testing.T, db *store.DB, unit string, year int, days ...calendar.Day) error {
	t.Helper()
	ctx := context.Background()
	return db.Tx(ctx, func(tx *sqlx.Tx) error { return store.PutCalendarDays(ctx, tx, unit, year, days, "admin") })
}

func TestCalendarsFollowTheOrgTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := tree(t, db)
		cals := &store.Calendars{DB: db, CheckEvery: -1}
		friday := time.Date(2025, 9, 26, 10, 0, 0, 0, cst) // the last Friday before National Day 2025
		due := func(unit string) time.Time {
			t.Helper()
			c, err := cals.Calendar(ctx, unit)
			if err != nil {
				t.Fatal(err)
			}
			return c.AddWorkingDays(friday, 3).In(cst)
		}
		national := time.Date(2025, 9, 30, 17, 30, 0, 0, cst) // Sun 28 (make-up), Mon 29, Tue 30
		if got := due(u["lz-st"].ID); !got.Equal(national) {
			t.Fatalf("station without any calendar: due %v, want the national %v", got, national)
		}
		// The county gives Monday 29 September off: its townships and villages follow it.
		if err := putDays(t, db, u["bl"].ID, 2025, cday(t, "2025-09-29", calendar.Holiday, "县放假")); err != nil {
			t.Fatal(err)
		}
		county := time.Date(2025, 10, 9, 17, 30, 0, 0, cst) // Sun 28, Tue 30, then Thu 9 October
		for _, code := range []string{"bl", "ml", "lz", "lz-st", "bl-fgj-sp"} {
			if got := due(u[code].ID); !got.Equal(county) {
				t.Errorf("%s: due %v, want %v (the county's day off)", code, got, county)
			}
		}
		if got := due(u["yl"].ID); !got.Equal(national) {
			t.Errorf("the city above the county: due %v, want the national %v", got, national)
		}
		// The township works on Monday 29 after all; its village inherits the township's
		// calendar, which is the county's with the township's own day on top.
		if err := putDays(t, db, u["ml"].ID, 2025, cday(t, "2025-09-29", calendar.Workday, "镇正常上班")); err != nil {
			t.Fatal(err)
		}
		if got := due(u["lz-st"].ID); !got.Equal(national) {
			t.Errorf("station under the township: due %v, want %v", got, national)
		}
		if _, from, _ := cals.Resolve(ctx, u["lz-st"].ID); from != u["ml"].ID {
			t.Errorf("station inherits from %q, want the township %q", from, u["ml"].ID)
		}
		if _, from, _ := cals.Resolve(ctx, u["bl-fgj-sp"].ID); from != u["bl"].ID {
			t.Errorf("section inherits from %q, want the county %q", from, u["bl"].ID)
		}
		if _, from, _ := cals.Resolve(ctx, u["yl"].ID); from != store.NationalCalendar {
			t.Errorf("city inherits from %q, want national", from)
		}
		// Moving the village under the other branch changes its calendar.
		other := &store.OrgUnit{Code: "ta", Name: "塘岸镇", Kind: store.KindGovernment, Level: store.LevelTownship, ParentID: u["bl"].ID}
		if err := store.CreateOrgUnit(ctx, db, other); err != nil {
			t.Fatal(err)
		}
		if _, err := store.UpdateOrgUnit(ctx, db, u["lz"].ID, store.OrgUnitPatch{ParentID: &other.ID}); err != nil {
			t.Fatal(err)
		}
		if got := due(u["lz-st"].ID); !got.Equal(county) {
			t.Errorf("station moved under another township: due %v, want the county's %v", got, county)
		}
		// A unit that does not exist counts on the national calendar; "" is national.
		if got := due("no-such-unit"); !got.Equal(national) {
			t.Errorf("unknown unit: due %v, want %v", got, national)
		}
		if got := due(""); !got.Equal(national) {
			t.Errorf("national: due %v, want %v", got, national)
		}
	})
}

func TestCalendarsCacheAndRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// A year the library does not know: 2099, with New Year's Day on a Thursday.
		start := time.Date(2098, 12, 31, 10, 0, 0, 0, cst)
		dueOn := func(c *store.Calendars) time.Time {
			t.Helper()
			cal, err := c.Calendar(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			return cal.AddWorkingDays(start, 1).In(cst)
		}
		before := time.Date(2099, 1, 1, 17, 30, 0, 0, cst)
		after := time.Date(2099, 1, 2, 17, 30, 0, 0, cst)
		cached := &store.Calendars{DB: db, CheckEvery: time.Hour}
		eager := &store.Calendars{DB: db, CheckEvery: -1}
		if dueOn(cached) != before || dueOn(eager) != before {
			t.Fatal("2099 without overrides: want Thursday 1 January")
		}
		// Another process edits the days: only the revision in the database tells.
		rev, _ := store.CalendarRevision(ctx, db)
		if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO calendar_days (unit, day, kind, name, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
			store.NationalCalendar, "2099-01-01", "holiday", "元旦", "elsewhere", store.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE calendar_revision SET revision = revision + 1`); err != nil {
			t.Fatal(err)
		}
		if got := dueOn(eager); !got.Equal(after) {
			t.Errorf("after another process's edit: due %v, want %v", got, after)
		}
		if got := dueOn(cached); !got.Equal(before) {
			t.Errorf("cached within its check interval: due %v, want the cached %v", got, before)
		}
		cached.Invalidate()
		if got := dueOn(cached); !got.Equal(after) {
			t.Errorf("after Invalidate: due %v, want %v", got, after)
		}
		// An edit in this process is seen at once, whatever the interval.
		if err := putDays(t, db, store.NationalCalendar, 2099, cday(t, "2099-01-01", calendar.Holiday, "元旦"), cday(t, "2099-01-02", calendar.Holiday, "元旦")); err != nil {
			t.Fatal(err)
		}
		if got, want := dueOn(cached), time.Date(2099, 1, 5, 17, 30, 0, 0, cst); !got.Equal(want) {
			t.Errorf("after an edit in this process: due %v, want %v", got, want)
		}
		if r, _ := store.CalendarRevision(ctx, db); r != rev+2 {
			t.Errorf("revision %d, want %d", r, rev+2)
		}
		days, err := store.CalendarDays(ctx, db, store.NationalCalendar, 2099)
		if err != nil || len(days) != 2 || days[0].Date != "2099-01-01" || days[1].UpdatedBy != "admin" {
			t.Fatalf("days %+v, %v", days, err)
		}
		// Replacing a year leaves the other years alone.
		if err := putDays(t, db, store.NationalCalendar, 2100, cday(t, "2100-01-01", calendar.Holiday, "元旦")); err != nil {
			t.Fatal(err)
		}
		if all, _ := store.CalendarDays(ctx, db, store.NationalCalendar, 0); len(all) != 3 {
			t.Errorf("all years: %d days, want 3", len(all))
		}
	})
}

// A check of cached calendars never waits for a busy pool: its caller may hold a transaction
// whose locks the pool's other holders wait on (a deadlock the database cannot see). Only the
// first load, with nothing cached, waits.
func TestCalendarsCheckDoesNotWaitForABusyPool(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		eager := &store.Calendars{DB: db, CheckEvery: -1}
		if _, err := eager.Calendar(ctx, ""); err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		held, err := db.Conn(ctx) // the pool's only connection, held as a waiting transaction would
		if err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		began := time.Now()
		cal, err := eager.Calendar(wctx, "")
		if err != nil || cal == nil {
			t.Fatalf("cached calendars with the pool busy: %v (after %v), want the cached calendar", err, time.Since(began))
		}
		if d := time.Since(began); d > 2*time.Second {
			t.Errorf("the check waited %v for the busy pool", d)
		}
		// Nothing cached: the first load must read, and waits (here until its context ends).
		sctx, scancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer scancel()
		if _, err := (&store.Calendars{DB: db}).Calendar(sctx, ""); err == nil {
			t.Error("a first load with the pool busy answered without reading the calendars")
		}
		held.Close()
		if _, err := eager.Calendar(ctx, ""); err != nil {
			t.Fatalf("after the pool is free again: %v", err)
		}
	})
}
