package engine_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
)

// The clock's arithmetic runs in virtual time in engine/clock's tests; this
// test checks its wiring in the durable engine with due times that are
// already past, so that every alarm fires at once without waiting.
var receiptFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="late" isExecutable="true">
  <startEvent id="s"/>
  <intermediateThrowEvent id="deemed" ow:clock="startAtReceipt"/>
  <userTask id="review" ow:stepKind="review" ow:timeLimit="3"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="deemed"/>
  <sequenceFlow id="f2" sourceRef="deemed" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="e"/>
</process></definitions>`)

func TestClockAlarmsInTheDurableEngine(t *testing.T) {
	eachStack(t, func(t *testing.T, x *enginetest.Env) {
		ctx := context.Background()
		x.Deploy("late", receiptFlow)
		caseID := "C-" + store.NewID()
		received := time.Now().AddDate(0, -2, 0)
		err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "late", ReceivedAt: received,
			Limits: &engine.Limits{PromisedDays: 5, StatutoryDays: 20}})
		if err != nil {
			t.Fatal(err)
		}
		// Received two months ago: every alert of the case is due already.
		want := []string{"case:overdue", "case:warning", "statutory:overdue"}
		var got []string
		x.Eventually("the case's three alerts", func() bool {
			got = alertKeys(t, x.DB, caseID)
			return strings.Join(got, ",") == strings.Join(want, ",")
		})
		c, err := store.GetCaseState(ctx, x.DB, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.ClockState != "running" || c.ClockReason == nil || !strings.Contains(*c.ClockReason, "§32") {
			t.Fatalf("clock %s (%v), want running, deemed accepted as of receipt", c.ClockState, c.ClockReason)
		}
		if c.ClockStartedAt == nil || !c.ClockStartedAt.Equal(store.Time(received)) {
			t.Fatalf("clock started %v, want the receipt %v", c.ClockStartedAt, received)
		}
		task := x.OpenTask(caseID, "review")
		tr, _ := store.GetTask(ctx, x.DB, task)
		if tr.DueAt == nil || !tr.DueAt.After(time.Now()) {
			t.Fatalf("review due %v, want a due time three working days ahead", tr.DueAt)
		}
		// A hearing pauses the clock; resuming it closes the pause.
		x.Send(engine.PauseClock(caseID, "h1", "hearing", "hearing requested"))
		x.Eventually("the hearing's pause", func() bool {
			p, _ := store.CasePauses(ctx, x.DB, caseID)
			return len(p) == 1 && p[0].Kind == "hearing"
		})
		x.Eventually("the clock to pause", func() bool {
			c, _ := store.GetCaseState(ctx, x.DB, caseID)
			return c.ClockState == "paused"
		})
		x.Send(engine.ResumeClock(caseID, "h1"))
		x.Eventually("the hearing's end", func() bool {
			p, _ := store.CasePauses(ctx, x.DB, caseID)
			return len(p) == 1 && p[0].EndedAt != nil
		})
		x.Complete(task, "", nil)
		x.WaitStatus(caseID, "completed")
		c, _ = store.GetCaseState(ctx, x.DB, caseID)
		if c.ClockState != "stopped" || c.DueAt == nil {
			t.Fatalf("clock %s due %v, want stopped with its due time kept", c.ClockState, c.DueAt)
		}
		// The alarms fired once each, even though the clock changed twice
		// after they fired.
		if got := alertKeys(t, x.DB, caseID); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("alerts %v, want %v once each", got, want)
		}
	})
}

func alertKeys(t *testing.T, db *store.DB, caseID string) []string {
	rows, err := store.CaseAlerts(context.Background(), db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range rows {
		out = append(out, a.Scope+":"+a.Kind)
	}
	sort.Strings(out)
	return out
}
