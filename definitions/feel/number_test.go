package feel

import "testing"

func TestNumberParseAndFormat(t *testing.T) {
	cases := []struct{ in, out string }{
		{"0", "0"}, {"-0", "0"}, {"1.50", "1.5"}, {".5", "0.5"}, {"-.25", "-0.25"},
		{"1e3", "1000"}, {"1.5E-3", "0.0015"}, {"+7", "7"}, {"000123", "123"},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012350000"},
	}
	for _, c := range cases {
		n, ok := ParseNumber(c.in)
		if !ok {
			t.Errorf("ParseNumber(%q) failed", c.in)
			continue
		}
		if got := n.String(); got != c.out {
			t.Errorf("ParseNumber(%q) = %s, want %s", c.in, got, c.out)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.2.3", "1e", "abc", "1e9999999", "0x10"} {
		if _, ok := ParseNumber(bad); ok {
			t.Errorf("ParseNumber(%q) accepted", bad)
		}
	}
}

func TestNumberArithmeticKeeps34Digits(t *testing.T) {
	n := func(s string) Number { return MustNumber(s) }
	check := func(name string, got Number, want string) {
		t.Helper()
		if got.String() != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	q, _ := n("1").Quo(n("3"))
	check("1/3", q, "0.3333333333333333333333333333333333")
	q, _ = n("-2").Quo(n("3"))
	check("-2/3", q, "-0.6666666666666666666666666666666667")
	q, _ = n("1").Quo(n("8"))
	check("1/8", q, "0.125")
	q, _ = n("1e-30").Quo(n("7"))
	check("1e-30/7", q, "0.0000000000000000000000000000001428571428571428571428571428571429")
	if _, ok := n("1").Quo(Number{}); ok {
		t.Error("division by zero succeeded")
	}
	check("0.1+0.2", n("0.1").Add(n("0.2")), "0.3")
	check("1e40+1", n("1e40").Add(n("1")), "10000000000000000000000000000000000000000")
	check("1e40-1", n("1e40").Sub(n("1")), "10000000000000000000000000000000000000000")
	check("big+tiny half even", n("9999999999999999999999999999999999").Add(n("0.5")), "10000000000000000000000000000000000")
	check("mul rounds", n("1234567890123456789").Mul(n("1234567890123456789")), "1524157875323883675019051998750191000")
	if n("2").Cmp(n("2.000")) != 0 || n("-1").Cmp(n("0.5")) != -1 || n("1e10").Cmp(n("9e9")) != 1 {
		t.Error("Cmp is wrong")
	}
}

func TestNumberRoundingModes(t *testing.T) {
	cases := []struct {
		n     string
		scale int
		mode  RoundingMode
		want  string
	}{
		{"2.5", 0, HalfEven, "2"}, {"3.5", 0, HalfEven, "4"}, {"-2.5", 0, HalfEven, "-2"},
		{"2.5", 0, HalfUp, "3"}, {"-2.5", 0, HalfUp, "-3"},
		{"2.5", 0, HalfDown, "2"}, {"2.51", 0, HalfDown, "3"},
		{"1.1", 0, Up, "2"}, {"-1.1", 0, Up, "-2"},
		{"1.9", 0, Down, "1"}, {"-1.9", 0, Down, "-1"},
		{"-1.1", 0, Floor, "-2"}, {"1.1", 0, Ceiling, "2"},
		{"1.2345", 2, HalfEven, "1.23"}, {"1255", -1, HalfEven, "1260"}, {"5", 2, HalfEven, "5"},
	}
	for _, c := range cases {
		if got := MustNumber(c.n).Round(c.scale, c.mode).String(); got != c.want {
			t.Errorf("round %s scale %d mode %d = %s, want %s", c.n, c.scale, c.mode, got, c.want)
		}
	}
}

func TestNumberFunctions(t *testing.T) {
	runCases(t, []feelCase{
		{"modulo(12, 5)", "2"},
		{"modulo(-12, 5)", "3"},
		{"modulo(12, -5)", "-3"},
		{"modulo(-12, -5)", "-2"},
		{"modulo(10.1, 4.5)", "1.1"},
		{"modulo(1, 0)", "null"},
		{"sqrt(16)", "4"},
		{"sqrt(2)", "1.414213562373095048801688724209698"},
		{"sqrt(-1)", "null"},
		{"exp(0)", "1"},
		{"log(1)", "0"},
		{"log(0)", "null"},
		{"decimal(1/3, 2)", "0.33"},
		{"decimal(2.5, 0)", "2"},
		{"floor(-1.5)", "-2"},
		{"ceiling(1.2)", "2"},
		{"floor(1.567, 2)", "1.56"},
		{"round up(5.5, 0)", "6"},
		{"round down(-5.5, 0)", "-5"},
		{"round half up(-5.5, 0)", "-6"},
		{"round half down(5.5, 0)", "5"},
		{"abs(-3)", "3"},
		{"abs(duration(\"-P1D\"))", "P1D"},
		{"odd(5)", "true"},
		{"even(-4)", "true"},
		{"odd(2.5)", "false"},
		{"number(\"1 000,5\", \" \", \",\")", "1000.5"},
		{"number(\"1,000.5\", \",\", \".\")", "1000.5"},
		{"number(\"12a\")", "null"},
		{"number(\"1.5\", \".\", \".\")", "null"},
		{"string(1.50)", "\"1.5\""},
		{"string(-0.001)", "\"-0.001\""},
	}, nil)
}
