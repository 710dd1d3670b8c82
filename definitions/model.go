// Package definitions reads, validates and models BPMN 2.0 definitions: the
// flowcharts (权力运行流程图) that process designers draw in bpmn-js, Camunda
// Modeler or Flowable and that the engine executes.
//
// The model keeps BPMN's semantics, not its XML shape: every flow node of a
// process, nested ones included, sits in one slice in document order with the
// id of its containing sub-process, so the engine can walk it deterministically
// without ranging over maps.
package definitions

// Kind is the BPMN element name of a flow node, e.g. "userTask".
type Kind string

// Flow node kinds.
const (
	StartEvent             Kind = "startEvent"
	EndEvent               Kind = "endEvent"
	IntermediateCatchEvent Kind = "intermediateCatchEvent"
	IntermediateThrowEvent Kind = "intermediateThrowEvent"
	BoundaryEvent          Kind = "boundaryEvent"

	Task             Kind = "task"
	UserTask         Kind = "userTask"
	ServiceTask      Kind = "serviceTask"
	ScriptTask       Kind = "scriptTask"
	BusinessRuleTask Kind = "businessRuleTask"
	SendTask         Kind = "sendTask"
	ReceiveTask      Kind = "receiveTask"
	ManualTask       Kind = "manualTask"

	SubProcess      Kind = "subProcess"
	AdHocSubProcess Kind = "adHocSubProcess"
	Transaction     Kind = "transaction"
	CallActivity    Kind = "callActivity"

	ExclusiveGateway  Kind = "exclusiveGateway"
	ParallelGateway   Kind = "parallelGateway"
	InclusiveGateway  Kind = "inclusiveGateway"
	EventBasedGateway Kind = "eventBasedGateway"
	ComplexGateway    Kind = "complexGateway"
)

// IsActivity reports whether k is a task, sub-process or call activity.
func (k Kind) IsActivity() bool {
	switch k {
	case Task, UserTask, ServiceTask, ScriptTask, BusinessRuleTask, SendTask, ReceiveTask, ManualTask,
		SubProcess, AdHocSubProcess, Transaction, CallActivity:
		return true
	}
	return false
}

// IsGateway reports whether k is a gateway.
func (k Kind) IsGateway() bool {
	switch k {
	case ExclusiveGateway, ParallelGateway, InclusiveGateway, EventBasedGateway, ComplexGateway:
		return true
	}
	return false
}

// IsEvent reports whether k is an event.
func (k Kind) IsEvent() bool {
	switch k {
	case StartEvent, EndEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent:
		return true
	}
	return false
}

// IsSubProcess reports whether k contains flow nodes of its own.
func (k Kind) IsSubProcess() bool {
	return k == SubProcess || k == AdHocSubProcess || k == Transaction
}

// EventKind names an event definition; the zero value is a none event.
type EventKind string

// Event definition kinds.
const (
	NoneEvent        EventKind = ""
	TimerEvent       EventKind = "timer"
	MessageEvent     EventKind = "message"
	SignalEvent      EventKind = "signal"
	ErrorEvent       EventKind = "error"
	EscalationEvent  EventKind = "escalation"
	TerminateEvent   EventKind = "terminate"
	ConditionalEvent EventKind = "conditional"
	LinkEvent        EventKind = "link"
	CompensateEvent  EventKind = "compensate"
	CancelEvent      EventKind = "cancel"
)

// Position is a place in the source XML: 1-based line and column.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Definitions is one parsed BPMN file (<definitions>).
type Definitions struct {
	ID              string `json:"id,omitempty"`
	Name            string `json:"name,omitempty"`
	TargetNamespace string `json:"targetNamespace,omitempty"`
	Exporter        string `json:"exporter,omitempty"`
	ExporterVersion string `json:"exporterVersion,omitempty"`
	// ExpressionLanguage is the definitions' expressionLanguage: the language of the
	// expressions that do not name their own (FEEL when it names FEEL).
	ExpressionLanguage string `json:"expressionLanguage,omitempty"`

	Processes      []*Process       `json:"processes"`
	Messages       []*Message       `json:"messages,omitempty"`
	Signals        []*Signal        `json:"signals,omitempty"`
	Errors         []*Error         `json:"errors,omitempty"`
	Escalations    []*Escalation    `json:"escalations,omitempty"`
	Collaborations []*Collaboration `json:"collaborations,omitempty"`

	// Diagrams holds each bpmndi:BPMNDiagram verbatim: kept, not interpreted.
	Diagrams []Diagram `json:"-"`
}

// Diagram is a diagram-interchange element kept as raw XML.
type Diagram struct {
	ID  string
	XML string
}

// Message is a <message>; correlation uses its Name (or ID when unnamed).
type Message struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Position
}

// Signal is a <signal>; a throw reaches every waiter on the same Name.
type Signal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Position
}

// Error is an <error>; catches match on Code.
type Error struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Code string `json:"errorCode,omitempty"`
	Position
}

// Escalation is an <escalation>; catches match on Code.
type Escalation struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Code string `json:"escalationCode,omitempty"`
	Position
}

// Collaboration is a <collaboration>: pools and the message flows between them.
type Collaboration struct {
	ID           string         `json:"id"`
	Participants []*Participant `json:"participants,omitempty"`
	MessageFlows []*MessageFlow `json:"messageFlows,omitempty"`
}

// Participant is a pool; ProcessRef names the process it shows.
type Participant struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	ProcessRef string `json:"processRef,omitempty"`
}

// MessageFlow connects two pools or their nodes.
type MessageFlow struct {
	ID         string `json:"id"`
	SourceRef  string `json:"sourceRef"`
	TargetRef  string `json:"targetRef"`
	MessageRef string `json:"messageRef,omitempty"`
}

// Process is a <process>.
type Process struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Executable is the isExecutable attribute; ExecutableSet says whether
	// the file gave it at all (Flowable treats an absent one as true).
	Executable    bool `json:"isExecutable"`
	ExecutableSet bool `json:"-"`
	Position

	// Nodes holds every flow node of the process, nested ones included, in
	// document order.
	Nodes []*Node `json:"nodes"`
	// Flows holds every sequence flow, nested ones included, in document order.
	Flows       []*SequenceFlow `json:"flows"`
	Lanes       []*Lane         `json:"lanes,omitempty"`
	DataObjects []*DataObject   `json:"dataObjects,omitempty"`

	nodeIndex map[string]*Node
	flowIndex map[string]*SequenceFlow
}

// Node is a flow node: an event, an activity or a gateway.
type Node struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Kind Kind   `json:"kind"`
	// Parent is the id of the containing sub-process, "" at process level.
	Parent string `json:"parent,omitempty"`
	Position

	// Incoming and Outgoing list sequence-flow ids in document order
	// (derived from the flows' sourceRef/targetRef, not from <incoming>).
	Incoming []string `json:"incoming,omitempty"`
	Outgoing []string `json:"outgoing,omitempty"`
	// Default is the id of the default sequence flow (gateways, activities).
	Default string `json:"default,omitempty"`

	// Events holds the event definitions of an event, in document order.
	// An event with none is a none event.
	Events []*EventDefinition `json:"events,omitempty"`
	// AttachedTo is the activity a boundary event is attached to.
	AttachedTo string `json:"attachedTo,omitempty"`
	// CancelActivity is a boundary event's cancelActivity (default true).
	CancelActivity bool `json:"cancelActivity,omitempty"`
	// Interrupting is a start event's isInterrupting (default true); it
	// matters for start events of event sub-processes.
	Interrupting bool `json:"interrupting,omitempty"`
	// Initiator names the variable that receives the starting user
	// (activiti:/flowable:/camunda:initiator on a start event).
	Initiator string `json:"initiator,omitempty"`

	// ForCompensation is an activity's isForCompensation: a compensation
	// handler, reached only by compensation (which the engine does not run).
	ForCompensation bool `json:"forCompensation,omitempty"`

	// TriggeredByEvent marks an event sub-process.
	TriggeredByEvent bool `json:"triggeredByEvent,omitempty"`
	// GatewayDirection is a gateway's gatewayDirection attribute.
	GatewayDirection string `json:"gatewayDirection,omitempty"`

	// Loop holds multi-instance or standard loop characteristics.
	Loop *Loop `json:"loop,omitempty"`

	// Assignment says who works on a user task.
	Assignment *Assignment `json:"assignment,omitempty"`

	// Implementation names what a service, send, business-rule or script
	// task runs: onewindow's ow:handler, camunda/flowable type or topic,
	// zeebe taskDefinition type, class, expression or delegateExpression.
	Implementation string `json:"implementation,omitempty"`
	// Ignored lists the vendor extensions of the node that onewindow reads but does not apply
	// (camunda:inputOutput, zeebe:ioMapping, listeners), as "camunda:inputOutput", once each;
	// the executable level warns about them.
	Ignored []string `json:"-"`
	// Script and ScriptFormat are a script task's body and language.
	Script       string `json:"script,omitempty"`
	ScriptFormat string `json:"scriptFormat,omitempty"`
	// ResultVariable receives the result of a script or service task.
	ResultVariable string `json:"resultVariable,omitempty"`
	// MessageRef is the message of a receive or send task (raw id) and
	// MessageName the name it resolves to.
	MessageRef  string `json:"messageRef,omitempty"`
	MessageName string `json:"messageName,omitempty"`

	// Decision is the decision a business rule task evaluates (camunda:decisionRef,
	// zeebe:calledDecision).
	Decision *DecisionRef `json:"decision,omitempty"`

	// CalledElement is the process id a call activity starts.
	CalledElement string `json:"calledElement,omitempty"`
	// In and Out map variables into and out of a called process; both
	// empty means every variable is passed.
	In  []Mapping `json:"in,omitempty"`
	Out []Mapping `json:"out,omitempty"`

	// Step carries onewindow's government-service extension.
	Step *Step `json:"step,omitempty"`
	// Clock is onewindow's ow:clock: what entering this node does to the
	// case's time-limit clock (one of the Clock* constants).
	Clock string `json:"clock,omitempty"`

	// Documentation is the text of <documentation>, trimmed.
	Documentation string `json:"documentation,omitempty"`
}

// Event returns the node's first event definition, or nil for a none event.
func (n *Node) Event() *EventDefinition {
	if len(n.Events) == 0 {
		return nil
	}
	return n.Events[0]
}

// EventKind returns the kind of the node's first event definition.
func (n *Node) EventKind() EventKind {
	if e := n.Event(); e != nil {
		return e.Kind
	}
	return NoneEvent
}

// EventDefinition is one event definition of an event.
type EventDefinition struct {
	Kind EventKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
	Position

	// Timer: exactly one of these is normally set, as written (ISO 8601).
	TimeDate     string `json:"timeDate,omitempty"`
	TimeDuration string `json:"timeDuration,omitempty"`
	TimeCycle    string `json:"timeCycle,omitempty"`
	// WorkingDays, from onewindow's ow:workingDays, makes a timer fire after
	// that many working days of the case's calendar instead of TimeDuration.
	WorkingDays float64 `json:"workingDays,omitempty"`

	// Ref is the messageRef, signalRef, errorRef or escalationRef as
	// written; Name is the message or signal name it resolves to, Code the
	// error or escalation code. A Flowable-style errorRef that names no
	// declared <error> is taken as the code itself.
	Ref  string `json:"ref,omitempty"`
	Name string `json:"name,omitempty"`
	Code string `json:"code,omitempty"`

	// Condition is a conditional event's condition expression.
	Condition string `json:"condition,omitempty"`
	// LinkName is a link event's name.
	LinkName string `json:"linkName,omitempty"`
}

// SequenceFlow is a <sequenceFlow>.
type SequenceFlow struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Source string `json:"source"`
	Target string `json:"target"`
	// Parent is the id of the containing sub-process, "" at process level.
	Parent string `json:"parent,omitempty"`
	// Condition is the conditionExpression text, trimmed; "" means none.
	Condition string `json:"condition,omitempty"`
	// ConditionSet says the flow has a conditionExpression element, even
	// an empty one (bpmn.io writes one for a conditional flow whose
	// expression was never filled in).
	ConditionSet      bool   `json:"-"`
	ConditionLanguage string `json:"conditionLanguage,omitempty"`
	Position
}

// Loop is an activity's loop characteristics.
type Loop struct {
	// MultiInstance is true for multiInstanceLoopCharacteristics, false for
	// standardLoopCharacteristics.
	MultiInstance bool `json:"multiInstance"`
	Sequential    bool `json:"sequential,omitempty"`
	// LoopCardinality is an expression or a number ("3", "${n}").
	LoopCardinality string `json:"loopCardinality,omitempty"`
	// Collection is the variable or expression to iterate: loopDataInputRef,
	// camunda/flowable collection, or zeebe inputCollection.
	Collection string `json:"collection,omitempty"`
	// ElementVariable is the instance-local variable holding one element:
	// inputDataItem's name, camunda/flowable elementVariable, zeebe inputElement.
	ElementVariable string `json:"elementVariable,omitempty"`
	// OutputCollection and OutputElement gather instance results (zeebe).
	OutputCollection    string `json:"outputCollection,omitempty"`
	OutputElement       string `json:"outputElement,omitempty"`
	CompletionCondition string `json:"completionCondition,omitempty"`

	// Standard loop.
	LoopCondition string `json:"loopCondition,omitempty"`
	TestBefore    bool   `json:"testBefore,omitempty"`
	LoopMaximum   int    `json:"loopMaximum,omitempty"`
}

// Assignment is who may work on a user task, read from every dialect.
// Values may be expressions (${...}) resolved by the engine at run time.
type Assignment struct {
	Assignee        string   `json:"assignee,omitempty"`
	CandidateUsers  []string `json:"candidateUsers,omitempty"`
	CandidateGroups []string `json:"candidateGroups,omitempty"`
	DueDate         string   `json:"dueDate,omitempty"`
	FollowUpDate    string   `json:"followUpDate,omitempty"`
	FormKey         string   `json:"formKey,omitempty"`
	Priority        string   `json:"priority,omitempty"`
}

// Empty reports whether nobody is assigned and no candidate is named.
func (a *Assignment) Empty() bool {
	return a == nil || (a.Assignee == "" && len(a.CandidateUsers) == 0 && len(a.CandidateGroups) == 0)
}

// DecisionRef names the DMN decision a business rule task evaluates and what becomes of
// its result.
type DecisionRef struct {
	// ID is the decision's id (its key among the deployed decisions).
	ID string `json:"id"`
	// Binding is camunda:decisionRefBinding: "latest" (the default) or "version".
	Binding string `json:"binding,omitempty"`
	// Version is camunda:decisionRefVersion, used with the binding "version".
	Version int `json:"version,omitempty"`
	// MapResult is camunda:mapDecisionResult: singleEntry, singleResult, collectEntries or
	// resultList (the default). Zeebe's calledDecision stores the decision's value as it is
	// ("value").
	MapResult string `json:"mapResult,omitempty"`
}

// Ways a decision's result becomes the result variable.
const (
	MapResultList     = "resultList"     // a list of the matched rules' outputs, as objects
	MapSingleEntry    = "singleEntry"    // the only output of the only matched rule
	MapSingleResult   = "singleResult"   // the outputs of the only matched rule, as an object
	MapCollectEntries = "collectEntries" // the only output of every matched rule, as a list
	MapDecisionValue  = "value"          // the decision's value as DMN defines it (Zeebe)
)

// MapResults lists the values of camunda:mapDecisionResult.
var MapResults = []string{MapResultList, MapSingleEntry, MapSingleResult, MapCollectEntries}

// Mapping maps a variable (or expression) of one scope to a variable of another.
type Mapping struct {
	Source     string `json:"source,omitempty"`
	SourceExpr string `json:"sourceExpression,omitempty"`
	Target     string `json:"target,omitempty"`
	// All passes every variable (camunda:in variables="all").
	All bool `json:"all,omitempty"`
}

// Step kinds of government service (受理 审核 协调 审批 制证 送达).
const (
	StepAcceptance   = "acceptance"
	StepReview       = "review"
	StepCoordination = "coordination"
	StepApproval     = "approval"
	StepCertificate  = "certification"
	StepDelivery     = "delivery"
)

// StepKinds lists the step kinds in the order a case passes them.
var StepKinds = []string{StepAcceptance, StepReview, StepCoordination, StepApproval, StepCertificate, StepDelivery}

// Step is onewindow's extension on user tasks (namespace ExtensionNS).
type Step struct {
	// Kind is one of StepKinds.
	Kind string `json:"kind,omitempty"`
	// LimitDays is the step's own time limit in working days (0: none).
	LimitDays float64 `json:"limitDays,omitempty"`
	// WarnDays is how many working days before the limit the warning
	// fires (0: the default of one working day).
	WarnDays float64 `json:"warnDays,omitempty"`
	// Countersign is the completion rule of a multi-instance review:
	// "all" (every signer must agree), "any", or a share such as "0.6".
	Countersign string `json:"countersign,omitempty"`
	// PublicOpinions shows the opinions written at this step (an objection, a comment) to the
	// applicant; by default they are internal (内部意见). Set by ow:opinions="public".
	PublicOpinions bool `json:"publicOpinions,omitempty"`
}

// Values of ow:clock, which any flow node may carry.
const (
	// ClockStart starts the case clock when a token enters the node
	// (acceptance); ClockStartAtReceipt starts it as of the case's receipt
	// (deemed acceptance, 行政许可法 §32).
	ClockStart          = "start"
	ClockStartAtReceipt = "startAtReceipt"
	// ClockPause pauses the clock while the node waits (a supplement, a
	// hearing, an expert review); it runs again when the node is left.
	ClockPause = "pause"
	// ClockStop stops the clock for good (a decision was made).
	ClockStop = "stop"
)

// ClockValues lists the valid ow:clock values.
var ClockValues = []string{ClockStart, ClockStartAtReceipt, ClockPause, ClockStop}

// ExtensionNS is onewindow's BPMN extension namespace (prefix "ow").
const ExtensionNS = "https://onewindow.dev/schema/bpmn/1.0"

// Lane is a lane of a lane set; FlowNodeRefs lists the nodes it holds.
type Lane struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	FlowNodeRefs []string `json:"flowNodeRefs,omitempty"`
	Parent       string   `json:"parent,omitempty"`
}

// DataObject is a <dataObject> (kept, not interpreted).
type DataObject struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Index builds the id lookups and each node's Incoming and Outgoing lists.
// The parser calls it; call it again after changing Nodes or Flows by hand.
func (p *Process) Index() {
	p.nodeIndex = make(map[string]*Node, len(p.Nodes))
	for _, n := range p.Nodes {
		if _, dup := p.nodeIndex[n.ID]; !dup {
			p.nodeIndex[n.ID] = n
		}
		n.Incoming, n.Outgoing = nil, nil
	}
	p.flowIndex = make(map[string]*SequenceFlow, len(p.Flows))
	for _, f := range p.Flows {
		if _, dup := p.flowIndex[f.ID]; !dup {
			p.flowIndex[f.ID] = f
		}
		if n := p.nodeIndex[f.Source]; n != nil {
			n.Outgoing = append(n.Outgoing, f.ID)
		}
		if n := p.nodeIndex[f.Target]; n != nil {
			n.Incoming = append(n.Incoming, f.ID)
		}
	}
}

// Node returns the flow node with the given id, or nil.
func (p *Process) Node(id string) *Node {
	if p.nodeIndex == nil {
		p.Index()
	}
	return p.nodeIndex[id]
}

// Flow returns the sequence flow with the given id, or nil.
func (p *Process) Flow(id string) *SequenceFlow {
	if p.flowIndex == nil {
		p.Index()
	}
	return p.flowIndex[id]
}

// Children returns the nodes directly inside scope ("" for the process
// level), in document order.
func (p *Process) Children(scope string) []*Node {
	var out []*Node
	for _, n := range p.Nodes {
		if n.Parent == scope {
			out = append(out, n)
		}
	}
	return out
}

// Boundaries returns the boundary events attached to activity id, in
// document order.
func (p *Process) Boundaries(id string) []*Node {
	var out []*Node
	for _, n := range p.Nodes {
		if n.Kind == BoundaryEvent && n.AttachedTo == id {
			out = append(out, n)
		}
	}
	return out
}

// Process returns the process with the given id, or nil.
func (d *Definitions) Process(id string) *Process {
	for _, p := range d.Processes {
		if p.ID == id {
			return p
		}
	}
	return nil
}
