package engine

import (
	"strings"
	"time"

	"github.com/cschleiden/go-workflows/workflow"

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

// Clock actions a clerk sends (special procedures: hearing, expert review,
// on-site survey, public notice), through PauseClock and ResumeClock.
const (
	ClockPause  = "pause"
	ClockResume = "resume"
)

// ClockInput is the state of a case's clock that the Apply activity turns
// into due times with the case's calendar.
type ClockInput struct {
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

// ClockDues are the due times the Apply activity computed.
type ClockDues struct {
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

// clock is the shell's side of a case's time limits: it follows the
// machine's history (acceptance, ow:clock nodes, pausing waits) and keeps
// one durable timer per alert that can still fire.
type clock struct {
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
	// writeFrom is the first pause that changed since the last write.
	writeFrom int
	dues      ClockDues
	alarms    []*alarm
	fired     map[string]bool // alert keys already raised (lookups only)
}

// alarm is a go-workflows timer that raises an Alert.
type alarm struct {
	alert  Alert
	key    string
	timer  workflow.Future[any]
	cancel workflow.CancelFunc
}

func newClock(in CaseInput, receipt time.Time) *clock {
	if !in.ReceivedAt.IsZero() {
		receipt = in.ReceivedAt
	}
	return &clock{unit: in.CalendarUnit, limits: in.Limits, receipt: receipt, state: "none", fired: map[string]bool{}, dirty: in.Limits != nil}
}

// observe follows one batch of machine commands.
func (c *clock) observe(model *machine.Model, cmds []machine.Command, now time.Time, caseID string) {
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

func (c *clock) record(model *machine.Model, e *machine.Entry, now time.Time) {
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
				c.pause(e.Instance, n.ID, "waiting at "+label(n), now)
			}
		}
	case machine.EntryCompleted:
		if n.Step != nil && n.Step.Kind == definitions.StepAcceptance && isAccept(e.Detail) {
			c.startAt(now, "accepted at "+label(n))
		}
		c.resume(e.Instance, now)
	case machine.EntryCancelled:
		c.resume(e.Instance, now)
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

func (c *clock) startAt(at time.Time, reason string) {
	if c.state != "none" {
		return
	}
	c.state, c.start, c.reason, c.dirty = "running", at, reason, true
	if c.paused() {
		c.state = "paused"
	}
}

func (c *clock) stop(at time.Time) {
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

// pause opens a pause held by holder (a waiting instance or a procedure).
func (c *clock) pause(holder, kind, reason string, at time.Time) {
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

// resume closes holder's open pause, if it has one.
func (c *clock) resume(holder string, at time.Time) bool {
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

func (c *clock) paused() bool {
	for _, p := range c.pauses {
		if p.To.IsZero() {
			return true
		}
	}
	return false
}

func (c *clock) touch(i int) {
	if i < c.writeFrom {
		c.writeFrom = i
	}
}

// input is what the Apply activity needs to compute and write due times.
func (c *clock) input() *ClockInput {
	in := &ClockInput{Unit: c.unit, Limits: c.limits, State: c.state, Start: c.start, Reason: c.reason, Stopped: c.stopped,
		Pauses: c.pauses, Tasks: c.tasks, WritePausesAt: c.writeFrom}
	c.writeFrom = len(c.pauses)
	return in
}

// wantedAlerts are the alerts that can still fire given the current dues.
func (c *clock) wantedAlerts(caseID string) []Alert {
	var out []Alert
	add := func(key string, a Alert) {
		if a.Due.IsZero() || c.fired[key] {
			return
		}
		a.ID, a.CaseID = caseID+"/"+key, caseID
		out = append(out, a)
	}
	if c.state == "running" {
		add("case:warning", Alert{Kind: "warning", Scope: "case", Due: c.dues.Warn})
		add("case:overdue", Alert{Kind: "overdue", Scope: "case", Due: c.dues.Due})
		add("statutory:overdue", Alert{Kind: "overdue", Scope: "statutory", Due: c.dues.Statutory})
	}
	for _, t := range c.tasks {
		d := c.dues.Tasks[t.WaitID]
		base := Alert{TaskID: t.TaskID, Scope: "task", Element: t.Element, StepKind: t.StepKind}
		w, o := base, base
		w.Kind, w.Due = "warning", d.Warn
		o.Kind, o.Due = "overdue", d.Due
		add("task:"+t.WaitID+":warning", w)
		add("task:"+t.WaitID+":overdue", o)
	}
	return out
}

// alertKey is the part of an alert's id after the case id.
func alertKey(a Alert) string { return strings.TrimPrefix(a.ID, a.CaseID+"/") }

// rearm makes the alarms match the alerts that can still fire: an alarm
// whose due time has not changed keeps its timer.
func (c *clock) rearm(ctx workflow.Context, caseID string) {
	wanted := c.wantedAlerts(caseID)
	keep := make([]*alarm, 0, len(wanted))
	for _, a := range c.alarms {
		still := false
		for _, w := range wanted {
			if alertKey(w) == a.key && w.Due.Equal(a.alert.Due) {
				still = true
				break
			}
		}
		if still {
			keep = append(keep, a)
		} else {
			a.cancel()
		}
	}
	c.alarms = keep
	for _, w := range wanted {
		key := alertKey(w)
		exists := false
		for _, a := range c.alarms {
			if a.key == key {
				exists = true
				break
			}
		}
		if exists {
			continue
		}
		delay := w.Due.Sub(workflow.Now(ctx))
		if delay < 0 {
			delay = 0
		}
		tctx, cancel := workflow.WithCancel(ctx)
		c.alarms = append(c.alarms, &alarm{alert: w, key: key, cancel: cancel,
			timer: workflow.ScheduleTimer(tctx, delay, workflow.WithTimerName(key))})
	}
}

// fire marks an alarm's alert as raised and drops the alarm.
func (c *clock) fire(a *alarm) {
	c.fired[a.key] = true
	for i, x := range c.alarms {
		if x == a {
			c.alarms = append(c.alarms[:i:i], c.alarms[i+1:]...)
			return
		}
	}
}

// computeDues turns a clock into due times with a calendar: the Apply
// activity calls it, so a replay sees the same times.
func computeDues(cal *calendar.Calendar, in *ClockInput) ClockDues {
	var d ClockDues
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
