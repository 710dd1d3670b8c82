package juel

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func env() *Env {
	return &Env{
		Vars: map[string]any{
			"amount": float64(120), "approved": true, "name": "kermit", "n": float64(5), "half": 2.5,
			"list": []any{"a", "b"}, "none": []any{}, "flag": "true", "nothing": nil, "申请人": "张三",
			"applicant": map[string]any{"name": "李四", "age": float64(40)}, "numStr": "7",
			"nrOfCompletedInstances": float64(3), "nrOfInstances": float64(5), "loopCounter": float64(0),
			"due": "2026-03-01T00:00:00+08:00",
		},
		Now:       time.Date(2026, 1, 30, 9, 0, 0, 0, cst),
		User:      "clerk1",
		Execution: &Execution{ProcessInstanceID: "c-42", ActivityID: "review", BusinessKey: "BK-1"},
	}
}

func TestEval(t *testing.T) {
	cases := []struct {
		src  string
		want any
	}{
		{"${amount > 100}", true},
		{"${amount gt 200 or approved}", true},
		{"${amount le 120 && not approved}", false},
		{"${!approved}", false},
		{"${nrOfCompletedInstances/nrOfInstances >= 0.6 }", true},
		{"${n / 2}", 2.5},
		{"${n div 2}", 2.5},
		{"${n mod 2 == 1}", true},
		{"${n % 2}", int64(1)},
		{"${n + 1}", int64(6)},
		{"${half * 2}", 5.0},
		{"${numStr + 1}", int64(8)},
		{"${numStr == 7}", true},
		{"${name == 'kermit'}", true},
		{`${name eq "kermit"}`, true},
		{"${flag == true}", true},
		{"${flag}", "true"},
		{"${empty list}", false},
		{"${empty none}", true},
		{"${empty missing}", true},
		{"${missing == null}", true},
		{"${null != missing}", false},
		{"${nothing == null}", true},
		{"${nothing + 1}", int64(1)},
		{"${nothing > 1}", false},
		{"${empty name ? 'x' : name.toUpperCase()}", "KERMIT"},
		{"${-n}", int64(-5)},
		{"${applicant.name}", "李四"},
		{"${applicant['age'] >= 18}", true},
		{"${applicant.unknown == null}", true},
		{"${list[1]}", "b"},
		{"${list[5] == null}", true},
		{"${list.size()}", int64(2)},
		{"${list.contains('a')}", true},
		{"${申请人}", "张三"},
		{"${name.length()}", int64(6)},
		{"${name.startsWith('ker') and name.endsWith('it')}", true},
		{"${name.substring(1, 3)}", "er"},
		{"${name.indexOf('m')}", int64(3)},
		{"${name.replace('k', 'K')}", "Kermit"},
		{"${'a,b,,c,,'.split(',').size()}", int64(4)},
		{"${name.matches('k.*t')}", true},
		{"${name.equalsIgnoreCase('KERMIT')}", true},
		{"${execution.getVariable('amount')}", int64(120)},
		{"${execution.getVariable('missing') == null}", true},
		{"${execution.hasVariable('name')}", true},
		{"${execution.processInstanceId}", "c-42"},
		{"${execution.getCurrentActivityId()}", "review"},
		{"${execution.processBusinessKey}", "BK-1"},
		{"${authenticatedUserId}", "clerk1"},
		{"${currentUser()}", "clerk1"},
		{"${variables:get(name)}", "kermit"},
		{"${variables:get('missing') == null}", true},
		{"${vars:getOrDefault(missing, 'def')}", "def"},
		{"${variables:exists(name) && !variables:exists(missing)}", true},
		{"${variables:equals(name, 'kermit')}", true},
		{"${variables:greaterThan(amount, 100)}", true},
		{"${variables:contains(list, 'a', 'b')}", true},
		{"${variables:containsAny(list, 'x', 'b')}", true},
		{"${variables:isEmpty(none)}", true},
		{"${now().getTime()}", time.Date(2026, 1, 30, 9, 0, 0, 0, cst).UnixMilli()},
		{"${dateTime().plusWeeks(1).toDate()}", time.Date(2026, 2, 6, 9, 0, 0, 0, cst)},
		{"${dateTime().plusMonths(1).getDayOfMonth()}", int64(28)},
		{"${dateTime().minusDays(30).getMonthOfYear()}", int64(12)},
		{"${dateTime().getDayOfWeek()}", int64(5)},
		{"${now() < due}", true},
		{"${dateTime().plusMonths(2).isAfter(now())}", true},
		{"${[1, 2, 3].size()}", int64(3)},
		{"kermit_${loopCounter}", "kermit_0"},
		{"${name}-${n}", "kermit-5"},
		{"plain text", "plain text"},
		{`cost \${x}`, "cost ${x}"},
		{"${'it''s'}", nil}, // two adjacent literals: a parse error, checked below
	}
	for _, c := range cases {
		e, err := Parse(c.src)
		if c.src == "${'it''s'}" {
			if err == nil {
				t.Errorf("Parse(%q): want an error", c.src)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		got, err := e.Eval(env())
		if err != nil {
			t.Errorf("Eval(%q): %v", c.src, err)
			continue
		}
		if gt, ok := got.(time.Time); ok {
			if wt, ok := c.want.(time.Time); ok && gt.Equal(wt) {
				continue
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", c.src, got, c.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	cases := map[string]string{
		"${missing > 1}":                   "variable not set: missing",
		"${'abc' + 1}":                     `cannot use the string "abc" as a number`,
		"${n / 0}":                         "division by zero",
		"${list > 1}":                      "cannot use a list as a number",
		"${name.noSuch()}":                 `has no method noSuch()`,
		"${nothing.length()}":              "cannot call length() on null",
		"${n ? 1 : 2}":                     "the number 5 is not a boolean",
		"${task.name}":                     "variable not set: task",
		"${name.substring(3, 99)}":         "out of the string",
		"${execution.getVariable('a', 1)}": "takes 1 argument",
	}
	for src, want := range cases {
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		_, err = e.Eval(env())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Eval(%q) error = %v, want it to say %q", src, err, want)
		}
	}
	_, err := MustEval(t, "${missing}")
	if !errors.Is(err, ErrMissingVariable) {
		t.Errorf("a missing variable: %v, want ErrMissingVariable", err)
	}
}

func MustEval(t *testing.T, src string) (any, error) {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return e.Eval(env())
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"${":                        "is not closed",
		"${}":                       "the expression is empty",
		"${a ==}":                   "column 7: expected a value",
		"${a b}":                    `column 5: unexpected "b"`,
		"${'open}":                  "is not closed",
		"${fn(x)}":                  "unknown function fn()",
		"${dateTime().plusWeek(1)}": "dateTime has no method plusWeek()",
		"${now().plusDays(1)}":      "date has no method plusDays()",
		"${execution.getVar('x')}":  "execution has no method getVar()",
		"${variables:get()}":        "takes 1 argument",
		"${a ? b}":                  `expected ":"`,
		"${a.}":                     "expected a property or method name",
		"${x eq}":                   "expected a value",
		"${1 @ 2}":                  `unexpected character '@'`,
	}
	for src, want := range cases {
		_, err := Parse(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want it to say %q", src, err, want)
		}
	}
}

func TestNames(t *testing.T) {
	e, err := Parse("${a.b > 1 && c[0] == d && empty e && f == null && execution.getVariable('g') && variables:get(h) && authenticatedUserId == i}")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Names(), []string{"a", "c", "d", "i"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
}

func TestTask(t *testing.T) {
	e := env()
	e.Task = &Task{ID: "c-42/w3", Name: "Review", Key: "review", Created: e.Now}
	for src, want := range map[string]any{
		"${task.name}":                   "Review",
		"${task.getTaskDefinitionKey()}": "review",
		"${task.assignee == null}":       true,
		"${task.id}":                     "c-42/w3",
	} {
		ex, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ex.Eval(e)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Eval(%q) = %#v, %v; want %#v", src, got, err, want)
		}
	}
}
