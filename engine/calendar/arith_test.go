package calendar

import (
	"math"
	"testing"
	"time"
)

var cst = National().Location()

// at returns the instant y-m-d h:mi in Asia/Shanghai.
func at(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, cst)
}

func TestAddWorkingDays(t *testing.T) {
	c := National()
	tests := []struct {
		name  string
		start time.Time
		days  float64
		want  time.Time
	}{
		// National Day and Mid-Autumn 2025: off 1–8 Oct, make-up Sun 28 Sep and Sat 11 Oct.
		{"Fri before National Day, 1 day: make-up Sunday", at(2025, 9, 26, 10, 0), 1, at(2025, 9, 28, 17, 30)},
		{"Fri before National Day, 3 days: before the holiday", at(2025, 9, 26, 10, 0), 3, at(2025, 9, 30, 17, 30)},
		{"Fri before National Day, 4 days: after the holiday", at(2025, 9, 26, 10, 0), 4, at(2025, 10, 9, 17, 30)},
		{"Fri before National Day, 6 days: make-up Saturday", at(2025, 9, 26, 10, 0), 6, at(2025, 10, 11, 17, 30)},
		{"Fri before National Day, 7 days: Sunday 12 Oct off", at(2025, 9, 26, 10, 0), 7, at(2025, 10, 13, 17, 30)},
		{"Fri before National Day, 20 days (行政许可法 §42)", at(2025, 9, 26, 10, 0), 20, at(2025, 10, 30, 17, 30)},
		{"hour of acceptance does not matter (08:00)", at(2025, 9, 26, 8, 0), 6, at(2025, 10, 11, 17, 30)},
		{"hour of acceptance does not matter (23:59)", at(2025, 9, 26, 23, 59), 6, at(2025, 10, 11, 17, 30)},
		{"Tue 30 Sep, 3 days: 9, 10 and make-up 11 Oct", at(2025, 9, 30, 15, 0), 3, at(2025, 10, 11, 17, 30)},
		{"accepted on a Saturday off", at(2025, 9, 27, 10, 0), 1, at(2025, 9, 28, 17, 30)},
		{"accepted during the holiday", at(2025, 10, 3, 10, 0), 1, at(2025, 10, 9, 17, 30)},
		// Spring Festival 2026: off 15–23 Feb, make-up Sat 14 Feb and Sat 28 Feb.
		{"Fri 13 Feb 2026, 1 day: make-up Saturday", at(2026, 2, 13, 10, 0), 1, at(2026, 2, 14, 17, 30)},
		{"Fri 13 Feb 2026, 2 days: after the festival", at(2026, 2, 13, 10, 0), 2, at(2026, 2, 24, 17, 30)},
		{"Fri 13 Feb 2026, 3 days", at(2026, 2, 13, 10, 0), 3, at(2026, 2, 25, 17, 30)},
		{"accepted on make-up Sat 14 Feb 2026", at(2026, 2, 14, 10, 0), 1, at(2026, 2, 24, 17, 30)},
		{"Thu 26 Feb 2026, 2 days: make-up Sat 28 Feb", at(2026, 2, 26, 10, 0), 2, at(2026, 2, 28, 17, 30)},
		{"Thu 26 Feb 2026, 3 days: Sunday off", at(2026, 2, 26, 10, 0), 3, at(2026, 3, 2, 17, 30)},
		// Spring Festival 2025 and New Year 2026.
		{"Fri 24 Jan 2025, 1 day: make-up Sun 26 Jan", at(2025, 1, 24, 10, 0), 1, at(2025, 1, 26, 17, 30)},
		{"Fri 24 Jan 2025, 3 days", at(2025, 1, 24, 10, 0), 3, at(2025, 2, 5, 17, 30)},
		{"Wed 31 Dec 2025, 1 day: make-up Sun 4 Jan 2026", at(2025, 12, 31, 10, 0), 1, at(2026, 1, 4, 17, 30)},
		// The date of acceptance is read in Asia/Shanghai.
		{"UTC 15:30 Thu is Thu 23:30 CST", time.Date(2025, 9, 25, 15, 30, 0, 0, time.UTC), 1, at(2025, 9, 26, 17, 30)},
		{"UTC 16:30 Thu is Fri 00:30 CST", time.Date(2025, 9, 25, 16, 30, 0, 0, time.UTC), 1, at(2025, 9, 28, 17, 30)},
		// Fractions are working hours of the next working day (7 h a day).
		{"0.5 day: 3.5 h after 09:00", at(2025, 9, 22, 10, 0), 0.5, at(2025, 9, 23, 14, 0)},
		{"1.5 days", at(2025, 9, 22, 10, 0), 1.5, at(2025, 9, 24, 14, 0)},
		{"3/7 day ends at noon, not 13:30", at(2025, 9, 22, 10, 0), 3.0 / 7, at(2025, 9, 23, 12, 0)},
		{"0.5 day before National Day: make-up Sunday", at(2025, 9, 26, 10, 0), 0.5, at(2025, 9, 28, 14, 0)},
		// An immediate item (0 days) is due at the close of the day.
		{"0 days, during hours", at(2025, 9, 22, 10, 0), 0, at(2025, 9, 22, 17, 30)},
		{"0 days, after hours", at(2025, 9, 22, 18, 0), 0, at(2025, 9, 22, 18, 0)},
		{"0 days, on a Saturday", at(2025, 9, 20, 10, 0), 0, at(2025, 9, 20, 10, 0)},
		{"negative counts as 0", at(2025, 9, 22, 10, 0), -2, at(2025, 9, 22, 17, 30)},
		{"NaN counts as 0", at(2025, 9, 22, 10, 0), math.NaN(), at(2025, 9, 22, 17, 30)},
		// Beyond the library's years only weekends are off.
		{"2099: weekends only", at(2099, 1, 2, 10, 0), 5, at(2099, 1, 9, 17, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddWorkingDays(tt.start, tt.days); !got.Equal(tt.want) {
				t.Errorf("AddWorkingDays(%s, %v) = %s, want %s", tt.start, tt.days, got.In(cst), tt.want)
			}
		})
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := National()
	tests := []struct {
		name  string
		start time.Time
		hours float64
		want  time.Time
	}{
		{"rest of Friday, then make-up Sunday", at(2025, 9, 26, 10, 0), 8, at(2025, 9, 28, 11, 0)},
		{"ends on the end of a period", at(2025, 9, 22, 11, 0), 1, at(2025, 9, 22, 12, 0)},
		{"lunch break skipped", at(2025, 9, 22, 11, 0), 1.5, at(2025, 9, 22, 14, 0)},
		{"from the lunch break", at(2025, 9, 22, 12, 30), 0.5, at(2025, 9, 22, 14, 0)},
		{"to the close", at(2025, 9, 22, 17, 0), 0.5, at(2025, 9, 22, 17, 30)},
		{"into the next day", at(2025, 9, 22, 17, 0), 1, at(2025, 9, 23, 9, 30)},
		{"from before opening", at(2025, 9, 22, 7, 0), 7, at(2025, 9, 22, 17, 30)},
		{"from a Saturday", at(2025, 9, 20, 10, 0), 1, at(2025, 9, 22, 10, 0)},
		{"across Spring Festival 2026", at(2026, 2, 14, 17, 0), 1, at(2026, 2, 24, 9, 30)},
		{"zero hours", at(2025, 9, 22, 7, 0), 0, at(2025, 9, 22, 7, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddWorkingHours(tt.start, tt.hours); !got.Equal(tt.want) {
				t.Errorf("AddWorkingHours(%s, %v) = %s, want %s", tt.start, tt.hours, got, tt.want)
			}
		})
	}
}

func TestWorkingDaysBetweenAndRemaining(t *testing.T) {
	c := National()
	tests := []struct {
		name     string
		from, to time.Time
		want     float64
	}{
		{"one full day", at(2025, 9, 22, 9, 0), at(2025, 9, 22, 17, 30), 1},
		{"lunch break is not working time", at(2025, 9, 22, 12, 0), at(2025, 9, 22, 13, 30), 0},
		{"one hour", at(2025, 9, 22, 10, 0), at(2025, 9, 22, 11, 0), 1.0 / 7},
		{"over National Day with both make-up days", at(2025, 9, 26, 17, 30), at(2025, 10, 11, 17, 30), 6},
		{"reversed is negative", at(2025, 10, 11, 17, 30), at(2025, 9, 26, 17, 30), -6},
		{"Spring Festival 2026", at(2026, 2, 13, 17, 30), at(2026, 2, 24, 12, 0), 1 + 3.0/7},
		{"weekend counts nothing", at(2025, 9, 19, 17, 30), at(2025, 9, 22, 9, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkingDaysBetween(tt.from, tt.to); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("WorkingDaysBetween = %v, want %v", got, tt.want)
			}
		})
	}
	due := at(2025, 9, 30, 17, 30)
	for _, tt := range []struct {
		now  time.Time
		want float64
	}{
		{at(2025, 9, 28, 17, 30), 2},
		{at(2025, 9, 30, 17, 30), 0},
		{at(2025, 10, 9, 9, 0), 0}, // the holiday does not make the case overdue
		{at(2025, 10, 9, 12, 0), -3.0 / 7},
	} {
		if got := c.Remaining(due, tt.now); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Remaining(%s, %s) = %v, want %v", due, tt.now, got, tt.want)
		}
	}
}

func TestWarnAt(t *testing.T) {
	c := National()
	tests := []struct {
		name string
		due  time.Time
		warn float64
		want time.Time
	}{
		{"one day before, plain week", at(2025, 9, 30, 17, 30), 1, at(2025, 9, 29, 17, 30)},
		{"back across National Day", at(2025, 10, 9, 17, 30), 1, at(2025, 9, 30, 17, 30)},
		{"make-up Saturday counts", at(2025, 10, 13, 17, 30), 1, at(2025, 10, 11, 17, 30)},
		{"two days", at(2025, 10, 13, 17, 30), 2, at(2025, 10, 10, 17, 30)},
		{"back across Spring Festival 2026", at(2026, 2, 24, 17, 30), 1, at(2026, 2, 14, 17, 30)},
		{"half a day", at(2025, 9, 30, 17, 30), 0.5, at(2025, 9, 30, 14, 0)},
		{"due mid-day", at(2025, 9, 30, 14, 0), 1, at(2025, 9, 29, 14, 0)},
		{"zero is the due time", at(2025, 9, 30, 17, 30), 0, at(2025, 9, 30, 17, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.WarnAt(tt.due, tt.warn)
			if !got.Equal(tt.want) {
				t.Fatalf("WarnAt(%s, %v) = %s, want %s", tt.due, tt.warn, got, tt.want)
			}
			if r := c.Remaining(tt.due, got); math.Abs(r-tt.warn) > 1e-12 {
				t.Errorf("Remaining at the warning = %v, want %v", r, tt.warn)
			}
		})
	}
}

func TestWorkdayDates(t *testing.T) {
	c := National()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2025-09-26", 1, "2025-09-28"},
		{"2025-09-26", 4, "2025-10-09"},
		{"2025-09-30", 3, "2025-10-11"},
		{"2025-10-09", -1, "2025-09-30"},
		{"2025-10-13", -1, "2025-10-11"},
		{"2026-02-24", -1, "2026-02-14"},
		{"2026-02-24", 0, "2026-02-24"},
		{"2099-01-02", 5, "2099-01-09"},
		{"1999-12-31", 1, "2000-01-03"},
	}
	for _, tt := range tests {
		from, want := mustDate(t, tt.from), mustDate(t, tt.want)
		got := c.AddWorkdays(from, tt.n)
		if got != want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", from, tt.n, got, want)
		}
		if tt.n > 0 {
			if k := c.CountWorkdays(from, got); k != tt.n {
				t.Errorf("CountWorkdays(%s, %s) = %d, want %d", from, got, k, tt.n)
			}
		}
	}
}

func TestHoursAndLocation(t *testing.T) {
	// A township station open 08:30–12:00 and 14:30–17:30: 6.5 h a day.
	c, err := National().WithHours([]Period{{At(8, 30), At(12, 0)}, {At(14, 30), At(17, 30)}})
	if err != nil {
		t.Fatal(err)
	}
	if c.DayLength() != 6*time.Hour+30*time.Minute {
		t.Errorf("DayLength = %s", c.DayLength())
	}
	if got, want := c.AddWorkingDays(at(2025, 9, 26, 10, 0), 6), at(2025, 10, 11, 17, 30); !got.Equal(want) {
		t.Errorf("6 days = %s, want %s", got, want)
	}
	if got, want := c.AddWorkingDays(at(2025, 9, 22, 10, 0), 0.5), at(2025, 9, 23, 11, 45); !got.Equal(want) {
		t.Errorf("0.5 day = %s, want %s", got, want)
	}
	if h := c.Hours(); len(h) != 2 || h[1].Start != At(14, 30) {
		t.Errorf("Hours = %v", h)
	}

	// A 24-hour day gives the 24:00 reading of the last day.
	c24, err := National().WithHours([]Period{{At(0, 0), At(24, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c24.AddWorkingDays(at(2025, 9, 26, 10, 0), 1), at(2025, 9, 29, 0, 0); !got.Equal(want) {
		t.Errorf("24h calendar, 1 day = %s, want %s", got, want)
	}

	// In UTC the date of acceptance is the UTC date.
	utc := National().WithLocation(time.UTC)
	start := time.Date(2025, 9, 25, 16, 30, 0, 0, time.UTC) // Thu in UTC, Fri in Shanghai
	if got, want := utc.AddWorkingDays(start, 1), time.Date(2025, 9, 26, 17, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("UTC calendar = %s, want %s", got, want)
	}
	if National().WithLocation(nil).Location() != cst {
		t.Error("WithLocation(nil) should give Asia/Shanghai")
	}
}
