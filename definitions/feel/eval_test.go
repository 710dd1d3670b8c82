package feel

import (
	"errors"
	"strings"
	"testing"
)

// feelCase is an expression and the FEEL text of its expected value ("null" for null).
type feelCase struct {
	src, want string
}

// evalText evaluates src with vars and renders the result as FEEL source.
func evalText(t *testing.T, src string, vars map[string]Value) string {
	t.Helper()
	v, err := Eval(src, vars)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return literalString(v)
}

func runCases(t *testing.T, cases []feelCase, vars map[string]Value) {
	t.Helper()
	for _, c := range cases {
		if got := evalText(t, c.src, vars); got != c.want {
			t.Errorf("%s = %s, want %s", c.src, got, c.want)
		}
	}
}

func TestNullAndThreeValuedLogic(t *testing.T) {
	runCases(t, []feelCase{
		{"true and true", "true"},
		{"true and false", "false"},
		{"true and null", "null"},
		{"false and null", "false"},
		{"null and false", "false"},
		{"null and null", "null"},
		{"true or null", "true"},
		{"null or true", "true"},
		{"false or null", "null"},
		{"false or false", "false"},
		{"\"a\" and true", "null"},
		{"not(true)", "false"},
		{"not(null)", "null"},
		{"not(1)", "null"},
		{"null = null", "true"},
		{"null != null", "false"},
		{"1 = null", "false"},
		{"null != 1", "true"},
		{"1 = \"1\"", "null"},
		{"1 < null", "null"},
		{"1 + null", "null"},
		{"-null", "null"},
		{"null.a", "null"},
		{"null[1]", "null"},
		{"if null then 1 else 2", "2"},
		{"if 1 then 1 else 2", "2"},
		{"missing variable", "null"},
		{"x > 1", "null"},
	}, map[string]Value{"x": nil})
}

func TestArithmetic(t *testing.T) {
	runCases(t, []feelCase{
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"10 / 4", "2.5"},
		{"1 / 3", "0.3333333333333333333333333333333333"},
		{"2 / 3", "0.6666666666666666666666666666666667"},
		{"0.1 + 0.2", "0.3"},
		{"1 / 0", "null"},
		{"2 ** 10", "1024"},
		{"2 ** -1", "0.5"},
		{"-3 ** 2", "9"},
		{"3 ** 4 ** 5", "3486784401"},
		{"4 ** 0.5", "2"},
		{"--10", "10"},
		{"-(5 - 8)", "3"},
		{"1.10 + 0", "1.1"},
		{"\"foo\" + \"bar\"", "\"foobar\""},
		{"\"foo\" + 1", "null"},
		{"10 ** 7000", "null"},
		{"123456789012345678901234567890123456789 + 1", "123456789012345678901234567890123500000"},
		{"-7 - -2", "-5"},
		{"6 / 2 / 3", "1"},
	}, nil)
}

func TestComparisonsRangesAndIn(t *testing.T) {
	runCases(t, []feelCase{
		{"1 < 2", "true"},
		{"\"a\" < \"b\"", "true"},
		{"date(\"2020-01-01\") < date(\"2020-01-02\")", "true"},
		{"true < false", "null"},
		{"1 < \"2\"", "null"},
		{"5 between 1 and 10", "true"},
		{"5 between 6 and 10", "false"},
		{"5 between null and 10", "null"},
		{"5 in [1..5]", "true"},
		{"5 in [1..5)", "false"},
		{"5 in [1..5[", "false"},
		{"1 in (1..5]", "false"},
		{"1 in ]1..5]", "false"},
		{"5 in (1, 2, 5)", "true"},
		{"5 in (1, 2)", "false"},
		{"5 in < 10", "true"},
		{"5 in (< 3, > 4)", "true"},
		{"\"b\" in [\"a\"..\"c\"]", "true"},
		{"5 in [1, 5, 9]", "true"},
		{"[1, 2] in [[1, 2], [3]]", "true"},
		{"null in [1..2]", "null"},
		{"[1..5] = [1..5]", "true"},
		{"[1..5] = [1..5)", "false"},
		{"(< 10).end", "10"},
		{"(>= 3).start included", "true"},
		{"[1..10].end included", "true"},
		{"[1..\"a\"]", "null"},
		{"@\"2020-01-05\" in [@\"2020-01-01\"..@\"2020-01-31\"]", "true"},
	}, nil)
}

func TestListsContextsAndPaths(t *testing.T) {
	runCases(t, []feelCase{
		{"[1, 2, 3][1]", "1"},
		{"[1, 2, 3][-1]", "3"},
		{"[1, 2, 3][0]", "null"},
		{"[1, 2, 3][4]", "null"},
		{"[1, 2, 3][item > 1]", "[2, 3]"},
		{"[1, 2, 3][item > 5]", "[]"},
		{"[{a: 1}, {a: 2}][a = 2]", "[{a: 2}]"},
		{"[{a: 1}, {a: 2}].a", "[1, 2]"},
		{"[{item: 1}, {item: 2}][item >= 2]", "[{item: 2}]"},
		{"{a: 1, b: a + 1}.b", "2"},
		{"{first name: \"Ann\"}.first name", "\"Ann\""},
		{"{\"a b\": 1}.a b", "1"},
		{"{a: {b: {c: 3}}}.a.b.c", "3"},
		{"{a: 1}.b", "null"},
		{"[]", "[]"},
		{"{}", "{}"},
		{"[1, [2, 3]][2][1]", "2"},
		{"Employees[dept = 20].name", "[\"Adams\"]"},
	}, map[string]Value{"Employees": []Value{
		ContextOf("name", "Clark", "dept", Int(10)),
		ContextOf("name", "Adams", "dept", Int(20)),
	}})
}

func TestIterationAndQuantifiers(t *testing.T) {
	runCases(t, []feelCase{
		{"for i in [1, 2, 3] return i * i", "[1, 4, 9]"},
		{"for i in 1..3 return i", "[1, 2, 3]"},
		{"for i in 3..1 return i", "[3, 2, 1]"},
		{"for i in [1, 2], j in [10, 20] return i + j", "[11, 21, 12, 22]"},
		{"for i in 0..4 return if i = 0 then 1 else i * partial[-1]", "[1, 1, 2, 6, 24]"},
		{"for d in @\"2021-01-30\"..@\"2021-02-01\" return d", "[2021-01-30, 2021-01-31, 2021-02-01]"},
		{"for x in [] return x", "[]"},
		{"for x in null return x", "null"},
		{"some x in [1, 2, 3] satisfies x > 2", "true"},
		{"some x in [1, 2, 3] satisfies x > 3", "false"},
		{"every x in [1, 2, 3] satisfies x > 0", "true"},
		{"every x in [1, 2, 3] satisfies x > 1", "false"},
		{"every x in [] satisfies false", "true"},
		{"some x in [1, 2], y in [3, 4] satisfies x + y = 6", "true"},
	}, nil)
}

func TestFunctions(t *testing.T) {
	runCases(t, []feelCase{
		{"(function(a, b) a - b)(5, 3)", "2"},
		{"(function(a, b) a - b)(b: 5, a: 3)", "-2"},
		{"(function(a) a)(1, 2)", "null"},
		{"(function(a: number) a + 1)(\"x\")", "null"},
		{"(function(a: number) a + 1)([4])", "5"},
		{"{f: function(x) x * 2, r: f(21)}.r", "42"},
		{"{fact: function(n) if n <= 1 then 1 else n * fact(n - 1)}.fact(20)", "2432902008176640000"},
		{"substring(string: \"foobar\", start position: 3)", "\"obar\""},
		{"substring(start position: 3, string: \"foobar\", length: 2)", "\"ob\""},
		{"sort([3, 1, 2], function(a, b) a > b)", "[3, 2, 1]"},
		{"5 instance of number", "true"},
		{"\"5\" instance of number", "false"},
		{"null instance of Null", "true"},
		{"[1, 2] instance of list<number>", "true"},
		{"[1, \"a\"] instance of list<number>", "false"},
		{"{a: 1} instance of context<a: number>", "true"},
		{"{a: 1} instance of context<b: number>", "false"},
		{"@\"2020-01-01\" instance of date and time", "false"},
		{"(function(a) a) instance of function<Any> -> Any", "true"},
		{"[1..2] instance of range<number>", "true"},
		{"unknownFunction(1)", "null"},
		{"x(1)", "null"},
	}, map[string]Value{"x": Int(3)})
}

func TestNamesWithSpacesAndSymbols(t *testing.T) {
	vars := map[string]Value{
		"Monthly Salary":  Int(1000),
		"Date-Time":       Int(5),
		"Date":            Int(3),
		"Time":            Int(1),
		"Loan.amount":     Int(7),
		"a":               Int(10),
		"b":               Int(4),
		"applicant's age": Int(30),
	}
	runCases(t, []feelCase{
		{"Monthly Salary * 12", "12000"},
		{"Monthly  Salary + 1", "1001"},
		{"Date-Time + 1", "6"},
		{"Date - Time", "2"},
		{"a-b", "6"},
		{"Loan.amount", "7"},
		{"applicant's age > 18", "true"},
		{"date and time(\"2020-01-01T10:00:00\").hour", "10"},
		{"years and months duration(date(\"2020-01-01\"), date(\"2021-03-01\"))", "P1Y2M"},
	}, vars)
}

func TestStepAndDepthLimits(t *testing.T) {
	e, err := Parse("for i in 1..100000000 return i")
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{MaxSteps: 10000}
	if _, err := s.Eval(e, nil); !errors.Is(err, ErrStepLimit) || !strings.Contains(err.Error(), "10000 steps") {
		t.Errorf("huge for: err = %v, want the step limit named", err)
	}
	e, err = Parse("{f: function(n) f(n + 1)}.f(1)")
	if err != nil {
		t.Fatal(err)
	}
	s = &Session{}
	if _, err := s.Eval(e, nil); !errors.Is(err, ErrDepthLimit) {
		t.Errorf("endless recursion: err = %v, want ErrDepthLimit", err)
	}
	// Within the limits the same session keeps counting.
	e, _ = Parse("for i in 1..10 return i")
	s = &Session{MaxSteps: 15}
	if _, err := s.Eval(e, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Eval(e, nil); !errors.Is(err, ErrStepLimit) {
		t.Errorf("second run past 15 steps: err = %v", err)
	}
}

func TestNotesSayWhyAValueIsNull(t *testing.T) {
	e, err := Parse(`substring(1, 2) + date("2020-13-01")`)
	if err != nil {
		t.Fatal(err)
	}
	s := new(Session)
	v, err := s.Eval(e, nil)
	if err != nil || v != nil {
		t.Fatalf("got %v, %v", v, err)
	}
	all := strings.Join(s.Notes, "\n")
	for _, want := range []string{"substring: string must be a string", `"2020-13-01" is not a date`} {
		if !strings.Contains(all, want) {
			t.Errorf("notes %q lack %q", all, want)
		}
	}
}

func TestUnaryTests(t *testing.T) {
	cases := []struct {
		tests string
		input Value
		want  Value
	}{
		{"-", Int(5), true},
		{"< 10", Int(5), true},
		{"< 10", Int(10), false},
		{"<= 10", Int(10), true},
		{"[1..10]", Int(10), true},
		{"(1..10)", Int(10), false},
		{"1, 2, 3", Int(2), true},
		{"1, 2, 3", Int(4), false},
		{"not(1, 2, 3)", Int(4), true},
		{"not(1, 2, 3)", Int(2), false},
		{`"a", "b"`, "b", true},
		{`not("a")`, "b", true},
		{"? > 5", Int(6), true},
		{"? > 5", Int(4), false},
		{"count(?) > 1", []Value{Int(1), Int(2)}, true},
		{"> 5, ? = 1", Int(1), true},
		{"true", true, true},
		{"false", true, false},
		{"null", nil, true},
		{"< 10", nil, nil},
		{"= 5", Int(5), true},
		{"!= 5", Int(5), false},
		{"[1, 2, 3]", Int(2), true},
		{">= date(\"2020-01-01\")", Date{2020, 6, 1}, true},
		{"x", Int(7), true},
	}
	for _, c := range cases {
		u, err := ParseUnaryTests(c.tests)
		if err != nil {
			t.Fatalf("%s: %v", c.tests, err)
		}
		s := new(Session)
		got := s.Match(u, c.input, NewScope(ContextOf("x", Int(7))))
		if got != c.want {
			t.Errorf("%s with input %s = %v, want %v", c.tests, literalString(c.input), got, c.want)
		}
	}
}
