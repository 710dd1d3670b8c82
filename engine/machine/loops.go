package machine

import (
	"fmt"
	"math"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/expression"
)

// startBody starts a multi-instance or standard-loop activity: a body
// instance holds the boundary events and runs the activity's instances.
func (m *Machine) startBody(scope *Instance, n *definitions.Node) error {
	loop := n.Loop
	if !loop.MultiInstance {
		if loop.TestBefore && loop.LoopCondition != "" {
			ok, err := m.loopCondition(scope.ID, n, 0)
			if err != nil {
				return err
			}
			if !ok {
				m.record(EntryEntered, n.ID, "", "loop not entered")
				m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
				return nil
			}
		}
		body := m.newInstance(BodyInstance, n.ID, scope.ID, nil)
		m.armBoundaries(body)
		m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: 0})
		return nil
	}
	items, total, err := m.miItems(scope, n)
	if err != nil {
		return err
	}
	body := m.newInstance(BodyInstance, n.ID, scope.ID, nil)
	body.MI = &MIState{Total: total, Items: items}
	m.armBoundaries(body)
	switch {
	case total == 0:
		m.push(job{Op: opBodyCheck, Instance: body.ID})
	case loop.Sequential:
		body.MI.Next, body.MI.Active = 1, 1
		m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: 0})
	default:
		body.MI.Next, body.MI.Active = total, total
		for i := 0; i < total; i++ {
			m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: i})
		}
	}
	m.setBodyVars(body)
	return nil
}

// miItems resolves the collection or cardinality of a multi-instance activity.
func (m *Machine) miItems(scope *Instance, n *definitions.Node) ([]any, int, error) {
	loop := n.Loop
	vars := m.vars(scope.ID)
	if strings.TrimSpace(loop.Collection) != "" {
		items, err := Collection(n, m.env(vars, n))
		return items, len(items), err
	}
	if c := strings.TrimSpace(loop.LoopCardinality); c != "" {
		e, err := m.model.compile(definitions.ExprUse{Source: c, Kind: definitions.ExprNumber})
		if err != nil {
			return nil, 0, fmt.Errorf("loop cardinality of %s: %w", n.ID, err)
		}
		total, err := e.IntIn(m.env(vars, n))
		if err != nil {
			return nil, 0, fmt.Errorf("loop cardinality of %s: %w", n.ID, err)
		}
		if total < 0 {
			return nil, 0, fmt.Errorf("loop cardinality of %s is negative (%d)", n.ID, total)
		}
		return nil, total, nil
	}
	return nil, 0, fmt.Errorf("multi-instance %s has neither a loop cardinality nor a collection", n.ID)
}

// Collection resolves the collection of a multi-instance activity in env:
// a variable name or an expression giving a list.
func Collection(n *definitions.Node, env *expression.Env) ([]any, error) {
	c := strings.TrimSpace(n.Loop.Collection)
	vars := env.Vars
	var v any
	if expression.IsExpression(c) {
		var err error
		if v, err = expression.ValueIn(c, env); err != nil {
			return nil, fmt.Errorf("collection of %s: %w", n.ID, err)
		}
	} else {
		var ok bool
		if v, ok = vars[c]; !ok {
			return nil, fmt.Errorf("collection of %s: %w: %s", n.ID, expression.ErrMissingVariable, c)
		}
	}
	switch x := v.(type) {
	case []any:
		return append([]any(nil), x...), nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("collection of %s is %T, not a list", n.ID, v)
}

// CandidateGroups resolves the candidate groups user task n will have over
// vars, as the machine resolves them when it creates the task; for a
// multi-instance task over a collection, the groups of every instance.
func CandidateGroups(n *definitions.Node, vars map[string]any) ([]string, error) {
	a := n.Assignment
	if a == nil || len(a.CandidateGroups) == 0 {
		return nil, nil
	}
	scopes := []map[string]any{vars}
	if l := n.Loop; l != nil && l.MultiInstance && strings.TrimSpace(l.Collection) != "" {
		items, err := Collection(n, &expression.Env{Vars: vars})
		if err != nil {
			return nil, err
		}
		scopes = scopes[:0]
		for i, el := range items {
			s := copyVars(vars)
			s[definitions.VarLoopCounter] = float64(i)
			if l.ElementVariable != "" {
				s[l.ElementVariable] = el
			}
			scopes = append(scopes, s)
		}
	}
	var out []string
	for _, s := range scopes {
		groups, err := listValue(a.CandidateGroups, &expression.Env{Vars: s}, n, "candidateGroups")
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if !contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// startInner starts instance Index of body Instance.
func (m *Machine) startInner(s job) error {
	body := m.st.instance(s.Instance)
	if body == nil {
		return nil
	}
	n := m.model.node(body.Element)
	vars := map[string]any{definitions.VarLoopCounter: float64(s.Index)}
	if body.MI != nil && n.Loop.ElementVariable != "" && s.Index < len(body.MI.Items) {
		vars[n.Loop.ElementVariable] = body.MI.Items[s.Index]
	}
	for k, v := range s.Vars {
		vars[k] = v
	}
	return m.enter(job{Op: opEnter, Scope: body.ID, Node: n.ID, Inner: true, Vars: vars})
}

// innerDone books one finished instance of body and schedules the check
// that decides whether the body goes on.
func (m *Machine) innerDone(body *Instance, outcome string) {
	if body.MI != nil {
		body.MI.Completed++
		body.MI.Active--
		body.MI.addOutcome(outcome)
		m.setBodyVars(body)
	}
	m.push(job{Op: opBodyCheck, Instance: body.ID})
}

func (mi *MIState) addOutcome(outcome string) {
	for i := range mi.Outcomes {
		if mi.Outcomes[i].Outcome == outcome {
			mi.Outcomes[i].Count++
			return
		}
	}
	mi.Outcomes = append(mi.Outcomes, OutcomeCount{Outcome: outcome, Count: 1})
}

// checkBody completes the body, starts its next instance, or waits.
func (m *Machine) checkBody(s job) error {
	body := m.st.instance(s.Instance)
	if body == nil {
		return nil
	}
	n := m.model.node(body.Element)
	if body.MI == nil {
		return m.nextLoop(body, n)
	}
	mi := body.MI
	done := mi.Active == 0 && mi.Next >= mi.Total
	result := ""
	if n.Step != nil && n.Step.Countersign != "" {
		var err error
		if result, err = countersign(n.Step.Countersign, mi); err != nil {
			return fmt.Errorf("countersign rule of %s: %w", n.ID, err)
		}
	}
	early := result != ""
	if !early && !done && n.Loop.CompletionCondition != "" && mi.Completed > 0 {
		e, err := m.model.condition(n.Loop.CompletionCondition)
		if err != nil {
			return fmt.Errorf("completion condition of %s: %w", n.ID, err)
		}
		if early, err = e.BoolIn(m.env(m.vars(body.ID), n)); err != nil {
			return fmt.Errorf("completion condition of %s: %w", n.ID, err)
		}
	}
	if !early && !done {
		if n.Loop.Sequential && mi.Active == 0 && mi.Next < mi.Total {
			mi.Active++
			mi.Next++
			m.setBodyVars(body)
			m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: mi.Next - 1})
		}
		return nil
	}
	if n.Step != nil && n.Step.Countersign != "" && result == "" {
		result = "agreed"
		if mi.Completed == 0 {
			result = "objected"
		}
	}
	m.cancelChildren(body, "completion condition of "+n.ID+" met")
	m.completeBody(body, result)
	return nil
}

// nextLoop runs the next turn of a standard loop while its condition holds.
func (m *Machine) nextLoop(body *Instance, n *definitions.Node) error {
	loop := n.Loop
	again := false
	if loop.LoopCondition != "" {
		ok, err := m.loopCondition(body.ID, n, body.Loop+1)
		if err != nil {
			return err
		}
		again = ok
	} else {
		// Without a condition the loop runs loopMaximum times (once if unset).
		again = loop.LoopMaximum > 0
	}
	if again && (loop.LoopMaximum == 0 || body.Loop+1 < loop.LoopMaximum) {
		body.Loop++
		m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: body.Loop})
		return nil
	}
	m.completeBody(body, "")
	return nil
}

func (m *Machine) loopCondition(scope string, n *definitions.Node, counter int) (bool, error) {
	e, err := m.model.condition(n.Loop.LoopCondition)
	if err != nil {
		return false, fmt.Errorf("loop condition of %s: %w", n.ID, err)
	}
	vars := m.vars(scope)
	vars[definitions.VarLoopCounter] = float64(counter)
	ok, err := e.BoolIn(m.env(vars, n))
	if err != nil {
		return false, fmt.Errorf("loop condition of %s: %w", n.ID, err)
	}
	return ok, nil
}

// completeBody ends a body and continues after its activity. The
// instances' outcomes, and the countersign result if the activity has a
// countersign rule, become variables of the enclosing scope.
func (m *Machine) completeBody(body *Instance, result string) {
	m.closeWaits(body, "cancelled")
	if body.MI != nil {
		outcomes := map[string]any{}
		for _, o := range body.MI.Outcomes {
			if o.Outcome != "" {
				outcomes[o.Outcome] = float64(o.Count)
			}
		}
		vars := map[string]any{definitions.VarOutcomes: outcomes}
		if result != "" {
			vars[definitions.VarCountersignResult] = result
		}
		if parent := m.st.instance(body.Parent); parent != nil {
			m.setVars(parent, vars, false)
		}
	}
	m.record(EntryCompleted, body.Element, body.ID, result)
	m.dropInstance(body)
	m.push(job{Op: opLeave, Scope: body.Parent, Node: body.Element})
}

func (m *Machine) setBodyVars(body *Instance) {
	mi := body.MI
	body.Vars[definitions.VarNrOfInstances] = float64(mi.Total)
	body.Vars[definitions.VarNrOfCompletedInstances] = float64(mi.Completed)
	body.Vars[definitions.VarNrOfActiveInstances] = float64(mi.Active)
	outcomes := map[string]any{}
	for _, o := range mi.Outcomes {
		if o.Outcome != "" {
			outcomes[o.Outcome] = float64(o.Count)
		}
	}
	body.Vars[definitions.VarOutcomes] = outcomes
}

// positiveOutcomes are the outcomes that count as agreement in a countersign.
var positiveOutcomes = map[string]bool{
	"": true, "approve": true, "approved": true, "agree": true, "agreed": true,
	"accept": true, "accepted": true, "pass": true, "yes": true,
}

// countersign applies a countersign rule: "all" (any objection decides
// "objected"), "any" (any agreement decides "agreed") or a share such as
// "0.6" of agreements. It returns "" while undecided.
func countersign(rule string, mi *MIState) (string, error) {
	agreed := 0
	for _, o := range mi.Outcomes {
		if positiveOutcomes[strings.ToLower(o.Outcome)] {
			agreed += o.Count
		}
	}
	objected := mi.Completed - agreed
	finished := mi.Active == 0 && mi.Next >= mi.Total
	switch rule {
	case "all":
		if objected > 0 {
			return "objected", nil
		}
		if finished {
			return "agreed", nil
		}
	case "any":
		if agreed > 0 {
			return "agreed", nil
		}
		if finished {
			return "objected", nil
		}
	default:
		var share float64
		if _, err := fmt.Sscanf(rule, "%g", &share); err != nil || share <= 0 || share > 1 {
			return "", fmt.Errorf("%q is not all, any or a share between 0 and 1", rule)
		}
		need := int(math.Ceil(share*float64(mi.Total) - 1e-9))
		if agreed >= need {
			return "agreed", nil
		}
		if objected > mi.Total-need || finished {
			return "objected", nil
		}
	}
	return "", nil
}

// addInstance adds one instance (a signer) to a running multi-instance body.
func (m *Machine) addInstance(ev Event) error {
	body := m.st.instance(ev.WaitID)
	if body == nil || body.Kind != BodyInstance || body.MI == nil {
		return fmt.Errorf("%w: %s is not a running multi-instance activity", ErrNoWait, ev.WaitID)
	}
	n := m.model.node(body.Element)
	mi := body.MI
	mi.Items = append(mi.Items, ev.Item)
	mi.Total++
	if !n.Loop.Sequential {
		mi.Next++
		mi.Active++
		m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: mi.Total - 1})
	}
	m.setBodyVars(body)
	m.record(EntryMoved, body.Element, body.ID, "instance added")
	return nil
}

// removeInstance cancels one instance (a signer's task) of a running body.
func (m *Machine) removeInstance(ev Event) error {
	w, in := m.st.wait(ev.WaitID)
	if w == nil || w.Kind != TaskWait {
		return fmt.Errorf("%w: no open task %s", ErrNoWait, ev.WaitID)
	}
	body := m.st.instance(in.Parent)
	if !in.Inner || body == nil || body.MI == nil {
		return fmt.Errorf("%w: task %s is not one instance of a multi-instance activity", ErrBadEvent, ev.WaitID)
	}
	if body.MI.Total-body.MI.Completed <= 1 && body.MI.Completed == 0 {
		return fmt.Errorf("%w: task %s is the only instance left", ErrBadEvent, ev.WaitID)
	}
	m.cancelInstance(in, "instance removed")
	body.MI.Total--
	body.MI.Active--
	if body.MI.Next > body.MI.Total {
		body.MI.Next = body.MI.Total
	}
	m.setBodyVars(body)
	m.push(job{Op: opBodyCheck, Instance: body.ID})
	return nil
}

// reopenInstance takes back one completed instance of a running parallel
// body: its outcome stops counting and the instance starts again (a new
// task for the same element value).
func (m *Machine) reopenInstance(ev Event) error {
	body := m.st.instance(ev.WaitID)
	if body == nil || body.Kind != BodyInstance || body.MI == nil {
		return fmt.Errorf("%w: %s is not a running multi-instance activity", ErrNoWait, ev.WaitID)
	}
	n := m.model.node(body.Element)
	mi := body.MI
	idx, ok := ev.Item.(float64)
	switch {
	case n.Loop.Sequential:
		return fmt.Errorf("%w: %s runs its instances one after another: an instance cannot be reopened", ErrBadEvent, n.ID)
	case !ok || idx < 0 || int(idx) != int(math.Floor(idx)) || int(idx) >= mi.Next:
		return fmt.Errorf("%w: %v is not a started instance of %s", ErrBadEvent, ev.Item, n.ID)
	case mi.Completed == 0 || !mi.removeOutcome(ev.Outcome):
		return fmt.Errorf("%w: no instance of %s completed with %q", ErrBadEvent, n.ID, ev.Outcome)
	}
	mi.Completed--
	mi.Active++
	m.setBodyVars(body)
	m.record(EntryMoved, body.Element, body.ID, "instance reopened")
	m.push(job{Op: opInner, Instance: body.ID, Scope: body.ID, Index: int(idx)})
	return nil
}

// removeOutcome takes one completion with outcome off the counts.
func (mi *MIState) removeOutcome(outcome string) bool {
	for i := range mi.Outcomes {
		if mi.Outcomes[i].Outcome == outcome && mi.Outcomes[i].Count > 0 {
			mi.Outcomes[i].Count--
			return true
		}
	}
	return false
}

// move cancels a waiting user task and starts target, a node of the same
// scope or of an enclosing one (the scopes in between end).
func (m *Machine) move(ev Event) error {
	w, in := m.st.wait(ev.WaitID)
	if w == nil || w.Kind != TaskWait || w.Role != MainRole {
		return fmt.Errorf("%w: no open task %s", ErrNoWait, ev.WaitID)
	}
	t := m.model.node(ev.Target)
	if t == nil || t.Kind == definitions.BoundaryEvent || t.Kind == definitions.StartEvent || t.TriggeredByEvent {
		return fmt.Errorf("%w: %q is not a node a token can be moved to", ErrBadEvent, ev.Target)
	}
	for cur := in; cur != nil; cur = m.st.instance(cur.Parent) {
		parent := m.st.instance(cur.Parent)
		if parent != nil && isScope(parent) && scopeNodeOf(parent) == t.Parent {
			m.cancelInstance(cur, "moved to "+t.ID)
			m.record(EntryMoved, t.ID, "", "from "+w.Element)
			m.push(job{Op: opEnter, Scope: parent.ID, Node: t.ID})
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not in a scope enclosing task %s", ErrBadEvent, t.ID, ev.WaitID)
}
