package feel

import (
	"sort"
	"strings"
)

// Value is a FEEL value: nil (null), Number, string, bool, Date, Time, DateTime, DaysDuration,
// MonthsDuration, []Value (list), *Context, *Range or *Function.
type Value = any

// Context is a FEEL context: string keys in insertion order, each with a value.
type Context struct {
	keys []string
	vals map[string]Value
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{vals: map[string]Value{}} }

// ContextOf builds a context from alternating key, value arguments.
func ContextOf(kv ...any) *Context {
	c := NewContext()
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i].(string), kv[i+1])
	}
	return c
}

// Set puts key: v, keeping the key's place when it exists.
func (c *Context) Set(key string, v Value) {
	if _, ok := c.vals[key]; !ok {
		c.keys = append(c.keys, key)
	}
	c.vals[key] = v
}

// Get returns the value of key and whether the key exists.
func (c *Context) Get(key string) (Value, bool) {
	v, ok := c.vals[key]
	return v, ok
}

// Keys returns the keys in order; the slice must not be modified.
func (c *Context) Keys() []string { return c.keys }

// Len returns the number of entries.
func (c *Context) Len() int { return len(c.keys) }

// Copy returns a shallow copy.
func (c *Context) Copy() *Context {
	d := &Context{keys: append([]string(nil), c.keys...), vals: make(map[string]Value, len(c.vals))}
	for k, v := range c.vals {
		d.vals[k] = v
	}
	return d
}

// Range is a FEEL range (interval). A nil Start or End with the matching Unbounded flag set is
// open on that side (the ranges "< 10" or ">= 5").
type Range struct {
	Start, End         Value
	StartIncl, EndIncl bool
	StartOpen, EndOpen bool // unbounded on that side
}

// Contains reports whether v lies in r: true, false, or nil when they cannot be compared.
func (r *Range) Contains(v Value) Value {
	if v == nil {
		return nil
	}
	if !r.StartOpen {
		c, ok := compare(r.Start, v)
		if !ok {
			return nil
		}
		if c > 0 || (c == 0 && !r.StartIncl) {
			return false
		}
	}
	if !r.EndOpen {
		c, ok := compare(v, r.End)
		if !ok {
			return nil
		}
		if c > 0 || (c == 0 && !r.EndIncl) {
			return false
		}
	}
	return true
}

// TypeName returns the FEEL name of the type of v ("number", "date and time", "list"…).
func TypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "Null"
	case Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case Date:
		return "date"
	case Time:
		return "time"
	case DateTime:
		return "date and time"
	case DaysDuration:
		return "days and time duration"
	case MonthsDuration:
		return "years and months duration"
	case []Value:
		return "list"
	case *Context:
		return "context"
	case *Range:
		return "range"
	case *Function:
		_ = v
		return "function"
	}
	return "unknown"
}

// Equal is FEEL's "=": true or false for values of the same kind (and null = null), nil
// (null) when the kinds differ or the values cannot be compared.
func Equal(a, b Value) Value {
	budget := equalBudget
	return equal(a, b, &budget)
}

// equalBudget bounds the comparisons of one Equal: lists may share sublists, so a small value
// can stand for a huge tree. Past the budget the answer is null.
const equalBudget = 10_000_000

func equal(a, b Value, budget *int) Value {
	*budget--
	if *budget < 0 {
		return nil
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case Number:
		if y, ok := b.(Number); ok {
			return x.Cmp(y) == 0
		}
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case Date:
		if y, ok := b.(Date); ok {
			return x == y
		}
	case Time:
		if y, ok := b.(Time); ok {
			return timeEqual(x, y)
		}
	case DateTime:
		if y, ok := b.(DateTime); ok {
			c, ok := compareDateTime(x, y)
			if !ok {
				return false
			}
			return c == 0
		}
	case DaysDuration:
		if y, ok := b.(DaysDuration); ok {
			return x == y
		}
	case MonthsDuration:
		if y, ok := b.(MonthsDuration); ok {
			return x == y
		}
	case []Value:
		if y, ok := b.([]Value); ok {
			if len(x) != len(y) {
				return false
			}
			for i := range x {
				e := equal(x[i], y[i], budget)
				if e != true {
					return e
				}
			}
			return true
		}
	case *Context:
		if y, ok := b.(*Context); ok {
			if x.Len() != y.Len() {
				return false
			}
			for _, k := range x.keys {
				yv, ok := y.vals[k]
				if !ok {
					return false
				}
				e := equal(x.vals[k], yv, budget)
				if e != true {
					return e
				}
			}
			return true
		}
	case *Range:
		if y, ok := b.(*Range); ok {
			if x.StartOpen != y.StartOpen || x.EndOpen != y.EndOpen {
				return false
			}
			if !x.StartOpen && (x.StartIncl != y.StartIncl || Equal(x.Start, y.Start) != true) {
				return false
			}
			if !x.EndOpen && (x.EndIncl != y.EndIncl || Equal(x.End, y.End) != true) {
				return false
			}
			return true
		}
	case *Function:
		if y, ok := b.(*Function); ok {
			return x == y
		}
	}
	return nil
}

// compare orders two values of the same ordered kind (numbers, strings, dates, times, date
// and times, durations of one kind); ok is false otherwise.
func compare(a, b Value) (int, bool) {
	switch x := a.(type) {
	case Number:
		if y, ok := b.(Number); ok {
			return x.Cmp(y), true
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case Date:
		if y, ok := b.(Date); ok {
			return compareDate(x, y), true
		}
	case Time:
		if y, ok := b.(Time); ok {
			return compareTime(x, y)
		}
	case DateTime:
		if y, ok := b.(DateTime); ok {
			return compareDateTime(x, y)
		}
	case DaysDuration:
		if y, ok := b.(DaysDuration); ok {
			return x.cmp(y), true
		}
	case MonthsDuration:
		if y, ok := b.(MonthsDuration); ok {
			return cmpInt64(int64(x), int64(y)), true
		}
	}
	return 0, false
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortedKeys returns the keys of m in order (for deterministic output).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
