package feel

import (
	"math"
	"strings"
	"unicode/utf8"
)

// External functions: FEEL's "function(x) external {java: {class: …, method signature: …}}"
// names a Java static method. There is no JVM here; a fixed set of pure methods of
// java.lang (Math and the valueOf conversions) is implemented, which is what portable models
// use. Any other method gives null and a note.

// javaArg converts a FEEL value to a Java parameter type; ok is false when it does not fit.
func javaArg(v Value, typ string) (any, bool) {
	switch typ {
	case "double", "float", "java.lang.Double", "java.lang.Float":
		n, ok := v.(Number)
		if !ok {
			return nil, false
		}
		return n.Float64(), true
	case "int", "long", "short", "byte", "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.lang.Byte":
		n, ok := v.(Number)
		if !ok {
			return nil, false
		}
		i, ok := n.Int64()
		limits := map[string]int64{"int": math.MaxInt32, "short": math.MaxInt16, "byte": math.MaxInt8}
		if lim, bounded := limits[strings.TrimPrefix(strings.ToLower(typ), "java.lang.")]; bounded && (i > lim || i < -lim-1) {
			return nil, false
		}
		return i, ok
	case "char", "java.lang.Character":
		s, ok := v.(string)
		if !ok || utf8.RuneCountInString(s) != 1 {
			return nil, false
		}
		return s, true
	case "java.lang.String", "String":
		s, ok := v.(string)
		return s, ok
	case "[Ljava.lang.Object;", "java.lang.Object[]", "java.lang.Object...", "java.lang.Object":
		return v, true
	case "boolean", "java.lang.Boolean":
		b, ok := v.(bool)
		return b, ok
	}
	return nil, false
}

// javaResult converts a Java result back to FEEL.
func javaResult(r any) Value {
	switch x := r.(type) {
	case float64:
		n, ok := FloatNumber(x)
		if !ok {
			return nil
		}
		return n
	case int64:
		return Int(x)
	}
	return r
}

type javaMethod func(args []any) any

func f1(fn func(float64) float64) javaMethod {
	return func(a []any) any { return fn(a[0].(float64)) }
}

func f2(fn func(float64, float64) float64) javaMethod {
	return func(a []any) any { return fn(a[0].(float64), a[1].(float64)) }
}

// intValueOf is Integer.valueOf and its kin: a number, or a string of an integer.
func intValueOf(a []any) any {
	if s, ok := a[0].(string); ok {
		n, ok := ParseNumber(s)
		if !ok || !n.IsInt() || strings.ContainsAny(s, ".eE") {
			return nil
		}
		return n
	}
	return a[0]
}

// floatValueOf is Double.valueOf and Float.valueOf: a number, or a string of a number.
func floatValueOf(a []any) any {
	if s, ok := a[0].(string); ok {
		n, ok := ParseNumber(s)
		if !ok {
			return nil
		}
		return n
	}
	return a[0]
}

// javaFormat is String.format for the conversions %s, %d and %%.
func javaFormat(a []any) any {
	format, _ := a[0].(string)
	var args []Value
	if l, ok := a[1].([]Value); ok {
		args = l
	} else {
		args = []Value{a[1]}
	}
	var b strings.Builder
	next := 0
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' || i+1 >= len(rs) {
			b.WriteRune(rs[i])
			continue
		}
		i++
		switch rs[i] {
		case '%':
			b.WriteRune('%')
		case 'n':
			b.WriteRune('\n')
		case 's', 'd':
			if next >= len(args) {
				return nil
			}
			b.WriteString(Format(args[next]))
			next++
		default:
			return nil
		}
	}
	return b.String()
}

// javaMethods are the methods implemented, by class and name; the parameter types come from
// the signature.
var javaMethods = map[string]javaMethod{
	"java.lang.Math.abs": func(a []any) any {
		if i, ok := a[0].(int64); ok {
			if i < 0 {
				return -i
			}
			return i
		}
		return math.Abs(a[0].(float64))
	},
	"java.lang.Math.max": func(a []any) any {
		if i, ok := a[0].(int64); ok {
			return max(i, a[1].(int64))
		}
		return math.Max(a[0].(float64), a[1].(float64))
	},
	"java.lang.Math.min": func(a []any) any {
		if i, ok := a[0].(int64); ok {
			return min(i, a[1].(int64))
		}
		return math.Min(a[0].(float64), a[1].(float64))
	},
	"java.lang.Math.cos": f1(math.Cos), "java.lang.Math.sin": f1(math.Sin), "java.lang.Math.tan": f1(math.Tan),
	"java.lang.Math.acos": f1(math.Acos), "java.lang.Math.asin": f1(math.Asin), "java.lang.Math.atan": f1(math.Atan),
	"java.lang.Math.sqrt": f1(math.Sqrt), "java.lang.Math.cbrt": f1(math.Cbrt), "java.lang.Math.exp": f1(math.Exp),
	"java.lang.Math.log": f1(math.Log), "java.lang.Math.log10": f1(math.Log10), "java.lang.Math.floor": f1(math.Floor),
	"java.lang.Math.ceil": f1(math.Ceil), "java.lang.Math.signum": f1(func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return x
	}),
	"java.lang.Math.toDegrees": f1(func(x float64) float64 { return x * 180 / math.Pi }),
	"java.lang.Math.toRadians": f1(func(x float64) float64 { return x * math.Pi / 180 }),
	"java.lang.Math.pow":       f2(math.Pow), "java.lang.Math.atan2": f2(math.Atan2), "java.lang.Math.hypot": f2(math.Hypot),
	"java.lang.Short.valueOf": intValueOf, "java.lang.Byte.valueOf": intValueOf, "java.lang.Integer.valueOf": intValueOf,
	"java.lang.Long.valueOf": intValueOf, "java.lang.Double.valueOf": floatValueOf, "java.lang.Float.valueOf": floatValueOf,
	"java.lang.String.format": javaFormat,
	"java.lang.String.valueOf": func(a []any) any {
		switch x := a[0].(type) {
		case string:
			return x
		case int64:
			return Int(x).String()
		case bool:
			if x {
				return "true"
			}
			return "false"
		}
		return nil
	},
}

// JavaFunction returns the external function a {java: {class, method signature}} context
// describes, with the given parameters; ok is false when the method is not one of those
// implemented (calls then give null).
func JavaFunction(params []Param, spec Value) (*Function, bool) {
	cls, sigText := javaSpec(spec)
	name, argTypes, ok := parseSignature(sigText)
	m, known := javaMethods[cls+"."+name]
	if !ok || !known || len(argTypes) != len(params) || !consistentTypes(cls, argTypes) {
		return NewFunction(name, params, func(s *Session, args []Value) Value {
			s.note(-1, "external function %s.%s is not available (only java.lang.Math and valueOf methods are)", cls, sigText)
			return nil
		}), false
	}
	return NewFunction(name, params, func(s *Session, args []Value) Value {
		jargs := make([]any, len(args))
		for i, a := range args {
			v, ok := javaArg(a, argTypes[i])
			if !ok {
				s.note(-1, "external function %s.%s: argument %d (%s) is not a Java %s", cls, sigText, i+1, TypeName(a), argTypes[i])
				return nil
			}
			jargs[i] = v
		}
		return javaResult(m(jargs))
	}), true
}

// consistentTypes checks the parameter types a method is implemented for: numbers of one kind
// for java.lang.Math, one parameter for valueOf.
func consistentTypes(cls string, types []string) bool {
	kind := func(t string) string {
		switch strings.TrimPrefix(strings.ToLower(t), "java.lang.") {
		case "double", "float":
			return "float"
		case "int", "integer", "long", "short", "byte":
			return "int"
		}
		return "other"
	}
	switch cls {
	case "java.lang.Math":
	case "java.lang.String":
		return len(types) == 1 || (len(types) == 2 && kind(types[0]) == "other")
	default:
		return len(types) == 1
	}
	for _, t := range types {
		if kind(t) == "other" || kind(t) != kind(types[0]) {
			return false
		}
	}
	return true
}

// javaSpec reads class and method signature from {java: {class: …, method signature: …}} (or
// from the inner context alone).
func javaSpec(spec Value) (string, string) {
	c, ok := spec.(*Context)
	if !ok {
		return "", ""
	}
	if inner, ok := c.Get("java"); ok {
		if ic, ok := inner.(*Context); ok {
			c = ic
		}
	}
	cls, _ := c.Get("class")
	sig, _ := c.Get("method signature")
	cs, _ := cls.(string)
	ss, _ := sig.(string)
	return cs, ss
}

// parseSignature splits "max(double, double)" into the name and the parameter types.
func parseSignature(sig string) (string, []string, bool) {
	open := strings.Index(sig, "(")
	if open < 0 || !strings.HasSuffix(strings.TrimSpace(sig), ")") {
		return "", nil, false
	}
	name := strings.TrimSpace(sig[:open])
	inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sig[open+1:]), ")"))
	var types []string
	if inner != "" {
		for _, t := range strings.Split(inner, ",") {
			types = append(types, strings.TrimSpace(t))
		}
	}
	return name, types, true
}
