package definitions

// The executable level of validation: what the engine runs, and whether one process of a
// file can run as it is written.

import (
	"fmt"
	"strings"

	"onewindow/definitions/expression"
)

// supportedEvents lists, per event kind of node, the event definitions the
// engine runs. NoneEvent stands for an event without definition.
var supportedEvents = map[Kind][]EventKind{
	StartEvent:             {NoneEvent, TimerEvent, MessageEvent, ErrorEvent, EscalationEvent},
	EndEvent:               {NoneEvent, TerminateEvent, ErrorEvent, MessageEvent, SignalEvent, EscalationEvent},
	IntermediateCatchEvent: {TimerEvent, MessageEvent, SignalEvent, LinkEvent},
	IntermediateThrowEvent: {NoneEvent, SignalEvent, MessageEvent, EscalationEvent, LinkEvent},
	BoundaryEvent:          {TimerEvent, MessageEvent, SignalEvent, ErrorEvent, EscalationEvent},
}

// SupportedEvents returns the event definitions the engine runs on an event
// of kind k (NoneEvent for an event without definition); nil if k is not an
// event. Error and escalation start events are valid only in event
// sub-processes, which the executable validator checks.
func SupportedEvents(k Kind) []EventKind {
	return append([]EventKind(nil), supportedEvents[k]...)
}

// Unsupported returns why the engine cannot run n, or "" when it can. The
// engine and the validator both call it, so they agree on what runs: every
// event, task and gateway kind with the event definitions of
// SupportedEvents, embedded and event sub-processes, call activities,
// multi-instance and standard loops. Not supported: transactions, ad-hoc
// sub-processes, complex gateways, compensation, conditional events,
// signal start events, events with several definitions, choreographies.
func Unsupported(n *Node) string {
	switch n.Kind {
	case Task, UserTask, ServiceTask, ScriptTask, BusinessRuleTask, SendTask, ReceiveTask, ManualTask,
		SubProcess, CallActivity, ExclusiveGateway, ParallelGateway, InclusiveGateway, EventBasedGateway:
		if n.ForCompensation {
			return "compensation handlers (isForCompensation) are not supported"
		}
		return ""
	case AdHocSubProcess:
		return "ad-hoc sub-processes are not supported"
	case Transaction:
		return "transactions are not supported"
	case ComplexGateway:
		return "complex gateways are not supported"
	case StartEvent, EndEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent:
		if len(n.Events) > 1 {
			return "events with several event definitions (multiple or parallel events) are not supported"
		}
		ek := n.EventKind()
		for _, ok := range supportedEvents[n.Kind] {
			if ek == ok {
				return ""
			}
		}
		switch ek {
		case NoneEvent:
			noun := eventNoun(n.Kind)
			article := "a"
			if strings.ContainsRune("aeiou", rune(noun[0])) {
				article = "an"
			}
			return fmt.Sprintf("%s %s needs an event definition", article, noun)
		case CompensateEvent:
			return "compensation is not supported"
		}
		return fmt.Sprintf("%s %ss are not supported", ek, eventNoun(n.Kind))
	}
	return fmt.Sprintf("%s elements are not supported", n.Kind)
}

func eventNoun(k Kind) string {
	switch k {
	case StartEvent:
		return "start event"
	case EndEvent:
		return "end event"
	case IntermediateCatchEvent:
		return "intermediate catch event"
	case IntermediateThrowEvent:
		return "intermediate throw event"
	case BoundaryEvent:
		return "boundary event"
	}
	return string(k)
}

// ExecutableProcess picks the process to run: the one named processID, or
// when processID is "" the only process marked isExecutable="true", or the
// only process when it does not say isExecutable="false".
func ExecutableProcess(d *Definitions, processID string) (*Process, []Problem) {
	var ps problems
	if processID != "" {
		p := d.Process(processID)
		if p == nil {
			ids := make([]string, 0, len(d.Processes))
			for _, q := range d.Processes {
				ids = append(ids, q.ID)
			}
			ps.errorf(CodeProcessNotFound, Position{}, processID, "the file has no process %q (it has: %s)", processID, strings.Join(ids, ", "))
			return nil, ps.list
		}
		if p.ExecutableSet && !p.Executable {
			ps.warnf(CodeNotExecutable, p.Position, p.ID, "process %s says isExecutable=\"false\"; it is run because it was chosen by id", p.ID)
		}
		return p, ps.list
	}
	var marked []*Process
	for _, p := range d.Processes {
		if p.ExecutableSet && p.Executable {
			marked = append(marked, p)
		}
	}
	switch {
	case len(marked) == 1:
		return marked[0], nil
	case len(marked) > 1:
		ids := make([]string, len(marked))
		for i, p := range marked {
			ids[i] = p.ID
		}
		ps.errorf(CodeAmbiguousProcess, marked[1].Position, "", "several processes are marked executable (%s); choose one by id", strings.Join(ids, ", "))
		return nil, ps.list
	case len(d.Processes) == 1 && !d.Processes[0].ExecutableSet:
		return d.Processes[0], nil
	case len(d.Processes) == 0:
		ps.errorf(CodeNoExecutableProcess, Position{}, "", "the file has no process")
	default:
		ps.errorf(CodeNoExecutableProcess, Position{}, "", "no process is marked isExecutable=\"true\"; mark the one to run or choose it by id")
	}
	return nil, ps.list
}

// ValidateExecutable checks that the engine can run one process of d,
// chosen as ExecutableProcess does. It returns the process (nil when none
// could be chosen) and the executable-level problems, sorted; it does not
// repeat the well-formedness problems Parse already reported. Use Check to
// get both.
func ValidateExecutable(d *Definitions, processID string) (*Process, []Problem) {
	p, list := ExecutableProcess(d, processID)
	if p == nil {
		return nil, list
	}
	v := &execValidator{d: d, p: p}
	v.list = list
	if p.nodeIndex == nil {
		p.Index()
	}
	v.run()
	SortProblems(v.list)
	return p, v.list
}

// Check parses data and validates the chosen process as executable. It
// returns the model (nil when the input is unreadable), the chosen process
// (nil when none could be chosen) and every problem, sorted.
func Check(data []byte, processID string) (*Definitions, *Process, []Problem) {
	d, list, err := Parse(data)
	if err != nil {
		return nil, nil, list
	}
	p, more := ValidateExecutable(d, processID)
	list = append(list, more...)
	SortProblems(list)
	return d, p, list
}

type execValidator struct {
	problems
	d *Definitions
	p *Process
	// unsupported holds the nodes reported as unsupported: checking them further only adds
	// noise.
	unsupported map[string]bool
}

// expressions compiles every expression the engine evaluates, with the engine's code
// (ExprUse.Compile). A template the engine cannot interpolate is shown as written, so it is a
// warning; anything else that does not compile would stop the case in an incident.
func (v *execValidator) expressions() {
	type key struct {
		src, lang string
		kind      ExprKind
	}
	compiled := map[key]error{} // flowcharts repeat the same conditions on many flows
	for _, u := range v.d.Expressions(v.p) {
		if v.unsupported[u.Element] {
			continue
		}
		k := key{u.Source, u.Language, u.Kind}
		err, seen := compiled[k]
		if !seen {
			_, err = u.Compile()
			compiled[k] = err
		}
		switch {
		case err == nil:
		case u.Kind == ExprTemplate:
			v.warnf(u.Code, u.Position, u.Element, "the %s of %s does not compile and is shown as written: %v", u.What, u.Element, err)
		default:
			v.errorf(u.Code, u.Position, u.Element, "%s does not compile: %v", u.What, err)
		}
	}
}

func (v *execValidator) run() {
	p := v.p
	unsupported := map[string]bool{}
	v.unsupported = unsupported
	for _, n := range p.Nodes {
		if why := Unsupported(n); why != "" {
			unsupported[n.ID] = true
			v.errorf(CodeUnsupportedElement, n.Position, n.ID, "%s %s: %s", n.Kind, n.ID, why)
		}
	}
	v.scopes()
	for _, n := range p.Nodes {
		// Unsupported nodes and second holders of an id are reported
		// already; checking them further only adds noise.
		if !unsupported[n.ID] && p.Node(n.ID) == n {
			v.node(n)
		}
	}
	for _, f := range p.Flows {
		if f.ConditionSet && f.Condition == "" {
			v.errorf(CodeInvalidCondition, f.Position, f.ID, "the conditionExpression of %s is empty; write the condition or remove it", f.ID)
		}
	}
	v.expressions()
	v.links()
	v.reachability(unsupported)
	v.cycles()
}

// scopes checks the start events of the process and of each sub-process.
func (v *execValidator) scopes() {
	p := v.p
	v.scope("", nil)
	for _, n := range p.Nodes {
		if n.Kind == SubProcess || n.Kind == Transaction || n.Kind == AdHocSubProcess {
			v.scope(n.ID, n)
		}
	}
}

func (v *execValidator) scope(id string, sub *Node) {
	var starts, none []*Node
	for _, c := range v.p.Children(id) {
		if c.Kind == StartEvent {
			starts = append(starts, c)
			if c.EventKind() == NoneEvent && len(c.Events) == 0 {
				none = append(none, c)
			}
		}
	}
	switch {
	case sub == nil: // process level
		if len(starts) == 0 {
			v.errorf(CodeNoStartEvent, v.p.Position, v.p.ID, "process %s has no start event", v.p.ID)
		}
		if len(none) > 1 {
			v.errorf(CodeMultipleStartEvents, none[1].Position, none[1].ID, "process %s has %d none start events (%s and %s); a case must start in one place", v.p.ID, len(none), none[0].ID, none[1].ID)
		}
		for _, s := range starts {
			if k := s.EventKind(); k == ErrorEvent || k == EscalationEvent {
				v.errorf(CodeInvalidStartEvent, s.Position, s.ID, "%s start events are only allowed in event sub-processes", k)
			}
		}
	case sub.Kind == SubProcess && sub.TriggeredByEvent:
		if len(starts) == 0 {
			v.errorf(CodeNoStartEvent, sub.Position, sub.ID, "event sub-process %s has no start event", sub.ID)
		}
		if len(starts) > 1 {
			v.errorf(CodeMultipleStartEvents, starts[1].Position, starts[1].ID, "event sub-process %s has %d start events; it must have exactly one", sub.ID, len(starts))
		}
		for _, s := range starts {
			if s.EventKind() == NoneEvent {
				v.errorf(CodeInvalidStartEvent, s.Position, s.ID, "the start event of event sub-process %s needs a trigger (error, message, timer or escalation)", sub.ID)
			}
		}
		if len(sub.Incoming) > 0 || len(sub.Outgoing) > 0 {
			v.errorf(CodeEventSubProcessFlow, sub.Position, sub.ID, "event sub-process %s must not have incoming or outgoing sequence flows", sub.ID)
		}
	case sub.Kind == SubProcess:
		if len(starts) == 0 {
			v.errorf(CodeNoStartEvent, sub.Position, sub.ID, "sub-process %s has no start event", sub.ID)
		}
		if len(starts) > 1 {
			v.errorf(CodeMultipleStartEvents, starts[1].Position, starts[1].ID, "sub-process %s has %d start events; it must have exactly one", sub.ID, len(starts))
		}
		for _, s := range starts {
			if s.EventKind() != NoneEvent {
				v.errorf(CodeInvalidStartEvent, s.Position, s.ID, "the start event of embedded sub-process %s must be a none start event, not %s", sub.ID, s.EventKind())
			}
		}
	}
}

// node checks the rules of one flow node.
func (v *execValidator) node(n *Node) {
	switch n.Kind {
	case StartEvent:
		if len(n.Incoming) > 0 {
			v.errorf(CodeStartEventIncoming, n.Position, n.ID, "start event %s has an incoming sequence flow (%s)", n.ID, n.Incoming[0])
		}
	case EndEvent:
		if len(n.Outgoing) > 0 {
			v.errorf(CodeEndEventOutgoing, n.Position, n.ID, "end event %s has an outgoing sequence flow (%s)", n.ID, n.Outgoing[0])
		}
	case BoundaryEvent:
		if len(n.Incoming) > 0 {
			v.errorf(CodeBoundaryEventIncoming, n.Position, n.ID, "boundary event %s has an incoming sequence flow (%s)", n.ID, n.Incoming[0])
		}
	case UserTask:
		if n.Assignment.Empty() {
			v.warnf(CodeUnassignedUserTask, n.Position, n.ID, "user task %s names no assignee or candidates; its tasks land in the unassigned pool that administrators see", n.ID)
		}
		if n.Step != nil && n.Step.Countersign != "" && (n.Loop == nil || !n.Loop.MultiInstance) {
			v.warnf(CodeCountersignNoLoop, n.Position, n.ID, "ow:countersign=%q on %s has no effect without multi-instance loop characteristics", n.Step.Countersign, n.ID)
		}
	case CallActivity:
		if strings.TrimSpace(n.CalledElement) == "" {
			v.errorf(CodeMissingCalledElement, n.Position, n.ID, "call activity %s names no process to call (calledElement)", n.ID)
		}
	case ScriptTask:
		if strings.TrimSpace(n.Script) == "" && n.Implementation == "" {
			v.errorf(CodeMissingScript, n.Position, n.ID, "script task %s has no script", n.ID)
		}
	case BusinessRuleTask:
		if n.Decision != nil {
			v.decision(n)
		} else if n.Implementation == "" {
			v.warnf(CodeMissingImplementation, n.Position, n.ID, "%s %s names nothing to run (camunda:decisionRef, zeebe:calledDecision, ow:handler, class, expression, delegateExpression, type or zeebe:taskDefinition)", n.Kind, n.ID)
		}
	case ServiceTask:
		if n.Implementation == "" {
			v.warnf(CodeMissingImplementation, n.Position, n.ID, "%s %s names nothing to run (ow:handler, class, expression, delegateExpression, type or zeebe:taskDefinition)", n.Kind, n.ID)
		}
	case SendTask:
		if n.Implementation == "" && n.MessageRef == "" {
			v.warnf(CodeMissingImplementation, n.Position, n.ID, "send task %s names neither a message nor a handler", n.ID)
		}
	}
	for _, name := range n.Ignored {
		what := "its mappings are not applied: no local variable is set on entry and nothing is mapped back, so an expression that reads them fails"
		if strings.HasSuffix(name, "istener") || strings.HasSuffix(name, "isteners") {
			what = "its listeners do not run (they are code of the other engine); use a service task with ow:handler"
		}
		v.warnf(CodeIgnoredExtension, n.Position, n.ID, "%s on %s: %s", name, n.ID, what)
	}
	if n.Kind == SendTask || n.Kind == ReceiveTask {
		if n.MessageRef != "" && n.MessageName == "" {
			v.errorf(CodeUnresolvedMessage, n.Position, n.ID, "messageRef %q names no declared <message> (by id or name)", n.MessageRef)
		}
	}
	if n.Kind.IsGateway() {
		v.gateway(n)
	} else if n.Default != "" && !n.Kind.IsActivity() {
		v.errorf(CodeInvalidDefault, n.Position, n.ID, "a %s cannot have a default flow", n.Kind)
	} else if n.Default != "" {
		v.defaultFlow(n)
	}
	if l := n.Loop; l != nil {
		if l.MultiInstance {
			if l.LoopCardinality == "" && l.Collection == "" {
				v.errorf(CodeMultiInstanceNoInput, n.Position, n.ID, "multi-instance %s needs a loopCardinality or a collection to iterate", n.ID)
			}
		}
	}
	for _, ev := range n.Events {
		v.event(n, ev)
	}
}

// decision checks the decision reference of a business rule task.
func (v *execValidator) decision(n *Node) {
	d := n.Decision
	switch {
	case strings.TrimSpace(d.ID) == "":
		v.errorf(CodeInvalidDecision, n.Position, n.ID, "business rule task %s names no decision (camunda:decisionRef or zeebe:calledDecision decisionId)", n.ID)
	case expression.IsExpression(d.ID):
		v.errorf(CodeInvalidDecision, n.Position, n.ID, "the decision of %s is an expression (%s); name the decision's id: a case loads its decisions when it starts", n.ID, d.ID)
	}
	switch d.Binding {
	case "", "latest":
	case "version":
		if d.Version == 0 {
			v.errorf(CodeInvalidDecision, n.Position, n.ID, "decisionRefBinding=\"version\" on %s needs camunda:decisionRefVersion", n.ID)
		}
	case "deployment", "versionTag":
		v.warnf(CodeInvalidDecision, n.Position, n.ID, "decisionRefBinding=%q on %s is not supported: the latest published version of %s is evaluated", d.Binding, n.ID, d.ID)
	default:
		v.errorf(CodeInvalidDecision, n.Position, n.ID, "decisionRefBinding=%q on %s is not one of latest, version", d.Binding, n.ID)
	}
	if n.ResultVariable == "" && d.MapResult != "" && d.MapResult != MapDecisionValue {
		v.warnf(CodeInvalidDecision, n.Position, n.ID, "mapDecisionResult on %s has no effect without camunda:resultVariable", n.ID)
	}
}

// catches reports whether an event of kind k waits for its trigger.
func catches(k Kind) bool {
	return k == StartEvent || k == IntermediateCatchEvent || k == BoundaryEvent
}

func (v *execValidator) event(n *Node, ev *EventDefinition) {
	pos := ev.Position
	switch ev.Kind {
	case TimerEvent:
		v.timer(n, ev)
	case MessageEvent:
		switch {
		case ev.Ref == "" && (n.Kind == EndEvent || n.Kind == IntermediateThrowEvent):
			// Camunda runs a message throw event without a message as a none event.
			v.warnf(CodeMessageWithoutRef, pos, n.ID, "message %s %s names no message (messageRef); it sends nothing and runs as a none event", eventNoun(n.Kind), n.ID)
		case ev.Ref == "":
			v.errorf(CodeMissingMessageRef, pos, n.ID, "message event %s names no message (messageRef)", n.ID)
		case ev.Name == "":
			v.errorf(CodeUnresolvedMessage, pos, n.ID, "messageRef %q names no declared <message> (by id or name)", ev.Ref)
		}
	case SignalEvent:
		switch {
		case ev.Ref == "":
			v.errorf(CodeMissingSignalRef, pos, n.ID, "signal event %s names no signal (signalRef)", n.ID)
		case ev.Name == "":
			v.errorf(CodeUnresolvedSignal, pos, n.ID, "signalRef %q names no declared <signal> (by id or name)", ev.Ref)
		}
	}
}

func (v *execValidator) timer(n *Node, ev *EventDefinition) {
	set := 0
	for _, s := range []string{ev.TimeDate, ev.TimeDuration, ev.TimeCycle} {
		if s != "" {
			set++
		}
	}
	pos := ev.Position
	switch {
	case set == 0 && ev.WorkingDays == 0:
		v.errorf(CodeInvalidTimer, pos, n.ID, "timer %s has no timeDate, timeDuration, timeCycle or ow:workingDays", n.ID)
		return
	case set > 1:
		v.errorf(CodeInvalidTimer, pos, n.ID, "timer %s sets more than one of timeDate, timeDuration and timeCycle", n.ID)
		return
	case ev.WorkingDays > 0 && (ev.TimeDate != "" || ev.TimeCycle != ""):
		v.errorf(CodeInvalidTimer, pos, n.ID, "ow:workingDays on %s replaces a timeDuration; it cannot be combined with timeDate or timeCycle", n.ID)
		return
	}
	check := func(what, s string, parse func(string) error) {
		if s == "" {
			return
		}
		if expression.IsExpression(s) {
			return // compiled with the other expressions
		}
		if err := parse(s); err != nil {
			v.errorf(CodeInvalidTimer, pos, n.ID, "%s: %v", what, err)
		}
	}
	check("timeDate", ev.TimeDate, func(s string) error { _, err := ParseTimeDate(s); return err })
	check("timeDuration", ev.TimeDuration, func(s string) error { _, err := ParseDuration(s); return err })
	check("timeCycle", ev.TimeCycle, func(s string) error { _, err := ParseCycle(s); return err })
}

func (v *execValidator) defaultFlow(n *Node) {
	if f := v.p.Flow(n.Default); f != nil && f.Source == n.ID && f.Condition != "" {
		v.errorf(CodeDefaultFlowCondition, f.Position, f.ID, "default flow %s of %s must not have a condition", f.ID, n.ID)
	}
}

func (v *execValidator) gateway(n *Node) {
	p := v.p
	if len(n.Outgoing) == 0 {
		v.errorf(CodeGatewayNoOutgoing, n.Position, n.ID, "%s %s has no outgoing sequence flow", n.Kind, n.ID)
		return
	}
	switch n.Kind {
	case ExclusiveGateway, InclusiveGateway:
		v.defaultFlow(n)
		if len(n.Outgoing) > 1 {
			var bare []string
			for _, id := range n.Outgoing {
				if f := p.Flow(id); f != nil && f.Condition == "" && id != n.Default {
					bare = append(bare, id)
				}
			}
			if len(bare) > 0 {
				v.warnf(CodeMissingCondition, n.Position, n.ID, "%s %s has %d outgoing flows; %s %s no condition and %s not the default flow",
					n.Kind, n.ID, len(n.Outgoing), strings.Join(bare, ", "), plural(len(bare), "has", "have"), plural(len(bare), "is", "are"))
			}
		}
	case ParallelGateway, EventBasedGateway:
		if n.Default != "" {
			v.errorf(CodeInvalidDefault, n.Position, n.ID, "a %s cannot have a default flow", n.Kind)
		}
		for _, id := range n.Outgoing {
			if f := p.Flow(id); f != nil && f.Condition != "" {
				v.warnf(CodeConditionIgnored, f.Position, f.ID, "the condition of %s is ignored: flows leaving a %s are not conditional", f.ID, n.Kind)
			}
		}
		if n.Kind == EventBasedGateway {
			for _, id := range n.Outgoing {
				f := p.Flow(id)
				if f == nil {
					continue
				}
				t := p.Node(f.Target)
				if t == nil {
					continue
				}
				ok := t.Kind == ReceiveTask
				if t.Kind == IntermediateCatchEvent {
					switch t.EventKind() {
					case TimerEvent, MessageEvent, SignalEvent:
						ok = true
					}
				}
				if !ok {
					v.errorf(CodeEventGatewayTarget, f.Position, f.ID, "event-based gateway %s leads to %s, a %s; it must lead to timer, message or signal catch events or receive tasks", n.ID, t.ID, t.Kind)
				}
			}
		}
	case ComplexGateway:
		v.defaultFlow(n)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
