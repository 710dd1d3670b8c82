package sqlite

// onewindow: polls that wait for work instead of returning at once. An SQLite engine store
// belongs to one process (its file is not shared), so every write that creates work goes
// through this Backend: it wakes the waiting pollers itself, and a poller otherwise sleeps
// until the next go-workflows timer is due or, at most, the idle poll interval (which only
// catches what no write announces: locks of a dead worker running out, another process
// writing the file by hand). An idle server then reads the database once per interval per
// poller instead of twenty times a second.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultIdlePoll is how long a poll waits for work before answering that there is none.
const DefaultIdlePoll = time.Second

// WithIdlePoll sets how long a poll with nothing to do waits for a wake-up or a due timer
// before it answers that there is no task (default DefaultIdlePoll); 0 answers at once, as
// upstream does, and leaves the waiting to the worker's polling interval.
func WithIdlePoll(d time.Duration) Option {
	return func(o *options) { o.IdlePoll = d }
}

// wakeup wakes the pollers waiting for one kind of work. A poller takes the channel before
// it reads the database, so work written between its read and its wait still wakes it.
// Every waiting poller wakes, whichever worker (set of queues) it polls for: the engine's
// and the outbound deliveries' workers share the store (TestWakeReachesEveryWorker). Waking
// one poller per commit instead (a token per set of queues) was tried on 2026-11-30: no
// measurable gain at 50 clerks, and go-workflows' end-to-end auto-expiration test, a race
// between a 1 ms expiry and the client's reads, then failed in 2 of 9 runs (0 of 6 on main).
type wakeup struct {
	mu sync.Mutex
	ch chan struct{}
}

// C answers the channel closed by the next notify.
func (w *wakeup) C() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

// notify wakes every poller waiting on C.
func (w *wakeup) notify() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

// WakeWorkflows wakes the workflow-task pollers: workflow work was written to the store.
// The Backend calls it after its own commits; it is exported for a writer that bypasses it.
func (sb *Backend) WakeWorkflows() { sb.wfWake.notify() }

// WakeActivities wakes the activity-task pollers: an activity was scheduled.
func (sb *Backend) WakeActivities() { sb.actWake.notify() }

// waitForTask runs poll until it answers a task or an error, ctx ends, or the idle poll
// interval passes; between polls it sleeps until woken or until next answers a time when
// work falls due (a go-workflows timer), whichever is first. It answers (nil, nil) when
// nothing came, as a poll that found nothing.
func waitForTask[T any](ctx context.Context, idle time.Duration, w *wakeup,
	next func(ctx context.Context, now time.Time) (time.Time, bool, error),
	poll func(ctx context.Context) (*T, error)) (*T, error) {
	deadline := time.Now().Add(idle)
	for {
		woken := w.C()
		t, err := poll(ctx)
		if err != nil || t != nil {
			return t, err
		}
		now := time.Now()
		wait := deadline.Sub(now)
		if wait <= 0 {
			return nil, nil
		}
		if next != nil {
			at, ok, err := next(ctx, now)
			if err != nil {
				return nil, err
			}
			if ok && at.Sub(now) < wait {
				wait = max(at.Sub(now), time.Millisecond)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, nil
		case <-woken:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// nextVisible answers when the earliest pending event not yet visible becomes visible (a
// go-workflows timer), through the index over visible_at.
func (sb *Backend) nextVisible(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var at time.Time
	err := sb.db.QueryRowContext(ctx,
		`SELECT visible_at FROM pending_events WHERE visible_at > ? ORDER BY visible_at LIMIT 1`, now).Scan(&at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, false, nil
	case err != nil:
		if ctx.Err() != nil {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("finding the next timer: %w", err)
	}
	return at, true, nil
}

// commitWork commits tx, which wrote workflow work (pending events), and wakes the
// workflow-task pollers.
func (sb *Backend) commitWork(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	sb.WakeWorkflows()
	return nil
}
