package feel

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tNumber
	tString
	tTemporal // @"..."
	tPunct
	tOther // a character that is no token on its own (it may be part of a name: "Hello's")
)

// token is one lexical unit; pos and end are rune offsets in the source.
type token struct {
	kind     tokKind
	text     string // the name, operator or number as written; the decoded string
	pos, end int
}

// SyntaxError is a FEEL expression that does not parse. Line and Column are 1-based and count
// characters.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("column %d: %s", e.Column, e.Msg)
}

// lexer turns a source into tokens.
type lexer struct {
	src  []rune
	pos  int
	toks []token
}

func isNameStart(r rune) bool {
	return unicode.IsLetter(r) || r == '_' || r == '?' || (r >= 0x10000 && r <= 0xEFFFF)
}

func isNamePart(r rune) bool {
	return isNameStart(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		r == 0xB7 || (r >= 0x203F && r <= 0x2040)
}

// lex returns the tokens of src, ending with tEOF.
func lex(src string) ([]token, *SyntaxError) {
	l := &lexer{src: []rune(src)}
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.pos >= len(l.src) {
			l.toks = append(l.toks, token{kind: tEOF, pos: l.pos, end: l.pos})
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

func (l *lexer) errAt(pos int, format string, args ...any) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(l.src); i++ {
		if l.src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) skipSpace() *SyntaxError {
	for l.pos < len(l.src) {
		r := l.src[l.pos]
		switch {
		case unicode.IsSpace(r) || r == 0xFEFF || r == 0x200B:
			l.pos++
		case r == '/' && l.peekAt(1) == '/':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case r == '/' && l.peekAt(1) == '*':
			start := l.pos
			l.pos += 2
			for {
				if l.pos+1 >= len(l.src) {
					return l.errAt(start, "comment not closed (missing */)")
				}
				if l.src[l.pos] == '*' && l.src[l.pos+1] == '/' {
					l.pos += 2
					break
				}
				l.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) peekAt(k int) rune {
	if l.pos+k < len(l.src) {
		return l.src[l.pos+k]
	}
	return 0
}

func (l *lexer) emit(kind tokKind, text string, start int) {
	l.toks = append(l.toks, token{kind: kind, text: text, pos: start, end: l.pos})
}

var puncts2 = []string{"..", "!=", "<=", ">=", "**", "->"}

func (l *lexer) next() *SyntaxError {
	start := l.pos
	r := l.src[l.pos]
	switch {
	case r == '"':
		s, err := l.str()
		if err != nil {
			return err
		}
		l.emit(tString, s, start)
		return nil
	case r == '@' && l.peekAt(1) == '"':
		l.pos++
		s, err := l.str()
		if err != nil {
			return err
		}
		l.emit(tTemporal, s, start)
		return nil
	case unicode.IsDigit(r) && r < 128 || (r == '.' && l.peekAt(1) >= '0' && l.peekAt(1) <= '9'):
		l.number()
		return nil
	case isNameStart(r):
		for l.pos < len(l.src) && isNamePart(l.src[l.pos]) {
			l.pos++
		}
		l.emit(tName, string(l.src[start:l.pos]), start)
		return nil
	}
	rest := string(l.src[l.pos:min(l.pos+3, len(l.src))])
	for _, p := range puncts2 {
		if strings.HasPrefix(rest, p) {
			l.pos += 2
			l.emit(tPunct, p, start)
			return nil
		}
	}
	if strings.ContainsRune("()[]{},:.=<>+-*/", r) {
		l.pos++
		l.emit(tPunct, string(r), start)
		return nil
	}
	l.pos++
	l.emit(tOther, string(r), start)
	return nil
}

func (l *lexer) number() {
	start := l.pos
	digits := func() {
		for l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '9' {
			l.pos++
		}
	}
	digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' && l.peekAt(1) >= '0' && l.peekAt(1) <= '9' {
		l.pos++
		digits()
	}
	// An exponent ("1.2e3") is not FEEL 1.5 syntax, but it is read when unambiguous.
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		k := 1
		if s := l.peekAt(1); s == '+' || s == '-' {
			k = 2
		}
		if d := l.peekAt(k); d >= '0' && d <= '9' {
			end := l.pos + k
			for end < len(l.src) && l.src[end] >= '0' && l.src[end] <= '9' {
				end++
			}
			if end >= len(l.src) || !isNamePart(l.src[end]) {
				l.pos = end
			}
		}
	}
	l.emit(tNumber, string(l.src[start:l.pos]), start)
}

// str reads a string literal at l.pos (the opening quote) and decodes its escapes.
func (l *lexer) str() (string, *SyntaxError) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", l.errAt(start, "string not closed (missing \")")
		}
		r := l.src[l.pos]
		switch r {
		case '"':
			l.pos++
			return b.String(), nil
		case '\\':
			if err := l.escape(&b); err != nil {
				return "", err
			}
		default:
			b.WriteRune(r)
			l.pos++
		}
	}
}

func (l *lexer) escape(b *strings.Builder) *SyntaxError {
	at := l.pos
	l.pos++
	if l.pos >= len(l.src) {
		return l.errAt(at, "incomplete escape")
	}
	r := l.src[l.pos]
	l.pos++
	switch r {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case '"', '\'', '\\':
		b.WriteRune(r)
	case 'u', 'U':
		n := 4
		if r == 'U' {
			n = 6
		}
		cp, ok := l.hex(n)
		if !ok {
			return l.errAt(at, "invalid \\%c escape", r)
		}
		// A UTF-16 surrogate pair written as two \u escapes is one character.
		if cp >= 0xD800 && cp <= 0xDBFF && l.pos+1 < len(l.src) && l.src[l.pos] == '\\' && l.src[l.pos+1] == 'u' {
			save := l.pos
			l.pos += 2
			lo, ok := l.hex(4)
			if ok && lo >= 0xDC00 && lo <= 0xDFFF {
				cp = 0x10000 + (cp-0xD800)<<10 + (lo - 0xDC00)
			} else {
				l.pos = save
			}
		}
		if !utf8.ValidRune(rune(cp)) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteRune(rune(cp))
		}
	default:
		// Not a FEEL escape: kept as written, so regular expressions such as "\s" or "\d"
		// can be written with one backslash.
		b.WriteByte('\\')
		b.WriteRune(r)
	}
	return nil
}

func (l *lexer) hex(n int) (int, bool) {
	if l.pos+n > len(l.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(l.src[l.pos:l.pos+n]), 16, 32)
	if err != nil {
		return 0, false
	}
	l.pos += n
	return int(v), true
}
