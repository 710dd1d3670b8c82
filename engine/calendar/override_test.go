package calendar

import (
	"errors"
	"testing"
	"time"
)

func day(t testing.TB, date string, kind Kind, name string) Day {
	return Day{Date: mustDate(t, date), Kind: kind, Name: name}
}

func TestOverrides(t *testing.T) {
	friday := at(2025, 9, 26, 10, 0) // before National Day 2025
	tests := []struct {
		name      string
		overrides []Day
		start     time.Time
		days      float64
		want      time.Time
	}{
		{"none: 3 days end on Tue 30 Sep", nil, friday, 3, at(2025, 9, 30, 17, 30)},
		{"an extra local holiday on Mon 29 Sep moves the due date past National Day",
			[]Day{day(t, "2025-09-29", Holiday, "local day off")}, friday, 3, at(2025, 10, 9, 17, 30)},
		{"a make-up Saturday added by override counts",
			[]Day{day(t, "2025-09-27", Workday, "local make-up day")}, friday, 1, at(2025, 9, 27, 17, 30)},
		{"a workday override cancels a library holiday",
			[]Day{day(t, "2025-10-08", Workday, "correction")}, at(2025, 9, 30, 10, 0), 1, at(2025, 10, 8, 17, 30)},
		{"a holiday override cancels a library make-up day",
			[]Day{day(t, "2025-10-11", Holiday, "correction")}, at(2025, 9, 30, 10, 0), 3, at(2025, 10, 13, 17, 30)},
		{"a year the library does not know",
			[]Day{day(t, "2099-01-01", Holiday, "元旦节"), day(t, "2099-01-02", Holiday, "元旦节"), day(t, "2099-01-04", Workday, "元旦节")},
			at(2098, 12, 31, 10, 0), 1, at(2099, 1, 4, 17, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(nil, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.AddWorkingDays(tt.start, tt.days); !got.Equal(tt.want) {
				t.Errorf("AddWorkingDays = %s, want %s", got, tt.want)
			}
			for _, d := range tt.overrides {
				if got, ok := c.Lookup(d.Date); !ok || got != d {
					t.Errorf("Lookup(%s) = %+v, %v; want the override", d.Date, got, ok)
				}
				if c.IsWorkday(d.Date) != (d.Kind == Workday) {
					t.Errorf("IsWorkday(%s) = %v, want %v", d.Date, !(d.Kind == Workday), d.Kind == Workday)
				}
			}
		})
	}
	// The national calendar itself is untouched.
	if got, want := National().AddWorkingDays(friday, 3), at(2025, 9, 30, 17, 30); !got.Equal(want) {
		t.Errorf("National changed: %s, want %s", got, want)
	}
}

func TestOverrideChain(t *testing.T) {
	county, err := New(National(), []Day{day(t, "2025-09-29", Holiday, "county day off"), day(t, "2025-09-30", Holiday, "county day off")})
	if err != nil {
		t.Fatal(err)
	}
	// A township under the county works on 30 Sep after all.
	town, err := New(county, []Day{day(t, "2025-09-30", Workday, "township works")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		c    *Calendar
		date string
		want bool
	}{
		{county, "2025-09-29", false}, {county, "2025-09-30", false}, {county, "2025-10-11", true},
		{town, "2025-09-29", false}, {town, "2025-09-30", true}, {town, "2025-10-01", false},
	} {
		if got := tt.c.IsWorkday(mustDate(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
	days := town.Days(mustDate(t, "2025-09-28"), mustDate(t, "2025-10-01"))
	want := []Day{
		day(t, "2025-09-28", Workday, "国庆中秋"),
		day(t, "2025-09-29", Holiday, "county day off"),
		day(t, "2025-09-30", Workday, "township works"),
		day(t, "2025-10-01", Holiday, "国庆中秋"),
	}
	if len(days) != len(want) {
		t.Fatalf("Days = %v, want %v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("Days[%d] = %+v, want %+v", i, days[i], want[i])
		}
	}
}

func TestNewRejectsBadOverrides(t *testing.T) {
	_, err := New(nil, []Day{{Date: Date{2026, 2, 30}, Kind: Holiday}})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Code != CodeInvalidDate {
		t.Fatalf("New with 2026-02-30: err = %v, want a ValidationError with %s", err, CodeInvalidDate)
	}
	if _, err := National().WithHours(nil); !errors.As(err, &ve) || ve.Problems[0].Code != CodeInvalidHours {
		t.Fatalf("WithHours(nil): err = %v, want %s", err, CodeInvalidHours)
	}
}

func TestSet(t *testing.T) {
	s := NewSet(nil)
	friday := at(2025, 9, 26, 10, 0)
	due := func(unit string) time.Time { return s.For(unit).AddWorkingDays(friday, 3) }
	tue, thu := at(2025, 9, 30, 17, 30), at(2025, 10, 9, 17, 30)

	if !due("county-42").Equal(tue) || s.For("county-42") != s.National() {
		t.Fatalf("a unit without overrides should fall back to the national calendar")
	}
	if err := s.Put("county-42", []Day{day(t, "2025-09-29", Holiday, "local day off")}); err != nil {
		t.Fatal(err)
	}
	if got := due("county-42"); !got.Equal(thu) {
		t.Errorf("county-42 due = %s, want %s", got, thu)
	}
	if got := due("county-7"); !got.Equal(tue) {
		t.Errorf("county-7 (no overrides) due = %s, want the national %s", got, tue)
	}
	if u := s.Units(); len(u) != 1 || u[0] != "county-42" {
		t.Errorf("Units = %v", u)
	}

	// A national override reaches every unit; the unit's own day stays.
	if err := s.Put(Nationwide, []Day{day(t, "2025-09-30", Holiday, "national extra")}); err != nil {
		t.Fatal(err)
	}
	if got, want := due("county-7"), at(2025, 10, 9, 17, 30); !got.Equal(want) {
		t.Errorf("county-7 after the national override: %s, want %s", got, want)
	}
	if got, want := due("county-42"), at(2025, 10, 10, 17, 30); !got.Equal(want) {
		t.Errorf("county-42 after the national override: %s, want %s", got, want)
	}
	if o := s.Overrides(Nationwide); len(o) != 1 || o[0].Name != "national extra" {
		t.Errorf("Overrides(Nationwide) = %v", o)
	}

	// A bad table leaves the Set unchanged.
	err := s.Put("county-42", []Day{{Date: Date{2025, 9, 31}, Kind: Holiday}})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Put with 2025-09-31: err = %v, want a ValidationError", err)
	}
	if got, want := due("county-42"), at(2025, 10, 10, 17, 30); !got.Equal(want) {
		t.Errorf("county-42 after a rejected Put: %s, want %s", got, want)
	}

	s.Delete("county-42")
	s.Delete(Nationwide)
	if !due("county-42").Equal(tue) || len(s.Units()) != 0 || len(s.Overrides(Nationwide)) != 0 {
		t.Errorf("after Delete the unit should follow the library calendar again")
	}
}

// TestSetConcurrent edits a Set while others read it; run with -race.
func TestSetConcurrent(t *testing.T) {
	s := NewSet(nil)
	start := at(2025, 9, 26, 10, 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			_ = s.Put("county-42", []Day{day(t, "2025-09-29", Holiday, "local")})
			_ = s.Put(Nationwide, []Day{day(t, "2025-09-30", Holiday, "national")})
			s.Delete("county-42")
			s.Delete(Nationwide)
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		got := s.For("county-42").AddWorkingDays(start, 3)
		// Any consistent snapshot gives one of these.
		ok := false
		for _, d := range []int{30, 9, 10} {
			m := time.October
			if d == 30 {
				m = time.September
			}
			ok = ok || got.Equal(at(2025, m, d, 17, 30))
		}
		if !ok {
			t.Fatalf("due %s is not from any snapshot", got)
		}
	}
}
