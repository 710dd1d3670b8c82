package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/clock"
	"onewindow/engine/machine"
)

// activities are the engine's side effects. Each runs at least once, so
// each is idempotent.
type activities struct{ e *Engine }

// ApplyInput is one step of a case for the Apply activity.
type ApplyInput struct {
	Batch *Batch `json:"batch"`
	// Unit is the org unit whose calendar counts working days.
	Unit       string         `json:"unit,omitempty"`
	Timers     []TimerRequest `json:"timers,omitempty"`
	Broadcasts []Broadcast    `json:"broadcasts,omitempty"`
	// Clock is set when the case's clock or its limited tasks changed.
	Clock *clock.Input `json:"clock,omitempty"`
	// Alarms is set for a case that arms its long waits with its steps
	// (CaseInput.AlarmsInApply, applyalarms.go).
	Alarms *AlarmPlan `json:"alarms,omitempty"`
}

// ApplyResult is what the Apply activity computed: the due times of the
// timers the step armed and, when the clock changed, the new due times.
type ApplyResult struct {
	Timers map[string]time.Time `json:"timers,omitempty"`
	Dues   clock.Dues           `json:"dues"`
	// Alarms is what the step armed and disarmed, when the input had an AlarmPlan.
	Alarms *AlarmsApplied `json:"alarms,omitempty"`
}

// Broadcast is a signal thrown by a case, to deliver to the other cases.
type Broadcast struct {
	ID   string         `json:"id"`
	Name string         `json:"name"`
	Vars map[string]any `json:"vars,omitempty"`
}

// LoadDefinition pins the definition version a case runs (version 0
// resolves to the latest published version) and its decision files: it
// answers their keys, versions and content hashes, which the workflow's
// history records so that a replay runs the same content, and leaves the
// compiled model in the engine's cache (pin.go). The content itself stays
// out of the history.
func (a *activities) LoadDefinition(ctx context.Context, key string, version int) (*DefinitionRecord, error) {
	rec, err := a.e.store.Definition(ctx, key, version)
	if errors.Is(err, ErrNotFound) {
		return nil, workflow.NewPermanentError(fmt.Errorf("definition %s version %d is not published", key, version))
	}
	if err != nil {
		return nil, fmt.Errorf("loading definition %s v%d: %w", key, version, err)
	}
	if err := a.loadDecisions(ctx, rec); err != nil {
		return nil, err
	}
	// A model that does not compile is reported by the workflow, which compiles it again.
	_, _ = a.e.models.get(rec)
	return pin(rec), nil
}

// Apply computes the due times of the timers the step armed and of the
// case's clock, writes the step's batch in one transaction (idempotent on
// case and sequence), then broadcasts the signals the step threw.
func (a *activities) Apply(ctx context.Context, in *ApplyInput) (ApplyResult, error) {
	b := in.Batch
	var res ApplyResult
	cal, err := a.e.calendars.Calendar(ctx, in.Unit)
	if err != nil {
		return res, fmt.Errorf("calendar of %q for case %s: %w", in.Unit, b.CaseID, err)
	}
	res.Timers = make(map[string]time.Time, len(in.Timers))
	for _, t := range in.Timers {
		due, ok, err := timerDue(cal, t.Spec, t.Base)
		if err != nil {
			// The validator rejects timers that do not parse; one that slips
			// through (an expression giving nonsense) never fires, visibly.
			a.e.log.Error("timer not armed", "case", b.CaseID, "element", t.Element, "error", err)
			b.History = append(b.History, HistoryRow{CaseID: b.CaseID, Seq: b.Seq, Index: len(b.History), At: b.At,
				Kind: "timerInvalid", Element: t.Element, Detail: err.Error()})
			continue
		}
		if !ok {
			continue
		}
		res.Timers[t.WaitID] = due
		b.Timers = append(b.Timers, TimerRow{ID: b.CaseID + "/" + t.WaitID, CaseID: b.CaseID, WaitID: t.WaitID,
			Element: t.Element, Due: due, Spec: timerText(t.Spec)})
	}
	if c := in.Clock; c != nil {
		res.Dues = clock.ComputeDues(cal, c)
		b.Clock = &ClockRow{Unit: c.Unit, State: c.State, Start: c.Start, Reason: c.Reason, Stopped: c.Stopped,
			Warn: res.Dues.Warn, Due: res.Dues.Due, Statutory: res.Dues.Statutory}
		if c.Limits != nil {
			b.Clock.PromisedDays, b.Clock.StatutoryDays = c.Limits.PromisedDays, c.Limits.StatutoryDays
		}
		if c.WritePausesAt < len(c.Pauses) {
			b.Pauses = c.Pauses[c.WritePausesAt:]
		}
		for _, t := range c.Tasks {
			d := res.Dues.Tasks[t.WaitID]
			b.TaskDues = append(b.TaskDues, TaskDueRow{TaskID: t.TaskID, Warn: d.Warn, Due: d.Due})
		}
	}
	if in.Alarms != nil {
		if err := a.applyAlarms(in, &res); err != nil {
			return res, err
		}
	}
	if err := a.e.store.ApplyBatch(ctx, b); err != nil {
		return res, fmt.Errorf("applying step %d of case %s: %w", b.Seq, b.CaseID, err)
	}
	for _, bc := range in.Broadcasts {
		subs, err := a.e.store.SignalSubscriptions(ctx, bc.Name, b.CaseID)
		if err != nil {
			return res, fmt.Errorf("finding waits for signal %q: %w", bc.Name, err)
		}
		for _, s := range subs {
			// The broadcast's id makes a repeated Apply deliver it once per wait.
			sig := OutboxSignal{CaseID: s.CaseID, Channel: s.WaitID, Signal: Signal{ID: bc.ID + "/" + s.CaseID + "/" + s.WaitID, Kind: SignalBroadcast, Name: bc.Name, Vars: bc.Vars}}
			if err := a.e.Deliver(ctx, sig); err != nil {
				return res, err
			}
		}
	}
	if a.e.observer != nil {
		if err := a.e.observer(ctx, b); err != nil {
			return res, fmt.Errorf("observing step %d of case %s: %w", b.Seq, b.CaseID, err)
		}
	}
	return res, nil
}

// RecordAlert writes a warning or overdue alert (idempotent on its id) and
// tells the OnAlert hook.
func (a *activities) RecordAlert(ctx context.Context, alert Alert) error {
	if err := a.e.store.RecordAlert(ctx, alert); err != nil {
		return fmt.Errorf("recording alert %s: %w", alert.ID, err)
	}
	if a.e.onAlert != nil {
		if err := a.e.onAlert(ctx, alert); err != nil {
			return fmt.Errorf("alert %s: %w", alert.ID, err)
		}
	}
	return nil
}

// HandlerCall is what a built-in service handler is given.
type HandlerCall struct {
	CaseID  string         `json:"caseId"`
	WaitID  string         `json:"waitId"`
	Element string         `json:"element"`
	Handler string         `json:"handler"`
	Vars    map[string]any `json:"vars,omitempty"`
}

// HandlerResult is what a handler returns: variables to set, or a BPMN
// error for the task's boundary events.
type HandlerResult struct {
	Vars  map[string]any     `json:"vars,omitempty"`
	Error *machine.BPMNError `json:"error,omitempty"`
}

// Handler is a built-in service handler (notify, webhook, ...). It runs
// at least once: make it idempotent on the call's CaseID and WaitID.
type Handler func(ctx context.Context, call HandlerCall) (map[string]any, error)

// BPMNError is an error a Handler returns to throw a BPMN error.
type BPMNError struct {
	Code    string
	Message string
}

func (e *BPMNError) Error() string { return "BPMN error " + e.Code + ": " + e.Message }

// RunHandler runs the handler a service task names.
func (a *activities) RunHandler(ctx context.Context, call HandlerCall) (HandlerResult, error) {
	h := a.e.handlers[call.Handler]
	if h == nil {
		return HandlerResult{}, workflow.NewPermanentError(fmt.Errorf("no handler %q", call.Handler))
	}
	vars, err := h(ctx, call)
	var be *BPMNError
	if errors.As(err, &be) {
		return HandlerResult{Error: &machine.BPMNError{Code: be.Code, Message: be.Message}}, nil
	}
	if err != nil {
		return HandlerResult{}, fmt.Errorf("handler %s for case %s: %w", call.Handler, call.CaseID, err)
	}
	return HandlerResult{Vars: vars}, nil
}
