package definitions

// The children of a flow node: documentation, event definitions, loop characteristics,
// resource roles and scripts.

import (
	"encoding/xml"
	"strconv"
	"strings"
)

var eventDefinitionKinds = map[string]EventKind{
	"timerEventDefinition":       TimerEvent,
	"messageEventDefinition":     MessageEvent,
	"signalEventDefinition":      SignalEvent,
	"errorEventDefinition":       ErrorEvent,
	"escalationEventDefinition":  EscalationEvent,
	"terminateEventDefinition":   TerminateEvent,
	"conditionalEventDefinition": ConditionalEvent,
	"linkEventDefinition":        LinkEvent,
	"compensateEventDefinition":  CompensateEvent,
	"cancelEventDefinition":      CancelEvent,
}

// startInNode handles the children of a flow node.
func (p *parser) startInNode(f *frame, se xml.StartElement, off int64) bool {
	n := f.node
	if se.Name.Space != NSModel {
		return false
	}
	if n.Kind.IsSubProcess() && p.startInScope(f, se, off) {
		return true
	}
	switch se.Name.Local {
	case "documentation":
		p.pushText(se, func(s string) {
			if s == "" {
				return
			}
			if n.Documentation != "" {
				n.Documentation += "\n"
			}
			n.Documentation += s
		})
		return true
	case "extensionElements":
		p.push(&frame{role: roleExt, name: se.Name, node: n, proc: f.proc})
		return true
	case "multiInstanceLoopCharacteristics":
		if !n.Kind.IsActivity() {
			return false
		}
		pos := p.pos.at(off)
		l := &Loop{MultiInstance: true, Sequential: p.boolAttr(se, pos, n.ID, "isSequential", false)}
		for _, a := range se.Attr {
			switch a.Name.Space {
			case NSCamunda, NSActiviti, NSFlowable:
				switch a.Name.Local {
				case "collection":
					setIf(&l.Collection, strings.TrimSpace(a.Value))
				case "elementVariable":
					setIf(&l.ElementVariable, strings.TrimSpace(a.Value))
				}
			}
		}
		n.Loop = l
		p.push(&frame{role: roleLoop, name: se.Name, node: n, loop: l})
		return true
	case "standardLoopCharacteristics":
		if !n.Kind.IsActivity() {
			return false
		}
		pos := p.pos.at(off)
		l := &Loop{TestBefore: p.boolAttr(se, pos, n.ID, "testBefore", false)}
		if v := attr(se, "loopMaximum"); v != "" {
			m, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || m < 0 {
				p.problems.errorf(CodeInvalidAttribute, pos, n.ID, "loopMaximum=%q is not a whole number", v)
			} else {
				l.LoopMaximum = m
			}
		}
		n.Loop = l
		p.push(&frame{role: roleLoop, name: se.Name, node: n, loop: l})
		return true
	case "potentialOwner", "humanPerformer", "performer":
		if n.Kind != UserTask {
			return false
		}
		p.push(&frame{role: roleResourceRole, name: se.Name, node: n, roleKind: se.Name.Local})
		return true
	case "script":
		if n.Kind != ScriptTask {
			return false
		}
		p.pushText(se, func(s string) { n.Script = s })
		return true
	}
	if kind, ok := eventDefinitionKinds[se.Name.Local]; ok && n.Kind.IsEvent() {
		pos := p.pos.at(off)
		ev := &EventDefinition{Kind: kind, ID: attr(se, "id"), Position: pos}
		switch kind {
		case MessageEvent:
			ev.Ref = attr(se, "messageRef")
		case SignalEvent:
			ev.Ref = attr(se, "signalRef")
		case ErrorEvent:
			ev.Ref = attr(se, "errorRef")
		case EscalationEvent:
			ev.Ref = attr(se, "escalationRef")
		case LinkEvent:
			ev.LinkName = attr(se, "name")
		}
		for _, a := range se.Attr {
			if a.Name.Space != ExtensionNS {
				continue
			}
			if a.Name.Local == "workingDays" && kind == TimerEvent {
				if d, ok := p.days(strings.TrimSpace(a.Value), pos, n.ID, "ow:workingDays", true); ok {
					ev.WorkingDays = d
				}
			} else {
				p.problems.warnf(CodeUnknownExtension, pos, n.ID, "ow:%s is not used on <%s>; it is ignored", a.Name.Local, se.Name.Local)
			}
		}
		n.Events = append(n.Events, ev)
		p.push(&frame{role: roleEventDef, name: se.Name, node: n, ev: ev})
		return true
	}
	return false
}

func (p *parser) startInEventDef(f *frame, se xml.StartElement) bool {
	if se.Name.Space != NSModel {
		return false
	}
	ev := f.ev
	switch {
	case ev.Kind == TimerEvent && se.Name.Local == "timeDate":
		p.pushText(se, func(s string) { ev.TimeDate = s })
	case ev.Kind == TimerEvent && se.Name.Local == "timeDuration":
		p.pushText(se, func(s string) { ev.TimeDuration = s })
	case ev.Kind == TimerEvent && se.Name.Local == "timeCycle":
		p.pushText(se, func(s string) { ev.TimeCycle = s })
	case ev.Kind == ConditionalEvent && se.Name.Local == "condition":
		p.pushText(se, func(s string) { ev.Condition = s })
	default:
		return false
	}
	return true
}

func (p *parser) startInLoop(f *frame, se xml.StartElement) bool {
	l := f.loop
	if se.Name.Space != NSModel {
		return false
	}
	switch se.Name.Local {
	case "loopCardinality":
		p.pushText(se, func(s string) { l.LoopCardinality = s })
	case "loopDataInputRef":
		p.pushText(se, func(s string) { setIf(&l.Collection, s) })
	case "loopDataOutputRef":
		p.pushText(se, func(s string) { setIf(&l.OutputCollection, s) })
	case "inputDataItem":
		v := attr(se, "name")
		if v == "" {
			v = attr(se, "id")
		}
		setIf(&l.ElementVariable, v)
		return false
	case "outputDataItem":
		v := attr(se, "name")
		if v == "" {
			v = attr(se, "id")
		}
		setIf(&l.OutputElement, v)
		return false
	case "completionCondition":
		p.pushText(se, func(s string) { l.CompletionCondition = s })
	case "loopCondition":
		p.pushText(se, func(s string) { l.LoopCondition = s })
	case "extensionElements":
		p.push(&frame{role: roleLoopExt, name: se.Name, node: f.node, loop: l})
	default:
		return false
	}
	return true
}
