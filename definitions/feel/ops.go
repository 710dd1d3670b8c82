package feel

import (
	"math/big"
	"regexp"
	"strings"
)

// arith applies + - * / ** to two values; nil when the kinds do not combine.
func arith(op string, l, r Value) Value {
	if l == nil || r == nil {
		return nil
	}
	switch op {
	case "+":
		return add(l, r)
	case "-":
		return sub(l, r)
	case "*":
		return mul(l, r)
	case "/":
		return div(l, r)
	case "**":
		a, ok1 := l.(Number)
		b, ok2 := r.(Number)
		if !ok1 || !ok2 {
			return nil
		}
		if v, ok := a.Pow(b); ok {
			return v
		}
	}
	return nil
}

func add(l, r Value) Value {
	switch a := l.(type) {
	case Number:
		if b, ok := r.(Number); ok {
			return a.Add(b)
		}
	case string:
		if b, ok := r.(string); ok {
			return a + b
		}
	case DaysDuration:
		switch b := r.(type) {
		case DaysDuration:
			return normDuration(a.Sec+b.Sec, int64(a.Nano)+int64(b.Nano))
		case DateTime, Date, Time:
			return add(r, l)
		}
	case MonthsDuration:
		switch b := r.(type) {
		case MonthsDuration:
			return a + b
		case DateTime, Date:
			return add(r, l)
		}
	case DateTime:
		switch b := r.(type) {
		case DaysDuration:
			return addDuration(a, b)
		case MonthsDuration:
			d, ok := addMonths(a.Date, int64(b))
			if !ok {
				return nil
			}
			a.Date = d
			return a
		}
	case Date:
		switch b := r.(type) {
		case DaysDuration:
			dt := addDuration(DateTime{Date: a}, b)
			return dt.Date
		case MonthsDuration:
			d, ok := addMonths(a, int64(b))
			if !ok {
				return nil
			}
			return d
		}
	case Time:
		if b, ok := r.(DaysDuration); ok {
			return addTime(a, b)
		}
	}
	return nil
}

func sub(l, r Value) Value {
	switch a := l.(type) {
	case Number:
		if b, ok := r.(Number); ok {
			return a.Sub(b)
		}
	case DaysDuration:
		if b, ok := r.(DaysDuration); ok {
			return normDuration(a.Sec-b.Sec, int64(a.Nano)-int64(b.Nano))
		}
	case MonthsDuration:
		if b, ok := r.(MonthsDuration); ok {
			return a - b
		}
	case DateTime:
		switch b := r.(type) {
		case DateTime:
			if d, ok := subDateTime(a, b); ok {
				return d
			}
		case Date:
			if d, ok := subDateTime(a, dateTimeOf(b)); ok { // a date is its midnight, UTC
				return d
			}
		case DaysDuration:
			return add(a, b.neg())
		case MonthsDuration:
			return add(a, -b)
		}
	case Date:
		switch b := r.(type) {
		case Date:
			return DaysDuration{Sec: (a.epochDay() - b.epochDay()) * 86400}
		case DateTime:
			if d, ok := subDateTime(dateTimeOf(a), b); ok {
				return d
			}
		case DaysDuration:
			return add(a, b.neg())
		case MonthsDuration:
			return add(a, -b)
		}
	case Time:
		switch b := r.(type) {
		case Time:
			if d, ok := subTime(a, b); ok {
				return d
			}
		case DaysDuration:
			return addTime(a, b.neg())
		}
	}
	return nil
}

func mul(l, r Value) Value {
	switch a := l.(type) {
	case Number:
		switch b := r.(type) {
		case Number:
			return a.Mul(b)
		case DaysDuration, MonthsDuration:
			return mul(r, l)
		}
	case DaysDuration:
		if b, ok := r.(Number); ok {
			ns := NewNumber(durationNanos(a), 0).Mul(b)
			return durationFromNanos(ns)
		}
	case MonthsDuration:
		if b, ok := r.(Number); ok {
			m, ok := Int(int64(a)).Mul(b).Round(0, Down).Int64()
			if ok {
				return MonthsDuration(m)
			}
		}
	}
	return nil
}

func div(l, r Value) Value {
	switch a := l.(type) {
	case Number:
		if b, ok := r.(Number); ok {
			if q, ok := a.Quo(b); ok {
				return q
			}
		}
	case DaysDuration:
		switch b := r.(type) {
		case Number:
			if q, ok := NewNumber(durationNanos(a), 0).Quo(b); ok {
				return durationFromNanos(q)
			}
		case DaysDuration:
			if q, ok := NewNumber(durationNanos(a), 0).Quo(NewNumber(durationNanos(b), 0)); ok {
				return q
			}
		}
	case MonthsDuration:
		switch b := r.(type) {
		case Number:
			if q, ok := Int(int64(a)).Quo(b); ok {
				if m, ok := q.Round(0, Down).Int64(); ok {
					return MonthsDuration(m)
				}
			}
		case MonthsDuration:
			if q, ok := Int(int64(a)).Quo(Int(int64(b))); ok {
				return q
			}
		}
	}
	return nil
}

func durationFromNanos(ns Number) Value {
	n := ns.Integer(Down)
	q, rem := new(big.Int).QuoRem(n, big.NewInt(1e9), new(big.Int))
	if !q.IsInt64() {
		return nil
	}
	return normDuration(q.Int64(), rem.Int64())
}

// property returns a named property of a date, time, duration or range ("year", "hours",
// "start included"…).
func property(x Value, key string) (Value, bool) {
	switch v := x.(type) {
	case Date:
		return dateProperty(v, key)
	case DateTime:
		if p, ok := dateProperty(v.Date, key); ok {
			return p, true
		}
		return timeProperty(v.Time, &v, key)
	case Time:
		return timeProperty(v, nil, key)
	case DaysDuration:
		sec := v.Sec
		switch key {
		case "days":
			return Int(sec / 86400), true
		case "hours":
			return Int(sec / 3600 % 24), true
		case "minutes":
			return Int(sec / 60 % 60), true
		case "seconds":
			return Int(sec % 60), true
		}
	case MonthsDuration:
		switch key {
		case "years":
			return Int(int64(v) / 12), true
		case "months":
			return Int(int64(v) % 12), true
		}
	case *Range:
		switch key {
		case "start":
			return v.Start, true
		case "end":
			return v.End, true
		case "start included":
			return v.StartIncl, true
		case "end included":
			return v.EndIncl, true
		}
	}
	return nil, false
}

func dateProperty(d Date, key string) (Value, bool) {
	switch key {
	case "year":
		return Int(int64(d.Year)), true
	case "month":
		return Int(int64(d.Month)), true
	case "day":
		return Int(int64(d.Day)), true
	case "weekday":
		return Int(int64(d.Weekday())), true
	}
	return nil, false
}

func timeProperty(t Time, dt *DateTime, key string) (Value, bool) {
	switch key {
	case "hour":
		return Int(int64(t.Hour)), true
	case "minute":
		return Int(int64(t.Minute)), true
	case "second":
		s := Int(int64(t.Second))
		if t.Nano != 0 {
			s = s.Add(NewNumber(big.NewInt(int64(t.Nano)), -9))
		}
		return s, true
	case "time offset":
		if t.Zone != "" {
			off := t.timeOffset()
			if dt != nil {
				off = dt.mustOffset()
			}
			return DaysDuration{Sec: int64(off)}, true
		}
		if !t.HasOffset {
			return nil, true
		}
		return DaysDuration{Sec: int64(t.Offset)}, true
	case "timezone":
		if t.Zone != "" {
			return t.Zone, true
		}
		return nil, true
	}
	return nil, false
}

var dateTimeRE = regexp.MustCompile(`^-?\d+-\d\d-\d\dT`)

// parseTemporal reads the text of an @"..." literal: a date, time, date and time or duration.
func parseTemporal(s string) Value {
	switch {
	case strings.HasPrefix(s, "P") || strings.HasPrefix(s, "-P"):
		if d, ok := ParseDuration(s); ok {
			return d
		}
	case dateTimeRE.MatchString(s):
		if dt, ok := ParseDateTime(s); ok {
			return dt
		}
	case strings.Count(s, ":") >= 2 && len(s) >= 8 && s[2] == ':':
		if t, ok := ParseTime(s); ok {
			return t
		}
	default:
		if d, ok := ParseDate(s); ok {
			return d
		}
	}
	return nil
}
