package engine_test

import (
	"context"
	"strings"
	"testing"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// An output mapping of a call activity that fails when the called case ends stops the caller
// in an incident at the call activity (not a case that goes on without its outputs); a retry
// with the missing variable maps again, through the engine's history and replay.
func TestCallOutputMappingIncidentThroughTheEngine(t *testing.T) {
	v := newEnv(t, storetest.SQLite(t), "", nil)
	v.deploy("check", bpmn(`<process id="check" isExecutable="true"><startEvent id="cs"/><userTask id="look"/><endEvent id="ce"/>
	  <sequenceFlow id="c1" sourceRef="cs" targetRef="look"/><sequenceFlow id="c2" sourceRef="look" targetRef="ce"/></process>`))
	v.deploy("caller", bpmn(`<process id="caller" isExecutable="true"><startEvent id="s"/>
	  <callActivity id="call" calledElement="check"><extensionElements>
	    <flowable:out source="verdict" target="verdict"/><flowable:out sourceExpression="${tries + 1}" target="tries"/>
	  </extensionElements></callActivity>
	  <userTask id="next"/><endEvent id="e"/>
	  <sequenceFlow id="p1" sourceRef="s" targetRef="call"/><sequenceFlow id="p2" sourceRef="call" targetRef="next"/>
	  <sequenceFlow id="p3" sourceRef="next" targetRef="e"/></process>`))
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := v.e.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "caller"}); err != nil {
		t.Fatal(err)
	}
	var childID string
	v.eventually("the called case", func() bool {
		var ids []string
		_ = v.db.SelectContext(ctx, &ids, v.db.Rebind(`SELECT id FROM cases WHERE parent_case_id = ?`), caseID)
		if len(ids) == 1 {
			childID = ids[0]
		}
		return childID != ""
	})
	v.complete(v.openTask(childID, "look"), "", map[string]any{"verdict": "fine"})
	v.waitStatus(caseID, "incident")
	incidents, _ := store.CaseIncidents(ctx, v.db, caseID, "open")
	if len(incidents) != 1 || incidents[0].ElementID != "call" || !strings.Contains(incidents[0].Message, "tries") {
		t.Fatalf("incidents %+v, want one at call naming tries", incidents)
	}
	retry, err := engine.RetryIncident(incidents[0].ID, map[string]any{"tries": 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.e.Send(ctx, retry); err != nil {
		t.Fatal(err)
	}
	v.complete(v.openTask(caseID, "next"), "", nil)
	v.waitStatus(caseID, "completed")
	c, _ := store.GetCaseState(ctx, v.db, caseID)
	if !strings.Contains(string(c.Variables), `"verdict":"fine"`) || !strings.Contains(string(c.Variables), `"tries":2`) {
		t.Fatalf("caller variables %s, want verdict fine and tries 2 from the mappings", c.Variables)
	}
}
