package machine

import (
	"fmt"

	"onewindow/definitions"
	"onewindow/definitions/expression"
)

// enterEvent runs a token's arrival at an event.
func (m *Machine) enterEvent(scope *Instance, n *definitions.Node, s job) error {
	ev := n.Event()
	switch n.Kind {
	case definitions.StartEvent, definitions.BoundaryEvent:
		m.record(EntryEntered, n.ID, "", "")
		m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
		return nil

	case definitions.EndEvent:
		m.record(EntryEntered, n.ID, "", "")
		return m.endEvent(scope, n)

	case definitions.IntermediateThrowEvent:
		m.record(EntryEntered, n.ID, "", "")
		if ev == nil {
			m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
			return nil
		}
		switch ev.Kind {
		case definitions.SignalEvent:
			m.throwSignal(m.model.eventName(ev), m.vars(scope.ID))
		case definitions.MessageEvent:
			m.sendMessage(scope, ev)
		case definitions.EscalationEvent:
			if m.throwEscalation(scope, m.model.errorCode(ev)) {
				return nil // an interrupting handler ended the thrower's scope
			}
		case definitions.LinkEvent:
			return m.jumpToLink(scope, n, ev)
		}
		m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
		return nil

	case definitions.IntermediateCatchEvent:
		if s.Triggered || ev == nil || ev.Kind == definitions.LinkEvent {
			m.record(EntryEntered, n.ID, "", "")
			m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
			return nil
		}
		w, err := m.catchWait(scope, n, ev, MainRole)
		if err != nil {
			return err
		}
		in := m.newInstance(EventInstance, n.ID, scope.ID, nil)
		m.record(EntryEntered, n.ID, in.ID, "")
		m.openWait(in, w)
		return nil
	}
	return fmt.Errorf("%s %s cannot be executed", n.Kind, n.ID)
}

// catchWait builds the wait for a timer, message or signal event.
func (m *Machine) catchWait(scope *Instance, n *definitions.Node, ev *definitions.EventDefinition, role WaitRole) (*Wait, error) {
	w := &Wait{Role: role, Element: n.ID}
	switch ev.Kind {
	case definitions.TimerEvent:
		spec, err := m.timerSpec(scope, n, ev)
		if err != nil {
			return nil, err
		}
		w.Kind, w.Timer = TimerWait, spec
	case definitions.MessageEvent:
		w.Kind, w.Name = MessageWait, m.model.eventName(ev)
	case definitions.SignalEvent:
		w.Kind, w.Name = SignalWait, m.model.eventName(ev)
	default:
		return nil, fmt.Errorf("%s %s: %s events cannot be waited for", n.Kind, n.ID, ev.Kind)
	}
	return w, nil
}

// timerSpec resolves expressions in a timer definition.
func (m *Machine) timerSpec(scope *Instance, n *definitions.Node, ev *definitions.EventDefinition) (*TimerSpec, error) {
	vars := m.vars(scope.ID)
	spec := &TimerSpec{WorkingDays: ev.WorkingDays}
	for _, f := range []struct {
		src string
		dst *string
	}{{ev.TimeDate, &spec.Date}, {ev.TimeDuration, &spec.Duration}, {ev.TimeCycle, &spec.Cycle}} {
		if f.src == "" {
			continue
		}
		v, err := m.value(f.src, vars, n)
		if err != nil {
			return nil, fmt.Errorf("timer of %s: %w", n.ID, err)
		}
		*f.dst = expression.Text(v)
	}
	if spec.Date == "" && spec.Duration == "" && spec.Cycle == "" && spec.WorkingDays == 0 {
		return nil, fmt.Errorf("timer of %s has no time date, duration or cycle", n.ID)
	}
	return spec, nil
}

// endEvent runs an end event; the token ends here.
func (m *Machine) endEvent(scope *Instance, n *definitions.Node) error {
	ev := n.Event()
	if ev == nil {
		return nil
	}
	switch ev.Kind {
	case definitions.TerminateEvent:
		if scope.Kind == ProcessInstance {
			m.finish(Terminated, nil)
			return nil
		}
		m.cancelChildren(scope, "terminated")
	case definitions.ErrorEvent:
		m.throwError(scope, m.model.errorCode(ev), "")
	case definitions.EscalationEvent:
		m.throwEscalation(scope, m.model.errorCode(ev))
	case definitions.SignalEvent:
		m.throwSignal(m.model.eventName(ev), m.vars(scope.ID))
	case definitions.MessageEvent:
		m.sendMessage(scope, ev)
	}
	return nil
}

// sendMessage throws the message of a message end or intermediate throw event. One that
// names no message is a none event, as Camunda runs it (the validator warns).
func (m *Machine) sendMessage(scope *Instance, ev *definitions.EventDefinition) {
	if ev.Ref == "" && ev.Name == "" {
		return
	}
	m.emit(Command{Kind: SendMessage, Name: m.model.eventName(ev), Vars: m.vars(scope.ID)})
}

// jumpToLink continues at the link catch event of the same name in the scope.
func (m *Machine) jumpToLink(scope *Instance, n *definitions.Node, ev *definitions.EventDefinition) error {
	name := ev.LinkName
	if name == "" {
		name = n.Name
	}
	for _, c := range m.model.Process.Children(n.Parent) {
		if c.Kind != definitions.IntermediateCatchEvent || c.EventKind() != definitions.LinkEvent {
			continue
		}
		cn := c.Event().LinkName
		if cn == "" {
			cn = c.Name
		}
		if cn == name {
			m.push(job{Op: opEnter, Scope: scope.ID, Node: c.ID})
			return nil
		}
	}
	return fmt.Errorf("link throw %s: no link catch event named %q in its scope", n.ID, name)
}

// armBoundaries opens the waits of the timer, message and signal boundary
// events attached to in's activity. Error and escalation boundaries need no
// wait: propagation finds them in the model.
func (m *Machine) armBoundaries(in *Instance) {
	for _, b := range m.model.Process.Boundaries(in.Element) {
		ev := b.Event()
		if ev == nil {
			continue
		}
		switch ev.Kind {
		case definitions.TimerEvent, definitions.MessageEvent, definitions.SignalEvent:
		default:
			continue
		}
		w, err := m.catchWait(in, b, ev, BoundaryRole)
		if err != nil {
			// A boundary timer whose expression fails must not stop the
			// activity; it is recorded and the boundary stays unarmed.
			m.record(EntryCancelled, b.ID, in.ID, err.Error())
			continue
		}
		w.Interrupting = b.CancelActivity
		m.openWait(in, w)
	}
}

// armEventSubs opens the waits of the timer, message and signal starts of
// the event sub-processes directly inside scope in.
func (m *Machine) armEventSubs(in *Instance) {
	scopeNode := in.Element
	if in.Kind == ProcessInstance {
		scopeNode = ""
	}
	for _, es := range m.model.eventSubs[scopeNode] {
		for _, st := range m.model.Process.Children(es.ID) {
			if st.Kind != definitions.StartEvent || st.Event() == nil {
				continue
			}
			ev := st.Event()
			switch ev.Kind {
			case definitions.TimerEvent, definitions.MessageEvent, definitions.SignalEvent:
			default:
				continue
			}
			w, err := m.catchWait(in, st, ev, EventSubRole)
			if err != nil {
				m.record(EntryCancelled, st.ID, in.ID, err.Error())
				continue
			}
			w.Interrupting = st.Interrupting
			m.openWait(in, w)
		}
	}
}

// openStartWait waits for the timer or message start event of the process.
func (m *Machine) openStartWait(root *Instance, st *definitions.Node) {
	ev := st.Event()
	if ev == nil {
		return
	}
	w, err := m.catchWait(root, st, ev, StartRole)
	if err != nil {
		m.raise(job{Op: opEnter, Scope: root.ID, Node: st.ID, Triggered: true}, st.ID, err)
		return
	}
	m.openWait(root, w)
}

// trigger runs what a wait does when its event happens.
func (m *Machine) trigger(w *Wait, in *Instance, vars map[string]any) {
	if w.Kind == TimerWait {
		m.record(EntryFired, w.Element, in.ID, "")
	}
	switch w.Role {
	case MainRole:
		m.closeWait(in, w, reasonFor(w))
		if w.Kind == ChildWait {
			m.callDone(job{Op: opCallDone, Scope: in.Parent, Node: in.Element, Instance: in.ID, Vars: vars})
			return
		}
		m.setVars(in, vars, false)
		m.completeInstance(in, "")

	case BoundaryRole:
		parent := m.st.instance(in.Parent)
		if w.Interrupting {
			m.closeWait(in, w, reasonFor(w))
			m.setVars(in, vars, false)
			m.cancelInstance(in, "interrupted by "+w.Element)
		} else {
			m.keepOrClose(in, w)
			m.setVars(in, vars, false)
		}
		if parent != nil {
			m.push(job{Op: opEnter, Scope: parent.ID, Node: w.Element})
		}

	case EventSubRole:
		start := m.model.node(w.Element)
		if w.Interrupting {
			m.closeWait(in, w, reasonFor(w))
		} else {
			m.keepOrClose(in, w)
		}
		m.setVars(in, vars, false)
		m.startEventSub(in, m.model.node(start.Parent), start, w.Interrupting)

	case BranchRole:
		for len(in.Waits) > 0 {
			x := in.Waits[0]
			if x == w {
				m.closeWait(in, x, reasonFor(x))
			} else {
				m.closeWait(in, x, "cancelled")
			}
		}
		m.setVars(in, vars, false)
		m.record(EntryCompleted, in.Element, in.ID, "")
		m.dropInstance(in)
		m.push(job{Op: opEnter, Scope: in.Parent, Node: w.Element, Triggered: true})

	case StartRole:
		for _, x := range append([]*Wait(nil), in.Waits...) {
			if x.Role == StartRole {
				if x == w {
					m.closeWait(in, x, reasonFor(x))
				} else {
					m.closeWait(in, x, "cancelled")
				}
			}
		}
		m.setVars(in, vars, false)
		m.push(job{Op: opEnter, Scope: in.ID, Node: w.Element, Triggered: true})
	}
}

func reasonFor(w *Wait) string {
	if w.Kind == TimerWait {
		return "fired"
	}
	return "completed"
}

// keepOrClose handles a non-interrupting wait that fired: a timer cycle
// arms again (the shell knows when the cycle is exhausted), any other timer
// is done, a message or signal subscription stays.
func (m *Machine) keepOrClose(in *Instance, w *Wait) {
	if w.Kind != TimerWait {
		return
	}
	if w.Timer.Cycle != "" {
		w.Timer.Fired++
		c := *w
		t := *w.Timer
		c.Timer = &t
		m.emit(Command{Kind: OpenWait, Wait: &c})
		return
	}
	m.closeWait(in, w, "fired")
}

// startEventSub starts event sub-process es inside scope in at start.
func (m *Machine) startEventSub(in *Instance, es, start *definitions.Node, interrupting bool) {
	if interrupting {
		m.cancelChildren(in, "interrupted by "+es.ID)
		for _, x := range append([]*Wait(nil), in.Waits...) {
			if x.Role == EventSubRole {
				m.closeWait(in, x, "cancelled")
			}
		}
	}
	sub := m.newInstance(EventSubInstance, es.ID, in.ID, nil)
	sub.Interrupting = interrupting
	m.record(EntryEntered, es.ID, sub.ID, "")
	m.armEventSubs(sub)
	m.push(job{Op: opEnter, Scope: sub.ID, Node: start.ID, Triggered: true})
}

// scopeNodeOf is the node id whose children live in scope instance in.
func scopeNodeOf(in *Instance) string {
	if in.Kind == ProcessInstance {
		return ""
	}
	return in.Element
}

// isScope reports whether in holds tokens of its own.
func isScope(in *Instance) bool {
	return in.Kind == ProcessInstance || in.Kind == ScopeInstance || in.Kind == EventSubInstance
}

// throwError propagates a BPMN error from instance from outward: each
// scope's error event sub-processes, then the boundary events of each
// activity on the way, up to the process. Unhandled, it fails a called
// case (the caller's boundary may catch it) or raises an incident.
func (m *Machine) throwError(from *Instance, code, msg string) {
	for cur := from; cur != nil; cur = m.st.instance(cur.Parent) {
		if isScope(cur) {
			if es, st := m.findEventSub(scopeNodeOf(cur), definitions.ErrorEvent, code); es != nil {
				m.startEventSub(cur, es, st, true)
				return
			}
		}
		if cur.Kind != ProcessInstance && cur.Kind != EventSubInstance && !cur.Inner {
			if b := m.findBoundary(cur.Element, definitions.ErrorEvent, code); b != nil {
				parent := cur.Parent
				m.cancelInstance(cur, "error "+code)
				m.push(job{Op: opEnter, Scope: parent, Node: b.ID})
				return
			}
		}
	}
	if m.child {
		m.finish(Failed, &BPMNError{Code: code, Message: msg})
		return
	}
	err := fmt.Errorf("BPMN error %q was not caught by any boundary event or event sub-process", code)
	if from.Kind == ActivityInstance {
		// Thrown by a handler or called case: retrying runs the activity again.
		parent, element, inner, vars := from.Parent, from.Element, from.Inner, from.Vars
		m.cancelInstance(from, "error "+code)
		m.raise(job{Op: opEnter, Scope: parent, Node: element, Inner: inner, Vars: vars}, element, err)
		return
	}
	// Thrown by an end event: the incident keeps the scope open; retrying
	// lets it end as if the error had not been thrown.
	m.raise(job{Op: opLeave, Scope: from.ID}, from.Element, err)
}

// throwEscalation propagates an escalation like an error, except that
// handlers may be non-interrupting and an unhandled escalation does
// nothing. It reports whether a handler interrupted the thrower.
func (m *Machine) throwEscalation(from *Instance, code string) bool {
	for cur := from; cur != nil; cur = m.st.instance(cur.Parent) {
		if isScope(cur) {
			if es, st := m.findEventSub(scopeNodeOf(cur), definitions.EscalationEvent, code); es != nil {
				m.startEventSub(cur, es, st, st.Interrupting)
				return st.Interrupting
			}
		}
		if cur.Kind != ProcessInstance && cur.Kind != EventSubInstance && !cur.Inner {
			if b := m.findBoundary(cur.Element, definitions.EscalationEvent, code); b != nil {
				parent := cur.Parent
				if b.CancelActivity {
					m.cancelInstance(cur, "escalation "+code)
				}
				m.push(job{Op: opEnter, Scope: parent, Node: b.ID})
				return b.CancelActivity
			}
		}
	}
	return false
}

// findEventSub finds the event sub-process of scope whose start catches
// kind with code ("" on the start catches every code).
func (m *Machine) findEventSub(scopeNode string, kind definitions.EventKind, code string) (*definitions.Node, *definitions.Node) {
	var catchAll, catchAllStart *definitions.Node
	for _, es := range m.model.eventSubs[scopeNode] {
		for _, st := range m.model.Process.Children(es.ID) {
			if st.Kind != definitions.StartEvent || st.EventKind() != kind {
				continue
			}
			c := m.model.errorCode(st.Event())
			if c == code {
				return es, st
			}
			if c == "" && catchAll == nil {
				catchAll, catchAllStart = es, st
			}
		}
	}
	return catchAll, catchAllStart
}

// findBoundary finds the boundary event of activity that catches kind with
// code; a boundary without a code catches every code.
func (m *Machine) findBoundary(activity string, kind definitions.EventKind, code string) *definitions.Node {
	var catchAll *definitions.Node
	for _, b := range m.model.Process.Boundaries(activity) {
		if b.EventKind() != kind {
			continue
		}
		c := m.model.errorCode(b.Event())
		if c == code {
			return b
		}
		if c == "" && catchAll == nil {
			catchAll = b
		}
	}
	return catchAll
}

// throwSignal delivers a signal to this case's own waits (on the agenda,
// so it happens in order) and asks the shell to broadcast it to others.
func (m *Machine) throwSignal(name string, vars map[string]any) {
	m.emit(Command{Kind: ThrowSignal, Name: name, Vars: vars})
	m.push(job{Op: opSignal, Name: name})
}

// deliverSignalTo triggers one signal wait, if it is still open.
func (m *Machine) deliverSignalTo(id string, vars map[string]any) error {
	w, in := m.st.wait(id)
	if w == nil || w.Kind != SignalWait {
		return fmt.Errorf("%w: no signal wait %s", ErrNoWait, id)
	}
	m.trigger(w, in, vars)
	return nil
}

// deliverSignal triggers every wait for signal name, in creation order.
func (m *Machine) deliverSignal(name string, vars map[string]any) {
	var hits []string
	for _, w := range m.st.OpenWaits() {
		if w.Kind == SignalWait && w.Name == name {
			hits = append(hits, w.ID)
		}
	}
	for _, id := range hits {
		// An earlier trigger may have cancelled this wait.
		if w, in := m.st.wait(id); w != nil {
			m.trigger(w, in, vars)
		}
	}
}

// handleMessage delivers a message to the wait it names, or to the first
// wait for its name.
func (m *Machine) handleMessage(ev Event) error {
	if ev.WaitID != "" {
		w, in := m.st.wait(ev.WaitID)
		if w == nil || w.Kind != MessageWait {
			return fmt.Errorf("%w: no message wait %s", ErrNoWait, ev.WaitID)
		}
		m.trigger(w, in, ev.Vars)
		return nil
	}
	for _, w := range m.st.OpenWaits() {
		if w.Kind == MessageWait && w.Name == ev.Name {
			_, in := m.st.wait(w.ID)
			m.trigger(w, in, ev.Vars)
			return nil
		}
	}
	return fmt.Errorf("%w: no wait for message %q", ErrNoWait, ev.Name)
}

// WaitsForMessage reports whether the case waits for message name.
func (m *Machine) WaitsForMessage(name string) bool {
	for _, w := range m.st.OpenWaits() {
		if w.Kind == MessageWait && w.Name == name {
			return true
		}
	}
	return false
}
