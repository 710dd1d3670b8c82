package feel

import (
	"strconv"
	"strings"
)

// Format renders a value as FEEL's string() does: strings as they are, other values in FEEL
// literal syntax (lists "[1, 2]", contexts "{a: 1}", ranges "[1..2]"). The text stops a little
// after MaxItems characters (lists may share sublists, so a small value can stand for a huge
// text).
func Format(v Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return literalString(v)
}

// textFull stops the rendering of a value whose text is longer than MaxItems.
type textFull struct{}

// literalString renders v as FEEL source (strings quoted).
func literalString(v Value) (s string) {
	var b strings.Builder
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(textFull); !ok {
				panic(r)
			}
			s = b.String()
		}
	}()
	writeLiteral(&b, v)
	return b.String()
}

func writeLiteral(b *strings.Builder, v Value) {
	if b.Len() > MaxItems {
		panic(textFull{})
	}
	switch x := v.(type) {
	case []Value:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, e)
		}
		b.WriteByte(']')
	case *Context:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k + ": ")
			writeLiteral(b, x.vals[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(scalarString(v))
	}
}

// scalarString renders a value that is not a list or a context.
func scalarString(v Value) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case Number:
		return x.String()
	case Date, Time, DateTime, DaysDuration, MonthsDuration:
		return x.(interface{ String() string }).String()
	case *Range:
		return rangeString(x)
	case *Function:
		if x.Name != "" {
			return "function " + x.Name
		}
		return "function"
	}
	return "?"
}

func rangeString(r *Range) string {
	switch {
	case r.StartOpen:
		op := "<"
		if r.EndIncl {
			op = "<="
		}
		return op + " " + literalString(r.End)
	case r.EndOpen:
		op := ">"
		if r.StartIncl {
			op = ">="
		}
		return op + " " + literalString(r.Start)
	}
	open, close := "(", ")"
	if r.StartIncl {
		open = "["
	}
	if r.EndIncl {
		close = "]"
	}
	return open + literalString(r.Start) + ".." + literalString(r.End) + close
}

func registerConversion(reg func(string, ...sig)) {
	reg("date",
		sig{params: []string{"from"}, fn: func(c *bcall, a []Value) Value {
			switch v := a[0].(type) {
			case string:
				if d, ok := ParseDate(v); ok {
					return d
				}
				return c.fail("%q is not a date (YYYY-MM-DD)", v)
			case Date:
				return v
			case DateTime:
				return v.Date
			}
			return c.fail("cannot make a date of a %s", TypeName(a[0]))
		}},
		sig{params: []string{"year", "month", "day"}, fn: func(c *bcall, a []Value) Value {
			y, ok1 := intArg(a[0])
			m, ok2 := intArg(a[1])
			d, ok3 := intArg(a[2])
			if !ok1 || !ok2 || !ok3 {
				return c.fail("year, month and day must be integers")
			}
			if r, ok := NewDate(int(y), int(m), int(d)); ok && y == int64(int(y)) {
				return r
			}
			return c.fail("%d-%d-%d is not a date", y, m, d)
		}})
	reg("date and time",
		sig{params: []string{"from"}, fn: func(c *bcall, a []Value) Value {
			switch v := a[0].(type) {
			case string:
				if dt, ok := ParseDateTime(v); ok {
					return dt
				}
				return c.fail("%q is not a date and time", v)
			case DateTime:
				return v
			case Date:
				return DateTime{Date: v}
			}
			return c.fail("cannot make a date and time of a %s", TypeName(a[0]))
		}},
		sig{params: []string{"date", "time"}, fn: func(c *bcall, a []Value) Value {
			var d Date
			switch v := a[0].(type) {
			case Date:
				d = v
			case DateTime:
				d = v.Date
			default:
				return c.fail("date must be a date, not a %s", TypeName(a[0]))
			}
			t, ok := a[1].(Time)
			if !ok {
				return c.fail("time must be a time, not a %s", TypeName(a[1]))
			}
			return DateTime{Date: d, Time: t}
		}})
	reg("time",
		sig{params: []string{"from"}, fn: func(c *bcall, a []Value) Value {
			switch v := a[0].(type) {
			case string:
				if t, ok := ParseTime(v); ok {
					return t
				}
				return c.fail("%q is not a time", v)
			case Time:
				return v
			case DateTime:
				return v.Time
			case Date:
				return Time{HasOffset: true}
			}
			return c.fail("cannot make a time of a %s", TypeName(a[0]))
		}},
		sig{params: []string{"hour", "minute", "second", "offset"}, optional: 1, fn: timeOf})
	reg("number", sig{params: []string{"from", "grouping separator", "decimal separator"}, optional: 2, fn: numberOf})
	reg("string", sig{params: []string{"from"}, fn: func(c *bcall, a []Value) Value {
		if a[0] == nil {
			return nil
		}
		return Format(a[0])
	}})
	reg("duration", sig{params: []string{"from"}, fn: func(c *bcall, a []Value) Value {
		s, ok := strArg(a[0])
		if !ok {
			return c.fail("from must be a string, not a %s", TypeName(a[0]))
		}
		if d, ok := ParseDuration(s); ok {
			return d
		}
		return c.fail("%q is not a duration", s)
	}})
	reg("years and months duration", sig{params: []string{"from", "to"}, fn: func(c *bcall, a []Value) Value {
		from, ok1 := dateOf(a[0])
		to, ok2 := dateOf(a[1])
		if !ok1 || !ok2 {
			return c.fail("from and to must be dates or date and times")
		}
		return MonthsDuration(monthsBetween(from, to))
	}})
	reg("not", sig{params: []string{"negand"}, fn: func(c *bcall, a []Value) Value {
		if b, ok := a[0].(bool); ok {
			return !b
		}
		return nil
	}})
}

func dateOf(v Value) (Date, bool) {
	switch d := v.(type) {
	case Date:
		return d, true
	case DateTime:
		return d.Date, true
	}
	return Date{}, false
}

func timeOf(c *bcall, a []Value) Value {
	h, ok1 := intArg(a[0])
	m, ok2 := intArg(a[1])
	s, ok3 := numArg(a[2])
	if !ok1 || !ok2 || !ok3 || h < 0 || h > 23 || m < 0 || m > 59 || s.Sign() < 0 || s.Cmp(Int(60)) >= 0 {
		return c.fail("hour, minute and second must be numbers of a time of day")
	}
	t := Time{Hour: int(h), Minute: int(m)}
	whole := s.Integer(Down)
	t.Second = int(whole.Int64())
	frac := s.Sub(NewNumber(whole, 0)).Mul(Int(1e9)).Integer(Down)
	t.Nano = int(frac.Int64())
	if len(a) > 3 && a[3] != nil {
		off, ok := a[3].(DaysDuration)
		if !ok || off.Nano != 0 || off.Sec <= -18*3600 || off.Sec >= 18*3600 {
			return c.fail("offset must be a days and time duration within ±18 hours")
		}
		t.HasOffset, t.Offset = true, int(off.Sec)
	}
	return t
}

func numberOf(c *bcall, a []Value) Value {
	s, ok := strArg(a[0])
	if !ok {
		return c.fail("from must be a string, not a %s", TypeName(a[0]))
	}
	var group, dec string
	if len(a) > 1 && a[1] != nil {
		g, ok := a[1].(string)
		if !ok || (g != " " && g != "," && g != ".") {
			return c.fail("the grouping separator must be \" \", \",\" or \".\"")
		}
		group = g
	}
	if len(a) > 2 && a[2] != nil {
		d, ok := a[2].(string)
		if !ok || (d != "," && d != ".") {
			return c.fail("the decimal separator must be \",\" or \".\"")
		}
		dec = d
	}
	if group != "" && group == dec {
		return c.fail("the grouping and decimal separators must differ")
	}
	if group != "" {
		s = strings.ReplaceAll(s, group, "")
	}
	if dec != "" && dec != "." {
		if strings.Contains(s, ".") {
			return c.fail("%q is not a number", a[0])
		}
		s = strings.ReplaceAll(s, dec, ".")
	}
	if strings.ContainsAny(s, " _") || strings.HasPrefix(s, "+") {
		return c.fail("%q is not a number", a[0])
	}
	n, ok := ParseNumber(s)
	if !ok {
		return c.fail("%q is not a number", a[0])
	}
	return n
}
