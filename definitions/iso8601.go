package definitions

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is an ISO 8601 duration such as P1Y2M10DT2H30M or P2W. Years,
// months and days are calendar units (a day is a calendar day, not 24 h,
// across a daylight-saving change); weeks are stored as seven days. A
// decimal fraction is allowed on the smallest unit written, except on
// years and months, and is carried into the smaller units.
type Duration struct {
	Years, Months, Days, Hours, Minutes int
	Seconds                             float64
}

// Limits keep AddTo away from overflow; they are far above any timer a
// government service needs (about 100 years).
const (
	maxYears   = 1000
	maxMonths  = 12 * maxYears
	maxDays    = 366 * maxYears
	maxHours   = 24 * maxDays / 10
	maxMinutes = 60 * maxHours
	maxSeconds = 60 * maxMinutes
)

// ParseDuration parses an ISO 8601 duration: "P" then any of nY nM nW nD,
// then optionally "T" and any of nH nM nS, in that order, e.g. "PT5M",
// "P1DT2H", "P2W", "PT1.5H". Negative durations are rejected.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	src := strings.TrimSpace(s)
	if src == "" {
		return d, errors.New("empty duration")
	}
	if src[0] == '-' {
		return d, fmt.Errorf("duration %q: negative durations are not allowed", s)
	}
	if src[0] != 'P' && src[0] != 'p' {
		return d, fmt.Errorf("duration %q must start with P, e.g. PT2H or P3D", s)
	}
	rest := strings.ToUpper(src[1:])
	if rest == "" {
		return d, fmt.Errorf("duration %q has no value, e.g. PT2H or P3D", s)
	}
	// Units in the order ISO 8601 writes them; index 4 onwards follow "T".
	const units = "YMWDHMS"
	next := 0 // index into units of the next allowed unit
	inTime := false
	sawFraction := false
	count := 0
	var seconds float64 // fractional carry, in seconds
	for len(rest) > 0 {
		if rest[0] == 'T' {
			if inTime {
				return d, fmt.Errorf("duration %q: T appears twice", s)
			}
			inTime = true
			next = 4
			rest = rest[1:]
			if rest == "" {
				return d, fmt.Errorf("duration %q: nothing after T", s)
			}
			continue
		}
		if sawFraction {
			return d, fmt.Errorf("duration %q: only the last component may have a fraction", s)
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.' || rest[i] == ',') {
			i++
		}
		if i == 0 || i == len(rest) {
			return d, fmt.Errorf("duration %q: expected a number followed by a unit", s)
		}
		num := strings.Replace(rest[:i], ",", ".", 1)
		unit := rest[i]
		rest = rest[i+1:]
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' {
			return d, fmt.Errorf("duration %q: %q is not a number", s, num)
		}
		whole, frac := math.Modf(v)
		if frac != 0 {
			sawFraction = true
		}
		idx := -1
		for j := next; j < len(units); j++ {
			if units[j] == unit && (j >= 4) == inTime {
				idx = j
				break
			}
		}
		if idx < 0 {
			return d, fmt.Errorf("duration %q: unit %c is not allowed here (order is Y M W D, then T H M S)", s, unit)
		}
		next = idx + 1
		count++
		w := int(math.Min(whole, math.MaxInt32))
		switch idx {
		case 0:
			d.Years = w
		case 1:
			d.Months = w
		case 2:
			d.Days += 7 * w
			seconds += frac * 7 * 86400
		case 3:
			d.Days += w
			seconds += frac * 86400
		case 4:
			d.Hours = w
			seconds += frac * 3600
		case 5:
			d.Minutes = w
			seconds += frac * 60
		case 6:
			seconds += v
		}
		if frac != 0 && idx <= 1 {
			return d, fmt.Errorf("duration %q: fractional years or months are not supported", s)
		}
	}
	if count == 0 {
		return d, fmt.Errorf("duration %q has no value", s)
	}
	d.Seconds = seconds
	if d.Years > maxYears || d.Months > maxMonths || d.Days > maxDays || d.Hours > maxHours ||
		d.Minutes > maxMinutes || d.Seconds > maxSeconds {
		return Duration{}, fmt.Errorf("duration %q is too long", s)
	}
	return d, nil
}

// IsZero reports whether d is a zero-length duration.
func (d Duration) IsZero() bool { return d == Duration{} }

// AddTo returns t plus d: the calendar part (years, months, days) with
// time.AddDate in t's location, then the clock part.
func (d Duration) AddTo(t time.Time) time.Time {
	t = t.AddDate(d.Years, d.Months, d.Days)
	t = t.Add(time.Duration(d.Hours) * time.Hour)
	t = t.Add(time.Duration(d.Minutes) * time.Minute)
	return t.Add(time.Duration(math.Round(d.Seconds * 1e9)))
}

// Times returns d repeated n times (every component multiplied by n).
func (d Duration) Times(n int) Duration {
	return Duration{Years: d.Years * n, Months: d.Months * n, Days: d.Days * n,
		Hours: d.Hours * n, Minutes: d.Minutes * n, Seconds: d.Seconds * float64(n)}
}

// String formats d in ISO 8601, e.g. "P1DT2H"; weeks come out as days.
func (d Duration) String() string {
	if d.IsZero() {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteByte('P')
	for _, c := range []struct {
		v int
		u byte
	}{{d.Years, 'Y'}, {d.Months, 'M'}, {d.Days, 'D'}} {
		if c.v != 0 {
			b.WriteString(strconv.Itoa(c.v))
			b.WriteByte(c.u)
		}
	}
	if d.Hours != 0 || d.Minutes != 0 || d.Seconds != 0 {
		b.WriteByte('T')
		if d.Hours != 0 {
			b.WriteString(strconv.Itoa(d.Hours) + "H")
		}
		if d.Minutes != 0 {
			b.WriteString(strconv.Itoa(d.Minutes) + "M")
		}
		if d.Seconds != 0 {
			b.WriteString(strconv.FormatFloat(d.Seconds, 'f', -1, 64) + "S")
		}
	}
	return b.String()
}

// dateLayouts are the ISO 8601 date-time forms ParseTimeDate accepts, with
// whether they carry a zone.
var dateLayouts = []struct {
	layout string
	zoned  bool
}{
	{time.RFC3339Nano, true},
	{"2006-01-02T15:04Z07:00", true},
	{"2006-01-02T15:04:05.999999999Z0700", true},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02T15:04", false},
	{"2006-01-02", false},
}

// ParseTimeDate parses an ISO 8601 date or date-time such as
// "2025-01-01T09:00:00+08:00" or "2025-01-01"; one without a zone is taken
// as UTC. Use ParseTimeDateIn for another default zone.
func ParseTimeDate(s string) (time.Time, error) {
	return ParseTimeDateIn(s, time.UTC)
}

// ParseTimeDateIn is ParseTimeDate with loc as the zone of date-times that
// name none (nil means UTC).
func ParseTimeDateIn(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, errors.New("empty date")
	}
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, v)
		} else {
			t, err = time.ParseInLocation(l.layout, v, loc)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not an ISO 8601 date-time such as 2025-01-01T09:00:00+08:00", s)
}

// Cycle is an ISO 8601 repeating interval as used in timeCycle:
// "R3/PT1H" (three times, hourly), "R/P1D" (daily, unbounded),
// "R2/2025-01-01T00:00:00Z/P1D" (from a start), "R/PT1H/2025-02-01T00:00:00Z"
// (until an end).
type Cycle struct {
	// Repetitions is how many times the timer fires; -1 is unbounded.
	Repetitions int
	// Start, when not zero, is the first firing time.
	Start time.Time
	// End, when not zero, is a time after which the timer no longer fires.
	End time.Time
	// Duration is the interval between firings; it is never zero.
	Duration Duration
}

// ParseCycle parses an ISO 8601 repeating interval: R[n]/duration,
// R[n]/start/duration or R[n]/duration/end. Cron expressions are rejected.
func ParseCycle(s string) (Cycle, error) {
	return ParseCycleIn(s, time.UTC)
}

// ParseCycleIn is ParseCycle with loc as the zone of dates that name none.
func ParseCycleIn(s string, loc *time.Location) (Cycle, error) {
	c := Cycle{Repetitions: -1}
	v := strings.TrimSpace(s)
	if v == "" {
		return c, errors.New("empty cycle")
	}
	if strings.ContainsAny(v, " \t") {
		return c, fmt.Errorf("cycle %q: cron expressions are not supported; write an ISO 8601 repeating interval such as R/P1D or R3/PT1H", s)
	}
	parts := strings.Split(v, "/")
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) == 0 || (parts[0][0] != 'R' && parts[0][0] != 'r') {
		return c, fmt.Errorf("cycle %q is not an ISO 8601 repeating interval such as R/P1D or R3/PT1H", s)
	}
	if r := parts[0][1:]; r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || n < 1 || n > 1_000_000 {
			return c, fmt.Errorf("cycle %q: %q is not a repetition count of at least 1", s, r)
		}
		c.Repetitions = n
	}
	var err error
	switch {
	case len(parts) == 2:
		c.Duration, err = ParseDuration(parts[1])
	case isDurationText(parts[1]):
		c.Duration, err = ParseDuration(parts[1])
		if err == nil {
			c.End, err = ParseTimeDateIn(parts[2], loc)
		}
	default:
		c.Start, err = ParseTimeDateIn(parts[1], loc)
		if err == nil {
			if !isDurationText(parts[2]) {
				return c, fmt.Errorf("cycle %q: write the interval as start/duration, e.g. R/2025-01-01T09:00:00+08:00/P1D", s)
			}
			c.Duration, err = ParseDuration(parts[2])
		}
	}
	if err != nil {
		return c, fmt.Errorf("cycle %q: %w", s, err)
	}
	if c.Duration.IsZero() {
		return c, fmt.Errorf("cycle %q: the interval must not be zero", s)
	}
	return c, nil
}

func isDurationText(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && (s[0] == 'P' || s[0] == 'p')
}

// At returns the i-th (0-based) firing time of the cycle for a timer
// started at base: Start + i*Duration when the cycle has a start, else
// base + (i+1)*Duration. ok is false once the repetitions are used up or
// the time is after End.
func (c Cycle) At(base time.Time, i int) (t time.Time, ok bool) {
	if i < 0 || (c.Repetitions >= 0 && i >= c.Repetitions) {
		return time.Time{}, false
	}
	if c.Start.IsZero() {
		t = c.Duration.Times(i + 1).AddTo(base)
	} else {
		t = c.Duration.Times(i).AddTo(c.Start)
	}
	if !c.End.IsZero() && t.After(c.End) {
		return time.Time{}, false
	}
	return t, true
}
