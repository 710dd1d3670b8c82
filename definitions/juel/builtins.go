package juel

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// function is a function of the expression context, checked when parsing.
type function struct {
	min, max int // max -1: any number
	fn       func(ev *evaluator, n *callFunc, args []any) any
}

func (f function) arity() string {
	switch {
	case f.min == f.max && f.min == 0:
		return "no arguments"
	case f.min == f.max:
		return fmt.Sprintf("%d argument%s", f.min, plural(f.min))
	case f.max < 0:
		return fmt.Sprintf("at least %d arguments", f.min)
	}
	return fmt.Sprintf("%d to %d arguments", f.min, f.max)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// variableNamespaces are the prefixes of Flowable's variable functions: variables:get(x),
// vars:get(x) and var:get(x) are the same function.
var variableNamespaces = map[string]bool{"variables": true, "vars": true, "var": true}

// functions are Camunda's context functions (now, dateTime, currentUser, currentUserGroups)
// and Flowable's variables: functions (which take the variable's name).
var functions = map[string]function{
	"now":      {0, 0, func(ev *evaluator, _ *callFunc, _ []any) any { return ev.now() }},
	"dateTime": {0, 0, func(ev *evaluator, _ *callFunc, _ []any) any { return DateTime{ev.now()} }},
	"currentUser": {0, 0, func(ev *evaluator, _ *callFunc, _ []any) any {
		if ev.env.User == "" {
			return nil
		}
		return ev.env.User
	}},
	"variables:get":          {1, 1, func(ev *evaluator, n *callFunc, a []any) any { return ev.variable(a[0]) }},
	"variables:getOrDefault": {2, 2, varOrDefault},
	"variables:exists": {1, 1, func(ev *evaluator, n *callFunc, a []any) any {
		_, ok := ev.env.Vars[Text(a[0])]
		return ok
	}},
	"variables:isEmpty":             {1, 1, func(ev *evaluator, n *callFunc, a []any) any { return isEmpty(ev.variable(a[0])) }},
	"variables:empty":               {1, 1, func(ev *evaluator, n *callFunc, a []any) any { return isEmpty(ev.variable(a[0])) }},
	"variables:isNotEmpty":          {1, 1, func(ev *evaluator, n *callFunc, a []any) any { return !isEmpty(ev.variable(a[0])) }},
	"variables:notEmpty":            {1, 1, func(ev *evaluator, n *callFunc, a []any) any { return !isEmpty(ev.variable(a[0])) }},
	"variables:equals":              {2, 2, varCompare("==")},
	"variables:eq":                  {2, 2, varCompare("==")},
	"variables:notEquals":           {2, 2, varCompare("!=")},
	"variables:ne":                  {2, 2, varCompare("!=")},
	"variables:lowerThan":           {2, 2, varCompare("<")},
	"variables:lt":                  {2, 2, varCompare("<")},
	"variables:lowerThanOrEquals":   {2, 2, varCompare("<=")},
	"variables:lte":                 {2, 2, varCompare("<=")},
	"variables:greaterThan":         {2, 2, varCompare(">")},
	"variables:gt":                  {2, 2, varCompare(">")},
	"variables:greaterThanOrEquals": {2, 2, varCompare(">=")},
	"variables:gte":                 {2, 2, varCompare(">=")},
	"variables:contains":            {2, -1, varContains(false)},
	"variables:containsAny":         {2, -1, varContains(true)},
}

func functionNames() []string {
	out := make([]string, 0, len(functions))
	for k := range functions {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// variable reads the variable named name, null when it is not set.
func (ev *evaluator) variable(name any) any { return normalize(ev.env.Vars[Text(name)]) }

func varOrDefault(ev *evaluator, n *callFunc, a []any) any {
	if v := ev.variable(a[0]); v != nil {
		return v
	}
	return a[1]
}

func varCompare(op string) func(ev *evaluator, n *callFunc, a []any) any {
	return func(ev *evaluator, n *callFunc, a []any) any {
		b := &binary{n.at, op, n.args[0], n.args[1]}
		v := ev.variable(a[0])
		switch op {
		case "==":
			return ev.equal(b, v, a[1])
		case "!=":
			return !ev.equal(b, v, a[1])
		}
		return ev.compare(b, v, a[1])
	}
}

// varContains is variables:contains(list, a, b, ...): the list variable holds every value
// (any of them for containsAny); for a string variable, every substring.
func varContains(anyOf bool) func(ev *evaluator, n *callFunc, a []any) any {
	return func(ev *evaluator, n *callFunc, a []any) any {
		v := ev.variable(a[0])
		for _, want := range a[1:] {
			found := false
			switch x := v.(type) {
			case []any:
				for _, e := range x {
					if ev.equal(&binary{at: n.at, op: "==", l: n, r: n}, normalize(e), want) {
						found = true
						break
					}
				}
			case string:
				found = strings.Contains(x, Text(want))
			}
			if found && anyOf {
				return true
			}
			if !found && !anyOf {
				return false
			}
		}
		return !anyOf
	}
}

func (ev *evaluator) function(n *callFunc, args []any) any {
	key := n.name
	if n.ns != "" {
		key = "variables:" + n.name
	}
	return functions[key].fn(ev, n, args)
}

// DateTime is the Joda-Time DateTime that Camunda's dateTime() returns.
type DateTime struct{ T time.Time }

// execObj is Camunda's and Flowable's execution object.
type execObj struct{ ev *evaluator }

func (e *execObj) info() Execution {
	if e.ev.env.Execution != nil {
		return *e.ev.env.Execution
	}
	return Execution{}
}

func (e *execObj) get(name string) (any, bool) {
	x := e.info()
	switch name {
	case "processInstanceId", "rootProcessInstanceId":
		return x.ProcessInstanceID, true
	case "id":
		return x.ProcessInstanceID, true
	case "processDefinitionId":
		return x.ProcessDefinitionID, true
	case "processBusinessKey", "businessKey":
		return x.BusinessKey, true
	case "currentActivityId", "activityId":
		return x.ActivityID, true
	case "currentActivityName":
		return x.ActivityName, true
	case "variables":
		return copyMap(e.ev.env.Vars), true
	}
	return nil, false
}

type taskObj struct{ t *Task }

func (t *taskObj) get(name string) (any, bool) {
	switch name {
	case "id":
		return t.t.ID, true
	case "name":
		return t.t.Name, true
	case "assignee":
		return nilIfEmpty(t.t.Assignee), true
	case "taskDefinitionKey":
		return t.t.Key, true
	case "description":
		return nilIfEmpty(t.t.Description), true
	case "createTime":
		if t.t.Created.IsZero() {
			return nil, true
		}
		return t.t.Created, true
	}
	return nil, false
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// methods lists the methods designers call, by the static type of the receiver; the parser
// checks calls on receivers whose type it knows (execution, task, dateTime(), now()).
var methods = map[string][]string{
	"execution": {"getVariable", "getVariableLocal", "getVariables", "getVariablesLocal", "hasVariable", "hasVariableLocal",
		"getProcessInstanceId", "getRootProcessInstanceId", "getId", "getProcessDefinitionId", "getProcessBusinessKey",
		"getBusinessKey", "getCurrentActivityId", "getActivityId", "getCurrentActivityName"},
	"task": {"getId", "getName", "getAssignee", "getTaskDefinitionKey", "getDescription", "getCreateTime"},
	"dateTime": {"plusYears", "plusMonths", "plusWeeks", "plusDays", "plusHours", "plusMinutes", "plusSeconds", "plusMillis",
		"minusYears", "minusMonths", "minusWeeks", "minusDays", "minusHours", "minusMinutes", "minusSeconds", "minusMillis",
		"toDate", "toString", "getMillis", "getYear", "getMonthOfYear", "getDayOfMonth", "getDayOfWeek", "getHourOfDay",
		"getMinuteOfHour", "withTimeAtStartOfDay", "isBefore", "isAfter", "isBeforeNow", "isAfterNow", "isEqual"},
	"date": {"getTime", "before", "after", "toString", "compareTo", "equals"},
}

// staticType is the type of n when the parser can tell: execution, task, dateTime or date.
func staticType(n node) string {
	switch x := n.(type) {
	case *ident:
		if x.name == "execution" || x.name == "task" {
			return x.name
		}
	case *callFunc:
		switch x.name {
		case "dateTime":
			return "dateTime"
		case "now":
			return "date"
		}
	case *callMethod:
		if staticType(x.x) == "dateTime" {
			switch {
			case strings.HasPrefix(x.name, "plus"), strings.HasPrefix(x.name, "minus"), x.name == "withTimeAtStartOfDay":
				return "dateTime"
			case x.name == "toDate":
				return "date"
			}
		}
	}
	return ""
}

// checkMethods reports a call of a method that the receiver's known type does not have.
func checkMethods(root node) error {
	var err error
	walk(root, func(n node) {
		c, ok := n.(*callMethod)
		if !ok || err != nil {
			return
		}
		t := staticType(c.x)
		if t == "" {
			return
		}
		for _, m := range methods[t] {
			if m == c.name {
				return
			}
		}
		err = &SyntaxError{Column: c.pos, Msg: fmt.Sprintf("%s has no method %s(): it has %s", t, c.name, strings.Join(methods[t], ", "))}
	})
	return err
}

// matchRegexp compiles a Java regular expression for String.matches and friends.
func (ev *evaluator) regexp(n node, pattern string) *regexp.Regexp {
	re, err := regexp.Compile(pattern)
	if err != nil {
		ev.failf(n, "regular expression %q: %v", pattern, err)
	}
	return re
}
