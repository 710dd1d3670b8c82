package tck

import (
	"fmt"
	"strings"

	"onewindow/definitions/feel"
)

// The value syntax of TCK test files (testCases.xsd): a typed <value>, <component>s of a
// structure, or a <list> of <item>s.

type valueType struct {
	Value      *xmlValue   `xml:"value"`
	Components []component `xml:"component"`
	List       *xmlList    `xml:"list"`
	Nil        string      `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
}

type xmlValue struct {
	Type string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Nil  string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Text string `xml:",chardata"`
}

type component struct {
	Name string `xml:"name,attr"`
	valueType
}

type xmlList struct {
	Nil   string      `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Items []valueType `xml:"item"`
}

// toFEEL converts a test value to a FEEL value.
func (v *valueType) toFEEL() (feel.Value, error) {
	if v == nil || v.Nil == "true" {
		return nil, nil
	}
	switch {
	case v.Value != nil:
		return v.Value.toFEEL()
	case v.List != nil:
		if v.List.Nil == "true" {
			return nil, nil
		}
		out := make([]feel.Value, len(v.List.Items))
		for i := range v.List.Items {
			e, err := v.List.Items[i].toFEEL()
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case len(v.Components) > 0:
		c := feel.NewContext()
		for i := range v.Components {
			comp := &v.Components[i]
			e, err := comp.valueType.toFEEL()
			if err != nil {
				return nil, fmt.Errorf("component %q: %w", comp.Name, err)
			}
			c.Set(comp.Name, e)
		}
		return c, nil
	}
	return nil, nil
}

func (x *xmlValue) toFEEL() (feel.Value, error) {
	if x.Nil == "true" {
		return nil, nil
	}
	t := x.Type
	if i := strings.Index(t, ":"); i >= 0 {
		t = t[i+1:]
	}
	s := strings.TrimSpace(x.Text)
	var v feel.Value
	ok := true
	switch t {
	case "", "string", "anySimpleType":
		return x.Text, nil
	case "decimal", "double", "float", "integer", "int", "long", "short":
		v, ok = feel.ParseNumber(s)
	case "boolean":
		switch s {
		case "true", "1":
			v = true
		case "false", "0":
			v = false
		default:
			ok = false
		}
	case "date":
		v, ok = feel.ParseDate(s)
	case "dateTime":
		v, ok = feel.ParseDateTime(s)
	case "time":
		v, ok = feel.ParseTime(s)
	case "duration", "dayTimeDuration", "yearMonthDuration":
		v, ok = feel.ParseDuration(s)
	default:
		return nil, fmt.Errorf("unsupported value type %q", x.Type)
	}
	if !ok {
		return nil, fmt.Errorf("invalid %s value %q", t, s)
	}
	return v, nil
}

// numberTolerance is how far a number may be from the expected one: the TCK's expected values
// of exp, log or sqrt are rounded to 8 decimals (the Drools runner uses the same tolerance).
var numberTolerance = feel.MustNumber("0.00000001")

// same compares an actual value with an expected one.
func same(expected, actual feel.Value) bool {
	switch e := expected.(type) {
	case nil:
		return actual == nil
	case feel.Number:
		a, ok := actual.(feel.Number)
		return ok && e.Sub(a).Abs().Cmp(numberTolerance) < 0
	case []feel.Value:
		a, ok := actual.([]feel.Value)
		if !ok || len(a) != len(e) {
			return false
		}
		for i := range e {
			if !same(e[i], a[i]) {
				return false
			}
		}
		return true
	case *feel.Context:
		a, ok := actual.(*feel.Context)
		if !ok || a.Len() != e.Len() {
			return false
		}
		for _, k := range e.Keys() {
			ev, _ := e.Get(k)
			av, has := a.Get(k)
			if !has || !same(ev, av) {
				return false
			}
		}
		return true
	case feel.Date, feel.Time, feel.DateTime:
		return expected == actual
	}
	return feel.Equal(expected, actual) == true
}
