package feel

import (
	"math/big"
	"sync"
)

// floatPrec is the binary precision of intermediate results of sqrt, exp, log and
// non-integer powers: far above the 34 decimal digits (113 bits) that are kept.
const floatPrec = 256

func (n Number) bigFloat() *big.Float {
	f := new(big.Float).SetPrec(floatPrec).SetInt(n.c())
	switch {
	case n.exp > 0:
		f.Mul(f, new(big.Float).SetPrec(floatPrec).SetInt(pow10(n.exp)))
	case n.exp < 0:
		f.Quo(f, new(big.Float).SetPrec(floatPrec).SetInt(pow10(-n.exp)))
	}
	return f
}

// floatNumber rounds f to a Number of Precision digits.
func floatNumber(f *big.Float) Number {
	if f.Sign() == 0 {
		return Number{}
	}
	n, _ := ParseNumber(f.Text('e', Precision+4))
	return n.trim()
}

// Sqrt returns the square root of n; ok is false for negative n.
func (n Number) Sqrt() (Number, bool) {
	if n.Sign() < 0 {
		return Number{}, false
	}
	if n.Sign() == 0 {
		return Number{}, true
	}
	return floatNumber(new(big.Float).SetPrec(floatPrec).Sqrt(n.bigFloat())), true
}

// Exp returns e^n; ok is false when the result is too large to hold.
func (n Number) Exp() (Number, bool) {
	if n.Cmp(Int(100000000)) > 0 {
		return Number{}, false
	}
	return floatNumber(expFloat(n.bigFloat())), true
}

// Ln returns the natural logarithm of n; ok is false for n ≤ 0.
func (n Number) Ln() (Number, bool) {
	if n.Sign() <= 0 {
		return Number{}, false
	}
	return floatNumber(lnFloat(n.bigFloat())), true
}

// Pow returns n^m. Integer exponents are exact (rounded to Precision digits); others go through
// exp(m × ln n). ok is false for 0 to a negative power, a negative base with a fractional
// exponent, or a result out of range.
func (n Number) Pow(m Number) (Number, bool) {
	if k, ok := m.Int64(); ok && k > -1000000 && k < 1000000 {
		if k == 0 {
			return Int(1), true
		}
		if n.Sign() == 0 {
			return Number{}, k > 0
		}
		neg := k < 0
		if neg {
			k = -k
		}
		r, base := Int(1), n
		for k > 0 {
			if k&1 == 1 {
				r = r.Mul(base)
			}
			k >>= 1
			if k > 0 {
				base = base.Mul(base)
			}
		}
		if neg {
			return Int(1).Quo(r)
		}
		return r, true
	}
	switch n.Sign() {
	case 0:
		return Number{}, m.Sign() > 0
	case -1:
		return Number{}, false
	}
	x := new(big.Float).SetPrec(floatPrec).Mul(m.bigFloat(), lnFloat(n.bigFloat()))
	if x.Cmp(big.NewFloat(1e8)) > 0 {
		return Number{}, false
	}
	return floatNumber(expFloat(x)), true
}

var (
	ln2Once sync.Once
	ln2     *big.Float
)

// ln2Float returns ln 2 = 2 atanh(1/3).
func ln2Float() *big.Float {
	ln2Once.Do(func() {
		third := new(big.Float).SetPrec(floatPrec).Quo(big.NewFloat(1), big.NewFloat(3))
		ln2 = atanh2(third)
	})
	return ln2
}

// atanh2 returns 2 atanh(z) = 2 (z + z³/3 + z⁵/5 + …) for |z| < 1 (fast for small z).
func atanh2(z *big.Float) *big.Float {
	sum := new(big.Float).SetPrec(floatPrec).Set(z)
	z2 := new(big.Float).SetPrec(floatPrec).Mul(z, z)
	term := new(big.Float).SetPrec(floatPrec).Set(z)
	eps := new(big.Float).SetMantExp(big.NewFloat(1), -floatPrec-8)
	for k := int64(3); ; k += 2 {
		term.Mul(term, z2)
		t := new(big.Float).SetPrec(floatPrec).Quo(term, new(big.Float).SetInt64(k))
		sum.Add(sum, t)
		if new(big.Float).Abs(t).Cmp(eps) < 0 {
			break
		}
	}
	return sum.Mul(sum, big.NewFloat(2))
}

// lnFloat returns ln x for x > 0: x = m × 2^e with m in [0.5, 1), ln x = e ln 2 + ln m, and
// ln m = 2 atanh((m-1)/(m+1)).
func lnFloat(x *big.Float) *big.Float {
	m := new(big.Float).SetPrec(floatPrec)
	e := x.MantExp(m)
	num := new(big.Float).SetPrec(floatPrec).Sub(m, big.NewFloat(1))
	den := new(big.Float).SetPrec(floatPrec).Add(m, big.NewFloat(1))
	r := atanh2(num.Quo(num, den))
	t := new(big.Float).SetPrec(floatPrec).Mul(ln2Float(), new(big.Float).SetInt64(int64(e)))
	return r.Add(r, t)
}

// expFloat returns e^x: x is halved until small, the Taylor series summed, and the result
// squared back.
func expFloat(x *big.Float) *big.Float {
	y := new(big.Float).SetPrec(floatPrec).Set(x)
	halvings := 0
	for new(big.Float).Abs(y).Cmp(big.NewFloat(0.001)) > 0 {
		y.Quo(y, big.NewFloat(2))
		halvings++
	}
	sum := new(big.Float).SetPrec(floatPrec).SetInt64(1)
	term := new(big.Float).SetPrec(floatPrec).SetInt64(1)
	eps := new(big.Float).SetMantExp(big.NewFloat(1), -floatPrec-8)
	for k := int64(1); k < 200; k++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetInt64(k))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	return sum
}
