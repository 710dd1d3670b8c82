package calendar

import (
	"math"
	"time"
)

// Working time is measured on a line that advances only during working
// hours of working days. A point on it is a position: working days before a
// day (its rank) times the working-day length, plus the working time elapsed
// on that day. Every instant maps to a position (monotonically; instants
// outside working hours share the position of the last working moment) and
// arithmetic maps a position back to the earliest instant that has it, so a
// due time is the close of business, never the next morning.
//
// Positions are kept relative to a rank r0 chosen per call, in int64
// nanoseconds: exact, and far from overflow for spans of a few centuries.

// maxDays caps a limit so that positions cannot overflow even with a
// 24-hour working day: 100,000 working days is centuries.
const maxDays = 100000

// split returns the day number of t in c's zone and the working time
// elapsed on that day up to t (0 on a day off).
func (c *Calendar) split(t time.Time) (n int, off time.Duration) {
	t = t.In(c.loc)
	y, m, d := t.Date()
	n = Date{y, m, d}.num()
	if !c.tab.isWork(n) {
		return n, 0
	}
	h, mi, s := t.Clock()
	wall := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	return n, c.sched.elapsed(wall)
}

// pos returns the position of t relative to rank r0.
func (c *Calendar) pos(t time.Time, r0 int) time.Duration {
	n, off := c.split(t)
	return time.Duration(c.tab.before(n)-r0)*c.sched.length + off
}

// instant returns the earliest instant whose position relative to r0 is p.
func (c *Calendar) instant(r0 int, p time.Duration) time.Time {
	L := c.sched.length
	q := int(p / L)
	rem := p - time.Duration(q)*L
	if rem < 0 { // floor division for negative positions (WarnAt)
		q--
		rem += L
	}
	if rem == 0 { // the close of the previous working day
		q--
		rem = L
	}
	d := dateOf(c.tab.nth(r0 + q))
	w := c.sched.wallAt(rem)
	return time.Date(d.Year, d.Month, d.Day, int(w/time.Hour), int(w%time.Hour/time.Minute),
		int(w%time.Minute/time.Second), int(w%time.Second), c.loc)
}

// daysToDuration converts working days to working time, treating NaN and
// negative values as 0 and capping at maxDays.
func (c *Calendar) daysToDuration(days float64) time.Duration {
	if !(days > 0) {
		return 0
	}
	days = min(days, maxDays)
	whole := math.Floor(days)
	frac := math.Round((days - whole) * float64(c.sched.length))
	return time.Duration(whole)*c.sched.length + time.Duration(frac)
}

// clockStart returns the rank at which a time limit starting at start
// begins to run: the day of acceptance is not counted (民法典 §201: a
// period counted in days starts on the next day), so the clock starts at the
// first working moment after the day of start.
func (c *Calendar) clockStart(start time.Time) int {
	n, _ := c.split(start)
	return c.tab.before(n + 1)
}

// AddWorkingDays returns the due time of a limit of days working days
// counted from start, the moment of acceptance.
//
// The law counts a time limit from the day after acceptance (行政许可法
// §42, §82: working days, public holidays excluded; 民法典 §201: the first
// day is not counted), so N working days from an acceptance on day D end on
// the N-th working day after D, whatever the hour of acceptance. The period
// ends when business stops on that day (民法典 §203: the last day ends at
// 24:00, or where there are business hours, when business stops): the
// result is the end of the last working period of that day, 17:30 with the
// default hours. A fraction is a share of a working day's hours counted
// on from there: 0.5 working days from an acceptance on Monday is 14:00 on
// Tuesday (3.5 of 7 hours after 09:00). Days <= 0 (an immediate item) give
// the close of the day of acceptance, or start itself when later.
func (c *Calendar) AddWorkingDays(start time.Time, days float64) time.Time {
	r0 := c.clockStart(start)
	return later(start, c.instant(r0, c.daysToDuration(days)))
}

// AddWorkingHours returns the moment when hours of working time have passed
// since start (not from the next day: for items whose limit is in hours).
// Hours that land exactly on the end of a working period give that end.
func (c *Calendar) AddWorkingHours(start time.Time, hours float64) time.Time {
	n, off := c.split(start)
	r0 := c.tab.before(n)
	return later(start, c.instant(r0, off+c.hoursToDuration(hours)))
}

// hoursToDuration converts working hours to working time with the same
// guards as daysToDuration.
func (c *Calendar) hoursToDuration(hours float64) time.Duration {
	if !(hours > 0) {
		return 0
	}
	hours = min(hours, maxDays*c.sched.length.Hours())
	return time.Duration(math.Round(hours * float64(time.Hour)))
}

// WorkingDaysBetween returns the working time from from to to in working
// days, fractional by working hours (negative when to is before from). It
// measures instant to instant; Used applies the law's first-day rule.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) float64 {
	na, offa := c.split(from)
	nb, offb := c.split(to)
	return float64(c.tab.before(nb)-c.tab.before(na)) + float64(offb-offa)/float64(c.sched.length)
}

// Remaining returns the working days left at now before due, negative once
// due has passed (overdue by that much).
func (c *Calendar) Remaining(due, now time.Time) float64 {
	return c.WorkingDaysBetween(now, due)
}

// WarnAt returns the moment warnDays working days before due: when a yellow
// warning should fire. For a due time at the close of a working day and one
// warning day it is the close of the working day before. warnDays <= 0
// gives due. With warnDays at or above the limit the result is at or before
// the clock started; the caller decides whether to warn at once.
func (c *Calendar) WarnAt(due time.Time, warnDays float64) time.Time {
	w := c.daysToDuration(warnDays)
	if w == 0 {
		return due
	}
	n, off := c.split(due)
	return c.instant(c.tab.before(n), off-w)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
