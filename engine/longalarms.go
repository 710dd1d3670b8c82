package engine

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/workflow"
)

// AlarmThreshold is the shortest wait kept in the application's alarms table instead of a
// go-workflows timer (BPMN timers, the clock's warnings and overdue alarms). Shorter waits stay
// in go-workflows: they are few at any moment, fire on time without the alarm loop, and the
// tests and the simulator drive them on go-workflows' virtual clock. It is a constant because a
// case's replay must take the same decisions as its first run.
const AlarmThreshold = 5 * time.Minute

// Alarm is a long wait of a case kept in the alarms table: when due, the alarm loop sends a
// SignalAlarm to the case on Channel.
type Alarm struct {
	// ID is case id + "/" + channel + "/" + the step that armed it: unique per arming.
	ID      string    `json:"id"`
	CaseID  string    `json:"caseId"`
	Channel string    `json:"channel"`
	Due     time.Time `json:"due"`
}

// AlarmStore keeps the alarms: package store implements it beside Store. An engine whose
// store does not implement it keeps every wait in go-workflows.
type AlarmStore interface {
	// SetAlarms arms and disarms alarms of a case in one transaction; arming an alarm
	// already armed or fired, or disarming one no longer armed, changes nothing.
	SetAlarms(ctx context.Context, change AlarmChange) error
	// DueAlarms lists up to limit armed alarms due at now, earliest first.
	DueAlarms(ctx context.Context, now time.Time, limit int) ([]Alarm, error)
	// NextAlarm answers the due time of the earliest armed alarm (false if none).
	NextAlarm(ctx context.Context) (time.Time, bool, error)
	// FireAlarms claims the alarms still armed among due (armed to fired) and queues
	// their signals in the outbox in the same transaction; it answers the signals of the
	// alarms it claimed (not those another loop claimed first, or the case disarmed).
	FireAlarms(ctx context.Context, due []Alarm) ([]OutboxSignal, error)
	// DeleteSignals removes delivered signals from the outbox.
	DeleteSignals(ctx context.Context, ids []string) error
}

// AlarmChange is what one step of a case arms and disarms.
type AlarmChange struct {
	CaseID string   `json:"caseId"`
	Arm    []Alarm  `json:"arm,omitempty"`
	Disarm []string `json:"disarm,omitempty"`
}

// SignalAlarm is the signal of an alarm that fell due; Instance carries the alarm's id.
const SignalAlarm SignalKind = "alarm"

// alarmChannel is the channel a wait's alarm signals on.
func alarmChannel(wait string) string { return "alarm/" + wait }

// alarmBook collects what a step arms and disarms, for one SetAlarms activity after it.
type alarmBook struct {
	on     bool // the case keeps long waits in the alarms table (CaseInput.Alarms)
	arm    []Alarm
	disarm []string
}

// long reports whether a wait of delay goes to the alarms table.
func (b *alarmBook) long(delay time.Duration) bool { return b.on && delay >= AlarmThreshold }

// add books an alarm of the case on channel, due at due, armed in step seq.
func (b *alarmBook) add(caseID, channel string, due time.Time, seq int) Alarm {
	a := Alarm{ID: caseID + "/" + channel + "/" + strconv.Itoa(seq), CaseID: caseID, Channel: channel, Due: due}
	b.arm = append(b.arm, a)
	return a
}

// drop books the disarming of alarm id (unless it was armed in this same step: then it is
// not armed at all).
func (b *alarmBook) drop(id string) {
	for i, a := range b.arm {
		if a.ID == id {
			b.arm = append(b.arm[:i:i], b.arm[i+1:]...)
			return
		}
	}
	b.disarm = append(b.disarm, id)
}

// flush writes what the step booked through the SetAlarms activity.
func (s *shell) flushAlarms(ctx workflow.Context) error {
	if len(s.book.arm) == 0 && len(s.book.disarm) == 0 {
		return nil
	}
	change := AlarmChange{CaseID: s.in.CaseID, Arm: s.book.arm, Disarm: s.book.disarm}
	s.book.arm, s.book.disarm = nil, nil
	_, err := workflow.ExecuteActivity[any](ctx, s.e.applyOptions, s.e.acts.SetAlarms, change).Get(ctx)
	return err
}

// SetAlarms arms and disarms a case's alarms (idempotent).
func (a *activities) SetAlarms(ctx context.Context, change AlarmChange) error {
	if a.e.alarmStore == nil {
		return workflow.NewPermanentError(fmt.Errorf("case %s keeps alarms but the engine's store has no alarms table", change.CaseID))
	}
	if err := a.e.alarmStore.SetAlarms(ctx, change); err != nil {
		return fmt.Errorf("setting alarms of case %s: %w", change.CaseID, err)
	}
	return nil
}

// alarmBatch is how many due alarms the loop claims per read.
const alarmBatch = 500

// alarmIdle is the longest the loop sleeps: an alarm armed meanwhile for sooner than the
// earliest one known is seen within it.
const alarmIdle = time.Second

// RunAlarms fires the alarms that fall due, until ctx ends: it reads the due ones through the
// alarms table's index, claims each in the transaction that queues its signal (so that it
// fires once whatever crashes, and however many processes run this loop) and delivers the
// signal; then it sleeps until the next due time, at most alarmIdle. Engine.Start runs it
// beside the worker: it belongs wherever workers run.
func (e *Engine) RunAlarms(ctx context.Context) {
	if e.alarmStore == nil {
		e.log.Warn("the engine's store has no alarms table: long waits stay in go-workflows")
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fired, err := e.fireDue(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("alarm loop", "error", err)
		}
		wait := alarmIdle
		if fired == alarmBatch {
			wait = 0 // more are due
		} else if next, ok, err := e.alarmStore.NextAlarm(ctx); err == nil && ok {
			wait = min(max(time.Until(next), 0), alarmIdle)
		}
		t.Reset(wait)
	}
}

// fireDue fires the alarms due now (one batch) and answers how many it read.
func (e *Engine) fireDue(ctx context.Context) (int, error) {
	due, err := e.alarmStore.DueAlarms(ctx, time.Now(), alarmBatch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sigs, err := e.alarmStore.FireAlarms(ctx, due)
	if err != nil {
		return len(due), fmt.Errorf("firing %d alarms: %w", len(due), err)
	}
	delivered, err := e.deliverAll(ctx, sigs)
	if err != nil {
		// What was not delivered stays in the outbox for the sweeper.
		e.log.Warn("alarm signals not delivered yet", "alarms", len(sigs)-len(delivered), "error", err)
	}
	if err := e.alarmStore.DeleteSignals(ctx, delivered); err != nil {
		return len(due), fmt.Errorf("clearing %d delivered alarm signals: %w", len(delivered), err)
	}
	return len(due), nil
}

// batchSignaller is an engine store that delivers many signals in one transaction
// (engine/sqlite).
type batchSignaller interface {
	SignalWorkflows(ctx context.Context, instanceIDs []string, events []*history.Event) ([]bool, error)
}

// deliverAll signals sigs to their cases and answers the outbox ids of those delivered (or
// whose case no longer runs).
func (e *Engine) deliverAll(ctx context.Context, sigs []OutboxSignal) ([]string, error) {
	done := make([]string, 0, len(sigs))
	if bs, ok := unwrapBackend(e.backend).(batchSignaller); ok {
		ids := make([]string, len(sigs))
		events := make([]*history.Event, len(sigs))
		for i, sig := range sigs {
			arg, err := e.backend.Options().Converter.To(sig.Signal)
			if err != nil {
				return nil, fmt.Errorf("encoding the signal of alarm %s: %w", sig.Signal.Instance, err)
			}
			ids[i] = sig.CaseID
			events[i] = history.NewPendingEvent(time.Now(), history.EventType_SignalReceived,
				&history.SignalReceivedAttributes{Name: sig.Channel, Arg: arg})
		}
		if _, err := bs.SignalWorkflows(ctx, ids, events); err != nil {
			return nil, err
		}
		for _, sig := range sigs {
			done = append(done, sig.ID)
		}
		return done, nil
	}
	for _, sig := range sigs {
		if err := e.client.SignalWorkflow(ctx, sig.CaseID, sig.Channel, sig.Signal); err != nil && !isInstanceGone(err) {
			return done, err
		}
		done = append(done, sig.ID)
	}
	return done, nil
}

// unwrapBackend is the engine store under wrappers that add to it (metrics) and say so with
// an Unwrap method.
func unwrapBackend(b backend.Backend) backend.Backend {
	for {
		w, ok := b.(interface{ Unwrap() backend.Backend })
		if !ok {
			return b
		}
		b = w.Unwrap()
	}
}
