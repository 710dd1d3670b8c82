package engine

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/definitions"
	"onewindow/engine/clock"
	"onewindow/engine/machine"
)

// CaseInput starts a case workflow.
type CaseInput struct {
	CaseID     string         `json:"caseId"`
	Definition string         `json:"definition"`
	Version    int            `json:"version"` // 0: the latest published version
	Vars       map[string]any `json:"vars,omitempty"`
	Initiator  string         `json:"initiator,omitempty"`
	// Message starts the case at its message start event of that name.
	Message string `json:"message,omitempty"`
	// ParentCase is set for a case started by a call activity.
	ParentCase string `json:"parentCase,omitempty"`
	// Limits are the case's promised and statutory time limits; nil for
	// none (steps may still have limits of their own).
	Limits *Limits `json:"limits,omitempty"`
	// CalendarUnit is the org unit whose working-day calendar counts the
	// case's limits and working-day timers ("" national).
	CalendarUnit string `json:"calendarUnit,omitempty"`
	// ReceivedAt is when the application was received (default: when the
	// case started); deemed acceptance counts from it.
	ReceivedAt time.Time `json:"receivedAt,omitzero"`
	// Alarms makes the case keep its waits of AlarmThreshold or longer in the
	// alarms table (longalarms.go) instead of go-workflows timers. StartCase
	// sets it when the engine's store has the table; cases started before
	// keep their timers, so that their replay does not change.
	Alarms bool `json:"alarms,omitempty"`
	// AlarmsInApply makes the case arm and disarm its alarms in each step's Apply
	// activity, in the step's transaction (applyalarms.go), instead of a SetAlarms
	// activity after it. StartCase sets it when the Store can; cases started before
	// keep SetAlarms, so that their replay does not change.
	AlarmsInApply bool `json:"alarmsInApply,omitempty"`
}

// CaseResult is how a case workflow ended.
type CaseResult struct {
	Result string             `json:"result"`
	Vars   map[string]any     `json:"vars,omitempty"`
	Error  *machine.BPMNError `json:"error,omitempty"`
}

// Signal is the payload of every go-workflows signal the engine sends to a
// case. Task, message and signal deliveries go to the channel named after
// their wait; everything else goes to the case's control channel.
type Signal struct {
	// ID identifies a delivery: a case acts on each ID once, so a signal
	// delivered again after a crash changes nothing.
	ID       string         `json:"id,omitempty"`
	Kind     SignalKind     `json:"kind"`
	Outcome  string         `json:"outcome,omitempty"`
	Vars     map[string]any `json:"vars,omitempty"`
	Local    bool           `json:"local,omitempty"`
	Target   string         `json:"target,omitempty"`
	Name     string         `json:"name,omitempty"`
	Item     any            `json:"item,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Incident string         `json:"incident,omitempty"`
	Reason   string         `json:"reason,omitempty"`
}

// SignalKind says what a Signal asks for.
type SignalKind string

// Signal kinds.
const (
	SignalComplete     SignalKind = "complete"     // complete a task
	SignalMove         SignalKind = "move"         // move a task's token to Target
	SignalRemove       SignalKind = "remove"       // remove one countersign instance
	SignalMessage      SignalKind = "message"      // a message for a message wait
	SignalBroadcast    SignalKind = "signal"       // a BPMN signal for a signal wait
	SignalRetry        SignalKind = "retry"        // retry Incident with Vars
	SignalSetVariables SignalKind = "setVariables" // set process variables
	SignalAddInstance  SignalKind = "addInstance"  // add Item to body Instance
	SignalReopen       SignalKind = "reopen"       // reopen instance Item (its loop counter) of body Instance, which completed with Outcome
	SignalCancel       SignalKind = "cancel"       // cancel the case
	SignalClock        SignalKind = "clock"        // pause (Name pause) or resume the clock for procedure Instance
)

// controlChannel receives the signals that are not addressed to one wait.
const controlChannel = "control"

// CaseWorkflow is the go-workflows workflow that runs one case: it loads
// the pinned definition version, then alternates between the token machine
// (pure) and the world (activities, timers, signals, child workflows).
func (e *Engine) CaseWorkflow(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	rec, err := workflow.ExecuteActivity[*DefinitionRecord](ctx, e.readOptions, e.acts.LoadDefinition, in.Definition, in.Version).Get(ctx)
	if err != nil {
		return CaseResult{}, err
	}
	model, err := e.model(rec)
	if err != nil {
		return CaseResult{}, err
	}
	s := &shell{e: e, in: in, version: rec.Version, m: machine.New(model), seen: map[string]bool{},
		clock: clock.New(in.CalendarUnit, in.Limits, receiptOf(in, workflow.Now(ctx))), book: alarmBook{on: in.Alarms}}
	var cmds []machine.Command
	s.guard(ctx, func() error {
		cmds = s.m.Start(machine.StartOptions{Vars: in.Vars, Initiator: in.Initiator, Message: in.Message, Child: in.ParentCase != "",
			Now: workflow.Now(ctx), CaseID: in.CaseID})
		return nil
	}, &cmds)
	control := workflow.NewSignalChannel[Signal](ctx, controlChannel)
	for {
		if err := s.apply(ctx, cmds); err != nil {
			return CaseResult{}, err
		}
		if s.m.Ended() {
			break
		}
		a := s.next(ctx, control)
		switch {
		case a.dup:
			cmds = nil
			continue
		case a.alarm != nil:
			if err := s.raise(ctx, a.alarm); err != nil {
				return CaseResult{}, err
			}
			cmds = nil
			continue
		case a.clock != nil:
			now := workflow.Now(ctx)
			switch a.clock.Name {
			case ClockPause:
				s.clock.Pause("procedure:"+a.clock.Instance, a.clock.Target, a.clock.Reason, now)
			case ClockExtend:
				days, _ := a.clock.Item.(float64)
				s.clock.Extend(a.clock.Instance, days)
			default:
				s.clock.Resume("procedure:"+a.clock.Instance, now)
			}
			cmds = nil
			continue
		case a.cancelled:
			// go-workflows cancelled the case (its caller was cancelled):
			// record that with a context that is not cancelled itself.
			ctx = workflow.NewDisconnectedContext(ctx)
			a.ev = machine.Event{Kind: machine.CancelCase}
		}
		ev := a.ev
		ev.At = workflow.Now(ctx) // the case's time for now() and dateTime() in expressions
		err = s.guard(ctx, func() (err error) {
			cmds, err = s.m.Handle(ev)
			return err
		}, &cmds)
		if err != nil {
			// An event for a wait that has just closed (a task completed as
			// its timer fired): nothing to do.
			workflow.Logger(ctx).Debug("event ignored", "case", in.CaseID, "event", ev.Kind, "wait", ev.WaitID, "error", err)
			cmds = nil
		}
	}
	s.drain(ctx)
	st := s.m.State()
	res := CaseResult{Result: string(st.Result), Error: st.Error}
	if s.finalVars != nil {
		res.Vars = s.finalVars
	}
	return res, nil
}

// shell carries out the machine's commands inside the workflow.
type shell struct {
	e         *Engine
	in        CaseInput
	version   int
	m         *machine.Machine
	seq       int
	waits     []*openWait            // in the order they opened
	orphans   []workflow.Future[any] // futures of closed waits still running
	finalVars map[string]any
	seen      map[string]bool // delivery ids already acted on (lookups only)
	clock     *clock.State
	alarms    alarms
	book      alarmBook // long waits armed and disarmed by the current step
	// alarmsDone: the case's last Apply disarmed every alarm it had (AlarmsInApply).
	alarmsDone bool
	panics     int
	// receiptTimers are the timers on an acceptance step already armed once from the receipt.
	receiptTimers map[string]bool
}

// fromReceipt reports whether the timer event element, armed now, counts from the receipt of
// the application rather than from now: the first arming of a timer attached to an acceptance
// step (ow:stepKind="acceptance") in a case received before it started. The notify-once
// deadline runs from receipt (行政许可法 §32: five working days from receiving the
// application), also when the case is entered after the application arrived; after a
// supplement the re-armed timer counts from the return to acceptance.
func (s *shell) fromReceipt(element string, now time.Time) bool {
	if s.in.ReceivedAt.IsZero() || !s.in.ReceivedAt.Before(now) || s.receiptTimers[element] {
		return false
	}
	n := s.m.Model().Process.Node(element)
	if n == nil || n.AttachedTo == "" {
		return false
	}
	host := s.m.Model().Process.Node(n.AttachedTo)
	if host == nil || host.Step == nil || host.Step.Kind != definitions.StepAcceptance {
		return false
	}
	if s.receiptTimers == nil {
		s.receiptTimers = map[string]bool{}
	}
	s.receiptTimers[element] = true
	return true
}

// openWait is the workflow side of one machine wait.
type openWait struct {
	w       *machine.Wait
	channel workflow.Channel[Signal]
	timer   workflow.Future[any]
	child   workflow.Future[CaseResult]
	handler workflow.Future[HandlerResult]
	cancel  workflow.CancelFunc
	base    time.Time // when a timer was first armed
	// alarmID is the armed alarm of a long timer (alarms table), alarmCh the
	// channel its signal arrives on; "" once fired.
	alarmID string
	alarmCh workflow.Channel[Signal]
}

// apply writes one batch through the Apply activity, then arms what the
// batch opened and disarms what it closed (in Apply itself for a case with
// AlarmsInApply; through SetAlarms after it otherwise).
func (s *shell) apply(ctx workflow.Context, cmds []machine.Command) error {
	now := workflow.Now(ctx)
	s.clock.Observe(s.m.Model(), cmds, now, s.in.CaseID)
	if len(cmds) == 0 && !s.clock.Dirty() {
		return nil
	}
	s.seq++
	in := &ApplyInput{Batch: s.batch(cmds, now), Unit: s.in.CalendarUnit}
	if s.clock.Dirty() {
		in.Clock = s.clock.Input()
	}
	if s.in.AlarmsInApply {
		in.Alarms = s.alarmPlan(cmds, in.Clock != nil)
	}
	for _, c := range cmds {
		switch c.Kind {
		case machine.OpenWait:
			if c.Wait.Kind == machine.TimerWait {
				base := now
				if ow := s.find(c.Wait.ID); ow != nil && !ow.base.IsZero() {
					base = ow.base // a cycle arming again counts from its first arming
				} else if s.fromReceipt(c.Wait.Element, now) {
					base = s.in.ReceivedAt
				}
				in.Timers = append(in.Timers, TimerRequest{WaitID: c.Wait.ID, Element: c.Wait.Element, Spec: *c.Wait.Timer, Base: base})
			}
		case machine.ThrowSignal:
			in.Broadcasts = append(in.Broadcasts, Broadcast{Name: c.Name, Vars: c.Vars, ID: s.in.CaseID + "/" + strconv.Itoa(s.seq) + "/" + strconv.Itoa(len(in.Broadcasts))})
		}
	}
	res, err := workflow.ExecuteActivity[ApplyResult](ctx, s.e.applyOptions, s.e.acts.Apply, in).Get(ctx)
	if err != nil {
		return err
	}
	dues := res.Timers
	if in.Clock != nil {
		s.clock.SetDues(res.Dues)
		switch {
		case s.m.Ended():
		case in.Alarms != nil:
			s.alarms.follow(ctx, res.Alarms)
		default:
			s.alarms.rearm(ctx, s.clock, s.in.CaseID, &s.book, s.seq)
		}
	}
	var armed map[string]Alarm
	if res.Alarms != nil {
		armed = res.Alarms.Timers
	}
	for _, c := range cmds {
		switch c.Kind {
		case machine.OpenWait:
			s.open(ctx, c.Wait, dues, armed)
		case machine.CloseWait:
			s.close(c.Wait.ID)
		case machine.Finish:
			s.finalVars = c.Vars
		}
	}
	if in.Alarms != nil {
		// Apply wrote them: what close booked was in the plan.
		s.book.arm, s.book.disarm = nil, nil
		s.alarmsDone = s.m.Ended()
		return nil
	}
	return s.flushAlarms(ctx)
}

// batch turns commands into the read-model rows they change.
func (s *shell) batch(cmds []machine.Command, now time.Time) *Batch {
	caseID := s.in.CaseID
	b := &Batch{CaseID: caseID, Seq: s.seq, At: now, Status: "active"}
	if s.seq == 1 {
		b.Definition, b.Version, b.ParentCase = s.in.Definition, s.version, s.in.ParentCase
	}
	for _, c := range cmds {
		switch c.Kind {
		case machine.OpenWait:
			w := c.Wait
			id := caseID + "/" + w.ID
			switch w.Kind {
			case machine.TaskWait:
				t := w.Task
				b.Tasks = append(b.Tasks, TaskRow{ID: id, CaseID: caseID, WaitID: w.ID, Element: w.Element, Name: t.Name,
					Assignee: t.Assignee, CandidateUsers: t.CandidateUsers, CandidateGroups: t.CandidateGroups,
					StepKind: t.StepKind, LimitDays: t.LimitDays, WarnDays: t.WarnDays, FormKey: t.FormKey,
					Documentation: t.Documentation, Priority: t.Priority, LoopCounter: t.LoopCounter, Body: t.Body, Created: now})
			case machine.MessageWait, machine.SignalWait:
				b.Subscriptions = append(b.Subscriptions, SubscriptionRow{ID: id, CaseID: caseID, WaitID: w.ID, Element: w.Element, Kind: string(w.Kind), Name: w.Name})
			}
		case machine.CloseWait:
			b.Closed = append(b.Closed, ClosedWait{ID: caseID + "/" + c.Wait.ID, Kind: string(c.Wait.Kind), Reason: c.Reason})
		case machine.Record:
			r := c.Entry
			b.History = append(b.History, HistoryRow{CaseID: caseID, Seq: s.seq, Index: len(b.History), At: now,
				Kind: string(r.Kind), Element: r.Element, Instance: r.Instance, Detail: r.Detail})
		case machine.RaiseIncident:
			b.Incidents = append(b.Incidents, IncidentRow{ID: caseID + "/" + c.Incident.ID, CaseID: caseID, Element: c.Incident.Element, Message: c.Incident.Message, At: now})
		case machine.ResolveIncident:
			b.Resolved = append(b.Resolved, caseID+"/"+c.Incident.ID)
		}
	}
	st := s.m.State()
	switch {
	case st.Result != machine.Running:
		b.Status = string(st.Result)
	case len(st.Incidents) > 0 || s.panics > 0:
		b.Status = "incident"
	}
	if root := st.Root(); root != nil {
		b.Vars = root.Vars
	} else {
		for _, c := range cmds {
			if c.Kind == machine.Finish {
				b.Vars = c.Vars
			}
		}
	}
	return b
}

// open arms the workflow side of a wait; armed are the timers' alarms Apply armed (a case
// with AlarmsInApply).
func (s *shell) open(ctx workflow.Context, w *machine.Wait, dues map[string]time.Time, armed map[string]Alarm) {
	ow := s.find(w.ID)
	if ow == nil {
		ow = &openWait{}
		s.waits = append(s.waits, ow)
	}
	ow.w = w
	switch w.Kind {
	case machine.TaskWait, machine.MessageWait, machine.SignalWait:
		ow.channel = workflow.NewSignalChannel[Signal](ctx, w.ID)
	case machine.TimerWait:
		ow.timer, ow.alarmID = nil, ""
		due, ok := dues[w.ID]
		if !ok {
			// A cycle that has run out: the wait stays open and never fires.
			return
		}
		delay := due.Sub(workflow.Now(ctx))
		if delay < 0 {
			delay = 0
		}
		if ow.base.IsZero() {
			ow.base = workflow.Now(ctx)
		}
		if a, ok := armed[w.ID]; ok {
			ow.alarmID, ow.alarmCh, ow.cancel = a.ID, workflow.NewSignalChannel[Signal](ctx, a.Channel), nil
			return
		}
		if !s.in.AlarmsInApply && s.book.long(delay) {
			a := s.book.add(s.in.CaseID, alarmChannel(w.ID), due, s.seq)
			ow.alarmID, ow.alarmCh, ow.cancel = a.ID, workflow.NewSignalChannel[Signal](ctx, a.Channel), nil
			return
		}
		tctx, cancel := workflow.WithCancel(ctx)
		ow.cancel = cancel
		ow.timer = workflow.ScheduleTimer(tctx, delay, workflow.WithTimerName(w.ID))
	case machine.ChildWait:
		cctx, cancel := workflow.WithCancel(ctx)
		ow.cancel = cancel
		ow.child = workflow.CreateSubWorkflowInstance[CaseResult](cctx, workflow.SubWorkflowOptions{
			InstanceID:   s.in.CaseID + "/" + w.ID,
			RetryOptions: workflow.RetryOptions{MaxAttempts: 1},
		}, s.e.CaseWorkflow, CaseInput{
			CaseID:     s.in.CaseID + "/" + w.ID,
			Definition: w.Child.Process,
			Vars:       w.Child.Vars,
			Initiator:  s.in.Initiator,
			ParentCase: s.in.CaseID,
			Alarms:     s.in.Alarms,
			// A child arms its alarms as its parent does.
			AlarmsInApply: s.in.AlarmsInApply,
		})
	case machine.HandlerWait:
		hctx, cancel := workflow.WithCancel(ctx)
		ow.cancel = cancel
		ow.handler = workflow.ExecuteActivity[HandlerResult](hctx, s.e.handlerOptions, s.e.acts.RunHandler, HandlerCall{
			CaseID: s.in.CaseID, WaitID: w.ID, Element: w.Element, Handler: w.Handler.Handler, Vars: w.Handler.Vars,
		})
	}
}

// close disarms a wait: a timer is cancelled; a running handler or child
// is cancelled and its future kept, to be drained before the case ends.
func (s *shell) close(id string) {
	for i, ow := range s.waits {
		if ow.w.ID != id {
			continue
		}
		if ow.cancel != nil {
			ow.cancel()
		}
		if ow.alarmID != "" {
			s.book.drop(ow.alarmID)
		}
		if ow.child != nil {
			s.orphans = append(s.orphans, anyFuture(ow.child))
		}
		if ow.handler != nil {
			s.orphans = append(s.orphans, anyFuture(ow.handler))
		}
		s.waits = append(s.waits[:i:i], s.waits[i+1:]...)
		return
	}
}

func (s *shell) find(id string) *openWait {
	for _, ow := range s.waits {
		if ow.w.ID == id {
			return ow
		}
	}
	return nil
}

// guard runs a call into the machine. A panic there is a bug in onewindow,
// not in the case: instead of failing the workflow task over and over, it
// becomes an incident on this case (other cases are untouched) and the
// event is dropped.
func (s *shell) guard(ctx workflow.Context, call func() error, cmds *[]machine.Command) (err error) {
	defer func() {
		if p := recover(); p != nil {
			workflow.Logger(ctx).Error("token machine panicked", "case", s.in.CaseID, "panic", p)
			s.panics++
			*cmds = []machine.Command{{Kind: machine.RaiseIncident, Incident: &machine.Incident{
				ID: "panic" + strconv.Itoa(s.panics), Message: fmt.Sprintf("internal error in the engine: %v", p)}}}
			err = nil
		}
	}()
	return call()
}

// drain waits for cancelled handlers and children, and disarms every
// remaining wait, so that the workflow ends with no pending future.
func (s *shell) drain(ctx workflow.Context) {
	for _, al := range s.alarms.list {
		al.stop(&s.book)
	}
	s.alarms.list = nil
	for _, ow := range s.waits {
		if ow.cancel != nil {
			ow.cancel()
		}
		if ow.alarmID != "" {
			s.book.drop(ow.alarmID)
		}
		if ow.child != nil {
			s.orphans = append(s.orphans, anyFuture(ow.child))
		}
		if ow.handler != nil {
			s.orphans = append(s.orphans, anyFuture(ow.handler))
		}
	}
	s.waits = nil
	if s.alarmsDone {
		s.book.arm, s.book.disarm = nil, nil
	}
	if err := s.flushAlarms(ctx); err != nil {
		// What stays armed fires into a finished case later and is dropped.
		workflow.Logger(ctx).Warn("alarms of an ended case not disarmed", "case", s.in.CaseID, "error", err)
	}
	for _, f := range s.orphans {
		_, _ = f.Get(ctx)
	}
}

// anyFuture views a typed future as a Future[any] for draining.
func anyFuture[T any](f workflow.Future[T]) workflow.Future[any] {
	return futureAny[T]{f}
}

type futureAny[T any] struct{ f workflow.Future[T] }

func (a futureAny[T]) Get(ctx workflow.Context) (any, error) { return a.f.Get(ctx) }

// receiptOf is when the case's application was received.
func receiptOf(in CaseInput, started time.Time) time.Time {
	if !in.ReceivedAt.IsZero() {
		return in.ReceivedAt
	}
	return started
}
