package juel

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// node is an expression of the AST.
type node interface{ position() int }

type at struct{ pos int } // column in the whole source, 1-based

func (a at) position() int { return a.pos }

type (
	literal struct {
		at
		val any
	}
	ident struct {
		at
		name string
		// lenient: reading an unset variable here gives null instead of an error (the operand
		// of "empty", or of a comparison with null).
		lenient bool
	}
	unary struct {
		at
		op string // - ! empty
		x  node
	}
	binary struct {
		at
		op   string // canonical: + - * / % == != < > <= >= && ||
		l, r node
	}
	ternary struct {
		at
		cond, then, els node
	}
	member struct { // x.name or x[index]
		at
		x     node
		name  string // set for x.name
		index node   // set for x[index]
	}
	callMethod struct { // x.name(args)
		at
		x    node
		name string
		args []node
	}
	callFunc struct { // name(args) or ns:name(args)
		at
		ns, name string
		args     []node
	}
	listLit struct {
		at
		items []node
	}
)

// words maps EL's keyword operators to the symbols they spell.
var words = map[string]string{
	"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
	"and": "&&", "or": "||", "not": "!", "div": "/", "mod": "%",
}

type parser struct {
	lx   *lexer
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) col(t token) int {
	return p.lx.base + utf8.RuneCountInString(p.lx.src[:t.pos]) + 1
}

func (p *parser) fail(t token, format string, args ...any) error {
	return &SyntaxError{Column: p.col(t), Msg: fmt.Sprintf(format, args...)}
}

// op reports whether the next token is operator (or keyword) s, consuming it.
func (p *parser) op(ops ...string) (string, token, bool) {
	t := p.peek()
	var text string
	switch t.kind {
	case tOp:
		text = t.text
	case tIdent:
		text = words[t.text]
	}
	for _, o := range ops {
		if text == o {
			p.advance()
			return o, t, true
		}
	}
	return "", t, false
}

func (p *parser) expect(s string) error {
	if _, _, ok := p.op(s); !ok {
		return p.fail(p.peek(), "expected %q, found %s", s, describe(p.peek()))
	}
	return nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the expression"
	case tString:
		return strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// parseBody parses the text of one ${...}; base is its column offset in the whole source.
func parseBody(body string, base int) (node, error) {
	lx := &lexer{src: body, base: base}
	toks, err := lx.all()
	if err != nil {
		return nil, err
	}
	p := &parser{lx: lx, toks: toks}
	if p.peek().kind == tEOF {
		return nil, p.fail(p.peek(), "the expression is empty")
	}
	n, err := p.ternary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.fail(t, "unexpected %s after the expression", describe(t))
	}
	markLenient(n)
	if err := checkMethods(n); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) ternary() (node, error) {
	cond, err := p.binaryLevel(0)
	if err != nil {
		return nil, err
	}
	_, t, ok := p.op("?")
	if !ok {
		return cond, nil
	}
	then, err := p.ternary()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	els, err := p.ternary()
	if err != nil {
		return nil, err
	}
	return &ternary{at{p.col(t)}, cond, then, els}, nil
}

// levels lists the binary operators from the loosest binding to the tightest.
var levels = [][]string{
	{"||"}, {"&&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"+", "-"}, {"*", "/", "%"},
}

func (p *parser) binaryLevel(level int) (node, error) {
	if level == len(levels) {
		return p.unaryExpr()
	}
	l, err := p.binaryLevel(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		o, t, ok := p.op(levels[level]...)
		if !ok {
			return l, nil
		}
		r, err := p.binaryLevel(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binary{at{p.col(t)}, o, l, r}
	}
}

func (p *parser) unaryExpr() (node, error) {
	t := p.peek()
	if o, _, ok := p.op("-", "!"); ok {
		x, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		return &unary{at{p.col(t)}, o, x}, nil
	}
	if t.kind == tIdent && t.text == "empty" {
		p.advance()
		x, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		return &unary{at{p.col(t)}, "empty", x}, nil
	}
	return p.valueExpr()
}

func (p *parser) valueExpr() (node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tOp && t.text == ".":
			p.advance()
			name := p.peek()
			if name.kind != tIdent {
				return nil, p.fail(name, "expected a property or method name after \".\", found %s", describe(name))
			}
			p.advance()
			if nt := p.peek(); nt.kind == tOp && nt.text == "(" {
				args, err := p.args()
				if err != nil {
					return nil, err
				}
				x = &callMethod{at{p.col(name)}, x, name.text, args}
			} else {
				x = &member{at: at{p.col(name)}, x: x, name: name.text}
			}
		case t.kind == tOp && t.text == "[":
			p.advance()
			idx, err := p.ternary()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			x = &member{at: at{p.col(t)}, x: x, index: idx}
		default:
			return x, nil
		}
	}
}

// args reads "(a, b, ...)".
func (p *parser) args() ([]node, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	return p.items(")")
}

// items reads "a, b, ...", possibly none, up to and with the closing close.
func (p *parser) items(close string) ([]node, error) {
	var out []node
	if _, _, ok := p.op(close); ok {
		return out, nil
	}
	for {
		a, err := p.ternary()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		if _, _, ok := p.op(close); ok {
			return out, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) primary() (node, error) {
	t := p.advance()
	pos := at{p.col(t)}
	switch t.kind {
	case tInt:
		i, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.fail(t, "number %s is too large", t.text)
		}
		return &literal{pos, i}, nil
	case tFloat:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.fail(t, "invalid number %s", t.text)
		}
		return &literal{pos, f}, nil
	case tString:
		return &literal{pos, t.text}, nil
	case tIdent:
		switch t.text {
		case "true":
			return &literal{pos, true}, nil
		case "false":
			return &literal{pos, false}, nil
		case "null":
			return &literal{pos, nil}, nil
		case "instanceof", "empty":
			return nil, p.fail(t, "%q is a reserved word of EL", t.text)
		}
		if _, reserved := words[t.text]; reserved {
			return nil, p.fail(t, "expected a value, found the operator %q", t.text)
		}
		// ns:name(...) is a function of a namespace; "a ? b : c" keeps its spaces apart.
		if c := p.peek(); c.kind == tOp && c.text == ":" && c.pos == t.pos+len(t.text) {
			if n := p.toks[p.i+1]; n.kind == tIdent && n.pos == c.pos+1 {
				if paren := p.toks[p.i+2]; paren.kind == tOp && paren.text == "(" {
					p.advance()
					p.advance()
					args, err := p.args()
					if err != nil {
						return nil, err
					}
					return p.function(pos, t.text, n.text, args, n)
				}
			}
		}
		if c := p.peek(); c.kind == tOp && c.text == "(" {
			args, err := p.args()
			if err != nil {
				return nil, err
			}
			return p.function(pos, "", t.text, args, t)
		}
		return &ident{at: pos, name: t.text}, nil
	case tOp:
		switch t.text {
		case "(":
			x, err := p.ternary()
			if err != nil {
				return nil, err
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return x, nil
		case "[":
			items, err := p.items("]")
			if err != nil {
				return nil, err
			}
			return &listLit{pos, items}, nil
		}
	}
	return nil, p.fail(t, "expected a value, found %s", describe(t))
}

// function checks a function call against the functions the engine provides: EL resolves
// functions when it parses, so an unknown one is a parse error.
func (p *parser) function(pos at, ns, name string, args []node, t token) (node, error) {
	key := name
	if ns != "" {
		key = ns + ":" + name
	}
	f, ok := functions[key]
	if !ok && ns != "" && variableNamespaces[ns] {
		f, ok = functions["variables:"+name]
	}
	if !ok {
		return nil, p.fail(t, "unknown function %s(): the functions are %s", key, strings.Join(functionNames(), ", "))
	}
	if len(args) < f.min || (f.max >= 0 && len(args) > f.max) {
		return nil, p.fail(t, "%s() takes %s", key, f.arity())
	}
	// variables:get(name) names the variable: a bare identifier is its name, not its value.
	if ns != "" && len(args) > 0 {
		if id, isIdent := args[0].(*ident); isIdent {
			args[0] = &literal{id.at, id.name}
		}
	}
	return &callFunc{pos, ns, name, args}, nil
}

// markLenient marks the variables whose absence EL code tests for: "empty x", "x == null".
func markLenient(n node) {
	walk(n, func(n node) {
		switch x := n.(type) {
		case *unary:
			if id, ok := x.x.(*ident); ok && x.op == "empty" {
				id.lenient = true
			}
		case *binary:
			if x.op == "==" || x.op == "!=" {
				if id, ok := x.l.(*ident); ok && isNull(x.r) {
					id.lenient = true
				}
				if id, ok := x.r.(*ident); ok && isNull(x.l) {
					id.lenient = true
				}
			}
		}
	})
}

func isNull(n node) bool {
	l, ok := n.(*literal)
	return ok && l.val == nil
}

// walk calls f on n and every node below it.
func walk(n node, f func(node)) {
	if n == nil {
		return
	}
	f(n)
	switch x := n.(type) {
	case *unary:
		walk(x.x, f)
	case *binary:
		walk(x.l, f)
		walk(x.r, f)
	case *ternary:
		walk(x.cond, f)
		walk(x.then, f)
		walk(x.els, f)
	case *member:
		walk(x.x, f)
		walk(x.index, f)
	case *callMethod:
		walk(x.x, f)
		for _, a := range x.args {
			walk(a, f)
		}
	case *callFunc:
		for _, a := range x.args {
			walk(a, f)
		}
	case *listLit:
		for _, a := range x.items {
			walk(a, f)
		}
	}
}

// names returns the variables n reads that must be set: not the context objects, and not
// the ones read leniently.
func names(roots []node) []string {
	seen := map[string]bool{}
	for _, r := range roots {
		walk(r, func(n node) {
			if id, ok := n.(*ident); ok && !id.lenient && !contextNames[id.name] {
				seen[id.name] = true
			}
		})
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
