package feel

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
)

// Precision is the number of significant decimal digits FEEL numbers keep: the precision of
// IEEE 754-2008 decimal128, which DMN 1.5 (10.3.2.3.1) prescribes.
const Precision = 34

// Number is a FEEL number: coef × 10^exp, rounded to Precision significant digits (half even)
// after every operation. The coefficient is never changed after construction, so a Number can
// be copied and shared freely.
type Number struct {
	coef *big.Int // nil means zero
	exp  int
}

// RoundingMode says which way a number that falls between two representable values goes.
type RoundingMode int

// Rounding modes of round up, round down, round half up, round half down, decimal, floor and
// ceiling.
const (
	HalfEven RoundingMode = iota
	HalfUp
	HalfDown
	Up      // away from zero
	Down    // towards zero
	Floor   // towards negative infinity
	Ceiling // towards positive infinity
)

var (
	bigOne = big.NewInt(1)
	bigTen = big.NewInt(10)

	pow10Small [128]*big.Int // 10^0 … 10^127, read without locking
	pow10Mu    sync.Mutex
	pow10Cache = map[int]*big.Int{}
)

func init() {
	p := big.NewInt(1)
	for i := range pow10Small {
		pow10Small[i] = new(big.Int).Set(p)
		p.Mul(p, bigTen)
	}
}

// pow10 returns 10^n (n ≥ 0); the result must not be modified.
func pow10(n int) *big.Int {
	if n < len(pow10Small) {
		return pow10Small[n]
	}
	pow10Mu.Lock()
	defer pow10Mu.Unlock()
	if p, ok := pow10Cache[n]; ok {
		return p
	}
	p := new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
	if n <= 13000 { // every power two decimal128 numbers can need to be aligned
		pow10Cache[n] = p
	}
	return p
}

// Int returns the number i.
func Int(i int64) Number { return Number{coef: big.NewInt(i)} }

// NewNumber returns coef × 10^exp, rounded to Precision digits.
func NewNumber(coef *big.Int, exp int) Number {
	return round(Number{coef: coef, exp: exp}, Precision)
}

// ParseNumber reads a decimal in plain or scientific notation ("-1.5", ".5", "2e-3").
func ParseNumber(s string) (Number, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Number{}, false
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || i+1 >= len(s) || e > 1e6 || e < -1e6 {
			return Number{}, false
		}
		exp, s = e, s[:i]
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return Number{}, false
	}
	digits := intPart + frac
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return Number{}, false
		}
	}
	_ = hasDot
	c, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return Number{}, false
	}
	if neg {
		c.Neg(c)
	}
	n := NewNumber(c, exp-len(frac))
	return n, n.InRange()
}

// MustNumber is ParseNumber for literals known to be valid; it panics otherwise.
func MustNumber(s string) Number {
	n, ok := ParseNumber(s)
	if !ok {
		panic("feel: invalid number " + strconv.Quote(s))
	}
	return n
}

// FloatNumber converts f to the shortest decimal that reads back as f; ok is false for NaN
// and infinities, which FEEL has no number for.
func FloatNumber(f float64) (Number, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Number{}, false
	}
	return ParseNumber(strconv.FormatFloat(f, 'g', -1, 64))
}

func (n Number) c() *big.Int {
	if n.coef == nil {
		return new(big.Int)
	}
	return n.coef
}

// Exponent limits of decimal128: a number whose adjusted exponent (that of its first digit)
// lies outside is out of range.
const (
	maxAdjustedExp = 6144
	minAdjustedExp = -6176
)

// InRange reports whether n is within the range of decimal128.
func (n Number) InRange() bool {
	if n.Sign() == 0 {
		return true
	}
	adj := n.exp + numDigits(n.coef) - 1
	return adj <= maxAdjustedExp && adj >= minAdjustedExp
}

// Sign returns -1, 0 or +1.
func (n Number) Sign() int {
	if n.coef == nil {
		return 0
	}
	return n.coef.Sign()
}

// numDigits counts the decimal digits of |c| (0 has one digit).
func numDigits(c *big.Int) int {
	bl := c.BitLen()
	if bl == 0 {
		return 1
	}
	if bl < 63 {
		v := c.Int64()
		if v < 0 {
			v = -v
		}
		d := 1
		for v >= 10 {
			v /= 10
			d++
		}
		return d
	}
	d := int(float64(bl)*0.30102999566398120) + 1
	a := new(big.Int).Abs(c)
	if a.Cmp(pow10(d-1)) < 0 {
		d--
	} else if a.Cmp(pow10(d)) >= 0 {
		d++
	}
	return d
}

// divRound returns c / 10^k rounded with mode (k > 0).
func divRound(c *big.Int, k int, mode RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(c, pow10(k), new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	neg := c.Sign() < 0
	// cmpHalf compares |r| with half of 10^k.
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	cmpHalf := r2.Cmp(pow10(k))
	away := false
	switch mode {
	case HalfEven:
		away = cmpHalf > 0 || (cmpHalf == 0 && q.Bit(0) == 1)
	case HalfUp:
		away = cmpHalf >= 0
	case HalfDown:
		away = cmpHalf > 0
	case Up:
		away = true
	case Down:
		away = false
	case Floor:
		away = neg
	case Ceiling:
		away = !neg
	}
	if away {
		if neg {
			q.Sub(q, bigOne)
		} else {
			q.Add(q, bigOne)
		}
	}
	return q
}

// round keeps at most p significant digits (half even).
func round(n Number, p int) Number {
	if n.coef == nil {
		return n
	}
	d := numDigits(n.coef)
	if d <= p {
		return n
	}
	drop := d - p
	c := divRound(n.coef, drop, HalfEven)
	e := n.exp + drop
	if numDigits(c) > p { // 99…9 rounded up to 100…0
		c.Quo(c, bigTen)
		e++
	}
	return Number{coef: c, exp: e}
}

// align returns the coefficients of a and b scaled to the smaller exponent.
func align(a, b Number) (*big.Int, *big.Int, int) {
	ac, bc := a.c(), b.c()
	switch {
	case a.exp == b.exp:
		return ac, bc, a.exp
	case a.exp > b.exp:
		return new(big.Int).Mul(ac, pow10(a.exp-b.exp)), bc, b.exp
	default:
		return ac, new(big.Int).Mul(bc, pow10(b.exp-a.exp)), a.exp
	}
}

// Add returns n + m.
func (n Number) Add(m Number) Number {
	if m.Sign() == 0 {
		return n
	}
	if n.Sign() == 0 {
		return m
	}
	// Far apart magnitudes: m is below the precision of n (or vice versa); adding a tiny
	// sticky amount keeps the rounding right without building huge coefficients.
	if gap := (n.exp + numDigits(n.coef)) - (m.exp + numDigits(m.coef)); gap > Precision+2 {
		return n.addTiny(m.Sign())
	} else if gap < -(Precision + 2) {
		return m.addTiny(n.Sign())
	}
	a, b, e := align(n, m)
	return NewNumber(new(big.Int).Add(a, b), e)
}

// addTiny adds sign × (a quantity far below the last kept digit) to n.
func (n Number) addTiny(sign int) Number {
	shift := Precision + 3 - numDigits(n.coef)
	if shift < 2 {
		shift = 2
	}
	c := new(big.Int).Mul(n.coef, pow10(shift))
	c.Add(c, big.NewInt(int64(sign)))
	return NewNumber(c, n.exp-shift)
}

// Sub returns n - m.
func (n Number) Sub(m Number) Number { return n.Add(m.Neg()) }

// Neg returns -n.
func (n Number) Neg() Number {
	if n.coef == nil {
		return n
	}
	return Number{coef: new(big.Int).Neg(n.coef), exp: n.exp}
}

// Abs returns |n|.
func (n Number) Abs() Number {
	if n.Sign() < 0 {
		return n.Neg()
	}
	return n
}

// Mul returns n × m.
func (n Number) Mul(m Number) Number {
	if n.Sign() == 0 || m.Sign() == 0 {
		return Number{}
	}
	return NewNumber(new(big.Int).Mul(n.coef, m.coef), n.exp+m.exp)
}

// Quo returns n ÷ m rounded to Precision digits; ok is false when m is zero.
func (n Number) Quo(m Number) (Number, bool) {
	if m.Sign() == 0 {
		return Number{}, false
	}
	if n.Sign() == 0 {
		return Number{}, true
	}
	k := Precision + 2 + numDigits(m.coef) - numDigits(n.coef)
	if k < 0 {
		k = 0
	}
	num := new(big.Int).Mul(n.coef, pow10(k))
	q, r := new(big.Int).QuoRem(num, m.coef, new(big.Int))
	e := n.exp - m.exp - k
	if r.Sign() != 0 {
		// A sticky digit: q already has more digits than are kept, so the remainder only
		// has to break ties, which one more non-zero digit does.
		sgn := int64(1)
		if (n.Sign() < 0) != (m.Sign() < 0) {
			sgn = -1
		}
		q.Mul(q, bigTen)
		q.Add(q, big.NewInt(sgn))
		e--
	}
	return NewNumber(q, e).trim(), true
}

// trim drops trailing zeros of the coefficient.
func (n Number) trim() Number {
	if n.coef == nil || n.coef.Sign() == 0 {
		return Number{}
	}
	c, e := n.coef, n.exp
	r := new(big.Int)
	q := new(big.Int)
	for {
		q.QuoRem(c, bigTen, r)
		if r.Sign() != 0 {
			break
		}
		c, q = q, new(big.Int)
		e++
	}
	return Number{coef: c, exp: e}
}

// Cmp compares n and m: -1, 0 or +1.
func (n Number) Cmp(m Number) int {
	if n.Sign() != m.Sign() {
		if n.Sign() < m.Sign() {
			return -1
		}
		return 1
	}
	if n.Sign() == 0 {
		return 0
	}
	// Compare magnitudes by their leading digit position first: cheap and avoids scaling
	// numbers of very different size.
	mn, mm := n.exp+numDigits(n.coef), m.exp+numDigits(m.coef)
	if mn != mm {
		if (mn < mm) == (n.Sign() > 0) {
			return -1
		}
		return 1
	}
	a, b, _ := align(n, m)
	return a.Cmp(b)
}

// Equal reports whether n and m have the same value.
func (n Number) Equal(m Number) bool { return n.Cmp(m) == 0 }

// IsInt reports whether n has no fractional part.
func (n Number) IsInt() bool {
	if n.exp >= 0 || n.Sign() == 0 {
		return true
	}
	return n.trim().exp >= 0
}

// Int64 returns n as an int64 when n is an integer in range.
func (n Number) Int64() (int64, bool) {
	if !n.IsInt() {
		return 0, false
	}
	t := n.trim()
	c := t.c()
	if t.exp > 0 {
		if t.exp > 19 {
			return 0, false
		}
		c = new(big.Int).Mul(c, pow10(t.exp))
	}
	if !c.IsInt64() {
		return 0, false
	}
	return c.Int64(), true
}

// Float64 returns the nearest float64.
func (n Number) Float64() float64 {
	f, _ := strconv.ParseFloat(n.Sci(), 64)
	return f
}

// Round rounds n to scale digits after the point (negative scale rounds to tens, hundreds…).
func (n Number) Round(scale int, mode RoundingMode) Number {
	if n.Sign() == 0 || n.exp >= -scale {
		return n
	}
	c := divRound(n.coef, -scale-n.exp, mode)
	return NewNumber(c, -scale)
}

// Integer returns n rounded to an integer with mode, as a big integer.
func (n Number) Integer(mode RoundingMode) *big.Int {
	r := n.Round(0, mode)
	if r.exp >= 0 {
		return new(big.Int).Mul(r.c(), pow10(r.exp))
	}
	return divRound(r.c(), -r.exp, Down)
}

// Mod returns n modulo m with the sign of m (FEEL's modulo); ok is false when m is zero.
func (n Number) Mod(m Number) (Number, bool) {
	if m.Sign() == 0 {
		return Number{}, false
	}
	a, b, e := align(n, m)
	r := new(big.Int).Mod(a, b) // Euclidean: 0 ≤ r < |b|
	if r.Sign() != 0 && b.Sign() < 0 {
		r.Add(r, b)
	}
	return NewNumber(r, e), true
}

// String formats n in plain notation without trailing zeros ("1.5", "-0.001", "12000").
func (n Number) String() string {
	t := n.trim()
	if t.coef == nil {
		return "0"
	}
	s := t.coef.String()
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	switch {
	case t.exp > 0:
		s += strings.Repeat("0", t.exp)
	case t.exp < 0:
		point := len(s) + t.exp
		if point <= 0 {
			s = "0." + strings.Repeat("0", -point) + s
		} else {
			s = s[:point] + "." + s[point:]
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Sci formats n in scientific notation ("1.5e3"), which strconv reads.
func (n Number) Sci() string {
	t := n.trim()
	if t.coef == nil {
		return "0"
	}
	return t.coef.String() + "e" + strconv.Itoa(t.exp)
}
