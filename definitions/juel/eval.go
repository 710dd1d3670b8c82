package juel

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

func (ev *evaluator) eval(n node) any {
	switch x := n.(type) {
	case *literal:
		return x.val
	case *ident:
		return ev.lookup(x)
	case *listLit:
		out := make([]any, len(x.items))
		for i, it := range x.items {
			out[i] = ev.eval(it)
		}
		return out
	case *unary:
		return ev.unary(x)
	case *binary:
		return ev.binary(x)
	case *ternary:
		if ev.truth(x.cond, ev.eval(x.cond)) {
			return ev.eval(x.then)
		}
		return ev.eval(x.els)
	case *member:
		base := ev.eval(x.x)
		if x.index != nil {
			return ev.index(x, base, ev.eval(x.index))
		}
		return ev.property(x, base, x.name)
	case *callMethod:
		base := ev.eval(x.x)
		args := make([]any, len(x.args))
		for i, a := range x.args {
			args[i] = ev.eval(a)
		}
		return ev.method(x, base, x.name, args)
	case *callFunc:
		args := make([]any, len(x.args))
		for i, a := range x.args {
			args[i] = ev.eval(a)
		}
		return ev.function(x, args)
	}
	ev.failf(n, "cannot evaluate %T", n)
	return nil
}

// lookup resolves a name as the engines do: the context objects first, then the variables.
func (ev *evaluator) lookup(id *ident) any {
	switch id.name {
	case "execution":
		return &execObj{ev: ev}
	case "authenticatedUserId":
		if ev.env.User == "" {
			return nil
		}
		return ev.env.User
	case "task":
		if ev.env.Task != nil {
			return &taskObj{ev.env.Task}
		}
	}
	if v, ok := ev.env.Vars[id.name]; ok {
		return normalize(v)
	}
	if id.lenient {
		return nil
	}
	panic(failure{fmt.Errorf("%w: %s (column %d)", ErrMissingVariable, id.name, id.pos)})
}

// contextNames are the names the context provides before the variables.
var contextNames = map[string]bool{"execution": true, "authenticatedUserId": true, "task": true}

// normalize turns the numbers JSON gives (float64) into EL's: whole ones are longs, so that
// "kermit_${loopCounter}" reads kermit_0 and list[i] works.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case float32:
		return normalize(float64(x))
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func (ev *evaluator) unary(x *unary) any {
	v := ev.eval(x.x)
	switch x.op {
	case "!":
		return !ev.truth(x.x, v)
	case "empty":
		return isEmpty(v)
	}
	switch n := ev.number(x.x, v).(type) {
	case int64:
		return -n
	case float64:
		return -n
	}
	return nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func (ev *evaluator) binary(x *binary) any {
	switch x.op {
	case "&&":
		return ev.truth(x.l, ev.eval(x.l)) && ev.truth(x.r, ev.eval(x.r))
	case "||":
		return ev.truth(x.l, ev.eval(x.l)) || ev.truth(x.r, ev.eval(x.r))
	}
	l, r := ev.eval(x.l), ev.eval(x.r)
	switch x.op {
	case "==":
		return ev.equal(x, l, r)
	case "!=":
		return !ev.equal(x, l, r)
	case "<", ">", "<=", ">=":
		return ev.compare(x, l, r)
	}
	return ev.arith(x, l, r)
}

// truth coerces v to a boolean as EL does: null and "" are false, a string is true when it
// says "true" (in any case); anything else is an error.
func (ev *evaluator) truth(n node, v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	ev.failf(n, "%s is not a boolean", describeValue(v))
	return false
}

// number coerces v to a long or a double as EL's arithmetic does (null is 0).
func (ev *evaluator) number(n node, v any) any {
	switch x := v.(type) {
	case nil:
		return int64(0)
	case int64, float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return int64(0)
		}
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		ev.failf(n, "cannot use the string %q as a number", x)
	}
	ev.failf(n, "cannot use %s as a number", describeValue(v))
	return nil
}

func isDouble(v any) bool {
	switch x := v.(type) {
	case float64:
		return true
	case string:
		return strings.ContainsAny(x, ".eE")
	}
	return false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func (ev *evaluator) arith(x *binary, l, r any) any {
	if l == nil && r == nil {
		return int64(0)
	}
	a, b := ev.number(x.l, l), ev.number(x.r, r)
	double := isDouble(l) || isDouble(r) || isDouble(a) || isDouble(b)
	switch x.op {
	case "/":
		d := toFloat(b)
		if d == 0 {
			ev.failf(x, "division by zero")
		}
		return toFloat(a) / d
	case "%":
		if double {
			d := toFloat(b)
			if d == 0 {
				ev.failf(x, "division by zero")
			}
			return math.Mod(toFloat(a), d)
		}
		if b.(int64) == 0 {
			ev.failf(x, "division by zero")
		}
		return a.(int64) % b.(int64)
	}
	if double {
		fa, fb := toFloat(a), toFloat(b)
		switch x.op {
		case "+":
			return fa + fb
		case "-":
			return fa - fb
		}
		return fa * fb
	}
	ia, ib := a.(int64), b.(int64)
	switch x.op {
	case "+":
		return ia + ib
	case "-":
		return ia - ib
	}
	return ia * ib
}

// equal is EL's ==: numbers as numbers, booleans as booleans, strings as strings, otherwise
// equal values.
func (ev *evaluator) equal(x *binary, l, r any) bool {
	switch {
	case l == nil || r == nil:
		return l == nil && r == nil
	case isNumber(l) || isNumber(r):
		if isDouble(l) || isDouble(r) {
			return toFloat(ev.number(x.l, l)) == toFloat(ev.number(x.r, r))
		}
		a, b := ev.number(x.l, l), ev.number(x.r, r)
		if isDouble(a) || isDouble(b) {
			return toFloat(a) == toFloat(b)
		}
		return a.(int64) == b.(int64)
	}
	if lb, ok := l.(bool); ok {
		return lb == ev.truth(x.r, r)
	}
	if rb, ok := r.(bool); ok {
		return rb == ev.truth(x.l, l)
	}
	if t, ok := asTime(l); ok {
		if u, ok := asTime(r); ok {
			return t.Equal(u)
		}
	}
	if ls, ok := l.(string); ok {
		return ls == Text(r)
	}
	if rs, ok := r.(string); ok {
		return rs == Text(l)
	}
	return reflect.DeepEqual(l, r)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

// compare is EL's < > <= >=: false when either side is null.
func (ev *evaluator) compare(x *binary, l, r any) bool {
	if l == nil || r == nil {
		return false
	}
	var c int
	switch {
	case isNumber(l) || isNumber(r):
		a, b := ev.number(x.l, l), ev.number(x.r, r)
		if isDouble(a) || isDouble(b) {
			c = cmp.Compare(toFloat(a), toFloat(b))
		} else {
			c = cmp.Compare(a.(int64), b.(int64))
		}
	default:
		t, tok := asTime(l)
		u, uok := asTime(r)
		switch {
		case tok && uok:
			c = t.Compare(u)
		case tok || uok:
			if ls, ok := l.(string); ok {
				if t, ok = parseTime(ls); !ok {
					ev.failf(x.l, "cannot compare the string %q with a date", ls)
				}
			}
			if rs, ok := r.(string); ok {
				if u, ok = parseTime(rs); !ok {
					ev.failf(x.r, "cannot compare a date with the string %q", rs)
				}
			}
			c = t.Compare(u)
		default:
			ls, lok := l.(string)
			rs, rok := r.(string)
			if !lok && !rok {
				ev.failf(x, "cannot compare %s with %s", describeValue(l), describeValue(r))
			}
			if !lok {
				ls = Text(l)
			}
			if !rok {
				rs = Text(r)
			}
			c = strings.Compare(ls, rs)
		}
	}
	switch x.op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

// property reads base.name: an entry of a map (null when absent), a bean property of the
// context objects, or the size of a list; a property of null is null.
func (ev *evaluator) property(x *member, base any, name string) any {
	switch b := base.(type) {
	case nil:
		return nil
	case map[string]any:
		return normalize(b[name])
	case getter:
		if v, ok := b.get(name); ok {
			return v
		}
	}
	ev.failf(x, "%s has no property %q", describeValue(base), name)
	return nil
}

// getter is a context object with bean properties.
type getter interface {
	get(name string) (any, bool)
}

// index reads base[i]: a list item (null out of range), a map entry or a property.
func (ev *evaluator) index(x *member, base, i any) any {
	switch b := base.(type) {
	case nil:
		return nil
	case []any:
		n, ok := ev.number(x.index, i).(int64)
		if !ok {
			ev.failf(x.index, "a list index must be a whole number, not %s", describeValue(i))
		}
		if n < 0 || n >= int64(len(b)) {
			return nil
		}
		return normalize(b[n])
	case map[string]any:
		return normalize(b[Text(i)])
	}
	return ev.property(x, base, Text(i))
}

// Text renders a value as EL coerces it to a string: null is "", whole doubles lose their
// ".0", dates are ISO 8601.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.Format(time.RFC3339)
	case DateTime:
		return x.T.Format("2006-01-02T15:04:05.000Z07:00")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Text(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int64, float64:
		return "the number " + Text(x)
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	case time.Time:
		return "a date"
	case DateTime:
		return "a DateTime"
	case *execObj:
		return "execution"
	case *taskObj:
		return "task"
	}
	return fmt.Sprintf("a %T", v)
}

// asTime reads a java.util.Date or a DateTime.
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case DateTime:
		return x.T, true
	}
	return time.Time{}, false
}

// parseTime reads an ISO 8601 date or date and time string.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
