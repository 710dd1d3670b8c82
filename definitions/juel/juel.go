package juel

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrMissingVariable is wrapped by the error of an evaluation that read a variable that is
// not set (EL's PropertyNotFoundException).
var ErrMissingVariable = errors.New("variable not set")

// Expression is a parsed JUEL expression: one "${...}" (its value is the expression's value),
// or a composite "text ${...} text" (its value is the text with each part's value in it).
// It is safe for concurrent use.
type Expression struct {
	Source string
	parts  []part
}

type part struct {
	text string
	expr node // nil for text
}

// Parse parses src: text with "${...}" or "#{...}" parts ("\${" is a literal "${").
func Parse(src string) (*Expression, error) {
	e := &Expression{Source: src}
	var text strings.Builder
	rest, offset := src, 0
	for {
		i := strings.IndexAny(rest, "$#\\")
		if i < 0 {
			text.WriteString(rest)
			break
		}
		c := rest[i]
		switch {
		case c == '\\' && (strings.HasPrefix(rest[i+1:], "${") || strings.HasPrefix(rest[i+1:], "#{")):
			text.WriteString(rest[:i])
			text.WriteString(rest[i+1 : i+3])
			rest, offset = rest[i+3:], offset+i+3
			continue
		case c != '\\' && strings.HasPrefix(rest[i+1:], "{"):
		default:
			text.WriteString(rest[:i+1])
			rest, offset = rest[i+1:], offset+i+1
			continue
		}
		text.WriteString(rest[:i])
		end := closingBrace(rest, i+1)
		if end < 0 {
			return nil, &SyntaxError{Column: utf8.RuneCountInString(src[:offset+i]) + 1, Msg: "\"" + rest[i:i+2] + "\" is not closed by \"}\""}
		}
		if text.Len() > 0 {
			e.parts = append(e.parts, part{text: text.String()})
			text.Reset()
		}
		base := utf8.RuneCountInString(src[:offset+i+2])
		n, err := parseBody(rest[i+2:end], base)
		if err != nil {
			return nil, err
		}
		e.parts = append(e.parts, part{expr: n})
		rest, offset = rest[end+1:], offset+end+1
	}
	if text.Len() > 0 || len(e.parts) == 0 {
		e.parts = append(e.parts, part{text: text.String()})
	}
	return e, nil
}

// ParseBody parses the text of an expression without its "${" and "}" (a script of format
// juel, or a bare condition "amount > 100").
func ParseBody(body string) (*Expression, error) {
	n, err := parseBody(body, 0)
	if err != nil {
		return nil, err
	}
	return &Expression{Source: body, parts: []part{{expr: n}}}, nil
}

// closingBrace returns the index of the "}" closing the "{" at s[open], skipping string
// literals and nested braces, or -1.
func closingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			if i >= len(s) {
				return -1
			}
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

// IsLiteral reports whether e has no ${...} part.
func (e *Expression) IsLiteral() bool { return len(e.parts) == 1 && e.parts[0].expr == nil }

// Names returns the variables the expression reads that must be set, sorted: not the
// context objects (execution, task, authenticatedUserId), not a variable named in
// variables:get(...), not the operand of "empty" or of a comparison with null.
func (e *Expression) Names() []string {
	var roots []node
	for _, p := range e.parts {
		if p.expr != nil {
			roots = append(roots, p.expr)
		}
	}
	return names(roots)
}

// Env is what an evaluation sees: the variables and the context the engine gives.
type Env struct {
	Vars map[string]any
	// Now is the instant now() and dateTime() return (the case's clock); zero means the wall
	// clock. Zone is where dateTime() counts days (default: Now's location).
	Now  time.Time
	Zone *time.Location
	// User is the authenticated user (authenticatedUserId, currentUser()).
	User string
	// Execution describes the case and element (execution.processInstanceId, ...).
	Execution *Execution
	// Task is the user task being created (task.name, task.assignee, ...); nil elsewhere.
	Task *Task
}

// Execution is what the execution object tells about the case.
type Execution struct {
	ProcessInstanceID   string
	ProcessDefinitionID string
	BusinessKey         string
	ActivityID          string
	ActivityName        string
}

// Task is what the task object tells about the user task being created.
type Task struct {
	ID, Name, Assignee, Key, Description string
	Created                              time.Time
}

// Eval evaluates the expression. A single "${...}" gives its value: nil, bool, int64,
// float64, string, []any, map[string]any, time.Time (a java.util.Date) or a DateTime; a
// composite gives a string.
func (e *Expression) Eval(env *Env) (v any, err error) {
	if env == nil {
		env = &Env{}
	}
	ev := &evaluator{env: env}
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			v, err = nil, fmt.Errorf("%s: %w", strings.TrimSpace(e.Source), f.err)
		}
	}()
	if len(e.parts) == 1 {
		if p := e.parts[0]; p.expr != nil {
			return ev.eval(p.expr), nil
		}
		return e.parts[0].text, nil
	}
	var b strings.Builder
	for _, p := range e.parts {
		if p.expr == nil {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(Text(ev.eval(p.expr)))
	}
	return b.String(), nil
}

// failure carries an evaluation error up through the recursion.
type failure struct{ err error }

type evaluator struct{ env *Env }

func (ev *evaluator) failf(n node, format string, args ...any) {
	panic(failure{fmt.Errorf("column %d: %s", n.position(), fmt.Sprintf(format, args...))})
}

func (ev *evaluator) now() time.Time {
	t := ev.env.Now
	if t.IsZero() {
		t = time.Now()
	}
	if ev.env.Zone != nil {
		t = t.In(ev.env.Zone)
	}
	return t
}
