package feel

import (
	"strings"
	"unicode/utf8"
)

// strFn registers a function of string arguments (named params) returning fn's value; a
// non-string argument gives null.
func strFn(params []string, fn func(c *bcall, s []string) Value) sig {
	return optStrFn(params, 0, fn)
}

// optStrFn is strFn with trailing optional parameters.
func optStrFn(params []string, optional int, fn func(c *bcall, s []string) Value) sig {
	return sig{params: params, optional: optional, fn: func(c *bcall, a []Value) Value {
		ss := make([]string, len(a))
		for i, v := range a {
			v = unwrapSingleton(v)
			s, ok := v.(string)
			if !ok {
				if v == nil && i >= len(params)-optional {
					ss[i] = "" // an optional argument given as null
					continue
				}
				if v == nil {
					return nil
				}
				return c.fail("%s must be a string, not a %s", params[i], TypeName(v))
			}
			ss[i] = s
		}
		return fn(c, ss)
	}}
}

func registerStrings(reg func(string, ...sig)) {
	reg("substring", sig{params: []string{"string", "start position", "length"}, optional: 1, fn: substring})
	reg("string length", strFn([]string{"string"}, func(c *bcall, s []string) Value {
		return Int(int64(utf8.RuneCountInString(s[0])))
	}))
	reg("upper case", strFn([]string{"string"}, func(c *bcall, s []string) Value { return strings.ToUpper(s[0]) }))
	reg("lower case", strFn([]string{"string"}, func(c *bcall, s []string) Value { return strings.ToLower(s[0]) }))
	reg("substring before", strFn([]string{"string", "match"}, func(c *bcall, s []string) Value {
		if i := strings.Index(s[0], s[1]); i >= 0 {
			return s[0][:i]
		}
		return ""
	}))
	reg("substring after", strFn([]string{"string", "match"}, func(c *bcall, s []string) Value {
		if i := strings.Index(s[0], s[1]); i >= 0 {
			return s[0][i+len(s[1]):]
		}
		return ""
	}))
	reg("contains", strFn([]string{"string", "match"}, func(c *bcall, s []string) Value { return strings.Contains(s[0], s[1]) }))
	reg("starts with", strFn([]string{"string", "match"}, func(c *bcall, s []string) Value { return strings.HasPrefix(s[0], s[1]) }))
	reg("ends with", strFn([]string{"string", "match"}, func(c *bcall, s []string) Value { return strings.HasSuffix(s[0], s[1]) }))
	reg("matches", optStrFn([]string{"input", "pattern", "flags"}, 1, func(c *bcall, s []string) Value {
		re, err := compileXPath(s[1], optArg(s, 2))
		if err != nil {
			return c.fail("%v", err)
		}
		ok, err := re.match(s[0])
		if err != nil {
			return c.fail("matches: %v", err)
		}
		return ok
	}))
	reg("replace", optStrFn([]string{"input", "pattern", "replacement", "flags"}, 1, func(c *bcall, s []string) Value {
		flags := optArg(s, 3)
		re, err := compileXPath(s[1], flags)
		if err != nil {
			return c.fail("%v", err)
		}
		if empty, _ := re.match(""); empty {
			return c.fail("the pattern %q matches an empty string", s[1])
		}
		rep, literal := s[2], strings.Contains(flags, "q")
		if !literal {
			if rep, err = translateReplacement(s[2], re.numSubexp()); err != nil {
				return c.fail("%v", err)
			}
		}
		out, err := re.replace(s[0], rep, literal)
		if err != nil {
			return c.fail("replace: %v", err)
		}
		return out
	}))
	reg("split", strFn([]string{"string", "delimiter"}, func(c *bcall, s []string) Value {
		re, err := compileXPath(s[1], "")
		if err != nil {
			return c.fail("%v", err)
		}
		if empty, _ := re.match(""); empty {
			return c.fail("the delimiter %q matches an empty string", s[1])
		}
		parts, err := re.split(s[0])
		if err != nil {
			return c.fail("split: %v", err)
		}
		out := make([]Value, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out
	}))
	reg("string join",
		sig{params: []string{"list"}, fn: func(c *bcall, a []Value) Value { return stringJoin(c, a[0], "") }},
		sig{params: []string{"list", "delimiter"}, fn: func(c *bcall, a []Value) Value {
			d := ""
			if a[1] != nil {
				s, ok := a[1].(string)
				if !ok {
					return c.fail("delimiter must be a string")
				}
				d = s
			}
			return stringJoin(c, a[0], d)
		}})
}

// optArg returns s[i], or "" when the optional argument was not given.
func optArg(s []string, i int) string {
	if len(s) > i {
		return s[i]
	}
	return ""
}

func stringJoin(c *bcall, lv Value, delim string) Value {
	l, ok := listArg(lv)
	if !ok {
		return c.fail("list must be a list of strings")
	}
	parts := make([]string, 0, len(l))
	for _, e := range l {
		switch s := e.(type) {
		case nil:
		case string:
			parts = append(parts, s)
		default:
			return c.fail("list must contain strings, not a %s", TypeName(e))
		}
	}
	return strings.Join(parts, delim)
}

// substring counts characters (code points) from 1; a negative start counts from the end.
func substring(c *bcall, a []Value) Value {
	s, ok := a[0].(string)
	if !ok {
		return c.fail("string must be a string")
	}
	startN, ok := numArg(a[1])
	if !ok {
		return c.fail("start position must be a number")
	}
	start, ok := startN.Round(0, Down).Int64()
	if !ok {
		return c.fail("start position out of range")
	}
	rs := []rune(s)
	n := int64(len(rs))
	if start < 0 {
		start = n + start + 1
	}
	if start < 1 {
		start = 1
	}
	if start > n {
		return ""
	}
	end := n + 1
	if len(a) > 2 && a[2] != nil {
		lenN, ok := numArg(a[2])
		if !ok {
			return c.fail("length must be a number")
		}
		length, ok := lenN.Round(0, Down).Int64()
		if !ok || length < 0 {
			return c.fail("length must be a number ≥ 0")
		}
		if start+length < end {
			end = start + length
		}
	}
	return string(rs[start-1 : end-1])
}
