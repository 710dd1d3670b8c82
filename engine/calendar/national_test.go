package calendar

import (
	"testing"
	"time"
)

// official transcribes the State Council's notices on the public holiday
// arrangements (国务院办公厅关于2025年/2026年部分节假日安排的通知): the days
// off, as inclusive ranges, and the make-up working days (调休).
var official = map[int]struct {
	off  [][2]string
	work []string
}{
	2025: {
		off: [][2]string{
			{"2025-01-01", "2025-01-01"}, // New Year
			{"2025-01-28", "2025-02-04"}, // Spring Festival
			{"2025-04-04", "2025-04-06"}, // Qingming
			{"2025-05-01", "2025-05-05"}, // Labour Day
			{"2025-05-31", "2025-06-02"}, // Dragon Boat
			{"2025-10-01", "2025-10-08"}, // National Day and Mid-Autumn
		},
		work: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	2026: {
		off: [][2]string{
			{"2026-01-01", "2026-01-03"}, // New Year
			{"2026-02-15", "2026-02-23"}, // Spring Festival
			{"2026-04-04", "2026-04-06"}, // Qingming
			{"2026-05-01", "2026-05-05"}, // Labour Day
			{"2026-06-19", "2026-06-21"}, // Dragon Boat
			{"2026-09-25", "2026-09-27"}, // Mid-Autumn
			{"2026-10-01", "2026-10-07"}, // National Day
		},
		work: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNationalMatchesOfficial checks every day of 2025 and 2026 in the
// library's tables against the notices.
func TestNationalMatchesOfficial(t *testing.T) {
	c := National()
	for year, arr := range official {
		want := map[Date]bool{}
		for _, r := range arr.off {
			for d := mustDate(t, r[0]); !mustDate(t, r[1]).Before(d); d = d.AddDays(1) {
				want[d] = false
			}
		}
		for _, s := range arr.work {
			d := mustDate(t, s)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Fatalf("transcription error: make-up day %s is a %s", s, wd)
			}
			want[d] = true
		}
		workdays := 0
		for d := (Date{year, 1, 1}); d.Year == year; d = d.AddDays(1) {
			w, listed := want[d]
			if !listed {
				w = d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
			}
			if got := c.IsWorkday(d); got != w {
				t.Errorf("%s (%s): IsWorkday = %v, official arrangement says %v", d, d.Weekday(), got, w)
			}
			if w {
				workdays++
			}
		}
		if got := c.CountWorkdays(Date{year - 1, 12, 31}, Date{year, 12, 31}); got != workdays {
			t.Errorf("%d: CountWorkdays = %d, want %d", year, got, workdays)
		}
		t.Logf("%d: %d working days", year, workdays)
	}
}

func TestNationalLookupAndYears(t *testing.T) {
	c := National()
	if first, last := LibraryYears(); first != 2001 || last < 2026 {
		t.Errorf("LibraryYears = %d, %d; want 2001 and at least 2026", first, last)
	}
	tests := []struct {
		date string
		want Day
		ok   bool
	}{
		{"2025-10-01", Day{Date{2025, 10, 1}, Holiday, "国庆中秋"}, true},
		{"2025-10-11", Day{Date{2025, 10, 11}, Workday, "国庆中秋"}, true},
		{"2026-02-14", Day{Date{2026, 2, 14}, Workday, "春节"}, true},
		{"2026-02-17", Day{Date{2026, 2, 17}, Holiday, "春节"}, true},
		{"2026-03-02", Day{}, false},
	}
	for _, tt := range tests {
		got, ok := c.Lookup(mustDate(t, tt.date))
		if ok != tt.ok || got != tt.want {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v, %v", tt.date, got, ok, tt.want, tt.ok)
		}
	}
	days := c.Days(Date{2026, 2, 1}, Date{2026, 2, 28})
	if len(days) != 11 || days[0].Date != (Date{2026, 2, 14}) || days[10].Date != (Date{2026, 2, 28}) {
		t.Errorf("Days(February 2026) = %v; want 14 Feb to 28 Feb, 11 days", days)
	}
}

func TestDefaultLocation(t *testing.T) {
	loc := National().Location()
	if loc.String() != "Asia/Shanghai" {
		t.Errorf("location = %s, want Asia/Shanghai (time/tzdata is imported)", loc)
	}
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone(); off != 8*3600 {
		t.Errorf("offset = %d, want UTC+8", off)
	}
}
