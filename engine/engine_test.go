package engine_test

import (
	"context"

	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// env wraps enginetest.Env with the short names these tests use.
type env struct {
	t  *testing.T
	e  *engine.Engine
	db *store.DB
	x  *enginetest.Env
}

func newEnv(t *testing.T, db *store.DB, backendDSN string, handlers map[string]engine.Handler) *env {
	t.Helper()
	x := enginetest.Start(t, db, enginetest.Options{Backend: backendDSN, Handlers: handlers})
	return &env{t: t, e: x.Engine, db: db, x: x}
}

func (v *env) deploy(key string, xml []byte)            { v.x.Deploy(key, xml) }
func (v *env) eventually(what string, cond func() bool) { v.t.Helper(); v.x.Eventually(what, cond) }
func (v *env) openTask(caseID, element string) string {
	v.t.Helper()
	return v.x.OpenTask(caseID, element)
}
func (v *env) complete(taskID, outcome string, vars map[string]any) {
	v.t.Helper()
	v.x.Complete(taskID, outcome, vars)
}
func (v *env) status(caseID string) string      { return v.x.Status(caseID) }
func (v *env) waitStatus(caseID, status string) { v.t.Helper(); v.x.WaitStatus(caseID, status) }

func bpmn(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">` + body + `</definitions>`)
}

// approval is accept -> countersign by the departments -> approve -> deliver.
var approval = bpmn(`<error id="noAddr" errorCode="NO_ADDRESS"/>
<process id="approval" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window" ow:stepKind="acceptance"/>
  <userTask id="review" flowable:candidateGroups="${department}" ow:stepKind="review" ow:countersign="all">
    <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="departments" flowable:elementVariable="department"/>
  </userTask>
  <exclusiveGateway id="g"/>
  <userTask id="approve" flowable:candidateGroups="lead" ow:stepKind="approval"/>
  <userTask id="coordinate" flowable:candidateGroups="lead" ow:stepKind="coordination"/>
  <serviceTask id="notify" ow:handler="notify"/>
  <userTask id="deliver" flowable:candidateGroups="window" ow:stepKind="delivery"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="g"/>
  <sequenceFlow id="f4" sourceRef="g" targetRef="approve"><conditionExpression>${countersignResult == 'agreed'}</conditionExpression></sequenceFlow>
  <sequenceFlow id="f5" sourceRef="g" targetRef="coordinate"><conditionExpression>${countersignResult == 'objected'}</conditionExpression></sequenceFlow>
  <sequenceFlow id="f6" sourceRef="coordinate" targetRef="approve"/>
  <sequenceFlow id="f7" sourceRef="approve" targetRef="notify"/>
  <sequenceFlow id="f8" sourceRef="notify" targetRef="deliver"/>
  <sequenceFlow id="f9" sourceRef="deliver" targetRef="e"/>
</process>`)

func TestCaseRunsEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var notified []string
		v := newEnv(t, db, "", map[string]engine.Handler{"notify": func(ctx context.Context, call engine.HandlerCall) (map[string]any, error) {
			notified = append(notified, call.CaseID)
			return map[string]any{"notified": true}, nil
		}})
		v.deploy("approval", approval)
		ctx := context.Background()
		caseID := "C-" + store.NewID()
		err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "approval",
			Vars: map[string]any{"departments": []any{"fgj", "zjj", "zrj"}}, Initiator: "applicant1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "approval"}); err != engine.ErrCaseExists {
			t.Fatalf("starting the same case again: err = %v, want ErrCaseExists", err)
		}
		v.complete(v.openTask(caseID, "accept"), "accept", nil)

		var reviews []store.Task
		v.eventually("three review tasks", func() bool {
			reviews, _ = store.CaseTasks(ctx, db, caseID, "open")
			return len(reviews) == 3
		})
		for _, r := range reviews {
			v.complete(r.ID, "agree", map[string]any{"opinion": "ok"})
		}
		v.complete(v.openTask(caseID, "approve"), "approve", nil)
		v.complete(v.openTask(caseID, "deliver"), "", nil)
		v.waitStatus(caseID, "completed")

		if len(notified) != 1 {
			t.Fatalf("notify handler ran %d times, want 1", len(notified))
		}
		c, _ := store.GetCaseState(ctx, db, caseID)
		var vars map[string]any
		_ = json.Unmarshal(c.Variables, &vars)
		if vars["countersignResult"] != "agreed" || vars["notified"] != true {
			t.Fatalf("variables %v", vars)
		}
		all, _ := store.CaseTasks(ctx, db, caseID, "")
		if len(all) != 6 {
			t.Fatalf("tasks = %d, want 6 (accept, 3 reviews, approve, deliver)", len(all))
		}
		for _, task := range all {
			if task.State != "completed" {
				t.Fatalf("task %s is %s, want completed", task.ElementID, task.State)
			}
		}
		hist, _ := store.CaseHistory(ctx, db, caseID)
		var entered []string
		for _, h := range hist {
			if h.Kind == "entered" {
				entered = append(entered, h.ElementID)
			}
		}
		if got := strings.Join(entered, ","); got != "s,accept,review,review,review,g,approve,notify,deliver,e" {
			t.Fatalf("history entered %s", got)
		}
	})
}

func TestTaskCompletedExactlyOnce(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("approval", approval)
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "approval", Vars: map[string]any{"departments": []any{"a"}}}); err != nil {
		t.Fatal(err)
	}
	task := v.openTask(caseID, "accept")
	results := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() { results <- store.TakeTask(ctx, v.db, task) }()
	}
	wins := 0
	for i := 0; i < 8; i++ {
		if err := <-results; err == nil {
			wins++
		} else if !strings.Contains(err.Error(), "no longer open") {
			t.Fatalf("loser got %v, want a conflict", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d callers took the task, want exactly 1", wins)
	}
}

func TestIncidentAndRetryThroughTheEngine(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("gate", bpmn(`<process id="gate" isExecutable="true"><startEvent id="s"/><exclusiveGateway id="g"/>
	  <userTask id="big"/><userTask id="small"/><endEvent id="e1"/><endEvent id="e2"/>
	  <sequenceFlow id="x1" sourceRef="s" targetRef="g"/>
	  <sequenceFlow id="x2" sourceRef="g" targetRef="big"><conditionExpression>${amount &gt; 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x3" sourceRef="g" targetRef="small"><conditionExpression>${amount &lt;= 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x4" sourceRef="big" targetRef="e1"/><sequenceFlow id="x5" sourceRef="small" targetRef="e2"/></process>`))
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "gate"}); err != nil {
		t.Fatal(err)
	}
	v.waitStatus(caseID, "incident")
	incidents, _ := store.CaseIncidents(ctx, v.db, caseID, "open")
	if len(incidents) != 1 || incidents[0].ElementID != "g" {
		t.Fatalf("incidents %+v", incidents)
	}
	retry, err := engine.RetryIncident(incidents[0].ID, map[string]any{"amount": 500})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.e.Send(ctx, retry); err != nil {
		t.Fatal(err)
	}
	v.complete(v.openTask(caseID, "big"), "", nil)
	v.waitStatus(caseID, "completed")
}

func TestCallActivityAndMessages(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("child", bpmn(`<process id="child" isExecutable="true"><startEvent id="cs"/><userTask id="check"/>
	  <exclusiveGateway id="cg"/><endEvent id="ok"/><endEvent id="bad"><errorEventDefinition errorRef="E"/></endEvent>
	  <sequenceFlow id="c1" sourceRef="cs" targetRef="check"/><sequenceFlow id="c2" sourceRef="check" targetRef="cg"/>
	  <sequenceFlow id="c3" sourceRef="cg" targetRef="ok"><conditionExpression>${passed}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="c4" sourceRef="cg" targetRef="bad"><conditionExpression>${!passed}</conditionExpression></sequenceFlow></process>`))
	v.deploy("parent", bpmn(`<message id="m" name="paid"/><process id="parent" isExecutable="true"><startEvent id="s"/>
	  <callActivity id="call" calledElement="child"/>
	  <boundaryEvent id="failed" attachedToRef="call"><errorEventDefinition errorRef="E"/></boundaryEvent>
	  <intermediateCatchEvent id="pay"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
	  <userTask id="fix"/><endEvent id="e"/><endEvent id="e2"/>
	  <sequenceFlow id="p1" sourceRef="s" targetRef="call"/><sequenceFlow id="p2" sourceRef="call" targetRef="pay"/>
	  <sequenceFlow id="p3" sourceRef="pay" targetRef="e"/><sequenceFlow id="p4" sourceRef="failed" targetRef="fix"/>
	  <sequenceFlow id="p5" sourceRef="fix" targetRef="e2"/></process>`))
	ctx := context.Background()
	for _, passed := range []bool{true, false} {
		t.Run(fmt.Sprint("passed=", passed), func(t *testing.T) {
			caseID := "C-" + store.NewID()
			if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "parent"}); err != nil {
				t.Fatal(err)
			}
			var childID string
			v.eventually("the child case", func() bool {
				var ids []string
				_ = v.db.SelectContext(ctx, &ids, v.db.Rebind(`SELECT id FROM cases WHERE parent_case_id = ?`), caseID)
				if len(ids) == 1 {
					childID = ids[0]
				}
				return childID != ""
			})
			v.complete(v.openTask(childID, "check"), "", map[string]any{"passed": passed})
			v.waitStatus(childID, map[bool]string{true: "completed", false: "failed"}[passed])
			if !passed {
				v.complete(v.openTask(caseID, "fix"), "", nil)
				v.waitStatus(caseID, "completed")
				return
			}
			var sub []store.MessageWait
			v.eventually("the message wait", func() bool {
				sub, _ = store.CaseSubscriptions(ctx, v.db, caseID, "open")
				return len(sub) == 1
			})
			if sub[0].Name != "paid" {
				t.Fatalf("subscription %+v", sub[0])
			}
			msg, err := engine.DeliverMessage(sub[0].ID, "paid", map[string]any{"amount": 12})
			if err != nil {
				t.Fatal(err)
			}
			if err := v.e.Send(ctx, msg); err != nil {
				t.Fatal(err)
			}
			v.waitStatus(caseID, "completed")
			c, _ := store.GetCaseState(ctx, v.db, caseID)
			if !strings.Contains(string(c.Variables), `"passed":true`) || !strings.Contains(string(c.Variables), `"amount":12`) {
				t.Fatalf("parent variables %s lack the child's output or the message's payload", c.Variables)
			}
		})
	}
}

func TestCancelCase(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("approval", approval)
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "approval", Vars: map[string]any{"departments": []any{"a", "b"}}}); err != nil {
		t.Fatal(err)
	}
	v.complete(v.openTask(caseID, "accept"), "", nil)
	v.eventually("two reviews", func() bool {
		open, _ := store.CaseTasks(ctx, v.db, caseID, "open")
		return len(open) == 2
	})
	if err := v.e.Send(ctx, engine.CancelCase(caseID)); err != nil {
		t.Fatal(err)
	}
	v.waitStatus(caseID, "cancelled")
	tasks, _ := store.CaseTasks(ctx, v.db, caseID, "")
	cancelled := 0
	for _, task := range tasks {
		if task.State == "cancelled" {
			cancelled++
		}
	}
	if cancelled != 2 {
		t.Fatalf("%d tasks cancelled, want the 2 open reviews", cancelled)
	}
}

func TestRunningCaseKeepsItsVersion(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v1 := bpmn(`<process id="pinned" isExecutable="true"><startEvent id="s"/><userTask id="first"/><userTask id="second"/><endEvent id="e"/>
	  <sequenceFlow id="a" sourceRef="s" targetRef="first"/><sequenceFlow id="b" sourceRef="first" targetRef="second"/>
	  <sequenceFlow id="c" sourceRef="second" targetRef="e"/></process>`)
	v2 := bpmn(`<process id="pinned" isExecutable="true"><startEvent id="s"/><userTask id="first"/><userTask id="other"/><endEvent id="e"/>
	  <sequenceFlow id="a" sourceRef="s" targetRef="first"/><sequenceFlow id="b" sourceRef="first" targetRef="other"/>
	  <sequenceFlow id="c" sourceRef="other" targetRef="e"/></process>`)
	v.deploy("pinned", v1)
	old := v.x.StartCase("pinned", nil)
	v.openTask(old, "first")
	v.deploy("pinned", v2) // version 2, published while the first case runs
	fresh := v.x.StartCase("pinned", nil)
	v.complete(v.openTask(old, "first"), "", nil)
	v.complete(v.openTask(fresh, "first"), "", nil)
	v.openTask(old, "second") // the running case goes on with version 1
	v.openTask(fresh, "other")
	c, _ := store.GetCaseState(context.Background(), v.db, old)
	if c.DefinitionVersion != 1 {
		t.Fatalf("old case runs version %d, want 1", c.DefinitionVersion)
	}
}

func TestThrownSignalReachesOtherCases(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("listener", bpmn(`<signal id="sig" name="recall"/><process id="listener" isExecutable="true"><startEvent id="s"/>
	  <intermediateCatchEvent id="hear"><signalEventDefinition signalRef="sig"/></intermediateCatchEvent><userTask id="act"/><endEvent id="e"/>
	  <sequenceFlow id="a" sourceRef="s" targetRef="hear"/><sequenceFlow id="b" sourceRef="hear" targetRef="act"/><sequenceFlow id="c" sourceRef="act" targetRef="e"/></process>`))
	v.deploy("shouter", bpmn(`<signal id="sig" name="recall"/><process id="shouter" isExecutable="true"><startEvent id="s"/><userTask id="decide"/>
	  <intermediateThrowEvent id="shout"><signalEventDefinition signalRef="sig"/></intermediateThrowEvent><endEvent id="e"/>
	  <sequenceFlow id="a" sourceRef="s" targetRef="decide"/><sequenceFlow id="b" sourceRef="decide" targetRef="shout"/><sequenceFlow id="c" sourceRef="shout" targetRef="e"/></process>`))
	listeners := []string{v.x.StartCase("listener", nil), v.x.StartCase("listener", nil)}
	for _, l := range listeners {
		v.eventually("the listener's signal wait", func() bool {
			subs, _ := store.CaseSubscriptions(context.Background(), v.db, l, "open")
			return len(subs) == 1
		})
	}
	shouter := v.x.StartCase("shouter", nil)
	v.complete(v.openTask(shouter, "decide"), "", nil)
	v.waitStatus(shouter, "completed")
	for _, l := range listeners {
		v.openTask(l, "act") // each listener heard the signal once
	}
}
