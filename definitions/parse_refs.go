package definitions

// Attribute helpers, and resolving references by name once the whole file is read.

import (
	"encoding/xml"
	"strings"
)

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// attr returns the unqualified attribute name of se, or "".
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func hasAttr(attrs []xml.Attr, name string) bool {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return true
		}
	}
	return false
}

// boolAttr reads an xsd:boolean attribute, reporting values that are not one.
func (p *parser) boolAttr(se xml.StartElement, pos Position, id, name string, def bool) bool {
	if !hasAttr(se.Attr, name) {
		return def
	}
	switch v := strings.TrimSpace(attr(se, name)); v {
	case "true", "1":
		return true
	case "false", "0":
		return false
	default:
		p.problems.errorf(CodeInvalidAttribute, pos, id, "%s=%q is not a boolean (true or false)", name, v)
		return def
	}
}

// finish indexes the processes and resolves references by name.
func (p *parser) finish() {
	d := p.defs
	for _, r := range p.resourceRefs {
		name := p.resources[r.ref]
		if name == "" {
			name = r.ref
		}
		as := assignment(r.node)
		as.CandidateGroups = append(as.CandidateGroups, name)
	}
	for _, proc := range d.Processes {
		proc.Index()
		for _, n := range proc.Nodes {
			for _, ev := range n.Events {
				d.resolve(ev)
			}
			if n.MessageRef != "" {
				n.MessageName = d.messageName(n.MessageRef)
			}
		}
	}
}

// resolve fills an event definition's Name or Code from its Ref.
func (d *Definitions) resolve(ev *EventDefinition) {
	if ev.Ref == "" {
		return
	}
	switch ev.Kind {
	case MessageEvent:
		ev.Name = d.messageName(ev.Ref)
	case SignalEvent:
		ev.Name = d.signalName(ev.Ref)
	case ErrorEvent:
		ev.Code = ev.Ref // Flowable: an undeclared errorRef is the code itself
		for _, e := range d.Errors {
			if e.ID == ev.Ref {
				ev.Code = e.Code
				if ev.Code == "" {
					ev.Code = e.ID
				}
				break
			}
		}
	case EscalationEvent:
		ev.Code = ev.Ref
		for _, e := range d.Escalations {
			if e.ID == ev.Ref {
				ev.Code = e.Code
				if ev.Code == "" {
					ev.Code = e.ID
				}
				break
			}
		}
	}
}

// messageName resolves a messageRef: the id of a declared message (its name,
// or its id when unnamed), or the name of one; "" when neither.
func (d *Definitions) messageName(ref string) string {
	for _, m := range d.Messages {
		if m.ID == ref {
			if m.Name != "" {
				return m.Name
			}
			return m.ID
		}
	}
	for _, m := range d.Messages {
		if m.Name == ref {
			return ref
		}
	}
	return ""
}

// signalName resolves a signalRef like messageName.
func (d *Definitions) signalName(ref string) string {
	for _, s := range d.Signals {
		if s.ID == ref {
			if s.Name != "" {
				return s.Name
			}
			return s.ID
		}
	}
	for _, s := range d.Signals {
		if s.Name == ref {
			return ref
		}
	}
	return ""
}
