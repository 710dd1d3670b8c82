package engine_test

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	enginesqlite "onewindow/engine/sqlite"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestHistoryHoldsNoDefinition: a case's history records its definition's pin (key,
// version, content hash), not the XML: the XML would be in every open case's engine state.
func TestHistoryHoldsNoDefinition(t *testing.T) {
	db := storetest.SQLite(t)
	file := filepath.Join(t.TempDir(), "engine.db")
	x := enginetest.Start(t, db, enginetest.Options{Backend: "sqlite:" + file})
	x.Deploy("approval", approval)
	caseID := x.StartCase("approval", map[string]any{"departments": []any{"fgj"}})
	x.OpenTask(caseID, "accept")
	x.Stop()

	b, err := enginesqlite.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var execution string
	if err := b.DB().QueryRow(`SELECT execution_id FROM instances WHERE id = ?`, caseID).Scan(&execution); err != nil {
		t.Fatal(err)
	}
	events, err := b.GetWorkflowInstanceHistory(context.Background(), core.NewWorkflowInstance(caseID, execution), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The XML as a JSON []byte would be: base64, 30 bytes to 40 characters.
	xml := base64.StdEncoding.EncodeToString(approval[:30])
	pinned := false
	for _, ev := range events {
		a, ok := ev.Attributes.(*history.ActivityCompletedAttributes)
		if !ok {
			continue
		}
		if strings.Contains(string(a.Result), xml) {
			t.Fatalf("an activity result in the history holds the definition XML: %.200s", a.Result)
		}
		if strings.Contains(string(a.Result), `"Hash"`) {
			pinned = true
		}
	}
	if !pinned {
		t.Fatal("no pin (a result with the definition's hash) in the history")
	}
}

// TestReplayAfterRestartReadsThePin: after a restart the engine's model cache is empty; a
// case's replay reads its pinned definition again (by version, checked against the hash)
// and the case goes on, with the version it started on even though a newer one is
// published meanwhile.
func TestReplayAfterRestartReadsThePin(t *testing.T) {
	db := storetest.SQLite(t)
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "engine.db")
	handlers := map[string]engine.Handler{"notify": func(context.Context, engine.HandlerCall) (map[string]any, error) { return nil, nil }}
	x := enginetest.Start(t, db, enginetest.Options{Backend: dsn, Handlers: handlers, WorkerName: "w1"})
	x.Deploy("approval", approval)
	caseID := x.StartCase("approval", map[string]any{"departments": []any{"fgj"}})
	accept := x.OpenTask(caseID, "accept")
	x.Stop()

	// A second version whose acceptance leads straight to the end.
	x.Deploy("approval", bpmn(`<process id="approval" isExecutable="true"><startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/><sequenceFlow id="f2" sourceRef="accept" targetRef="e"/></process>`))

	y := enginetest.Start(t, db, enginetest.Options{Backend: dsn, Handlers: handlers, WorkerName: "w1"})
	y.Complete(accept, "accept", nil)
	review := y.OpenTask(caseID, "review") // version 1's next step
	y.Complete(review, "agree", nil)
	y.Complete(y.OpenTask(caseID, "approve"), "approve", nil)
	y.Complete(y.OpenTask(caseID, "deliver"), "", nil)
	y.WaitStatus(caseID, "completed")
	if c, err := store.GetCaseState(context.Background(), db, caseID); err != nil || c.DefinitionVersion != 1 {
		t.Fatalf("case state %+v, %v; want version 1", c, err)
	}
}
