package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/engine/calendar"
	"onewindow/engine/enginetest"
	"onewindow/store"
)

// TestDeemedAcceptanceInTheDurableEngine: an application received six weeks before the case
// was entered, and never decided or notified: the notify-once deadline counts from receipt (行政
// 许可法 §32), so it has passed when the case starts. The standard flow deems the application
// accepted at once, the clock runs as of receipt, the history says why, and the promised limit
// is overdue already.
func TestDeemedAcceptanceInTheDurableEngine(t *testing.T) {
	eachStack(t, func(t *testing.T, x *enginetest.Env) {
		ctx := context.Background()
		if _, err := store.EnsureStandardFlows(ctx, x.DB, "test"); err != nil {
			t.Fatal(err)
		}
		received := time.Now().AddDate(0, 0, -42).Truncate(time.Second)
		caseID := "C-" + store.NewID()
		err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: standard.Promised, ReceivedAt: received,
			Vars:   map[string]any{"leadSection": "zjj-xzsp", "coReviewers": []any{}},
			Limits: &engine.Limits{PromisedDays: 10, StatutoryDays: 20}})
		if err != nil {
			t.Fatal(err)
		}
		x.OpenTask(caseID, "review")
		c, err := store.GetCaseState(ctx, x.DB, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.ClockStartedAt == nil || !c.ClockStartedAt.Equal(store.Time(received)) || c.ClockReason == nil ||
			!strings.Contains(*c.ClockReason, "§32") || !strings.Contains(*c.ClockReason, standard.DeemedAcceptedElement) {
			t.Fatalf("clock started %v (%v), want the receipt %v, deemed accepted under §32", c.ClockStartedAt, c.ClockReason, received)
		}
		if want := calendar.National().AddWorkingDays(received, 10); c.DueAt == nil || !c.DueAt.Equal(store.Time(want)) {
			t.Errorf("due %v, want 10 working days from receipt %v", c.DueAt, want)
		}
		timers, _ := store.CaseTimers(ctx, x.DB, caseID, "")
		if len(timers) != 1 || timers[0].ElementID != "noticeDeadline" || timers[0].State != "fired" ||
			!timers[0].DueAt.Equal(store.Time(calendar.National().AddWorkingDays(received, 5))) {
			t.Errorf("timers %+v, want noticeDeadline fired, due 5 working days after receipt", timers)
		}
		history, _ := store.CaseHistory(ctx, x.DB, caseID)
		var why []string
		for _, h := range history {
			if h.ElementID == "noticeDeadline" || h.ElementID == standard.DeemedAcceptedElement || h.ElementID == "acceptance" {
				why = append(why, h.Kind+" "+h.ElementID)
			}
		}
		want := "entered acceptance,timerFired noticeDeadline,cancelled acceptance,entered noticeDeadline,entered deemedAccepted"
		if got := strings.Join(why, ","); !strings.Contains(got, want) {
			t.Errorf("history %q, want %q", got, want)
		}
		x.Eventually("the overdue alert of the promised limit", func() bool {
			for _, k := range alertKeys(t, x.DB, caseID) {
				if k == "case:overdue" {
					return true
				}
			}
			return false
		})
	})
}
