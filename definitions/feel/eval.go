package feel

import "strings"

func (n *literal) eval(ev *evaluator, sc *scope) Value { return n.val }

func (n *nameRef) eval(ev *evaluator, sc *scope) Value {
	if v, ok := sc.Lookup(n.name); ok {
		return v
	}
	if f := builtinFunction(n.name); f != nil {
		return f
	}
	// A known name with dots ("Person.Gender", declared as a parameter elsewhere) may here be
	// a path into a variable.
	for i := strings.LastIndex(n.name, "."); i > 0; i = strings.LastIndex(n.name[:i], ".") {
		if v, ok := sc.Lookup(strings.TrimSpace(n.name[:i])); ok {
			for _, key := range strings.Split(n.name[i+1:], ".") {
				v = pathOf(ev, n.pos, v, strings.TrimSpace(key))
			}
			return v
		}
	}
	ev.note(n.pos, "no variable %q", n.name)
	return nil
}

func (n *negation) eval(ev *evaluator, sc *scope) Value {
	switch x := n.x.eval(ev, sc).(type) {
	case Number:
		return x.Neg()
	case DaysDuration:
		return x.neg()
	case MonthsDuration:
		return -x
	case nil:
		return nil
	default:
		ev.note(n.pos, "cannot negate a %s", TypeName(x))
		return nil
	}
}

func (n *binary) eval(ev *evaluator, sc *scope) Value {
	switch n.op {
	case "and":
		l := n.l.eval(ev, sc)
		if l == false {
			return false
		}
		r := n.r.eval(ev, sc)
		if r == false {
			return false
		}
		if l == true && r == true {
			return true
		}
		return nil
	case "or":
		l := n.l.eval(ev, sc)
		if l == true {
			return true
		}
		r := n.r.eval(ev, sc)
		if r == true {
			return true
		}
		if l == false && r == false {
			return false
		}
		return nil
	}
	l, r := n.l.eval(ev, sc), n.r.eval(ev, sc)
	switch n.op {
	case "=":
		return Equal(l, r)
	case "!=":
		e := Equal(l, r)
		if b, ok := e.(bool); ok {
			return !b
		}
		return nil
	case "<", "<=", ">", ">=":
		return compareOp(ev, n.pos, n.op, l, r)
	}
	if ls, ok := l.(string); ok && n.op == "+" {
		if rs, ok := r.(string); ok {
			ev.checkSize(len(ls) + len(rs))
		}
	}
	v := arith(n.op, l, r)
	if x, ok := v.(Number); ok && !x.InRange() {
		ev.note(n.pos, "%s: the result is out of the range of numbers", n.op)
		return nil
	}
	if v == nil && l != nil && r != nil {
		ev.note(n.pos, "cannot apply %s to a %s and a %s", n.op, TypeName(l), TypeName(r))
	}
	return v
}

// compareOp applies <, <=, > or >=; values of different kinds give null.
func compareOp(ev *evaluator, pos int, op string, l, r Value) Value {
	if l == nil || r == nil {
		return nil
	}
	c, ok := compare(l, r)
	if !ok {
		ev.note(pos, "cannot compare a %s with a %s", TypeName(l), TypeName(r))
		return nil
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func (n *between) eval(ev *evaluator, sc *scope) Value {
	x, lo, hi := n.x.eval(ev, sc), n.lo.eval(ev, sc), n.hi.eval(ev, sc)
	a := compareOp(ev, n.pos, ">=", x, lo)
	b := compareOp(ev, n.pos, "<=", x, hi)
	if a == false || b == false {
		return false
	}
	if a == true && b == true {
		return true
	}
	return nil
}

func (n *inTest) eval(ev *evaluator, sc *scope) Value {
	x := n.x.eval(ev, sc)
	return anyTestHolds(ev, n.tests, x, sc)
}

// anyTestHolds is the disjunction of positive unary tests against x.
func anyTestHolds(ev *evaluator, tests []node, x Value, sc *scope) Value {
	sawNull := false
	for _, t := range tests {
		switch testHolds(ev, t, x, sc) {
		case true:
			return true
		case nil:
			sawNull = true
		}
	}
	if sawNull {
		return nil
	}
	return false
}

// testHolds evaluates one positive unary test with x as its input "?".
func testHolds(ev *evaluator, t node, x Value, sc *scope) Value {
	if u, ok := t.(*unaryCmp); ok {
		v := u.x.eval(ev, sc.With("?", x))
		switch u.op {
		case "=":
			return Equal(x, v)
		case "!=":
			if e, ok := Equal(x, v).(bool); ok {
				return !e
			}
			return nil
		}
		return compareOp(ev, u.pos, u.op, x, v)
	}
	inner := sc.With("?", x)
	v := t.eval(ev, inner)
	if usesInput(t) {
		if b, ok := v.(bool); ok {
			return b
		}
		return nil
	}
	switch tv := v.(type) {
	case *Range:
		return tv.Contains(x)
	case []Value:
		for _, e := range tv {
			if Equal(x, e) == true {
				return true
			}
		}
		if xl, ok := x.([]Value); ok && Equal(xl, tv) == true {
			return true
		}
		return false
	case bool:
		if _, isBool := x.(bool); !isBool && x != nil {
			return tv
		}
	}
	return Equal(x, v)
}

// usesInput reports whether a test refers to "?" outside of nested function definitions.
func usesInput(n node) bool {
	found := false
	walk(n, func(m node) bool {
		if r, ok := m.(*nameRef); ok && r.name == "?" {
			found = true
		}
		_, isFunc := m.(*funcDef)
		return !found && !isFunc
	})
	return found
}

func (n *instanceOf) eval(ev *evaluator, sc *scope) Value {
	return conforms(ev, n.x.eval(ev, sc), n.typ)
}

func (n *ifExpr) eval(ev *evaluator, sc *scope) Value {
	if n.cond.eval(ev, sc) == true {
		return n.then.eval(ev, sc)
	}
	return n.els.eval(ev, sc)
}

func (n *listLit) eval(ev *evaluator, sc *scope) Value {
	out := make([]Value, len(n.items))
	for i, it := range n.items {
		out[i] = it.eval(ev, sc)
	}
	return out
}

func (n *contextLit) eval(ev *evaluator, sc *scope) Value {
	c := NewContext()
	inner := sc.WithContext(c)
	for _, e := range n.entries {
		c.Set(e.key, e.val.eval(ev, inner))
	}
	return c
}

func (n *rangeLit) eval(ev *evaluator, sc *scope) Value {
	r := &Range{StartIncl: n.startIncl, EndIncl: n.endIncl}
	if n.start != nil {
		r.Start = n.start.eval(ev, sc)
	}
	if n.end != nil {
		r.End = n.end.eval(ev, sc)
	}
	r.StartOpen, r.EndOpen = r.Start == nil, r.End == nil
	if r.StartOpen && r.EndOpen {
		ev.note(n.pos, "a range needs at least one end point")
		return nil
	}
	if !r.StartOpen && !r.EndOpen {
		if _, ok := compare(r.Start, r.End); !ok {
			ev.note(n.pos, "range end points of different kinds (%s and %s)", TypeName(r.Start), TypeName(r.End))
			return nil
		}
	} else if !rangeable(r.Start) || !rangeable(r.End) {
		return nil
	}
	return r
}

// rangeable reports whether v can be an end point of a range (nil: the open side).
func rangeable(v Value) bool {
	if v == nil {
		return true
	}
	_, ok := compare(v, v)
	return ok
}

func (n *unaryCmp) eval(ev *evaluator, sc *scope) Value {
	v := n.x.eval(ev, sc)
	switch n.op {
	case "=", "!=":
		if in, ok := sc.Lookup("?"); ok {
			return testHolds(ev, n, in, sc)
		}
	}
	if v == nil || !rangeable(v) {
		return nil
	}
	switch n.op {
	case "=":
		return &Range{Start: v, End: v, StartIncl: true, EndIncl: true}
	case "!=":
		ev.note(n.pos, "\"!=\" needs an input to compare with")
		return nil
	case "<":
		return &Range{StartOpen: true, End: v}
	case "<=":
		return &Range{StartOpen: true, End: v, EndIncl: true}
	case ">":
		return &Range{Start: v, EndOpen: true}
	}
	return &Range{Start: v, StartIncl: true, EndOpen: true}
}

func (n *listTests) eval(ev *evaluator, sc *scope) Value {
	in, _ := sc.Lookup("?")
	return anyTestHolds(ev, n.tests, in, sc)
}

func (n *notTests) eval(ev *evaluator, sc *scope) Value {
	in, _ := sc.Lookup("?")
	switch anyTestHolds(ev, n.tests, in, sc) {
	case true:
		return false
	case false:
		return true
	}
	return nil
}

func (n *anyTest) eval(ev *evaluator, sc *scope) Value { return true }

// matchTests evaluates the unary tests of a decision table cell against the input.
func matchTests(ev *evaluator, root node, input Value, sc *scope) Value {
	switch r := root.(type) {
	case *anyTest:
		return true
	case *listTests, *notTests:
		return r.eval(ev, sc.With("?", input))
	}
	return testHolds(ev, root, input, sc)
}

func (n *path) eval(ev *evaluator, sc *scope) Value {
	return pathOf(ev, n.pos, n.x.eval(ev, sc), n.key)
}

// pathOf selects key from a context (or from each context of a list), or a property of a date,
// time, duration or range.
func pathOf(ev *evaluator, pos int, x Value, key string) Value {
	switch v := x.(type) {
	case nil:
		return nil
	case *Context:
		r, ok := v.Get(key)
		if !ok {
			ev.note(pos, "no entry %q in the context", key)
		}
		return r
	case []Value:
		out := make([]Value, len(v))
		for i, e := range v {
			out[i] = pathOf(ev, pos, e, key)
		}
		return out
	}
	if p, ok := property(x, key); ok {
		return p
	}
	ev.note(pos, "a %s has no property %q", TypeName(x), key)
	return nil
}

func (n *filter) eval(ev *evaluator, sc *scope) Value {
	x := n.x.eval(ev, sc)
	if x == nil {
		return nil
	}
	list, isList := x.([]Value)
	if !isList {
		list = []Value{x}
	}
	if len(list) == 0 {
		if _, isNum := n.cond.eval(ev, sc).(Number); isNum {
			return nil
		}
		return []Value{}
	}
	out := []Value{}
	for i, e := range list {
		ev.step()
		inner := sc.With("item", e)
		if c, ok := e.(*Context); ok {
			inner = inner.WithContext(c) // an entry named "item" wins over the item itself
		}
		r := n.cond.eval(ev, inner)
		if i == 0 {
			if idx, ok := r.(Number); ok {
				return index(list, idx)
			}
		}
		if r == true {
			out = append(out, e)
		}
	}
	return out
}

// index returns list[i]: 1-based, negative counting from the end; null when out of range.
func index(list []Value, i Number) Value {
	k, ok := i.Int64()
	if !ok || k == 0 {
		return nil
	}
	if k < 0 {
		k += int64(len(list)) + 1
	}
	if k < 1 || k > int64(len(list)) {
		return nil
	}
	return list[k-1]
}
