package calendar

import (
	"fmt"
	"time"
)

// Clock is a wall-clock time of day in minutes after midnight, 0 to 1440
// (24:00, allowed as the end of a period). Its text form is "HH:MM".
type Clock int

// At returns the Clock for hour:minute.
func At(hour, minute int) Clock { return Clock(hour*60 + minute) }

// String returns the clock as "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "HH:MM"
// from 00:00 to 24:00.
func (c *Clock) UnmarshalText(b []byte) error {
	bad := fmt.Errorf("calendar: time of day %q: want HH:MM between 00:00 and 24:00", b)
	if len(b) != 5 || b[2] != ':' {
		return bad
	}
	for _, i := range []int{0, 1, 3, 4} {
		if b[i] < '0' || b[i] > '9' {
			return bad
		}
	}
	h := int(b[0]-'0')*10 + int(b[1]-'0')
	m := int(b[3]-'0')*10 + int(b[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return bad
	}
	*c = At(h, m)
	return nil
}

// Period is one stretch of working hours within a working day, [Start, End).
type Period struct {
	Start Clock `json:"start"`
	End   Clock `json:"end"`
}

// DefaultHours returns the default working hours of a service centre:
// 09:00–12:00 and 13:30–17:30, seven hours a day.
func DefaultHours() []Period {
	return []Period{{At(9, 0), At(12, 0)}, {At(13, 30), At(17, 30)}}
}

// ValidateHours checks a working-hours schedule: at least one period, each
// within 00:00–24:00 and ending after it starts, in order and not
// overlapping. It returns nil or a *ValidationError.
func ValidateHours(hours []Period) error {
	var probs []Problem
	add := func(field, msg string) {
		probs = append(probs, Problem{Field: field, Code: CodeInvalidHours, Message: msg})
	}
	if len(hours) == 0 {
		add("hours", "working hours: at least one period is needed")
	}
	for i, p := range hours {
		f := fmt.Sprintf("hours[%d]", i)
		switch {
		case p.Start < 0 || p.End > 24*60:
			add(f, fmt.Sprintf("working hours %s–%s: outside 00:00–24:00", p.Start, p.End))
		case p.End <= p.Start:
			add(f, fmt.Sprintf("working hours %s–%s: the period ends before it starts", p.Start, p.End))
		case i > 0 && p.Start < hours[i-1].End:
			add(f, fmt.Sprintf("working hours %s–%s: overlaps or precedes %s–%s", p.Start, p.End, hours[i-1].Start, hours[i-1].End))
		}
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// schedule is a validated working-hours schedule in nanoseconds of wall
// clock after midnight, so that days with a daylight-saving change (none in
// China since 1991, but possible with another zone) still count their
// nominal hours.
type schedule struct {
	periods []Period
	start   []time.Duration
	end     []time.Duration
	length  time.Duration // working time in one working day
}

func newSchedule(hours []Period) schedule {
	s := schedule{periods: append([]Period(nil), hours...)}
	for _, p := range hours {
		a, b := time.Duration(p.Start)*time.Minute, time.Duration(p.End)*time.Minute
		s.start = append(s.start, a)
		s.end = append(s.end, b)
		s.length += b - a
	}
	return s
}

// elapsed returns the working time from the start of a working day up to
// the wall-clock time wall (since midnight).
func (s *schedule) elapsed(wall time.Duration) time.Duration {
	var w time.Duration
	for i, a := range s.start {
		if wall <= a {
			break
		}
		w += min(wall, s.end[i]) - a
	}
	return w
}

// wallAt returns the earliest wall-clock time of a working day at which
// off of working time has elapsed, for 0 < off <= length.
func (s *schedule) wallAt(off time.Duration) time.Duration {
	for i, a := range s.start {
		if n := s.end[i] - a; off <= n {
			return a + off
		} else {
			off -= n
		}
	}
	return s.end[len(s.end)-1]
}
