package definitions

import (
	"regexp"
	"slices"
	"sort"

	"onewindow/definitions/expression"
	"onewindow/definitions/standard"
)

// Variables the engine sets on a case; a task completion may not set them.
const (
	// VarOutcome is the outcome of the last completed user task.
	VarOutcome = "outcome"
	// VarCountersignResult is a countersign's result when its last signer completes.
	VarCountersignResult = "countersignResult"
	// VarOutcomes lists the outcomes of a multi-instance body's instances.
	VarOutcomes = "outcomes"
	// VarNrOfInstances, VarNrOfCompletedInstances and VarNrOfActiveInstances count a
	// multi-instance body's instances, as BPMN defines them.
	VarNrOfInstances          = "nrOfInstances"
	VarNrOfCompletedInstances = "nrOfCompletedInstances"
	VarNrOfActiveInstances    = "nrOfActiveInstances"
	// VarLoopCounter is the index of a multi-instance instance (from 0).
	VarLoopCounter = "loopCounter"
	// VarInitiator is the usual name of the variable a start event's initiator attribute
	// sets to the user who started the case.
	VarInitiator = "initiator"
)

// Variables that carry the reason of a standard outcome (docs/standard-flows.md).
const (
	// VarRefusalReason says why an application is not accepted (不予受理).
	VarRefusalReason = "refusalReason"
	// VarDecisionReason says why an application is rejected (不予准予).
	VarDecisionReason = "decisionReason"
	// VarObjection is a countersigning department's objection.
	VarObjection = "objection"
)

// EngineVariables lists the variables only the engine sets.
var EngineVariables = []string{VarOutcome, VarCountersignResult, VarOutcomes, VarNrOfInstances,
	VarNrOfCompletedInstances, VarNrOfActiveInstances, VarLoopCounter}

// ReasonVariables maps the standard outcomes that need a reason to the variable that carries
// it (docs/standard-flows.md).
var ReasonVariables = map[string]string{
	standard.OutcomeRefuse: VarRefusalReason,
	standard.OutcomeReject: VarDecisionReason,
	standard.OutcomeObject: VarObjection,
}

// Contract is what completing a user task must say: an outcome from Outcomes (when
// NeedOutcome), the variables Requires names for that outcome, and every variable the
// outgoing conditions read (Reads) unless the case has it already.
type Contract struct {
	Element  string
	Name     string
	Kind     string
	Outcomes []string
	// NeedOutcome: the task cannot complete without one of Outcomes.
	NeedOutcome bool
	// Requires maps an outcome to the variables it must come with.
	Requires map[string][]string
	// Reads are the variables the conditions after the task read, besides the outcome and
	// what the engine sets, with the condition that reads each.
	Reads map[string]string
	// MultiInstance marks one instance of a multi-instance task (a countersign signer).
	MultiInstance bool
	Countersign   string
}

// outcomeLiteral finds the outcomes a condition compares with: JUEL's == and eq, FEEL's =.
var outcomeLiteral = regexp.MustCompile(`outcome\s*(?:==?|\beq\b)\s*['"]([^'"]+)['"]|['"]([^'"]+)['"]\s*(?:==?|\beq\b)\s*outcome`)

// Contracts works out the completion contract of every user task of p. A standard flow's
// tasks (key names one) complete with the outcomes the flow lists; any other task with the
// outcome literals the conditions after it compare with.
func Contracts(p *Process, key string) map[string]*Contract {
	std, isStd := standard.Get(key)
	out := map[string]*Contract{}
	for _, n := range p.Nodes {
		if n.Kind != UserTask {
			continue
		}
		var fixed *standard.Flow
		if isStd {
			fixed = &std
		}
		out[n.ID] = contractOf(p, n, fixed)
	}
	return out
}

func contractOf(p *Process, n *Node, std *standard.Flow) *Contract {
	sc := &Contract{Element: n.ID, Name: n.Name, Requires: map[string][]string{}, Reads: map[string]string{}}
	if n.Step != nil {
		sc.Kind, sc.Countersign = n.Step.Kind, n.Step.Countersign
	}
	sc.MultiInstance = n.Loop != nil && n.Loop.MultiInstance
	var conds []string
	add := func(flows []string) {
		for _, id := range flows {
			for _, fl := range p.Flows {
				if fl.ID == id && fl.Condition != "" {
					conds = append(conds, fl.Condition)
				}
			}
		}
	}
	add(n.Outgoing)
	// An unconditional flow into a deciding gateway: its conditions decide on the task.
	for _, id := range n.Outgoing {
		for _, fl := range p.Flows {
			if fl.ID != id || fl.Condition != "" {
				continue
			}
			if g := p.Node(fl.Target); g != nil && (g.Kind == ExclusiveGateway || g.Kind == InclusiveGateway) {
				add(g.Outgoing)
			}
		}
	}
	readsOutcome := false
	var literals []string
	for _, cnd := range conds {
		e, err := expression.Compile(cnd)
		if err != nil {
			continue
		}
		for _, v := range e.Vars() {
			if v == VarOutcome {
				readsOutcome = true
			}
			if !slices.Contains(EngineVariables, v) {
				if _, ok := sc.Reads[v]; !ok {
					sc.Reads[v] = cnd
				}
			}
		}
		for _, m := range outcomeLiteral.FindAllStringSubmatch(cnd, -1) {
			lit := m[1] + m[2]
			if !slices.Contains(literals, lit) {
				literals = append(literals, lit)
			}
		}
	}
	if std != nil {
		for _, s := range std.Steps {
			if s.Element == n.ID {
				sc.Outcomes = s.Outcomes
			}
		}
	} else if readsOutcome && !sc.MultiInstance {
		sort.Strings(literals)
		sc.Outcomes = literals
	}
	sc.NeedOutcome = len(sc.Outcomes) > 0
	for _, o := range sc.Outcomes {
		if v, ok := ReasonVariables[o]; ok {
			sc.Requires[o] = []string{v}
		}
	}
	return sc
}
