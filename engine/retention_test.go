package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/core"

	"onewindow/engine/enginetest"
	"onewindow/store/storetest"
)

var straightThrough = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
<process id="straight" isExecutable="true"><startEvent id="s"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="e"/></process></definitions>`)

// TestRemoveFinishedKeepsTheCase: retention removes a finished case's
// engine history and nothing of the application's (the case row stays).
func TestRemoveFinishedKeepsTheCase(t *testing.T) {
	db := storetest.SQLite(t)
	file := filepath.Join(t.TempDir(), "engine.db")
	x := enginetest.Start(t, db, enginetest.Options{Backend: "sqlite:" + file})
	x.Deploy("straight", straightThrough)
	id := x.StartCase("straight", nil)
	x.WaitStatus(id, "completed")
	ctx := context.Background()
	c := x.Engine.Client()
	var exec string
	x.Eventually("the instance to finish", func() bool {
		if exec == "" {
			exec = executionOf(t, file, id)
		}
		st, err := c.GetWorkflowInstanceState(ctx, core.NewWorkflowInstance(id, exec))
		return err == nil && st == core.WorkflowInstanceStateFinished
	})
	if err := x.Engine.RemoveFinished(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWorkflowInstanceState(ctx, core.NewWorkflowInstance(id, exec)); err != nil {
		t.Fatalf("an instance finished within the retention period was removed: %v", err)
	}
	if err := x.Engine.RemoveFinished(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWorkflowInstanceState(ctx, core.NewWorkflowInstance(id, exec)); !errors.Is(err, backend.ErrInstanceNotFound) {
		t.Fatalf("finished instance still in the engine store after retention: %v", err)
	}
	if st := x.Status(id); st != "completed" {
		t.Fatalf("case status after retention = %q, want completed (the case row stays)", st)
	}
}

// executionOf reads the execution id of instance id from an SQLite engine store.
func executionOf(t *testing.T, file, id string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var exec string
	if err := conn.QueryRow(`SELECT execution_id FROM instances WHERE id = ?`, id).Scan(&exec); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return exec
}
