package feel

// Back-references (\1 … \99) of XPath regular expressions, which RE2 has not. A pattern that
// uses one is translated as any other, each back-reference becoming a marker character of
// Unicode's last private use plane, parsed by regexp/syntax and run by a small backtracking
// matcher over the parsed pattern. Patterns without back-references keep Go's linear-time
// engine; this one is bounded by a number of steps instead, so that a pattern written to
// backtrack for ever gives an error, not a held worker.

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// backrefBase is the marker of back-reference n: backrefBase + n (U+10FE01 for \1).
const backrefBase = 0x10FE00

// maxBacktrackSteps bounds one search of a pattern with back-references.
const maxBacktrackSteps = 200_000

// errBacktrackLimit is the error of a search that took more than maxBacktrackSteps.
var errBacktrackLimit = errors.New("the pattern with back-references needs more than 200000 steps on this input")

// xpathRegexp is a compiled XPath pattern: Go's regexp, or the backtracking matcher when the
// pattern has back-references.
type xpathRegexp interface {
	match(s string) (bool, error)
	// replace replaces every match in s by rep, a template in Go's syntax (${1}, $$) as
	// translateReplacement writes it, or by rep as it is when literal.
	replace(s, rep string, literal bool) (string, error)
	split(s string) ([]string, error)
	numSubexp() int
}

// re2 is a pattern Go's regexp runs.
type re2 struct{ re *regexp.Regexp }

func (r re2) match(s string) (bool, error) { return r.re.MatchString(s), nil }
func (r re2) split(s string) ([]string, error) {
	return r.re.Split(s, -1), nil
}
func (r re2) numSubexp() int { return r.re.NumSubexp() }
func (r re2) replace(s, rep string, literal bool) (string, error) {
	if literal {
		return r.re.ReplaceAllLiteralString(s, rep), nil
	}
	return r.re.ReplaceAllString(s, rep), nil
}

// backtrack is a pattern with back-references.
type backtrack struct {
	prog *syntax.Regexp
	ncap int
}

func compileBacktrack(src string) (*backtrack, error) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	re = re.Simplify()
	if markerInClass(re) {
		// The parser merges single characters of an alternation (\1|a) into a class, where a
		// marker would stand for itself.
		return nil, errors.New("a back-reference as a single-character alternative is not supported")
	}
	return &backtrack{prog: re, ncap: re.MaxCap()}, nil
}

func markerInClass(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCharClass {
		for i := 0; i+1 < len(re.Rune); i += 2 {
			// A merged marker is a range of markers only; a wide range ([^a]) is a class.
			if re.Rune[i] > backrefBase && re.Rune[i+1] <= backrefBase+255 {
				return true
			}
		}
	}
	for _, sub := range re.Sub {
		if markerInClass(sub) {
			return true
		}
	}
	return false
}

func (b *backtrack) numSubexp() int { return b.ncap }

func (b *backtrack) match(s string) (bool, error) {
	r := b.run(s)
	for p := 0; p <= len(r.in); p++ {
		if r.matchAt(b.prog, p) {
			return true, nil
		}
		if r.err != nil {
			return false, r.err
		}
	}
	return false, nil
}

// findAll returns the byte offsets of every match and its groups (-1 for a group that took
// no part), leftmost first, as Go's FindAllStringSubmatchIndex does.
func (b *backtrack) findAll(s string) ([][]int, error) {
	r := b.run(s)
	offs := make([]int, 0, len(r.in)+1)
	for i := range s {
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	var out [][]int
	for start := 0; start <= len(r.in); {
		at := -1
		for p := start; p <= len(r.in); p++ {
			if r.matchAt(b.prog, p) {
				at = p
				break
			}
			if r.err != nil {
				return nil, r.err
			}
		}
		if at < 0 {
			break
		}
		m := make([]int, len(r.caps))
		for i, c := range r.caps {
			m[i] = -1
			if c >= 0 {
				m[i] = offs[c]
			}
		}
		out = append(out, m)
		start = r.caps[1]
		if r.caps[1] == r.caps[0] {
			start++
		}
	}
	return out, nil
}

func (b *backtrack) replace(s, rep string, literal bool) (string, error) {
	ms, err := b.findAll(s)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	last := 0
	for _, m := range ms {
		out.WriteString(s[last:m[0]])
		if literal {
			out.WriteString(rep)
		} else {
			expandTemplate(&out, rep, s, m)
		}
		last = m[1]
	}
	out.WriteString(s[last:])
	return out.String(), nil
}

func (b *backtrack) split(s string) ([]string, error) {
	ms, err := b.findAll(s)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ms)+1)
	last := 0
	for _, m := range ms {
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	return append(out, s[last:]), nil
}

// expandTemplate writes template rep (${n} for group n, $$ for $) with match m of s.
func expandTemplate(out *strings.Builder, rep, s string, m []int) {
	for i := 0; i < len(rep); i++ {
		if rep[i] != '$' || i+1 >= len(rep) {
			out.WriteByte(rep[i])
			continue
		}
		if rep[i+1] == '$' {
			out.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(rep[i:], '}')
		if rep[i+1] != '{' || end < 0 {
			out.WriteByte(rep[i])
			continue
		}
		n := atoiSafe(rep[i+2 : i+end])
		if 2*n+1 < len(m) && m[2*n] >= 0 {
			out.WriteString(s[m[2*n]:m[2*n+1]])
		}
		i += end
	}
}

// btRun is one search: the input as characters, the groups' character offsets and the steps
// taken so far.
type btRun struct {
	in    []rune
	caps  []int
	steps int
	err   error
}

func (b *backtrack) run(s string) *btRun {
	return &btRun{in: []rune(s), caps: make([]int, 2*(b.ncap+1))}
}

// matchAt tries a match starting at p; on success caps holds it.
func (r *btRun) matchAt(prog *syntax.Regexp, p int) bool {
	for i := range r.caps {
		r.caps[i] = -1
	}
	return r.match(prog, p, func(end int) bool {
		r.caps[0], r.caps[1] = p, end
		return true
	})
}

// match matches re at i and calls k with each end in the pattern's order of preference until
// k accepts one.
func (r *btRun) match(re *syntax.Regexp, i int, k func(int) bool) bool {
	if r.err != nil {
		return false
	}
	if r.steps++; r.steps > maxBacktrackSteps {
		r.err = errBacktrackLimit
		return false
	}
	switch re.Op {
	case syntax.OpEmptyMatch:
		return k(i)
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for _, c := range re.Rune {
			if c > backrefBase && c < backrefBase+256 {
				var ok bool
				if i, ok = r.backref(int(c-backrefBase), i, fold); !ok {
					return false
				}
				continue
			}
			if i >= len(r.in) || !sameRune(r.in[i], c, fold) {
				return false
			}
			i++
		}
		return k(i)
	case syntax.OpCharClass:
		return i < len(r.in) && inRanges(re.Rune, r.in[i]) && k(i+1)
	case syntax.OpAnyCharNotNL:
		return i < len(r.in) && r.in[i] != '\n' && k(i+1)
	case syntax.OpAnyChar:
		return i < len(r.in) && k(i+1)
	case syntax.OpBeginLine:
		return (i == 0 || r.in[i-1] == '\n') && k(i)
	case syntax.OpEndLine:
		return (i == len(r.in) || r.in[i] == '\n') && k(i)
	case syntax.OpBeginText:
		return i == 0 && k(i)
	case syntax.OpEndText:
		return i == len(r.in) && k(i)
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		at := (i > 0 && isWordRune(r.in[i-1])) != (i < len(r.in) && isWordRune(r.in[i]))
		return at == (re.Op == syntax.OpWordBoundary) && k(i)
	case syntax.OpCapture:
		n := re.Cap
		oldStart, oldEnd := r.caps[2*n], r.caps[2*n+1]
		if r.match(re.Sub[0], i, func(j int) bool {
			ps, pe := r.caps[2*n], r.caps[2*n+1]
			r.caps[2*n], r.caps[2*n+1] = i, j
			if k(j) {
				return true
			}
			r.caps[2*n], r.caps[2*n+1] = ps, pe
			return false
		}) {
			return true
		}
		r.caps[2*n], r.caps[2*n+1] = oldStart, oldEnd
		return false
	case syntax.OpConcat:
		return r.concat(re.Sub, i, k)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if r.match(s, i, k) {
				return true
			}
		}
		return false
	case syntax.OpStar:
		return r.repeat(re.Sub[0], i, 0, 0, -1, re.Flags&syntax.NonGreedy != 0, k)
	case syntax.OpPlus:
		return r.repeat(re.Sub[0], i, 0, 1, -1, re.Flags&syntax.NonGreedy != 0, k)
	case syntax.OpQuest:
		return r.repeat(re.Sub[0], i, 0, 0, 1, re.Flags&syntax.NonGreedy != 0, k)
	case syntax.OpRepeat:
		return r.repeat(re.Sub[0], i, 0, re.Min, re.Max, re.Flags&syntax.NonGreedy != 0, k)
	}
	return false // OpNoMatch
}

func (r *btRun) concat(subs []*syntax.Regexp, i int, k func(int) bool) bool {
	if len(subs) == 0 {
		return k(i)
	}
	return r.match(subs[0], i, func(j int) bool { return r.concat(subs[1:], j, k) })
}

// repeat matches sub at least min and at most max (-1: no limit) times, n done so far,
// greedy or lazy. An iteration that matches nothing once min is reached cannot help and is
// not taken, so that (a*)* ends.
func (r *btRun) repeat(sub *syntax.Regexp, i, n, min, max int, lazy bool, k func(int) bool) bool {
	more := func() bool {
		if max >= 0 && n >= max {
			return false
		}
		return r.match(sub, i, func(j int) bool {
			if j == i && n >= min {
				return false
			}
			return r.repeat(sub, j, n+1, min, max, lazy, k)
		})
	}
	switch {
	case n < min:
		return more()
	case lazy:
		return k(i) || more()
	}
	return more() || k(i)
}

// backref matches what group n matched at i; a group that took no part matches the empty
// string, as XPath says.
func (r *btRun) backref(n, i int, fold bool) (int, bool) {
	if 2*n+1 >= len(r.caps) || r.caps[2*n] < 0 {
		return i, true
	}
	for _, c := range r.in[r.caps[2*n]:r.caps[2*n+1]] {
		if i >= len(r.in) || !sameRune(r.in[i], c, fold) {
			return i, false
		}
		i++
	}
	return i, true
}

func sameRune(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	for f := unicode.SimpleFold(b); f != b; f = unicode.SimpleFold(f) {
		if f == a {
			return true
		}
	}
	return false
}

func inRanges(ranges []rune, c rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if c >= ranges[i] && c <= ranges[i+1] {
			return true
		}
	}
	return false
}

func isWordRune(c rune) bool {
	return c < utf8.RuneSelf && (c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}
