package clock_test

import (
	"fmt"
	"testing"
	"time"

	"onewindow/definitions"
	"onewindow/engine/clock"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// limitsFlow: acceptance (starts the clock on "accept") -> review (own limit
// of 2 working days) -> a wait for the applicant's supplement that pauses
// the clock -> approval. The clock tests run it in the simulator, whose
// virtual time drives the same clock the durable engine uses.
var limitsFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<message id="m" name="supplement"/>
<process id="limits" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" ow:stepKind="acceptance"/>
  <userTask id="review" ow:stepKind="review" ow:timeLimit="2"/>
  <intermediateCatchEvent id="supplement" ow:clock="pause"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
  <userTask id="approve" ow:stepKind="approval"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="supplement"/>
  <sequenceFlow id="f4" sourceRef="supplement" targetRef="approve"/>
  <sequenceFlow id="f5" sourceRef="approve" targetRef="e"/>
</process></definitions>`)

var cst = time.FixedZone("CST", 8*3600)

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, cst) }

func run(t *testing.T, start time.Time, limits *clock.Limits, steps []simulate.Step) *simulate.Result {
	t.Helper()
	defs, problems, err := definitions.Parse(limitsFlow)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatal(err, problems)
	}
	m, err := machine.Compile(defs, "limits", machine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := simulate.Run(map[string]*machine.Model{"limits": m}, "limits", simulate.Script{Limits: limits, Steps: steps},
		simulate.Options{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != "completed" {
		t.Fatalf("state %s", r.State)
	}
	return r
}

// alerts maps "scope:kind" (or "element:kind" for a step) to when it fired.
func alerts(r *simulate.Result) map[string]time.Time {
	out := map[string]time.Time{}
	for _, a := range r.Alerts {
		key := a.Scope + ":" + a.Kind
		if a.Scope == "task" {
			key = a.Element + ":" + a.Kind
		}
		out[key] = a.At.In(cst)
	}
	return out
}

func wait(d string) simulate.Step               { return simulate.Step{Advance: d} }
func complete(id, outcome string) simulate.Step { return simulate.Step{Complete: id, Outcome: outcome} }
func supplement() simulate.Step                 { return simulate.Step{Message: "supplement"} }
func pause(id, kind, reason string) simulate.Step {
	return simulate.Step{Pause: id, Kind: kind, Reason: reason}
}
func resume(id string) simulate.Step { return simulate.Step{Resume: id} }

func TestAcrossNationalDay(t *testing.T) {
	// Accepted on Friday 26 September 2025, the last Friday before the
	// National Day holiday (1-8 October; make-up working days Sunday 28
	// September and Saturday 11 October). Four working days: Sun 28, Mon 29,
	// Tue 30 September, then Thursday 9 October.
	r := run(t, at(2025, 9, 26, 9, 0), &clock.Limits{PromisedDays: 4, StatutoryDays: 20}, []simulate.Step{
		wait("PT1H"), complete("accept", "accept"),
		wait("PT1M"), complete("review", ""), supplement(),
		wait("P20D"), complete("approve", "approve"),
	})
	if got, want := r.Clock.Due.In(cst), at(2025, 10, 9, 17, 30); !got.Equal(want) {
		t.Errorf("due %v, want %v (after the holiday, make-up Sunday counted)", got, want)
	}
	if got, want := r.Clock.Start.In(cst), at(2025, 9, 26, 10, 0); !got.Equal(want) {
		t.Errorf("clock started %v, want %v (at acceptance)", got, want)
	}
	a := alerts(r)
	// Yellow one working day before the limit: the close of Tue 30
	// September (the holiday is not a working day); red at the limit.
	if got, want := a["case:warning"], at(2025, 9, 30, 17, 30); !got.Equal(want) {
		t.Errorf("warning fired %v, want %v", got, want)
	}
	if got, want := a["case:overdue"], at(2025, 10, 9, 17, 30); !got.Equal(want) {
		t.Errorf("overdue fired %v, want %v", got, want)
	}
	if _, ok := a["statutory:overdue"]; ok {
		t.Error("statutory limit of 20 working days reported overdue")
	}
	if got, want := r.Clock.Statutory.In(cst), at(2025, 10, 30, 17, 30); !got.Equal(want) { // the make-up Saturday 11 October counts
		t.Errorf("statutory due %v, want %v", got, want)
	}
}

func TestSupplementPauseMovesDueDate(t *testing.T) {
	// Accepted Monday 3 November 2025 10:00 with 5 working days: due Monday
	// 10 November 17:30. The supplement wait pauses the clock from Tuesday
	// 4 November 10:00 to Thursday 6 November 10:00: two working days, so
	// the due date moves to Wednesday 12 November 17:30.
	r := run(t, at(2025, 11, 3, 9, 0), &clock.Limits{PromisedDays: 5}, []simulate.Step{
		wait("PT1H"), complete("accept", "accept"),
		wait("PT24H"), complete("review", ""),
		wait("PT48H"), supplement(),
		wait("PT1H"), complete("approve", "approve"),
	})
	if len(r.Clock.Pauses) != 1 || !r.Clock.Pauses[0].From.Equal(at(2025, 11, 4, 10, 0)) || !r.Clock.Pauses[0].To.Equal(at(2025, 11, 6, 10, 0)) {
		t.Fatalf("pauses %+v, want Tue 4 November 10:00 to Thu 6 November 10:00", r.Clock.Pauses)
	}
	if got, want := r.Clock.Due.In(cst), at(2025, 11, 12, 17, 30); !got.Equal(want) {
		t.Errorf("due %v, want %v (moved by two paused working days)", got, want)
	}
	if len(r.Alerts) != 0 {
		t.Errorf("alerts %v, want none: approved well within the limit", alerts(r))
	}
	if r.Clock.State != "stopped" {
		t.Errorf("clock %s, want stopped once the case ended", r.Clock.State)
	}
}

func TestStepLimitWarnsAndFlagsOverdue(t *testing.T) {
	// The review step has 2 working days of its own. Created Monday 3
	// November 2025 10:00: due Wednesday 5 November 17:30, warning at the
	// close of Tuesday 4 November. The reviewer finishes on Thursday.
	r := run(t, at(2025, 11, 3, 9, 0), nil, []simulate.Step{
		wait("PT1H"), complete("accept", "accept"),
		wait("PT72H"), complete("review", ""),
		supplement(), complete("approve", ""),
	})
	want := map[string]time.Time{"review:warning": at(2025, 11, 4, 17, 30), "review:overdue": at(2025, 11, 5, 17, 30)}
	if fmt.Sprint(alerts(r)) != fmt.Sprint(want) {
		t.Errorf("alerts %v, want %v", alerts(r), want)
	}
}

func TestSpecialProcedurePause(t *testing.T) {
	// A hearing from Tuesday 4 November 2025 10:00 to Monday 10 November
	// 10:00 (four working days) moves a 5-day limit from Monday 10 November
	// to Friday 14 November 17:30; without it the warning would have fired
	// on Friday 7 November.
	r := run(t, at(2025, 11, 3, 9, 0), &clock.Limits{PromisedDays: 5}, []simulate.Step{
		wait("PT1H"), complete("accept", "accept"),
		wait("PT24H"), pause("hearing-1", "hearing", "听证 requested by the applicant"),
		wait("PT144H"), resume("hearing-1"),
		complete("review", ""), supplement(), complete("approve", ""),
	})
	if got, want := r.Clock.Due.In(cst), at(2025, 11, 14, 17, 30); !got.Equal(want) {
		t.Errorf("due %v, want %v", got, want)
	}
	if len(r.Clock.Pauses) < 1 || r.Clock.Pauses[0].Kind != "hearing" || r.Clock.Pauses[0].Reason == "" || r.Clock.Pauses[0].To.IsZero() {
		t.Errorf("pauses %+v, want the hearing with its reason, ended", r.Clock.Pauses)
	}
	if len(r.Alerts) != 0 {
		t.Errorf("alerts %v, want none", alerts(r))
	}
}

func TestResumeWithoutPauseIsAnError(t *testing.T) {
	defs, _, _ := definitions.Parse(limitsFlow)
	m, _ := machine.Compile(defs, "limits", machine.Options{})
	_, err := simulate.Run(map[string]*machine.Model{"limits": m}, "limits", simulate.Script{Steps: []simulate.Step{resume("nothing")}}, simulate.Options{})
	if err == nil {
		t.Fatal("resuming a procedure that never started: want an error")
	}
}
