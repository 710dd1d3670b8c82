package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/tester"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// clockFlow: acceptance (starts the clock on "accept") -> review -> a wait
// for the applicant's supplement that pauses the clock -> approval.
var clockFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
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

// virtualCase runs one case of clockFlow under go-workflows' tester, with
// virtual time from start and the real Apply and RecordAlert activities
// writing to db. steps run at their offsets from start.
type step struct {
	at time.Duration
	do func(wt tester.WorkflowTester[engine.CaseResult])
}

func virtualCase(t *testing.T, db *store.DB, caseID string, start time.Time, limits *engine.Limits, steps []step) {
	t.Helper()
	e, err := engine.New(engine.Config{Store: store.Engine{DB: db}})
	if err != nil {
		t.Fatal(err)
	}
	d := &store.DefinitionVersion{Key: "limits", Name: "limits", XML: clockFlow, FileName: "limits.bpmn", DeploymentID: "d", CreatedBy: "t"}
	if _, err := store.DeployDefinition(context.Background(), db, d); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishDefinition(context.Background(), db, "limits", d.Version, "t"); err != nil {
		t.Fatal(err)
	}
	wt := tester.NewWorkflowTester[engine.CaseResult](e.CaseWorkflow, tester.WithInitialTime(start), tester.WithTestTimeout(20*time.Second))
	if err := wt.Registry().RegisterActivity(e.Activities()); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		wt.ScheduleCallback(s.at, func() { s.do(wt) })
	}
	wt.Execute(context.Background(), engine.CaseInput{CaseID: caseID, Definition: "limits", Limits: limits})
	if !wt.WorkflowFinished() {
		t.Fatal("workflow did not finish")
	}
	res, err := wt.WorkflowResult()
	if err != nil || res.Result != "completed" {
		t.Fatalf("result %+v, %v", res, err)
	}
}

// completeIn signals the completion of the open task element of caseID.
func completeIn(t *testing.T, db *store.DB, caseID, element, outcome string) func(wt tester.WorkflowTester[engine.CaseResult]) {
	return func(wt tester.WorkflowTester[engine.CaseResult]) {
		tasks, err := store.CaseTasks(context.Background(), db, caseID, "open")
		if err != nil {
			t.Error(err)
			return
		}
		for _, task := range tasks {
			if task.ElementID == element {
				_, wait, _ := engine.SplitTaskID(task.ID)
				wt.SignalWorkflow(wait, engine.Signal{ID: "done-" + task.ID, Kind: engine.SignalComplete, Outcome: outcome})
				return
			}
		}
		t.Errorf("no open task %s at %v", element, wt.Now())
	}
}

func supplementIn(t *testing.T, db *store.DB, caseID string) func(wt tester.WorkflowTester[engine.CaseResult]) {
	return func(wt tester.WorkflowTester[engine.CaseResult]) {
		subs, err := store.CaseSubscriptions(context.Background(), db, caseID, "open")
		if err != nil || len(subs) != 1 {
			t.Errorf("subscriptions %v %v", subs, err)
			return
		}
		_, wait, _ := engine.SplitTaskID(subs[0].ID)
		wt.SignalWorkflow(wait, engine.Signal{ID: "sup-" + caseID, Kind: engine.SignalMessage, Name: "supplement"})
	}
}

func alertsOf(t *testing.T, db *store.DB, caseID string) map[string]time.Time {
	t.Helper()
	rows, err := store.CaseAlerts(context.Background(), db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Time{}
	for _, a := range rows {
		key := a.Scope + ":" + a.Kind
		if a.ElementID != nil && a.Scope == "task" {
			key = *a.ElementID + ":" + a.Kind
		}
		out[key] = a.FiredAt.In(cst)
	}
	return out
}

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, cst) }

func TestClockAcrossNationalDay(t *testing.T) {
	// Accepted on Friday 26 September 2025, the last Friday before the
	// National Day holiday (1-8 October; make-up working days Sunday 28
	// September and Saturday 11 October). Four working days: Sun 28, Mon 29,
	// Tue 30 September, then Thursday 9 October.
	db := storetest.SQLite(t)
	start := at(2025, 9, 26, 9, 0)
	const id = "C-national-day"
	virtualCase(t, db, id, start, &engine.Limits{PromisedDays: 4, StatutoryDays: 20}, []step{
		{time.Hour, completeIn(t, db, id, "accept", "accept")},
		{time.Hour + time.Minute, completeIn(t, db, id, "review", "")},
		{time.Hour + 2*time.Minute, supplementIn(t, db, id)},
		{20 * 24 * time.Hour, completeIn(t, db, id, "approve", "approve")},
	})
	c, err := store.GetCaseRow(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.DueAt.In(cst), at(2025, 10, 9, 17, 30); !got.Equal(want) {
		t.Errorf("due %v, want %v (after the holiday, make-up Sunday counted)", got, want)
	}
	if got, want := c.ClockStartedAt.In(cst), at(2025, 9, 26, 10, 0); !got.Equal(want) {
		t.Errorf("clock started %v, want %v (at acceptance)", got, want)
	}
	alerts := alertsOf(t, db, id)
	// Yellow one working day before the limit: the close of Tue 30 September
	// (the holiday is not a working day); red at the limit.
	if got, want := alerts["case:warning"], at(2025, 9, 30, 17, 30); !got.Equal(want) {
		t.Errorf("warning fired %v, want %v", got, want)
	}
	if got, want := alerts["case:overdue"], at(2025, 10, 9, 17, 30); !got.Equal(want) {
		t.Errorf("overdue fired %v, want %v", got, want)
	}
	if _, ok := alerts["statutory:overdue"]; ok {
		t.Error("statutory limit of 20 working days reported overdue")
	}
}

func TestSupplementPauseMovesDueDate(t *testing.T) {
	// Accepted Monday 3 November 2025 10:00 with 5 working days: due Monday
	// 10 November 17:30. The supplement wait pauses the clock from Tuesday
	// 4 November 10:00 to Thursday 6 November 10:00: two working days, so
	// the due date moves to Wednesday 12 November 17:30.
	db := storetest.SQLite(t)
	start := at(2025, 11, 3, 9, 0)
	const id = "C-pause"
	virtualCase(t, db, id, start, &engine.Limits{PromisedDays: 5}, []step{
		{time.Hour, completeIn(t, db, id, "accept", "accept")},
		{25 * time.Hour, completeIn(t, db, id, "review", "")},
		{73 * time.Hour, supplementIn(t, db, id)},
		{74 * time.Hour, completeIn(t, db, id, "approve", "approve")},
	})
	pauses, err := store.CasePauses(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(pauses) != 1 || pauses[0].EndedAt == nil || !pauses[0].StartedAt.Equal(at(2025, 11, 4, 10, 0)) {
		t.Fatalf("pauses %+v, want one from Tue 4 November 10:00, ended", pauses)
	}
	alerts := alertsOf(t, db, id)
	if len(alerts) != 0 {
		t.Errorf("alerts %v, want none: the case was approved well within its limit", alerts)
	}
	// The due date the case had while it waited (none: the clock was
	// paused) and after (moved by the pause) are in the history of the
	// row; the final row keeps the moved one.
	c, _ := store.GetCaseRow(context.Background(), db, id)
	if c.DueAt == nil || !c.DueAt.In(cst).Equal(at(2025, 11, 12, 17, 30)) {
		t.Errorf("due %v, want Wed 12 November 17:30 (moved by two paused working days)", c.DueAt)
	}
	if c.ClockState != "stopped" {
		t.Errorf("clock %s, want stopped once the case ended", c.ClockState)
	}
}

func TestStepLimitWarnsAndFlagsOverdue(t *testing.T) {
	// The review step has 2 working days of its own. Created Monday 3
	// November 2025 10:00: due Wednesday 5 November 17:30, warning at the
	// close of Tuesday 4 November. The reviewer finishes on Thursday.
	db := storetest.SQLite(t)
	start := at(2025, 11, 3, 9, 0)
	const id = "C-step"
	virtualCase(t, db, id, start, nil, []step{
		{time.Hour, completeIn(t, db, id, "accept", "accept")},
		{73 * time.Hour, completeIn(t, db, id, "review", "")},
		{74 * time.Hour, supplementIn(t, db, id)},
		{75 * time.Hour, completeIn(t, db, id, "approve", "")},
	})
	alerts := alertsOf(t, db, id)
	want := map[string]time.Time{"review:warning": at(2025, 11, 4, 17, 30), "review:overdue": at(2025, 11, 5, 17, 30)}
	if fmt.Sprint(alerts) != fmt.Sprint(want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}
}

func TestSpecialProcedurePause(t *testing.T) {
	// A hearing from Tuesday 4 November 2025 10:00 to Monday 10 November
	// 10:00 (four working days) moves a 5-day limit from Monday 10 November
	// to Friday 14 November 17:30; the supplement wait of one working hour
	// on Monday 10 November moves it on to Monday 17 November 10:00.
	db := storetest.SQLite(t)
	start := at(2025, 11, 3, 9, 0)
	const id = "C-hearing"
	control := func(sig engine.OutboxSignal) func(wt tester.WorkflowTester[engine.CaseResult]) {
		return func(wt tester.WorkflowTester[engine.CaseResult]) {
			sig.Signal.ID = sig.Signal.Name + "-" + id
			wt.SignalWorkflow("control", sig.Signal)
		}
	}
	virtualCase(t, db, id, start, &engine.Limits{PromisedDays: 5}, []step{
		{time.Hour, completeIn(t, db, id, "accept", "accept")},
		{25 * time.Hour, control(engine.PauseClock(id, "hearing-1", "hearing", "听证 requested by the applicant"))},
		{169 * time.Hour, control(engine.ResumeClock(id, "hearing-1"))},
		{170 * time.Hour, completeIn(t, db, id, "review", "")},
		{171 * time.Hour, supplementIn(t, db, id)},
		{172 * time.Hour, completeIn(t, db, id, "approve", "")},
	})
	c, _ := store.GetCaseRow(context.Background(), db, id)
	if c.DueAt == nil || !c.DueAt.In(cst).Equal(at(2025, 11, 17, 10, 0)) {
		t.Errorf("due %v, want Mon 17 November 10:00", c.DueAt)
	}
	pauses, _ := store.CasePauses(context.Background(), db, id)
	if len(pauses) != 2 || pauses[0].Kind != "hearing" || pauses[0].Reason == "" || pauses[0].EndedAt == nil ||
		pauses[1].Kind != "supplement" || pauses[1].EndedAt == nil {
		t.Errorf("pauses %+v, want the hearing with its reason and the supplement wait, both ended", pauses)
	}
	if a := alertsOf(t, db, id); len(a) != 0 {
		// The warning would have fired on Friday 7 November without the pause.
		t.Errorf("alerts %v, want none", a)
	}
}
