package outbound_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/engine/outbound"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestRunnerOnBothStores runs deliveries through a real worker on each engine store (an
// SQLite file, and Redis for scale-out): each is attempted until it is done, and enqueueing a
// delivery twice runs it once.
func TestRunnerOnBothStores(t *testing.T) {
	for _, c := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "engine.db") }},
		{"redis", func(t *testing.T) string { return "redis://" + storetest.RedisAddr(t) + "/0" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := engine.OpenBackend(c.dsn(t), engine.BackendOptions{WorkerName: "test-" + store.NewID(), KeyPrefix: "t" + store.NewID() + ":"})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			attempts := map[string]int{}
			r, err := outbound.New(outbound.Config{Backend: b, PollInterval: 10 * time.Millisecond,
				Attempt: func(_ context.Context, d outbound.Delivery, n int) (outbound.Result, error) {
					mu.Lock()
					defer mu.Unlock()
					attempts[d.ID]++
					return outbound.Result{Done: n >= 2}, nil // the first attempt fails
				},
				GiveUp: func(context.Context, outbound.Delivery) error { t.Error("gave up"); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cancel(); _ = r.Wait(); _ = b.Close() })
			for _, id := range []string{"a", "b", "c"} {
				d := outbound.Delivery{Kind: "test", ID: id, Run: 1, Backoff: 20 * time.Millisecond, MaxBackoff: time.Second, GiveUpAfter: time.Hour}
				for range 2 {
					if err := r.Enqueue(ctx, d); err != nil {
						t.Fatal(err)
					}
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				mu.Lock()
				done := attempts["a"] >= 2 && attempts["b"] >= 2 && attempts["c"] >= 2
				mu.Unlock()
				if done {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("attempts %v", attempts)
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // a second workflow of the same delivery would attempt again by now
			mu.Lock()
			defer mu.Unlock()
			for id, n := range attempts {
				if n != 2 {
					t.Errorf("delivery %s attempted %d times, want 2 (one workflow)", id, n)
				}
			}
		})
	}
}
