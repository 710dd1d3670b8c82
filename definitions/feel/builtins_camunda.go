package feel

import "strings"

// registerCamunda registers the extensions of Camunda's FEEL engine that BPMN files written
// for Camunda 8 call in conditions and mappings: is defined, get or else, is empty, trim,
// is blank. They follow Camunda 8.4 and later (is defined(null) is false).
func registerCamunda(reg func(string, ...sig)) {
	reg("is defined", sig{params: []string{"value"}, fn: func(c *bcall, a []Value) Value { return a[0] != nil }})
	reg("get or else", sig{params: []string{"value", "default"}, fn: func(c *bcall, a []Value) Value {
		if a[0] != nil {
			return a[0]
		}
		return a[1]
	}})
	reg("is empty", sig{params: []string{"list"}, fn: func(c *bcall, a []Value) Value {
		l, ok := a[0].([]Value)
		if !ok {
			return c.fail("list must be a list, not a %s", TypeName(a[0]))
		}
		return len(l) == 0
	}})
	reg("trim", strFn([]string{"string"}, func(c *bcall, s []string) Value { return strings.TrimSpace(s[0]) }))
	reg("is blank", strFn([]string{"string"}, func(c *bcall, s []string) Value { return strings.TrimSpace(s[0]) == "" }))
}
