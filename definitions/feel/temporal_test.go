package feel

import (
	"testing"
	"time"
)

func TestTemporalLiteralsAndConversions(t *testing.T) {
	runCases(t, []feelCase{
		{`date("2020-02-29")`, "2020-02-29"},
		{`date("2021-02-29")`, "null"},
		{`date("2020-13-01")`, "null"},
		{`date("-0044-03-15")`, "-0044-03-15"},
		{`date("999999999-12-31")`, "999999999-12-31"},
		{`date("01211-12-31")`, "null"},
		{`date(2020, 2, 29)`, "2020-02-29"},
		{`date(date and time("2020-05-01T23:00:00"))`, "2020-05-01"},
		{`time("10:30:00")`, "10:30:00"},
		{`time("10:30:00.25+02:00")`, "10:30:00.25+02:00"},
		{`time("10:30:00Z")`, "10:30:00Z"},
		{`time("25:00:00")`, "null"},
		{`time(10, 30, 15.5, duration("PT2H"))`, "10:30:15.5+02:00"},
		{`date and time("2020-01-01T10:00:00@Europe/Paris")`, "2020-01-01T10:00:00@Europe/Paris"},
		{`date and time("2020-01-01T10:00:00@Nowhere/City")`, "null"},
		{`date and time(date("2020-01-01"), time("10:00:00Z"))`, "2020-01-01T10:00:00Z"},
		{`date and time("2020-01-01T24:00:00")`, "2020-01-02T00:00:00"},
		{`duration("P1DT2H3M4.5S")`, "P1DT2H3M4.5S"},
		{`duration("PT36H")`, "P1DT12H"},
		{`duration("-P2D")`, "-P2D"},
		{`duration("P1Y14M")`, "P2Y2M"},
		{`duration("P1Y2D")`, "null"},
		{`duration("P")`, "null"},
		{`@"2020-01-01"`, "2020-01-01"},
		{`@"10:00:00"`, "10:00:00"},
		{`@"P1M"`, "P1M"},
		{`string(@"2020-01-01T10:00:00+01:00")`, `"2020-01-01T10:00:00+01:00"`},
	}, nil)
}

func TestTemporalArithmetic(t *testing.T) {
	runCases(t, []feelCase{
		{`date("2020-01-31") + duration("P1M")`, "2020-02-29"},
		{`date("2021-01-31") + duration("P1M")`, "2021-02-28"},
		{`date("2020-03-01") - duration("P1D")`, "2020-02-29"},
		{`date("2020-12-31") + duration("P1D")`, "2021-01-01"},
		{`date("2021-01-01") - date("2020-01-01")`, "P366D"},
		{`date and time("2020-01-01T10:00:00") + duration("PT15H")`, "2020-01-02T01:00:00"},
		{`date and time("2020-01-01T10:00:00Z") - date and time("2020-01-01T10:00:00+02:00")`, "PT2H"},
		{`date and time("2020-01-01T10:00:00") - date and time("2020-01-01T10:00:00Z")`, "null"},
		{`date and time("2021-01-02T10:10:10+01:00") - date("2021-01-01")`, "P1DT9H10M10S"},
		{`date and time("2020-03-28T12:00:00@Europe/Paris") + duration("P1D")`, "2020-03-29T13:00:00@Europe/Paris"},
		{`date and time("2020-03-28T12:00:00@Europe/Paris") + duration("P1Y")`, "2021-03-28T12:00:00@Europe/Paris"},
		{`time("23:00:00") + duration("PT2H")`, "01:00:00"},
		{`time("01:00:00") - duration("PT2H")`, "23:00:00"},
		{`time("10:00:00") - time("08:30:00")`, "PT1H30M"},
		{`duration("P1D") + duration("PT12H")`, "P1DT12H"},
		{`duration("P1D") * 1.5`, "P1DT12H"},
		{`duration("P1D") / 2`, "PT12H"},
		{`duration("P1D") / duration("PT12H")`, "2"},
		{`duration("P1Y") + duration("P6M")`, "P1Y6M"},
		{`duration("P1Y") / duration("P6M")`, "2"},
		{`duration("P1Y") * 2`, "P2Y"},
		{`duration("P1Y") + duration("P1D")`, "null"},
		{`date("2020-01-01") + 1`, "null"},
		{`years and months duration(date("2020-01-31"), date("2020-02-29"))`, "P0M"},
		{`years and months duration(date("2021-03-01"), date("2020-01-01"))`, "-P1Y2M"},
		{`date and time("2020-01-01T10:00:00+01:00") = date and time("2020-01-01T09:00:00Z")`, "true"},
		{`date and time("2020-01-01T10:00:00") = date and time("2020-01-01T10:00:00Z")`, "false"},
		{`time("10:00:00+01:00") < time("10:00:00Z")`, "true"},
		{`duration("P1D") > duration("PT23H")`, "true"},
		{`duration("P1Y") > duration("P11M")`, "true"},
	}, nil)
}

func TestTemporalProperties(t *testing.T) {
	runCases(t, []feelCase{
		{`date("2021-01-03").weekday`, "7"},
		{`date("2021-01-04").weekday`, "1"},
		{`date and time("2020-05-06T07:08:09.5+02:00").second`, "9.5"},
		{`date and time("2020-05-06T07:08:09+02:00").time offset`, "PT2H"},
		{`date and time("2020-07-06T07:08:09@Europe/Paris").time offset`, "PT2H"},
		{`date and time("2020-07-06T07:08:09@Europe/Paris").timezone`, `"Europe/Paris"`},
		{`time("10:00:00").time offset`, "null"},
		{`duration("P2DT3H4M5S").hours`, "3"},
		{`duration("P2DT3H4M5S").days`, "2"},
		{`duration("P2Y3M").months`, "3"},
		{`date("2020-01-01").hour`, "null"},
		{`day of year(date("2020-12-31"))`, "366"},
		{`day of week(date("2021-01-03"))`, `"Sunday"`},
		{`month of year(date("2021-01-03"))`, `"January"`},
		{`week of year(date("2021-01-03"))`, "53"},
		{`week of year(date("2021-01-04"))`, "1"},
		{`week of year(date("2020-12-31"))`, "53"},
		{`is(date("2020-01-01"), date("2020-01-01"))`, "true"},
		{`is(time("10:00:00+01:00"), time("10:00:00@Europe/Paris"))`, "false"},
		{`is(1, "1")`, "false"},
	}, nil)
}

func TestNowAndTodayUseTheSessionClock(t *testing.T) {
	e, err := Parse(`[today(), now()]`)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Now: time.Date(2026, 10, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))}
	v, err := s.Eval(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := literalString(v); got != "[2026-10-01, 2026-10-01T08:30:00+08:00]" {
		t.Errorf("got %s", got)
	}
}

func TestCivilDaysRoundTrip(t *testing.T) {
	for _, d := range []Date{{1970, 1, 1}, {2000, 2, 29}, {1, 1, 1}, {-1, 12, 31}, {-999999999, 1, 1}, {999999999, 12, 31}, {1600, 3, 1}} {
		if back := civilFromDays(d.epochDay()); back != d {
			t.Errorf("%v -> %d -> %v", d, d.epochDay(), back)
		}
	}
	if got := (Date{1970, 1, 1}).epochDay(); got != 0 {
		t.Errorf("epoch day of 1970-01-01 = %d", got)
	}
}
