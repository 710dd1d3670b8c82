package definitions

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	good := []struct {
		in   string
		want Duration
		str  string
	}{
		{"PT5M", Duration{Minutes: 5}, "PT5M"},
		{"PT2H", Duration{Hours: 2}, "PT2H"},
		{"P7D", Duration{Days: 7}, "P7D"},
		{"P1DT2H", Duration{Days: 1, Hours: 2}, "P1DT2H"},
		{"P1Y2M10DT2H30M15S", Duration{Years: 1, Months: 2, Days: 10, Hours: 2, Minutes: 30, Seconds: 15}, "P1Y2M10DT2H30M15S"},
		{"P2W", Duration{Days: 14}, "P14D"},
		{"P1W3D", Duration{Days: 10}, "P10D"},
		{"PT1.5H", Duration{Hours: 1, Seconds: 1800}, "PT1H1800S"},
		{"PT0,5S", Duration{Seconds: 0.5}, "PT0.5S"},
		{"P0.5D", Duration{Seconds: 43200}, "PT43200S"},
		{"PT0S", Duration{}, "PT0S"},
		{" pt10m ", Duration{Minutes: 10}, "PT10M"},
	}
	for _, c := range good {
		d, err := ParseDuration(c.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", c.in, err)
			continue
		}
		if d != c.want {
			t.Errorf("ParseDuration(%q) = %+v, want %+v", c.in, d, c.want)
		}
		if d.String() != c.str {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", c.in, d.String(), c.str)
		}
	}
	bad := []string{"", "P", "PT", "1D", "-P1D", "P1H", "PT1D", "P1D2Y", "P1DT", "PT1M1M", "P1.5Y", "P1.5M", "P1.5DT2H",
		"P1..5D", "P.5D", "P5.D", "PTH", "P1DT2H3", "P99999999999999999999Y", "P2000Y", "PT1e5S", "P1DT2HT3M", "P 1D"}
	for _, in := range bad {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %+v, want an error", in, d)
		}
	}
}

func TestDurationAddTo(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	base := time.Date(2025, 1, 31, 9, 0, 0, 0, shanghai)
	cases := []struct {
		d    string
		want time.Time
	}{
		{"P1M", time.Date(2025, 3, 3, 9, 0, 0, 0, shanghai)}, // AddDate normalises Feb 31
		{"P1DT2H", time.Date(2025, 2, 1, 11, 0, 0, 0, shanghai)},
		{"PT1.5H", time.Date(2025, 1, 31, 10, 30, 0, 0, shanghai)},
		{"P1Y", time.Date(2026, 1, 31, 9, 0, 0, 0, shanghai)},
		{"PT0.25S", time.Date(2025, 1, 31, 9, 0, 0, 250e6, shanghai)},
	}
	for _, c := range cases {
		d, err := ParseDuration(c.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.AddTo(base); !got.Equal(c.want) {
			t.Errorf("%s.AddTo(%v) = %v, want %v", c.d, base, got, c.want)
		}
	}
	// A calendar day across a daylight-saving change is 23 hours.
	ny, err := time.LoadLocation("America/New_York")
	if err == nil {
		before := time.Date(2025, 3, 8, 12, 0, 0, 0, ny)
		d, _ := ParseDuration("P1D")
		if got := d.AddTo(before).Sub(before); got != 23*time.Hour {
			t.Errorf("P1D across DST = %v, want 23h", got)
		}
	}
}

func TestParseTimeDate(t *testing.T) {
	cst := time.FixedZone("", 8*3600)
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2025-01-01T00:00:00Z", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-01-01T09:30:00+08:00", time.Date(2025, 1, 1, 9, 30, 0, 0, cst)},
		{"2025-01-01T09:30:00.5+08:00", time.Date(2025, 1, 1, 9, 30, 0, 500e6, cst)},
		{"2025-01-01T09:30+08:00", time.Date(2025, 1, 1, 9, 30, 0, 0, cst)},
		{"2025-01-01T09:30:00+0800", time.Date(2025, 1, 1, 9, 30, 0, 0, cst)},
		{"2025-01-01T09:30:00", time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)},
		{"2025-01-01T09:30", time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)},
		{"2025-01-01", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := ParseTimeDate(c.in)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTimeDate(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	got, err := ParseTimeDateIn("2025-01-01T09:00:00", cst)
	if err != nil || !got.Equal(time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseTimeDateIn with zone: %v %v", got, err)
	}
	for _, in := range []string{"", "tomorrow", "2025-13-01", "2025-01-01T25:00:00Z", "01/02/2025", "PT1H"} {
		if _, err := ParseTimeDate(in); err == nil {
			t.Errorf("ParseTimeDate(%q): want an error", in)
		}
	}
}

func TestParseCycle(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want Cycle
	}{
		{"R3/PT1H", Cycle{Repetitions: 3, Duration: Duration{Hours: 1}}},
		{"R/P1D", Cycle{Repetitions: -1, Duration: Duration{Days: 1}}},
		{"R6/P1D", Cycle{Repetitions: 6, Duration: Duration{Days: 1}}},
		{"R2/2025-01-01T00:00:00Z/P1D", Cycle{Repetitions: 2, Start: start, Duration: Duration{Days: 1}}},
		{"R/PT12H/2025-02-01T00:00:00Z", Cycle{Repetitions: -1, End: end, Duration: Duration{Hours: 12}}},
	}
	for _, c := range cases {
		got, err := ParseCycle(c.in)
		if err != nil {
			t.Errorf("ParseCycle(%q): %v", c.in, err)
			continue
		}
		if got.Repetitions != c.want.Repetitions || !got.Start.Equal(c.want.Start) || !got.End.Equal(c.want.End) || got.Duration != c.want.Duration {
			t.Errorf("ParseCycle(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	for _, in := range []string{"", "R", "R3", "PT1H", "R0/PT1H", "R-1/PT1H", "Rx/PT1H", "R/PT0S", "R/P1X",
		"0 0/5 * * * ?", "R/2025-01-01T00:00:00Z/2025-02-01T00:00:00Z", "R/a/b/c", "R/PT1H/never"} {
		if c, err := ParseCycle(in); err == nil {
			t.Errorf("ParseCycle(%q) = %+v, want an error", in, c)
		}
	}
}

func TestCycleAt(t *testing.T) {
	base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	c, _ := ParseCycle("R2/PT1H")
	for i, want := range []time.Time{base.Add(time.Hour), base.Add(2 * time.Hour)} {
		if got, ok := c.At(base, i); !ok || !got.Equal(want) {
			t.Errorf("At(%d) = %v %v, want %v", i, got, ok, want)
		}
	}
	if _, ok := c.At(base, 2); ok {
		t.Error("At(2) of R2: want no third firing")
	}
	s, _ := ParseCycle("R/2025-01-31T09:00:00Z/P1M")
	if got, _ := s.At(base, 0); !got.Equal(time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("first firing with a start = %v, want the start", got)
	}
	if got, _ := s.At(base, 2); !got.Equal(time.Date(2025, 3, 31, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("third monthly firing = %v, want 2025-03-31 (months counted from the start, no drift)", got)
	}
	e, _ := ParseCycle("R/P1D/2025-03-03T00:00:00Z")
	if got, ok := e.At(base, 0); !ok || !got.Equal(base.AddDate(0, 0, 1)) {
		t.Errorf("first daily firing = %v %v, want the next day", got, ok)
	}
	if _, ok := e.At(base, 1); ok {
		t.Error("second daily firing falls after the end: want none")
	}
}
