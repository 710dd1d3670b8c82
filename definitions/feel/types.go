package feel

import "strings"

// ParseType parses a type as written in a DMN typeRef or after "instance of".
func ParseType(src string) (*TypeExpr, error) {
	p, serr := newParser(src, nil)
	if serr != nil {
		return nil, serr
	}
	var t *TypeExpr
	_, serr = p.run(func() node { t = p.typeExpr(); return nil })
	if serr != nil {
		return nil, serr
	}
	return t, nil
}

// BuiltinType reports whether name is one of FEEL's own type names.
func BuiltinType(name string) bool {
	switch name {
	case "Any", "Null", "number", "string", "boolean", "date", "time", "date and time",
		"days and time duration", "years and months duration", "list", "context", "range", "function":
		return true
	}
	return false
}

// scalarKinds tells the values of FEEL's types that have no parameters.
var scalarKinds = map[string]func(Value) bool{
	"number":                    func(v Value) bool { _, ok := v.(Number); return ok },
	"string":                    func(v Value) bool { _, ok := v.(string); return ok },
	"boolean":                   func(v Value) bool { _, ok := v.(bool); return ok },
	"date":                      func(v Value) bool { _, ok := v.(Date); return ok },
	"time":                      func(v Value) bool { _, ok := v.(Time); return ok },
	"date and time":             func(v Value) bool { _, ok := v.(DateTime); return ok },
	"days and time duration":    func(v Value) bool { _, ok := v.(DaysDuration); return ok },
	"years and months duration": func(v Value) bool { _, ok := v.(MonthsDuration); return ok },
}

// Conforms reports whether v is an instance of t; named types are resolved by s.NamedType.
func (s *Session) Conforms(v Value, t *TypeExpr) bool { return conforms(s, v, t) == true }

func conforms(ev *evaluator, v Value, t *TypeExpr) Value {
	switch t.Name {
	case "Any":
		return v != nil
	case "Null":
		return v == nil
	}
	if v == nil {
		return false
	}
	if is, ok := scalarKinds[t.Name]; ok {
		return is(v)
	}
	switch t.Name {
	case "list":
		l, ok := v.([]Value)
		if !ok {
			return false
		}
		if t.Elem != nil {
			for _, e := range l {
				if e != nil && conforms(ev, e, t.Elem) != true {
					return false
				}
			}
		}
		return true
	case "context":
		c, ok := v.(*Context)
		if !ok {
			return false
		}
		for _, f := range t.Fields {
			fv, ok := c.Get(f.Name)
			if !ok || (fv != nil && conforms(ev, fv, f.Type) != true) {
				return false
			}
		}
		return true
	case "range":
		r, ok := v.(*Range)
		if !ok {
			return false
		}
		if t.Elem != nil {
			for _, e := range []Value{r.Start, r.End} {
				if e != nil && conforms(ev, e, t.Elem) != true {
					return false
				}
			}
		}
		return true
	case "function":
		f, ok := v.(*Function)
		if !ok {
			return false
		}
		if t.Elem != nil && f.builtin == nil && len(f.Params) != len(t.Params) {
			return false
		}
		if t.Elem != nil && f.builtin == nil {
			for i, p := range f.Params {
				// Parameters are contravariant: the declared parameter type must accept every
				// value of the type's parameter.
				if p.Type != nil && !subtype(t.Params[i], p.Type) {
					return false
				}
			}
		}
		return true
	}
	if ev != nil && ev.NamedType != nil {
		if ok, known := ev.NamedType(t.Name, v); known {
			return ok
		}
	}
	if ev != nil {
		ev.note(-1, "unknown type %q", t.Name)
	}
	return nil
}

// subtype reports whether every value of a is a value of b (for the built-in types).
func subtype(a, b *TypeExpr) bool {
	if b.Name == "Any" || a.Name == "Null" {
		return true
	}
	if a.Name != b.Name {
		return false
	}
	switch a.Name {
	case "list", "range":
		if b.Elem == nil {
			return true
		}
		return a.Elem != nil && subtype(a.Elem, b.Elem)
	case "context":
		for _, bf := range b.Fields {
			found := false
			for _, af := range a.Fields {
				if af.Name == bf.Name && subtype(af.Type, bf.Type) {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// coerce converts v to type t with FEEL's implicit conversions: a singleton list to its
// element, a value to a singleton list, a date to the date and time of its midnight (UTC).
func coerce(ev *evaluator, v Value, t *TypeExpr) (Value, bool) {
	if v == nil || conforms(ev, v, t) == true {
		return v, true
	}
	if l, ok := v.([]Value); ok && len(l) == 1 && t.Name != "list" {
		if l[0] == nil || conforms(ev, l[0], t) == true {
			return l[0], true
		}
		return nil, false
	}
	if t.Name == "list" {
		if _, isList := v.([]Value); !isList && (t.Elem == nil || conforms(ev, v, t.Elem) == true) {
			return []Value{v}, true
		}
	}
	if d, ok := v.(Date); ok && t.Name == "date and time" {
		return dateTimeOf(d), true
	}
	return nil, false
}

// Coerce converts v to t as a function argument or a DMN typed value is converted; ok is false
// when v does not conform.
func (s *Session) Coerce(v Value, t *TypeExpr) (Value, bool) { return coerce(s, v, t) }

func typeString(t *TypeExpr) string {
	if t == nil {
		return "Any"
	}
	switch t.Name {
	case "list", "range":
		if t.Elem != nil {
			return t.Name + "<" + typeString(t.Elem) + ">"
		}
	case "context":
		if len(t.Fields) > 0 {
			parts := make([]string, len(t.Fields))
			for i, f := range t.Fields {
				parts[i] = f.Name + ": " + typeString(f.Type)
			}
			return "context<" + strings.Join(parts, ", ") + ">"
		}
	case "function":
		if t.Elem != nil {
			parts := make([]string, len(t.Params))
			for i, p := range t.Params {
				parts[i] = typeString(p)
			}
			return "function<" + strings.Join(parts, ", ") + "> -> " + typeString(t.Elem)
		}
	}
	return t.Name
}

// String formats the type as FEEL writes it.
func (t *TypeExpr) String() string { return typeString(t) }
