package feel

import "sort"

// listFn registers a function whose first argument is a list (another value counts as a list
// of one; null gives null).
func listFn(params []string, optional int, fn func(c *bcall, l []Value, a []Value) Value) sig {
	return sig{params: params, optional: optional, fn: func(c *bcall, a []Value) Value {
		l, ok := listArg(a[0])
		if !ok {
			return c.fail("%s must be a list", params[0])
		}
		return fn(c, l, a)
	}}
}

// position resolves a 1-based (negative: from the end) position in a list of n items.
func position(v Value, n int) (int, bool) {
	p, ok := intArg(v)
	if !ok || p == 0 {
		return 0, false
	}
	if p < 0 {
		p += int64(n) + 1
	}
	if p < 1 || p > int64(n) {
		return 0, false
	}
	return int(p - 1), true
}

func registerLists(reg func(string, ...sig)) {
	reg("list contains", listFn([]string{"list", "element"}, 0, func(c *bcall, l, a []Value) Value {
		for _, e := range l {
			if Equal(e, a[1]) == true {
				return true
			}
		}
		return false
	}))
	reg("count", listFn([]string{"list"}, 0, func(c *bcall, l, a []Value) Value { return Int(int64(len(l))) }))
	reg("min", listOrVarargs(func(c *bcall, l []Value) Value { return extreme(c, l, -1) })...)
	reg("max", listOrVarargs(func(c *bcall, l []Value) Value { return extreme(c, l, 1) })...)
	reg("sum", listOrVarargs(func(c *bcall, l []Value) Value {
		ns, ok := numbers(c, l)
		if !ok || len(ns) == 0 {
			return nil
		}
		s := Number{}
		for _, n := range ns {
			s = s.Add(n)
		}
		return s
	})...)
	reg("product", listOrVarargs(func(c *bcall, l []Value) Value {
		ns, ok := numbers(c, l)
		if !ok || len(ns) == 0 {
			return nil
		}
		p := Int(1)
		for _, n := range ns {
			p = p.Mul(n)
		}
		return p
	})...)
	reg("mean", listOrVarargs(func(c *bcall, l []Value) Value {
		ns, ok := numbers(c, l)
		if !ok || len(ns) == 0 {
			return nil
		}
		return mean(ns)
	})...)
	reg("median", listOrVarargs(median)...)
	reg("stddev", listOrVarargs(stddev)...)
	reg("mode", listOrVarargs(mode)...)
	reg("all", listOrVarargs(func(c *bcall, l []Value) Value { return allAny(c, l, false) })...)
	reg("any", listOrVarargs(func(c *bcall, l []Value) Value { return allAny(c, l, true) })...)
	reg("sublist", listFn([]string{"list", "start position", "length"}, 1, func(c *bcall, l, a []Value) Value {
		start, ok := position(a[1], len(l))
		if !ok {
			return c.fail("start position out of range")
		}
		end := len(l)
		if len(a) > 2 && a[2] != nil {
			n, ok := intArg(a[2])
			if !ok || n < 0 || int64(start)+n > int64(len(l)) {
				return c.fail("length out of range")
			}
			end = start + int(n)
		}
		return append([]Value{}, l[start:end]...)
	}))
	reg("append", sig{params: []string{"list", "item"}, variadic: true, fn: func(c *bcall, a []Value) Value {
		l, ok := listArg(a[0])
		if !ok {
			return c.fail("list must be a list")
		}
		out := append([]Value{}, l...)
		return append(out, a[1].([]Value)...)
	}})
	reg("concatenate", sig{params: []string{"lists"}, variadic: true, fn: func(c *bcall, a []Value) Value {
		out := []Value{}
		for _, x := range a[0].([]Value) {
			l, ok := x.([]Value)
			if !ok {
				return c.fail("every argument must be a list, not a %s", TypeName(x))
			}
			out = append(out, l...)
		}
		return out
	}})
	reg("insert before", listFn([]string{"list", "position", "newItem"}, 0, func(c *bcall, l, a []Value) Value {
		p, ok := position(a[1], len(l))
		if !ok {
			return c.fail("position out of range")
		}
		out := append([]Value{}, l[:p]...)
		out = append(out, a[2])
		return append(out, l[p:]...)
	}))
	reg("remove", listFn([]string{"list", "position"}, 0, func(c *bcall, l, a []Value) Value {
		p, ok := position(a[1], len(l))
		if !ok {
			return c.fail("position out of range")
		}
		out := append([]Value{}, l[:p]...)
		return append(out, l[p+1:]...)
	}))
	reg("reverse", listFn([]string{"list"}, 0, func(c *bcall, l, a []Value) Value {
		out := make([]Value, len(l))
		for i, e := range l {
			out[len(l)-1-i] = e
		}
		return out
	}))
	reg("index of", listFn([]string{"list", "match"}, 0, func(c *bcall, l, a []Value) Value {
		out := []Value{}
		for i, e := range l {
			if Equal(e, a[1]) == true {
				out = append(out, Int(int64(i+1)))
			}
		}
		return out
	}))
	reg("union", sig{params: []string{"lists"}, variadic: true, fn: func(c *bcall, a []Value) Value {
		var all []Value
		for _, x := range a[0].([]Value) {
			l, ok := x.([]Value)
			if !ok {
				return c.fail("every argument must be a list, not a %s", TypeName(x))
			}
			all = append(all, l...)
		}
		return distinct(c.ev, all)
	}})
	reg("distinct values", listFn([]string{"list"}, 0, func(c *bcall, l, a []Value) Value { return distinct(c.ev, l) }))
	reg("flatten", listFn([]string{"list"}, 0, func(c *bcall, l, a []Value) Value { return flatten(c.ev, l, []Value{}) }))
	reg("list replace", listFn([]string{"list", "position", "newItem"}, 0, listReplace),
		listFn([]string{"list", "match", "newItem"}, 0, listReplace))
	reg("sort", listFn([]string{"list", "precedes"}, 1, sortList))
}

// distinct keeps the first of equal items; the comparisons count as steps.
func distinct(ev *evaluator, l []Value) []Value {
	out := []Value{}
	for _, e := range l {
		ev.work(len(out) + 1)
		dup := false
		for _, o := range out {
			if Equal(e, o) == true {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

// flatten appends the items of l and of its nested lists to out; a list may hold the same
// list many times, so every item counts as a step.
func flatten(ev *evaluator, l []Value, out []Value) []Value {
	for _, e := range l {
		ev.step()
		if sub, ok := e.([]Value); ok {
			out = flatten(ev, sub, out)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func numbers(c *bcall, l []Value) ([]Number, bool) {
	ns := make([]Number, len(l))
	for i, e := range l {
		n, ok := e.(Number)
		if !ok {
			c.fail("the items must be numbers, not a %s", TypeName(e))
			return nil, false
		}
		ns[i] = n
	}
	return ns, true
}

func mean(ns []Number) Number {
	s := Number{}
	for _, n := range ns {
		s = s.Add(n)
	}
	m, _ := s.Quo(Int(int64(len(ns))))
	return m
}

// extreme returns the least (dir -1) or greatest (dir 1) item; all must be comparable.
func extreme(c *bcall, l []Value, dir int) Value {
	if len(l) == 0 {
		return nil
	}
	best := l[0]
	for _, e := range l[1:] {
		cmp, ok := compare(e, best)
		if !ok {
			return c.fail("cannot compare a %s with a %s", TypeName(e), TypeName(best))
		}
		if cmp == dir {
			best = e
		}
	}
	if _, ok := compare(best, best); !ok {
		return c.fail("a %s has no order", TypeName(best))
	}
	return best
}

func sortedNumbers(c *bcall, l []Value) ([]Number, bool) {
	ns, ok := numbers(c, l)
	if !ok {
		return nil, false
	}
	sorted := append([]Number{}, ns...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Cmp(sorted[j]) < 0 })
	return sorted, true
}

func median(c *bcall, l []Value) Value {
	ns, ok := sortedNumbers(c, l)
	if !ok || len(ns) == 0 {
		return nil
	}
	if len(ns)%2 == 1 {
		return ns[len(ns)/2]
	}
	m, _ := ns[len(ns)/2-1].Add(ns[len(ns)/2]).Quo(Int(2))
	return m
}

func stddev(c *bcall, l []Value) Value {
	ns, ok := numbers(c, l)
	if !ok || len(ns) < 2 {
		return nil
	}
	m := mean(ns)
	ss := Number{}
	for _, n := range ns {
		d := n.Sub(m)
		ss = ss.Add(d.Mul(d))
	}
	v, _ := ss.Quo(Int(int64(len(ns) - 1)))
	r, _ := v.Sqrt()
	return r
}

func mode(c *bcall, l []Value) Value {
	ns, ok := sortedNumbers(c, l)
	if !ok {
		return nil
	}
	out := []Value{}
	best := 0
	for i := 0; i < len(ns); {
		j := i
		for j < len(ns) && ns[j].Cmp(ns[i]) == 0 {
			j++
		}
		switch n := j - i; {
		case n > best:
			best, out = n, []Value{ns[i]}
		case n == best:
			out = append(out, ns[i])
		}
		i = j
	}
	return out
}

// allAny is all() (or=false) and any() (or=true) with three-valued logic.
func allAny(c *bcall, l []Value, or bool) Value {
	sawNull := false
	for _, e := range l {
		b, ok := e.(bool)
		switch {
		case !ok && e != nil:
			return c.fail("the items must be booleans, not a %s", TypeName(e))
		case !ok:
			sawNull = true
		case b == or:
			return or
		}
	}
	if sawNull {
		return nil
	}
	return !or
}

func listReplace(c *bcall, l, a []Value) Value {
	out := append([]Value{}, l...)
	if f, ok := a[1].(*Function); ok {
		for i, e := range out {
			switch c.ev.call(c.pos, f, []Value{e, a[2]}) {
			case true:
				out[i] = a[2]
			case false:
			default:
				return c.fail("the match function must return true or false")
			}
		}
		return out
	}
	p, ok := position(a[1], len(l))
	if !ok {
		return c.fail("position out of range")
	}
	out[p] = a[2]
	return out
}

func sortList(c *bcall, l, a []Value) Value {
	out := append([]Value{}, l...)
	var f *Function
	if len(a) > 1 && a[1] != nil {
		var ok bool
		if f, ok = a[1].(*Function); !ok {
			return c.fail("precedes must be a function")
		}
	}
	failed := false
	sort.SliceStable(out, func(i, j int) bool {
		if failed {
			return false
		}
		if f == nil {
			cmp, ok := compare(out[i], out[j])
			if !ok {
				failed = true
			}
			return cmp < 0
		}
		r := c.ev.call(c.pos, f, []Value{out[i], out[j]})
		if _, ok := r.(bool); !ok {
			failed = true
		}
		return r == true
	})
	if failed {
		return c.fail("the items cannot be ordered")
	}
	return out
}
