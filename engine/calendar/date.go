package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date (year, month, day) with no time of day and no zone.
// Its text and JSON form is "YYYY-MM-DD".
//
// Decoding checks only the form, so that ValidateDays can report an
// impossible date such as 2026-02-30 together with every other problem of
// a table; ParseDate checks both.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD" and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	var d Date
	if err := d.UnmarshalText([]byte(s)); err != nil {
		return Date{}, err
	}
	if _, msg := d.check(); msg != "" {
		return Date{}, fmt.Errorf("calendar: date %s: %s", d, msg)
	}
	return d, nil
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String returns the date as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Weekday returns the day of the week of d (d must be a valid date).
func (d Date) Weekday() time.Weekday { return weekday(d.num()) }

// AddDays returns the date n calendar days after d (before, for n < 0).
func (d Date) AddDays(n int) Date { return dateOf(d.num() + n) }

// Before reports whether d comes before e.
func (d Date) Before(e Date) bool { return d.num() < e.num() }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts exactly
// "YYYY-MM-DD" (digits only) and leaves range checks to ValidateDays.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return fmt.Errorf("calendar: date %q: want YYYY-MM-DD", b)
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	m, ok2 := num(b[5:7])
	dd, ok3 := num(b[8:10])
	if !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("calendar: date %q: want YYYY-MM-DD", b)
	}
	*d = Date{y, time.Month(m), dd}
	return nil
}

// MinYear and MaxYear bound the years a holiday table may name: enough for
// any case the system will see, and small enough that the per-calendar
// bitmap and the working-time arithmetic stay small and cannot overflow.
const (
	MinYear = 1970
	MaxYear = 2199
)

// check returns a problem code and message when d is not a usable date.
func (d Date) check() (code, msg string) {
	switch {
	case d.Year < MinYear || d.Year > MaxYear:
		return CodeYearOutOfRange, fmt.Sprintf("year %d is outside %d–%d", d.Year, MinYear, MaxYear)
	case d.Month < 1 || d.Month > 12:
		return CodeInvalidDate, fmt.Sprintf("no such date: month %d does not exist", int(d.Month))
	case d.Day < 1 || d.Day > daysIn(d.Year, d.Month):
		return CodeInvalidDate, fmt.Sprintf("no such date: %s %d has %d days", d.Month, d.Year, daysIn(d.Year, d.Month))
	}
	return "", ""
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// num returns the day number of d: days since 1970-01-01 (a Thursday).
// It is Howard Hinnant's days_from_civil; it avoids time.Date, which is
// several times slower and needs a location.
func (d Date) num() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// dateOf is the inverse of Date.num (civil_from_days).
func dateOf(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

// weekday returns the day of the week of day number n.
func weekday(n int) time.Weekday { return time.Weekday(floorMod(n+4, 7)) }

func isWeekend(n int) bool {
	w := weekday(n)
	return w == time.Saturday || w == time.Sunday
}

// monday0 is the day number of Monday 1970-01-05, the origin of weekdays.
const monday0 = 4

// weekdaysBefore returns the number of Mondays to Fridays in
// [monday0, n) (negative for n < monday0), so that
// weekdaysBefore(b)-weekdaysBefore(a) counts them in [a, b).
func weekdaysBefore(n int) int {
	k := n - monday0
	return 5*floorDiv(k, 7) + min(floorMod(k, 7), 5)
}

// nthWeekday is the inverse of weekdaysBefore: the Monday-to-Friday day
// with exactly r weekdays before it.
func nthWeekday(r int) int {
	return monday0 + 7*floorDiv(r, 5) + floorMod(r, 5)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
