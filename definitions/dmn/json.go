package dmn

import (
	"fmt"
	"sort"

	"onewindow/definitions/feel"
)

// InputsFromJSON converts input data values decoded from JSON (json.Decoder.UseNumber) to FEEL.
// A string given for an input data typed date, time, date and time or duration (directly or
// through an item definition) is read as one, since JSON has no such values.
func (d *Definitions) InputsFromJSON(raw map[string]any) (map[string]feel.Value, error) {
	types := map[string]string{}
	for _, in := range d.Inputs {
		types[in.Name] = in.Variable.TypeRef
	}
	r := newRun(d, Request{})
	out := map[string]feel.Value{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := feel.FromJSON(raw[k])
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", k, err)
		}
		if s, ok := v.(string); ok {
			if t := r.baseType(d, types[k]); t != "" {
				if tv, ok := temporalOf(t, s); ok {
					v = tv
				}
			}
		}
		out[k] = v
	}
	return out, nil
}

// baseType follows item definitions down to the FEEL type name they stand for ("" when none).
func (r *run) baseType(m *Definitions, typeRef string) string {
	for range 32 { // item definitions may refer to each other; never loop forever
		it, ok := r.lookupType(m, typeRef)
		if !ok {
			if t, ok := feelType(typeRef); ok {
				return t.Name
			}
			return ""
		}
		if it.IsCollection || len(it.Components) > 0 {
			return ""
		}
		m, typeRef = it.model, it.TypeRef
	}
	return ""
}

func temporalOf(typeName, s string) (feel.Value, bool) {
	switch typeName {
	case "date":
		return feel.ParseDate(s)
	case "time":
		return feel.ParseTime(s)
	case "date and time":
		return feel.ParseDateTime(s)
	case "days and time duration", "years and months duration":
		return feel.ParseDuration(s)
	}
	return nil, false
}
