package expression

import (
	"errors"
	"reflect"
	"testing"
)

func TestEvalDialects(t *testing.T) {
	vars := map[string]any{
		"input": float64(3), "approved": true, "name": "kermit", "n": float64(5),
		"nrOfCompletedInstances": float64(3), "nrOfInstances": float64(5),
		"list": []any{"a", "b"}, "empty": []any{}, "s": "true",
	}
	cases := []struct {
		src  string
		want any
	}{
		{"${input == 3}", true},
		{"${input == 1}", false},
		{"${input eq 3 && approved}", true},
		{"${input gt 2 and not approved}", false},
		{"${!approved}", false},
		{"${nrOfCompletedInstances/nrOfInstances >= 0.6 }", true},
		{"${name == 'kermit'}", true},
		{"${empty list}", false},
		{"${empty empty}", true},
		{"${input <= 3}", true},
		{"=input = 3", true},
		{"= input != 3", false},
		{"=approved and input >= 3", true},
		{"=name = \"kermit\"", true},
		{"${s == 'true'}", true},
		{"${n}", 5},
		{"input + 1", 4},
		{"${input mod 2 == 1}", true},
	}
	for _, c := range cases {
		e, err := Compile(c.src)
		if err != nil {
			t.Fatalf("Compile(%q): %v", c.src, err)
		}
		got, err := e.Eval(vars)
		if err != nil {
			t.Fatalf("Eval(%q): %v", c.src, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Eval(%q) = %#v (translated %q), want %#v", c.src, got, e.Translated, c.want)
		}
	}
}

func TestVarsAndMissing(t *testing.T) {
	e := MustCompile("${a.b > 1 && len(c) > 0 && d == 'x'}")
	if got, want := e.Vars(), []string{"a", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Vars = %v, want %v", got, want)
	}
	_, err := e.Eval(map[string]any{"a": map[string]any{"b": 2}, "c": []any{1}})
	if !errors.Is(err, ErrMissingVariable) {
		t.Fatalf("Eval without d: err = %v, want ErrMissingVariable", err)
	}
	if e := MustCompile("let x = 2; x + y"); !reflect.DeepEqual(e.Vars(), []string{"y"}) {
		t.Fatalf("let-bound name counted as a variable: %v", e.Vars())
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
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{"", "${", "${}", "${a ==}", "${a} trailing", "=", "${'open}", "=a = = b"} {
		if _, err := Compile(src); err == nil {
			t.Errorf("Compile(%q): want an error", src)
		}
	}
}

func TestValueAndInterpolate(t *testing.T) {
	vars := map[string]any{"loopCounter": float64(2), "assignee": "fozzie", "n": float64(1.5)}
	cases := map[string]any{
		"kermit_${loopCounter}": "kermit_2",
		"${assignee}":           "fozzie",
		"plain":                 "plain",
		"${loopCounter + 1}":    3,
		"x=${n}":                "x=1.5",
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
}
