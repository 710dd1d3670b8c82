package definitions

// Flow nodes: which elements are flow nodes, their attributes, and the vendor (camunda:,
// activiti:, flowable:) attributes that say what a task runs and who works on it.

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// nodeKinds maps the element names of flow nodes to their kinds. Elements
// outside the set (data objects, artifacts, ...) are not flow nodes.
var nodeKinds = map[string]Kind{}

// otherNodeKinds are BPMN flow nodes onewindow does not model beyond their
// id and kind; the executable validator reports them as unsupported.
var otherNodeKinds = []string{"implicitThrowEvent", "callChoreography", "subChoreography", "choreographyTask"}

func init() {
	for _, k := range []Kind{StartEvent, EndEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent,
		Task, UserTask, ServiceTask, ScriptTask, BusinessRuleTask, SendTask, ReceiveTask, ManualTask,
		SubProcess, AdHocSubProcess, Transaction, CallActivity,
		ExclusiveGateway, ParallelGateway, InclusiveGateway, EventBasedGateway, ComplexGateway} {
		nodeKinds[string(k)] = k
	}
	for _, k := range otherNodeKinds {
		nodeKinds[k] = Kind(k)
	}
}

// startInScope handles the flow elements of a process or sub-process.
func (p *parser) startInScope(f *frame, se xml.StartElement, off int64) bool {
	if se.Name.Space != NSModel {
		return false
	}
	pos := p.pos.at(off)
	switch se.Name.Local {
	case "sequenceFlow":
		fl := &SequenceFlow{ID: attr(se, "id"), Name: attr(se, "name"), Source: attr(se, "sourceRef"), Target: attr(se, "targetRef"), Parent: f.scope, Position: pos}
		if fl.ID == "" {
			// Flowable accepts flows without id; give them a stable one
			// that cannot collide with a real id (it is not an NCName).
			fl.ID = syntheticID("sequenceFlow", pos)
		}
		p.checkNoExtensionAttrs(se, pos, fl.ID)
		f.proc.Flows = append(f.proc.Flows, fl)
		p.push(&frame{role: roleFlow, name: se.Name, proc: f.proc, flow: fl})
		return true
	case "laneSet":
		p.push(&frame{role: roleLaneSet, name: se.Name, proc: f.proc})
		return true
	case "dataObject":
		f.proc.DataObjects = append(f.proc.DataObjects, &DataObject{ID: attr(se, "id"), Name: attr(se, "name")})
		return false
	}
	kind, ok := nodeKinds[se.Name.Local]
	if !ok {
		return false
	}
	p.push(p.newNode(f, se, pos, kind))
	return true
}

func syntheticID(kind string, pos Position) string {
	return fmt.Sprintf("%s@%d:%d", kind, pos.Line, pos.Column)
}

func (p *parser) newNode(f *frame, se xml.StartElement, pos Position, kind Kind) *frame {
	n := &Node{ID: attr(se, "id"), Name: attr(se, "name"), Kind: kind, Parent: f.scope, Position: pos, Default: attr(se, "default")}
	if n.ID == "" {
		n.ID = syntheticID(string(kind), pos)
		p.problems.errorf(CodeMissingID, pos, "", "<%s> has no id", kind)
	}
	nf := &frame{role: roleNode, name: se.Name, proc: f.proc, node: n}
	if kind.IsSubProcess() {
		nf.scope = n.ID
	}
	switch kind {
	case BoundaryEvent:
		n.AttachedTo = attr(se, "attachedToRef")
		n.CancelActivity = p.boolAttr(se, pos, n.ID, "cancelActivity", true)
	case StartEvent:
		n.Interrupting = p.boolAttr(se, pos, n.ID, "isInterrupting", true)
	case SubProcess, AdHocSubProcess, Transaction:
		n.TriggeredByEvent = p.boolAttr(se, pos, n.ID, "triggeredByEvent", false)
	case CallActivity:
		n.CalledElement = attr(se, "calledElement")
	case ScriptTask:
		n.ScriptFormat = attr(se, "scriptFormat")
	case SendTask, ReceiveTask:
		n.MessageRef = attr(se, "messageRef")
	}
	if kind.IsGateway() {
		n.GatewayDirection = attr(se, "gatewayDirection")
	}
	if kind.IsActivity() {
		n.ForCompensation = p.boolAttr(se, pos, n.ID, "isForCompensation", false)
	}
	for _, a := range se.Attr {
		switch a.Name.Space {
		case NSCamunda, NSActiviti, NSFlowable:
			p.vendorAttr(nf, a)
		case ExtensionNS:
			p.extensionAttr(nf, a, pos)
		}
	}
	f.proc.Nodes = append(f.proc.Nodes, n)
	return nf
}

// implementers are the task kinds whose Implementation the parser fills.
func implementer(k Kind) bool {
	return k == ServiceTask || k == SendTask || k == ScriptTask || k == BusinessRuleTask
}

// Priorities of the sources of Node.Implementation: onewindow's own
// attribute wins, then the most specific vendor attribute.
const (
	implType = iota + 1
	implTopic
	implExpression
	implDelegate
	implClass
	implZeebe
	implHandler
)

func setImpl(f *frame, v string, prio int) {
	if v != "" && prio > f.implPrio {
		f.node.Implementation = v
		f.implPrio = prio
	}
}

// vendorAttr reads a camunda:, activiti: or flowable: attribute of a flow node.
func (p *parser) vendorAttr(f *frame, a xml.Attr) {
	n := f.node
	v := strings.TrimSpace(a.Value)
	if n.Kind == UserTask {
		switch a.Name.Local {
		case "assignee":
			if v != "" {
				assignment(n).Assignee = v
			}
		case "candidateUsers":
			if l := splitList(v); len(l) > 0 {
				as := assignment(n)
				as.CandidateUsers = append(as.CandidateUsers, l...)
			}
		case "candidateGroups":
			if l := splitList(v); len(l) > 0 {
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, l...)
			}
		case "dueDate":
			if v != "" {
				assignment(n).DueDate = v
			}
		case "followUpDate":
			if v != "" {
				assignment(n).FollowUpDate = v
			}
		case "formKey":
			if v != "" {
				assignment(n).FormKey = v
			}
		case "priority":
			if v != "" {
				assignment(n).Priority = v
			}
		}
		return
	}
	if n.Kind == StartEvent && a.Name.Local == "initiator" {
		n.Initiator = v
		return
	}
	if a.Name.Local == "resultVariable" || a.Name.Local == "resultVariableName" {
		n.ResultVariable = v
		return
	}
	if !implementer(n.Kind) {
		return
	}
	switch a.Name.Local {
	case "class":
		setImpl(f, v, implClass)
	case "delegateExpression":
		setImpl(f, v, implDelegate)
	case "expression":
		setImpl(f, v, implExpression)
	case "decisionRef":
		if n.Kind == BusinessRuleTask {
			decision(n).ID = v
		}
	case "decisionRefBinding":
		if n.Kind == BusinessRuleTask {
			decision(n).Binding = v
		}
	case "decisionRefVersion":
		if n.Kind == BusinessRuleTask && v != "" {
			ver, err := strconv.Atoi(v)
			if err != nil || ver < 1 {
				p.problems.errorf(CodeInvalidDecision, n.Position, n.ID, "decisionRefVersion=%q is not a version number (1, 2, ...)", v)
			} else {
				decision(n).Version = ver
			}
		}
	case "mapDecisionResult":
		if n.Kind == BusinessRuleTask {
			if !slices.Contains(MapResults, v) {
				p.problems.errorf(CodeInvalidDecision, n.Position, n.ID, "mapDecisionResult=%q is not one of %s", v, strings.Join(MapResults, ", "))
			} else {
				decision(n).MapResult = v
			}
		}
	case "topic":
		setImpl(f, v, implTopic)
	case "type":
		setImpl(f, v, implType)
	}
}

func decision(n *Node) *DecisionRef {
	if n.Decision == nil {
		n.Decision = &DecisionRef{}
	}
	return n.Decision
}

func assignment(n *Node) *Assignment {
	if n.Assignment == nil {
		n.Assignment = &Assignment{}
	}
	return n.Assignment
}

func step(n *Node) *Step {
	if n.Step == nil {
		n.Step = &Step{}
	}
	return n.Step
}
