package feel

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// builtin is a built-in function with one or more signatures (overloads).
type builtin struct {
	name string
	sigs []sig
}

// sig is one signature: parameter names (as named invocation uses them), how many trailing
// ones may be left out, and whether the last one collects all remaining arguments.
type sig struct {
	params   []string
	optional int
	variadic bool
	fn       func(c *bcall, a []Value) Value
}

// bcall is the context of a built-in call: the session and where the call is, for notes.
type bcall struct {
	ev    *evaluator
	pos   int
	name  string
	named bool // invoked with named arguments
}

// fail notes an error of the call and returns null.
func (c *bcall) fail(format string, args ...any) Value {
	c.ev.note(c.pos, "%s: %s", c.name, fmt.Sprintf(format, args...))
	return nil
}

var (
	builtinsOnce sync.Once
	builtinTable map[string]*Function
)

func builtinMap() map[string]*Function {
	builtinsOnce.Do(func() {
		builtinTable = map[string]*Function{}
		for _, reg := range []func(func(string, ...sig)){
			registerConversion, registerStrings, registerLists, registerNumeric,
			registerTemporal, registerRanges, registerContexts, registerCamunda,
		} {
			reg(func(name string, sigs ...sig) {
				b := &builtin{name: name, sigs: sigs}
				f := &Function{Name: name, builtin: b}
				for _, p := range sigs[len(sigs)-1].params {
					f.Params = append(f.Params, Param{Name: p})
				}
				builtinTable[name] = f
			})
		}
	})
	return builtinTable
}

// builtinFunction returns the built-in function named name, or nil.
func builtinFunction(name string) *Function { return builtinMap()[name] }

// Builtin returns the built-in function named name ("sum", "date and time"), or nil.
func Builtin(name string) *Function { return builtinFunction(name) }

// builtinNames returns the names of the built-in functions, sorted.
func builtinNames() []string { return sortedKeys(builtinMap()) }

// BuiltinNames returns the names of FEEL's built-in functions.
func BuiltinNames() []string { return builtinNames() }

// checked applies the limits to what a built-in returns: numbers out of range are null,
// oversized strings and lists abort the evaluation.
func checked(ev *evaluator, pos int, name string, v Value) Value {
	switch x := v.(type) {
	case Number:
		if !x.InRange() {
			ev.note(pos, "%s: the result is out of the range of numbers", name)
			return nil
		}
	case string:
		ev.checkSize(len(x))
	case []Value:
		ev.checkSize(len(x))
	}
	return v
}

func (b *builtin) callPositional(ev *evaluator, pos int, args []Value) Value {
	ev.step()
	for _, s := range b.sigs {
		n := len(s.params)
		switch {
		case s.variadic && len(args) >= n:
			fixed := append([]Value(nil), args[:n-1]...)
			return checked(ev, pos, b.name, s.fn(&bcall{ev: ev, pos: pos, name: b.name}, append(fixed, Value(args[n-1:]))))
		case !s.variadic && len(args) <= n && len(args) >= n-s.optional:
			full := make([]Value, n)
			copy(full, args)
			return checked(ev, pos, b.name, s.fn(&bcall{ev: ev, pos: pos, name: b.name}, full[:max(len(args), n-s.optional)]))
		}
	}
	ev.note(pos, "%s: no signature takes %d arguments", b.name, len(args))
	return nil
}

func (b *builtin) callNamed(ev *evaluator, pos int, named map[string]Value) Value {
	ev.step()
	for _, s := range b.sigs {
		if !s.accepts(named) {
			continue
		}
		n := len(s.params) - s.optional
		for i := n; i < len(s.params); i++ {
			if _, has := named[s.params[i]]; has {
				n = i + 1
			}
		}
		args := make([]Value, n)
		for i := range args {
			args[i] = named[s.params[i]]
		}
		if s.variadic {
			if _, ok := args[n-1].([]Value); !ok {
				args[n-1] = []Value{args[n-1]}
			}
		}
		return checked(ev, pos, b.name, s.fn(&bcall{ev, pos, b.name, true}, args))
	}
	names := make([]string, 0, len(named))
	for k := range named {
		names = append(names, k)
	}
	sort.Strings(names)
	ev.note(pos, "%s: no signature has the parameters %s", b.name, strings.Join(names, ", "))
	return nil
}

// accepts reports whether the names are parameters of s and include all its required ones.
func (s sig) accepts(named map[string]Value) bool {
	for k := range named {
		found := false
		for _, p := range s.params {
			found = found || p == k
		}
		if !found {
			return false
		}
	}
	for _, p := range s.params[:len(s.params)-s.optional] {
		if _, has := named[p]; !has {
			return false
		}
	}
	return true
}

// unwrapSingleton applies FEEL's conversion from a singleton list to its item, for
// parameters that take one value.
func unwrapSingleton(v Value) Value {
	if l, ok := v.([]Value); ok && len(l) == 1 {
		return l[0]
	}
	return v
}

// Argument helpers: each returns ok=false when the argument has the wrong kind.

func numArg(v Value) (Number, bool) {
	n, ok := v.(Number)
	return n, ok
}

func strArg(v Value) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// intArg reads an integer argument; a fraction is cut off (as DMN's reference
// implementations do: substring("foobar", 3, 3.8) is "oba").
func intArg(v Value) (int64, bool) {
	n, ok := v.(Number)
	if !ok {
		return 0, false
	}
	return n.Round(0, Down).Int64()
}

// listArg reads a list argument; another value counts as a list of one.
func listArg(v Value) ([]Value, bool) {
	switch l := v.(type) {
	case []Value:
		return l, true
	case nil:
		return nil, false
	}
	return []Value{v}, true
}

// singleList handles the functions that take either one list or several values: f([1, 2])
// and f(1, 2) both give the list [1, 2].
func singleList(a []Value) ([]Value, bool) {
	items := a[len(a)-1].([]Value)
	if len(items) == 1 {
		if l, ok := items[0].([]Value); ok {
			return l, true
		}
		if items[0] == nil {
			return nil, false
		}
	}
	return items, true
}

// listOrVarargs is the signature pair of such functions.
func listOrVarargs(fn func(c *bcall, items []Value) Value) []sig {
	return []sig{
		{params: []string{"list"}, fn: func(c *bcall, a []Value) Value {
			l, ok := a[0].([]Value)
			if !ok {
				if a[0] == nil {
					return c.fail("the list is null")
				}
				l = []Value{a[0]}
			}
			return fn(c, l)
		}},
		{params: []string{"c"}, variadic: true, fn: func(c *bcall, a []Value) Value {
			l, ok := singleList(a)
			if !ok {
				return c.fail("the argument is null")
			}
			return fn(c, l)
		}},
	}
}
