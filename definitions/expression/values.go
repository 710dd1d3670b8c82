package expression

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"onewindow/definitions/feel"
	"onewindow/definitions/juel"
)

// ToFEEL converts a variable's value to FEEL: objects become contexts, arrays lists,
// numbers decimals; a time.Time a date and time. Strings stay strings (date("2026-01-05")
// reads one as a date).
func ToFEEL(v any) feel.Value {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case float64:
		if n, ok := feel.FloatNumber(x); ok {
			return n
		}
		return nil
	case float32:
		return ToFEEL(float64(x))
	case int:
		return feel.Int(int64(x))
	case int64:
		return feel.Int(x)
	case json.Number:
		if n, ok := feel.ParseNumber(string(x)); ok {
			return n
		}
		return nil
	case time.Time:
		return feel.FromTime(x)
	case []any:
		out := make([]feel.Value, len(x))
		for i, e := range x {
			out[i] = ToFEEL(e)
		}
		return out
	case []string:
		out := make([]feel.Value, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c := feel.NewContext()
		for _, k := range keys {
			c.Set(k, ToFEEL(x[k]))
		}
		return c
	}
	return fmt.Sprint(v)
}

// FromFEEL converts a FEEL value to a variable's value: numbers to float64, contexts to
// objects, dates to "2006-01-02", date and times with a zone to RFC 3339 (in zone), other
// temporal values, ranges and functions to their FEEL text.
func FromFEEL(v feel.Value, zone *time.Location) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case feel.Number:
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil {
			return x.String()
		}
		return f
	case []feel.Value:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FromFEEL(e, zone)
		}
		return out
	case *feel.Context:
		out := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out[k] = FromFEEL(e, zone)
		}
		return out
	case feel.Date:
		return x.String()
	case feel.DateTime:
		if x.HasOffset || x.Zone != "" {
			if t, ok := x.Instant(time.UTC); ok {
				if zone != nil {
					t = t.In(zone)
				}
				return t.Format(time.RFC3339Nano)
			}
		}
		return x.String()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// exportJUEL converts a JUEL value to a variable's value: longs to float64, dates to
// RFC 3339.
func exportJUEL(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case juel.DateTime:
		return x.T.Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = exportJUEL(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = exportJUEL(e)
		}
		return out
	}
	return v
}
