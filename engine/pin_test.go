package engine_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

// dmnFile is a DMN 1.3 file of namespace ns.
func dmnFile(ns, body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d_` + ns + `" name="` + ns + `" namespace="https://example.org/` + ns + `">` + body + `</definitions>`)
}

// TestReplayReadsPinnedDecisions: a case's decision files are pinned too, an imported file
// by its namespace and hash: after a restart, with a newer file of the imported namespace
// published meanwhile, the replay evaluates the files the case started with.
func TestReplayReadsPinnedDecisions(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	publishDMN := func(key string, xml []byte) {
		d := &store.DefinitionVersion{Key: key, Name: key, Kind: store.KindDMN, Namespace: "https://example.org/" + key, XML: xml,
			FileName: key + ".dmn", DeploymentID: store.NewID(), CreatedBy: "test"}
		if _, err := store.DeployDefinition(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		if _, err := store.PublishDefinition(ctx, db, key, d.Version, "test"); err != nil {
			t.Fatal(err)
		}
	}
	rates := func(base string) []byte {
		return dmnFile("rates", `<businessKnowledgeModel id="base" name="Base"><encapsulatedLogic><literalExpression><text>`+base+
			`</text></literalExpression></encapsulatedLogic></businessKnowledgeModel>`)
	}
	publishDMN("rates", rates("10"))
	publishDMN("fee", dmnFile("fee", `<import name="rates" namespace="https://example.org/rates" importType="https://www.omg.org/spec/DMN/20191111/MODEL/"/>
<decision id="fee" name="fee"><knowledgeRequirement><requiredKnowledge href="https://example.org/rates#base"/></knowledgeRequirement>
<literalExpression><text>rates.Base() * 2</text></literalExpression></decision>`))
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "engine.db")
	x := enginetest.Start(t, db, enginetest.Options{Backend: dsn, WorkerName: "w1"})
	x.Deploy("pay", bpmn(`<process id="pay" isExecutable="true" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><startEvent id="s"/>
  <businessRuleTask id="rule" camunda:decisionRef="fee" camunda:mapDecisionResult="singleEntry" camunda:resultVariable="fee"/>
  <userTask id="payment" flowable:candidateGroups="window"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="rule"/><sequenceFlow id="f2" sourceRef="rule" targetRef="payment"/>
  <sequenceFlow id="f3" sourceRef="payment" targetRef="e"/></process>`))
	caseID := x.StartCase("pay", nil)
	task := x.OpenTask(caseID, "payment")
	x.Stop()

	publishDMN("rates", rates("100")) // the imported namespace, published again
	y := enginetest.Start(t, db, enginetest.Options{Backend: dsn, WorkerName: "w1"})
	y.Complete(task, "", map[string]any{"paid": true})
	y.WaitStatus(caseID, "completed")
	c, err := store.GetCaseState(ctx, db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(c.Variables, &vars); err != nil {
		t.Fatal(err)
	}
	if vars["fee"] != 20.0 || vars["paid"] != true {
		t.Fatalf("variables %v: want fee 20 (the rates file as pinned) and paid", vars)
	}
}
