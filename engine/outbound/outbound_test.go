package outbound_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/tester"

	"onewindow/engine/outbound"
)

// attempts records the attempts a test's deliveries made, at the tester's virtual time.
type attempts struct {
	mu      sync.Mutex
	at      []time.Time
	gaveUp  int
	failFor int // the first failFor attempts fail
	now     func() time.Time
}

func (a *attempts) attempt(_ context.Context, _ outbound.Delivery, n int) (outbound.Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, a.now())
	return outbound.Result{Done: n > a.failFor}, nil
}

func (a *attempts) giveUp(context.Context, outbound.Delivery) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gaveUp++
	return nil
}

func run(t *testing.T, failFor int, d outbound.Delivery) *attempts {
	t.Helper()
	rec := &attempts{failFor: failFor}
	r, err := outbound.New(outbound.Config{Attempt: rec.attempt, GiveUp: rec.giveUp})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	wt := tester.NewWorkflowTester[any](r.Workflow, tester.WithInitialTime(start), tester.WithTestTimeout(30*time.Second))
	rec.now = wt.Now
	if err := wt.Registry().RegisterActivity(r.Activities()); err != nil {
		t.Fatal(err)
	}
	wt.Execute(context.Background(), d)
	if !wt.WorkflowFinished() {
		t.Fatal("the delivery workflow did not finish")
	}
	if _, err := wt.WorkflowResult(); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestRetriesWithBackoff: three failed attempts, then a good one: the waits between them
// double from the first backoff, in virtual time, and nothing gives up.
func TestRetriesWithBackoff(t *testing.T) {
	d := outbound.Delivery{Kind: "webhook", ID: "d1", Run: 1, Backoff: 30 * time.Second, MaxBackoff: time.Hour, GiveUpAfter: 24 * time.Hour}
	rec := run(t, 3, d)
	if len(rec.at) != 4 || rec.gaveUp != 0 {
		t.Fatalf("%d attempts, gave up %d times; want 4 attempts and no giving up", len(rec.at), rec.gaveUp)
	}
	for i, want := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		if got := rec.at[i+1].Sub(rec.at[i]); got != want {
			t.Errorf("wait before attempt %d: %v, want %v", i+2, got, want)
		}
	}
}

// TestGivesUpAfterTheDeadline: a receiver that never answers well: the attempts go on with
// waits capped at the maximum backoff until the deadline, then the delivery gives up once.
func TestGivesUpAfterTheDeadline(t *testing.T) {
	d := outbound.Delivery{Kind: "webhook", ID: "d2", Run: 1, Backoff: 30 * time.Second, MaxBackoff: time.Hour, GiveUpAfter: 24 * time.Hour}
	rec := run(t, 1<<30, d)
	if rec.gaveUp != 1 {
		t.Fatalf("gave up %d times, want once", rec.gaveUp)
	}
	first, last := rec.at[0], rec.at[len(rec.at)-1]
	if span := last.Sub(first); span != 24*time.Hour {
		t.Errorf("the attempts span %v, want the whole 24 h (the last wait is cut to the deadline)", span)
	}
	for i := 1; i < len(rec.at); i++ {
		if gap := rec.at[i].Sub(rec.at[i-1]); gap > time.Hour {
			t.Errorf("wait %d is %v, more than the maximum backoff", i, gap)
		}
	}
	// 30 s doubling takes 7 waits (63.5 min) to reach the 1 h cap, then 22 hourly waits and a
	// last one cut to the deadline: 30 waits, 31 attempts.
	if len(rec.at) != 31 {
		t.Errorf("%d attempts in 24 h, want 31", len(rec.at))
	}
	t.Logf("attempts in 24 h: %d", len(rec.at))
}
