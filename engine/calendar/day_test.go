package calendar

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// decodeDays decodes a table as the API will receive it.
func decodeDays(t *testing.T, s string) []Day {
	t.Helper()
	var days []Day
	if err := json.Unmarshal([]byte(s), &days); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return days
}

func TestValidateDays(t *testing.T) {
	type want struct{ field, date, code, msg string }
	tests := []struct {
		name  string
		table string
		want  []want
	}{
		{"valid", `[{"date":"2028-01-01","kind":"holiday","name":"元旦节"},{"date":"2028-01-08","kind":"workday"}]`, nil},
		{"empty", `[]`, nil},
		{"impossible date from a string", `[{"date":"2026-02-30","kind":"holiday"}]`,
			[]want{{"days[0].date", "2026-02-30", CodeInvalidDate, "2026-02-30: no such date: February 2026 has 28 days"}}},
		{"29 February in a common year", `[{"date":"2027-02-29","kind":"holiday"}]`,
			[]want{{"days[0].date", "2027-02-29", CodeInvalidDate, "February 2027 has 28 days"}}},
		{"month 13", `[{"date":"2026-13-01","kind":"holiday"}]`,
			[]want{{"days[0].date", "2026-13-01", CodeInvalidDate, "month 13 does not exist"}}},
		{"day 0", `[{"date":"2026-01-00","kind":"holiday"}]`,
			[]want{{"days[0].date", "2026-01-00", CodeInvalidDate, "2026-01-00: no such date"}}},
		{"year out of range", `[{"date":"1900-01-01","kind":"holiday"}]`,
			[]want{{"days[0].date", "1900-01-01", CodeYearOutOfRange, "year 1900 is outside"}}},
		{"duplicate", `[{"date":"2028-10-01","kind":"holiday"},{"date":"2028-10-02","kind":"holiday"},{"date":"2028-10-01","kind":"holiday"}]`,
			[]want{{"days[2].date", "2028-10-01", CodeDuplicateDate, "2028-10-01: listed twice (entries 0 and 2)"}}},
		{"overlapping kinds", `[{"date":"2028-10-07","kind":"holiday"},{"date":"2028-10-07","kind":"workday"}]`,
			[]want{{"days[1].date", "2028-10-07", CodeConflictingDate, "2028-10-07: listed as holiday (entry 0) and as workday (entry 1)"}}},
		{"unknown kind", `[{"date":"2028-10-01","kind":"vacation"}]`,
			[]want{{"days[0].kind", "2028-10-01", CodeUnknownKind, `2028-10-01: unknown kind "vacation"`}}},
		{"missing kind", `[{"date":"2028-10-01"}]`,
			[]want{{"days[0].kind", "2028-10-01", CodeUnknownKind, `unknown kind ""`}}},
		{"name too long", `[{"date":"2028-10-01","kind":"holiday","name":"` + strings.Repeat("节", 65) + `"}]`,
			[]want{{"days[0].name", "2028-10-01", CodeNameTooLong, "65 characters"}}},
		{"every problem at once", `[{"date":"2026-02-30","kind":"holiday"},{"date":"2028-10-01","kind":"off"},{"date":"2028-10-01","kind":"holiday"}]`,
			[]want{
				{"days[0].date", "2026-02-30", CodeInvalidDate, "2026-02-30"},
				{"days[1].kind", "2028-10-01", CodeUnknownKind, "off"},
				{"days[2].date", "2028-10-01", CodeConflictingDate, "listed as off (entry 1) and as holiday (entry 2)"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateDays(decodeDays(t, tt.table))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ValidateDays = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ValidateDays = %v, want a *ValidationError", err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Fatalf("problems = %+v, want %d", ve.Problems, len(tt.want))
			}
			for i, w := range tt.want {
				p := ve.Problems[i]
				if p.Field != w.field || p.Date != w.date || p.Code != w.code || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %+v, want field %s, date %s, code %s, message containing %q", i, p, w.field, w.date, w.code, w.msg)
				}
				if !strings.Contains(err.Error(), p.Message) {
					t.Errorf("Error() = %q does not carry %q", err.Error(), p.Message)
				}
			}
		})
	}
}

func TestDateText(t *testing.T) {
	for _, bad := range []string{`"2026/02/03"`, `"2026-2-3"`, `"20260203"`, `"abcd-ef-gh"`, `"2026-02-03T00:00:00Z"`, `12`} {
		var d Date
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, d)
		}
	}
	for _, tt := range []struct {
		s  string
		ok bool
	}{{"2028-02-29", true}, {"2026-02-29", false}, {"2026-04-31", false}, {"2026-12-31", true}, {"2026-02-30", false}} {
		d, err := ParseDate(tt.s)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDate(%s) = %v, %v; want ok=%v", tt.s, d, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), tt.s) {
			t.Errorf("ParseDate(%s) error %q does not name the date", tt.s, err)
		}
	}
	b, _ := json.Marshal(Day{Date: Date{2026, 2, 14}, Kind: Workday, Name: "春节"})
	if want := `{"date":"2026-02-14","kind":"workday","name":"春节"}`; string(b) != want {
		t.Errorf("Day JSON = %s, want %s", b, want)
	}
}

// TestDayNumbers checks the civil-date arithmetic against package time over
// several centuries.
func TestDayNumbers(t *testing.T) {
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300*366; i++ {
		tm := start.AddDate(0, 0, i)
		d := DateOf(tm)
		n := d.num()
		if want := int(tm.Unix() / 86400); n != want {
			t.Fatalf("%s: num = %d, want %d", d, n, want)
		}
		if back := dateOf(n); back != d {
			t.Fatalf("dateOf(%d) = %s, want %s", n, back, d)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: weekday %s, want %s", d, d.Weekday(), tm.Weekday())
		}
	}
	// weekdaysBefore and nthWeekday are inverse and count Monday to Friday.
	for n := -3000; n < 3000; n++ {
		w := weekdaysBefore(n+1) - weekdaysBefore(n)
		if want := map[bool]int{true: 0, false: 1}[isWeekend(n)]; w != want {
			t.Fatalf("day %d: weekday increment %d, want %d", n, w, want)
		}
		if !isWeekend(n) && nthWeekday(weekdaysBefore(n)) != n {
			t.Fatalf("nthWeekday(weekdaysBefore(%d)) = %d", n, nthWeekday(weekdaysBefore(n)))
		}
	}
}

func TestHoursText(t *testing.T) {
	var p []Period
	if err := json.Unmarshal([]byte(`[{"start":"08:30","end":"12:00"},{"start":"14:30","end":"24:00"}]`), &p); err != nil {
		t.Fatal(err)
	}
	if p[0].Start != At(8, 30) || p[1].End != At(24, 0) {
		t.Errorf("decoded %v", p)
	}
	for _, bad := range []string{`"24:30"`, `"9:00"`, `"09:60"`, `"0900"`} {
		var c Clock
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, c)
		}
	}
	tests := []struct {
		name  string
		hours []Period
		msg   string
	}{
		{"none", nil, "at least one period"},
		{"backwards", []Period{{At(12, 0), At(9, 0)}}, "12:00–09:00: the period ends before it starts"},
		{"overlap", []Period{{At(9, 0), At(12, 0)}, {At(11, 0), At(17, 0)}}, "11:00–17:00: overlaps or precedes 09:00–12:00"},
		{"past midnight", []Period{{At(9, 0), At(25, 0)}}, "outside 00:00–24:00"},
	}
	for _, tt := range tests {
		err := ValidateHours(tt.hours)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Code != CodeInvalidHours || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: ValidateHours = %v, want %s containing %q", tt.name, err, CodeInvalidHours, tt.msg)
		}
	}
	if err := ValidateHours(DefaultHours()); err != nil {
		t.Errorf("DefaultHours invalid: %v", err)
	}
}
