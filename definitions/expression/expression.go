// Package expression compiles and evaluates the expressions written in BPMN definitions,
// for the engine and the validator alike (one code path, so what validates runs):
//
//   - "=..." (Zeebe), and any expression whose language is FEEL, is FEEL, evaluated by
//     package definitions/feel with FEEL's semantics (null, three-valued logic, ranges,
//     for/some/every, temporal values, the built-in functions and Camunda's extensions);
//   - "${...}" and "#{...}" (Camunda 7, Flowable, Activiti), alone or inside text, and a bare
//     expression without a marker ("amount > 100", "3"), are JUEL, evaluated by package
//     definitions/juel with EL's semantics and the context objects of those engines.
//
// Values go in and come out as encoding/json gives them (nil, bool, float64, string, []any,
// map[string]any); dates and times come out as ISO 8601 strings, so that a variable reads
// the same after it was stored.
package expression

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"onewindow/definitions/feel"
	"onewindow/definitions/juel"
)

// Dialect is the language an expression is written in.
type Dialect string

// Dialects.
const (
	JUEL Dialect = "juel" // ${...}, #{...}, or a bare expression
	FEEL Dialect = "feel" // =..., or an expression whose language is FEEL
)

// ErrMissingVariable is wrapped by errors of evaluations that needed a variable that is not
// set: a JUEL name that is not set, or a FEEL condition that gave null because a name is not.
var ErrMissingVariable = juel.ErrMissingVariable

// Execution describes the case for JUEL's execution object.
type Execution = juel.Execution

// Task describes the user task being created for JUEL's task object.
type Task = juel.Task

// Env is what an evaluation sees: the variables, the case's clock (now(), today(),
// dateTime()), the authenticated user, and the execution and task (JUEL's context objects;
// FEEL reads the variables and the clock).
type Env = juel.Env

// Expression is a compiled expression, safe for concurrent use.
type Expression struct {
	Source  string
	Dialect Dialect
	juel    *juel.Expression
	feel    *feel.Expression
	vars    []string
	feelIn  []string // the names a FEEL expression may read, to bind
}

// IsExpression reports whether s is written as an expression (${...}, #{...} or =...)
// rather than a literal.
func IsExpression(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "=") || strings.Contains(s, "${") || strings.Contains(s, "#{")
}

// IsFEELLanguage reports whether a language attribute (of a formal expression, or the
// definitions' expressionLanguage) names FEEL.
func IsFEELLanguage(lang string) bool {
	return strings.Contains(strings.ToUpper(lang), "FEEL")
}

// Compile parses src: FEEL when it starts with "=", JUEL otherwise ("${...}" alone or in
// text, or a bare expression).
func Compile(src string) (*Expression, error) { return CompileAs(src, "") }

// CompileAs is Compile for an expression written in language (a formal expression's
// language attribute, or the definitions' expressionLanguage): FEEL when the language names
// FEEL (the "=" is then optional); otherwise as Compile.
func CompileAs(src, language string) (*Expression, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, errors.New("empty expression")
	}
	switch {
	case strings.HasPrefix(s, "="):
		return compileFEEL(src, s[1:], 1)
	case IsFEELLanguage(language) && !strings.Contains(s, "${") && !strings.Contains(s, "#{"):
		return compileFEEL(src, s, 0)
	case strings.Contains(s, "${") || strings.Contains(s, "#{"):
		j, err := juel.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("expression %s: %w", s, err)
		}
		return &Expression{Source: src, Dialect: JUEL, juel: j, vars: j.Names()}, nil
	}
	j, err := juel.ParseBody(s)
	if err != nil {
		return nil, fmt.Errorf("expression %s: %w", s, err)
	}
	return &Expression{Source: src, Dialect: JUEL, juel: j, vars: j.Names()}, nil
}

// CompileScript compiles the body of a script task of format juel, feel, expr or expression.
func CompileScript(body, format string) (*Expression, error) {
	if strings.EqualFold(strings.TrimSpace(format), "feel") {
		return CompileAs(body, "feel")
	}
	return Compile(body)
}

func compileFEEL(src, body string, shift int) (*Expression, error) {
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("expression %s is empty", strings.TrimSpace(src))
	}
	f, err := feel.Parse(body)
	if err != nil {
		var se *feel.SyntaxError
		if errors.As(err, &se) && shift > 0 {
			// Columns count from the "=" as the designer sees the attribute.
			return nil, fmt.Errorf("expression %s: %s", strings.TrimSpace(src), shiftColumn(err.Error(), shift))
		}
		return nil, fmt.Errorf("expression %s: %w", strings.TrimSpace(src), err)
	}
	return &Expression{Source: src, Dialect: FEEL, feel: f, vars: f.FreeNames(), feelIn: f.Mentions()}, nil
}

// shiftColumn adds n to the column of a "column N: ..." message.
func shiftColumn(msg string, n int) string {
	rest, ok := strings.CutPrefix(msg, "column ")
	if !ok {
		return msg
	}
	num, tail, ok := strings.Cut(rest, ":")
	c, err := strconv.Atoi(num)
	if !ok || err != nil {
		return msg
	}
	return fmt.Sprintf("column %d:%s", c+n, tail)
}

// MustCompile is Compile for sources known to be valid; it panics otherwise.
func MustCompile(src string) *Expression {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Vars returns the names of the variables the expression needs, sorted (for FEEL, the free
// names outside filters; for JUEL, the names not read leniently).
func (e *Expression) Vars() []string { return e.vars }

// Eval evaluates the expression over vars.
func (e *Expression) Eval(vars map[string]any) (any, error) { return e.EvalIn(&Env{Vars: vars}) }

// EvalIn evaluates the expression in env. JUEL reading a variable that is not set is an
// error wrapping ErrMissingVariable; FEEL gives null for it, as FEEL does.
func (e *Expression) EvalIn(env *Env) (any, error) {
	v, _, err := e.eval(env)
	return v, err
}

// eval returns the exported value and, for FEEL, the notes of the evaluation.
func (e *Expression) eval(env *Env) (any, []string, error) {
	if env == nil {
		env = &Env{}
	}
	if e.juel != nil {
		v, err := e.juel.Eval(env)
		if err != nil {
			return nil, nil, fmt.Errorf("evaluating %w", err)
		}
		return exportJUEL(v), nil, nil
	}
	ctx := feel.NewContext()
	for _, name := range e.feelIn {
		if v, ok := env.Vars[name]; ok {
			ctx.Set(name, ToFEEL(v))
		}
	}
	s := &feel.Session{MaxSteps: maxFEELSteps, Now: env.Now}
	if !s.Now.IsZero() && env.Zone != nil {
		s.Now = s.Now.In(env.Zone)
	}
	v, err := s.Eval(e.feel, feel.NewScope(ctx))
	if err != nil {
		return nil, s.Notes, fmt.Errorf("evaluating %s: %w", strings.TrimSpace(e.Source), err)
	}
	return FromFEEL(v, env.Zone), s.Notes, nil
}

// maxFEELSteps bounds one BPMN expression's work (a for over a huge range, a recursion).
const maxFEELSteps = 100_000

// Bool evaluates the expression and requires a boolean result.
func (e *Expression) Bool(vars map[string]any) (bool, error) { return e.BoolIn(&Env{Vars: vars}) }

// BoolIn is Bool in env. A FEEL condition that gives null (a variable not set, values that
// cannot be compared) is an error saying why, as Zeebe raises an incident for it.
func (e *Expression) BoolIn(env *Env) (bool, error) {
	v, notes, err := e.eval(env)
	if err != nil {
		return false, err
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		// JUEL coerces the strings "true"/"false" to booleans.
		if e.Dialect == JUEL {
			if pb, perr := strconv.ParseBool(b); perr == nil {
				return pb, nil
			}
		}
	case nil:
		if len(notes) > 0 {
			err := fmt.Errorf("condition %s gave null: %s", strings.TrimSpace(e.Source), strings.Join(notes, "; "))
			if strings.Contains(notes[0], "no variable") {
				return false, fmt.Errorf("%w: %w", ErrMissingVariable, err)
			}
			return false, err
		}
	}
	return false, fmt.Errorf("condition %s gave %s, not a boolean", strings.TrimSpace(e.Source), describe(v))
}

// Int evaluates the expression and requires a whole number.
func (e *Expression) Int(vars map[string]any) (int, error) { return e.IntIn(&Env{Vars: vars}) }

// IntIn is Int in env.
func (e *Expression) IntIn(env *Env) (int, error) {
	v, notes, err := e.eval(env)
	if err != nil {
		return 0, err
	}
	if n, ok := toInt(v); ok {
		return n, nil
	}
	if v == nil && len(notes) > 0 {
		return 0, fmt.Errorf("%s gave null: %s", strings.TrimSpace(e.Source), strings.Join(notes, "; "))
	}
	return 0, fmt.Errorf("%s gave %s, not a whole number", strings.TrimSpace(e.Source), describe(v))
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// cache keeps compiled attribute values: the engine resolves the same assignee or due date
// expression for every task it creates.
var (
	cache     sync.Map // source -> *Expression
	cacheSize atomic.Int64
)

const maxCache = 10_000

func cached(src string) (*Expression, error) {
	if e, ok := cache.Load(src); ok {
		return e.(*Expression), nil
	}
	e, err := Compile(src)
	if err != nil {
		return nil, err
	}
	if cacheSize.Add(1) > maxCache {
		cache.Clear()
		cacheSize.Store(0)
	}
	cache.Store(src, e)
	return e, nil
}

// Value returns the value of s: for an expression its result; for a template such as
// "kermit_${loopCounter}" the interpolated string; for plain text the text itself.
func Value(s string, vars map[string]any) (any, error) { return ValueIn(s, &Env{Vars: vars}) }

// ValueIn is Value in env.
func ValueIn(s string, env *Env) (any, error) {
	if !IsExpression(s) {
		return s, nil
	}
	e, err := cached(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return e.EvalIn(env)
}

// CheckValue compiles s as Value would, without evaluating it: what the validator calls
// for every attribute the engine passes to Value.
func CheckValue(s string) error {
	if !IsExpression(s) {
		return nil
	}
	_, err := cached(strings.TrimSpace(s))
	return err
}

// Interpolate replaces every ${...} in s by its value as text; s without one is returned
// as is.
func Interpolate(s string, vars map[string]any) (string, error) {
	return InterpolateIn(s, &Env{Vars: vars})
}

// InterpolateIn is Interpolate in env.
func InterpolateIn(s string, env *Env) (string, error) {
	if !strings.Contains(s, "${") && !strings.Contains(s, "#{") {
		return s, nil
	}
	e, err := cached(s)
	if err != nil {
		return "", err
	}
	v, err := e.EvalIn(env)
	if err != nil {
		return "", err
	}
	return Text(v), nil
}

// Text renders a value the way a template shows it: whole numbers without a decimal point,
// nil as the empty string, dates in ISO 8601.
func Text(v any) string {
	if x, ok := v.([]any); ok {
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Text(e)
		}
		return strings.Join(parts, ",")
	}
	return juel.Text(v)
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n), true
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
			return i, true
		}
	}
	return 0, false
}
