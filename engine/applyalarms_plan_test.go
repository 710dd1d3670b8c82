package engine

import (
	"testing"
	"time"

	"onewindow/engine/clock"
)

// TestPlanAlarms: Apply's decisions for a step. A timer due AlarmThreshold or more after the
// step becomes an alarm, a shorter one stays a go-workflows timer; a clock alert armed with
// the due time it still has is kept, one whose due time moved is stopped (its alarm
// disarmed) and armed again under the step's id; the closed waits' alarms are disarmed.
func TestPlanAlarms(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	b := &Batch{CaseID: "C1", Seq: 7, At: at}
	warn, due := at.Add(72*time.Hour), at.Add(96*time.Hour)
	slots := []clock.AlertSlot{
		{Alert: clock.Alert{ID: "C1/case:warning", CaseID: "C1", Kind: "warning", Scope: "case"}, Due: "warn"},
		{Alert: clock.Alert{ID: "C1/case:overdue", CaseID: "C1", Kind: "overdue", Scope: "case"}, Due: "due"},
		{Alert: clock.Alert{ID: "C1/statutory:overdue", CaseID: "C1", Kind: "overdue", Scope: "statutory"}, Due: "statutory"},
	}
	plan := &AlarmPlan{
		Timers: []string{"long", "short", "unknown"},
		Disarm: []string{"C1/alarm/closed/3"},
		Clock: &ClockPlan{Slots: slots, Armed: []ClockAlarm{
			{Key: "case:warning", Alert: clock.Alert{Due: warn}, ID: "C1/alarm/case:warning/2"},              // unchanged: kept
			{Key: "case:overdue", Alert: clock.Alert{Due: at.Add(time.Hour)}, ID: "C1/alarm/case:overdue/2"}, // moved
		}},
	}
	timers := map[string]time.Time{"long": at.Add(AlarmThreshold), "short": at.Add(AlarmThreshold - time.Second)}
	change, applied := planAlarms(b, plan, timers, clock.Dues{Warn: warn, Due: due}) // no statutory due: no alert
	if a, ok := applied.Timers["long"]; !ok || a.ID != "C1/alarm/long/7" || a.Channel != "alarm/long" || !a.Due.Equal(timers["long"]) {
		t.Errorf("long timer's alarm %+v (%v), want C1/alarm/long/7 on alarm/long", a, ok)
	}
	if _, ok := applied.Timers["short"]; ok {
		t.Error("a timer due in less than AlarmThreshold became an alarm")
	}
	if len(applied.Stop) != 1 || applied.Stop[0] != "case:overdue" {
		t.Errorf("stopped %v, want the overdue alert whose due time moved", applied.Stop)
	}
	if len(applied.Start) != 1 || applied.Start[0].Key != "case:overdue" || applied.Start[0].ID != "C1/alarm/case:overdue/7" || !applied.Start[0].Alert.Due.Equal(due) {
		t.Errorf("started %+v, want the overdue alert again as alarm C1/alarm/case:overdue/7", applied.Start)
	}
	wantDisarm := []string{"C1/alarm/closed/3", "C1/alarm/case:overdue/2"}
	if len(change.Disarm) != len(wantDisarm) || change.Disarm[0] != wantDisarm[0] || change.Disarm[1] != wantDisarm[1] {
		t.Errorf("disarmed %v, want %v", change.Disarm, wantDisarm)
	}
	if len(change.Arm) != 2 || change.Arm[0].ID != "C1/alarm/long/7" || change.Arm[1].ID != "C1/alarm/case:overdue/7" {
		t.Errorf("armed %+v, want the long timer's and the moved alert's alarms", change.Arm)
	}
	// The same plan decides the same again (a repeated Apply, a replay).
	change2, _ := planAlarms(b, plan, timers, clock.Dues{Warn: warn, Due: due})
	if len(change2.Arm) != len(change.Arm) || change2.Arm[0].ID != change.Arm[0].ID || change2.Arm[1].ID != change.Arm[1].ID {
		t.Errorf("a second plan armed %+v, want %+v", change2.Arm, change.Arm)
	}
}
