package dmn

import (
	"strings"
	"sync"

	"onewindow/definitions/feel"
)

// legacyTypes maps the type names of DMN 1.1 (XML Schema style) to FEEL's.
var legacyTypes = map[string]string{
	"dateTime":          "date and time",
	"dayTimeDuration":   "days and time duration",
	"yearMonthDuration": "years and months duration",
}

var typeRefCache sync.Map // typeRef → *feel.TypeExpr (nil when it does not parse)

// feelType parses a typeRef naming a FEEL type ("number", "list<string>"); ok is false for
// names FEEL does not know (item definitions, or nothing).
func feelType(typeRef string) (*feel.TypeExpr, bool) {
	if c, ok := typeRefCache.Load(typeRef); ok {
		t := c.(*feel.TypeExpr)
		return t, t != nil
	}
	name := strings.TrimPrefix(typeRef, "feel:")
	if l, ok := legacyTypes[name]; ok {
		name = l
	}
	t, err := feel.ParseType(name)
	if err != nil || !feel.BuiltinType(t.Name) {
		t = nil
	}
	typeRefCache.Store(typeRef, t)
	return t, t != nil
}

// lookupType finds the item definition a typeRef of model m names: a local one, one of an
// import ("import.tType"), or one of a model imported without a name.
func (r *run) lookupType(m *Definitions, name string) (*ItemDef, bool) {
	if it, ok := m.types[name]; ok {
		return it, true
	}
	if prefix, rest, ok := strings.Cut(name, "."); ok {
		if o, ok := m.imported[prefix]; ok {
			return r.lookupType(o, rest)
		}
	}
	for _, o := range m.unnamed {
		if it, ok := o.types[name]; ok {
			return it, true
		}
	}
	if _, local, ok := strings.Cut(name, ":"); ok && !strings.HasPrefix(name, "feel:") {
		return r.lookupType(m, local)
	}
	return nil, false
}

// functionOutput returns the output type of a function type (a function item definition),
// or "".
func (r *run) functionOutput(m *Definitions, typeRef string) string {
	if it, ok := r.lookupType(m, strings.TrimSpace(typeRef)); ok && it.IsFunction {
		return it.OutputTypeRef
	}
	return ""
}

// instanceOf is FEEL's "instance of" for an item definition: the structure must match (every
// component present, a list for a collection), without conversions; allowed values do not
// matter.
func (r *run) instanceOf(it *ItemDef, v feel.Value) bool {
	if it.IsCollection {
		l, ok := v.([]feel.Value)
		if !ok {
			return false
		}
		for _, e := range l {
			if e != nil && !r.instanceOfElem(it, e) {
				return false
			}
		}
		return true
	}
	return r.instanceOfElem(it, v)
}

func (r *run) instanceOfElem(it *ItemDef, v feel.Value) bool {
	if v == nil {
		return false
	}
	switch {
	case it.IsFunction:
		_, ok := v.(*feel.Function)
		return ok
	case len(it.Components) > 0:
		c, ok := v.(*feel.Context)
		if !ok {
			return false
		}
		for _, comp := range it.Components {
			cv, has := c.Get(comp.Name)
			if !has || (cv != nil && !r.instanceOf(comp, cv)) {
				return false
			}
		}
		return true
	case it.TypeRef != "":
		if base, ok := r.lookupType(it.model, it.TypeRef); ok {
			return r.instanceOf(base, v)
		}
		if t, ok := feelType(it.TypeRef); ok {
			return r.s.Conforms(v, t)
		}
	}
	return true
}

// typed converts v to the type typeRef of model m; a value that does not conform is null and
// an error.
func (r *run) typed(m *Definitions, typeRef string, v feel.Value, where string) feel.Value {
	out, ok := r.conform(m, typeRef, v)
	if !ok {
		r.errf("%s: the value %s is not a %s", where, shortValue(v), typeRef)
		return nil
	}
	return out
}

func shortValue(v feel.Value) string {
	s := feel.Format(v)
	if _, isStr := v.(string); isStr {
		s = `"` + s + `"`
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s + " (" + feel.TypeName(v) + ")"
}

// conform converts v to typeRef (declared in model m) with the implicit conversions; ok is
// false when it does not conform. Unknown type names do not constrain (Parse warns).
func (r *run) conform(m *Definitions, typeRef string, v feel.Value) (feel.Value, bool) {
	typeRef = strings.TrimSpace(typeRef)
	if typeRef == "" || v == nil {
		return v, true
	}
	if it, ok := r.lookupType(m, typeRef); ok {
		return r.conformItem(it, v)
	}
	if t, ok := feelType(typeRef); ok {
		return r.s.Coerce(v, t)
	}
	return v, true
}

// conformItem converts v to an item definition.
func (r *run) conformItem(it *ItemDef, v feel.Value) (feel.Value, bool) {
	if v == nil {
		return nil, true
	}
	if !it.IsCollection {
		return r.conformElem(it, v)
	}
	l, ok := v.([]feel.Value)
	if !ok {
		l = []feel.Value{v} // a single value where a collection is expected: a list of one
	}
	out := make([]feel.Value, len(l))
	for i, e := range l {
		ce, ok := r.conformElem(it, e)
		if !ok {
			return nil, false
		}
		out[i] = ce
	}
	return out, true
}

// conformElem checks one value against an item definition, ignoring isCollection.
func (r *run) conformElem(it *ItemDef, v feel.Value) (feel.Value, bool) {
	if v == nil {
		return nil, true
	}
	out := v
	switch {
	case it.IsFunction:
		if _, ok := v.(*feel.Function); !ok {
			return nil, false
		}
	case len(it.Components) > 0:
		if l, ok := v.([]feel.Value); ok && len(l) == 1 {
			v = l[0]
		}
		c, ok := v.(*feel.Context)
		if !ok {
			return nil, false
		}
		nc := c.Copy()
		for _, comp := range it.Components {
			cv, has := c.Get(comp.Name)
			if !has {
				return nil, false // a structure must have every component (null is a value)
			}
			ccv, ok := r.conformItem(comp, cv)
			if !ok {
				return nil, false
			}
			nc.Set(comp.Name, ccv)
		}
		out = nc
	case it.TypeRef != "":
		var ok bool
		if out, ok = r.conform(it.model, it.TypeRef, v); !ok {
			return nil, false
		}
	}
	for _, u := range []*feel.UnaryTests{it.AllowedValues, it.TypeConstr} {
		if u != nil && r.s.Match(u, out, nil) != true {
			return nil, false
		}
	}
	return out, true
}
