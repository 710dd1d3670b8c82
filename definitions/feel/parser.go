package feel

import (
	"fmt"
	"strings"
	"sync"
)

// stopWords end a name that is read word by word: "a b" is one name, "a and b" is not.
var stopWords = map[string]bool{
	"and": true, "or": true, "in": true, "instance": true, "between": true,
	"then": true, "else": true, "return": true, "satisfies": true,
}

// keywords cannot start a name.
var keywords = map[string]bool{
	"if": true, "for": true, "some": true, "every": true, "function": true,
	"true": true, "false": true, "null": true, "then": true, "else": true, "return": true,
	"satisfies": true, "and": true, "or": true, "in": true, "between": true, "instance": true,
}

type parseFail struct{ err *SyntaxError }

// parser builds the AST of an expression or of unary tests from tokens. Names are resolved
// against the known names (variables in scope, built-in functions, context keys seen so far):
// the longest known name wins, so "date and time" or "Date-Time" read as one name when known.
type parser struct {
	lx    *lexer
	toks  []token
	i     int
	names []*Names // known names: the built-ins, the caller's, and those met while parsing
	local *Names
	depth int
	// rangeEnd is set while the end point of a range is read: "[" then closes the range
	// ("[1..10[") instead of starting a filter.
	rangeEnd bool
}

// maxDepth bounds the nesting of an expression, so that a hostile input cannot exhaust the
// stack of the parser or of the evaluator.
const maxDepth = 200

func newParser(src string, names *Names) (*parser, *SyntaxError) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{lx: &lexer{src: []rune(src)}, toks: toks, local: NewNames()}
	p.names = []*Names{builtinNameSet(), p.local}
	if names != nil {
		p.names = append(p.names, names)
	}
	return p, nil
}

// addName makes a name known to the rest of the parse.
func (p *parser) addName(n string) { p.local.Add(n) }

// Names is a set of known names, prepared for the parser: the names of a DMN model are
// prepared once for all its expressions. A Names must not be changed while parses use it.
type Names struct {
	byFirst map[string][]knownName
}

// knownName is a name of several tokens; spaced[i] says whether white space separates token
// i from token i+1 (it must match where a symbol is involved: "Date-Time" is not "Date - Time").
type knownName struct {
	texts  []string
	spaced []bool
}

// NewNames prepares names for the parser.
func NewNames(names ...string) *Names {
	ns := &Names{byFirst: map[string][]knownName{}}
	for _, n := range names {
		ns.Add(n)
	}
	return ns
}

// Add adds a name.
func (ns *Names) Add(n string) {
	ts, err := lex(n)
	if err != nil || len(ts) < 3 { // one token and EOF: any word is read as a name anyway
		return
	}
	ts = ts[:len(ts)-1]
	k := knownName{texts: make([]string, len(ts)), spaced: make([]bool, len(ts)-1)}
	for i, t := range ts {
		if t.kind == tString || t.kind == tTemporal {
			return
		}
		k.texts[i] = t.text
		if i > 0 {
			k.spaced[i-1] = ts[i-1].end != t.pos
		}
	}
	for _, seq := range ns.byFirst[k.texts[0]] {
		if strings.Join(seq.texts, "\x00") == strings.Join(k.texts, "\x00") && fmt.Sprint(seq.spaced) == fmt.Sprint(k.spaced) {
			return
		}
	}
	ns.byFirst[k.texts[0]] = append(ns.byFirst[k.texts[0]], k)
}

var (
	builtinNamesOnce sync.Once
	builtinNamesSet  *Names
)

func builtinNameSet() *Names {
	builtinNamesOnce.Do(func() { builtinNamesSet = NewNames(builtinNames()...) })
	return builtinNamesSet
}

func (p *parser) tok() token       { return p.toks[p.i] }
func (p *parser) peek(k int) token { return p.toks[min(p.i+k, len(p.toks)-1)] }
func (p *parser) advance() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) is(text string) bool {
	t := p.tok()
	return (t.kind == tPunct || t.kind == tName) && t.text == text
}

func (p *parser) isKw(text string) bool {
	t := p.tok()
	return t.kind == tName && t.text == text
}

func (p *parser) fail(pos int, format string, args ...any) {
	panic(parseFail{p.lx.errAt(pos, format, args...)})
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	case tNumber:
		return "number " + t.text
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) expect(text string) token {
	if !p.is(text) {
		t := p.tok()
		p.fail(t.pos, "expected %q, found %s", text, describe(t))
	}
	return p.advance()
}

// run calls f, turning a parse failure into a SyntaxError, and checks that all input is used.
func (p *parser) run(f func() node) (n node, err *SyntaxError) {
	defer func() {
		if r := recover(); r != nil {
			pf, ok := r.(parseFail)
			if !ok {
				panic(r)
			}
			n, err = nil, pf.err
		}
	}()
	n = f()
	if t := p.tok(); t.kind != tEOF {
		p.fail(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok().pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// expr parses a textual expression.
func (p *parser) expr() node {
	p.enter()
	defer p.leave()
	t := p.tok()
	if t.kind == tName && p.knownMatch() == 0 {
		switch t.text {
		case "if":
			return p.ifExpr()
		case "for":
			return p.forExpr()
		case "some", "every":
			if nt := p.peek(1); nt.kind == tName && !keywords[nt.text] {
				return p.quantified()
			}
		case "function":
			if p.peek(1).text == "(" {
				return p.funcDef()
			}
		}
	}
	return p.or()
}

func (p *parser) ifExpr() node {
	start := p.advance().pos
	cond := p.expr()
	if !p.isKw("then") {
		p.fail(p.tok().pos, "expected \"then\", found %s", describe(p.tok()))
	}
	p.advance()
	then := p.expr()
	if !p.isKw("else") {
		p.fail(p.tok().pos, "expected \"else\", found %s", describe(p.tok()))
	}
	p.advance()
	return &ifExpr{at{start}, cond, then, p.expr()}
}

// iterations parses "name in domain {, name in domain}" up to the keyword end.
func (p *parser) iterations(end string) []iteration {
	var its []iteration
	for {
		name := p.name()
		if !p.isKw("in") {
			p.fail(p.tok().pos, "expected \"in\" after %q, found %s", name, describe(p.tok()))
		}
		p.advance()
		it := iteration{name: name, domain: p.expr()}
		if p.is("..") {
			p.advance()
			it.hi = p.expr()
		}
		p.addName(name)
		its = append(its, it)
		if p.is(",") {
			p.advance()
			continue
		}
		if !p.isKw(end) {
			p.fail(p.tok().pos, "expected \",\" or %q, found %s", end, describe(p.tok()))
		}
		p.advance()
		return its
	}
}

func (p *parser) forExpr() node {
	start := p.advance().pos
	its := p.iterations("return")
	return &forExpr{at{start}, its, p.expr()}
}

func (p *parser) quantified() node {
	t := p.advance()
	its := p.iterations("satisfies")
	return &quantified{at{t.pos}, t.text == "every", its, p.expr()}
}

func (p *parser) funcDef() node {
	start := p.advance().pos
	p.expect("(")
	var params []param
	for !p.is(")") {
		name := p.rawName(",", ")", ":")
		pr := param{name: name}
		if p.is(":") {
			p.advance()
			pr.typ = p.typeExpr()
		}
		p.addName(name)
		params = append(params, pr)
		if !p.is(")") {
			p.expect(",")
		}
	}
	p.advance()
	fd := &funcDef{at: at{start}, params: params}
	if p.isKw("external") {
		p.advance()
		fd.external = true
	}
	fd.body = p.expr()
	return fd
}

func (p *parser) or() node {
	l := p.and()
	for p.isKw("or") && p.knownMatch() == 0 {
		t := p.advance()
		l = &binary{at{t.pos}, "or", l, p.and()}
	}
	return l
}

func (p *parser) and() node {
	l := p.comparison()
	for p.isKw("and") {
		t := p.advance()
		l = &binary{at{t.pos}, "and", l, p.comparison()}
	}
	return l
}

func (p *parser) comparison() node {
	l := p.additive()
	for {
		t := p.tok()
		switch {
		case t.kind == tPunct && (t.text == "=" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
			p.advance()
			l = &binary{at{t.pos}, t.text, l, p.additive()}
		case p.isKw("between"):
			p.advance()
			lo := p.additive()
			if !p.isKw("and") {
				p.fail(p.tok().pos, "expected \"and\" in between, found %s", describe(p.tok()))
			}
			p.advance()
			l = &between{at{t.pos}, l, lo, p.additive()}
		case p.isKw("in"):
			p.advance()
			l = &inTest{at{t.pos}, l, p.inTests()}
		case p.isKw("instance") && p.peek(1).text == "of":
			p.advance()
			p.advance()
			l = &instanceOf{at{t.pos}, l, p.typeExpr()}
		default:
			return l
		}
	}
}

// inTests parses what follows "in": one positive unary test, or a parenthesised list of them.
// After "(" comes a range with an open start ("(1..5]"), a list of tests, or one test in
// parentheses; the first test tells which, so nothing is parsed twice.
func (p *parser) inTests() []node {
	if !p.is("(") {
		// Without parentheses the test binds like the other comparisons: "x in [1..5] and y"
		// is "(x in [1..5]) and y", as Camunda and Drools read it.
		return []node{p.simpleTest()}
	}
	open := p.advance()
	saved := p.rangeEnd
	p.rangeEnd = false
	defer func() { p.rangeEnd = saved }()
	first := p.positiveTest()
	if p.is("..") {
		p.rangeEnd = saved
		return []node{p.postfix(p.rangeRest(open.pos, first, false))}
	}
	tests := []node{first}
	for p.is(",") {
		p.advance()
		tests = append(tests, p.positiveTest())
	}
	p.expect(")")
	return tests
}

// positiveTest parses one positive unary test: a comparison with the input ("< 10", "= x") or
// an expression.
func (p *parser) positiveTest() node {
	if c := p.inputComparison(); c != nil {
		return c
	}
	return p.expr()
}

// inputComparison parses a comparison with the input ("< 10", "= x"), or returns nil when
// none follows.
func (p *parser) inputComparison() node {
	t := p.tok()
	if t.kind == tPunct {
		switch t.text {
		case "<", "<=", ">", ">=", "=", "!=":
			p.advance()
			return &unaryCmp{at{t.pos}, t.text, p.additive()}
		}
	}
	return nil
}

// simpleTest parses the positive unary test after "in" without parentheses: a comparison
// with the input, or an expression without and, or, if, for and quantifiers.
func (p *parser) simpleTest() node {
	if c := p.inputComparison(); c != nil {
		return c
	}
	if p.isKw("if") || p.isKw("for") || p.isKw("some") || p.isKw("every") || p.isKw("function") {
		return p.expr()
	}
	return p.additive()
}

func (p *parser) additive() node {
	l := p.multiplicative()
	for p.is("+") || p.is("-") {
		t := p.advance()
		l = &binary{at{t.pos}, t.text, l, p.multiplicative()}
	}
	return l
}

func (p *parser) multiplicative() node {
	l := p.power()
	for p.is("*") || p.is("/") {
		t := p.advance()
		l = &binary{at{t.pos}, t.text, l, p.power()}
	}
	return l
}

func (p *parser) power() node {
	l := p.unary()
	for p.is("**") {
		t := p.advance()
		l = &binary{at{t.pos}, "**", l, p.unary()}
	}
	return l
}

func (p *parser) unary() node {
	if p.is("-") {
		t := p.advance()
		p.enter()
		defer p.leave()
		x := p.unary()
		if lit, ok := x.(*literal); ok {
			if n, ok := lit.val.(Number); ok {
				return &literal{at{t.pos}, n.Neg()}
			}
		}
		return &negation{at{t.pos}, x}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x node) node {
	for {
		t := p.tok()
		switch {
		case p.is("("):
			x = p.callArgs(x)
		case p.is("[") && !p.rangeEnd:
			p.advance()
			cond := p.expr()
			p.expect("]")
			x = &filter{at{t.pos}, x, cond}
		case p.is("."):
			p.advance()
			nt := p.tok()
			if nt.kind != tName {
				p.fail(nt.pos, "expected a name after \".\", found %s", describe(nt))
			}
			x = &path{at{t.pos}, x, p.name()}
		default:
			return x
		}
	}
}

// callArgs parses "(args)" after a function; arguments are all positional or all named.
func (p *parser) callArgs(fn node) node {
	open := p.advance()
	c := &call{at: at{open.pos}, fn: fn}
	if nr, ok := fn.(*nameRef); ok {
		c.name = nr.name
		c.pos = nr.pos
	}
	named := p.namedArgAhead()
	for !p.is(")") {
		if named {
			name := p.rawName(":")
			p.expect(":")
			c.named = append(c.named, namedArg{name, p.expr()})
		} else {
			c.args = append(c.args, p.expr())
		}
		if !p.is(")") {
			if !p.is(",") {
				p.fail(p.tok().pos, "expected \",\" or \")\" in the arguments of %s, found %s", callName(c), describe(p.tok()))
			}
			p.advance()
		}
	}
	p.advance()
	return c
}

func callName(c *call) string {
	if c.name != "" {
		return c.name
	}
	return "the function"
}

// namedArgAhead reports whether the arguments that start here are named ("a: 1").
func (p *parser) namedArgAhead() bool {
	for k := 0; ; k++ {
		t := p.peek(k)
		switch {
		case t.kind == tName || t.kind == tOther:
		case t.kind == tPunct && strings.Contains("-+*/.", t.text) && k > 0:
		case t.kind == tPunct && t.text == ":" && k > 0:
			return true
		default:
			return false
		}
	}
}
