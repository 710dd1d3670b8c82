package expression

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func vars() map[string]any {
	return map[string]any{
		"input": float64(3), "approved": true, "name": "kermit", "n": float64(5),
		"nrOfCompletedInstances": float64(3), "nrOfInstances": float64(5),
		"list": []any{"a", "b"}, "none": []any{}, "s": "true", "nothing": nil,
		"breakfastPrepared": true, "riskLevels": []any{"yellow", "red"},
		"applicant":  map[string]any{"name": "张三", "age": float64(41), "address": map[string]any{"city": "南宁"}},
		"investment": float64(3000), "Monthly Salary": float64(8000), "received": "2026-01-05",
		"departments": []any{map[string]any{"code": "dev", "days": float64(5)}, map[string]any{"code": "env", "days": float64(10)}},
	}
}

func TestEvalDialects(t *testing.T) {
	cases := []struct {
		src  string
		want any
	}{
		// JUEL
		{"${input == 3}", true},
		{"${input eq 3 && approved}", true},
		{"${input gt 2 and not approved}", false},
		{"${nrOfCompletedInstances/nrOfInstances >= 0.6 }", true},
		{"${name == 'kermit'}", true},
		{"${empty list}", false},
		{"${empty none}", true},
		{"${s == 'true'}", true},
		{"${n}", float64(5)},
		{"${n + 1}", float64(6)},
		{"${input mod 2 == 1}", true},
		{"${x == null}", true},
		{"${nothing == null}", true},
		{"${execution.getVariable('name')}", "kermit"},
		{"${variables:get(name)}", "kermit"},
		{"${name.toUpperCase()}", "KERMIT"},
		{"input + 1", float64(4)},
		{"3", float64(3)},
		// FEEL
		{"=input = 3", true},
		{"= input != 3", false},
		{"=approved and input >= 3", true},
		{"=name = \"kermit\"", true},
		{"=is defined(breakfastPrepared)", true},
		{"=is defined(lunchPrepared)", false},
		{"=not(is defined(x))", true},
		{"=x = null", true},
		{"=nothing = null", true},
		{"=x > 3", nil},
		{"=false and x", false},
		{"=input in [1..5]", true},
		{"=input in (1, 2, > 2)", true},
		{"=input between 4 and 6", false},
		{"=some risk in riskLevels satisfies risk = \"red\"", true},
		{"=every risk in riskLevels satisfies risk = \"yellow\"", false},
		{"=for d in departments return d.code", []any{"dev", "env"}},
		{"=departments[days > 5].code", []any{"env"}},
		{"=applicant.address.city", "南宁"},
		{"=applicant.age instance of number", true},
		{"=Monthly Salary * 12", float64(96000)},
		{"=date(received) + duration(\"P2D\")", "2026-01-07"},
		{"=@\"2026-01-05\" < date(received) + @\"P1D\"", true},
		{"=string length(name)", float64(6)},
		{"=if investment > 1000 then [\"dev\", \"env\"] else [\"dev\"]", []any{"dev", "env"}},
		{"=list[1]", "a"},
		{"=list[-1]", "b"},
		{"={a: 1, b: a + 1}.b", float64(2)},
		{"=get or else(x, \"none\")", "none"},
	}
	for _, c := range cases {
		e, err := Compile(c.src)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.src, err)
			continue
		}
		got, err := e.Eval(vars())
		if err != nil {
			t.Errorf("Eval(%q): %v", c.src, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", c.src, got, c.want)
		}
	}
}

func TestFEELLanguage(t *testing.T) {
	e, err := CompileAs(`Vacation Approval = "Approved"`, "https://www.omg.org/spec/DMN/20191111/FEEL/")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := e.Bool(map[string]any{"Vacation Approval": "Approved"})
	if err != nil || !ok {
		t.Fatalf("a FEEL condition without \"=\": %v, %v", ok, err)
	}
	if e.Dialect != FEEL {
		t.Errorf("dialect %s, want feel", e.Dialect)
	}
	if s, err := CompileScript("a + 1", "feel"); err != nil || s.Dialect != FEEL {
		t.Errorf("a feel script: %v, %v", s, err)
	}
}

func TestEnv(t *testing.T) {
	now := time.Date(2026, 1, 30, 9, 0, 0, 0, time.UTC)
	env := &Env{Vars: vars(), Now: now, Zone: cst, User: "clerk1", Execution: &Execution{ProcessInstanceID: "c-1"},
		Task: &Task{Name: "Review"}}
	cases := map[string]any{
		"${dateTime().plusWeeks(1).toDate()}": "2026-02-06T17:00:00+08:00",
		"${now()}":                            "2026-01-30T17:00:00+08:00",
		"${authenticatedUserId}":              "clerk1",
		"${execution.processInstanceId}":      "c-1",
		"${task.name}":                        "Review",
		"=now() + duration(\"P2D\")":          "2026-02-01T17:00:00+08:00",
		"=today()":                            "2026-01-30",
	}
	for src, want := range cases {
		got, err := ValueIn(src, env)
		if err != nil || got != want {
			t.Errorf("ValueIn(%q) = %#v, %v; want %#v", src, got, err, want)
		}
	}
}

func TestVarsAndMissing(t *testing.T) {
	e := MustCompile("${a.b > 1 && c[0] == 1 && d == 'x' && empty z}")
	if got, want := e.Vars(), []string{"a", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Vars = %v, want %v", got, want)
	}
	_, err := e.Eval(map[string]any{"a": map[string]any{"b": 2}, "c": []any{1}})
	if !errors.Is(err, ErrMissingVariable) {
		t.Fatalf("Eval without d: err = %v, want ErrMissingVariable", err)
	}
	f := MustCompile("=for x in items return x + y and is defined(z) and list[item > w]")
	if got, want := f.Vars(), []string{"items", "list", "y", "z"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("FEEL Vars = %v, want %v", got, want)
	}
	_, err = MustCompile("=amount > 100").Bool(map[string]any{})
	if !errors.Is(err, ErrMissingVariable) || !strings.Contains(err.Error(), `no variable "amount"`) {
		t.Fatalf("a FEEL condition over a missing variable: %v", err)
	}
}

func TestBoolRejectsNonBoolean(t *testing.T) {
	e := MustCompile("${input}")
	if _, err := e.Bool(map[string]any{"input": float64(2)}); err == nil {
		t.Fatal("Bool of a number: want an error")
	}
	ok, err := MustCompile("${flag}").Bool(map[string]any{"flag": "false"})
	if err != nil || ok {
		t.Fatalf("Bool of the string \"false\" = %v, %v; want false, nil", ok, err)
	}
	if _, err := MustCompile(`="yes"`).Bool(nil); err == nil || !strings.Contains(err.Error(), "not a boolean") {
		t.Fatalf("FEEL Bool of a string: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := map[string]string{
		"":                          "empty expression",
		"${":                        "is not closed",
		"${}":                       "the expression is empty",
		"${a ==}":                   "column 7",
		"${'open}":                  "is not closed",
		"=":                         "is empty",
		"=a + * b":                  "column 6",
		"=is defined(":              "column",
		"${dateTime().plusWeek(1)}": "no method plusWeek()",
		"${fn(x)}":                  "unknown function fn()",
		"=some x in satisfies x":    "column",
		"amount >":                  "expected a value",
	}
	for src, want := range cases {
		_, err := Compile(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Compile(%q) error = %v, want it to say %q", src, err, want)
		}
		if CheckValue(src) == nil && IsExpression(src) {
			t.Errorf("CheckValue(%q) accepted what Compile refuses", src)
		}
	}
}

func TestValueAndInterpolate(t *testing.T) {
	vars := map[string]any{"loopCounter": float64(2), "assignee": "fozzie", "n": float64(1.5)}
	cases := map[string]any{
		"kermit_${loopCounter}": "kermit_2",
		"${assignee}":           "fozzie",
		"plain":                 "plain",
		"${loopCounter + 1}":    float64(3),
		"x=${n}":                "x=1.5",
		"=assignee":             "fozzie",
	}
	for src, want := range cases {
		got, err := Value(src, vars)
		if err != nil {
			t.Fatalf("Value(%q): %v", src, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Value(%q) = %#v, want %#v", src, got, want)
		}
	}
	if s, err := Interpolate("审查 ${loopCounter}", vars); err != nil || s != "审查 2" {
		t.Errorf("Interpolate = %q, %v", s, err)
	}
}
