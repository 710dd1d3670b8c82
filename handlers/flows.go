package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"

	"onewindow/definitions"
	"onewindow/definitions/expression"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// flowCache keeps what the case and task APIs need to know of a definition version: its
// element names (for the timeline) and the completion contract of each user task.
// Published versions never change, so an entry lives as long as the process.
type flowCache struct {
	mu sync.Mutex
	m  map[string]*flowInfo
}

func newFlowCache() *flowCache { return &flowCache{m: map[string]*flowInfo{}} }

// flowInfo is one definition version as the case API reads it.
type flowInfo struct {
	Key     string
	Version int
	proc    *definitions.Process
	steps   map[string]*stepContract
}

// stepContract is what completing a user task must say: an outcome from Outcomes (when
// NeedOutcome), the variables Requires names for that outcome, and every variable the
// outgoing conditions read (Reads) unless the case has it already.
type stepContract struct {
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

// reasonVariables are the variables the standard outcomes must carry (docs/standard-flows.md).
var reasonVariables = map[string]string{
	standard.OutcomeRefuse: "refusalReason",
	standard.OutcomeReject: "decisionReason",
	standard.OutcomeObject: "objection",
}

// engineVariables are set by the engine, never by a completion.
var engineVariables = []string{"outcome", "countersignResult", "outcomes", "nrOfInstances", "nrOfCompletedInstances", "nrOfActiveInstances", "loopCounter"}

var outcomeLiteral = regexp.MustCompile(`outcome\s*==\s*['"]([^'"]+)['"]|['"]([^'"]+)['"]\s*==\s*outcome`)

// flow returns the flow info of definition key at version.
func (h *api) flow(ctx context.Context, key string, version int) (*flowInfo, error) {
	id := fmt.Sprintf("%s\x00%d", key, version)
	h.flows.mu.Lock()
	f := h.flows.m[id]
	h.flows.mu.Unlock()
	if f != nil {
		return f, nil
	}
	d, err := store.GetDefinition(ctx, h.DB, key, version)
	if err != nil {
		return nil, err
	}
	_, proc, problems := definitions.Check(d.XML, key)
	if proc == nil {
		return nil, fmt.Errorf("definition %s v%d does not parse: %v", key, version, problems)
	}
	f = &flowInfo{Key: key, Version: d.Version, proc: proc, steps: map[string]*stepContract{}}
	var std *standard.Flow
	for _, s := range standard.Flows() {
		if s.Key == key {
			std = &s
		}
	}
	for _, n := range proc.Nodes {
		if n.Kind != definitions.UserTask {
			continue
		}
		f.steps[n.ID] = contractOf(proc, n, std)
	}
	h.flows.mu.Lock()
	h.flows.m[id] = f
	h.flows.mu.Unlock()
	return f, nil
}

// name returns the name of element id ("" unknown), or its id when it has none.
func (f *flowInfo) name(id string) string {
	if f == nil || id == "" {
		return id
	}
	if n := f.proc.Node(id); n != nil && n.Name != "" {
		return n.Name
	}
	return id
}

// kind returns the BPMN kind of element id.
func (f *flowInfo) kind(id string) definitions.Kind {
	if f == nil {
		return ""
	}
	if n := f.proc.Node(id); n != nil {
		return n.Kind
	}
	return ""
}

// contractOf works out the completion contract of user task n: the standard flow's outcomes
// when n belongs to one, otherwise the outcome literals the conditions after n compare with.
func contractOf(p *definitions.Process, n *definitions.Node, std *standard.Flow) *stepContract {
	sc := &stepContract{Element: n.ID, Name: n.Name, Requires: map[string][]string{}, Reads: map[string]string{}}
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
			if g := p.Node(fl.Target); g != nil && (g.Kind == definitions.ExclusiveGateway || g.Kind == definitions.InclusiveGateway) {
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
			if v == "outcome" {
				readsOutcome = true
			}
			if !slices.Contains(engineVariables, v) {
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
		if v, ok := reasonVariables[o]; ok {
			sc.Requires[o] = []string{v}
		}
	}
	return sc
}
