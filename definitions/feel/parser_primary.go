package feel

import "strings"

func (p *parser) primary() node {
	t := p.tok()
	switch t.kind {
	case tNumber:
		p.advance()
		n, ok := ParseNumber(t.text)
		if !ok {
			p.fail(t.pos, "invalid number %s", t.text)
		}
		return &literal{at{t.pos}, n}
	case tString:
		p.advance()
		return &literal{at{t.pos}, t.text}
	case tTemporal:
		p.advance()
		v := parseTemporal(t.text)
		if v == nil {
			p.fail(t.pos, "invalid date, time or duration literal @%q", t.text)
		}
		return &literal{at{t.pos}, v}
	case tEOF:
		p.fail(t.pos, "expected an expression, found end of expression")
	case tOther:
		if p.knownMatch() == 0 {
			p.fail(t.pos, "unexpected character %q", t.text)
		}
		return p.nameExpr()
	case tPunct:
		switch t.text {
		case "(":
			return p.paren()
		case "[", "]":
			return p.bracket()
		case "{":
			return p.context()
		case "<", "<=", ">", ">=", "=", "!=":
			return p.positiveTest()
		}
		p.fail(t.pos, "expected an expression, found %s", describe(t))
	}
	// A name or a keyword.
	if p.knownMatch() == 0 {
		switch t.text {
		case "true", "false":
			p.advance()
			return &literal{at{t.pos}, t.text == "true"}
		case "null":
			p.advance()
			return &literal{at{t.pos}, nil}
		case "if", "for", "some", "every", "function":
			return p.expr()
		}
		if keywords[t.text] {
			p.fail(t.pos, "unexpected %q", t.text)
		}
	}
	return p.nameExpr()
}

func (p *parser) nameExpr() node {
	pos := p.tok().pos
	return &nameRef{at{pos}, p.name()}
}

// knownMatch returns the number of tokens of the longest known name starting at the current
// token (0 when none).
func (p *parser) knownMatch() int {
	best := 0
	for _, ns := range p.names {
		for _, seq := range ns.byFirst[p.tok().text] {
			if len(seq.texts) > best && p.matches(seq) {
				best = len(seq.texts)
			}
		}
	}
	return best
}

// matches reports whether the tokens from the current one spell the known name.
func (p *parser) matches(seq knownName) bool {
	if p.i+len(seq.texts) > len(p.toks)-1 {
		return false
	}
	for k, s := range seq.texts {
		t := p.toks[p.i+k]
		if t.text != s || t.kind == tString || t.kind == tTemporal || t.kind == tEOF {
			return false
		}
		if k > 0 {
			prev := p.toks[p.i+k-1]
			spaced := prev.end != t.pos
			words := prev.kind == tName && t.kind == tName
			if spaced != seq.spaced[k-1] && !words {
				return false
			}
		}
	}
	return true
}

// name reads a name: the longest known name at this point, extended by further plain words
// ("Monthly Salary" reads as one name even when not declared).
func (p *parser) name() string {
	var words []string
	if k := p.knownMatch(); k > 0 {
		start := p.tok().pos
		p.i += k
		words = append(words, p.source(start, p.toks[p.i-1].end))
	} else {
		t := p.tok()
		if t.kind != tName {
			p.fail(t.pos, "expected a name, found %s", describe(t))
		}
		p.advance()
		words = append(words, t.text)
	}
	for {
		t := p.tok()
		if t.kind != tName || stopWords[t.text] || keywords[t.text] {
			break
		}
		if k := p.knownMatch(); k > 0 {
			start := t.pos
			p.i += k
			words = append(words, p.source(start, p.toks[p.i-1].end))
			continue
		}
		p.advance()
		words = append(words, t.text)
	}
	return strings.Join(words, " ")
}

// source returns the source between two rune offsets with runs of white space made single
// spaces, as FEEL compares names.
func (p *parser) source(from, to int) string {
	return strings.Join(strings.Fields(string(p.lx.src[from:to])), " ")
}

// rawName reads a name up to (not including) one of the end tokens: the keys of contexts and
// the parameters of functions may contain any name symbols ("first-name", "start position").
func (p *parser) rawName(ends ...string) string {
	t := p.tok()
	if t.kind == tString {
		p.advance()
		return t.text
	}
	if t.kind != tName && t.kind != tOther {
		p.fail(t.pos, "expected a name, found %s", describe(t))
	}
	start := p.i
	for {
		c := p.tok()
		if c.kind == tEOF {
			p.fail(c.pos, "expected %q, found end of expression", ends[0])
		}
		stop := false
		for _, e := range ends {
			if c.kind == tPunct && c.text == e {
				stop = true
			}
		}
		if stop {
			break
		}
		if c.kind == tString || c.kind == tTemporal || (c.kind == tPunct && strings.Contains("(){}[],", c.text)) {
			p.fail(c.pos, "expected a name, found %s", describe(c))
		}
		p.advance()
	}
	if p.i == start {
		p.fail(t.pos, "expected a name, found %s", describe(t))
	}
	return p.source(p.toks[start].pos, p.toks[p.i-1].end)
}

// paren parses "(expr)" or a range with an open start "(a..b]".
func (p *parser) paren() node {
	open := p.advance()
	saved := p.rangeEnd
	p.rangeEnd = false
	defer func() { p.rangeEnd = saved }()
	x := p.expr()
	if p.is("..") {
		return p.rangeRest(open.pos, x, false)
	}
	p.expect(")")
	return x
}

// bracket parses a list "[a, b]" or a range "[a..b]", "]a..b[".
func (p *parser) bracket() node {
	open := p.advance()
	if open.text == "[" && p.is("]") {
		p.advance()
		return &listLit{at: at{open.pos}}
	}
	first := p.positiveTest()
	if p.is("..") {
		return p.rangeRest(open.pos, first, open.text == "[")
	}
	if open.text == "]" {
		p.fail(p.tok().pos, "expected \"..\" in a range, found %s", describe(p.tok()))
	}
	items := []node{first}
	for p.is(",") {
		p.advance()
		items = append(items, p.positiveTest())
	}
	p.expect("]")
	return &listLit{at{open.pos}, items}
}

func (p *parser) rangeRest(pos int, start node, startIncl bool) node {
	p.advance() // ..
	saved := p.rangeEnd
	p.rangeEnd = true
	end := p.expr()
	p.rangeEnd = saved
	t := p.tok()
	if t.kind != tPunct || (t.text != "]" && t.text != ")" && t.text != "[") {
		p.fail(t.pos, "expected \"]\", \")\" or \"[\" to close the range, found %s", describe(t))
	}
	p.advance()
	return &rangeLit{at{pos}, start, end, startIncl, t.text == "]"}
}

func (p *parser) context() node {
	open := p.advance()
	c := &contextLit{at: at{open.pos}}
	seen := map[string]bool{}
	for !p.is("}") {
		kt := p.tok()
		key := p.rawName(":")
		if seen[key] {
			p.fail(kt.pos, "duplicate context key %q", key)
		}
		seen[key] = true
		p.expect(":")
		p.addName(key)
		c.entries = append(c.entries, contextEntry{key, p.expr()})
		if !p.is("}") {
			if !p.is(",") {
				p.fail(p.tok().pos, "expected \",\" or \"}\" in a context, found %s", describe(p.tok()))
			}
			p.advance()
		}
	}
	p.advance()
	return c
}

// multiWordTypes are the built-in type names with spaces.
var multiWordTypes = [][]string{
	{"date", "and", "time"}, {"days", "and", "time", "duration"}, {"years", "and", "months", "duration"},
}

// typeExpr parses a type: a (qualified) name, list<T>, range<T>, context<k: T, …> or
// function<T, …> -> T.
func (p *parser) typeExpr() *TypeExpr {
	t := p.tok()
	if t.kind != tName {
		p.fail(t.pos, "expected a type, found %s", describe(t))
	}
	for _, mw := range multiWordTypes {
		ok := p.i+len(mw) < len(p.toks)
		for k := 0; ok && k < len(mw); k++ {
			ok = p.toks[p.i+k].text == mw[k]
		}
		if ok {
			p.i += len(mw)
			return &TypeExpr{Name: strings.Join(mw, " ")}
		}
	}
	p.advance()
	if p.is("<") {
		switch t.text {
		case "list", "range":
			p.advance()
			te := &TypeExpr{Name: t.text, Elem: p.typeExpr()}
			p.expect(">")
			return te
		case "context":
			p.advance()
			te := &TypeExpr{Name: "context"}
			for !p.is(">") {
				name := p.rawName(":")
				p.expect(":")
				te.Fields = append(te.Fields, TypeField{name, p.typeExpr()})
				if !p.is(">") {
					p.expect(",")
				}
			}
			p.advance()
			return te
		case "function":
			p.advance()
			te := &TypeExpr{Name: "function"}
			for !p.is(">") {
				te.Params = append(te.Params, p.typeExpr())
				if !p.is(">") {
					p.expect(",")
				}
			}
			p.advance()
			p.expect("->")
			te.Elem = p.typeExpr()
			return te
		}
	}
	name := t.text
	for p.is(".") && p.peek(1).kind == tName {
		p.advance()
		name += "." + p.advance().text
	}
	return &TypeExpr{Name: name}
}

// unaryTests parses the input entry of a decision table: "-", "not(tests)" or tests.
func (p *parser) unaryTests() node {
	t := p.tok()
	if p.is("-") && p.peek(1).kind == tEOF {
		p.advance()
		return &anyTest{at{t.pos}}
	}
	if p.isKw("not") && p.peek(1).text == "(" {
		save := p.i
		p.advance()
		p.advance()
		tests := p.testList()
		if p.is(")") && p.peek(1).kind == tEOF {
			p.advance()
			return &notTests{at{t.pos}, tests}
		}
		p.i = save
	}
	return &listTests{at{t.pos}, p.testList()}
}

func (p *parser) testList() []node {
	tests := []node{p.positiveTest()}
	for p.is(",") {
		p.advance()
		tests = append(tests, p.positiveTest())
	}
	return tests
}

// listTests is a comma-separated list of positive unary tests: true when one holds.
type listTests struct {
	at
	tests []node
}
