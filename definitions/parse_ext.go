package definitions

// Vendor extension elements (zeebe:, camunda:, activiti:, flowable:) inside a flow node,
// and the resource roles of user tasks.

import (
	"encoding/xml"
	"slices"
	"strings"
)

// startInExt reads vendor extension elements of a flow node; the
// caller skips the element's content.
func (p *parser) startInExt(f *frame, se xml.StartElement, off int64) {
	n := f.node
	nf := p.nodeFrame()
	if name := ignoredExtension(se.Name); name != "" && !slices.Contains(n.Ignored, name) {
		n.Ignored = append(n.Ignored, name)
	}
	switch se.Name.Space {
	case NSZeebe:
		switch se.Name.Local {
		case "assignmentDefinition":
			if n.Kind != UserTask {
				return
			}
			if v := attr(se, "assignee"); v != "" {
				assignment(n).Assignee = v
			}
			if l := splitList(attr(se, "candidateGroups")); len(l) > 0 {
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, l...)
			}
			if l := splitList(attr(se, "candidateUsers")); len(l) > 0 {
				as := assignment(n)
				as.CandidateUsers = append(as.CandidateUsers, l...)
			}
		case "taskSchedule":
			if n.Kind != UserTask {
				return
			}
			if v := attr(se, "dueDate"); v != "" {
				assignment(n).DueDate = v
			}
			if v := attr(se, "followUpDate"); v != "" {
				assignment(n).FollowUpDate = v
			}
		case "formDefinition":
			if n.Kind != UserTask {
				return
			}
			for _, k := range []string{"formKey", "formId", "externalReference"} {
				if v := attr(se, k); v != "" {
					assignment(n).FormKey = v
					break
				}
			}
		case "priorityDefinition":
			if v := attr(se, "priority"); v != "" && n.Kind == UserTask {
				assignment(n).Priority = v
			}
		case "taskDefinition":
			if implementer(n.Kind) && nf != nil {
				setImpl(nf, attr(se, "type"), implZeebe)
			}
		case "calledDecision":
			if n.Kind == BusinessRuleTask {
				d := decision(n)
				d.ID = attr(se, "decisionId")
				d.MapResult = MapDecisionValue
				setIf(&n.ResultVariable, attr(se, "resultVariable"))
			}
		case "calledElement":
			if n.Kind == CallActivity {
				setIf(&n.CalledElement, attr(se, "processId"))
			}
		case "script":
			if n.Kind == ScriptTask {
				if v := attr(se, "expression"); v != "" {
					n.Script = v
					n.ScriptFormat = "feel"
				}
				setIf(&n.ResultVariable, attr(se, "resultVariable"))
			}
		}
	case NSCamunda, NSActiviti, NSFlowable:
		if n.Kind != CallActivity || (se.Name.Local != "in" && se.Name.Local != "out") {
			return
		}
		m := Mapping{Source: attr(se, "source"), SourceExpr: attr(se, "sourceExpression"), Target: attr(se, "target")}
		if strings.EqualFold(attr(se, "variables"), "all") {
			m.All = true
		}
		if m == (Mapping{}) {
			return
		}
		if se.Name.Local == "in" {
			n.In = append(n.In, m)
		} else {
			n.Out = append(n.Out, m)
		}
	}
}

// nodeFrame returns the innermost frame of a flow node.
func (p *parser) nodeFrame() *frame {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].role == roleNode {
			return p.stack[i]
		}
	}
	return nil
}

func (p *parser) finishNode(f *frame) {
	if f.workingDays > 0 {
		for _, ev := range f.node.Events {
			if ev.Kind == TimerEvent && ev.WorkingDays == 0 {
				ev.WorkingDays = f.workingDays
			}
		}
	}
}

type resourceRef struct {
	node *Node
	ref  string
}

// applyResourceRole turns the expressions of a potentialOwner,
// humanPerformer or performer into assignment: Flowable's "user(x),
// group(y)" lists; plain text is a candidate group for potentialOwner and
// the assignee for a performer. (A resourceRef names a <resource> whose
// name becomes a candidate group; finish resolves those.)
func applyResourceRole(f *frame) {
	n := f.node
	owner := f.roleKind == "potentialOwner"
	for _, e := range f.exprs {
		for _, item := range splitList(e) {
			lower := strings.ToLower(item)
			switch {
			case strings.HasPrefix(lower, "user(") && strings.HasSuffix(item, ")"):
				v := strings.TrimSpace(item[5 : len(item)-1])
				if v == "" {
					continue
				}
				as := assignment(n)
				if !owner && as.Assignee == "" {
					as.Assignee = v
				} else {
					as.CandidateUsers = append(as.CandidateUsers, v)
				}
			case strings.HasPrefix(lower, "group(") && strings.HasSuffix(item, ")"):
				if v := strings.TrimSpace(item[6 : len(item)-1]); v != "" {
					as := assignment(n)
					as.CandidateGroups = append(as.CandidateGroups, v)
				}
			case owner:
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, item)
			default:
				as := assignment(n)
				if as.Assignee == "" {
					as.Assignee = item
				} else {
					as.CandidateUsers = append(as.CandidateUsers, item)
				}
			}
		}
	}
}

// splitList splits a comma-separated list, keeping commas inside
// expressions (${...}, #{...}) and parentheses, and drops empty items.
func splitList(s string) []string {
	var out []string
	depth, start := 0, 0
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '{' || c == '(' || c == '[':
			depth++
		case c == '}' || c == ')' || c == ']':
			if depth > 0 {
				depth--
			}
		case c == ',' && depth == 0:
			if item := strings.TrimSpace(s[start:i]); item != "" {
				out = append(out, item)
			}
			start = i + 1
		}
	}
	if item := strings.TrimSpace(s[start:]); item != "" {
		out = append(out, item)
	}
	return out
}

// ignoredExtension names an extension element of the other engines that changes what a case
// does but that onewindow does not apply: input/output mappings (local variables set on entry,
// results mapped back) and listeners (Java classes, scripts, job workers). "" for any other.
func ignoredExtension(name xml.Name) string {
	prefix := map[string]string{NSCamunda: "camunda", NSActiviti: "activiti", NSFlowable: "flowable", NSZeebe: "zeebe"}[name.Space]
	switch {
	case prefix == "":
		return ""
	case prefix == "zeebe" && (name.Local == "ioMapping" || name.Local == "executionListeners" || name.Local == "taskListeners"),
		prefix == "camunda" && name.Local == "inputOutput",
		prefix != "zeebe" && (name.Local == "executionListener" || name.Local == "taskListener"):
		return prefix + ":" + name.Local
	}
	return ""
}
