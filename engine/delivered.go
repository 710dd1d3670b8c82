package engine

// Removing delivered signals from the outbox in batches. A request that completes a task
// writes its signal to the outbox in its transaction, delivers it after commit and, before
// this, removed the outbox row in a write of its own before answering: one more write per
// completion on the application database's single writer, which the request waited for in
// the writers' queue. Now the delivered ids are handed to a loop (started with the worker)
// that removes them together, one write per batch. A signal delivered and not yet removed
// when the process stops is delivered again by the sweeper (sweepAge later); the case acts
// on each signal id once, as after a crash between delivery and removal before.

import (
	"context"
	"time"
)

// Bounds of the removal loop: it removes what it holds every removeEvery, or sooner when it
// holds removeBatch ids; at most removeQueue ids wait (beyond that Deliver removes its own).
const (
	removeEvery = 100 * time.Millisecond
	removeBatch = 500
	removeQueue = 4096
)

// queueRemoval hands a delivered signal's outbox id to the removal loop; false when the loop
// does not run (the engine was not started) or is full, and the caller removes it itself.
func (e *Engine) queueRemoval(id string) bool {
	if !e.removing.Load() {
		return false
	}
	select {
	case e.delivered <- id:
		return true
	default:
		return false
	}
}

// removeDelivered removes the delivered signals' outbox rows in batches until ctx ends, then
// removes what it still holds.
func (e *Engine) removeDelivered(ctx context.Context) {
	e.removing.Store(true)
	var ids []string
	flush := func(ctx context.Context) {
		if len(ids) == 0 {
			return
		}
		if err := e.deleteSignals(ctx, ids); err != nil {
			// Left in the outbox: the sweeper delivers them again and the cases ignore them.
			e.log.Warn("delivered signals not removed from the outbox", "signals", len(ids), "error", err)
		}
		ids = ids[:0]
	}
	t := time.NewTicker(removeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			e.removing.Store(false)
			for {
				select {
				case id := <-e.delivered:
					ids = append(ids, id)
					continue
				default:
				}
				break
			}
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			flush(fctx)
			cancel()
			return
		case id := <-e.delivered:
			ids = append(ids, id)
			if len(ids) >= removeBatch {
				flush(ctx)
			}
		case <-t.C:
			flush(ctx)
		}
	}
}

// deleteSignals removes outbox rows: in one statement when the store can (AlarmStore).
func (e *Engine) deleteSignals(ctx context.Context, ids []string) error {
	if e.alarmStore != nil {
		return e.alarmStore.DeleteSignals(ctx, ids)
	}
	for _, id := range ids {
		if err := e.store.DeleteSignal(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
