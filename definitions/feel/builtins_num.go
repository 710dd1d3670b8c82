package feel

// numFn registers a function of number arguments; a non-number argument gives null.
func numFn(params []string, optional int, fn func(c *bcall, n []Number) Value) sig {
	return sig{params: params, optional: optional, fn: func(c *bcall, a []Value) Value {
		ns := make([]Number, len(a))
		for i, v := range a {
			v = unwrapSingleton(v)
			n, ok := v.(Number)
			if !ok {
				if v == nil {
					return nil
				}
				return c.fail("%s must be a number, not a %s", params[i], TypeName(v))
			}
			ns[i] = n
		}
		return fn(c, ns)
	}}
}

// scaled rounds n[0] with mode to the scale n[1] (an integer from -6111 to 6176, as
// decimal128 allows), or to 0 when no scale is given.
func scaled(mode RoundingMode) func(c *bcall, n []Number) Value {
	return func(c *bcall, n []Number) Value {
		scale := int64(0)
		if len(n) > 1 {
			s, ok := n[1].Round(0, Down).Int64()
			if !ok || s < -6111 || s > 6176 {
				return c.fail("scale must be an integer from -6111 to 6176")
			}
			scale = s
		}
		return n[0].Round(int(scale), mode)
	}
}

func registerNumeric(reg func(string, ...sig)) {
	reg("decimal", numFn([]string{"n", "scale"}, 0, scaled(HalfEven)))
	reg("floor", numFn([]string{"n", "scale"}, 1, scaled(Floor)))
	reg("ceiling", numFn([]string{"n", "scale"}, 1, scaled(Ceiling)))
	reg("round up", numFn([]string{"n", "scale"}, 0, scaled(Up)))
	reg("round down", numFn([]string{"n", "scale"}, 0, scaled(Down)))
	reg("round half up", numFn([]string{"n", "scale"}, 0, scaled(HalfUp)))
	reg("round half down", numFn([]string{"n", "scale"}, 0, scaled(HalfDown)))
	reg("abs", sig{params: []string{"n"}, fn: func(c *bcall, a []Value) Value {
		switch v := a[0].(type) {
		case Number:
			return v.Abs()
		case DaysDuration:
			if v.Sec < 0 || v.Nano < 0 {
				return v.neg()
			}
			return v
		case MonthsDuration:
			if v < 0 {
				return -v
			}
			return v
		case nil:
			return nil
		}
		return c.fail("n must be a number or a duration, not a %s", TypeName(a[0]))
	}})
	reg("modulo", numFn([]string{"dividend", "divisor"}, 0, func(c *bcall, n []Number) Value {
		if r, ok := n[0].Mod(n[1]); ok {
			return r
		}
		return c.fail("division by zero")
	}))
	reg("sqrt", numFn([]string{"number"}, 0, func(c *bcall, n []Number) Value {
		if r, ok := n[0].Sqrt(); ok {
			return r
		}
		return c.fail("square root of a negative number")
	}))
	reg("log", numFn([]string{"number"}, 0, func(c *bcall, n []Number) Value {
		if r, ok := n[0].Ln(); ok {
			return r
		}
		return c.fail("logarithm of a number ≤ 0")
	}))
	reg("exp", numFn([]string{"number"}, 0, func(c *bcall, n []Number) Value {
		if r, ok := n[0].Exp(); ok {
			return r
		}
		return c.fail("result out of range")
	}))
	reg("odd", numFn([]string{"number"}, 0, func(c *bcall, n []Number) Value {
		if !n[0].IsInt() {
			return false
		}
		return n[0].Integer(Down).Bit(0) == 1
	}))
	reg("even", numFn([]string{"number"}, 0, func(c *bcall, n []Number) Value {
		if !n[0].IsInt() {
			return false
		}
		return n[0].Integer(Down).Bit(0) == 0
	}))
}
