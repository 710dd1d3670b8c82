package definitions

import (
	"fmt"
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
