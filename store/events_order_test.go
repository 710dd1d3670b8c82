package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
	"onewindow/store/storetest"
)

// TestEventsBecomeVisibleInSequence: on PostgreSQL a sequence number is taken when a row is
// inserted, not when its transaction commits, so without care a writer could commit event
// N+1 while N is still open and a poller past N+1 would never see N. A second writer waits
// for the first to commit (the feed shows neither meanwhile), and then both appear in order.
// (SQLite runs one write transaction at a time, so the question does not arise there.)
func TestEventsBecomeVisibleInSequence(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	ev := func(source string) store.Event {
		return store.Event{ID: store.NewID(), Type: "case.created", CaseID: "C1", Source: source, Data: store.JSON(`{}`), OccurredAt: time.Now()}
	}
	first, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	if err := store.AppendEvents(ctx, first, []store.Event{ev("first")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(ctx, func(tx *sqlx.Tx) error { return store.AppendEvents(ctx, tx, []store.Event{ev("second")}) })
	}()
	// The second writer waits for the event lock the first holds.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var waiting int
		if err := db.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the second writer committed (%v) while the first was open", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the second writer does not wait for the first")
		}
	}
	if evs, err := store.ListEvents(ctx, db, store.EventFilter{}); err != nil || len(evs) != 0 {
		t.Fatalf("the feed shows %+v (%v) while both are open", evs, err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs, err := store.ListEvents(ctx, db, store.EventFilter{})
	if err != nil || len(evs) != 2 || evs[0].Source != "first" || evs[1].Source != "second" || evs[0].Seq >= evs[1].Seq {
		t.Fatalf("events %+v (%v), want first then second", evs, err)
	}
}
