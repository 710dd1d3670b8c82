package definitions

// onewindow's own attributes (namespace ExtensionNS, prefix ow:).

import (
	"encoding/xml"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// extensionAttr reads an ow: attribute of a flow node.
func (p *parser) extensionAttr(f *frame, a xml.Attr, pos Position) {
	n := f.node
	v := strings.TrimSpace(a.Value)
	name := "ow:" + a.Name.Local
	switch a.Name.Local {
	case "stepKind", "timeLimit", "warnDays", "countersign", "opinions":
		if n.Kind != UserTask {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to user tasks, not to a %s; it is ignored", name, n.Kind)
			return
		}
		switch a.Name.Local {
		case "stepKind":
			if !validStepKind(v) {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q is not a step kind; use one of %s", name, v, strings.Join(StepKinds, ", "))
				return
			}
			step(n).Kind = v
		case "timeLimit":
			if d, ok := p.days(v, pos, n.ID, name, false); ok {
				step(n).LimitDays = d
			}
		case "warnDays":
			if d, ok := p.days(v, pos, n.ID, name, false); ok {
				step(n).WarnDays = d
			}
		case "countersign":
			c, err := ParseCountersign(v)
			if err != nil {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q: %v", name, v, err)
				return
			}
			step(n).Countersign = c
		case "opinions":
			if v != "public" && v != "internal" {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q: use public (the applicant reads the opinions) or internal", name, v)
				return
			}
			step(n).PublicOpinions = v == "public"
		}
	case "clock":
		if !slices.Contains(ClockValues, v) {
			p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q is not a clock action; use one of %s", name, v, strings.Join(ClockValues, ", "))
			return
		}
		n.Clock = v
	case "workingDays":
		if !isTimerHolder(n.Kind) {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to timer events, not to a %s; it is ignored", name, n.Kind)
			return
		}
		if d, ok := p.days(v, pos, n.ID, name, true); ok {
			f.workingDays = d
		}
	case "handler":
		if !implementer(n.Kind) {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to service, send, script and business-rule tasks, not to a %s; it is ignored", name, n.Kind)
			return
		}
		if v == "" {
			p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s is empty", name)
			return
		}
		setImpl(f, v, implHandler)
	default:
		p.problems.warnf(CodeUnknownExtension, pos, n.ID, "unknown onewindow attribute %s is ignored (see docs/bpmn-extensions.md)", name)
	}
}

func isTimerHolder(k Kind) bool {
	return k == StartEvent || k == IntermediateCatchEvent || k == BoundaryEvent
}

func validStepKind(v string) bool {
	for _, k := range StepKinds {
		if v == k {
			return true
		}
	}
	return false
}

// days parses a number of working days written as a decimal.
func (p *parser) days(v string, pos Position, id, name string, positive bool) (float64, bool) {
	d, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || (positive && d == 0) || d > 100000 {
		want := "a number of working days such as 5 or 2.5"
		p.problems.errorf(CodeInvalidExtension, pos, id, "%s=%q is not %s", name, v, want)
		return 0, false
	}
	return d, true
}

// ParseCountersign checks an ow:countersign value and returns it in its
// canonical form: "all", "any", or a share in (0, 1] such as "0.6".
func ParseCountersign(v string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	switch s {
	case "all", "any":
		return s, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > 1 {
		return "", errors.New(`countersign must be "all", "any" or a share between 0 and 1 such as 0.6`)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// checkNoExtensionAttrs warns about ow: attributes on elements that take none.
func (p *parser) checkNoExtensionAttrs(se xml.StartElement, pos Position, id string) {
	for _, a := range se.Attr {
		if a.Name.Space == ExtensionNS {
			p.problems.warnf(CodeUnknownExtension, pos, id, "ow:%s is not used on <%s>; it is ignored", a.Name.Local, se.Name.Local)
		}
	}
}
