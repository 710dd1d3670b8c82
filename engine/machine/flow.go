package machine

import (
	"fmt"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/expression"
)

// enter runs a token's arrival at a node.
func (m *Machine) enter(s job) error {
	n := m.model.node(s.Node)
	if n == nil {
		return fmt.Errorf("no node %q", s.Node)
	}
	scope := m.st.instance(s.Scope)
	if scope == nil {
		return nil // the scope ended while the step waited
	}
	if n.Loop != nil && !s.Inner && n.Kind.IsActivity() {
		return m.startBody(scope, n)
	}
	switch {
	case n.Kind.IsEvent():
		return m.enterEvent(scope, n, s)
	case n.Kind.IsGateway():
		return m.enterGateway(scope, n, s)
	}
	switch n.Kind {
	case definitions.UserTask:
		spec, err := m.taskSpec(scope, n, s.Vars)
		if err != nil {
			return err
		}
		in := m.startActivity(scope, n, s)
		spec.Body = ""
		if s.Inner {
			spec.Body = scope.ID
		}
		m.openWait(in, &Wait{Kind: TaskWait, Role: MainRole, Element: n.ID, Task: spec})
		return nil
	case definitions.ReceiveTask:
		if s.Triggered {
			m.record(EntryEntered, n.ID, "", "")
			return m.done(scope, n, s.Inner, "")
		}
		in := m.startActivity(scope, n, s)
		m.openWait(in, &Wait{Kind: MessageWait, Role: MainRole, Element: n.ID, Name: m.taskMessage(n)})
		return nil
	case definitions.ServiceTask, definitions.SendTask, definitions.BusinessRuleTask, definitions.ScriptTask:
		if m.model.isHandler(n) {
			vars := m.vars(scope.ID)
			for k, v := range s.Vars {
				vars[k] = v
			}
			in := m.startActivity(scope, n, s)
			m.openWait(in, &Wait{Kind: HandlerWait, Role: MainRole, Element: n.ID, Name: n.Implementation,
				Handler: &HandlerSpec{Handler: n.Implementation, Vars: vars}})
			return nil
		}
		m.record(EntryEntered, n.ID, "", "")
		if err := m.runScript(scope, n, s.Vars); err != nil {
			return err
		}
		if n.Kind == definitions.BusinessRuleTask && n.Decision != nil {
			if err := m.decide(scope, n, s.Vars); err != nil {
				return err
			}
		}
		if n.Kind == definitions.SendTask {
			m.emit(Command{Kind: SendMessage, Name: m.taskMessage(n), Vars: m.vars(scope.ID)})
		}
		return m.done(scope, n, s.Inner, "")
	case definitions.Task, definitions.ManualTask:
		m.record(EntryEntered, n.ID, "", "")
		return m.done(scope, n, s.Inner, "")
	case definitions.SubProcess, definitions.Transaction, definitions.AdHocSubProcess:
		if n.TriggeredByEvent {
			return fmt.Errorf("event sub-process %s has no incoming flow to enter by", n.ID)
		}
		in := m.newInstance(ScopeInstance, n.ID, scope.ID, copyVars(s.Vars))
		in.Inner = s.Inner
		m.record(EntryEntered, n.ID, in.ID, "")
		if !s.Inner {
			m.armBoundaries(in)
		}
		m.armEventSubs(in)
		m.startScope(in, n.ID)
		return nil
	case definitions.CallActivity:
		spec, err := m.childSpec(scope, n, s.Vars)
		if err != nil {
			return err
		}
		in := m.startActivity(scope, n, s)
		m.openWait(in, &Wait{Kind: ChildWait, Role: MainRole, Element: n.ID, Child: spec})
		return nil
	}
	return fmt.Errorf("%s %s cannot be executed", n.Kind, n.ID)
}

// startActivity creates the instance of a waiting activity and arms its
// boundary events (a multi-instance body holds them for its instances).
func (m *Machine) startActivity(scope *Instance, n *definitions.Node, s job) *Instance {
	in := m.newInstance(ActivityInstance, n.ID, scope.ID, copyVars(s.Vars))
	in.Inner = s.Inner
	m.record(EntryEntered, n.ID, in.ID, "")
	if !s.Inner {
		m.armBoundaries(in)
	}
	return in
}

// startScope puts tokens on the start of a process or sub-process scope.
func (m *Machine) startScope(in *Instance, scopeNode string) {
	started := false
	for _, st := range m.model.starts[scopeNode] {
		if st.Event() == nil {
			m.push(job{Op: opEnter, Scope: in.ID, Node: st.ID})
			started = true
		}
	}
	if !started {
		m.enterImplicitStarts(in, scopeNode)
	}
}

// enterImplicitStarts starts a scope without a none start event at every
// node that has no incoming flow, as BPMN allows.
func (m *Machine) enterImplicitStarts(in *Instance, scopeNode string) {
	for _, n := range m.model.Process.Children(scopeNode) {
		if len(n.Incoming) > 0 || n.Kind == definitions.BoundaryEvent || n.TriggeredByEvent ||
			n.Kind == definitions.StartEvent || n.Kind == definitions.EndEvent {
			continue
		}
		m.push(job{Op: opEnter, Scope: in.ID, Node: n.ID})
	}
}

// done finishes a node that does not wait: the next node of its path, or
// the next turn of its multi-instance body.
func (m *Machine) done(scope *Instance, n *definitions.Node, inner bool, outcome string) error {
	if inner {
		m.innerDone(scope, outcome)
		return nil
	}
	m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
	return nil
}

// completeInstance finishes a waiting instance normally.
func (m *Machine) completeInstance(in *Instance, outcome string) {
	m.closeWaits(in, "cancelled")
	m.record(EntryCompleted, in.Element, in.ID, outcome)
	m.dropInstance(in)
	parent := m.st.instance(in.Parent)
	if parent == nil {
		return
	}
	if in.Inner {
		m.innerDone(parent, outcome)
		return
	}
	m.push(job{Op: opLeave, Scope: parent.ID, Node: in.Element})
}

// completeScope finishes a scope with no token left in it.
func (m *Machine) completeScope(in *Instance) {
	switch in.Kind {
	case ProcessInstance:
		m.record(EntryCompleted, "", in.ID, "")
		m.finish(Completed, nil)
	case EventSubInstance:
		m.closeWaits(in, "cancelled")
		m.record(EntryCompleted, in.Element, in.ID, "")
		m.dropInstance(in)
		// An interrupting event sub-process replaced its scope's content:
		// the scope is now empty and completes on the next settle.
	default:
		m.completeInstance(in, "")
	}
}

// leave takes a node's outgoing flows.
func (m *Machine) leave(s job) error {
	n := m.model.node(s.Node)
	scope := m.st.instance(s.Scope)
	if n == nil || scope == nil {
		return nil
	}
	var flows []string
	var err error
	switch n.Kind {
	case definitions.ParallelGateway:
		flows = n.Outgoing
	case definitions.ExclusiveGateway, definitions.ComplexGateway:
		flows, err = m.pickExclusive(scope, n)
	case definitions.InclusiveGateway:
		flows, err = m.pickInclusive(scope, n)
	default:
		flows, err = m.pickImplicit(scope, n)
	}
	if err != nil {
		return err
	}
	for _, fid := range flows {
		f := m.model.flow(fid)
		m.push(job{Op: opEnter, Scope: scope.ID, Node: f.Target, Flow: f.ID})
	}
	return nil
}

// pickImplicit chooses the flows out of an activity or event: every flow
// without a condition, every conditional flow whose condition holds, and
// the default flow when nothing else was taken.
func (m *Machine) pickImplicit(scope *Instance, n *definitions.Node) ([]string, error) {
	if len(n.Outgoing) == 0 {
		return nil, nil // the token is consumed: an implicit end
	}
	taken, err := m.openFlows(scope, n, false)
	if err != nil || len(taken) > 0 {
		return taken, err
	}
	if n.Default != "" {
		return []string{n.Default}, nil
	}
	return nil, fmt.Errorf("no outgoing flow of %s %s can be taken: every condition is false and there is no default flow", n.Kind, n.ID)
}

// openFlows lists, in document order, the outgoing flows of n other than
// its default that have no condition or whose condition holds; first stops
// at the first one (an exclusive choice).
func (m *Machine) openFlows(scope *Instance, n *definitions.Node, first bool) ([]string, error) {
	var taken []string
	for _, fid := range n.Outgoing {
		if fid == n.Default {
			continue
		}
		f := m.model.flow(fid)
		ok := f.Condition == ""
		if !ok {
			var err error
			if ok, err = m.condition(scope, f); err != nil {
				return nil, err
			}
		}
		if ok {
			taken = append(taken, fid)
			if first {
				break
			}
		}
	}
	return taken, nil
}

func (m *Machine) condition(scope *Instance, f *definitions.SequenceFlow) (bool, error) {
	e, err := m.model.compile(definitions.ExprUse{Source: f.Condition, Kind: definitions.ExprCondition, Language: m.model.Defs.ConditionLanguage(f)})
	if err != nil {
		return false, fmt.Errorf("condition of flow %s: %w", f.ID, err)
	}
	ok, err := e.BoolIn(m.env(m.vars(scope.ID), m.model.node(f.Source)))
	if err != nil {
		return false, fmt.Errorf("condition of flow %s: %w", f.ID, err)
	}
	return ok, nil
}

// runScript evaluates a script task written in an expression language and
// stores its result; scripts in languages onewindow does not run pass.
func (m *Machine) runScript(scope *Instance, n *definitions.Node, local map[string]any) error {
	if !definitions.RunsScript(n) {
		return nil
	}
	e, err := m.model.compile(definitions.ExprUse{Source: n.Script, Kind: definitions.ExprScript, Language: strings.ToLower(strings.TrimSpace(n.ScriptFormat))})
	if err != nil {
		return fmt.Errorf("script of %s: %w", n.ID, err)
	}
	vars := m.vars(scope.ID)
	for k, v := range local {
		vars[k] = v
	}
	v, err := e.EvalIn(m.env(vars, n))
	if err != nil {
		return fmt.Errorf("script of %s: %w", n.ID, err)
	}
	if n.ResultVariable != "" {
		m.setVars(scope, map[string]any{n.ResultVariable: v}, false)
	}
	return nil
}

// StepLimitsVar is the process variable whose object maps user task ids
// to their time limits in working days, overriding ow:timeLimit.
const StepLimitsVar = "stepLimits"

// taskSpec resolves a user task's assignment expressions over the
// variables the new task will see.
func (m *Machine) taskSpec(scope *Instance, n *definitions.Node, local map[string]any) (*TaskSpec, error) {
	vars := m.vars(scope.ID)
	for k, v := range local {
		vars[k] = v
	}
	spec := &TaskSpec{Name: n.Name, LoopCounter: -1, Documentation: n.Documentation}
	env := m.env(vars, n)
	env.Task = &expression.Task{Name: n.Name, Key: n.ID, Description: n.Documentation, Created: env.Now}
	if name, err := expression.InterpolateIn(n.Name, env); err == nil {
		spec.Name = name
	}
	env.Task.Name = spec.Name
	if doc, err := expression.InterpolateIn(n.Documentation, env); err == nil {
		spec.Documentation = strings.TrimSpace(doc)
	}
	if lc, ok := local[definitions.VarLoopCounter].(float64); ok {
		spec.LoopCounter = int(lc)
	}
	if n.Step != nil {
		spec.StepKind, spec.LimitDays, spec.WarnDays = n.Step.Kind, n.Step.LimitDays, n.Step.WarnDays
	}
	// An item may set its own limit for a step: the process variable
	// stepLimits maps user task ids to working days (see the catalogue).
	if limits, ok := vars[StepLimitsVar].(map[string]any); ok {
		if d, ok := limits[n.ID].(float64); ok && d > 0 {
			spec.LimitDays = d
		}
	}
	a := n.Assignment
	if a == nil {
		return spec, nil
	}
	var err error
	if spec.Assignee, err = textValue(a.Assignee, env, n, "assignee"); err != nil {
		return nil, err
	}
	env.Task.Assignee = spec.Assignee
	if spec.CandidateUsers, err = listValue(a.CandidateUsers, env, n, "candidateUsers"); err != nil {
		return nil, err
	}
	if spec.CandidateGroups, err = listValue(a.CandidateGroups, env, n, "candidateGroups"); err != nil {
		return nil, err
	}
	if spec.DueDate, err = textValue(a.DueDate, env, n, "dueDate"); err != nil {
		return nil, err
	}
	if spec.Priority, err = textValue(a.Priority, env, n, "priority"); err != nil {
		return nil, err
	}
	spec.FormKey = a.FormKey
	return spec, nil
}

func textValue(src string, env *expression.Env, n *definitions.Node, what string) (string, error) {
	if src == "" {
		return "", nil
	}
	v, err := expression.ValueIn(src, env)
	if err != nil {
		return "", fmt.Errorf("%s of %s: %w", what, n.ID, err)
	}
	return expression.Text(v), nil
}

// listValue resolves a list of names where each entry may be an
// expression giving one name, a comma-separated string or a list.
func listValue(srcs []string, env *expression.Env, n *definitions.Node, what string) ([]string, error) {
	var out []string
	for _, src := range srcs {
		v, err := expression.ValueIn(src, env)
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", what, n.ID, err)
		}
		switch x := v.(type) {
		case []any:
			for _, el := range x {
				out = append(out, expression.Text(el))
			}
		case []string:
			out = append(out, x...)
		default:
			for _, part := range strings.Split(expression.Text(v), ",") {
				if p := strings.TrimSpace(part); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out, nil
}

// childSpec resolves a call activity's called process and input variables.
func (m *Machine) childSpec(scope *Instance, n *definitions.Node, local map[string]any) (*ChildSpec, error) {
	vars := m.vars(scope.ID)
	for k, v := range local {
		vars[k] = v
	}
	env := m.env(vars, n)
	called, err := textValue(n.CalledElement, env, n, "calledElement")
	if err != nil {
		return nil, err
	}
	if called == "" {
		return nil, fmt.Errorf("call activity %s names no process to call", n.ID)
	}
	in, err := mapVars(n.In, env)
	if err != nil {
		return nil, fmt.Errorf("input mapping of %s: %w", n.ID, err)
	}
	return &ChildSpec{Process: called, Vars: in}, nil
}

// mapVars applies variable mappings over env's variables; no mapping passes every variable.
func mapVars(mappings []definitions.Mapping, env *expression.Env) (map[string]any, error) {
	vars := env.Vars
	if len(mappings) == 0 {
		return copyVars(vars), nil
	}
	out := map[string]any{}
	for _, mp := range mappings {
		switch {
		case mp.All:
			for k, v := range vars {
				out[k] = v
			}
		case mp.SourceExpr != "":
			v, err := expression.ValueIn(mp.SourceExpr, env)
			if err != nil {
				return nil, err
			}
			out[mp.Target] = v
		case mp.Source != "":
			if v, ok := vars[mp.Source]; ok {
				target := mp.Target
				if target == "" {
					target = mp.Source
				}
				out[target] = v
			}
		}
	}
	return out, nil
}

// childOutput maps a finished child case's variables back to the caller.
func (m *Machine) childOutput(n *definitions.Node, vars map[string]any) (map[string]any, error) {
	out, err := mapVars(n.Out, m.env(vars, n))
	if err != nil {
		return nil, fmt.Errorf("output mapping of %s: %w", n.ID, err)
	}
	return out, nil
}

// callDone ends call activity instance s.Instance whose called case finished with variables
// s.Vars: its output mappings apply, then it completes, or, when the called case ended in
// BPMN error s.Error, the error is thrown at it (its boundary events see what the mappings
// set, as in Camunda). A mapping that fails (a sourceExpression over a variable the called
// case does not have) is an incident at the call activity, as Camunda raises one, instead of
// dropping every output: the job is kept, and a retry maps again (its variables go to the
// called case's, which the mappings read).
func (m *Machine) callDone(s job) {
	in := m.st.instance(s.Instance)
	if in == nil {
		return // cancelled meanwhile (a boundary event, the end of its scope)
	}
	if s.Error == nil || s.Vars != nil {
		out, err := m.childOutput(m.model.node(in.Element), s.Vars)
		if err != nil {
			m.raise(s, in.Element, err)
			return
		}
		m.setVars(in, out, false)
	}
	if s.Error != nil {
		m.throwError(in, s.Error.Code, s.Error.Message)
		return
	}
	m.completeInstance(in, "")
}

func (m *Machine) taskMessage(n *definitions.Node) string {
	if n.MessageName != "" {
		return n.MessageName
	}
	if n.MessageRef != "" {
		return m.model.messageName(n.MessageRef)
	}
	return n.ID
}
