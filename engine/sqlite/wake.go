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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cschleiden/go-workflows/workflow"
)

// DefaultIdlePoll is how long a poll waits for work before answering that there is none.
const DefaultIdlePoll = time.Second

// WithIdlePoll sets how long a poll with nothing to do waits for a wake-up or a due timer
// before it answers that there is no task (default DefaultIdlePoll); 0 answers at once, as
// upstream does, and leaves the waiting to the worker's polling interval.
func WithIdlePoll(d time.Duration) Option {
	return func(o *options) { o.IdlePoll = d }
}

// wakeup hands a wake-up token to one poller waiting for one kind of work on one set of
// queues. onewindow: every commit of work used to wake every waiting poller; all of them read
// the store, one took the task and the others found nothing (at 50 clerks, about 1,000 empty
// workflow polls per 1,400 tasks; docs/performance.md). A token wakes one. It is not lost
// when no poller waits: it stays until a poller next waits, which then reads once more (at
// worst for nothing). One poller is enough for every task a commit makes: a poll that takes
// a task returns, and go-workflows' poller polls again at once, without waiting, until it
// finds nothing.
type wakeup struct {
	once sync.Once
	ch   chan struct{}
}

// C answers the channel that delivers the tokens.
func (w *wakeup) C() <-chan struct{} {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	return w.ch
}

// notify leaves a token for the next (or a waiting) poller; one already left stands for it.
func (w *wakeup) notify() {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// wakeups keeps a wakeup per set of queues polled. Several workers share one store (the
// engine's and the outbound deliveries', each on queues of its own), and a poller of one
// set cannot take the other's work: a single token could wake the wrong worker's poller,
// and the work would wait for the idle interval. A commit leaves a token for each set.
type wakeups struct {
	mu  sync.Mutex
	all map[string]*wakeup
}

// of answers the wakeup of the pollers of queues.
func (ws *wakeups) of(queues []workflow.Queue) *wakeup {
	names := make([]string, len(queues))
	for i, q := range queues {
		names[i] = string(q)
	}
	slices.Sort(names)
	key := strings.Join(names, "\x00")
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.all == nil {
		ws.all = map[string]*wakeup{}
	}
	w, ok := ws.all[key]
	if !ok {
		w = &wakeup{}
		ws.all[key] = w
	}
	return w
}

// notify wakes one poller of every set of queues.
func (ws *wakeups) notify() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for _, w := range ws.all {
		w.notify()
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
	woken := w.C()
	for {
		// A token that comes while poll reads stays in the channel: the wait below
		// takes it and reads again, so work committed during the read is not missed.
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
	err := sb.rdb.QueryRowContext(ctx,
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
