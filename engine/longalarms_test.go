package engine_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

var clockFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="https://onewindow.dev/schema/bpmn/1.0" targetNamespace="t">
<process id="clocked" isExecutable="true"><startEvent id="s"/>
  <intermediateThrowEvent id="received" ow:clock="startAtReceipt"/><userTask id="work"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="received"/><sequenceFlow id="f2" sourceRef="received" targetRef="work"/>
  <sequenceFlow id="f3" sourceRef="work" targetRef="e"/></process></definitions>`)

var longTimerFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
<process id="long" isExecutable="true"><startEvent id="s"/>
  <userTask id="work"/>
  <boundaryEvent id="late" attachedToRef="work"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <boundaryEvent id="nudge" attachedToRef="work" cancelActivity="false"><timerEventDefinition><timeDuration>PT1S</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="done"/><endEvent id="timedOut"/><endEvent id="nudged"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="work"/><sequenceFlow id="f2" sourceRef="work" targetRef="done"/>
  <sequenceFlow id="f3" sourceRef="late" targetRef="timedOut"/><sequenceFlow id="f4" sourceRef="nudge" targetRef="nudged"/>
</process></definitions>`)

type alarmState struct {
	ID      string `db:"id"`
	Channel string `db:"channel"`
	State   string `db:"state"`
}

func caseAlarms(t *testing.T, db *store.DB, caseID string) []alarmState {
	t.Helper()
	var out []alarmState
	if err := db.SelectContext(context.Background(), &out, db.Rebind(`SELECT id, channel, state FROM alarms WHERE case_id = ? ORDER BY id`), caseID); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLongTimerWaitsInTheAlarmsTable: a ten-day boundary timer is an alarm row, not a
// go-workflows timer (the one-second timer beside it stays in go-workflows); when the alarm
// falls due the loop fires it once and the interrupting boundary path is taken.
func TestLongTimerWaitsInTheAlarmsTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		file := t.TempDir() + "/engine.db"
		x := enginetest.Start(t, db, enginetest.Options{Backend: "sqlite:" + file})
		x.Deploy("long", longTimerFlow)
		id := x.StartCase("long", nil)
		x.OpenTask(id, "work")
		var armed []alarmState
		x.Eventually("the long timer's alarm", func() bool {
			armed = caseAlarms(t, db, id)
			return len(armed) == 1 && armed[0].State == "armed"
		})
		if armed[0].Channel != "alarm/"+waitOf(t, db, id, "late") {
			t.Errorf("alarm channel %q, want the wait of the boundary timer", armed[0].Channel)
		}
		// The short timer fires from go-workflows; the case keeps waiting.
		x.Eventually("the one-second timer to fire", func() bool { return timerState(t, db, id, "nudge") == "fired" })
		if n := futureEvents(t, file, id); n != 0 {
			t.Errorf("%d timers of the case still in go-workflows, want none", n)
		}
		if _, err := db.ExecContext(context.Background(), db.Rebind(`UPDATE alarms SET due_at = ? WHERE id = ?`), store.Time(time.Now().Add(-time.Second)), armed[0].ID); err != nil {
			t.Fatal(err)
		}
		x.WaitStatus(id, "completed")
		if got := caseAlarms(t, db, id); len(got) != 1 || got[0].State != "fired" {
			t.Errorf("alarms after firing: %+v, want one fired", got)
		}
		if st := timerState(t, db, id, "late"); st != "fired" {
			t.Errorf("boundary timer state %q, want fired", st)
		}
	})
}

// TestCompletedTaskDisarmsItsAlarm: completing the task closes its boundary timer, and its
// alarm row is disarmed rather than left to fire into a finished case.
func TestCompletedTaskDisarmsItsAlarm(t *testing.T) {
	db := storetest.SQLite(t)
	x := enginetest.Start(t, db, enginetest.Options{})
	x.Deploy("long", longTimerFlow)
	id := x.StartCase("long", nil)
	task := x.OpenTask(id, "work")
	x.Eventually("the alarm", func() bool { return len(caseAlarms(t, db, id)) == 1 })
	x.Complete(task, "", nil)
	x.WaitStatus(id, "completed")
	x.Eventually("the alarm to be disarmed", func() bool {
		got := caseAlarms(t, db, id)
		return len(got) == 1 && got[0].State == "cancelled"
	})
}

// TestClockAlarmsInTheAlarmsTable: a case's 20-day limits arm its warning and overdue alarms
// as rows; when the warning's row falls due, the alert is recorded once.
func TestClockAlarmsInTheAlarmsTable(t *testing.T) {
	db := storetest.SQLite(t)
	var alerts []engine.Alert
	x := enginetest.Start(t, db, enginetest.Options{OnAlert: func(ctx context.Context, a engine.Alert) error {
		alerts = append(alerts, a)
		return nil
	}})
	x.Deploy("clocked", clockFlow)
	id := "C-" + store.NewID()
	if err := x.Engine.StartCase(context.Background(), engine.CaseInput{CaseID: id, Definition: "clocked",
		Limits: &engine.Limits{PromisedDays: 20, StatutoryDays: 20}}); err != nil {
		t.Fatal(err)
	}
	var armed []alarmState
	x.Eventually("the clock's alarms", func() bool {
		armed = caseAlarms(t, db, id)
		return len(armed) >= 2 // the warning and the overdue alarm
	})
	warn := armed[0].ID
	if _, err := db.ExecContext(context.Background(), db.Rebind(`UPDATE alarms SET due_at = ? WHERE id = ?`), store.Time(time.Now().Add(-time.Second)), warn); err != nil {
		t.Fatal(err)
	}
	x.Eventually("the alert", func() bool {
		var n int
		_ = db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM alerts WHERE case_id = ?`), id)
		return n == 1
	})
}

// waitOf is the wait id of element's open timer in caseID.
func waitOf(t *testing.T, db *store.DB, caseID, element string) string {
	t.Helper()
	var id string
	if err := db.GetContext(context.Background(), &id, db.Rebind(`SELECT id FROM timers WHERE case_id = ? AND element_id = ? ORDER BY created_at LIMIT 1`), caseID, element); err != nil {
		t.Fatalf("timer %s of %s: %v", element, caseID, err)
	}
	_, w, _ := engine.SplitTaskID(id)
	return w
}

func timerState(t *testing.T, db *store.DB, caseID, element string) string {
	t.Helper()
	var st string
	_ = db.GetContext(context.Background(), &st, db.Rebind(`SELECT state FROM timers WHERE case_id = ? AND element_id = ? ORDER BY created_at DESC LIMIT 1`), caseID, element)
	return st
}

// futureEvents counts the go-workflows timers of instance id in an SQLite engine store.
func futureEvents(t *testing.T, file, id string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM pending_events WHERE instance_id = ? AND visible_at IS NOT NULL`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
