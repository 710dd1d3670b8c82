// Package clock counts a case's time limits: the clock starts at
// acceptance (or as ow:clock says), pauses while the case waits for a
// supplement or a special procedure runs, and yields the due times of the
// case's promised and statutory limits and of each step's own limit, and
// the warning (yellow) and overdue (red) alerts that can still fire.
package clock

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/engine/calendar"
	"onewindow/engine/machine"
)

// Limits are a case's time limits in working days, counted from acceptance
// on the calendar of Unit (the implementing body; "" is the national one).
type Limits struct {
	PromisedDays  float64 `json:"promisedDays,omitempty"`
	StatutoryDays float64 `json:"statutoryDays,omitempty"`
	// WarnDays is how long before a due time the yellow warning fires (0: one working day).
	WarnDays float64 `json:"warnDays,omitempty"`
}

// Input is the state of a case's clock that the Apply activity turns
// into due times with the case's calendar.
type Input struct {
	Unit          string      `json:"unit,omitempty"`
	Limits        *Limits     `json:"limits,omitempty"`
	State         string      `json:"state"` // none, running, paused, stopped
	Start         time.Time   `json:"start,omitzero"`
	Reason        string      `json:"reason,omitempty"`
	Stopped       time.Time   `json:"stopped,omitzero"`
	Pauses        []PauseRow  `json:"pauses,omitempty"`
	Tasks         []TaskClock `json:"tasks,omitempty"`
	WritePausesAt int         `json:"writePausesAt"` // pauses from this index changed
}

// TaskClock is an open task with a time limit of its own.
type TaskClock struct {
	TaskID    string    `json:"taskId"`
	WaitID    string    `json:"waitId"`
	Element   string    `json:"element"`
	StepKind  string    `json:"stepKind,omitempty"`
	Created   time.Time `json:"created"`
	LimitDays float64   `json:"limitDays"`
	WarnDays  float64   `json:"warnDays,omitempty"`
}

// PauseRow is one pause of a case's clock.
type PauseRow struct {
	Idx    int       `json:"idx"`
	Holder string    `json:"holder"` // the waiting node's instance, or the procedure id
	Kind   string    `json:"kind"`   // supplement, hearing, expert, survey, notice, ... or the node id
	Reason string    `json:"reason"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to,omitzero"`
}

// Dues are the due times the Apply activity computed.
type Dues struct {
	Warn      time.Time           `json:"warn,omitzero"`
	Due       time.Time           `json:"due,omitzero"`
	Statutory time.Time           `json:"statutory,omitzero"`
	Tasks     map[string]TaskDues `json:"tasks,omitempty"` // by wait id
}

// TaskDues are one task's warning and due times.
type TaskDues struct {
	Warn time.Time `json:"warn,omitzero"`
	Due  time.Time `json:"due,omitzero"`
}

// Alert is a warning (yellow) or overdue (red) flag that a durable timer
// raised on a case or one of its tasks.
type Alert struct {
	ID       string    `json:"id"` // case id + "/" + key: one alert per key, however often the timer fires
	CaseID   string    `json:"caseId"`
	TaskID   string    `json:"taskId,omitempty"`
	Kind     string    `json:"kind"`  // warning or overdue
	Scope    string    `json:"scope"` // case, statutory or task
	Element  string    `json:"element,omitempty"`
	StepKind string    `json:"stepKind,omitempty"`
	Due      time.Time `json:"due"`
	At       time.Time `json:"at"`
}

// State is the clock of one case: it follows the token machine's
// history (acceptance, ow:clock nodes, pausing waits, limited tasks) and
// the clerks' special procedures, and says which alerts can still fire.
// It is pure: each shell (the durable one in package engine, the
// simulator) turns its Dues and Alerts into timers of its own.
type State struct {
	unit    string
	limits  *Limits
	receipt time.Time
	state   string // none, running, paused, stopped
	start   time.Time
	reason  string
	stopped time.Time
	pauses  []PauseRow
	tasks   []TaskClock
	dirty   bool // something changed that the read model and the due times must follow
	// extensions are the extensions granted, by name (Extend); the case's alerts after one
	// are new alerts (the first warning may have fired already)
	extensions []string
	// writeFrom is the first pause that changed since the last write.
	writeFrom int
	// Dues are the due times last computed (see SetDues).
	Dues  Dues
	fired map[string]bool // alert keys already raised (lookups only)
}

// New returns the clock of a case received at receipt, with limits (nil
// for none) counted on the calendar of unit.
func New(unit string, limits *Limits, receipt time.Time) *State {
	return &State{unit: unit, limits: limits, receipt: receipt, state: "none", fired: map[string]bool{}, dirty: limits != nil}
}

// Observe follows one batch of machine commands.
func (c *State) Observe(model *machine.Model, cmds []machine.Command, now time.Time, caseID string) {
	for _, cmd := range cmds {
		switch cmd.Kind {
		case machine.OpenWait:
			w := cmd.Wait
			if w.Kind == machine.TaskWait && w.Task != nil && w.Task.LimitDays > 0 {
				c.tasks = append(c.tasks, TaskClock{TaskID: caseID + "/" + w.ID, WaitID: w.ID, Element: w.Element,
					StepKind: w.Task.StepKind, Created: now, LimitDays: w.Task.LimitDays, WarnDays: w.Task.WarnDays})
				c.dirty = true
			}
		case machine.CloseWait:
			for i, t := range c.tasks {
				if t.WaitID == cmd.Wait.ID {
					c.tasks = append(c.tasks[:i:i], c.tasks[i+1:]...)
					c.dirty = true
					break
				}
			}
		case machine.Record:
			c.record(model, cmd.Entry, now)
		case machine.Finish:
			c.stop(now)
		}
	}
}

func (c *State) record(model *machine.Model, e *machine.Entry, now time.Time) {
	n := model.Process.Node(e.Element)
	if n == nil {
		return
	}
	switch e.Kind {
	case machine.EntryEntered:
		switch n.Clock {
		case definitions.ClockStart:
			c.startAt(now, "entered "+label(n))
		case definitions.ClockStartAtReceipt:
			c.startAt(c.receipt, "deemed accepted as of receipt: "+label(n)+" (行政许可法 §32: no notice within 5 working days)")
		case definitions.ClockStop:
			c.stop(now)
		case definitions.ClockPause:
			if e.Instance != "" {
				c.Pause(e.Instance, n.ID, "waiting at "+label(n), now)
			}
		}
	case machine.EntryCompleted:
		if n.Step != nil && n.Step.Kind == definitions.StepAcceptance && isAccept(e.Detail) {
			c.startAt(now, "accepted at "+label(n))
		}
		c.Resume(e.Instance, now)
	case machine.EntryCancelled:
		c.Resume(e.Instance, now)
	}
}

func label(n *definitions.Node) string {
	if n.Name != "" {
		return n.Name + " (" + n.ID + ")"
	}
	return n.ID
}

func isAccept(outcome string) bool {
	switch strings.ToLower(outcome) {
	case "accept", "accepted":
		return true
	}
	return false
}

func (c *State) startAt(at time.Time, reason string) {
	if c.state != "none" {
		return
	}
	c.state, c.start, c.reason, c.dirty = "running", at, reason, true
	if c.paused() {
		c.state = "paused"
	}
}

func (c *State) stop(at time.Time) {
	if c.state == "stopped" {
		return
	}
	for i := range c.pauses {
		if c.pauses[i].To.IsZero() {
			c.pauses[i].To = at
			c.touch(i)
		}
	}
	if c.state != "none" {
		c.stopped = at
	}
	c.state, c.dirty = "stopped", true
}

// Pause opens a pause held by holder (a waiting instance or a procedure).
func (c *State) Pause(holder, kind, reason string, at time.Time) {
	if c.state == "stopped" {
		return
	}
	for _, p := range c.pauses {
		if p.Holder == holder && p.To.IsZero() {
			return
		}
	}
	c.pauses = append(c.pauses, PauseRow{Idx: len(c.pauses), Holder: holder, Kind: kind, Reason: reason, From: at})
	c.touch(len(c.pauses) - 1)
	if c.state == "running" {
		c.state = "paused"
	}
	c.dirty = true
}

// Resume closes holder's open pause, if it has one.
func (c *State) Resume(holder string, at time.Time) bool {
	if holder == "" {
		return false
	}
	for i := range c.pauses {
		if c.pauses[i].Holder == holder && c.pauses[i].To.IsZero() {
			c.pauses[i].To = at
			c.touch(i)
			if c.state == "paused" && !c.paused() {
				c.state = "running"
			}
			c.dirty = true
			return true
		}
	}
	return false
}

func (c *State) paused() bool {
	for _, p := range c.pauses {
		if p.To.IsZero() {
			return true
		}
	}
	return false
}

func (c *State) touch(i int) {
	if i < c.writeFrom {
		c.writeFrom = i
	}
}

// Input is what the Apply activity needs to compute and write due times.
func (c *State) Input() *Input {
	in := &Input{Unit: c.unit, Limits: c.limits, State: c.state, Start: c.start, Reason: c.reason, Stopped: c.stopped,
		Pauses: c.pauses, Tasks: c.tasks, WritePausesAt: c.writeFrom}
	c.writeFrom = len(c.pauses)
	return in
}

// Extend lengthens the promised limit by days working days, up to the statutory limit (when
// there is one), once per name: the due times move, and the case's warning and overdue can
// fire again for the new ones.
func (c *State) Extend(name string, days float64) {
	if c.limits == nil || days <= 0 || c.state == "stopped" || slices.Contains(c.extensions, name) {
		return
	}
	l := *c.limits
	l.PromisedDays += days
	if l.StatutoryDays > 0 && l.PromisedDays > l.StatutoryDays {
		l.PromisedDays = l.StatutoryDays
	}
	c.limits, c.extensions, c.dirty = &l, append(c.extensions, name), true
}

// Alerts are the alerts that can still fire given the current dues.
func (c *State) Alerts(caseID string) []Alert {
	return Resolve(c.AlertSlots(caseID), c.Dues)
}

// AlertSlot is an alert that can still fire, before its due time is known: the Apply
// activity resolves the slots with the dues it computes (Resolve), so that it can arm the
// alerts' alarms in the step's own transaction.
type AlertSlot struct {
	Alert Alert `json:"alert"`
	// Due names the due time of Dues the alert takes: warn, due, statutory, or
	// task-warn and task-due of the task's wait (Wait).
	Due  string `json:"due"`
	Wait string `json:"wait,omitempty"`
}

// AlertSlots are the alerts that can still fire, whatever the dues (those not fired yet).
func (c *State) AlertSlots(caseID string) []AlertSlot {
	var out []AlertSlot
	add := func(key, due, wait string, a Alert) {
		if c.fired[key] {
			return
		}
		a.ID, a.CaseID = caseID+"/"+key, caseID
		out = append(out, AlertSlot{Alert: a, Due: due, Wait: wait})
	}
	if c.state == "running" {
		ext := ""
		if n := len(c.extensions); n > 0 {
			ext = ":ext" + strconv.Itoa(n)
		}
		add("case:warning"+ext, "warn", "", Alert{Kind: "warning", Scope: "case"})
		add("case:overdue"+ext, "due", "", Alert{Kind: "overdue", Scope: "case"})
		add("statutory:overdue", "statutory", "", Alert{Kind: "overdue", Scope: "statutory"})
	}
	for _, t := range c.tasks {
		base := Alert{TaskID: t.TaskID, Scope: "task", Element: t.Element, StepKind: t.StepKind}
		w, o := base, base
		w.Kind, o.Kind = "warning", "overdue"
		add("task:"+t.WaitID+":warning", "task-warn", t.WaitID, w)
		add("task:"+t.WaitID+":overdue", "task-due", t.WaitID, o)
	}
	return out
}

// Resolve answers the alerts of slots with their due times from d, leaving out those
// without one.
func Resolve(slots []AlertSlot, d Dues) []Alert {
	var out []Alert
	for _, s := range slots {
		a := s.Alert
		switch s.Due {
		case "warn":
			a.Due = d.Warn
		case "due":
			a.Due = d.Due
		case "statutory":
			a.Due = d.Statutory
		case "task-warn":
			a.Due = d.Tasks[s.Wait].Warn
		case "task-due":
			a.Due = d.Tasks[s.Wait].Due
		}
		if !a.Due.IsZero() {
			out = append(out, a)
		}
	}
	return out
}

// ComputeDues turns a clock into due times with a calendar: the Apply
// activity calls it, so a replay sees the same times.
func ComputeDues(cal *calendar.Calendar, in *Input) Dues {
	var d Dues
	pauses := make([]calendar.Pause, len(in.Pauses))
	for i, p := range in.Pauses {
		pauses[i] = calendar.Pause{From: p.From, To: p.To}
	}
	if in.Limits != nil && !in.Start.IsZero() { // a stopped clock keeps its due times: was the case on time?
		warnDays := in.Limits.WarnDays
		if warnDays <= 0 {
			warnDays = 1
		}
		if due, ok := cal.Due(in.Start, in.Limits.PromisedDays, pauses); ok {
			d.Due, d.Warn = due, cal.WarnAt(due, warnDays)
		}
		if in.Limits.StatutoryDays > 0 {
			if due, ok := cal.Due(in.Start, in.Limits.StatutoryDays, pauses); ok {
				d.Statutory = due
			}
		}
	}
	if len(in.Tasks) > 0 {
		d.Tasks = make(map[string]TaskDues, len(in.Tasks))
	}
	for _, t := range in.Tasks {
		// A step's own limit counts from its creation, and stops while the
		// case's clock is paused.
		due, ok := cal.Due(t.Created, t.LimitDays, pauses)
		if !ok {
			d.Tasks[t.WaitID] = TaskDues{}
			continue
		}
		warnDays := t.WarnDays
		if warnDays <= 0 {
			warnDays = 1
		}
		d.Tasks[t.WaitID] = TaskDues{Due: due, Warn: cal.WarnAt(due, warnDays)}
	}
	return d
}

// Dirty reports whether something changed that the read model and the due
// times must follow.
func (c *State) Dirty() bool { return c.dirty }

// SetDues records the due times computed from Input.
func (c *State) SetDues(d Dues) { c.Dues, c.dirty = d, false }

// Running reports whether the case's clock runs now.
func (c *State) Running() bool { return c.state == "running" }

// Fire marks an alert as raised, so that it never fires again.
func (c *State) Fire(key string) { c.fired[key] = true }

// Key is the part of an alert's id after the case id.
func Key(a Alert) string { return strings.TrimPrefix(a.ID, a.CaseID+"/") }
