package clock_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine/clock"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// standardSim starts a case of a standard flow in the simulator, received at received.
func standardSim(t *testing.T, key string, received time.Time, limits *clock.Limits) *simulate.Sim {
	t.Helper()
	xml, err := standard.XML(key)
	if err != nil {
		t.Fatal(err)
	}
	defs, problems, err := definitions.Parse(xml)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatal(err, problems)
	}
	m, err := machine.Compile(defs, key, machine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{"leadSection": "zjj-xzsp", "coReviewers": []any{"zrzyj-xzsp", "fgj-xzsp"}, "station": "luozheng-fwz"}
	s, err := simulate.New(map[string]*machine.Model{key: m}, key, vars, simulate.Options{Start: received, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func step(t *testing.T, s *simulate.Sim, st simulate.Step) {
	t.Helper()
	if err := s.Step(st); err != nil {
		t.Fatal(err)
	}
}

// TestDeemedAcceptanceStartsTheClockAtReceipt: 行政许可法 §32. An application received on
// Monday 22 September 2025 at 09:00 gets no decision and no notice: five working days later
// (Tuesday 23 to Friday 26 and the make-up Sunday 28 September, at 17:30) the standard flows
// take it as accepted, and its time limits count from the day of receipt. Ten working days
// from Monday 22 September end on Saturday 11 October (make-up day) after the National Day
// holiday; the warning fires one working day before, on Friday 10 October.
func TestDeemedAcceptanceStartsTheClockAtReceipt(t *testing.T) {
	received := at(2025, 9, 22, 9, 0)
	for _, f := range standard.Flows() {
		t.Run(f.Key, func(t *testing.T) {
			s := standardSim(t, f.Key, received, &clock.Limits{PromisedDays: 10, StatutoryDays: 20})
			step(t, s, wait("P6DT8H")) // Sunday 28 September 17:00: the fifth working day is not over
			if r := s.Result(); r.Clock.State != "none" || slices.Contains(r.Entered, standard.DeemedAcceptedElement) {
				t.Fatalf("before the deadline: clock %s, entered %v", r.Clock.State, r.Entered)
			}
			step(t, s, wait("PT1H")) // 18:00
			r := s.Result()
			if !slices.Contains(r.Entered, standard.DeemedAcceptedElement) {
				t.Fatalf("not deemed accepted: entered %v", r.Entered)
			}
			if !r.Clock.Start.Equal(received) {
				t.Errorf("clock started %v, want the receipt %v", r.Clock.Start, received)
			}
			if !strings.Contains(r.Clock.Reason, "§32") || !strings.Contains(r.Clock.Reason, standard.DeemedAcceptedElement) {
				t.Errorf("clock reason %q, want deemed acceptance under §32 named", r.Clock.Reason)
			}
			if got, want := r.Clock.Due.In(cst), at(2025, 10, 11, 17, 30); !got.Equal(want) {
				t.Errorf("due %v, want %v", got, want)
			}
			if got, want := r.Clock.Warn.In(cst), at(2025, 10, 10, 17, 30); !got.Equal(want) {
				t.Errorf("warning at %v, want %v", got, want)
			}
			if got, want := r.Clock.Statutory.In(cst), at(2025, 10, 24, 17, 30); !got.Equal(want) {
				t.Errorf("statutory due %v, want %v", got, want)
			}
			// Nobody acts: yellow on Friday 10 October, red on Saturday 11 October.
			step(t, s, wait("P20D"))
			a := alerts(s.Result())
			if !a["case:warning"].Equal(at(2025, 10, 10, 17, 30)) || !a["case:overdue"].Equal(at(2025, 10, 11, 17, 30)) {
				t.Errorf("alerts %v", a)
			}
		})
	}
}

// TestNoticeWithinFiveDaysPreventsDeemedAcceptance: a notice issued in time sends the case to
// wait for the supplement with the clock not started; after the supplement the clerk accepts,
// and the clock starts at acceptance, not at receipt.
func TestNoticeWithinFiveDaysPreventsDeemedAcceptance(t *testing.T) {
	received := at(2025, 11, 3, 9, 0) // Monday
	s := standardSim(t, standard.Promised, received, &clock.Limits{PromisedDays: 5})
	step(t, s, wait("P2D"))
	step(t, s, complete("acceptance", "notify"))
	step(t, s, wait("P14D")) // the applicant takes two weeks
	step(t, s, supplement())
	step(t, s, wait("PT2H"))
	step(t, s, complete("acceptance", "accept")) // Wednesday 19 November 11:00
	r := s.Result()
	if slices.Contains(r.Entered, standard.DeemedAcceptedElement) {
		t.Fatal("deemed accepted although a notice was issued in time")
	}
	if got, want := r.Clock.Start.In(cst), at(2025, 11, 19, 11, 0); !got.Equal(want) {
		t.Errorf("clock started %v, want at acceptance %v", got, want)
	}
	if !strings.HasPrefix(r.Clock.Reason, "accepted at") {
		t.Errorf("reason %q", r.Clock.Reason)
	}
	if got, want := r.Clock.Due.In(cst), at(2025, 11, 26, 17, 30); !got.Equal(want) {
		t.Errorf("due %v, want %v", got, want)
	}
}
