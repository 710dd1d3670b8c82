package calendar

import (
	"math/bits"
	"sort"
)

// table is a calendar's working days as a bitmap over the whole years that
// hold listed days, with a running count of working days per 64-day word
// (rank/select), so that "the Nth working day after D" and "working days
// between two dates" cost a binary search over a few hundred words and a
// popcount, whatever N is. Outside [lo, hi) only the weekday rule applies and
// both questions are answered by formula. A table is immutable once built.
type table struct {
	lo, hi int      // day numbers covered, [lo, hi); lo == hi when empty
	bits   []uint64 // bit i set: day lo+i is a working day
	rank   []int    // rank[k]: working days before day lo+64k, counted as before()
}

// newTable builds the table for days [lo, hi): base decides each day, then
// the listed days in own override it.
func newTable(lo, hi int, base *table, own map[int]Day) table {
	if hi <= lo {
		return table{}
	}
	t := table{lo: lo, hi: hi, bits: make([]uint64, (hi-lo+63)/64)}
	for n := lo; n < hi; n++ {
		if base.isWork(n) {
			t.set(n, true)
		}
	}
	for n, d := range own {
		t.set(n, d.Kind == Workday)
	}
	// Below lo only the weekday rule applies, so the count there is
	// weekdaysBefore(lo); continuing from it keeps before() monotone.
	t.rank = make([]int, len(t.bits)+1)
	t.rank[0] = weekdaysBefore(lo)
	for k, w := range t.bits {
		t.rank[k+1] = t.rank[k] + bits.OnesCount64(w)
	}
	return t
}

// set marks day n (within [lo, hi)) as a working day or a day off.
func (t *table) set(n int, work bool) {
	i := n - t.lo
	if work {
		t.bits[i>>6] |= 1 << (i & 63)
	} else {
		t.bits[i>>6] &^= 1 << (i & 63)
	}
}

// isWork reports whether day n is a working day.
func (t *table) isWork(n int) bool {
	if n < t.lo || n >= t.hi {
		return !isWeekend(n)
	}
	i := n - t.lo
	return t.bits[i>>6]&(1<<(i&63)) != 0
}

// before returns the rank of day n: the number of working days before it,
// from a fixed origin. before(b)-before(a) counts working days in [a, b).
func (t *table) before(n int) int {
	switch {
	case len(t.bits) == 0 || n <= t.lo:
		return weekdaysBefore(n)
	case n >= t.hi:
		return t.rank[len(t.bits)] + weekdaysBefore(n) - weekdaysBefore(t.hi)
	}
	i := n - t.lo
	return t.rank[i>>6] + bits.OnesCount64(t.bits[i>>6]&(1<<(i&63)-1))
}

// nth returns the working day of rank r: the working day n with
// before(n) == r.
func (t *table) nth(r int) int {
	if len(t.bits) == 0 || r < t.rank[0] {
		return nthWeekday(r)
	}
	if top := t.rank[len(t.bits)]; r >= top {
		return nthWeekday(r - top + weekdaysBefore(t.hi))
	}
	// The last word whose running count is <= r holds the day.
	k := sort.Search(len(t.rank), func(k int) bool { return t.rank[k] > r }) - 1
	return t.lo + 64*k + selectBit(t.bits[k], r-t.rank[k])
}

// selectBit returns the position of the j-th (0-based) set bit of w.
func selectBit(w uint64, j int) int {
	for b := 0; b < 64; b += 8 {
		c := bits.OnesCount8(uint8(w >> b))
		if j < c {
			w >>= b
			for ; j > 0; j-- {
				w &= w - 1
			}
			return b + bits.TrailingZeros64(w)
		}
		j -= c
	}
	panic("calendar: selectBit out of range")
}
