package machine

import (
	"fmt"
	"strings"
	"sync"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/definitions/expression"
)

// Model is one process compiled for execution. It is read-only after
// Compile and shared by every case that runs the same definition version.
type Model struct {
	Defs    *definitions.Definitions
	Process *definitions.Process

	handlers  map[string]bool
	eventSubs map[string][]*definitions.Node // event sub-processes by scope ("" = process)
	starts    map[string][]*definitions.Node // start events by scope, event sub-processes excluded
	reach     map[string]map[string]bool     // node -> nodes reachable in the same scope
	exprs     sync.Map                       // language + source text -> *expression.Expression
	decisions map[string]*dmn.Definitions    // by decision id
	waitAt    map[string]bool                // Options.WaitAt
}

// Options configures Compile.
type Options struct {
	// Handlers names the built-in service handlers the shell can run. A
	// service task naming one waits for it; any other service task passes.
	Handlers []string
	// Decisions holds the DMN models the business rule tasks evaluate, by decision id (the
	// shell loads them with the definition, so that a replay evaluates the same versions).
	Decisions map[string]*dmn.Definitions
	// WaitAt names service, send, script and business rule tasks that wait as if they ran
	// a handler: a simulation completes them or makes them fail.
	WaitAt []string
}

// Compile prepares process processID of defs ("" picks the executable
// process) for execution.
func Compile(defs *definitions.Definitions, processID string, opts Options) (*Model, error) {
	p, err := pickProcess(defs, processID)
	if err != nil {
		return nil, err
	}
	p.Index()
	m := &Model{
		Defs:      defs,
		Process:   p,
		handlers:  map[string]bool{},
		eventSubs: map[string][]*definitions.Node{},
		starts:    map[string][]*definitions.Node{},
		reach:     map[string]map[string]bool{},
		decisions: opts.Decisions,
		waitAt:    map[string]bool{},
	}
	for _, h := range opts.Handlers {
		m.handlers[h] = true
	}
	for _, id := range opts.WaitAt {
		m.waitAt[id] = true
	}
	for _, n := range p.Nodes {
		switch {
		case n.Kind.IsSubProcess() && n.TriggeredByEvent:
			m.eventSubs[n.Parent] = append(m.eventSubs[n.Parent], n)
		case n.Kind == definitions.StartEvent:
			if parent := p.Node(n.Parent); parent != nil && parent.TriggeredByEvent {
				continue
			}
			m.starts[n.Parent] = append(m.starts[n.Parent], n)
		}
	}
	for _, n := range p.Nodes {
		m.reach[n.ID] = m.reachableFrom(n)
	}
	return m, nil
}

func pickProcess(defs *definitions.Definitions, id string) (*definitions.Process, error) {
	if id != "" {
		if p := defs.Process(id); p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("no process %q in the definitions", id)
	}
	var candidates []*definitions.Process
	for _, p := range defs.Processes {
		if p.Executable {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		for _, p := range defs.Processes {
			if !p.ExecutableSet {
				candidates = append(candidates, p)
			}
		}
	}
	switch len(candidates) {
	case 1:
		return candidates[0], nil
	case 0:
		return nil, fmt.Errorf("no executable process in the definitions")
	}
	ids := make([]string, len(candidates))
	for i, p := range candidates {
		ids[i] = p.ID
	}
	return nil, fmt.Errorf("several executable processes (%s): choose one by id", strings.Join(ids, ", "))
}

// reachableFrom returns the nodes of n's scope a token at n can still reach,
// through sequence flows and the boundary events of activities on the way.
func (m *Model) reachableFrom(n *definitions.Node) map[string]bool {
	seen := map[string]bool{}
	stack := []*definitions.Node{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		next := m.successors(cur)
		for _, s := range next {
			if !seen[s.ID] {
				seen[s.ID] = true
				stack = append(stack, s)
			}
		}
	}
	return seen
}

func (m *Model) successors(n *definitions.Node) []*definitions.Node {
	var out []*definitions.Node
	for _, fid := range n.Outgoing {
		if f := m.Process.Flow(fid); f != nil {
			if t := m.Process.Node(f.Target); t != nil {
				out = append(out, t)
			}
		}
	}
	if n.Kind.IsActivity() {
		out = append(out, m.Process.Boundaries(n.ID)...)
	}
	return out
}

// canReach reports whether a token at from can still arrive at to.
func (m *Model) canReach(from, to string) bool { return m.reach[from][to] }

// node returns the node with the given id; ids come from the model itself.
func (m *Model) node(id string) *definitions.Node { return m.Process.Node(id) }

func (m *Model) flow(id string) *definitions.SequenceFlow { return m.Process.Flow(id) }

// compile returns the compiled expression of one use (definitions.ExprUse.Compile, the code
// the validator runs), caching it.
func (m *Model) compile(u definitions.ExprUse) (*expression.Expression, error) {
	key := fmt.Sprintf("%d\x00%s\x00%s", u.Kind, u.Language, u.Source)
	if e, ok := m.exprs.Load(key); ok {
		return e.(*expression.Expression), nil
	}
	e, err := u.Compile()
	if err != nil {
		return nil, err
	}
	m.exprs.Store(key, e)
	return e, nil
}

// condition compiles a condition written in the file's expression language.
func (m *Model) condition(src string) (*expression.Expression, error) {
	return m.compile(definitions.ExprUse{Source: src, Kind: definitions.ExprCondition, Language: m.Defs.ExpressionLanguage})
}

// Decision returns the DMN model that holds decision id, or nil.
func (m *Model) Decision(id string) *dmn.Definitions { return m.decisions[id] }

// isHandler reports whether n runs a built-in handler that the shell knows, or waits as if
// it did (Options.WaitAt).
func (m *Model) isHandler(n *definitions.Node) bool {
	return n.Implementation != "" && m.handlers[n.Implementation] || m.waitAt[n.ID]
}

// messageName resolves a message reference to the name cases correlate on.
func (m *Model) messageName(ref string) string {
	for _, msg := range m.Defs.Messages {
		if msg.ID == ref {
			if msg.Name != "" {
				return msg.Name
			}
			return msg.ID
		}
	}
	return ref
}

// eventName is the message or signal name of an event definition.
func (m *Model) eventName(ev *definitions.EventDefinition) string {
	if ev.Name != "" {
		return ev.Name
	}
	if ev.Kind == definitions.MessageEvent {
		return m.messageName(ev.Ref)
	}
	if ev.Kind == definitions.SignalEvent {
		for _, s := range m.Defs.Signals {
			if s.ID == ev.Ref && s.Name != "" {
				return s.Name
			}
		}
	}
	return ev.Ref
}

// errorCode is the code an error or escalation event throws or catches; ""
// on a catch means every code.
func (m *Model) errorCode(ev *definitions.EventDefinition) string {
	if ev.Code != "" {
		return ev.Code
	}
	if ev.Ref == "" {
		return ""
	}
	for _, e := range m.Defs.Errors {
		if e.ID == ev.Ref {
			if e.Code != "" {
				return e.Code
			}
			return e.ID
		}
	}
	for _, e := range m.Defs.Escalations {
		if e.ID == ev.Ref {
			if e.Code != "" {
				return e.Code
			}
			return e.ID
		}
	}
	return ev.Ref
}
