package calendar

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	c := National()
	mon := at(2025, 9, 15, 10, 0) // Monday; 5 days without pauses: Mon 22 Sep 17:30
	tests := []struct {
		name   string
		start  time.Time
		limit  float64
		pauses []Pause
		want   time.Time
		ok     bool
	}{
		{"no pause", mon, 5, nil, at(2025, 9, 22, 17, 30), true},
		{"pause across a weekend: Fri 15:00 to Mon 11:00 is 4.5 working hours",
			mon, 5, []Pause{{at(2025, 9, 19, 15, 0), at(2025, 9, 22, 11, 0)}}, at(2025, 9, 23, 15, 0), true},
		{"pause on the weekend only moves nothing",
			mon, 5, []Pause{{at(2025, 9, 20, 8, 0), at(2025, 9, 21, 20, 0)}}, at(2025, 9, 22, 17, 30), true},
		{"pause on the day of acceptance moves nothing (the day is not counted)",
			mon, 5, []Pause{{at(2025, 9, 15, 11, 0), at(2025, 9, 15, 16, 0)}}, at(2025, 9, 22, 17, 30), true},
		{"overlapping pauses count once: Tue 09:00 to Thu 12:00",
			mon, 5, []Pause{{at(2025, 9, 17, 9, 0), at(2025, 9, 18, 12, 0)}, {at(2025, 9, 16, 9, 0), at(2025, 9, 17, 17, 30)}},
			at(2025, 9, 25, 12, 0), true},
		{"pause beginning at the due time moves nothing",
			mon, 5, []Pause{{at(2025, 9, 22, 17, 30), at(2025, 9, 23, 12, 0)}}, at(2025, 9, 22, 17, 30), true},
		{"pause beginning after the due time moves nothing",
			mon, 5, []Pause{{at(2025, 9, 24, 9, 0), at(2025, 9, 25, 12, 0)}}, at(2025, 9, 22, 17, 30), true},
		{"pause beginning a minute before the due time",
			mon, 5, []Pause{{at(2025, 9, 22, 17, 29), at(2025, 9, 23, 12, 0)}}, at(2025, 9, 23, 13, 31), true},
		{"supplement over National Day: 2 working days paused",
			at(2025, 9, 26, 10, 0), 3, []Pause{{at(2025, 9, 29, 10, 0), at(2025, 10, 9, 10, 0)}}, at(2025, 10, 10, 17, 30), true},
		{"open pause before the due time: no due time",
			mon, 5, []Pause{{From: at(2025, 9, 17, 9, 0)}}, time.Time{}, false},
		{"open pause after a closed one",
			mon, 5, []Pause{{at(2025, 9, 16, 9, 0), at(2025, 9, 16, 12, 0)}, {From: at(2025, 9, 23, 10, 0)}}, time.Time{}, false},
		{"open pause after the due time: still overdue",
			mon, 5, []Pause{{From: at(2025, 9, 23, 9, 0)}}, at(2025, 9, 22, 17, 30), true},
		{"pause ending before it starts counts as empty",
			mon, 5, []Pause{{at(2025, 9, 17, 9, 0), at(2025, 9, 16, 9, 0)}}, at(2025, 9, 22, 17, 30), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Due(tt.start, tt.limit, tt.pauses)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("Due = %s, %v; want %s, %v", got, ok, tt.want, tt.ok)
			}
			if ok {
				if used := c.Used(tt.start, got, tt.pauses); math.Abs(used-tt.limit) > 1e-12 {
					t.Errorf("Used at the due time = %v, want %v", used, tt.limit)
				}
			}
		})
	}
}

func TestUsed(t *testing.T) {
	c := National()
	start := at(2025, 9, 26, 10, 0) // Friday before National Day
	open := []Pause{{From: at(2025, 9, 29, 10, 0)}}
	tests := []struct {
		name   string
		now    time.Time
		pauses []Pause
		want   float64
	}{
		{"on the day of acceptance", at(2025, 9, 26, 16, 0), nil, 0},
		{"before acceptance", at(2025, 9, 25, 16, 0), nil, 0},
		{"noon on the make-up Sunday", at(2025, 9, 28, 12, 0), nil, 3.0 / 7},
		{"after the holiday", at(2025, 10, 9, 9, 0), nil, 3},
		{"open pause stops the clock", at(2025, 10, 9, 12, 0), open, 1 + 1.0/7},
		{"a closed pause", at(2025, 10, 9, 17, 30), []Pause{{at(2025, 9, 29, 10, 0), at(2025, 9, 30, 10, 0)}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Used(start, tt.now, tt.pauses); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Used = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPauseJSON(t *testing.T) {
	b, err := json.Marshal([]Pause{{From: at(2025, 9, 29, 10, 0)}, {at(2025, 9, 29, 10, 0), at(2025, 9, 30, 10, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"from":"2025-09-29T10:00:00+08:00"},{"from":"2025-09-29T10:00:00+08:00","to":"2025-09-30T10:00:00+08:00"}]`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var back []Pause
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back[0].Open() || back[1].Open() {
		t.Errorf("round trip lost open/closed: %+v", back)
	}
}
