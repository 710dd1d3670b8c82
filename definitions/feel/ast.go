package feel

// node is an expression of the AST. pos is the rune offset where it starts in the source.
type node interface {
	eval(ev *evaluator, sc *scope) Value
	position() int
}

type at struct{ pos int }

func (a at) position() int { return a.pos }

// literal is a constant: a number, string, boolean, null or @"..." value.
type literal struct {
	at
	val Value
}

// nameRef reads a variable (or "?", the input of a unary test).
type nameRef struct {
	at
	name string
}

// negation is arithmetic "-x".
type negation struct {
	at
	x node
}

// binary is an arithmetic, comparison or boolean operator.
type binary struct {
	at
	op   string // + - * / ** = != < <= > >= and or
	l, r node
}

// between is "x between lo and hi".
type between struct {
	at
	x, lo, hi node
}

// inTest is "x in tests": true when one of the positive unary tests holds.
type inTest struct {
	at
	x     node
	tests []node
}

// instanceOf is "x instance of type".
type instanceOf struct {
	at
	x   node
	typ *TypeExpr
}

type ifExpr struct {
	at
	cond, then, els node
}

// iteration is one "name in domain" of a for or quantified expression; domain is a list, or a
// range when hi is set ("1..10").
type iteration struct {
	name   string
	domain node
	hi     node
}

type forExpr struct {
	at
	iters []iteration
	ret   node
}

type quantified struct {
	at
	every     bool
	iters     []iteration
	satisfies node
}

type listLit struct {
	at
	items []node
}

type contextEntry struct {
	key string
	val node
}

type contextLit struct {
	at
	entries []contextEntry
}

// rangeLit is "[a..b]", "(a..b)", "]a..b[" or a unary comparison "< b" (one side open).
type rangeLit struct {
	at
	start, end         node // nil when open
	startIncl, endIncl bool
}

// unaryCmp is a positive unary test "< x", "<= x", "> x", ">= x", "= x", "!= x": in an
// expression it is a range (or for = and != a test against the input "?").
type unaryCmp struct {
	at
	op string
	x  node
}

type param struct {
	name string
	typ  *TypeExpr // nil when not declared
}

type funcDef struct {
	at
	params   []param
	body     node
	external bool
}

type namedArg struct {
	name string
	val  node
}

type call struct {
	at
	fn    node
	args  []node
	named []namedArg // set instead of args for named invocations
	name  string     // the called name, when fn is a nameRef (for messages)
}

type filter struct {
	at
	x, cond node
}

type path struct {
	at
	x   node
	key string
}

// notTests is "not(tests)" in unary tests: true when none of the tests holds.
type notTests struct {
	at
	tests []node
}

// anyTest is "-" in unary tests: always true.
type anyTest struct{ at }

// TypeExpr is a FEEL type as written after "instance of", in a typed parameter or a DMN
// typeRef: a name ("number", "tPerson", "date and time"), or list<T>, context<k: T>, range<T>,
// function<T, …> -> T.
type TypeExpr struct {
	Name   string      // a named type, or "list", "context", "range", "function"
	Elem   *TypeExpr   // list<Elem>, range<Elem>, function's result
	Params []*TypeExpr // function<Params> -> Elem
	Fields []TypeField // context<Fields>
}

// TypeField is one entry of a context type.
type TypeField struct {
	Name string
	Type *TypeExpr
}
