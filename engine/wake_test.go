package engine_test

import (
	"context"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestWorkWakesTheEngine: with an SQLite engine store whose idle poll is an hour, a case
// still runs from start to end (tasks, a countersign, a service task): every piece of work
// the engine writes (a new case, a signal, an activity scheduled or completed, a workflow
// task finished) wakes the pollers itself. A write that did not would stall the case past
// the test's waits.
func TestWorkWakesTheEngine(t *testing.T) {
	db := storetest.SQLite(t)
	x := enginetest.Start(t, db, enginetest.Options{IdlePoll: time.Hour, Handlers: map[string]engine.Handler{
		"notify": func(context.Context, engine.HandlerCall) (map[string]any, error) { return nil, nil },
	}})
	x.Deploy("approval", approval)
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "approval",
		Vars: map[string]any{"departments": []any{"fgj", "zjj"}}}); err != nil {
		t.Fatal(err)
	}
	x.Complete(x.OpenTask(caseID, "accept"), "accept", nil)
	var reviews []store.Task
	x.Eventually("two review tasks", func() bool {
		reviews, _ = store.CaseTasks(ctx, db, caseID, "open")
		return len(reviews) == 2
	})
	for _, r := range reviews {
		x.Complete(r.ID, "agree", nil)
	}
	x.Complete(x.OpenTask(caseID, "approve"), "approve", nil)
	x.Complete(x.OpenTask(caseID, "deliver"), "", nil)
	x.WaitStatus(caseID, "completed")
}
