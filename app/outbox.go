package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Outbox collects what a use case asks of the engine while its transaction runs: signals to
// running cases, and cases to start; and the events it tells other systems (events.go). All
// are written in that transaction (signal_outbox, process_starts, events), so they stand or
// fall with the change that causes them; after commit the
// App hands them to the engine, and what it cannot hand over now is handed over later by the
// sweepers (the engine's for signals, SweepStarts for starts). A case ignores a signal it has
// seen and a start of a case that runs, so a second delivery changes nothing.
type Outbox struct {
	ctx    context.Context
	tx     *sqlx.Tx
	sigs   []engine.OutboxSignal
	starts []engine.CaseInput
	audit  []store.AuditEntry // appended last, in the same transaction (audit.go)
	events []store.Event
}

// Event records an event for other systems (the event feed, webhook subscriptions); it is
// written at the end of the transaction. An event without a Source is its own source; one
// with a Source written before (a hook that runs twice) is written once.
func (o *Outbox) Event(e store.Event) {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.Source == "" {
		e.Source = "event:" + e.ID
	}
	o.events = append(o.events, e)
}

// Signal queues sig for its case.
func (o *Outbox) Signal(sig engine.OutboxSignal) error {
	if err := store.EnqueueSignal(o.ctx, o.tx, &sig); err != nil {
		return err
	}
	o.sigs = append(o.sigs, sig)
	return nil
}

// Start queues the start of a case.
func (o *Outbox) Start(in engine.CaseInput) error {
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode start of %s: %w", in.CaseID, err)
	}
	if err := store.QueueProcessStart(o.ctx, o.tx, in.CaseID, data); err != nil {
		return err
	}
	o.starts = append(o.starts, in)
	return nil
}

// change runs fn in one transaction with an outbox, appends the audit rows fn queued last in
// that transaction, and after commit delivers what fn queued. The request may be gone by
// then: delivery runs on without its cancellation.
func (a *App) change(ctx context.Context, fn func(tx *sqlx.Tx, out *Outbox) error) error {
	out := &Outbox{ctx: ctx}
	err := a.db.Tx(ctx, func(tx *sqlx.Tx) error {
		out.tx, out.sigs, out.starts, out.events, out.audit = tx, nil, nil, nil, nil // a retried transaction starts afresh
		if err := fn(tx, out); err != nil {
			return err
		}
		if err := store.AppendEvents(ctx, tx, out.events); err != nil {
			return err
		}
		return store.AppendAudit(ctx, tx, a.now(), out.audit...)
	})
	if err != nil {
		return err
	}
	a.deliver(context.WithoutCancel(ctx), out)
	if len(out.events) > 0 {
		a.nudgeOutbound()
	}
	return nil
}

// deliver hands an outbox's contents to the engine; what fails is left to the sweepers.
func (a *App) deliver(ctx context.Context, out *Outbox) {
	if a.eng == nil {
		return
	}
	if len(out.sigs) > 0 {
		if err := a.eng.Deliver(ctx, out.sigs...); err != nil {
			a.log.Warn("signal left for the outbox sweeper", "case", out.sigs[0].CaseID, "err", err)
		}
	}
	for _, in := range out.starts {
		if err := a.startQueued(ctx, in); err != nil {
			a.log.Warn("case start left for the start sweeper", "case", in.CaseID, "err", err)
		}
	}
}

// startQueued starts a queued case and marks its start done; a case started before counts.
func (a *App) startQueued(ctx context.Context, in engine.CaseInput) error {
	if err := a.eng.StartCase(ctx, in); err != nil && !errors.Is(err, engine.ErrCaseExists) {
		return err
	}
	return store.MarkProcessStarted(ctx, a.db, in.CaseID)
}

// needEngine refuses a use case that signals or starts cases when no engine runs here.
func (a *App) needEngine() error {
	if a.eng == nil {
		return ErrEngineUnavailable
	}
	return nil
}

// SweepStarts starts the queued cases written before before and not started yet (their
// request died between commit and start), and the cases stored but never started by a
// process that stopped in between; it returns how many it started.
func (a *App) SweepStarts(ctx context.Context, before time.Time) (int, error) {
	if a.eng == nil {
		return 0, nil
	}
	pending, err := store.PendingProcessStarts(ctx, a.db, before, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pending {
		var in engine.CaseInput
		if err := json.Unmarshal(p.Input, &in); err != nil {
			return n, fmt.Errorf("decode start of %s: %w", p.CaseID, err)
		}
		if err := a.startQueued(ctx, in); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
