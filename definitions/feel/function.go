package feel

import (
	"sort"
	"strings"
)

// Function is a FEEL function value: a function definition (with the scope it closes over), a
// built-in, or a function implemented in Go by the caller (a DMN business knowledge model).
type Function struct {
	Name   string
	Params []Param

	body     node
	closure  *Scope
	native   func(s *Session, args []Value) Value
	builtin  *builtin
	external bool
}

// Param is a formal parameter; Type is nil when not declared.
type Param struct {
	Name string
	Type *TypeExpr
}

// NewFunction returns a function implemented by impl, which receives one argument per
// parameter (null for those not given in a named invocation).
func NewFunction(name string, params []Param, impl func(s *Session, args []Value) Value) *Function {
	return &Function{Name: name, Params: params, native: impl}
}

// ParamNames returns the names of the parameters.
func (f *Function) ParamNames() []string {
	names := make([]string, len(f.Params))
	for i, p := range f.Params {
		names[i] = p.Name
	}
	return names
}

func (n *funcDef) eval(ev *evaluator, sc *scope) Value {
	f := &Function{body: n.body, closure: sc, external: n.external}
	for _, p := range n.params {
		f.Params = append(f.Params, Param{Name: p.name, Type: p.typ})
	}
	if n.external {
		jf, _ := JavaFunction(f.Params, n.body.eval(ev, sc))
		return jf
	}
	return f
}

func (n *call) eval(ev *evaluator, sc *scope) Value {
	fv := n.fn.eval(ev, sc)
	f, ok := fv.(*Function)
	if !ok {
		if fv == nil && n.name != "" {
			ev.note(n.pos, "no function named %q", n.name)
		} else {
			ev.note(n.pos, "%s is a %s, not a function", callName(n), TypeName(fv))
		}
		return nil
	}
	if n.named != nil {
		named := make(map[string]Value, len(n.named))
		for _, a := range n.named {
			named[a.name] = a.val.eval(ev, sc)
		}
		return ev.callNamed(n.pos, f, named)
	}
	args := make([]Value, len(n.args))
	for i, a := range n.args {
		args[i] = a.eval(ev, sc)
	}
	return ev.call(n.pos, f, args)
}

// Call invokes f with positional arguments.
func (s *Session) Call(f *Function, args []Value) Value { return s.call(-1, f, args) }

// CallNamed invokes f with named arguments.
func (s *Session) CallNamed(f *Function, args map[string]Value) Value {
	return s.callNamed(-1, f, args)
}

func (s *Session) call(pos int, f *Function, args []Value) Value {
	if f.builtin != nil {
		return f.builtin.callPositional(s, pos, args)
	}
	if len(args) != len(f.Params) {
		s.note(pos, "%s takes %d arguments, %d given", fname(f), len(f.Params), len(args))
		return nil
	}
	return s.invoke(pos, f, args)
}

func (s *Session) callNamed(pos int, f *Function, named map[string]Value) Value {
	if f.builtin != nil {
		return f.builtin.callNamed(s, pos, named)
	}
	args := make([]Value, len(f.Params))
	used := 0
	for i, p := range f.Params {
		if v, ok := named[p.Name]; ok {
			args[i] = v
			used++
		}
	}
	if used != len(named) {
		s.note(pos, "%s has no parameter named %s", fname(f), unknownNames(named, f.ParamNames()))
		return nil
	}
	return s.invoke(pos, f, args)
}

func unknownNames(named map[string]Value, params []string) string {
	var bad []string
	for k := range named {
		found := false
		for _, p := range params {
			found = found || p == k
		}
		if !found {
			bad = append(bad, "\""+k+"\"")
		}
	}
	sort.Strings(bad)
	return strings.Join(bad, ", ")
}

func fname(f *Function) string {
	if f.Name != "" {
		return "function " + f.Name
	}
	return "the function"
}

// invoke runs a user or native function with one argument per parameter.
func (s *Session) invoke(pos int, f *Function, args []Value) Value {
	s.enterCall()
	defer s.leaveCall()
	for i, p := range f.Params {
		if p.Type == nil || args[i] == nil {
			continue
		}
		v, ok := coerce(s, args[i], p.Type)
		if !ok {
			s.note(pos, "argument %q of %s is a %s, not a %s", p.Name, fname(f), TypeName(args[i]), typeString(p.Type))
			return nil
		}
		args[i] = v
	}
	if f.native != nil {
		return f.native(s, args)
	}
	bind := NewContext()
	for i, p := range f.Params {
		bind.Set(p.Name, args[i])
	}
	return f.body.eval(s, f.closure.WithContext(bind))
}

// iterate calls fn with each value of an iteration domain: a list, a range "a..b" of integers
// or dates, or a range value; fn returns false to stop. It returns false when the domain is
// not iterable.
func iterate(ev *evaluator, it iteration, sc *scope, fn func(Value) bool) bool {
	d := it.domain.eval(ev, sc)
	if it.hi != nil {
		return iterateSpan(ev, d, it.hi.eval(ev, sc), true, true, fn)
	}
	switch v := d.(type) {
	case []Value:
		for _, e := range v {
			ev.step()
			if !fn(e) {
				break
			}
		}
		return true
	case *Range:
		if v.StartOpen || v.EndOpen {
			ev.note(it.domain.position(), "cannot iterate over a range without an end")
			return false
		}
		return iterateSpan(ev, v.Start, v.End, v.StartIncl, v.EndIncl, fn)
	case nil:
		ev.note(it.domain.position(), "cannot iterate over null")
		return false
	}
	fn(d)
	return true
}

// iterateSpan walks from lo to hi (up or down) by 1 or by one day.
func iterateSpan(ev *evaluator, lo, hi Value, loIncl, hiIncl bool, fn func(Value) bool) bool {
	switch a := lo.(type) {
	case Number:
		b, ok := hi.(Number)
		if !ok || !a.IsInt() || !b.IsInt() {
			return false
		}
		stepN := Int(1)
		if a.Cmp(b) > 0 {
			stepN = Int(-1)
		}
		x := a
		if !loIncl {
			x = x.Add(stepN)
		}
		for {
			c := x.Cmp(b) * stepN.Sign()
			if c > 0 || (c == 0 && !hiIncl) {
				return true
			}
			ev.step()
			if !fn(x) {
				return true
			}
			x = x.Add(stepN)
		}
	case Date:
		b, ok := hi.(Date)
		if !ok {
			return false
		}
		from, to := a.epochDay(), b.epochDay()
		step := int64(1)
		if from > to {
			step = -1
		}
		if !loIncl {
			from += step
		}
		for d := from; (d-to)*step < 0 || (d == to && hiIncl); d += step {
			ev.step()
			if !fn(civilFromDays(d)) {
				return true
			}
		}
		return true
	}
	return false
}

func (n *forExpr) eval(ev *evaluator, sc *scope) Value {
	results := []Value{}
	failed := false
	var loop func(i int, sc *scope)
	loop = func(i int, sc *scope) {
		if i == len(n.iters) {
			results = append(results, n.ret.eval(ev, sc.With("partial", results)))
			return
		}
		it := n.iters[i]
		if !iterate(ev, it, sc, func(v Value) bool {
			loop(i+1, sc.With(it.name, v))
			return !failed
		}) {
			failed = true
		}
	}
	loop(0, sc)
	if failed {
		return nil
	}
	return results
}

func (n *quantified) eval(ev *evaluator, sc *scope) Value {
	found := false
	failed := false
	var loop func(i int, sc *scope) bool // false: stop
	loop = func(i int, sc *scope) bool {
		if i == len(n.iters) {
			r := n.satisfies.eval(ev, sc) == true
			if r != n.every {
				found = true
				return false
			}
			return true
		}
		it := n.iters[i]
		cont := true
		if !iterate(ev, it, sc, func(v Value) bool {
			cont = loop(i+1, sc.With(it.name, v))
			return cont
		}) {
			failed = true
			return false
		}
		return cont
	}
	loop(0, sc)
	if failed {
		return nil
	}
	if n.every {
		return !found
	}
	return found
}

// walk visits n and its sub-expressions depth first while visit returns true.
func walk(n node, visit func(node) bool) {
	if n == nil || !visit(n) {
		return
	}
	switch v := n.(type) {
	case *negation:
		walk(v.x, visit)
	case *binary:
		walk(v.l, visit)
		walk(v.r, visit)
	case *between:
		walk(v.x, visit)
		walk(v.lo, visit)
		walk(v.hi, visit)
	case *inTest:
		walk(v.x, visit)
		for _, t := range v.tests {
			walk(t, visit)
		}
	case *instanceOf:
		walk(v.x, visit)
	case *ifExpr:
		walk(v.cond, visit)
		walk(v.then, visit)
		walk(v.els, visit)
	case *forExpr:
		for _, it := range v.iters {
			walk(it.domain, visit)
			walk(it.hi, visit)
		}
		walk(v.ret, visit)
	case *quantified:
		for _, it := range v.iters {
			walk(it.domain, visit)
			walk(it.hi, visit)
		}
		walk(v.satisfies, visit)
	case *listLit:
		for _, it := range v.items {
			walk(it, visit)
		}
	case *contextLit:
		for _, e := range v.entries {
			walk(e.val, visit)
		}
	case *rangeLit:
		walk(v.start, visit)
		walk(v.end, visit)
	case *unaryCmp:
		walk(v.x, visit)
	case *funcDef:
		walk(v.body, visit)
	case *call:
		walk(v.fn, visit)
		for _, a := range v.args {
			walk(a, visit)
		}
		for _, a := range v.named {
			walk(a.val, visit)
		}
	case *filter:
		walk(v.x, visit)
		walk(v.cond, visit)
	case *path:
		walk(v.x, visit)
	case *listTests:
		for _, t := range v.tests {
			walk(t, visit)
		}
	case *notTests:
		for _, t := range v.tests {
			walk(t, visit)
		}
	}
}
