package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestTwoSweepersDeliverEachSignalOnce runs the outbox sweep of two worker processes against
// one PostgreSQL at the same time: every signal is delivered exactly once, by the one that
// holds the sweepers' lease.
func TestTwoSweepersDeliverEachSignalOnce(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	const signals = 300
	for i := range signals {
		s := engine.SetVariables(fmt.Sprintf("case-%03d", i), map[string]any{"n": i})
		if err := store.EnqueueSignal(ctx, db, &s); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu        sync.Mutex
		delivered = map[string][]string{} // signal id -> the workers that delivered it
	)
	sweep := func(worker string) {
		l := newLease(db, worker, slog.New(slog.DiscardHandler))
		es := leasedStore{Engine: store.Engine{DB: db}, lease: l}
		for range 200 { // bounded: both workers pass at least this often
			l.renew(ctx, time.Now())
			sigs, err := es.PendingSignals(ctx, time.Now().Add(time.Hour), 25)
			if err != nil {
				t.Error(err)
				return
			}
			for _, s := range sigs {
				mu.Lock()
				delivered[s.ID] = append(delivered[s.ID], worker)
				mu.Unlock()
				if err := es.DeleteSignal(ctx, s.ID); err != nil {
					t.Error(err)
				}
			}
			mu.Lock()
			done := len(delivered) == signals
			mu.Unlock()
			if done {
				return
			}
		}
	}
	var wg sync.WaitGroup
	for _, w := range []string{"worker-1", "worker-2"} {
		wg.Go(func() { sweep(w) })
	}
	wg.Wait()
	by := map[string]int{}
	for id, ws := range delivered {
		if len(ws) != 1 {
			t.Errorf("signal %s delivered %d times (by %v)", id, len(ws), ws)
		}
		by[ws[0]]++
	}
	if len(delivered) != signals {
		t.Fatalf("%d of %d signals delivered", len(delivered), signals)
	}
	if len(by) != 1 {
		t.Errorf("both workers swept at once: %v", by)
	}
	t.Logf("%d signals, delivered by %v", signals, by)
}

// TestSweepersLeaseTakenOver: the lease stays with its holder while it renews, passes to
// another worker once it has expired, and the old holder does not get it back by renewing.
func TestSweepersLeaseTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
		take := func(holder string, after time.Duration) bool {
			ok, err := store.TakeLease(ctx, db, sweeperLease, holder, t0.Add(after), sweeperLeaseTTL)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		steps := []struct {
			holder string
			after  time.Duration
			want   bool
		}{
			{"a", 0, true},
			{"b", time.Second, false},
			{"a", sweeperLeaseRenew, true}, // renewed: held until renew+TTL
			{"b", sweeperLeaseTTL + time.Second, false},
			{"b", sweeperLeaseRenew + sweeperLeaseTTL + time.Second, true}, // a died
			{"a", sweeperLeaseRenew + sweeperLeaseTTL + 2*time.Second, false},
		}
		for _, s := range steps {
			if got := take(s.holder, s.after); got != s.want {
				t.Fatalf("%s at +%v: held %v, want %v", s.holder, s.after, got, s.want)
			}
		}
		if err := store.ReleaseLease(ctx, db, sweeperLease, "b"); err != nil {
			t.Fatal(err)
		}
		if !take("a", sweeperLeaseRenew+sweeperLeaseTTL+3*time.Second) {
			t.Fatal("a released lease is free at once")
		}
	})
}

// TestRoleNeedsSharedStores: api and worker processes are refused on SQLite files.
func TestRoleNeedsSharedStores(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"--role", "api"}, false},
		{[]string{"--role", "worker", "--db", "postgres://u@h/db", "--engine-store", "sqlite:e.db"}, false},
		{[]string{"--role", "boss"}, false},
		{[]string{"--role", "worker", "--db", "postgres://u@h/db", "--engine-store", "redis://h:6379/0?prefix=ow"}, true},
		{nil, true},
	} {
		cfg, err := loadConfig("serve", tc.args)
		if (err == nil) != tc.ok {
			t.Errorf("%v: %v, want ok=%v", tc.args, err, tc.ok)
		}
		if err == nil && len(tc.args) > 5 && (cfg.EngineStore.KeyPrefix != "ow" || cfg.EngineStore.DSN != "redis://h:6379/0") {
			t.Errorf("%v: engine store %+v", tc.args, cfg.EngineStore)
		}
	}
}
