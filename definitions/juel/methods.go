package juel

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// method calls base.name(args): the Java methods of the value's type.
func (ev *evaluator) method(x *callMethod, base any, name string, args []any) any {
	want := func(n int) {
		if len(args) != n {
			ev.failf(x, "%s() takes %d argument%s, %d given", name, n, plural(n), len(args))
		}
	}
	intArg := func(i int) int64 {
		n, ok := ev.number(x.args[i], args[i]).(int64)
		if !ok {
			ev.failf(x.args[i], "%s() needs a whole number", name)
		}
		return n
	}
	switch b := base.(type) {
	case nil:
		ev.failf(x, "cannot call %s() on null", name)
	case string:
		if v, ok := ev.stringMethod(x, b, name, args, want, intArg); ok {
			return v
		}
	case []any:
		switch name {
		case "size":
			want(0)
			return int64(len(b))
		case "isEmpty":
			want(0)
			return len(b) == 0
		case "contains":
			want(1)
			return indexOf(ev, x, b, args[0]) >= 0
		case "indexOf":
			want(1)
			return int64(indexOf(ev, x, b, args[0]))
		case "get":
			want(1)
			i := intArg(0)
			if i < 0 || i >= int64(len(b)) {
				ev.failf(x, "get(%d): the list has %d items", i, len(b))
			}
			return normalize(b[i])
		}
	case map[string]any:
		switch name {
		case "get":
			want(1)
			return normalize(b[Text(args[0])])
		case "containsKey":
			want(1)
			_, ok := b[Text(args[0])]
			return ok
		case "size":
			want(0)
			return int64(len(b))
		case "isEmpty":
			want(0)
			return len(b) == 0
		case "keySet":
			want(0)
			keys := make([]string, 0, len(b))
			for k := range b {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return normalize(keys)
		}
	case int64, float64:
		switch name {
		case "intValue", "longValue":
			want(0)
			if f, ok := b.(float64); ok {
				return int64(f)
			}
			return b
		case "doubleValue", "floatValue":
			want(0)
			return toFloat(b)
		case "toString":
			want(0)
			return Text(b)
		}
	case bool:
		switch name {
		case "booleanValue":
			want(0)
			return b
		case "toString":
			want(0)
			return Text(b)
		}
	case time.Time:
		if v, ok := ev.dateMethod(x, b, name, args, want); ok {
			return v
		}
	case DateTime:
		if v, ok := ev.dateTimeMethod(x, b, name, args, want, intArg); ok {
			return v
		}
	case *execObj:
		if v, ok := ev.execMethod(b, name, args, want); ok {
			return v
		}
	case *taskObj:
		if strings.HasPrefix(name, "get") && len(name) > 3 {
			want(0)
			if v, ok := b.get(strings.ToLower(name[3:4]) + name[4:]); ok {
				return v
			}
		}
	}
	ev.failf(x, "%s has no method %s()", describeValue(base), name)
	return nil
}

func indexOf(ev *evaluator, x *callMethod, list []any, v any) int {
	for i, e := range list {
		if ev.equal(&binary{at: x.at, op: "==", l: x, r: x}, normalize(e), v) {
			return i
		}
	}
	return -1
}

func (ev *evaluator) stringMethod(x *callMethod, s, name string, args []any, want func(int), intArg func(int) int64) (any, bool) {
	str := func(i int) string { return Text(args[i]) }
	runes := []rune(s)
	switch name {
	case "length":
		want(0)
		return int64(utf8.RuneCountInString(s)), true
	case "isEmpty":
		want(0)
		return s == "", true
	case "isBlank":
		want(0)
		return strings.TrimSpace(s) == "", true
	case "trim", "strip":
		want(0)
		return strings.TrimSpace(s), true
	case "toUpperCase":
		want(0)
		return strings.ToUpper(s), true
	case "toLowerCase":
		want(0)
		return strings.ToLower(s), true
	case "toString":
		want(0)
		return s, true
	case "startsWith":
		want(1)
		return strings.HasPrefix(s, str(0)), true
	case "endsWith":
		want(1)
		return strings.HasSuffix(s, str(0)), true
	case "contains":
		want(1)
		return strings.Contains(s, str(0)), true
	case "equals":
		want(1)
		_, isString := args[0].(string)
		return isString && s == args[0], true
	case "equalsIgnoreCase":
		want(1)
		return args[0] != nil && strings.EqualFold(s, str(0)), true
	case "compareTo":
		want(1)
		return int64(strings.Compare(s, str(0))), true
	case "concat":
		want(1)
		return s + str(0), true
	case "indexOf", "lastIndexOf":
		want(1)
		i := strings.Index(s, str(0))
		if name == "lastIndexOf" {
			i = strings.LastIndex(s, str(0))
		}
		if i < 0 {
			return int64(-1), true
		}
		return int64(utf8.RuneCountInString(s[:i])), true
	case "charAt":
		want(1)
		i := intArg(0)
		if i < 0 || i >= int64(len(runes)) {
			ev.failf(x, "charAt(%d): the string has %d characters", i, len(runes))
		}
		return string(runes[i]), true
	case "substring":
		if len(args) < 1 || len(args) > 2 {
			ev.failf(x, "substring() takes 1 or 2 arguments")
		}
		begin, end := intArg(0), int64(len(runes))
		if len(args) == 2 {
			end = intArg(1)
		}
		if begin < 0 || end > int64(len(runes)) || begin > end {
			ev.failf(x, "substring(%d, %d) is out of the string's %d characters", begin, end, len(runes))
		}
		return string(runes[begin:end]), true
	case "replace":
		want(2)
		return strings.ReplaceAll(s, str(0), str(1)), true
	case "replaceAll":
		want(2)
		return ev.regexp(x, str(0)).ReplaceAllString(s, javaReplacement(str(1))), true
	case "matches":
		want(1)
		return ev.regexp(x, "^(?:"+str(0)+")$").MatchString(s), true
	case "split":
		want(1)
		parts := ev.regexp(x, str(0)).Split(s, -1)
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1] // Java drops trailing empty strings
		}
		return normalize(parts), true
	}
	return nil, false
}

// javaReplacement turns Java's $1 group references into Go's ${1}.
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '\\' && i+1 < len(r):
			if r[i+1] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i+1])
			}
			i++
		case r[i] == '$' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			b.WriteString("${" + string(r[i+1]) + "}")
			i++
		default:
			b.WriteByte(r[i])
		}
	}
	return b.String()
}

func (ev *evaluator) dateMethod(x *callMethod, t time.Time, name string, args []any, want func(int)) (any, bool) {
	other := func() time.Time {
		u, ok := asTime(args[0])
		if !ok {
			ev.failf(x, "%s() needs a date, not %s", name, describeValue(args[0]))
		}
		return u
	}
	switch name {
	case "getTime":
		want(0)
		return t.UnixMilli(), true
	case "before":
		want(1)
		return t.Before(other()), true
	case "after":
		want(1)
		return t.After(other()), true
	case "equals":
		want(1)
		u, ok := asTime(args[0])
		return ok && t.Equal(u), true
	case "compareTo":
		want(1)
		return int64(t.Compare(other())), true
	case "toString":
		want(0)
		return Text(t), true
	}
	return nil, false
}

func (ev *evaluator) dateTimeMethod(x *callMethod, d DateTime, name string, args []any, want func(int), intArg func(int) int64) (any, bool) {
	t := d.T
	unit, plus := strings.CutPrefix(name, "plus")
	unit, minus := strings.CutPrefix(unit, "minus")
	if n, ok := shifts[unit]; ok && (plus || minus) {
		want(1)
		k := intArg(0)
		if minus {
			k = -k
		}
		return DateTime{n(t, int(k))}, true
	}
	switch name {
	case "toDate":
		want(0)
		return t, true
	case "toString":
		want(0)
		return Text(d), true
	case "getMillis":
		want(0)
		return t.UnixMilli(), true
	case "getYear":
		want(0)
		return int64(t.Year()), true
	case "getMonthOfYear":
		want(0)
		return int64(t.Month()), true
	case "getDayOfMonth":
		want(0)
		return int64(t.Day()), true
	case "getDayOfWeek":
		want(0)
		return int64((int(t.Weekday())+6)%7 + 1), true // Joda: Monday 1 .. Sunday 7
	case "getHourOfDay":
		want(0)
		return int64(t.Hour()), true
	case "getMinuteOfHour":
		want(0)
		return int64(t.Minute()), true
	case "withTimeAtStartOfDay":
		want(0)
		return DateTime{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())}, true
	case "isBeforeNow":
		want(0)
		return t.Before(ev.now()), true
	case "isAfterNow":
		want(0)
		return t.After(ev.now()), true
	case "isBefore", "isAfter", "isEqual":
		want(1)
		u, ok := asTime(args[0])
		if !ok {
			ev.failf(x, "%s() needs a date, not %s", name, describeValue(args[0]))
		}
		switch name {
		case "isBefore":
			return t.Before(u), true
		case "isAfter":
			return t.After(u), true
		}
		return t.Equal(u), true
	}
	return nil, false
}

// shifts are Joda's plusX/minusX: months and years keep the day, clamped to the month's end.
var shifts = map[string]func(time.Time, int) time.Time{
	"Years":  func(t time.Time, n int) time.Time { return addMonths(t, 12*n) },
	"Months": addMonths,
	"Weeks":  func(t time.Time, n int) time.Time { return t.AddDate(0, 0, 7*n) },
	"Days":   func(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) },
	"Hours":  func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Hour) },
	"Minutes": func(t time.Time, n int) time.Time {
		return t.Add(time.Duration(n) * time.Minute)
	},
	"Seconds": func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Second) },
	"Millis":  func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Millisecond) },
}

func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

func (ev *evaluator) execMethod(e *execObj, name string, args []any, want func(int)) (any, bool) {
	switch name {
	case "getVariable", "getVariableLocal":
		want(1)
		return ev.variable(args[0]), true
	case "hasVariable", "hasVariableLocal":
		want(1)
		_, ok := ev.env.Vars[Text(args[0])]
		return ok, true
	case "getVariables", "getVariablesLocal":
		want(0)
		return copyMap(ev.env.Vars), true
	}
	if strings.HasPrefix(name, "get") && len(name) > 3 {
		want(0)
		if v, ok := e.get(strings.ToLower(name[3:4]) + name[4:]); ok {
			return v, true
		}
	}
	return nil, false
}
