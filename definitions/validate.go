package definitions

import (
	"fmt"
	"sort"
	"strings"

	"onewindow/definitions/expression"
)

// Validate checks that a model is well formed: ids are present and unique,
// every sequence flow connects two flow nodes of the same scope, default
// flows leave their node, boundary events sit on an activity. Every file of
// the MIWG reference suite passes. Parse runs Validate; call it yourself
// only on a model built or changed by hand. Problems come sorted.
func Validate(d *Definitions) []Problem {
	var ps problems
	checkDuplicateIDs(d, &ps)
	for _, p := range d.Processes {
		if p.nodeIndex == nil {
			p.Index()
		}
		for _, f := range p.Flows {
			src, tgt := p.Node(f.Source), p.Node(f.Target)
			switch {
			case f.Source == "":
				ps.errorf(CodeFlowSourceMissing, f.Position, f.ID, "sequence flow has no sourceRef")
			case src == nil:
				ps.errorf(CodeFlowSourceMissing, f.Position, f.ID, "sourceRef %q names no flow node of process %s", f.Source, p.ID)
			}
			switch {
			case f.Target == "":
				ps.errorf(CodeFlowTargetMissing, f.Position, f.ID, "sequence flow has no targetRef")
			case tgt == nil:
				ps.errorf(CodeFlowTargetMissing, f.Position, f.ID, "targetRef %q names no flow node of process %s", f.Target, p.ID)
			}
			if src != nil && tgt != nil && src.Parent != tgt.Parent {
				ps.errorf(CodeFlowCrossScope, f.Position, f.ID, "sequence flow connects %s (in %s) and %s (in %s); a sequence flow cannot cross a sub-process boundary",
					src.ID, scopeName(p, src.Parent), tgt.ID, scopeName(p, tgt.Parent))
			}
		}
		for _, n := range p.Nodes {
			if n.Default != "" {
				f := p.Flow(n.Default)
				switch {
				case f == nil:
					ps.errorf(CodeInvalidDefault, n.Position, n.ID, "default flow %q is not a sequence flow of process %s", n.Default, p.ID)
				case f.Source != n.ID:
					ps.errorf(CodeInvalidDefault, n.Position, n.ID, "default flow %s does not leave %s (it leaves %s)", f.ID, n.ID, f.Source)
				}
			}
			if n.Kind == BoundaryEvent {
				a := p.Node(n.AttachedTo)
				switch {
				case n.AttachedTo == "":
					ps.errorf(CodeInvalidAttachment, n.Position, n.ID, "boundary event has no attachedToRef")
				case a == nil:
					ps.errorf(CodeInvalidAttachment, n.Position, n.ID, "attachedToRef %q names no flow node of process %s", n.AttachedTo, p.ID)
				case !a.Kind.IsActivity():
					ps.errorf(CodeInvalidAttachment, n.Position, n.ID, "boundary event is attached to %s, a %s; it must be attached to an activity", a.ID, a.Kind)
				case a.Parent != n.Parent:
					ps.errorf(CodeInvalidAttachment, n.Position, n.ID, "boundary event is attached to %s, which is in another scope", a.ID)
				}
			}
		}
	}
	SortProblems(ps.list)
	return ps.list
}

func scopeName(p *Process, scope string) string {
	if scope == "" {
		return "process " + p.ID
	}
	return "sub-process " + scope
}

type idUse struct {
	what string
	pos  Position
}

func checkDuplicateIDs(d *Definitions, ps *problems) {
	seen := map[string]idUse{}
	use := func(id, what string, pos Position) {
		if id == "" {
			return
		}
		if first, dup := seen[id]; dup {
			where := ""
			if first.pos.Line > 0 {
				where = fmt.Sprintf(" at line %d", first.pos.Line)
			}
			ps.errorf(CodeDuplicateID, pos, id, "id %q of this %s is already used by a %s%s", id, what, first.what, where)
			return
		}
		seen[id] = idUse{what, pos}
	}
	for _, p := range d.Processes {
		use(p.ID, "process", p.Position)
		for _, n := range p.Nodes {
			use(n.ID, string(n.Kind), n.Position)
			for _, ev := range n.Events {
				use(ev.ID, string(ev.Kind)+" event definition", ev.Position)
			}
		}
		for _, f := range p.Flows {
			use(f.ID, "sequenceFlow", f.Position)
		}
		for _, l := range p.Lanes {
			use(l.ID, "lane", Position{})
		}
	}
	for _, m := range d.Messages {
		use(m.ID, "message", m.Position)
	}
	for _, s := range d.Signals {
		use(s.ID, "signal", s.Position)
	}
	for _, e := range d.Errors {
		use(e.ID, "error", e.Position)
	}
	for _, e := range d.Escalations {
		use(e.ID, "escalation", e.Position)
	}
}

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
	// compiled caches expression.Compile results: flowcharts repeat the
	// same conditions on many flows.
	compiled map[string]error
}

func (v *execValidator) compile(src string) error {
	if err, ok := v.compiled[src]; ok {
		return err
	}
	_, err := expression.Compile(src)
	if v.compiled == nil {
		v.compiled = map[string]error{}
	}
	v.compiled[src] = err
	return err
}

func (v *execValidator) run() {
	p := v.p
	unsupported := map[string]bool{}
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
		if f.Condition != "" {
			if err := v.compile(f.Condition); err != nil {
				v.errorf(CodeInvalidCondition, f.Position, f.ID, "condition does not compile: %v", err)
			}
		}
	}
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
	case ServiceTask, BusinessRuleTask:
		if n.Implementation == "" {
			v.warnf(CodeMissingImplementation, n.Position, n.ID, "%s %s names nothing to run (ow:handler, class, expression, delegateExpression, type or zeebe:taskDefinition)", n.Kind, n.ID)
		}
	case SendTask:
		if n.Implementation == "" && n.MessageRef == "" {
			v.warnf(CodeMissingImplementation, n.Position, n.ID, "send task %s names neither a message nor a handler", n.ID)
		}
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
			if l.LoopCardinality != "" {
				if err := v.compile(l.LoopCardinality); err != nil {
					v.errorf(CodeInvalidCardinality, n.Position, n.ID, "loopCardinality does not compile: %v", err)
				}
			}
			if l.CompletionCondition != "" {
				if err := v.compile(l.CompletionCondition); err != nil {
					v.errorf(CodeInvalidCompletion, n.Position, n.ID, "completionCondition does not compile: %v", err)
				}
			}
		} else if l.LoopCondition != "" {
			if err := v.compile(l.LoopCondition); err != nil {
				v.errorf(CodeInvalidCondition, n.Position, n.ID, "loopCondition does not compile: %v", err)
			}
		}
	}
	for _, ev := range n.Events {
		v.event(n, ev)
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
	case ConditionalEvent:
		if ev.Condition != "" {
			if err := v.compile(ev.Condition); err != nil {
				v.errorf(CodeInvalidCondition, pos, n.ID, "condition does not compile: %v", err)
			}
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
			if err := v.compile(s); err != nil {
				v.errorf(CodeInvalidTimer, pos, n.ID, "%s does not compile: %v", what, err)
			}
			return
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

// LinkTarget returns the link catch event that link throw event n jumps
// to: the intermediate catch event of the same scope whose link event
// definition has the same name. It returns nil when n is not a link throw
// event or no catch event matches.
func (p *Process) LinkTarget(n *Node) *Node {
	if n.Kind != IntermediateThrowEvent || n.EventKind() != LinkEvent {
		return nil
	}
	name := n.Event().LinkName
	for _, c := range p.Nodes {
		if c.Kind == IntermediateCatchEvent && c.Parent == n.Parent && c.EventKind() == LinkEvent && c.Event().LinkName == name {
			return c
		}
	}
	return nil
}

func (v *execValidator) links() {
	p := v.p
	catchByName := map[string]*Node{}
	for _, n := range p.Nodes {
		if n.Kind != IntermediateCatchEvent || n.EventKind() != LinkEvent {
			continue
		}
		key := n.Parent + "\x00" + n.Event().LinkName
		if first, dup := catchByName[key]; dup {
			v.errorf(CodeUnmatchedLink, n.Position, n.ID, "link catch events %s and %s share the name %q in the same scope", first.ID, n.ID, n.Event().LinkName)
			continue
		}
		catchByName[key] = n
	}
	for _, n := range p.Nodes {
		if n.Kind == IntermediateThrowEvent && n.EventKind() == LinkEvent && p.LinkTarget(n) == nil {
			v.errorf(CodeUnmatchedLink, n.Position, n.ID, "link throw event %s has no link catch event named %q in the same scope", n.ID, n.Event().LinkName)
		}
	}
}

// successors returns the nodes a token or trigger can move to from n
// within its scope: sequence-flow targets, attached boundary events and a
// link throw's catch event.
func (p *Process) successors(n *Node, boundaries map[string][]*Node) []*Node {
	var out []*Node
	for _, id := range n.Outgoing {
		if f := p.Flow(id); f != nil {
			if t := p.Node(f.Target); t != nil && t.Parent == n.Parent {
				out = append(out, t)
			}
		}
	}
	out = append(out, boundaries[n.ID]...)
	if t := p.LinkTarget(n); t != nil {
		out = append(out, t)
	}
	return out
}

func (p *Process) boundaryMap() map[string][]*Node {
	m := map[string][]*Node{}
	for _, n := range p.Nodes {
		if n.Kind == BoundaryEvent && n.AttachedTo != "" {
			m[n.AttachedTo] = append(m[n.AttachedTo], n)
		}
	}
	return m
}

// reachability reports flow nodes no start event leads to. Event
// sub-processes start their own paths; boundary events are reached with
// their activity; the content of a sub-process is reached from its start.
func (v *execValidator) reachability(unsupported map[string]bool) {
	p := v.p
	boundaries := p.boundaryMap()
	children := map[string][]*Node{}
	for _, n := range p.Nodes {
		children[n.Parent] = append(children[n.Parent], n)
	}
	seen := map[string]bool{}
	var queue []*Node
	visit := func(n *Node) {
		if !seen[n.ID] {
			seen[n.ID] = true
			queue = append(queue, n)
		}
	}
	enter := func(scope string) {
		hasStart := false
		for _, c := range children[scope] {
			if c.Kind == StartEvent {
				hasStart = true
				visit(c)
			}
			if c.TriggeredByEvent {
				visit(c)
			}
		}
		if !hasStart && scope != "" {
			// No start event (reported elsewhere): BPMN starts every node
			// without incoming flow.
			for _, c := range children[scope] {
				if len(c.Incoming) == 0 && c.Kind != BoundaryEvent {
					visit(c)
				}
			}
		}
	}
	enter("")
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, s := range p.successors(n, boundaries) {
			visit(s)
		}
		if n.Kind.IsSubProcess() {
			enter(n.ID)
		}
	}
	for _, n := range p.Nodes {
		if seen[n.ID] || unsupported[n.ID] || p.Node(n.ID) != n {
			continue
		}
		if n.Parent != "" && !seen[n.Parent] {
			continue // its sub-process is reported instead
		}
		v.errorf(CodeUnreachable, n.Position, n.ID, "%s %s cannot be reached from a start event", n.Kind, n.ID)
	}
}

// cycles reports strongly connected sets of nodes a token can enter but
// never leave: no flow leaves the set, no boundary event escapes it, no
// interrupting event sub-process or boundary event of the enclosing
// sub-process can end it.
func (v *execValidator) cycles() {
	p := v.p
	boundaries := p.boundaryMap()
	byScope := map[string][]*Node{}
	for _, n := range p.Nodes {
		byScope[n.Parent] = append(byScope[n.Parent], n)
	}
	scopes := make([]string, 0, len(byScope))
	for s := range byScope {
		scopes = append(scopes, s)
	}
	sort.Strings(scopes)
	for _, scope := range scopes {
		if v.scopeEscapable(scope, boundaries) {
			continue
		}
		nodes := byScope[scope]
		for _, comp := range p.sccs(nodes, boundaries) {
			member := map[string]bool{}
			for _, n := range comp {
				member[n.ID] = true
			}
			cyclic := len(comp) > 1
			exit := false
			for _, n := range comp {
				if n.Kind == EndEvent {
					exit = true // reported as end-event-outgoing
				}
				for _, s := range p.successors(n, boundaries) {
					if !member[s.ID] {
						exit = true
					} else if s == n {
						cyclic = true
					}
				}
			}
			if !cyclic || exit {
				continue
			}
			sort.Slice(comp, func(i, j int) bool { return nodeBefore(comp[i], comp[j]) })
			ids := make([]string, len(comp))
			for i, n := range comp {
				ids[i] = n.ID
			}
			v.errorf(CodeNoWayOut, comp[0].Position, comp[0].ID, "a token entering the cycle %s can never leave it: no flow, end event or boundary event leads out", strings.Join(ids, " → "))
		}
	}
}

func nodeBefore(a, b *Node) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

// scopeEscapable reports whether something other than the scope's own
// flows can end it: an interrupting event sub-process inside it or an
// interrupting boundary event on it.
func (v *execValidator) scopeEscapable(scope string, boundaries map[string][]*Node) bool {
	p := v.p
	for _, n := range p.Nodes {
		if n.Parent == scope && n.TriggeredByEvent {
			for _, s := range p.Children(n.ID) {
				if s.Kind == StartEvent && s.Interrupting {
					return true
				}
			}
		}
	}
	if scope == "" {
		return false
	}
	for _, b := range boundaries[scope] {
		if b.CancelActivity {
			return true
		}
	}
	return false
}

// sccs returns the strongly connected components of nodes (Tarjan's
// algorithm, iterative so deep graphs cannot overflow the stack).
func (p *Process) sccs(nodes []*Node, boundaries map[string][]*Node) [][]*Node {
	index := map[*Node]int{}
	low := map[*Node]int{}
	onStack := map[*Node]bool{}
	var stack []*Node
	var out [][]*Node
	next := 0
	type item struct {
		n    *Node
		succ []*Node
		i    int
	}
	for _, root := range nodes {
		if _, done := index[root]; done {
			continue
		}
		work := []*item{{n: root, succ: p.successors(root, boundaries)}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			top := work[len(work)-1]
			if top.i < len(top.succ) {
				s := top.succ[top.i]
				top.i++
				if _, seen := index[s]; !seen {
					index[s], low[s] = next, next
					next++
					stack = append(stack, s)
					onStack[s] = true
					work = append(work, &item{n: s, succ: p.successors(s, boundaries)})
				} else if onStack[s] && index[s] < low[top.n] {
					low[top.n] = index[s]
				}
				continue
			}
			work = work[:len(work)-1]
			if len(work) > 0 {
				parent := work[len(work)-1].n
				if low[top.n] < low[parent] {
					low[parent] = low[top.n]
				}
			}
			if low[top.n] == index[top.n] {
				var comp []*Node
				for {
					m := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[m] = false
					comp = append(comp, m)
					if m == top.n {
						break
					}
				}
				out = append(out, comp)
			}
		}
	}
	return out
}
