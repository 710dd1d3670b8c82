package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestAlarmsFireOnce: due alarms are read earliest first through the index; two loops firing
// the same alarms at once queue each signal once; a disarmed alarm never fires; arming again
// (an activity run twice) changes nothing.
func TestAlarmsFireOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.Engine{DB: db}
		now := time.Now()
		alarm := func(id string, due time.Duration) engine.Alarm {
			return engine.Alarm{ID: "C1/alarm/" + id + "/1", CaseID: "C1", Channel: "alarm/" + id, Due: now.Add(due)}
		}
		arm := engine.AlarmChange{CaseID: "C1", Arm: []engine.Alarm{alarm("b", -time.Second), alarm("a", -2*time.Second), alarm("later", time.Hour), alarm("gone", -time.Second)}}
		for range 2 {
			if err := s.SetAlarms(ctx, arm); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetAlarms(ctx, engine.AlarmChange{CaseID: "C1", Disarm: []string{alarm("gone", 0).ID}}); err != nil {
			t.Fatal(err)
		}
		next, ok, err := s.NextAlarm(ctx)
		if err != nil || !ok || !next.Equal(store.Time(now.Add(-2*time.Second))) {
			t.Fatalf("next alarm %v %v %v, want the earliest armed one", next, ok, err)
		}
		due, err := s.DueAlarms(ctx, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 2 || due[0].ID != alarm("a", 0).ID || due[1].ID != alarm("b", 0).ID {
			t.Fatalf("due alarms %+v, want a then b", due)
		}
		var mu sync.Mutex
		var fired []engine.OutboxSignal
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sigs, err := s.FireAlarms(ctx, due)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				fired = append(fired, sigs...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(fired) != 2 {
			t.Fatalf("%d signals from two loops firing two alarms, want 2", len(fired))
		}
		for _, sig := range fired {
			if sig.Signal.Kind != engine.SignalAlarm || sig.Channel != "alarm/"+sig.Signal.Instance[len("C1/alarm/"):len(sig.Signal.Instance)-2] {
				t.Errorf("signal %+v does not name its alarm and channel", sig)
			}
		}
		pending, err := s.PendingSignals(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(pending) != 2 {
			t.Fatalf("outbox holds %d signals (%v), want 2", len(pending), err)
		}
		if err := s.DeleteSignals(ctx, []string{pending[0].ID, pending[1].ID}); err != nil {
			t.Fatal(err)
		}
		if again, err := s.FireAlarms(ctx, []engine.Alarm{alarm("gone", 0), alarm("a", 0)}); err != nil || len(again) != 0 {
			t.Fatalf("firing a disarmed and a fired alarm gave %d signals (%v), want none", len(again), err)
		}
		if due, _ := s.DueAlarms(ctx, now.Add(2*time.Hour), 10); len(due) != 1 || due[0].ID != alarm("later", 0).ID {
			t.Fatalf("still armed: %+v, want only the later alarm", due)
		}
	})
}

// TestEngineAppliesItsOwnAlarms: the engine's store writes a step's alarms with its batch
// only into its own database's alarms table (serve passes the same database as both).
func TestEngineAppliesItsOwnAlarms(t *testing.T) {
	a, b := storetest.SQLite(t), storetest.SQLite(t)
	if !(store.Engine{DB: a}).AppliesAlarmsOf(store.Engine{DB: a}) {
		t.Error("the same database's alarms are not applied with its batches")
	}
	if (store.Engine{DB: a}).AppliesAlarmsOf(store.Engine{DB: b}) {
		t.Error("another database's alarms would be written into this one's batches")
	}
	if (store.Engine{DB: a}).AppliesAlarmsOf(nil) {
		t.Error("no alarm store, yet alarms applied")
	}
}
