package engine_test

import (
	"context"
	"database/sql"
	"testing"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// clockedLongFlow has a clock started at receipt and a ten-day boundary timer on its task:
// one step arms both the timer's alarm and the clock's.
var clockedLongFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="https://onewindow.dev/schema/bpmn/1.0" targetNamespace="t">
<process id="clockedLong" isExecutable="true"><startEvent id="s"/>
  <intermediateThrowEvent id="received" ow:clock="startAtReceipt"/><userTask id="work"/>
  <boundaryEvent id="late" attachedToRef="work"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="done"/><endEvent id="timedOut"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="received"/><sequenceFlow id="f2" sourceRef="received" targetRef="work"/>
  <sequenceFlow id="f3" sourceRef="work" targetRef="done"/><sequenceFlow id="f4" sourceRef="late" targetRef="timedOut"/>
</process></definitions>`)

// TestAlarmsArmedInTheStep: a new case arms its long waits (the boundary timer's alarm and
// the clock's) in the Apply activity's transaction, with no SetAlarms activity in its
// history; after the engine restarts (the case is replayed from its history in a new
// process) completing the task disarms every alarm once, and no alarm is armed twice.
func TestAlarmsArmedInTheStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		file := t.TempDir() + "/engine.db"
		opts := enginetest.Options{Backend: "sqlite:" + file, WorkerName: "restarting-" + store.NewID()}
		x := enginetest.Start(t, db, opts)
		x.Deploy("clockedLong", clockedLongFlow)
		id := "C-" + store.NewID()
		if err := x.Engine.StartCase(context.Background(), engine.CaseInput{CaseID: id, Definition: "clockedLong",
			Limits: &engine.Limits{PromisedDays: 20, StatutoryDays: 20}}); err != nil {
			t.Fatal(err)
		}
		task := x.OpenTask(id, "work")
		var armed []alarmState
		x.Eventually("the timer's and the clock's alarms", func() bool {
			armed = caseAlarms(t, db, id)
			return len(armed) >= 3 // the boundary timer, the warning, the overdue alarm
		})
		for _, a := range armed {
			if a.State != "armed" {
				t.Errorf("alarm %s is %s, want armed", a.ID, a.State)
			}
		}
		if n := scheduledActivities(t, file, id, "SetAlarms"); n != 0 {
			t.Errorf("%d SetAlarms activities in the case's history, want none: Apply arms the alarms", n)
		}
		if n := scheduledActivities(t, file, id, "Apply"); n == 0 {
			t.Error("no Apply activity found in the case's history: the history query reads nothing")
		}

		x.Stop()
		x = enginetest.Start(t, db, opts)
		x.Complete(task, "", nil)
		x.WaitStatus(id, "completed")
		x.Eventually("every alarm disarmed", func() bool {
			got := caseAlarms(t, db, id)
			for _, a := range got {
				if a.State != "cancelled" {
					return false
				}
			}
			return len(got) > 0
		})
		if got := caseAlarms(t, db, id); len(got) != len(armed) {
			t.Errorf("after the replay the case has %d alarms, want the %d it armed (none armed again): %+v", len(got), len(armed), got)
		}
		if n := scheduledActivities(t, file, id, "SetAlarms"); n != 0 {
			t.Errorf("%d SetAlarms activities after the case ended, want none: the last Apply disarms", n)
		}
	})
}

// scheduledActivities counts the activities named name in instance id's history in an
// SQLite engine store.
func scheduledActivities(t *testing.T, file, id, name string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	// ActivityScheduled events (type 4 in go-workflows v1.2.0) hold the activity's name.
	if err := conn.QueryRow(`SELECT COUNT(*) FROM history h JOIN attributes a ON a.id = h.id AND a.instance_id = h.instance_id
		WHERE h.instance_id = ? AND CAST(a.data AS TEXT) LIKE ?`, id, `%"Name":"`+name+`"%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
