package feel

import "sort"

// FreeNames returns the variables e reads from its scope, sorted: names it does not bind
// itself (for, some and every variables, function parameters, earlier context entries) and
// that are not built-in functions. Names inside filter conditions are left out: they may be
// entries of the filtered items. A path "a.b" reads a.
func (e *Expression) FreeNames() []string { return e.names(false) }

// Mentions returns every name e reads as a variable where it is not bound, filter conditions
// included, sorted: the variables an evaluation may need in its scope.
func (e *Expression) Mentions() []string { return e.names(true) }

func (e *Expression) names(all bool) []string {
	seen := map[string]bool{}
	freeNames(e.root, map[string]int{}, seen, all)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// freeNames adds to seen the names n reads that bound (a multiset of bound names) does not
// hold; with all, filter conditions count too.
func freeNames(n node, bound map[string]int, seen map[string]bool, all bool) {
	walk := func(ns ...node) {
		for _, x := range ns {
			if x != nil {
				freeNames(x, bound, seen, all)
			}
		}
	}
	bind := func(names []string, body func()) {
		for _, nm := range names {
			bound[nm]++
		}
		body()
		for _, nm := range names {
			bound[nm]--
		}
	}
	iterate := func(iters []iteration, last node) {
		var names []string
		for _, it := range iters {
			bind(names, func() { walk(it.domain, it.hi) })
			names = append(names, it.name)
		}
		bind(names, func() { walk(last) })
	}
	switch x := n.(type) {
	case *nameRef:
		if x.name != "?" && bound[x.name] == 0 && builtinFunction(x.name) == nil {
			seen[x.name] = true
		}
	case *negation:
		walk(x.x)
	case *binary:
		walk(x.l, x.r)
	case *between:
		walk(x.x, x.lo, x.hi)
	case *inTest:
		walk(x.x)
		walk(x.tests...)
	case *instanceOf:
		walk(x.x)
	case *ifExpr:
		walk(x.cond, x.then, x.els)
	case *listLit:
		walk(x.items...)
	case *contextLit:
		var keys []string
		for _, e := range x.entries {
			bind(keys, func() { walk(e.val) })
			keys = append(keys, e.key)
		}
	case *rangeLit:
		walk(x.start, x.end)
	case *unaryCmp:
		walk(x.x)
	case *listTests:
		walk(x.tests...)
	case *notTests:
		walk(x.tests...)
	case *path:
		walk(x.x)
	case *filter:
		walk(x.x)
		if all {
			walk(x.cond)
		}
	case *funcDef:
		names := make([]string, len(x.params))
		for i, p := range x.params {
			names[i] = p.name
		}
		bind(names, func() { walk(x.body) })
	case *call:
		walk(x.fn)
		walk(x.args...)
		for _, a := range x.named {
			walk(a.val)
		}
	case *forExpr:
		bind([]string{"partial"}, func() { iterate(x.iters, x.ret) })
	case *quantified:
		iterate(x.iters, x.satisfies)
	}
}
