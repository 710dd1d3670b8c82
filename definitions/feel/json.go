package feel

import (
	"encoding/json"
	"fmt"
	"sort"
)

// FromJSON converts a value decoded from JSON (with json.Decoder.UseNumber, so that numbers
// keep every digit) to FEEL: objects become contexts (keys sorted, as JSON objects have no
// order), arrays lists, json.Number and float64 numbers.
func FromJSON(v any) (Value, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case json.Number:
		n, ok := ParseNumber(string(x))
		if !ok {
			return nil, fmt.Errorf("invalid number %s", x)
		}
		return n, nil
	case float64:
		n, ok := FloatNumber(x)
		if !ok {
			return nil, fmt.Errorf("invalid number %v", x)
		}
		return n, nil
	case int:
		return Int(int64(x)), nil
	case int64:
		return Int(x), nil
	case []any:
		out := make([]Value, len(x))
		for i, e := range x {
			v, err := FromJSON(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c := NewContext()
		for _, k := range keys {
			v, err := FromJSON(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			c.Set(k, v)
		}
		return c, nil
	}
	return nil, fmt.Errorf("cannot convert %T to FEEL", v)
}

// ToJSON converts a FEEL value to what encoding/json writes: numbers as json.Number (every
// digit kept), dates, times and durations as ISO 8601 strings, contexts as objects (in key
// order when marshalled through OrderedJSON), ranges and functions as their FEEL text.
func ToJSON(v Value) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case Number:
		return json.Number(x.String())
	case []Value:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ToJSON(e)
		}
		return out
	case *Context:
		return orderedJSON{x}
	}
	return literalString(v)
}

// orderedJSON marshals a context as a JSON object with its keys in order.
type orderedJSON struct{ c *Context }

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.c.Keys() {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(ToJSON(o.c.vals[k]))
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}
