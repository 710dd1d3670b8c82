package feel

// The range functions of DMN 1.5 (10.3.4.9): before, after, meets, met by, overlaps,
// overlaps before, overlaps after, finishes, finished by, includes, during, starts, started by,
// coincides. Each takes points or ranges; an open end of a range ("< 10") is infinite.

// bound is a range end point or a point; inf is -1 or +1 for an open end.
type bound struct {
	v   Value
	inf int
}

// rcmp compares bounds, recording in bad when the values cannot be compared.
type rcmp struct{ bad bool }

func (r *rcmp) cmp(a, b bound) int {
	if a.inf != 0 || b.inf != 0 {
		return a.inf - b.inf // both infinite on the same side compare equal
	}
	c, ok := compare(a.v, b.v)
	if !ok {
		r.bad = true
	}
	return c
}

type span struct {
	s, e     bound
	sIn, eIn bool
	isRange  bool
}

func spanOf(v Value) (span, bool) {
	switch x := v.(type) {
	case nil:
		return span{}, false
	case *Range:
		sp := span{s: bound{x.Start, 0}, e: bound{x.End, 0}, sIn: x.StartIncl, eIn: x.EndIncl, isRange: true}
		if x.StartOpen {
			sp.s = bound{inf: -1}
		}
		if x.EndOpen {
			sp.e = bound{inf: 1}
		}
		return sp, true
	}
	if _, ok := compare(v, v); !ok {
		return span{}, false
	}
	return span{s: bound{v, 0}, e: bound{v, 0}, sIn: true, eIn: true}, true
}

type rangeRel func(r *rcmp, a, b span) bool

func rangeFn(rel rangeRel, names ...[2]string) []sig {
	fn := func(c *bcall, args []Value) Value {
		a, ok1 := spanOf(args[0])
		b, ok2 := spanOf(args[1])
		if !ok1 || !ok2 {
			return c.fail("the arguments must be points or ranges")
		}
		var r rcmp
		res := rel(&r, a, b)
		if r.bad {
			return c.fail("the arguments cannot be compared")
		}
		return res
	}
	sigs := make([]sig, len(names))
	for i, n := range names {
		sigs[i] = sig{params: []string{n[0], n[1]}, fn: fn}
	}
	return sigs
}

var (
	pointPoint = [2]string{"point1", "point2"}
	pointRange = [2]string{"point", "range"}
	rangePoint = [2]string{"range", "point"}
	rangeRange = [2]string{"range1", "range2"}
)

func before(r *rcmp, a, b span) bool {
	c := r.cmp(a.e, b.s)
	return c < 0 || (c == 0 && (!a.eIn || !b.sIn))
}

func meets(r *rcmp, a, b span) bool {
	return a.isRange && b.isRange && a.eIn && b.sIn && r.cmp(a.e, b.s) == 0
}

func overlaps(r *rcmp, a, b span) bool {
	c1 := r.cmp(a.e, b.s)
	c2 := r.cmp(a.s, b.e)
	return (c1 > 0 || (c1 == 0 && a.eIn && b.sIn)) && (c2 < 0 || (c2 == 0 && a.sIn && b.eIn))
}

func overlapsBefore(r *rcmp, a, b span) bool {
	c1 := r.cmp(a.s, b.s)
	c3 := r.cmp(a.e, b.e)
	return (c1 < 0 || (c1 == 0 && a.sIn && !b.sIn)) && overlapsEnd(r, a, b) &&
		(c3 < 0 || (c3 == 0 && (!a.eIn || b.eIn)))
}

func overlapsEnd(r *rcmp, a, b span) bool {
	c := r.cmp(a.e, b.s)
	return c > 0 || (c == 0 && a.eIn && b.sIn)
}

func finishes(r *rcmp, a, b span) bool {
	if !a.isRange {
		return b.eIn && r.cmp(b.e, a.s) == 0
	}
	c := r.cmp(a.s, b.s)
	return a.eIn == b.eIn && r.cmp(a.e, b.e) == 0 && (c > 0 || (c == 0 && (!a.sIn || b.sIn)))
}

func includes(r *rcmp, a, b span) bool {
	if !b.isRange {
		cs, ce := r.cmp(a.s, b.s), r.cmp(a.e, b.s)
		return (cs < 0 && ce > 0) || (cs == 0 && a.sIn) || (ce == 0 && a.eIn)
	}
	cs, ce := r.cmp(a.s, b.s), r.cmp(a.e, b.e)
	return (cs < 0 || (cs == 0 && (a.sIn || !b.sIn))) && (ce > 0 || (ce == 0 && (a.eIn || !b.eIn)))
}

func starts(r *rcmp, a, b span) bool {
	if !a.isRange {
		return b.sIn && r.cmp(b.s, a.s) == 0
	}
	c := r.cmp(a.e, b.e)
	return r.cmp(a.s, b.s) == 0 && a.sIn == b.sIn && (c < 0 || (c == 0 && (!a.eIn || b.eIn)))
}

func flip(rel rangeRel) rangeRel { return func(r *rcmp, a, b span) bool { return rel(r, b, a) } }

func registerRanges(reg func(string, ...sig)) {
	all := [][2]string{pointPoint, pointRange, rangePoint, rangeRange}
	reg("before", rangeFn(before, all...)...)
	reg("after", rangeFn(flip(before), all...)...)
	reg("meets", rangeFn(meets, rangeRange)...)
	reg("met by", rangeFn(flip(meets), rangeRange)...)
	reg("overlaps", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && b.isRange && overlaps(r, a, b) }, rangeRange)...)
	reg("overlaps before", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && b.isRange && overlapsBefore(r, a, b) }, rangeRange)...)
	reg("overlaps after", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && b.isRange && overlapsBefore(r, b, a) }, rangeRange)...)
	reg("finishes", rangeFn(func(r *rcmp, a, b span) bool { return b.isRange && finishes(r, a, b) }, pointRange, rangeRange)...)
	reg("finished by", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && finishes(r, b, a) }, rangePoint, rangeRange)...)
	reg("includes", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && includes(r, a, b) }, rangePoint, rangeRange)...)
	reg("during", rangeFn(func(r *rcmp, a, b span) bool { return b.isRange && includes(r, b, a) }, pointRange, rangeRange)...)
	reg("starts", rangeFn(func(r *rcmp, a, b span) bool { return b.isRange && starts(r, a, b) }, pointRange, rangeRange)...)
	reg("started by", rangeFn(func(r *rcmp, a, b span) bool { return a.isRange && starts(r, b, a) }, rangePoint, rangeRange)...)
	reg("coincides", rangeFn(func(r *rcmp, a, b span) bool {
		if a.isRange != b.isRange {
			return false
		}
		return r.cmp(a.s, b.s) == 0 && r.cmp(a.e, b.e) == 0 && a.sIn == b.sIn && a.eIn == b.eIn
	}, pointPoint, rangeRange)...)
	reg("range", sig{params: []string{"from"}, fn: rangeFromString})
}

// rangeFromString is range(from): a range written as a string ("[1..10)", ">= 5"), whose end
// points must be literals.
func rangeFromString(c *bcall, a []Value) Value {
	s, ok := a[0].(string)
	if !ok {
		return c.fail("from must be a string")
	}
	p, serr := newParser(s, nil)
	if serr != nil {
		return c.fail("%q is not a range: %v", s, serr)
	}
	n, serr := p.run(p.positiveTest)
	if serr != nil {
		return c.fail("%q is not a range: %v", s, serr)
	}
	switch r := n.(type) {
	case *rangeLit:
		if !literalEnd(r.start) || !literalEnd(r.end) {
			return c.fail("the end points of %q must be literals", s)
		}
	default:
		return c.fail("%q is not a range", s)
	}
	v := n.eval(c.ev, NewScope(nil))
	r, ok := v.(*Range)
	if !ok {
		return c.fail("%q is not a range", s)
	}
	if !r.StartOpen && !r.EndOpen {
		if cmp, _ := compare(r.Start, r.End); cmp > 0 {
			return c.fail("%q starts after its end", s)
		}
	}
	return v
}

// literalEnd reports whether a range end point is a literal (or a date/time/duration
// conversion of a literal string).
func literalEnd(n node) bool {
	switch x := n.(type) {
	case nil, *literal:
		return true
	case *call:
		switch x.name {
		case "date", "time", "date and time", "duration":
			return len(x.args) == 1 && literalEnd(x.args[0])
		}
	}
	return false
}
