package feel

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrorsNameTheColumn(t *testing.T) {
	cases := []struct {
		src     string
		line    int
		col     int
		message string
	}{
		{"1 +", 1, 4, "expected an expression"},
		{"(1 + 2", 1, 7, `expected ")"`},
		{"[1, 2", 1, 6, `expected "]"`},
		{`"abc`, 1, 1, "string not closed"},
		{"if x then 1", 1, 12, `expected "else"`},
		{"for i [1] return i", 1, 7, `expected "in"`},
		{"a ! b", 1, 3, `unexpected "!"`},
		{"! b", 1, 1, `unexpected character "!"`},
		{"{a: 1, a: 2}", 1, 8, `duplicate context key "a"`},
		{"x instance of", 1, 14, "expected a type"},
		{"1 +\n  * 2", 2, 3, "expected an expression"},
		{"/* open", 1, 1, "comment not closed"},
		{"f(a: 1, 2)", 1, 9, `expected a name, found number 2`},
		{`@"2020-13-45"`, 1, 1, "invalid date, time or duration literal"},
		{"[1..2", 1, 6, "to close the range"},
		{"1 2", 1, 3, "unexpected number 2"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SyntaxError", c.src, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.message) {
			t.Errorf("%q: %d:%d %q, want %d:%d containing %q", c.src, se.Line, se.Column, se.Msg, c.line, c.col, c.message)
		}
		if c.line == 1 && !strings.HasPrefix(err.Error(), "column ") {
			t.Errorf("%q: message %q does not start with the column", c.src, err.Error())
		}
	}
}

func TestParseDeepNestingIsRefused(t *testing.T) {
	src := strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)
	_, err := Parse(src)
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("err = %v", err)
	}
	if _, err := Parse(strings.Repeat("-", 5000) + "1"); err == nil {
		t.Error("5000 negations parsed")
	}
}

func TestCommentsAndEscapes(t *testing.T) {
	runCases(t, []feelCase{
		{"1 + // one\n 2", "3"},
		{"1 /* two */ + 2", "3"},
		{`"a\"b"`, `"a\"b"`},
		{`"tab\there"`, `"tab\there"`},
		{`"\u0041\u00e9"`, `"Aé"`},
		{`"\uD83D\uDC0E" = "\U01F40E"`, "true"},
		{`string length("\s")`, "2"},
	}, nil)
}

func TestKnownNamesNeedTheirSpacing(t *testing.T) {
	names := NewNames("Date-Time", "Loan.amount", "years of service")
	for _, c := range []struct {
		src  string
		want string // how the first name reads
	}{
		{"Date-Time", "Date-Time"},
		{"Date - Time", "Date"},
		{"years   of service", "years of service"},
		{"years of service + 1", "years of service"},
		{"Loan.amount", "Loan.amount"},
		{"Loan . amount", "Loan"},
	} {
		e, err := ParseIn(c.src, names)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		var first string
		walk(e.root, func(n node) bool {
			if r, ok := n.(*nameRef); ok && first == "" {
				first = r.name
			}
			return true
		})
		if first != c.want {
			t.Errorf("%q: first name %q, want %q", c.src, first, c.want)
		}
	}
}

func TestParseType(t *testing.T) {
	for src, want := range map[string]string{
		"number":        "number",
		"date and time": "date and time",
		"list<context<a: number, b: list<string>>>": "list<context<a: number, b: list<string>>>",
		"function<number, string> -> boolean":       "function<number, string> -> boolean",
		"range<date>":                               "range<date>",
		"myimport.tPerson":                          "myimport.tPerson",
	} {
		typ, err := ParseType(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if got := typ.String(); got != want {
			t.Errorf("%q parsed as %q", src, got)
		}
	}
	if _, err := ParseType("list<"); err == nil {
		t.Error(`"list<" parsed`)
	}
}
