package calendar

import (
	"fmt"
	"testing"
	"time"
)

// starts spreads acceptances over 2025 and 2026, one every 13 hours, so that
// the benchmarks cross holidays and make-up days like real cases do.
func starts() []time.Time {
	out := make([]time.Time, 1024)
	t0 := at(2025, 1, 2, 9, 17)
	for i := range out {
		out[i] = t0.Add(time.Duration(i) * 13 * time.Hour)
	}
	return out
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := National()
	ss := starts()
	for _, days := range []float64{20, 60} {
		b.Run(fmt.Sprintf("days=%v", days), func(b *testing.B) {
			i := 0
			for b.Loop() {
				_ = c.AddWorkingDays(ss[i&1023], days)
				i++
			}
		})
	}
	// A unit calendar with overrides costs the same: it has its own bitmap.
	local, err := New(c, []Day{{Date{2025, 9, 29}, Holiday, "local"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("days=20/unit", func(b *testing.B) {
		i := 0
		for b.Loop() {
			_ = local.AddWorkingDays(ss[i&1023], 20)
			i++
		}
	})
}

func BenchmarkDueWithPauses(b *testing.B) {
	c := National()
	ss := starts()
	i := 0
	for b.Loop() {
		s := ss[i&1023]
		_, _ = c.Due(s, 20, []Pause{{s.Add(48 * time.Hour), s.Add(100 * time.Hour)}, {From: s.Add(700 * time.Hour)}})
		i++
	}
}

func BenchmarkUsed(b *testing.B) {
	c := National()
	ss := starts()
	now := at(2026, 12, 1, 10, 0)
	i := 0
	for b.Loop() {
		s := ss[i&1023]
		_ = c.Used(s, now, []Pause{{s.Add(48 * time.Hour), s.Add(100 * time.Hour)}})
		i++
	}
}

func BenchmarkIsWorkday(b *testing.B) {
	c := National()
	d := Date{2025, 10, 11}
	for b.Loop() {
		_ = c.IsWorkday(d)
	}
}

func BenchmarkNewUnitCalendar(b *testing.B) {
	days := []Day{{Date{2025, 9, 29}, Holiday, "local"}, {Date{2026, 3, 3}, Holiday, "local"}}
	for b.Loop() {
		if _, err := New(National(), days); err != nil {
			b.Fatal(err)
		}
	}
}
