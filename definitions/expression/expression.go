// Package expression compiles and evaluates the expressions written in BPMN
// definitions: JUEL-style "${...}" (Flowable, Activiti, Camunda 7) and
// FEEL-style "=..." (Zeebe). Both are translated token by token into
// github.com/expr-lang/expr, which does the parsing and evaluation; this
// package only maps the operators and keywords the dialects spell differently.
package expression

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// Dialect is the surface syntax an expression was written in.
type Dialect string

// Dialects.
const (
	JUEL Dialect = "juel" // ${...} or #{...}
	FEEL Dialect = "feel" // =...
	Expr Dialect = "expr" // anything else: expr-lang syntax as is
)

// Expression is a compiled expression.
type Expression struct {
	Source  string
	Dialect Dialect
	// Translated is the expr-lang text that was compiled.
	Translated string
	prog       *vm.Program
	vars       []string
}

// ErrMissingVariable is wrapped by Eval when a variable the expression
// reads is not set.
var ErrMissingVariable = errors.New("variable not set")

// IsExpression reports whether s is written as an expression (${...},
// #{...} or =...) rather than a literal.
func IsExpression(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "=") || strings.Contains(s, "${") || strings.Contains(s, "#{")
}

// Compile parses src. A JUEL source must be exactly one ${...} or #{...};
// a FEEL source starts with "="; anything else is compiled as expr-lang text.
func Compile(src string) (*Expression, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, errors.New("empty expression")
	}
	e := &Expression{Source: src}
	var body string
	switch {
	case strings.HasPrefix(s, "${") || strings.HasPrefix(s, "#{"):
		end := matchBrace(s, 1)
		if end < 0 {
			return nil, fmt.Errorf("expression %q: missing closing }", s)
		}
		if strings.TrimSpace(s[end+1:]) != "" {
			return nil, fmt.Errorf("expression %q: text after the closing }", s)
		}
		e.Dialect, body = JUEL, s[2:end]
	case strings.HasPrefix(s, "="):
		e.Dialect, body = FEEL, s[1:]
	default:
		e.Dialect, body = Expr, s
	}
	if strings.TrimSpace(body) == "" {
		return nil, fmt.Errorf("expression %q is empty", s)
	}
	translated, err := translate(body, e.Dialect)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", s, err)
	}
	e.Translated = translated
	tree, err := expr.Compile(translated, expr.AllowUndefinedVariables())
	if err != nil {
		return nil, fmt.Errorf("expression %q: %s", s, firstLine(err.Error()))
	}
	e.prog = tree
	e.vars = collectVars(tree.Node())
	return e, nil
}

// MustCompile is Compile for sources known to be valid; it panics otherwise.
func MustCompile(src string) *Expression {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}

// Vars returns the names of the variables the expression reads, sorted.
func (e *Expression) Vars() []string { return e.vars }

// Eval evaluates the expression over vars. A variable the expression reads
// that vars does not hold is an error wrapping ErrMissingVariable.
func (e *Expression) Eval(vars map[string]any) (any, error) {
	for _, name := range e.vars {
		if _, ok := vars[name]; !ok {
			return nil, fmt.Errorf("%w: %s (in %s)", ErrMissingVariable, name, strings.TrimSpace(e.Source))
		}
	}
	env := make(map[string]any, len(vars))
	for k, v := range vars {
		env[k] = normalize(v)
	}
	out, err := expr.Run(e.prog, env)
	if err != nil {
		return nil, fmt.Errorf("evaluating %s: %s", strings.TrimSpace(e.Source), firstLine(err.Error()))
	}
	return out, nil
}

// Bool evaluates the expression and requires a boolean result.
func (e *Expression) Bool(vars map[string]any) (bool, error) {
	v, err := e.Eval(vars)
	if err != nil {
		return false, err
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		// JUEL coerces the strings "true"/"false" to booleans.
		if pb, perr := strconv.ParseBool(b); perr == nil {
			return pb, nil
		}
	}
	return false, fmt.Errorf("condition %s gave %v (%T), not a boolean", strings.TrimSpace(e.Source), v, v)
}

// Int evaluates the expression and requires a whole number.
func (e *Expression) Int(vars map[string]any) (int, error) {
	v, err := e.Eval(vars)
	if err != nil {
		return 0, err
	}
	if n, ok := toInt(v); ok {
		return n, nil
	}
	return 0, fmt.Errorf("%s gave %v (%T), not a whole number", strings.TrimSpace(e.Source), v, v)
}

// Value returns the value of s: for an expression its result; for a
// template such as "kermit_${loopCounter}" the interpolated string; for
// plain text the text itself.
func Value(s string, vars map[string]any) (any, error) {
	t := strings.TrimSpace(s)
	if !IsExpression(t) {
		return s, nil
	}
	if strings.HasPrefix(t, "=") || (strings.HasPrefix(t, "${") || strings.HasPrefix(t, "#{")) && matchBrace(t, 1) == len(t)-1 {
		e, err := Compile(t)
		if err != nil {
			return nil, err
		}
		return e.Eval(vars)
	}
	return Interpolate(s, vars)
}

// Interpolate replaces every ${...} in s by its value as text.
func Interpolate(s string, vars map[string]any) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			i = strings.Index(s, "#{")
		}
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := matchBrace(s, i+1)
		if end < 0 {
			return "", fmt.Errorf("template %q: missing closing }", s)
		}
		e, err := Compile(s[i : end+1])
		if err != nil {
			return "", err
		}
		v, err := e.Eval(vars)
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(Text(v))
		s = s[end+1:]
	}
}

// Text renders a value the way a template shows it: whole numbers without
// a decimal point, nil as the empty string.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// normalize turns whole float64 values (what encoding/json produces) into
// ints, so that 3 == 3.0 and list[index] behave as a designer expects.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = normalize(el)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = normalize(el)
		}
		return out
	}
	return v
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n == math.Trunc(n) {
			return int(n), true
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
			return i, true
		}
	}
	return 0, false
}

// matchBrace returns the index of the } closing the { at s[open], skipping
// string literals, or -1.
func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := skipString(s, i)
			if j < 0 {
				return -1
			}
			i = j
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// skipString returns the index of the quote closing the literal at s[i], or -1.
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if s[j] == q {
			return j
		}
	}
	return -1
}

// juelWords maps JUEL's word operators to expr-lang's.
var juelWords = map[string]string{
	"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
	"div": "/", "mod": "%", "null": "nil",
}

// feelWords maps FEEL's keywords to expr-lang's.
var feelWords = map[string]string{"null": "nil"}

// translate rewrites body token by token; string literals pass unchanged.
func translate(body string, d Dialect) (string, error) {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\'' || c == '"':
			j := skipString(body, i)
			if j < 0 {
				return "", errors.New("unterminated string literal")
			}
			b.WriteString(body[i : j+1])
			i = j
		case isIdentStart(c):
			j := i
			for j < len(body) && isIdentPart(body[j]) {
				j++
			}
			word := body[i:j]
			// A word after '.' is a member name, never an operator.
			prev := lastNonSpace(b.String())
			if d == JUEL && word == "empty" && prev != '.' {
				// JUEL's prefix "empty x": x is the identifier chain that follows.
				k := j
				for k < len(body) && body[k] == ' ' {
					k++
				}
				m := k
				for m < len(body) && (isIdentPart(body[m]) || body[m] == '.') {
					m++
				}
				if m > k {
					x := body[k:m]
					b.WriteString("(" + x + " == nil || len(" + x + ") == 0)")
					i = m - 1
					continue
				}
			}
			if prev != '.' {
				switch d {
				case JUEL:
					if w, ok := juelWords[word]; ok {
						word = w
					}
				case FEEL:
					if w, ok := feelWords[word]; ok {
						word = w
					}
				}
			}
			b.WriteString(word)
			i = j - 1
		case d == FEEL && c == '=':
			// FEEL's equality is a single '='; keep !=, <=, >= and == as they are.
			prev := byte(0)
			if i > 0 {
				prev = body[i-1]
			}
			next := byte(0)
			if i+1 < len(body) {
				next = body[i+1]
			}
			if prev == '!' || prev == '<' || prev == '>' || prev == '=' || next == '=' {
				b.WriteByte(c)
			} else {
				b.WriteString("==")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func lastNonSpace(s string) byte {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
			return s[i]
		}
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// collectVars returns the root identifiers the program reads: not names
// bound by let, and not names called as functions.
func collectVars(root ast.Node) []string {
	bound := &boundNames{names: map[string]bool{}}
	ast.Walk(&root, bound)
	v := &varCollector{bound: bound.names, seen: map[string]bool{}}
	ast.Walk(&root, v)
	out := make([]string, 0, len(v.seen))
	for name := range v.seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

type boundNames struct{ names map[string]bool }

func (b *boundNames) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.VariableDeclaratorNode:
		b.names[n.Name] = true
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			b.names[id.Value] = true
		}
	}
}

type varCollector struct {
	bound map[string]bool
	seen  map[string]bool
}

func (v *varCollector) Visit(node *ast.Node) {
	if n, ok := (*node).(*ast.IdentifierNode); ok && !v.bound[n.Value] && n.Value != "$env" {
		v.seen[n.Value] = true
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
