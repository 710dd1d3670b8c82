package engine

// The machine events a case's signals become.

import "onewindow/engine/machine"

// waitEvent turns a signal sent to a wait's channel into a machine event.
func waitEvent(w *machine.Wait, sig Signal) machine.Event {
	switch w.Kind {
	case machine.MessageWait:
		return machine.Event{Kind: machine.MessageReceived, WaitID: w.ID, Name: w.Name, Vars: sig.Vars}
	case machine.SignalWait:
		return machine.Event{Kind: machine.SignalReceived, WaitID: w.ID, Name: w.Name, Vars: sig.Vars}
	}
	switch sig.Kind {
	case SignalMove:
		return machine.Event{Kind: machine.MoveToken, WaitID: w.ID, Target: sig.Target}
	case SignalRemove:
		return machine.Event{Kind: machine.RemoveInstance, WaitID: w.ID}
	}
	return machine.Event{Kind: machine.TaskCompleted, WaitID: w.ID, Outcome: sig.Outcome, Vars: sig.Vars, Local: sig.Local}
}

// controlEvent turns a control signal into a machine event.
func controlEvent(sig Signal) machine.Event {
	switch sig.Kind {
	case SignalRetry:
		return machine.Event{Kind: machine.RetryIncident, WaitID: sig.Incident, Vars: sig.Vars}
	case SignalSetVariables:
		return machine.Event{Kind: machine.SetVariables, Vars: sig.Vars}
	case SignalAddInstance:
		return machine.Event{Kind: machine.AddInstance, WaitID: sig.Instance, Item: sig.Item}
	case SignalReopen:
		return machine.Event{Kind: machine.ReopenInstance, WaitID: sig.Instance, Item: sig.Item, Outcome: sig.Outcome}
	case SignalCancel:
		return machine.Event{Kind: machine.CancelCase}
	}
	return machine.Event{Kind: machine.EventKind("unknown:" + string(sig.Kind))}
}
