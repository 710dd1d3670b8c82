package definitions

// The graph of a process: link events, reachability from the start events, and cycles a
// token cannot leave.

import (
	"sort"
	"strings"
)

// LinkTarget returns the link catch event that link throw event n jumps
// to: the intermediate catch event of the same scope whose link event
// definition has the same name. It returns nil when n is not a link throw
// event or no catch event matches.
func (p *Process) LinkTarget(n *Node) *Node {
	if n.Kind != IntermediateThrowEvent || n.EventKind() != LinkEvent {
		return nil
	}
	name := n.Event().LinkName
	for _, c := range p.Nodes {
		if c.Kind == IntermediateCatchEvent && c.Parent == n.Parent && c.EventKind() == LinkEvent && c.Event().LinkName == name {
			return c
		}
	}
	return nil
}

func (v *execValidator) links() {
	p := v.p
	catchByName := map[string]*Node{}
	for _, n := range p.Nodes {
		if n.Kind != IntermediateCatchEvent || n.EventKind() != LinkEvent {
			continue
		}
		key := n.Parent + "\x00" + n.Event().LinkName
		if first, dup := catchByName[key]; dup {
			v.errorf(CodeUnmatchedLink, n.Position, n.ID, "link catch events %s and %s share the name %q in the same scope", first.ID, n.ID, n.Event().LinkName)
			continue
		}
		catchByName[key] = n
	}
	for _, n := range p.Nodes {
		if n.Kind == IntermediateThrowEvent && n.EventKind() == LinkEvent && p.LinkTarget(n) == nil {
			v.errorf(CodeUnmatchedLink, n.Position, n.ID, "link throw event %s has no link catch event named %q in the same scope", n.ID, n.Event().LinkName)
		}
	}
}

// successors returns the nodes a token or trigger can move to from n
// within its scope: sequence-flow targets, attached boundary events and a
// link throw's catch event.
func (p *Process) successors(n *Node, boundaries map[string][]*Node) []*Node {
	var out []*Node
	for _, id := range n.Outgoing {
		if f := p.Flow(id); f != nil {
			if t := p.Node(f.Target); t != nil && t.Parent == n.Parent {
				out = append(out, t)
			}
		}
	}
	out = append(out, boundaries[n.ID]...)
	if t := p.LinkTarget(n); t != nil {
		out = append(out, t)
	}
	return out
}

func (p *Process) boundaryMap() map[string][]*Node {
	m := map[string][]*Node{}
	for _, n := range p.Nodes {
		if n.Kind == BoundaryEvent && n.AttachedTo != "" {
			m[n.AttachedTo] = append(m[n.AttachedTo], n)
		}
	}
	return m
}

// reachability reports flow nodes no start event leads to. Event
// sub-processes start their own paths; boundary events are reached with
// their activity; the content of a sub-process is reached from its start.
func (v *execValidator) reachability(unsupported map[string]bool) {
	p := v.p
	boundaries := p.boundaryMap()
	children := map[string][]*Node{}
	for _, n := range p.Nodes {
		children[n.Parent] = append(children[n.Parent], n)
	}
	seen := map[string]bool{}
	var queue []*Node
	visit := func(n *Node) {
		if !seen[n.ID] {
			seen[n.ID] = true
			queue = append(queue, n)
		}
	}
	enter := func(scope string) {
		hasStart := false
		for _, c := range children[scope] {
			if c.Kind == StartEvent {
				hasStart = true
				visit(c)
			}
			if c.TriggeredByEvent {
				visit(c)
			}
		}
		if !hasStart && scope != "" {
			// No start event (reported elsewhere): BPMN starts every node
			// without incoming flow.
			for _, c := range children[scope] {
				if len(c.Incoming) == 0 && c.Kind != BoundaryEvent {
					visit(c)
				}
			}
		}
	}
	enter("")
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, s := range p.successors(n, boundaries) {
			visit(s)
		}
		if n.Kind.IsSubProcess() {
			enter(n.ID)
		}
	}
	for _, n := range p.Nodes {
		if seen[n.ID] || unsupported[n.ID] || p.Node(n.ID) != n {
			continue
		}
		if n.Parent != "" && !seen[n.Parent] {
			continue // its sub-process is reported instead
		}
		v.errorf(CodeUnreachable, n.Position, n.ID, "%s %s cannot be reached from a start event", n.Kind, n.ID)
	}
}

// cycles reports strongly connected sets of nodes a token can enter but
// never leave: no flow leaves the set, no boundary event escapes it, no
// interrupting event sub-process or boundary event of the enclosing
// sub-process can end it.
func (v *execValidator) cycles() {
	p := v.p
	boundaries := p.boundaryMap()
	byScope := map[string][]*Node{}
	for _, n := range p.Nodes {
		byScope[n.Parent] = append(byScope[n.Parent], n)
	}
	scopes := make([]string, 0, len(byScope))
	for s := range byScope {
		scopes = append(scopes, s)
	}
	sort.Strings(scopes)
	for _, scope := range scopes {
		if v.scopeEscapable(scope, boundaries) {
			continue
		}
		nodes := byScope[scope]
		for _, comp := range p.sccs(nodes, boundaries) {
			member := map[string]bool{}
			for _, n := range comp {
				member[n.ID] = true
			}
			cyclic := len(comp) > 1
			exit := false
			for _, n := range comp {
				if n.Kind == EndEvent {
					exit = true // reported as end-event-outgoing
				}
				for _, s := range p.successors(n, boundaries) {
					if !member[s.ID] {
						exit = true
					} else if s == n {
						cyclic = true
					}
				}
			}
			if !cyclic || exit {
				continue
			}
			sort.Slice(comp, func(i, j int) bool { return nodeBefore(comp[i], comp[j]) })
			ids := make([]string, len(comp))
			for i, n := range comp {
				ids[i] = n.ID
			}
			v.errorf(CodeNoWayOut, comp[0].Position, comp[0].ID, "a token entering the cycle %s can never leave it: no flow, end event or boundary event leads out", strings.Join(ids, " → "))
		}
	}
}

func nodeBefore(a, b *Node) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

// scopeEscapable reports whether something other than the scope's own
// flows can end it: an interrupting event sub-process inside it or an
// interrupting boundary event on it.
func (v *execValidator) scopeEscapable(scope string, boundaries map[string][]*Node) bool {
	p := v.p
	for _, n := range p.Nodes {
		if n.Parent == scope && n.TriggeredByEvent {
			for _, s := range p.Children(n.ID) {
				if s.Kind == StartEvent && s.Interrupting {
					return true
				}
			}
		}
	}
	if scope == "" {
		return false
	}
	for _, b := range boundaries[scope] {
		if b.CancelActivity {
			return true
		}
	}
	return false
}

// sccs returns the strongly connected components of nodes (Tarjan's
// algorithm, iterative so deep graphs cannot overflow the stack).
func (p *Process) sccs(nodes []*Node, boundaries map[string][]*Node) [][]*Node {
	index := map[*Node]int{}
	low := map[*Node]int{}
	onStack := map[*Node]bool{}
	var stack []*Node
	var out [][]*Node
	next := 0
	type item struct {
		n    *Node
		succ []*Node
		i    int
	}
	for _, root := range nodes {
		if _, done := index[root]; done {
			continue
		}
		work := []*item{{n: root, succ: p.successors(root, boundaries)}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			top := work[len(work)-1]
			if top.i < len(top.succ) {
				s := top.succ[top.i]
				top.i++
				if _, seen := index[s]; !seen {
					index[s], low[s] = next, next
					next++
					stack = append(stack, s)
					onStack[s] = true
					work = append(work, &item{n: s, succ: p.successors(s, boundaries)})
				} else if onStack[s] && index[s] < low[top.n] {
					low[top.n] = index[s]
				}
				continue
			}
			work = work[:len(work)-1]
			if len(work) > 0 {
				parent := work[len(work)-1].n
				if low[top.n] < low[parent] {
					low[parent] = low[top.n]
				}
			}
			if low[top.n] == index[top.n] {
				var comp []*Node
				for {
					m := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[m] = false
					comp = append(comp, m)
					if m == top.n {
						break
					}
				}
				out = append(out, comp)
			}
		}
	}
	return out
}
