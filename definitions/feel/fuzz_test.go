package feel

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary text to the parser (and what parses to the evaluator, with small
// limits): nothing may panic, a syntax error must point inside the text, and an evaluation
// may stop at a limit but never on an internal error.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 1m ./definitions/feel
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"1 + 2 * 3", `"a" + "b"`, "[1, 2, 3][item > 1]", "{a: 1, b: a + 1}.b",
		"for i in 1..3 return i * partial[-1]", "some x in [1, 2] satisfies x > 1",
		"if x > 1 then \"big\" else \"small\"", "5 in [1..10)", "x between 1 and 10",
		`date and time("2020-01-01T10:00:00@Europe/Paris") + duration("P1D")`,
		"function(a: number, b) a + b", "f(a: 1, b: 2)", `@"P1Y2M"`, "not(true)",
		"[1..2] instance of range<number>", `matches("abc", "[a-z-[b]]+", "i")`,
		"< 10, > 20", "-", "not(1, 2)", "? > 5", "// comment\n1", "/* c */ 2",
		`{f: function(n) if n <= 1 then 1 else n * f(n - 1)}.f(10)`,
		`replace("a.b", "\.", "$0$0")`, "sort([3, 1], function(a, b) a < b)",
		`context put({a: {b: 1}}, ["a", "c"], 2)`, `range("[1..3]")`, "10 ** 100",
		`matches("aA", "(a)\1", "i")`, `replace("aabb", "(\w)\1+?", "[$1]")`, `split("1xx2", "(x)\1")`,
		`matches("abab", "^(?:(a)|b)*\1$")`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !utf8.ValidString(src) || len(src) > 2000 {
			return
		}
		checkSyntaxError := func(err error) {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a SyntaxError", src, err)
			}
			lines := 1
			for _, r := range src {
				if r == '\n' {
					lines++
				}
			}
			if se.Line < 1 || se.Line > lines || se.Column < 1 || se.Column > utf8.RuneCountInString(src)+1 {
				t.Fatalf("%q: error at %d:%d is outside the text", src, se.Line, se.Column)
			}
		}
		e, err := Parse(src, "x", "y z")
		if err != nil {
			checkSyntaxError(err)
		} else {
			s := &Session{MaxSteps: 20000, MaxDepth: 50}
			vars := NewScope(ContextOf("x", Int(3), "y z", []Value{Int(1), "a", nil}))
			if _, err := s.Eval(e, vars); err != nil && !errors.Is(err, ErrStepLimit) &&
				!errors.Is(err, ErrDepthLimit) && !errors.Is(err, ErrSizeLimit) {
				t.Fatalf("%q: %v", src, err)
			}
		}
		if u, err := ParseUnaryTests(src); err != nil {
			checkSyntaxError(err)
		} else {
			s := &Session{MaxSteps: 20000, MaxDepth: 50}
			if _, err := s.Guard(func() Value { return s.Match(u, Int(5), nil) }); err != nil &&
				!errors.Is(err, ErrStepLimit) && !errors.Is(err, ErrDepthLimit) && !errors.Is(err, ErrSizeLimit) {
				t.Fatalf("unary tests %q: %v", src, err)
			}
		}
	})
}
