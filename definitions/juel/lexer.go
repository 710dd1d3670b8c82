// Package juel parses and evaluates the Unified Expression Language (EL 2.2, "JUEL") that
// Camunda 7, Flowable and Activiti write in BPMN attributes: "${amount > 100}",
// "kermit_${loopCounter}", "${dateTime().plusWeeks(1).toDate()}".
//
// It follows EL's semantics (JSR 245, chapter 1): null is 0 in arithmetic and false in
// logic, == and < coerce their operands by EL's rules ("1" == 1 is true), / always divides
// as a double, "empty x" is true for null, "" and empty collections, and a property of null
// is null. On top of EL it knows the context the engines give expressions: the objects
// execution and task, the variable authenticatedUserId, the functions now(), dateTime()
// (a Joda-Time value with plusWeeks ... toDate), currentUser(), Flowable's variables:get(x)
// family, and the Java methods of strings, lists, maps, dates and numbers designers call.
// Beans (Spring or CDI) do not exist here: a name that is neither a variable nor one of the
// above is an error.
package juel

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tFloat
	tString
	tOp // punctuation and operators: . [ ] ( ) , ? : + - * / % ! == != < > <= >= && ||
)

type token struct {
	kind tokKind
	text string // identifier, operator, or the decoded string literal
	pos  int    // byte offset in the body
}

// SyntaxError is a JUEL parse error at a column of the expression.
type SyntaxError struct {
	Column int // 1-based, in characters of the whole source
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// lexer splits the body of one ${...} into tokens.
type lexer struct {
	src  string
	base int // column offset of the body in the whole source, in characters
	pos  int
}

func (l *lexer) errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Column: l.base + utf8.RuneCountInString(l.src[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) all() ([]token, error) {
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tEOF {
			return out, nil
		}
	}
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && strings.ContainsRune(" \t\r\n", rune(l.src[l.pos])) {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: l.pos}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	r, size := utf8.DecodeRuneInString(l.src[l.pos:])
	switch {
	case isIdentStart(r):
		l.pos += size
		for l.pos < len(l.src) {
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if !isIdentPart(r) {
				break
			}
			l.pos += size
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}, nil
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	case c == '\'' || c == '"':
		return l.str()
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "&&", "||"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += 2
			return token{kind: tOp, text: op, pos: start}, nil
		}
	}
	if strings.ContainsRune(".[](),?:+-*/%!<>", rune(c)) {
		l.pos++
		return token{kind: tOp, text: string(c), pos: start}, nil
	}
	return token{}, l.errorf(start, "unexpected character %q", r)
}

func (l *lexer) number() (token, error) {
	start := l.pos
	kind := tInt
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' && (l.pos+1 >= len(l.src) || isDigit(l.src[l.pos+1])) {
		kind = tFloat
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		j := l.pos + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && isDigit(l.src[j]) {
			kind = tFloat
			for l.pos = j; l.pos < len(l.src) && isDigit(l.src[l.pos]); l.pos++ {
			}
		}
	}
	return token{kind: kind, text: l.src[start:l.pos], pos: start}, nil
}

// str reads a string literal: EL escapes \\, \' and \" (any other backslash stays).
func (l *lexer) str() (token, error) {
	start := l.pos
	q := l.src[l.pos]
	l.pos++
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\\' && l.pos+1 < len(l.src) && strings.IndexByte(`\'"`, l.src[l.pos+1]) >= 0:
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
		case c == q:
			l.pos++
			return token{kind: tString, text: b.String(), pos: start}, nil
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{}, l.errorf(start, "string literal is not closed")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Java identifiers: letters (of any script, so 申请人 is a name), digits, _ and $.
func isIdentStart(r rune) bool { return r == '_' || r == '$' || unicode.IsLetter(r) }

func isIdentPart(r rune) bool { return isIdentStart(r) || unicode.IsDigit(r) }
