package calendar

import (
	"sync"
	"time"
	_ "time/tzdata" // so Asia/Shanghai loads on a machine without zoneinfo
)

// Calendar says which days are working days and when working hours are, in
// one time zone, and does time-limit arithmetic with them. A Calendar is
// immutable and safe for concurrent use; build one with National, Weekends
// or New, and derive variants with WithHours and WithLocation. The zero
// Calendar is not usable.
type Calendar struct {
	loc    *time.Location
	sched  schedule
	parent *Calendar   // the calendar this one overrides, for Lookup and Days
	own    map[int]Day // days listed at this level, by day number
	tab    table       // the effective working days of this level
}

// defaultLocation is Asia/Shanghai, or a fixed UTC+8 zone named CST if the
// zone database cannot be read (it is embedded, so that should not happen;
// China has kept UTC+8 without daylight saving since 1991).
var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
})

// Weekends returns a calendar with Saturdays and Sundays off and no
// holidays, the default working hours and Asia/Shanghai; a base for
// calendars that bring all their own holidays.
func Weekends() *Calendar {
	return &Calendar{loc: defaultLocation(), sched: newSchedule(DefaultHours())}
}

// national is built once: the library's tables never change at run time.
var national = sync.OnceValue(func() *Calendar {
	c := Weekends()
	c.own = make(map[int]Day)
	lo, hi := 0, 0
	for _, d := range libraryDays() {
		n := d.Date.num()
		c.own[n] = d
		if lo == hi {
			lo, hi = n, n+1
		}
		lo, hi = min(lo, n), max(hi, n+1)
	}
	lo, hi = yearStart(lo), yearEnd(hi-1)
	c.tab = newTable(lo, hi, &table{}, c.own)
	return c
})

// National returns the national calendar: weekends off, public holidays off
// and make-up working days on as the State Council arranges them each year
// (from github.com/6tail/lunar-go, see LibraryYears), working hours
// 09:00–12:00 and 13:30–17:30, Asia/Shanghai. It is shared; derive from it
// with New, WithHours and WithLocation.
func National() *Calendar { return national() }

// New returns a calendar that follows base except on the dates listed in
// overrides, which decide those dates outright: a holiday on a working day
// (a local day off, a year the library does not know), a working day on a
// day off (a make-up day, a correction). A nil base means National(). The
// result keeps base's working hours and zone. Overrides are checked with
// ValidateDays; the error is a *ValidationError.
func New(base *Calendar, overrides []Day) (*Calendar, error) {
	if base == nil {
		base = National()
	}
	if err := ValidateDays(overrides); err != nil {
		return nil, err
	}
	c := &Calendar{loc: base.loc, sched: base.sched, parent: base, own: make(map[int]Day, len(overrides))}
	lo, hi := base.tab.lo, base.tab.hi
	for _, d := range overrides {
		n := d.Date.num()
		c.own[n] = d
		if lo == hi {
			lo, hi = yearStart(n), yearEnd(n)
		}
		lo, hi = min(lo, yearStart(n)), max(hi, yearEnd(n))
	}
	c.tab = newTable(lo, hi, &base.tab, c.own)
	return c, nil
}

func yearStart(n int) int { return Date{dateOf(n).Year, 1, 1}.num() }
func yearEnd(n int) int   { return Date{dateOf(n).Year + 1, 1, 1}.num() }

// WithHours returns a copy of c with other working hours (checked with
// ValidateHours; the error is a *ValidationError).
func (c *Calendar) WithHours(hours []Period) (*Calendar, error) {
	if err := ValidateHours(hours); err != nil {
		return nil, err
	}
	cc := *c
	cc.sched = newSchedule(hours)
	return &cc, nil
}

// WithLocation returns a copy of c that reads dates and working hours in
// loc (nil means Asia/Shanghai).
func (c *Calendar) WithLocation(loc *time.Location) *Calendar {
	if loc == nil {
		loc = defaultLocation()
	}
	cc := *c
	cc.loc = loc
	return &cc
}

// Location returns the time zone of c.
func (c *Calendar) Location() *time.Location { return c.loc }

// Hours returns the working hours of c.
func (c *Calendar) Hours() []Period { return append([]Period(nil), c.sched.periods...) }

// DayLength returns the working time of one working day: the unit of a
// fractional working day (7h with the default hours).
func (c *Calendar) DayLength() time.Duration { return c.sched.length }

// DateOf returns the date of t in c's time zone.
func (c *Calendar) DateOf(t time.Time) Date { return DateOf(t.In(c.loc)) }

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool { return c.tab.isWork(d.num()) }

// Lookup returns the listed day for d (a holiday, a make-up working day or
// an override), searching c's overrides first and then its bases; ok is
// false when d is not listed and simply follows the weekday rule.
func (c *Calendar) Lookup(d Date) (day Day, ok bool) {
	n := d.num()
	for k := c; k != nil; k = k.parent {
		if day, ok := k.own[n]; ok {
			return day, true
		}
	}
	return Day{}, false
}

// Days returns the listed days from from to to inclusive, sorted by date,
// each as the nearest override decides it.
func (c *Calendar) Days(from, to Date) []Day {
	a, b := from.num(), to.num()
	seen := make(map[int]bool)
	var out []Day
	for k := c; k != nil; k = k.parent {
		for n, d := range k.own {
			if n >= a && n <= b && !seen[n] {
				seen[n] = true
				out = append(out, d)
			}
		}
	}
	sortDays(out)
	return out
}

// AddWorkdays returns the n-th working day after d for n > 0, the |n|-th
// working day before d for n < 0, and d itself for n == 0.
func (c *Calendar) AddWorkdays(d Date, n int) Date {
	switch {
	case n > 0:
		return dateOf(c.tab.nth(c.tab.before(d.num()+1) + n - 1))
	case n < 0:
		return dateOf(c.tab.nth(c.tab.before(d.num()) + n))
	}
	return d
}

// CountWorkdays returns the number of working days after from up to and
// including to, the way a time limit counts them (the first day is not
// counted); negative when to is before from.
func (c *Calendar) CountWorkdays(from, to Date) int {
	return c.tab.before(to.num()+1) - c.tab.before(from.num()+1)
}
