package feel

import (
	"errors"
	"fmt"
	"time"
)

// DefaultMaxSteps bounds the work of one evaluation (loop iterations, filter items, function
// calls) when a Session does not set MaxSteps.
const DefaultMaxSteps = 1_000_000

// DefaultMaxDepth bounds nested function calls (recursion) when a Session does not set MaxDepth.
const DefaultMaxDepth = 1000

// ErrStepLimit is wrapped by the error of an evaluation that used more than MaxSteps steps.
var ErrStepLimit = errors.New("step limit exceeded")

// ErrSizeLimit is wrapped by the error of an evaluation that built a string or list larger
// than MaxItems.
var ErrSizeLimit = errors.New("value size limit exceeded")

// ErrInternal is wrapped by the error of an evaluation that hit a bug of the evaluator.
var ErrInternal = errors.New("internal error of the FEEL evaluator")

// MaxItems bounds the characters of a string and the items of a list an evaluation builds, so
// that doubling a value in a recursion cannot exhaust memory.
const MaxItems = 1 << 24

// ErrDepthLimit is wrapped by the error of an evaluation whose calls nested deeper than MaxDepth.
var ErrDepthLimit = errors.New("call depth limit exceeded")

// Session holds the state of one evaluation: its limits, its clock and the notes on the
// errors that made values null. A Session is not safe for concurrent use; use one per
// evaluation.
type Session struct {
	// MaxSteps bounds loop iterations, filtered items and calls; 0 means DefaultMaxSteps.
	MaxSteps int
	// MaxDepth bounds nested calls; 0 means DefaultMaxDepth.
	MaxDepth int
	// Now is the instant now() and today() return; the zero value means the wall clock, read
	// once per session.
	Now time.Time
	// NamedType checks a value against a type name FEEL does not know (a DMN item
	// definition); known is false when the name is undefined.
	NamedType func(name string, v Value) (conforms, known bool)

	// Notes lists the errors met: FEEL turns an error into null and goes on, and these say why.
	Notes []string

	steps int
	depth int
}

type evaluator = Session

// hardError aborts an evaluation (a limit was hit).
type hardError struct{ err error }

// Scope is a chain of name bindings; the innermost binding of a name wins.
type Scope struct {
	parent *Scope
	name   string
	val    Value
	ctx    *Context
}

// NewScope returns a scope holding the entries of ctx (nil for an empty scope).
func NewScope(ctx *Context) *Scope {
	if ctx == nil {
		ctx = NewContext()
	}
	return &Scope{ctx: ctx}
}

// With returns a child scope that binds name to v.
func (s *Scope) With(name string, v Value) *Scope { return &Scope{parent: s, name: name, val: v} }

// WithContext returns a child scope that binds the entries of c.
func (s *Scope) WithContext(c *Context) *Scope { return &Scope{parent: s, ctx: c} }

// Lookup finds the innermost binding of name.
func (s *Scope) Lookup(name string) (Value, bool) {
	for sc := s; sc != nil; sc = sc.parent {
		if sc.ctx != nil {
			if v, ok := sc.ctx.vals[name]; ok {
				return v, true
			}
		} else if sc.name == name {
			return sc.val, true
		}
	}
	return nil, false
}

type scope = Scope

func (s *Session) note(pos int, format string, args ...any) {
	if len(s.Notes) < 100 {
		msg := fmt.Sprintf(format, args...)
		if pos >= 0 {
			msg = fmt.Sprintf("at %d: %s", pos+1, msg)
		}
		s.Notes = append(s.Notes, msg)
	}
}

// step counts one unit of work and aborts the evaluation past MaxSteps.
func (s *Session) step() {
	s.steps++
	limit := s.MaxSteps
	if limit == 0 {
		limit = DefaultMaxSteps
	}
	if s.steps > limit {
		panic(hardError{fmt.Errorf("%w: the evaluation took more than %d steps (a for loop over a huge range, or a recursion without end?)", ErrStepLimit, limit)})
	}
}

// work counts n steps at once (a built-in comparing n pairs).
func (s *Session) work(n int) {
	s.steps += n - 1
	s.step()
}

// checkSize aborts the evaluation when a value being built would hold more than MaxItems
// characters or items.
func (s *Session) checkSize(n int) {
	if n > MaxItems {
		panic(hardError{fmt.Errorf("%w: a string or list of %d characters or items (the limit is %d)", ErrSizeLimit, n, MaxItems)})
	}
}

func (s *Session) enterCall() {
	s.step()
	s.depth++
	limit := s.MaxDepth
	if limit == 0 {
		limit = DefaultMaxDepth
	}
	if s.depth > limit {
		panic(hardError{fmt.Errorf("%w: function calls nested deeper than %d (a recursion without end?)", ErrDepthLimit, limit)})
	}
}

func (s *Session) leaveCall() { s.depth-- }

// Steps returns the steps used so far.
func (s *Session) Steps() int { return s.steps }

func (s *Session) now() time.Time {
	if s.Now.IsZero() {
		s.Now = time.Now()
	}
	return s.Now
}

// Guard runs f and turns an aborted evaluation (a limit hit) into an error. Every entry point
// that evaluates goes through it.
func (s *Session) Guard(f func() Value) (v Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, ok := r.(hardError)
			if !ok {
				// A bug of this package must not bring down the process that evaluates.
				h = hardError{fmt.Errorf("%w: %v", ErrInternal, r)}
			}
			v, err = nil, h.err
		}
	}()
	return f(), nil
}

// Expression is a parsed FEEL expression, safe for concurrent evaluation.
type Expression struct {
	Source string
	root   node
}

// Parse parses a FEEL expression. names are the names in scope (variables, decisions,
// functions) that may contain spaces or operator characters, so that "Date-Time" or
// "date of birth" read as one name.
func Parse(src string, names ...string) (*Expression, error) {
	return ParseIn(src, NewNames(names...))
}

// ParseIn is Parse with names prepared once (for the many expressions of one model).
func ParseIn(src string, names *Names) (*Expression, error) {
	p, serr := newParser(src, names)
	if serr != nil {
		return nil, serr
	}
	n, serr := p.run(p.expr)
	if serr != nil {
		return nil, serr
	}
	return &Expression{Source: src, root: n}, nil
}

// Eval evaluates e in scope sc. The error is non-nil only when a limit aborted the evaluation;
// other errors give null and a note in s.Notes.
func (s *Session) Eval(e *Expression, sc *Scope) (Value, error) {
	if sc == nil {
		sc = NewScope(nil)
	}
	return s.Guard(func() Value { return e.root.eval(s, sc) })
}

// EvalIn evaluates e inside an evaluation already guarded by Guard (a DMN boxed expression
// evaluating its parts).
func (s *Session) EvalIn(e *Expression, sc *Scope) Value { return e.root.eval(s, sc) }

// Eval parses and evaluates src with the variables of vars: a convenience for one-off
// expressions.
func Eval(src string, vars map[string]Value) (Value, error) {
	names := make([]string, 0, len(vars))
	ctx := NewContext()
	for _, k := range sortedKeys(vars) {
		names = append(names, k)
		ctx.Set(k, vars[k])
	}
	e, err := Parse(src, names...)
	if err != nil {
		return nil, err
	}
	return new(Session).Eval(e, NewScope(ctx))
}

// UnaryTests is a parsed input entry of a decision table ("< 10", "[1..5], > 20", "not(3)", "-").
type UnaryTests struct {
	Source string
	root   node
}

// ParseUnaryTests parses unary tests; names as for Parse.
func ParseUnaryTests(src string, names ...string) (*UnaryTests, error) {
	return ParseUnaryTestsIn(src, NewNames(names...))
}

// ParseUnaryTestsIn is ParseUnaryTests with names prepared once.
func ParseUnaryTestsIn(src string, names *Names) (*UnaryTests, error) {
	p, serr := newParser(src, names)
	if serr != nil {
		return nil, serr
	}
	n, serr := p.run(p.unaryTests)
	if serr != nil {
		return nil, serr
	}
	return &UnaryTests{Source: src, root: n}, nil
}

// Match evaluates the tests against input: true, false, or nil when a test cannot tell.
func (s *Session) Match(u *UnaryTests, input Value, sc *Scope) Value {
	if sc == nil {
		sc = NewScope(nil)
	}
	return matchTests(s, u.root, input, sc)
}

// IsAny reports whether the tests are "-" (any input).
func (u *UnaryTests) IsAny() bool {
	_, ok := u.root.(*anyTest)
	return ok
}
