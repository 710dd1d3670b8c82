package feel

import (
	"reflect"
	"testing"
)

// The extensions BPMN files written for Camunda 8 call, and how "in" binds.
func TestCamundaExtensions(t *testing.T) {
	vars := map[string]Value{"x": Int(5), "n": nil, "c": ContextOf("a", Int(1)), "l": []Value{}}
	for src, want := range map[string]Value{
		`is defined(x)`:                 true,
		`is defined(y)`:                 false,
		`is defined(n)`:                 false,
		`is defined(c.a)`:               true,
		`is defined(c.b)`:               false,
		`not(is defined(y))`:            true,
		`get or else(y, "none")`:        "none",
		`get or else(x, 0)`:             Int(5),
		`is empty(l)`:                   true,
		`trim("  a ")`:                  "a",
		`is blank(" ")`:                 true,
		`x in [4..5] and true`:          true,
		`x in [1..3] or x in (5, 6)`:    true,
		`x in < 10 and x in > 1`:        true,
		`x in if true then [5] else []`: true,
	} {
		got, err := Eval(src, vars)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, %v; want %#v", src, got, err, want)
		}
	}
}

func TestFreeNames(t *testing.T) {
	e, err := Parse(`for i in items return i + y + count(l[item > w]) + {a: 1, b: a + z}.b + (function(p) p + q)(1)`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.FreeNames(), []string{"items", "l", "q", "y", "z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FreeNames = %v, want %v", got, want)
	}
	if got, want := e.Mentions(), []string{"item", "items", "l", "q", "w", "y", "z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Mentions = %v, want %v", got, want)
	}
}
