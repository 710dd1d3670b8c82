package engine

// What a case workflow waits for between steps: a machine event, an alarm that fired, a clock
// signal, a repeated delivery or the case's cancellation (shell.next), and the alert an alarm
// raises.

import (
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/machine"
)

// arrival is what next found: a machine event, an alarm that fired, a
// clock signal, a repeated delivery, or the case's cancellation.
type arrival struct {
	ev        machine.Event
	alarm     *alarm
	clock     *Signal
	dup       bool
	cancelled bool
}

// next blocks until something happens to the case.
func (s *shell) next(ctx workflow.Context, control workflow.Channel[Signal]) arrival {
	var ev machine.Event
	var a arrival
	seen := func(sig Signal) bool {
		if sig.ID == "" {
			return false
		}
		if s.seen[sig.ID] {
			return true
		}
		s.seen[sig.ID] = true
		return false
	}
	cases := make([]workflow.SelectCase, 0, len(s.waits)+2)
	for _, ow := range s.waits {
		w := ow.w
		switch {
		case ow.channel != nil:
			cases = append(cases, workflow.Receive(ow.channel, func(ctx workflow.Context, sig Signal, ok bool) {
				a.dup = seen(sig)
				ev = waitEvent(w, sig)
			}))
		case ow.alarmID != "":
			cases = append(cases, workflow.Receive(ow.alarmCh, func(ctx workflow.Context, sig Signal, ok bool) {
				if sig.Kind != SignalAlarm || sig.Instance != ow.alarmID {
					a.dup = true // an alarm of an earlier arming of this wait
					return
				}
				ow.alarmID = "" // fired: nothing left to disarm
				ev = machine.Event{Kind: machine.TimerFired, WaitID: w.ID}
			}))
		case ow.timer != nil:
			cases = append(cases, workflow.Await(ow.timer, func(ctx workflow.Context, f workflow.Future[any]) {
				ev = machine.Event{Kind: machine.TimerFired, WaitID: w.ID}
			}))
		case ow.child != nil:
			cases = append(cases, workflow.Await(ow.child, func(ctx workflow.Context, f workflow.Future[CaseResult]) {
				res, err := f.Get(ctx)
				ev = machine.Event{Kind: machine.ChildFinished, WaitID: w.ID, Vars: res.Vars}
				switch {
				case err != nil:
					ev.Failure = "called case failed: " + err.Error()
				case res.Error != nil:
					ev.Error = res.Error
				case res.Result != string(machine.Completed) && res.Result != string(machine.Terminated):
					ev.Failure = "called case ended " + res.Result
				}
			}))
		case ow.handler != nil:
			cases = append(cases, workflow.Await(ow.handler, func(ctx workflow.Context, f workflow.Future[HandlerResult]) {
				res, err := f.Get(ctx)
				ev = machine.Event{Kind: machine.HandlerFinished, WaitID: w.ID, Vars: res.Vars, Error: res.Error}
				if err != nil {
					ev.Failure = "handler " + w.Name + " failed: " + err.Error()
				}
			}))
		}
	}
	for _, al := range s.alarms.list {
		if al.id != "" {
			cases = append(cases, workflow.Receive(al.ch, func(ctx workflow.Context, sig Signal, ok bool) {
				if sig.Kind != SignalAlarm || sig.Instance != al.id {
					a.dup = true // an alarm of an earlier due time of this alert
					return
				}
				al.id = "" // fired: nothing left to disarm
				a.alarm = al
			}))
			continue
		}
		cases = append(cases, workflow.Await(al.timer, func(ctx workflow.Context, f workflow.Future[any]) {
			a.alarm = al
		}))
	}
	cases = append(cases, workflow.Receive(control, func(ctx workflow.Context, sig Signal, ok bool) {
		a.dup = seen(sig)
		if sig.Kind == SignalClock {
			a.clock = &sig
			return
		}
		ev = controlEvent(sig)
	}))
	if done := ctx.Done(); done != nil {
		cases = append(cases, workflow.Receive(done, func(ctx workflow.Context, _ struct{}, ok bool) {
			a.cancelled = true
		}))
	}
	workflow.Select(ctx, cases...)
	a.ev = ev
	return a
}

// raise records the alert of an alarm that fired.
func (s *shell) raise(ctx workflow.Context, al *alarm) error {
	s.alarms.fire(s.clock, al)
	alert := al.alert
	alert.At = workflow.Now(ctx)
	_, err := workflow.ExecuteActivity[any](ctx, s.e.applyOptions, s.e.acts.RecordAlert, alert).Get(ctx)
	return err
}
