package feel

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// XPath regular expressions (XML Schema syntax with the XPath flags s, m, i, x, q) translated
// to Go's RE2 syntax. Back-references and character class subtraction have no RE2 equivalent
// and are refused.

var regexCache sync.Map // pattern + "\x00" + flags → *regexp.Regexp

// compileXPath compiles an XPath pattern with flags.
func compileXPath(pattern, flags string) (*regexp.Regexp, error) {
	key := pattern + "\x00" + flags
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	src, err := translateXPath(pattern, flags)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
	}
	regexCache.Store(key, re)
	return re, nil
}

func translateXPath(pattern, flags string) (string, error) {
	var dotAll, multi, icase, extended, literal bool
	for _, f := range flags {
		switch f {
		case 's':
			dotAll = true
		case 'm':
			multi = true
		case 'i':
			icase = true
		case 'x':
			extended = true
		case 'q':
			literal = true
		default:
			return "", fmt.Errorf("invalid regular expression flag %q", f)
		}
	}
	var b strings.Builder
	prefix := ""
	if dotAll {
		prefix += "s"
	}
	if multi {
		prefix += "m"
	}
	if icase {
		prefix += "i"
	}
	if prefix != "" {
		b.WriteString("(?" + prefix + ")")
	}
	if literal {
		b.WriteString(regexp.QuoteMeta(pattern))
		return b.String(), nil
	}
	rs := []rune(pattern)
	inClass := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if extended && inClass == 0 && (r == ' ' || r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		switch r {
		case '\\':
			if i+1 >= len(rs) {
				return "", fmt.Errorf("invalid pattern %q: trailing backslash", pattern)
			}
			i++
			esc, err := translateEscape(rs[i], inClass > 0)
			if err != nil {
				return "", fmt.Errorf("invalid pattern %q: %w", pattern, err)
			}
			b.WriteString(esc)
		case '[':
			if inClass > 0 {
				return "", fmt.Errorf("invalid pattern %q: character class subtraction is not supported", pattern)
			}
			inClass++
			b.WriteRune(r)
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
		case ']':
			if inClass > 0 {
				inClass--
			}
			b.WriteRune(r)
		case '-':
			if inClass > 0 && i+1 < len(rs) && rs[i+1] == '[' {
				return "", fmt.Errorf("invalid pattern %q: character class subtraction is not supported", pattern)
			}
			b.WriteRune(r)
		case '.':
			if inClass == 0 && !dotAll {
				b.WriteString(`[^\n\r]`)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	if inClass > 0 {
		return "", fmt.Errorf("invalid pattern %q: unclosed character class", pattern)
	}
	return b.String(), nil
}

// translateEscape maps an XML Schema escape to RE2; inClass says whether it stands inside [...].
func translateEscape(r rune, inClass bool) (string, error) {
	switch r {
	case 'd':
		return `\p{Nd}`, nil
	case 'D':
		return `\P{Nd}`, nil
	case 'w':
		if inClass {
			return `\p{L}\p{M}\p{N}\p{S}`, nil
		}
		return `[\p{L}\p{M}\p{N}\p{S}]`, nil
	case 'W':
		if inClass {
			return `\p{P}\p{Z}\p{C}`, nil
		}
		return `[\p{P}\p{Z}\p{C}]`, nil
	case 's':
		if inClass {
			return ` \t\n\r`, nil
		}
		return `[ \t\n\r]`, nil
	case 'S':
		if inClass {
			return "", fmt.Errorf(`\S inside a character class is not supported`)
		}
		return `[^ \t\n\r]`, nil
	case 'i':
		if inClass {
			return `\p{L}_:`, nil
		}
		return `[\p{L}_:]`, nil
	case 'I':
		if inClass {
			return "", fmt.Errorf(`\I inside a character class is not supported`)
		}
		return `[^\p{L}_:]`, nil
	case 'c':
		if inClass {
			return `\p{L}\p{Nd}._:\-`, nil
		}
		return `[\p{L}\p{Nd}._:\-]`, nil
	case 'C':
		if inClass {
			return "", fmt.Errorf(`\C inside a character class is not supported`)
		}
		return `[^\p{L}\p{Nd}._:\-]`, nil
	case 'n':
		return `\n`, nil
	case 'r':
		return `\r`, nil
	case 't':
		return `\t`, nil
	case 'p', 'P':
		return `\` + string(r), nil
	case '\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '-', '[', ']', '^', '$':
		return `\` + string(r), nil
	}
	if r >= '1' && r <= '9' {
		return "", fmt.Errorf("back-references (\\%c) are not supported", r)
	}
	return "", fmt.Errorf("unknown escape \\%c", r)
}

// translateReplacement maps an XPath replacement string ($1, \$, \\) to Go's syntax.
func translateReplacement(rep string, groups int) (string, error) {
	var b strings.Builder
	rs := []rune(rep)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 >= len(rs) || (rs[i+1] != '\\' && rs[i+1] != '$') {
				return "", fmt.Errorf("invalid replacement %q: \\ must escape \\ or $", rep)
			}
			i++
			if rs[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteRune('\\')
			}
		case '$':
			j := i + 1
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("invalid replacement %q: $ must be followed by a group number", rep)
			}
			// XPath takes the longest group number that exists, the rest are literal digits.
			num := string(rs[i+1 : j])
			for len(num) > 1 && atoiSafe(num) > groups {
				num = num[:len(num)-1]
			}
			b.WriteString("${" + num + "}")
			b.WriteString(string(rs[i+1+len(num) : j]))
			i = j - 1
		default:
			b.WriteRune(rs[i])
		}
	}
	return b.String(), nil
}

func atoiSafe(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}
