package feel

import (
	"math/big"
	"time"
)

// zoneOffset returns the offset of dt's zone at dt's local time, in seconds.
func (dt DateTime) zoneOffset() (int, bool) {
	switch {
	case dt.Zone != "":
		loc, err := loadZone(dt.Zone)
		if err != nil {
			return 0, false
		}
		t := time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Nano, loc)
		_, off := t.Zone()
		return off, true
	case dt.HasOffset:
		return dt.Offset, true
	}
	return 0, false
}

// local returns the seconds from 1970-01-01T00:00:00 of dt's wall clock.
func (dt DateTime) local() int64 { return dt.epochDay()*86400 + dt.secOfDay() }

// instant returns the UTC seconds and nanoseconds of dt (its wall clock when it has no zone).
func (dt DateTime) instant() (int64, int64) {
	off, _ := dt.zoneOffset()
	return dt.local() - int64(off), int64(dt.Nano)
}

// fromLocal builds the date and time of a wall clock (seconds from 1970-01-01, nanoseconds),
// with the zone of z.
func fromLocal(sec, nano int64, z Time) DateTime {
	d := normDuration(sec, nano)
	sec, nano = d.Sec, int64(d.Nano)
	if nano < 0 {
		sec--
		nano += 1e9
	}
	days := floorDiv(sec, 86400)
	rest := sec - days*86400
	t := z
	t.Hour, t.Minute, t.Second, t.Nano = int(rest/3600), int(rest/60%60), int(rest%60), int(nano)
	return DateTime{Date: civilFromDays(days), Time: t}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func compareDate(a, b Date) int { return cmpInt64(a.epochDay(), b.epochDay()) }

// compareDateTime orders two date and times; a value with a zone and one without cannot be
// compared.
func compareDateTime(a, b DateTime) (int, bool) {
	if a.zoned() != b.zoned() {
		return 0, false
	}
	as, an := a.instant()
	bs, bn := b.instant()
	if c := cmpInt64(as, bs); c != 0 {
		return c, true
	}
	return cmpInt64(an, bn), true
}

// timeOffset returns the offset of a time: its own, or its zone's on 1970-01-01.
func (t Time) timeOffset() int {
	if t.Zone != "" {
		return DateTime{Date: Date{1970, 1, 1}, Time: t}.mustOffset()
	}
	return t.Offset
}

func (dt DateTime) mustOffset() int {
	off, _ := dt.zoneOffset()
	return off
}

func compareTime(a, b Time) (int, bool) {
	if a.zoned() != b.zoned() {
		return 0, false
	}
	as := a.secOfDay() - int64(a.timeOffset())
	bs := b.secOfDay() - int64(b.timeOffset())
	if c := cmpInt64(as, bs); c != 0 {
		return c, true
	}
	return cmpInt64(int64(a.Nano), int64(b.Nano)), true
}

func timeEqual(a, b Time) bool {
	c, ok := compareTime(a, b)
	return ok && c == 0
}

// addMonths moves d by n months, keeping the day or the month's last day when it is shorter.
func addMonths(d Date, n int64) (Date, bool) {
	total := int64(d.Year)*12 + int64(d.Month-1) + n
	y := floorDiv(total, 12)
	m := int(total-y*12) + 1
	if y < -999999999 || y > 999999999 {
		return Date{}, false
	}
	day := d.Day
	if dm := daysIn(int(y), m); day > dm {
		day = dm
	}
	return Date{int(y), m, day}, true
}

// addDuration adds a days and time duration to a date and time; in a named zone the instant
// moves and the wall clock follows the zone's rules.
func addDuration(dt DateTime, d DaysDuration) DateTime {
	if dt.Zone != "" {
		loc, err := loadZone(dt.Zone)
		if err == nil {
			s, n := dt.instant()
			u := time.Unix(s+d.Sec, n+int64(d.Nano)).In(loc)
			r := dt
			r.Year, r.Month, r.Day = u.Year(), int(u.Month()), u.Day()
			r.Hour, r.Minute, r.Second, r.Nano = u.Hour(), u.Minute(), u.Second(), u.Nanosecond()
			return r
		}
	}
	return fromLocal(dt.local()+d.Sec, int64(dt.Nano)+int64(d.Nano), dt.Time)
}

// subDateTime returns a - b, or false when one has a zone and the other not.
func subDateTime(a, b DateTime) (DaysDuration, bool) {
	if a.zoned() != b.zoned() {
		return DaysDuration{}, false
	}
	as, an := a.instant()
	bs, bn := b.instant()
	return normDuration(as-bs, an-bn), true
}

// dateTimeOf turns a date into the date and time of its midnight, UTC.
func dateTimeOf(d Date) DateTime {
	return DateTime{Date: d, Time: Time{HasOffset: true}}
}

// addTime moves a time of day by a duration, wrapping around midnight.
func addTime(t Time, d DaysDuration) Time {
	total := t.secOfDay()*1e9 + int64(t.Nano) + (d.Sec%86400)*1e9 + int64(d.Nano)
	day := int64(86400) * 1e9
	total %= day
	if total < 0 {
		total += day
	}
	r := t
	sec := total / 1e9
	r.Hour, r.Minute, r.Second, r.Nano = int(sec/3600), int(sec/60%60), int(sec%60), int(total%1e9)
	return r
}

// subTime returns a - b for two times of day.
func subTime(a, b Time) (DaysDuration, bool) {
	if a.zoned() != b.zoned() {
		return DaysDuration{}, false
	}
	as := a.secOfDay() - int64(a.timeOffset())
	bs := b.secOfDay() - int64(b.timeOffset())
	return normDuration(as-bs, int64(a.Nano-b.Nano)), true
}

// monthsBetween counts the whole months from a to b (negative when b is before a).
func monthsBetween(a, b Date) int64 {
	m := (int64(b.Year)*12 + int64(b.Month)) - (int64(a.Year)*12 + int64(a.Month))
	if m > 0 && b.Day < a.Day {
		m--
	} else if m < 0 && b.Day > a.Day {
		m++
	}
	return m
}

// durationNanos returns d in nanoseconds as a big integer.
func durationNanos(d DaysDuration) *big.Int {
	n := new(big.Int).Mul(big.NewInt(d.Sec), big.NewInt(1e9))
	return n.Add(n, big.NewInt(int64(d.Nano)))
}
