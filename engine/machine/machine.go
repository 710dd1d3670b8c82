// Package machine is the token machine: the BPMN 2.0 execution semantics of
// one case as a pure, deterministic state machine. It knows nothing of
// go-workflows, databases or clocks. Start and Handle move the case's tokens
// as far as they can go and return the Commands the world must carry out
// (create a task, arm a timer, record history, ...); the shell in package
// engine carries them out durably and feeds what happens back as Events.
//
// Where each BPMN element is executed:
//   - events.go: start, end, intermediate and boundary events; errors,
//     escalations, signals, messages, event sub-processes
//   - activities.go: tasks, sub-processes and call activities
//   - gateways.go: exclusive, parallel, inclusive and event-based gateways
//   - loops.go: multi-instance and standard loops, countersign rules
package machine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onewindow/definitions"
)

// Errors returned by Handle. They leave the state unchanged.
var (
	// ErrNoWait: the event names a task, timer or message nothing waits for.
	ErrNoWait = errors.New("nothing waits for this event")
	// ErrEnded: the case has already ended.
	ErrEnded = errors.New("the case has ended")
	// ErrBadEvent: the event is malformed or not allowed in this state.
	ErrBadEvent = errors.New("event not allowed")
)

// maxSteps bounds one Start or Handle call, so that a loop with no wait in
// it raises an incident instead of spinning forever.
const maxSteps = 100_000

// StartOptions are the inputs of a new case.
type StartOptions struct {
	Vars map[string]any
	// Initiator is the user who started the case; a start event's
	// initiator attribute names the variable that receives it.
	Initiator string
	// Message starts the case at the message start event of that name.
	Message string
	// Child marks a case started by a call activity: an unhandled BPMN error
	// ends it as Failed (propagating to the caller) instead of an incident.
	Child bool
	// Now is the case's time at start (what now() and dateTime() give); CaseID is the
	// case's id (execution.processInstanceId).
	Now    time.Time
	CaseID string
}

// Machine runs one case. It is not safe for concurrent use.
type Machine struct {
	model  *Model
	st     *State
	child  bool
	out    []Command
	agenda []job
	steps  int
	// now and user are the time and user of the event being handled.
	now  time.Time
	user string
}

type jobOp string

const (
	opEnter     jobOp = "enter"     // a token arrives at Node in Scope
	opLeave     jobOp = "leave"     // a token leaves Node in Scope through its outgoing flows
	opInner     jobOp = "inner"     // start instance Index of body Instance
	opBodyCheck jobOp = "bodyCheck" // decide whether body Instance goes on
	opSignal    jobOp = "signal"    // deliver signal Name to this case's waits
	opCallDone  jobOp = "callDone"  // end call activity Instance: its called case ended with Vars (and Error)
)

// job is one unit of work on the agenda. Incidents keep the job that
// failed so that a retry runs it again.
type job struct {
	Op       jobOp          `json:"op"`
	Scope    string         `json:"scope,omitempty"`
	Node     string         `json:"node,omitempty"`
	Flow     string         `json:"flow,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Index    int            `json:"index,omitempty"`
	Name     string         `json:"name,omitempty"`
	Vars     map[string]any `json:"vars,omitempty"`
	// Inner starts the node as one instance of its body.
	Inner bool `json:"inner,omitempty"`
	// Triggered enters a catch event whose event has already happened
	// (the winner of an event-based gateway, a start event).
	Triggered bool `json:"triggered,omitempty"`
	// Error is the BPMN error a called case ended with (opCallDone).
	Error *BPMNError `json:"error,omitempty"`
}

// New returns a machine for a new case of model.
func New(model *Model) *Machine {
	return &Machine{model: model, st: &State{}}
}

// Restore returns a machine continuing from a state snapshot.
func Restore(model *Model, st *State, child bool) *Machine {
	return &Machine{model: model, st: st, child: child}
}

// State returns the case's state. Callers must not modify it.
func (m *Machine) State() *State { return m.st }

// Model returns the model the machine runs.
func (m *Machine) Model() *Model { return m.model }

// Ended reports whether the case has ended.
func (m *Machine) Ended() bool { return m.st.Result != Running }

// Start starts the case and runs it until only waits remain.
func (m *Machine) Start(opts StartOptions) []Command {
	m.child = opts.Child
	m.now, m.user = opts.Now, opts.Initiator
	m.st.Case, m.st.Initiator = opts.CaseID, opts.Initiator
	root := m.newInstance(ProcessInstance, "", "", copyVars(opts.Vars))
	m.armEventSubs(root)
	starts := m.model.starts[""]
	if opts.Message != "" {
		for _, s := range starts {
			if s.EventKind() == "message" && m.model.eventName(s.Event()) == opts.Message {
				m.setInitiator(root, s, opts.Initiator)
				m.push(job{Op: opEnter, Scope: root.ID, Node: s.ID, Triggered: true})
				return m.run()
			}
		}
	}
	entered := false
	for _, s := range starts {
		if s.Event() == nil {
			m.setInitiator(root, s, opts.Initiator)
			m.push(job{Op: opEnter, Scope: root.ID, Node: s.ID})
			entered = true
		}
	}
	if !entered {
		for _, s := range starts {
			m.setInitiator(root, s, opts.Initiator)
			m.openStartWait(root, s)
			entered = true
		}
	}
	if !entered {
		m.enterImplicitStarts(root, "")
	}
	return m.run()
}

func (m *Machine) setInitiator(root *Instance, start *definitions.Node, user string) {
	if start.Initiator != "" && user != "" {
		root.Vars[start.Initiator] = user
	}
}

// Handle applies one event and runs the case until only waits remain.
func (m *Machine) Handle(ev Event) ([]Command, error) {
	if m.Ended() {
		return nil, ErrEnded
	}
	m.out, m.steps = nil, 0
	m.now, m.user = ev.At, ev.User
	var err error
	switch ev.Kind {
	case TaskCompleted, TimerFired, ChildFinished, HandlerFinished:
		err = m.handleWait(ev)
	case MessageReceived:
		err = m.handleMessage(ev)
	case SignalReceived:
		if ev.WaitID != "" {
			err = m.deliverSignalTo(ev.WaitID, ev.Vars)
		} else {
			m.deliverSignal(ev.Name, ev.Vars)
		}
	case CancelCase:
		m.cancelCase()
	case RetryIncident:
		err = m.retry(ev)
	case SetVariables:
		root := m.st.Root()
		names := sortedKeys(ev.Vars)
		for _, k := range names {
			root.Vars[k] = ev.Vars[k]
		}
		// The history says who changed what; it also makes the shell write
		// the new values to the read model at once.
		m.record(EntryVariables, "", root.ID, strings.Join(names, ","))
	case MoveToken:
		err = m.move(ev)
	case AddInstance:
		err = m.addInstance(ev)
	case RemoveInstance:
		err = m.removeInstance(ev)
	case ReopenInstance:
		err = m.reopenInstance(ev)
	default:
		err = fmt.Errorf("%w: unknown event kind %q", ErrBadEvent, ev.Kind)
	}
	if err != nil {
		// Every handler validates before it changes anything.
		return nil, err
	}
	return m.run(), nil
}

func (m *Machine) handleWait(ev Event) error {
	w, in := m.st.wait(ev.WaitID)
	if w == nil {
		return fmt.Errorf("%w: %s", ErrNoWait, ev.WaitID)
	}
	want := map[EventKind]WaitKind{TaskCompleted: TaskWait, TimerFired: TimerWait, ChildFinished: ChildWait, HandlerFinished: HandlerWait}[ev.Kind]
	if w.Kind != want {
		return fmt.Errorf("%w: wait %s is a %s wait, not %s", ErrBadEvent, w.ID, w.Kind, want)
	}
	if ev.Failure != "" && (ev.Kind == ChildFinished || ev.Kind == HandlerFinished) {
		m.closeWait(in, w, "completed")
		parent, element, inner, vars := in.Parent, in.Element, in.Inner, in.Vars
		m.cancelInstance(in, ev.Failure)
		m.raise(job{Op: opEnter, Scope: parent, Node: element, Inner: inner, Vars: vars}, element, errors.New(ev.Failure))
		return nil
	}
	if ev.Error != nil && (ev.Kind == ChildFinished || ev.Kind == HandlerFinished) {
		// A called process or handler ended with a BPMN error: it is thrown
		// at the activity, whose boundary events may catch it. The call
		// activity's output mappings apply first, as in Camunda, so that the
		// error path sees what the called process had set.
		m.closeWait(in, w, "completed")
		if w.Kind == ChildWait {
			m.callDone(job{Op: opCallDone, Scope: in.Parent, Node: in.Element, Instance: in.ID, Vars: ev.Vars, Error: ev.Error})
		} else {
			m.throwError(in, ev.Error.Code, ev.Error.Message)
		}
		return nil
	}
	if ev.Kind == TaskCompleted {
		m.setVars(in, ev.Vars, ev.Local)
		if ev.Outcome != "" {
			m.setVars(in, map[string]any{definitions.VarOutcome: ev.Outcome}, ev.Local)
		}
		m.closeWait(in, w, "completed")
		m.completeInstance(in, ev.Outcome)
		return nil
	}
	m.trigger(w, in, ev.Vars)
	return nil
}

// run works the agenda until it is empty and nothing settles any more.
func (m *Machine) run() []Command {
	for {
		for len(m.agenda) > 0 && !m.Ended() {
			s := m.agenda[0]
			m.agenda = m.agenda[1:]
			m.steps++
			if m.steps > maxSteps {
				m.raise(s, s.Node, fmt.Errorf("more than %d steps without a wait: an endless loop?", maxSteps))
				m.agenda = nil
				break
			}
			if err := m.exec(s); err != nil {
				m.raise(s, s.Node, err)
			}
		}
		if m.Ended() || !m.settle() {
			break
		}
	}
	out := m.out
	m.out = nil
	return out
}

func (m *Machine) exec(s job) error {
	switch s.Op {
	case opEnter:
		return m.enter(s)
	case opLeave:
		return m.leave(s)
	case opInner:
		return m.startInner(s)
	case opBodyCheck:
		return m.checkBody(s)
	case opSignal:
		m.deliverSignal(s.Name, s.Vars)
		return nil
	case opCallDone:
		m.callDone(s)
		return nil
	}
	return fmt.Errorf("unknown step %q", s.Op)
}

func (m *Machine) push(s job) { m.agenda = append(m.agenda, s) }

// settle does the work that depends on the whole scope rather than one
// token: inclusive joins whose upstream has drained, and scopes with no
// token left. It reports whether it changed anything.
func (m *Machine) settle() bool {
	if m.fireInclusiveJoins() {
		return true
	}
	// Deepest scopes first: creation order puts children after parents.
	for i := len(m.st.Instances) - 1; i >= 0; i-- {
		in := m.st.Instances[i]
		switch in.Kind {
		case ProcessInstance, ScopeInstance, EventSubInstance:
		default:
			continue
		}
		if m.hasTokens(in.ID) {
			continue
		}
		m.completeScope(in)
		return true
	}
	return false
}

// hasTokens reports whether scope id still holds a token: a child
// instance, a token waiting at a join, or a stuck token.
func (m *Machine) hasTokens(id string) bool {
	if in := m.st.instance(id); in != nil {
		for _, w := range in.Waits {
			if w.Role == StartRole {
				return true // the process waits for its start event
			}
		}
	}
	for _, in := range m.st.Instances {
		if in.Parent == id {
			return true
		}
	}
	for _, j := range m.st.Joins {
		if j.Scope == id && len(j.Arrived) > 0 {
			return true
		}
	}
	for _, x := range m.st.Incidents {
		if x.Step.Scope == id {
			return true
		}
	}
	return false
}

// newInstance creates an instance; ids follow creation order.
func (m *Machine) newInstance(kind InstanceKind, element, parent string, vars map[string]any) *Instance {
	if vars == nil {
		vars = map[string]any{}
	}
	in := &Instance{ID: m.nextID("i"), Kind: kind, Element: element, Parent: parent, Vars: vars}
	m.st.Instances = append(m.st.Instances, in)
	return in
}

func (m *Machine) nextID(prefix string) string {
	m.st.Seq++
	return prefix + strconv.Itoa(m.st.Seq)
}

func (m *Machine) dropInstance(in *Instance) {
	for i, x := range m.st.Instances {
		if x == in {
			m.st.Instances = append(m.st.Instances[:i:i], m.st.Instances[i+1:]...)
			return
		}
	}
}

// openWait adds a wait to in and tells the shell.
func (m *Machine) openWait(in *Instance, w *Wait) *Wait {
	if w.ID == "" {
		w.ID = m.nextID("w")
	}
	w.Instance = in.ID
	in.Waits = append(in.Waits, w)
	c := *w
	m.emit(Command{Kind: OpenWait, Wait: &c})
	return w
}

// closeWait removes w from in and tells the shell why.
func (m *Machine) closeWait(in *Instance, w *Wait, reason string) {
	for i, x := range in.Waits {
		if x == w {
			in.Waits = append(in.Waits[:i:i], in.Waits[i+1:]...)
			break
		}
	}
	c := *w
	m.emit(Command{Kind: CloseWait, Wait: &c, Reason: reason})
}

func (m *Machine) closeWaits(in *Instance, reason string) {
	for len(in.Waits) > 0 {
		m.closeWait(in, in.Waits[0], reason)
	}
}

func (m *Machine) emit(c Command) { m.out = append(m.out, c) }

func (m *Machine) record(kind EntryKind, element, instance, detail string) {
	m.emit(Command{Kind: Record, Entry: &Entry{Kind: kind, Element: element, Instance: instance, Detail: detail}})
}

// raise turns a failed step into an incident holding the token.
func (m *Machine) raise(s job, element string, err error) {
	x := &Incident{ID: m.nextID("x"), Element: element, Message: err.Error(), Step: s}
	m.st.Incidents = append(m.st.Incidents, x)
	c := *x
	m.emit(Command{Kind: RaiseIncident, Incident: &c})
}

func (m *Machine) retry(ev Event) error {
	for i, x := range m.st.Incidents {
		if x.ID == ev.WaitID {
			m.st.Incidents = append(m.st.Incidents[:i:i], m.st.Incidents[i+1:]...)
			if root := m.st.Root(); root != nil {
				for _, k := range sortedKeys(ev.Vars) {
					root.Vars[k] = ev.Vars[k]
				}
			}
			if x.Step.Op == opCallDone && len(ev.Vars) > 0 {
				// The output mappings read the called case's variables.
				vars := copyVars(x.Step.Vars)
				for k, v := range ev.Vars {
					vars[k] = v
				}
				x.Step.Vars = vars
			}
			c := *x
			m.emit(Command{Kind: ResolveIncident, Incident: &c})
			m.push(x.Step)
			return nil
		}
	}
	return fmt.Errorf("%w: no incident %s", ErrNoWait, ev.WaitID)
}

// finish ends the case.
func (m *Machine) finish(r Result, e *BPMNError) {
	if m.Ended() {
		return
	}
	var vars map[string]any
	if root := m.st.Root(); root != nil {
		vars = root.Vars
	}
	for len(m.st.Instances) > 0 {
		m.cancelInstance(m.st.Instances[len(m.st.Instances)-1], "")
	}
	m.st.Joins, m.st.Incidents, m.agenda = nil, nil, nil
	m.st.Result, m.st.Error = r, e
	m.emit(Command{Kind: Finish, Result: r, Error: e, Vars: vars})
}

func (m *Machine) cancelCase() {
	m.finish(Cancelled, nil)
}

// cancelInstance ends in and everything inside it. An empty reason cancels
// silently (the case is ending); otherwise the history records it.
func (m *Machine) cancelInstance(in *Instance, reason string) {
	for _, c := range m.st.children(in.ID) {
		m.cancelInstance(c, reason)
	}
	m.dropScopeTokens(in.ID)
	m.closeWaits(in, "cancelled")
	if reason != "" && in.Kind != ProcessInstance {
		m.record(EntryCancelled, in.Element, in.ID, reason)
	}
	m.dropInstance(in)
}

// cancelChildren ends every token inside scope but not the scope itself.
func (m *Machine) cancelChildren(scope *Instance, reason string) {
	for _, c := range m.st.children(scope.ID) {
		m.cancelInstance(c, reason)
	}
	m.dropScopeTokens(scope.ID)
}

// dropScopeTokens drops the join arrivals, stuck tokens and pending steps of a scope.
func (m *Machine) dropScopeTokens(scope string) {
	joins := m.st.Joins[:0]
	for _, j := range m.st.Joins {
		if j.Scope != scope {
			joins = append(joins, j)
		}
	}
	m.st.Joins = joins
	incidents := m.st.Incidents[:0]
	for _, x := range m.st.Incidents {
		if x.Step.Scope == scope || x.Step.Op == opCallDone && x.Step.Instance == scope {
			c := *x
			m.emit(Command{Kind: ResolveIncident, Incident: &c})
			continue
		}
		incidents = append(incidents, x)
	}
	m.st.Incidents = incidents
	agenda := m.agenda[:0]
	for _, s := range m.agenda {
		if s.Scope != scope && s.Instance != scope {
			agenda = append(agenda, s)
		}
	}
	m.agenda = agenda
}

// vars returns the variables visible from instance id: its own over its
// parents' over the process's.
func (m *Machine) vars(id string) map[string]any {
	var chain []*Instance
	for in := m.st.instance(id); in != nil; in = m.st.instance(in.Parent) {
		chain = append(chain, in)
	}
	out := map[string]any{}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].Vars {
			out[k] = v
		}
	}
	return out
}

// setVars writes vars from instance in: local ones on in itself, others on
// the nearest enclosing instance that already holds the name, else on the
// process.
func (m *Machine) setVars(in *Instance, vars map[string]any, local bool) {
	for _, k := range sortedKeys(vars) {
		if local {
			in.Vars[k] = vars[k]
			continue
		}
		target := m.st.Root()
		for cur := in; cur != nil; cur = m.st.instance(cur.Parent) {
			if _, ok := cur.Vars[k]; ok {
				target = cur
				break
			}
		}
		if target != nil {
			target.Vars[k] = vars[k]
		}
	}
}

func copyVars(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}
