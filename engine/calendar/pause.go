package calendar

import (
	"math"
	"slices"
	"time"
)

// Pause is a stretch of time that does not count against a time limit:
// waiting for a supplement, a hearing, expert review, an on-site survey, a
// public notice. A zero To means the pause is still open. Pauses may
// overlap (their union counts once); a pause whose To is before its From
// counts as empty (the caller validates pauses when they are recorded).
type Pause struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
}

// Open reports whether p has not ended yet.
func (p Pause) Open() bool { return p.To.IsZero() }

// span is a pause as positions; open pauses end at +inf.
type span struct{ a, b time.Duration }

// spans maps pauses to positions relative to r0, sorted by start and
// clipped to start no earlier than 0 (the clock start).
func (c *Calendar) spans(r0 int, pauses []Pause) []span {
	out := make([]span, 0, len(pauses))
	for _, p := range pauses {
		s := span{a: max(c.pos(p.From, r0), 0), b: math.MaxInt64}
		if !p.Open() {
			s.b = c.pos(p.To, r0)
		}
		if s.b > s.a {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(x, y span) int {
		switch {
		case x.a < y.a:
			return -1
		case x.a > y.a:
			return 1
		}
		return 0
	})
	return out
}

// Due returns the due time of a limit of limitDays working days from start
// (as AddWorkingDays counts it), moved later by the working time spent in
// pauses before it is reached. A pause that begins only at or after the
// due time does not move it (the case is already overdue). ok is false
// when a pause that is still open began before the due time: the clock is
// stopped and there is no due time until it resumes.
func (c *Calendar) Due(start time.Time, limitDays float64, pauses []Pause) (due time.Time, ok bool) {
	r0 := c.clockStart(start)
	target := c.daysToDuration(limitDays)
	covered := time.Duration(math.MinInt64) // end of the pause union so far
	for _, s := range c.spans(r0, pauses) {
		a := max(s.a, covered)
		if a >= target {
			break // this pause and every later one begin after the due time
		}
		if s.b <= a {
			continue // inside a pause already counted
		}
		if s.b == math.MaxInt64 {
			return time.Time{}, false
		}
		target += s.b - a
		covered = s.b
	}
	return later(start, c.instant(r0, target)), true
}

// Used returns the working days of a limit used at now by a case accepted
// at start: the working time since the clock started (the day of
// acceptance is not counted) minus the working time in pauses, including a
// pause still open at now. It is never negative, and
// Used(start, Due(start, n, pauses), pauses) == n.
func (c *Calendar) Used(start, now time.Time, pauses []Pause) float64 {
	r0 := c.clockStart(start)
	end := c.pos(now, r0)
	if end <= 0 {
		return 0
	}
	run := end
	covered := time.Duration(0)
	for _, s := range c.spans(r0, pauses) {
		a, b := max(s.a, covered), min(s.b, end)
		if a >= end {
			break
		}
		if b > a {
			run -= b - a
			covered = b
		}
	}
	return float64(run) / float64(c.sched.length)
}
