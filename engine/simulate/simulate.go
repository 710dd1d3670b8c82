// Package simulate runs definitions through the engine's token machine with
// a virtual clock, in memory: `onewindow definitions simulate` uses it so a
// designer can try a flowchart before publishing it, and the conformance
// tests use it to drive the shared BPMN corpus along each documented path.
//
// It is a second shell around engine/machine, next to the durable one in
// package engine: the BPMN semantics are the same code.
package simulate

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"onewindow/engine/calendar"
	"onewindow/engine/clock"
	"onewindow/engine/machine"
)

// Script drives a simulation: start variables and the steps to take.
type Script struct {
	// Start is when the case starts: RFC 3339 ("2025-09-28T10:00:00+08:00"), or a date and
	// time ("2025-09-28T10:00") or a date ("2025-09-28", at 09:00) in Beijing time. The
	// default is Monday 2026-01-05 09:00.
	Start string `json:"start,omitempty"`
	// Initiator is the user who starts the case (a start event's initiator variable,
	// authenticatedUserId).
	Initiator string         `json:"initiator,omitempty"`
	Variables map[string]any `json:"variables,omitempty"`
	// Limits are the case's time limits in working days; with them the
	// result shows the clock and the alerts it raised.
	Limits *clock.Limits `json:"limits,omitempty"`
	Steps  []Step        `json:"steps"`
}

// Step is one thing that happens: exactly one of Complete, Advance, Message, Signal, Pause,
// Resume or Fail is set.
type Step struct {
	// Complete completes the oldest open instance of this user task id, or the service task
	// of this id (it waits for the script to complete it), with Variables.
	Complete string `json:"complete,omitempty"`
	// Fail makes the service task of this id fail: with Error, it throws that BPMN error
	// code (for the task's error boundary events); without, it fails as a technical error
	// (an incident).
	Fail  string `json:"fail,omitempty"`
	Error string `json:"error,omitempty"`
	// Outcome is the outcome of the completion (accept, refuse, approve, ...).
	Outcome string `json:"outcome,omitempty"`
	// Advance moves virtual time by an ISO 8601 duration, firing timers.
	Advance string `json:"advance,omitempty"`
	// Message delivers a message by name.
	Message string `json:"message,omitempty"`
	// Signal broadcasts a signal by name.
	Signal    string         `json:"signal,omitempty"`
	Variables map[string]any `json:"variables,omitempty"`
	// Pause starts a special procedure of that name (hearing, expert
	// review, ...) that pauses the clock, of Kind and with Reason; Resume
	// ends it.
	Pause  string `json:"pause,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Reason string `json:"reason,omitempty"`
	Resume string `json:"resume,omitempty"`
}

// Result is what a simulation prints.
type Result struct {
	State     string         `json:"state"` // completed, active or incident
	Entered   []string       `json:"entered"`
	Active    []string       `json:"active"`
	Variables map[string]any `json:"variables"`
	Incident  *Incident      `json:"incident"`
	// Clock and Alerts are shown when the case has time limits or steps
	// with limits of their own.
	Clock  *Clock        `json:"clock,omitempty"`
	Alerts []clock.Alert `json:"alerts,omitempty"`
}

// Clock is the state of the simulated case's time-limit clock.
type Clock struct {
	State     string           `json:"state"`
	Start     time.Time        `json:"start,omitzero"`
	Reason    string           `json:"reason,omitempty"`
	Warn      time.Time        `json:"warn,omitzero"`
	Due       time.Time        `json:"due,omitzero"`
	Statutory time.Time        `json:"statutory,omitzero"`
	Pauses    []clock.PauseRow `json:"pauses,omitempty"`
}

// Incident is the first open incident of a simulated case.
type Incident struct {
	ElementID string `json:"elementId"`
	Message   string `json:"message"`
}

// ErrStep is wrapped by errors of steps that name nothing waiting.
var ErrStep = errors.New("step cannot be taken")

// Sim is a running simulation: one case and the child cases its call
// activities started.
type Sim struct {
	models  map[string]*machine.Model
	now     time.Time
	cal     *calendar.Calendar
	clock   *clock.State
	alerts  []clock.Alert
	cases   []*simCase // root first, children in start order
	timers  []*timer
	entered []string
	seq     int
}

type simCase struct {
	id     string
	m      *machine.Machine
	parent *simCase
	wait   string // the parent's child wait
	vars   map[string]any
}

type timer struct {
	c    *simCase
	wait string
	due  time.Time
	base time.Time
	seq  int
	// alert is set for the alarm of a clock alert instead of a BPMN timer.
	alert *clock.Alert
}

// Options configure a simulation.
type Options struct {
	// Start is the virtual time at start (default 2026-01-05 09:00 CST, a Monday).
	Start time.Time
	// Calendar counts working days (default: the national calendar).
	Calendar *calendar.Calendar
	// Limits are the case's time limits (see Script.Limits).
	Limits *clock.Limits
	// Initiator is the user who starts the case (see Script.Initiator).
	Initiator string
}

// New starts a simulation of process (an id among models) with vars.
// models holds every process a call activity may name, by process id.
func New(models map[string]*machine.Model, process string, vars map[string]any, opts Options) (*Sim, error) {
	m := models[process]
	if m == nil {
		return nil, fmt.Errorf("no process %q to simulate", process)
	}
	s := &Sim{models: models, now: opts.Start, cal: opts.Calendar}
	if s.now.IsZero() {
		s.now = DefaultStart
	}
	if s.cal == nil {
		s.cal = calendar.National()
	}
	s.clock = clock.New("", opts.Limits, s.now)
	root := &simCase{id: "case", m: machine.New(m)}
	s.cases = append(s.cases, root)
	if err := s.apply(root, root.m.Start(machine.StartOptions{Vars: vars, Now: s.now, CaseID: root.id, Initiator: opts.Initiator})); err != nil {
		return nil, err
	}
	return s, s.fireDue()
}

// Run runs a whole script and returns the result.
func Run(models map[string]*machine.Model, process string, script Script, opts Options) (*Result, error) {
	if script.Limits != nil {
		opts.Limits = script.Limits
	}
	if script.Initiator != "" {
		opts.Initiator = script.Initiator
	}
	if script.Start != "" {
		t, err := ParseStart(script.Start)
		if err != nil {
			return nil, fmt.Errorf("%w: start: %v", ErrStep, err)
		}
		opts.Start = t
	}
	s, err := New(models, process, script.Variables, opts)
	if err != nil {
		return nil, err
	}
	for i, st := range script.Steps {
		if err := s.Step(st); err != nil {
			return s.Result(), fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	return s.Result(), nil
}

// Now is the virtual time.
func (s *Sim) Now() time.Time { return s.now }

// Step takes one step.
func (s *Sim) Step(st Step) error {
	switch {
	case st.Complete != "":
		return s.Complete(st.Complete, st.Outcome, st.Variables)
	case st.Fail != "":
		return s.Fail(st.Fail, st.Error)
	case st.Advance != "":
		return s.Advance(st.Advance)
	case st.Message != "":
		return s.Message(st.Message, st.Variables)
	case st.Signal != "":
		return s.Signal(st.Signal, st.Variables)
	case st.Pause != "":
		s.clock.Pause("procedure:"+st.Pause, st.Kind, st.Reason, s.now)
		return s.follow(nil)
	case st.Resume != "":
		if !s.clock.Resume("procedure:"+st.Resume, s.now) {
			return fmt.Errorf("%w: no special procedure %q is running", ErrStep, st.Resume)
		}
		return s.follow(nil)
	}
	return fmt.Errorf("%w: a step needs one of complete, advance, message, signal, pause, resume or fail", ErrStep)
}

// Complete completes the oldest open instance of user task id, or the waiting service
// task id.
func (s *Sim) Complete(id, outcome string, vars map[string]any) error {
	for _, c := range s.cases {
		for _, w := range c.m.State().OpenWaits() {
			switch {
			case w.Kind == machine.TaskWait && w.Element == id:
				return s.handle(c, machine.Event{Kind: machine.TaskCompleted, WaitID: w.ID, Outcome: outcome, Vars: vars})
			case w.Kind == machine.HandlerWait && w.Element == id:
				if outcome != "" {
					return fmt.Errorf("%w: %s is a service task: it completes without an outcome", ErrStep, id)
				}
				return s.handle(c, machine.Event{Kind: machine.HandlerFinished, WaitID: w.ID, Vars: vars})
			}
		}
	}
	return fmt.Errorf("%w: no open task %q", ErrStep, id)
}

// Fail makes the waiting service task id fail: with code, by throwing that BPMN error;
// without, as a technical failure (an incident).
func (s *Sim) Fail(id, code string) error {
	for _, c := range s.cases {
		for _, w := range c.m.State().OpenWaits() {
			if w.Kind != machine.HandlerWait || w.Element != id {
				continue
			}
			ev := machine.Event{Kind: machine.HandlerFinished, WaitID: w.ID}
			if code != "" {
				ev.Error = &machine.BPMNError{Code: code, Message: "thrown by the simulation"}
			} else {
				ev.Failure = "failed in the simulation"
			}
			return s.handle(c, ev)
		}
	}
	return fmt.Errorf("%w: no service task %q waits (name it in a fail or complete step so that it waits)", ErrStep, id)
}

// Message delivers a message to the first case waiting for it.
func (s *Sim) Message(name string, vars map[string]any) error {
	for _, c := range s.cases {
		if c.m.WaitsForMessage(name) {
			return s.handle(c, machine.Event{Kind: machine.MessageReceived, Name: name, Vars: vars})
		}
	}
	return fmt.Errorf("%w: nothing waits for message %q", ErrStep, name)
}

// Signal broadcasts a signal to every case.
func (s *Sim) Signal(name string, vars map[string]any) error {
	for _, c := range append([]*simCase(nil), s.cases...) {
		if c.m.Ended() {
			continue
		}
		if err := s.handle(c, machine.Event{Kind: machine.SignalReceived, Name: name, Vars: vars}); err != nil {
			return err
		}
	}
	return nil
}

// Advance moves virtual time by an ISO 8601 duration, firing every timer
// that falls due on the way, in due order.
func (s *Sim) Advance(iso string) error {
	d, err := parseDuration(iso)
	if err != nil {
		return fmt.Errorf("%w: advance %q: %v", ErrStep, iso, err)
	}
	target := d(s.now)
	for {
		t := s.earliest()
		if t == nil || t.due.After(target) {
			break
		}
		if t.due.After(s.now) {
			s.now = t.due
		}
		if err := s.fire(t); err != nil {
			return err
		}
	}
	s.now = target
	return nil
}

// fireDue fires the timers already due at the current time (a zero or
// past timer fires at once, as in the engine).
func (s *Sim) fireDue() error {
	for {
		t := s.earliest()
		if t == nil || t.due.After(s.now) {
			return nil
		}
		if err := s.fire(t); err != nil {
			return err
		}
	}
}

func (s *Sim) earliest() *timer {
	var best *timer
	for _, t := range s.timers {
		if best == nil || t.due.Before(best.due) || (t.due.Equal(best.due) && t.seq < best.seq) {
			best = t
		}
	}
	return best
}

func (s *Sim) fire(t *timer) error {
	s.dropTimer(t.c, t.wait)
	if t.alert != nil {
		a := *t.alert
		a.At = s.now
		s.alerts = append(s.alerts, a)
		s.clock.Fire(clock.Key(a))
		return nil
	}
	return s.handle(t.c, machine.Event{Kind: machine.TimerFired, WaitID: t.wait})
}

// follow feeds the root case's commands to its clock and re-arms the
// clock's alarms when its due times changed.
func (s *Sim) follow(cmds []machine.Command) error {
	root := s.cases[0]
	s.clock.Observe(root.m.Model(), cmds, s.now, root.id)
	if !s.clock.Dirty() {
		return nil
	}
	s.clock.SetDues(clock.ComputeDues(s.cal, s.clock.Input()))
	for i := len(s.timers) - 1; i >= 0; i-- {
		if s.timers[i].alert != nil {
			s.timers = append(s.timers[:i:i], s.timers[i+1:]...)
		}
	}
	if root.m.Ended() {
		return nil
	}
	for _, a := range s.clock.Alerts(root.id) {
		s.seq++
		a := a
		s.timers = append(s.timers, &timer{c: root, wait: "alert:" + clock.Key(a), due: a.Due, seq: s.seq, alert: &a})
	}
	return nil
}

func (s *Sim) handle(c *simCase, ev machine.Event) error {
	ev.At = s.now
	cmds, err := c.m.Handle(ev)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStep, err)
	}
	if err := s.apply(c, cmds); err != nil {
		return err
	}
	return s.fireDue()
}

// apply carries out a machine's commands in memory.
func (s *Sim) apply(c *simCase, cmds []machine.Command) error {
	if c == s.cases[0] {
		if err := s.follow(cmds); err != nil {
			return err
		}
	}
	for _, cmd := range cmds {
		switch cmd.Kind {
		case machine.Record:
			if cmd.Entry.Kind == machine.EntryEntered && cmd.Entry.Element != "" {
				s.entered = append(s.entered, cmd.Entry.Element)
			}
		case machine.OpenWait:
			if err := s.open(c, cmd.Wait); err != nil {
				return err
			}
		case machine.CloseWait:
			s.dropTimer(c, cmd.Wait.ID)
			if cmd.Wait.Kind == machine.ChildWait {
				s.cancelChild(c, cmd.Wait.ID)
			}
		case machine.ThrowSignal:
			for _, o := range append([]*simCase(nil), s.cases...) {
				if o == c || o.m.Ended() {
					continue
				}
				if err := s.handle(o, machine.Event{Kind: machine.SignalReceived, Name: cmd.Name, Vars: cmd.Vars}); err != nil {
					return err
				}
			}
		case machine.Finish:
			c.vars = cmd.Vars
			if c.parent != nil && !c.parent.m.Ended() {
				ev := machine.Event{Kind: machine.ChildFinished, WaitID: c.wait, Vars: cmd.Vars, Error: cmd.Error}
				if cmd.Result == machine.Cancelled {
					continue
				}
				if err := s.handle(c.parent, ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Sim) open(c *simCase, w *machine.Wait) error {
	switch w.Kind {
	case machine.TimerWait:
		base := s.now
		for _, t := range s.timers {
			if t.c == c && t.wait == w.ID {
				base = t.base
			}
		}
		s.dropTimer(c, w.ID)
		due, ok, err := machine.Due(*w.Timer, base, s.cal.AddWorkingDays)
		if err != nil {
			return fmt.Errorf("timer of %s: %w", w.Element, err)
		}
		if ok {
			s.seq++
			s.timers = append(s.timers, &timer{c: c, wait: w.ID, due: due, base: base, seq: s.seq})
		}
	case machine.ChildWait:
		model := s.models[w.Child.Process]
		if model == nil {
			return fmt.Errorf("call activity %s: process %q was not given to the simulation", w.Element, w.Child.Process)
		}
		child := &simCase{id: c.id + "/" + w.ID, m: machine.New(model), parent: c, wait: w.ID}
		s.cases = append(s.cases, child)
		return s.apply(child, child.m.Start(machine.StartOptions{Vars: w.Child.Vars, Child: true, Now: s.now, CaseID: child.id}))
	}
	return nil
}

func (s *Sim) dropTimer(c *simCase, wait string) {
	for i, t := range s.timers {
		if t.c == c && t.wait == wait {
			s.timers = append(s.timers[:i:i], s.timers[i+1:]...)
			return
		}
	}
}

func (s *Sim) cancelChild(parent *simCase, wait string) {
	for _, c := range s.cases {
		if c.parent == parent && c.wait == wait && !c.m.Ended() {
			cmds, _ := c.m.Handle(machine.Event{Kind: machine.CancelCase})
			_ = s.apply(c, cmds)
		}
	}
}

// Result reports the simulation's current state.
func (s *Sim) Result() *Result {
	root := s.cases[0]
	st := root.m.State()
	r := &Result{State: "active", Entered: s.entered, Active: []string{}, Variables: root.vars}
	if r.Entered == nil {
		r.Entered = []string{}
	}
	if st.Root() != nil {
		r.Variables = st.Root().Vars
	}
	if r.Variables == nil {
		r.Variables = map[string]any{}
	}
	for _, c := range s.cases {
		for _, in := range c.m.State().Instances {
			if in.Kind == machine.ActivityInstance || in.Kind == machine.EventInstance {
				r.Active = append(r.Active, in.Element)
			}
		}
		if r.Incident == nil && len(c.m.State().Incidents) > 0 {
			x := c.m.State().Incidents[0]
			r.Incident = &Incident{ElementID: x.Element, Message: x.Message}
		}
	}
	if s.clock.Dirty() || len(s.clock.Dues.Tasks) > 0 || s.clock.Input().Limits != nil || len(s.alerts) > 0 {
		in := s.clock.Input()
		r.Clock = &Clock{State: in.State, Start: in.Start, Reason: in.Reason, Warn: s.clock.Dues.Warn, Due: s.clock.Dues.Due,
			Statutory: s.clock.Dues.Statutory, Pauses: in.Pauses}
		r.Alerts = s.alerts
	}
	switch {
	case r.Incident != nil:
		r.State = "incident"
	case st.Result == machine.Failed:
		r.State = "incident"
		r.Incident = &Incident{ElementID: "", Message: "unhandled BPMN error " + st.Error.Code}
	case root.m.Ended():
		r.State = "completed"
	}
	return r
}

// OpenTasks lists the element ids of the open user tasks, oldest first.
func (s *Sim) OpenTasks() []string {
	var out []string
	for _, c := range s.cases {
		for _, w := range c.m.State().OpenWaits() {
			if w.Kind == machine.TaskWait {
				out = append(out, w.Element)
			}
		}
	}
	return out
}

// Tasks returns the open user tasks' specs, oldest first.
func (s *Sim) Tasks() []*machine.Wait {
	var out []*machine.Wait
	for _, c := range s.cases {
		for _, w := range c.m.State().OpenWaits() {
			if w.Kind == machine.TaskWait {
				out = append(out, w)
			}
		}
	}
	return out
}

// Machine returns the machine of the root case, for tests.
func (s *Sim) Machine() *machine.Machine { return s.cases[0].m }

// JSON renders a result the way the CLI prints it.
func (r *Result) JSON() []byte {
	b, _ := json.MarshalIndent(r, "", "  ")
	return b
}

// SortedKeys lists a variables map's names in order, for printing.
func SortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
