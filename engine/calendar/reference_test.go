package calendar

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// naiveWork decides a day by walking the override chain and the weekday
// rule, without the bitmap.
func naiveWork(c *Calendar, d Date) bool {
	if day, ok := c.Lookup(d); ok {
		return day.Kind == Workday
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// TestAgainstNaive compares the rank/select arithmetic with a day-by-day
// walk, over random acceptances from 1998 to 2030 (before, across and after
// the library's years) on the national calendar and on one with overrides
// in a year the library does not know.
func TestAgainstNaive(t *testing.T) {
	withOverrides, err := New(nil, []Day{
		{Date{2029, 1, 1}, Holiday, ""}, {Date{2029, 1, 6}, Workday, ""}, {Date{2030, 6, 3}, Holiday, ""},
		{Date{2025, 9, 27}, Workday, ""}, {Date{2025, 10, 8}, Workday, ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 26))
	lo, hi := Date{1998, 1, 1}.num(), Date{2031, 1, 1}.num()
	for _, c := range []*Calendar{National(), withOverrides} {
		for n := lo; n < hi; n++ {
			if d := dateOf(n); c.IsWorkday(d) != naiveWork(c, d) {
				t.Fatalf("IsWorkday(%s) = %v, naive %v", d, c.IsWorkday(d), naiveWork(c, d))
			}
		}
		for i := 0; i < 5000; i++ {
			d := dateOf(lo + rng.IntN(hi-lo-200))
			days := rng.IntN(80)
			start := time.Date(d.Year, d.Month, d.Day, rng.IntN(24), rng.IntN(60), 0, 0, cst)

			// The naive due date: the days-th working day after d.
			e, k := d, 0
			for k < days {
				e = e.AddDays(1)
				if naiveWork(c, e) {
					k++
				}
			}
			if days > 0 {
				want := time.Date(e.Year, e.Month, e.Day, 17, 30, 0, 0, cst)
				if got := c.AddWorkingDays(start, float64(days)); !got.Equal(want) {
					t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", start, days, got, want)
				}
				if got := c.AddWorkdays(d, days); got != e {
					t.Fatalf("AddWorkdays(%s, %d) = %s, want %s", d, days, got, e)
				}
				// Going back lands on the last working day on or before d.
				back := d
				for !naiveWork(c, back) {
					back = back.AddDays(-1)
				}
				if got := c.AddWorkdays(e, -days); got != back {
					t.Fatalf("AddWorkdays(%s, %d) = %s, want %s", e, -days, got, back)
				}
				if got := c.CountWorkdays(d, e); got != days {
					t.Fatalf("CountWorkdays(%s, %s) = %d, want %d", d, e, got, days)
				}
			}

			// Fractional limits and random pauses: Used at Due is the limit.
			limit := float64(days) + float64(rng.IntN(8))/8
			var pauses []Pause
			for j := rng.IntN(3); j > 0; j-- {
				from := start.Add(time.Duration(rng.IntN(40*24)) * time.Hour)
				pauses = append(pauses, Pause{from, from.Add(time.Duration(rng.IntN(10*24*60)) * time.Minute)})
			}
			due, ok := c.Due(start, limit, pauses)
			if !ok {
				t.Fatalf("Due with closed pauses not ok")
			}
			if limit > 0 {
				if used := c.Used(start, due, pauses); math.Abs(used-limit) > 1e-9 {
					t.Fatalf("Used(%s, Due=%s, %v) = %v, want %v", start, due, pauses, used, limit)
				}
				if used := c.Used(start, due.Add(-time.Minute), pauses); used >= limit {
					t.Fatalf("a minute before Due(%s, %v, %v) = %s, Used is already %v", start, limit, pauses, due, used)
				}
			}
			if w := c.WarnAt(due, 1); limit > 1 && math.Abs(c.Remaining(due, w)-1) > 1e-9 {
				t.Fatalf("Remaining at WarnAt(%s, 1) = %v", due, c.Remaining(due, w))
			}
		}
	}
}
