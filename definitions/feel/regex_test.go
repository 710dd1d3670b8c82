package feel

import (
	"strings"
	"testing"
)

// Back-references, which Go's RE2 has not, run on the backtracking matcher: matches, replace
// and split agree with XPath (and with RE2 on everything else in the pattern).
func TestRegexBackReferences(t *testing.T) {
	runCases(t, []feelCase{
		{`matches("aA", "(a)\1", "i")`, "true"}, // the TCK's K2-MatchesFunc-17
		{`matches("aA", "(a)\1")`, "false"},
		{`matches("abab", "^(ab)\1$")`, "true"},
		{`matches("abba", "^(a)(b)\2\1$")`, "true"},
		{`matches("abbb", "^(a)(b)\2\1$")`, "false"},
		{`matches("xyzzy", "(.)\1")`, "true"},
		{`matches("xyz", "(.)\1")`, "false"},
		{`matches("aaaa", "^(a+)\1$")`, "true"},
		{`matches("aaa", "^(a+)\1$")`, "false"},
		{`matches("ab", "^(x)?a\1b$")`, "true"}, // a group that took no part matches ""
		{`matches("abcdefghijkk", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\11")`, "true"},
		{`matches("abcdefghija1", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\11")`, "true"}, // \1 then "1": no group 11
		{`matches("a.a", "(a)[^b]\1")`, "true"},
		{`matches("x
bb", "^(b)\1$", "m")`, "true"},
		{`matches("x
bb", "^(b)\1$")`, "false"},
		{`matches("aXa", "(a)\p{Lu}\1")`, "true"},
		{`matches("aa", "\1(a)")`, "null"}, // names no group before it
		{`replace("hello  world", "(\s)\1+", "$1")`, `"hello world"`},
		{`replace("aabbcc", "(\w)\1", "[$1]")`, `"[a][b][c]"`},
		{`replace("aabbcd", "(\w)\1", "\$")`, `"$$cd"`},
		{`split("1xx2yy3", "(\p{L})\1")`, `["1", "2", "3"]`},
		{`matches("a", "\1|a")`, "null"}, // a single-character alternative: refused, not wrong
	}, nil)
}

// A pattern with back-references written to backtrack for ever stops at its step limit with
// an error saying so, instead of holding the evaluation.
func TestRegexBackReferencesAreBounded(t *testing.T) {
	e, err := Parse(`matches("` + strings.Repeat("a", 40) + `b", "^((a*)*)\1c")`)
	if err != nil {
		t.Fatal(err)
	}
	s := new(Session)
	v, err := s.Eval(e, nil)
	if err != nil || v != nil {
		t.Fatalf("got %v, %v; want null", v, err)
	}
	if notes := strings.Join(s.Notes, "\n"); !strings.Contains(notes, "more than 200000 steps") {
		t.Errorf("notes %q do not name the step limit", notes)
	}
}
