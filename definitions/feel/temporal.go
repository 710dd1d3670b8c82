package feel

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone ids such as @Europe/Paris must resolve on hosts without tzdata
)

// Date is a FEEL date (proleptic Gregorian, years -999,999,999 to 999,999,999).
type Date struct {
	Year, Month, Day int
}

// Time is a FEEL time of day, local (no zone), with a fixed offset, or in a named zone.
type Time struct {
	Hour, Minute, Second, Nano int
	HasOffset                  bool
	Offset                     int    // seconds east of UTC, when HasOffset
	Zone                       string // IANA zone id ("Europe/Paris"), or ""
}

// DateTime is a FEEL date and time.
type DateTime struct {
	Date
	Time
}

// zoned reports whether t has an offset or a zone.
func (t Time) zoned() bool { return t.HasOffset || t.Zone != "" }

// secOfDay returns seconds since midnight.
func (t Time) secOfDay() int64 { return int64(t.Hour)*3600 + int64(t.Minute)*60 + int64(t.Second) }

// daysFromCivil counts days from 1970-01-01 to y-m-d (proleptic Gregorian; Go's time covers
// FEEL's years).
func daysFromCivil(y, m, d int) int64 {
	return floorDiv(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) Date {
	t := time.Unix(z*86400, 0).UTC()
	return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// daysIn returns the number of days of month m of year y.
func daysIn(y, m int) int { return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// epochDay returns the days since 1970-01-01.
func (d Date) epochDay() int64 { return daysFromCivil(d.Year, d.Month, d.Day) }

// Weekday returns 1 (Monday) to 7 (Sunday).
func (d Date) Weekday() int {
	w := (d.epochDay() + 3) % 7 // 1970-01-01 was a Thursday
	if w < 0 {
		w += 7
	}
	return int(w) + 1
}

// NewDate returns the date y-m-d; ok is false when it does not exist.
func NewDate(y, m, d int) (Date, bool) {
	if y < -999999999 || y > 999999999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

var (
	dateRE     = regexp.MustCompile(`^(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)$`)
	timeRE     = regexp.MustCompile(`^(\d\d):(\d\d):(\d\d)(\.\d+)?(.*)$`)
	offsetRE   = regexp.MustCompile(`^([+-])(\d\d):(\d\d)(?::(\d\d))?$`)
	durationRE = regexp.MustCompile(`^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$`)
)

// ParseDate reads "YYYY-MM-DD" (the year may have up to 9 digits and a minus sign).
func ParseDate(s string) (Date, bool) {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return Date{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	return NewDate(y, mo, d)
}

// ParseTime reads "hh:mm:ss[.fff][Z|±hh:mm|@zone]".
func ParseTime(s string) (Time, bool) {
	m := timeRE.FindStringSubmatch(s)
	if m == nil {
		return Time{}, false
	}
	var t Time
	t.Hour, _ = strconv.Atoi(m[1])
	t.Minute, _ = strconv.Atoi(m[2])
	t.Second, _ = strconv.Atoi(m[3])
	if t.Hour > 23 || t.Minute > 59 || t.Second > 59 {
		if !(t.Hour == 24 && t.Minute == 0 && t.Second == 0) {
			return Time{}, false
		}
		t.Hour = 0 // 24:00:00 is the end of the day, the next day's midnight
	}
	if f := m[4]; f != "" {
		digits := (f[1:] + "000000000")[:9]
		t.Nano, _ = strconv.Atoi(digits)
	}
	if !parseZone(m[5], &t) {
		return Time{}, false
	}
	return t, true
}

func parseZone(z string, t *Time) bool {
	switch {
	case z == "":
		return true
	case z == "Z" || z == "z":
		t.HasOffset = true
		return true
	case strings.HasPrefix(z, "@"):
		if _, err := loadZone(z[1:]); err != nil {
			return false
		}
		t.Zone = z[1:]
		return true
	}
	m := offsetRE.FindStringSubmatch(z)
	if m == nil {
		return false
	}
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	sec, _ := strconv.Atoi(m[4])
	if h > 18 || mi > 59 || sec > 59 {
		return false
	}
	off := h*3600 + mi*60 + sec
	if m[1] == "-" {
		off = -off
	}
	t.HasOffset, t.Offset = true, off
	return true
}

// loadZone resolves an IANA zone id; "Z" and "UTC" are accepted too.
func loadZone(id string) (*time.Location, error) {
	if id == "" || strings.ContainsAny(id, " ") {
		return nil, fmt.Errorf("invalid zone %q", id)
	}
	return time.LoadLocation(id)
}

// ParseDateTime reads "date T time"; a date alone is that day's midnight (local).
func ParseDateTime(s string) (DateTime, bool) {
	ds, ts, ok := strings.Cut(s, "T")
	if !ok {
		d, ok := ParseDate(s)
		return DateTime{Date: d}, ok
	}
	d, ok1 := ParseDate(ds)
	t, ok2 := ParseTime(ts)
	if !ok1 || !ok2 {
		return DateTime{}, false
	}
	if strings.HasPrefix(ts, "24:") { // 24:00:00 is the next day's midnight
		d = civilFromDays(d.epochDay() + 1)
	}
	return DateTime{Date: d, Time: t}, true
}

// ParseDuration reads an ISO 8601 duration: "P1Y2M" is a years and months duration,
// "P1DT2H3M4.5S" a days and time duration; the two kinds cannot be mixed.
func ParseDuration(s string) (Value, bool) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "-P" || strings.HasSuffix(s, "T") {
		return nil, false
	}
	neg := m[1] == "-"
	ym := m[2] != "" || m[3] != ""
	dt := m[4] != "" || m[5] != "" || m[6] != "" || m[7] != ""
	if ym && dt {
		return nil, false
	}
	if ym {
		y, err1 := strconv.ParseInt(orZero(m[2]), 10, 64)
		mo, err2 := strconv.ParseInt(orZero(m[3]), 10, 64)
		if err1 != nil || err2 != nil || y > 999999999 || mo > 999999999*12 {
			return nil, false
		}
		v := y*12 + mo
		if neg {
			v = -v
		}
		return MonthsDuration(v), true
	}
	var sec int64
	for i, mult := range []int64{86400, 3600, 60} {
		n, err := strconv.ParseInt(orZero(m[4+i]), 10, 64)
		if err != nil || n > 99999999999 {
			return nil, false
		}
		sec += n * mult
	}
	var nano int64
	if s := m[7]; s != "" {
		whole, frac, _ := strings.Cut(s, ".")
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return nil, false
		}
		sec += n
		nano, _ = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	}
	d := DaysDuration{Sec: sec, Nano: int32(nano)}
	if neg {
		d = d.neg()
	}
	return d, true
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (d Date) String() string {
	y := d.Year
	sign := ""
	if y < 0 {
		sign, y = "-", -y
	}
	return fmt.Sprintf("%s%04d-%02d-%02d", sign, y, d.Month, d.Day)
}

func (t Time) String() string {
	s := fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	if t.Nano != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%09d", t.Nano), "0")
	}
	return s + t.zoneString()
}

func (t Time) zoneString() string {
	switch {
	case t.Zone != "":
		return "@" + t.Zone
	case !t.HasOffset:
		return ""
	case t.Offset == 0:
		return "Z"
	}
	return formatOffset(t.Offset)
}

func formatOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d:%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

func (dt DateTime) String() string { return dt.Date.String() + "T" + dt.Time.String() }

// DaysDuration is a FEEL days and time duration: Sec seconds and Nano nanoseconds, both of the
// same sign.
type DaysDuration struct {
	Sec  int64
	Nano int32
}

// MonthsDuration is a FEEL years and months duration, in months.
type MonthsDuration int64

func (d DaysDuration) neg() DaysDuration { return DaysDuration{-d.Sec, -d.Nano} }

func (d DaysDuration) cmp(e DaysDuration) int {
	if c := cmpInt64(d.Sec, e.Sec); c != 0 {
		return c
	}
	return cmpInt64(int64(d.Nano), int64(e.Nano))
}

// normDuration builds a duration from seconds and nanoseconds of any signs.
func normDuration(sec, nano int64) DaysDuration {
	sec += nano / 1e9
	nano %= 1e9
	if sec > 0 && nano < 0 {
		sec--
		nano += 1e9
	} else if sec < 0 && nano > 0 {
		sec++
		nano -= 1e9
	}
	return DaysDuration{Sec: sec, Nano: int32(nano)}
}

func (d DaysDuration) String() string {
	if d.Sec == 0 && d.Nano == 0 {
		return "PT0S"
	}
	var b strings.Builder
	sec, nano := d.Sec, int64(d.Nano)
	if sec < 0 || nano < 0 {
		b.WriteByte('-')
		sec, nano = -sec, -nano
	}
	b.WriteByte('P')
	days, rest := sec/86400, sec%86400
	if days != 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if rest == 0 && nano == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if h := rest / 3600; h != 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m := rest / 60 % 60; m != 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s := rest % 60; s != 0 || nano != 0 {
		fmt.Fprintf(&b, "%d", s)
		if nano != 0 {
			b.WriteString(strings.TrimRight(fmt.Sprintf(".%09d", nano), "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}

func (d MonthsDuration) String() string {
	m := int64(d)
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	switch {
	case m == 0:
		return "P0M"
	case m%12 == 0:
		return fmt.Sprintf("%sP%dY", sign, m/12)
	case m < 12:
		return fmt.Sprintf("%sP%dM", sign, m)
	}
	return fmt.Sprintf("%sP%dY%dM", sign, m/12, m%12)
}
