package feel

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// XPath regular expressions (XML Schema syntax with the XPath flags s, m, i, x, q) translated
// to Go's RE2 syntax. Back-references, which RE2 has not, run on a backtracking matcher
// (regex_backtrack.go); character class subtraction is computed where the classes list
// plain characters and ranges, and refused otherwise.

var regexCache sync.Map // pattern + "\x00" + flags → xpathRegexp

// compileXPath compiles an XPath pattern with flags.
func compileXPath(pattern, flags string) (xpathRegexp, error) {
	key := pattern + "\x00" + flags
	if re, ok := regexCache.Load(key); ok {
		return re.(xpathRegexp), nil
	}
	src, backrefs, err := translateXPath(pattern, flags)
	if err != nil {
		return nil, err
	}
	var re xpathRegexp
	if backrefs {
		bt, err := compileBacktrack(src)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
		}
		re = bt
	} else {
		r, err := regexp.Compile(src)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
		}
		re = re2{r}
	}
	regexCache.Store(key, re)
	return re, nil
}

// translateXPath translates pattern to RE2's syntax and reports whether it has
// back-references (written as markers, see backrefBase).
func translateXPath(pattern, flags string) (src string, backrefs bool, err error) {
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
			return "", false, fmt.Errorf("invalid regular expression flag %q", f)
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
		return b.String(), false, nil
	}
	rs := []rune(pattern)
	if extended {
		rs = stripSpace(rs)
	}
	groups := 0 // capturing groups opened so far
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '\\':
			if i+1 >= len(rs) {
				return "", false, fmt.Errorf("invalid pattern %q: trailing backslash", pattern)
			}
			if n, width := backrefNumber(rs[i+1:], groups); width > 0 {
				if n == 0 {
					return "", false, fmt.Errorf("invalid pattern %q: back-reference \\%c names no group before it", pattern, rs[i+1])
				}
				fmt.Fprintf(&b, `\x{%X}`, backrefBase+n)
				backrefs = true
				i += width
				continue
			}
			esc, n, err := translateEscape(rs[i+1:], false)
			if err != nil {
				return "", false, fmt.Errorf("invalid pattern %q: %w", pattern, err)
			}
			b.WriteString(esc)
			i += n
		case '[':
			cls, end, err := translateClass(rs, i)
			if err != nil {
				return "", false, fmt.Errorf("invalid pattern %q: %w", pattern, err)
			}
			b.WriteString(cls)
			i = end
		case '.':
			if !dotAll {
				b.WriteString(`[^\n\r]`)
			} else {
				b.WriteRune(r)
			}
		case '(':
			if i+1 >= len(rs) || rs[i+1] != '?' {
				groups++
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), backrefs, nil
}

// backrefNumber reads a back-reference \N at rs (after the backslash): the longest run of
// digits naming one of the groups opened before it (XPath 3.1, 5.6.1), and how many digits it
// takes; width 0 when rs does not start with a digit 1-9, n 0 when no group is open yet.
func backrefNumber(rs []rune, groups int) (n, width int) {
	if len(rs) == 0 || rs[0] < '1' || rs[0] > '9' {
		return 0, 0
	}
	n, width = int(rs[0]-'0'), 1
	for width < len(rs) && rs[width] >= '0' && rs[width] <= '9' && n*10+int(rs[width]-'0') <= groups {
		n = n*10 + int(rs[width]-'0')
		width++
	}
	if n > groups || n > 255 {
		return 0, 1
	}
	return n, width
}

// stripSpace removes white space outside character classes (the x flag).
func stripSpace(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	depth := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs) && depth > 0:
			out = append(out, r, rs[i+1])
			i++
			continue
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0 && (r == ' ' || r == '\t' || r == '\n' || r == '\r'):
			continue
		}
		out = append(out, r)
	}
	return out
}

// runeRange is an inclusive range of characters.
type runeRange struct{ lo, hi rune }

// translateClass translates the character class starting at rs[start] ('['); it returns the
// RE2 class and the index of its closing ']'. A subtraction "[a-z-[aeiou]]" is computed when
// both classes list plain characters and ranges.
func translateClass(rs []rune, start int) (string, int, error) {
	i := start + 1
	neg := false
	if i < len(rs) && rs[i] == '^' {
		neg = true
		i++
	}
	var b strings.Builder
	var ranges []runeRange
	plain := true // only characters and ranges, so that subtraction can be computed
	for ; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ']':
			return classString(neg, b.String(), ranges, nil, plain), i, nil
		case r == '-' && i+1 < len(rs) && rs[i+1] == '[':
			sub, end, err := translateClass(rs, i+1)
			if err != nil {
				return "", 0, err
			}
			if end+1 >= len(rs) || rs[end+1] != ']' {
				return "", 0, fmt.Errorf("a class subtraction must end the class")
			}
			subRanges, ok := plainRanges(rs[i+2 : end])
			if !plain || !ok {
				return "", 0, fmt.Errorf("character class subtraction is supported for plain characters and ranges only")
			}
			_ = sub
			return classString(neg, "", ranges, subRanges, true), end + 1, nil
		case r == '\\':
			if i+1 >= len(rs) {
				return "", 0, fmt.Errorf("trailing backslash")
			}
			esc, n, err := translateEscape(rs[i+1:], true)
			if err != nil {
				return "", 0, err
			}
			if c, ok := singleEscape(rs[i+1]); ok {
				ranges = append(ranges, runeRange{c, c})
			} else {
				plain = false
			}
			b.WriteString(esc)
			i += n
		case r == '[':
			return "", 0, fmt.Errorf("'[' inside a character class must be escaped")
		default:
			lo := r
			if i+2 < len(rs) && rs[i+1] == '-' && rs[i+2] != ']' && rs[i+2] != '[' {
				hi := rs[i+2]
				if hi == '\\' && i+3 < len(rs) {
					c, ok := singleEscape(rs[i+3])
					if !ok {
						return "", 0, fmt.Errorf("invalid range end \\%c", rs[i+3])
					}
					hi = c
					i++
				}
				ranges = append(ranges, runeRange{lo, hi})
				b.WriteString(quoteClassRune(lo) + "-" + quoteClassRune(hi))
				i += 2
				continue
			}
			ranges = append(ranges, runeRange{lo, lo})
			b.WriteString(quoteClassRune(lo))
		}
	}
	return "", 0, fmt.Errorf("unclosed character class")
}

// plainRanges reads the inside of a class made of characters and ranges only.
func plainRanges(rs []rune) ([]runeRange, bool) {
	var out []runeRange
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if c == '\\' {
			if i+1 >= len(rs) {
				return nil, false
			}
			e, ok := singleEscape(rs[i+1])
			if !ok {
				return nil, false
			}
			c = e
			i++
		} else if c == '[' || c == '^' && i == 0 {
			return nil, false
		}
		if i+2 < len(rs) && rs[i+1] == '-' {
			out = append(out, runeRange{c, rs[i+2]})
			i += 2
			continue
		}
		out = append(out, runeRange{c, c})
	}
	return out, true
}

// classString writes a class; with sub, the ranges minus sub (for a negated class: the
// complement of the ranges minus sub, which is the complement of their union).
func classString(neg bool, written string, ranges, sub []runeRange, plain bool) string {
	if sub == nil {
		if neg {
			return "[^" + written + "]"
		}
		return "[" + written + "]"
	}
	var set []runeRange
	if neg {
		set = append(append(set, ranges...), sub...)
	} else {
		set = subtractRanges(ranges, sub)
	}
	var b strings.Builder
	b.WriteByte('[')
	if neg {
		b.WriteByte('^')
	}
	if len(set) == 0 && !neg {
		return `[^\x{0}-\x{10FFFF}]` // nothing matches
	}
	for _, r := range set {
		b.WriteString(quoteClassRune(r.lo))
		if r.hi != r.lo {
			b.WriteString("-" + quoteClassRune(r.hi))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// subtractRanges returns the characters of a that are not in b.
func subtractRanges(a, b []runeRange) []runeRange {
	out := a
	for _, s := range b {
		var next []runeRange
		for _, r := range out {
			if s.hi < r.lo || s.lo > r.hi {
				next = append(next, r)
				continue
			}
			if r.lo < s.lo {
				next = append(next, runeRange{r.lo, s.lo - 1})
			}
			if r.hi > s.hi {
				next = append(next, runeRange{s.hi + 1, r.hi})
			}
		}
		out = next
	}
	return out
}

func quoteClassRune(r rune) string {
	if r < 0x80 && strings.ContainsRune(`\[]^-`, r) {
		return `\` + string(r)
	}
	if r < 0x20 || r > 0x7E {
		return fmt.Sprintf(`\x{%X}`, r)
	}
	return string(r)
}

// singleEscape returns the character an escape such as \n or \- stands for.
func singleEscape(r rune) (rune, bool) {
	switch r {
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case '\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '-', '[', ']', '^', '$':
		return r, true
	}
	return 0, false
}

// translateEscape maps the XML Schema escape at rs (the runes after a backslash) to RE2;
// inClass says whether it stands inside [...]. It returns how many runes it used.
func translateEscape(rs []rune, inClass bool) (string, int, error) {
	r := rs[0]
	wrap := func(s string) string {
		if inClass {
			return s
		}
		return "[" + s + "]"
	}
	switch r {
	case 'd':
		return `\p{Nd}`, 1, nil
	case 'D':
		return `\P{Nd}`, 1, nil
	case 'w':
		return wrap(`\p{L}\p{M}\p{N}\p{S}`), 1, nil
	case 'W':
		return wrap(`\p{P}\p{Z}\p{C}`), 1, nil
	case 's':
		return wrap(` \t\n\r`), 1, nil
	case 'i':
		return wrap(`\p{L}_:`), 1, nil
	case 'c':
		return wrap(`\p{L}\p{Nd}._:\-`), 1, nil
	case 'S', 'I', 'C':
		if inClass {
			return "", 0, fmt.Errorf(`\%c inside a character class is not supported`, r)
		}
		inner := map[rune]string{'S': ` \t\n\r`, 'I': `\p{L}_:`, 'C': `\p{L}\p{Nd}._:\-`}[r]
		return "[^" + inner + "]", 1, nil
	case 'p', 'P':
		return translateProperty(rs, inClass)
	}
	if c, ok := singleEscape(r); ok {
		if inClass {
			return quoteClassRune(c), 1, nil
		}
		return regexp.QuoteMeta(string(c)), 1, nil
	}
	if r >= '1' && r <= '9' {
		return "", 0, fmt.Errorf("back-references (\\%c) are not supported", r)
	}
	return "", 0, fmt.Errorf("unknown escape \\%c", r)
}

// translateProperty maps \p{…} and \P{…}: general categories as they are, Unicode blocks
// ("IsBasicLatin") as ranges of characters.
func translateProperty(rs []rune, inClass bool) (string, int, error) {
	if len(rs) < 3 || rs[1] != '{' {
		return "", 0, fmt.Errorf("invalid \\%c escape", rs[0])
	}
	end := -1
	for k := 2; k < len(rs); k++ {
		if rs[k] == '}' {
			end = k
			break
		}
	}
	if end < 0 {
		return "", 0, fmt.Errorf("unclosed \\%c{", rs[0])
	}
	name := string(rs[2:end])
	neg := rs[0] == 'P'
	if !strings.HasPrefix(name, "Is") {
		return `\` + string(rs[0]) + "{" + name + "}", end + 1, nil
	}
	blk, ok := unicodeBlocks[name[2:]]
	if !ok {
		return "", 0, fmt.Errorf("unknown Unicode block %q", name[2:])
	}
	rng := fmt.Sprintf(`\x{%X}-\x{%X}`, blk.lo, blk.hi)
	switch {
	case neg && inClass:
		return "", 0, fmt.Errorf("\\P{%s} inside a character class is not supported", name)
	case neg:
		return "[^" + rng + "]", end + 1, nil
	case inClass:
		return rng, end + 1, nil
	}
	return "[" + rng + "]", end + 1, nil
}

// unicodeBlocks are the blocks of XML Schema's \p{IsBlock} that RE2 does not know.
var unicodeBlocks = map[string]runeRange{
	"BasicLatin": {0x0000, 0x007F}, "Latin-1Supplement": {0x0080, 0x00FF},
	"LatinExtended-A": {0x0100, 0x017F}, "LatinExtended-B": {0x0180, 0x024F},
	"IPAExtensions": {0x0250, 0x02AF}, "SpacingModifierLetters": {0x02B0, 0x02FF},
	"CombiningDiacriticalMarks": {0x0300, 0x036F}, "Greek": {0x0370, 0x03FF}, "GreekandCoptic": {0x0370, 0x03FF},
	"Cyrillic": {0x0400, 0x04FF}, "Armenian": {0x0530, 0x058F}, "Hebrew": {0x0590, 0x05FF},
	"Arabic": {0x0600, 0x06FF}, "Devanagari": {0x0900, 0x097F}, "Thai": {0x0E00, 0x0E7F},
	"HangulJamo": {0x1100, 0x11FF}, "LatinExtendedAdditional": {0x1E00, 0x1EFF}, "GreekExtended": {0x1F00, 0x1FFF},
	"GeneralPunctuation": {0x2000, 0x206F}, "SuperscriptsandSubscripts": {0x2070, 0x209F},
	"CurrencySymbols": {0x20A0, 0x20CF}, "LetterlikeSymbols": {0x2100, 0x214F}, "NumberForms": {0x2150, 0x218F},
	"Arrows": {0x2190, 0x21FF}, "MathematicalOperators": {0x2200, 0x22FF}, "BoxDrawing": {0x2500, 0x257F},
	"GeometricShapes": {0x25A0, 0x25FF}, "MiscellaneousSymbols": {0x2600, 0x26FF}, "Dingbats": {0x2700, 0x27BF},
	"CJKRadicalsSupplement": {0x2E80, 0x2EFF}, "CJKSymbolsandPunctuation": {0x3000, 0x303F},
	"Hiragana": {0x3040, 0x309F}, "Katakana": {0x30A0, 0x30FF}, "Bopomofo": {0x3100, 0x312F},
	"CJKUnifiedIdeographsExtensionA": {0x3400, 0x4DBF}, "CJKUnifiedIdeographs": {0x4E00, 0x9FFF},
	"HangulSyllables": {0xAC00, 0xD7AF}, "PrivateUse": {0xE000, 0xF8FF}, "PrivateUseArea": {0xE000, 0xF8FF},
	"CJKCompatibilityIdeographs": {0xF900, 0xFAFF}, "AlphabeticPresentationForms": {0xFB00, 0xFB4F},
	"HalfwidthandFullwidthForms": {0xFF00, 0xFFEF}, "Specials": {0xFFF0, 0xFFFF},
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
