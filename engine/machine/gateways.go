package machine

import (
	"fmt"

	"onewindow/definitions"
)

// enterGateway runs a token's arrival at a gateway. Joins wait here;
// choosing outgoing flows happens in leave, so that a failed condition
// leaves an incident that a retry can run again.
func (m *Machine) enterGateway(scope *Instance, n *definitions.Node, s job) error {
	switch n.Kind {
	case definitions.ExclusiveGateway, definitions.ComplexGateway:
		m.record(EntryEntered, n.ID, "", "")
		m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})

	case definitions.ParallelGateway:
		m.record(EntryEntered, n.ID, "", "")
		if len(n.Incoming) <= 1 || s.Flow == "" {
			m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
			return nil
		}
		j := m.join(scope.ID, n.ID)
		j.Arrived = append(j.Arrived, s.Flow)
		if m.joinComplete(j, n) {
			m.consumeJoin(j, n)
			m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
		}

	case definitions.InclusiveGateway:
		m.record(EntryEntered, n.ID, "", "")
		if len(n.Incoming) <= 1 || s.Flow == "" {
			m.push(job{Op: opLeave, Scope: scope.ID, Node: n.ID})
			return nil
		}
		// Fires in settle, once no token upstream can still arrive.
		j := m.join(scope.ID, n.ID)
		j.Arrived = append(j.Arrived, s.Flow)

	case definitions.EventBasedGateway:
		var waits []*Wait
		for _, fid := range n.Outgoing {
			t := m.model.node(m.model.flow(fid).Target)
			var w *Wait
			var err error
			switch {
			case t.Kind == definitions.ReceiveTask:
				w = &Wait{Kind: MessageWait, Role: BranchRole, Element: t.ID, Name: m.taskMessage(t)}
			case t.Kind == definitions.IntermediateCatchEvent && t.Event() != nil:
				w, err = m.catchWait(scope, t, t.Event(), BranchRole)
			default:
				err = fmt.Errorf("event-based gateway %s leads to %s %s, not to a catch event", n.ID, t.Kind, t.ID)
			}
			if err != nil {
				return err
			}
			waits = append(waits, w)
		}
		in := m.newInstance(EventInstance, n.ID, scope.ID, nil)
		m.record(EntryEntered, n.ID, in.ID, "")
		for _, w := range waits {
			m.openWait(in, w)
		}

	default:
		return fmt.Errorf("%s %s cannot be executed", n.Kind, n.ID)
	}
	return nil
}

// join returns the join state of gateway in scope, creating it.
func (m *Machine) join(scope, gateway string) *Join {
	for _, j := range m.st.Joins {
		if j.Scope == scope && j.Gateway == gateway {
			return j
		}
	}
	j := &Join{Scope: scope, Gateway: gateway}
	m.st.Joins = append(m.st.Joins, j)
	return j
}

// joinComplete reports whether a token waits on every incoming flow.
func (m *Machine) joinComplete(j *Join, n *definitions.Node) bool {
	for _, in := range n.Incoming {
		if !contains(j.Arrived, in) {
			return false
		}
	}
	return true
}

// consumeJoin takes one token of each incoming flow that has one.
func (m *Machine) consumeJoin(j *Join, n *definitions.Node) {
	for _, in := range n.Incoming {
		for i, f := range j.Arrived {
			if f == in {
				j.Arrived = append(j.Arrived[:i:i], j.Arrived[i+1:]...)
				break
			}
		}
	}
	if len(j.Arrived) == 0 {
		for i, x := range m.st.Joins {
			if x == j {
				m.st.Joins = append(m.st.Joins[:i:i], m.st.Joins[i+1:]...)
				break
			}
		}
	}
}

// fireInclusiveJoins fires the first inclusive join that no token of its
// scope can still reach.
func (m *Machine) fireInclusiveJoins() bool {
	for _, j := range m.st.Joins {
		n := m.model.node(j.Gateway)
		if n.Kind != definitions.InclusiveGateway || len(j.Arrived) == 0 {
			continue
		}
		if m.upstreamToken(j.Scope, j.Gateway) {
			continue
		}
		m.consumeJoin(j, n)
		m.push(job{Op: opLeave, Scope: j.Scope, Node: n.ID})
		return true
	}
	return false
}

// upstreamToken reports whether a token of scope could still reach gateway.
func (m *Machine) upstreamToken(scope, gateway string) bool {
	for _, in := range m.st.Instances {
		if in.Parent == scope && m.model.canReach(in.Element, gateway) {
			return true
		}
	}
	for _, j := range m.st.Joins {
		if j.Scope == scope && j.Gateway != gateway && len(j.Arrived) > 0 && m.model.canReach(j.Gateway, gateway) {
			return true
		}
	}
	for _, x := range m.st.Incidents {
		if x.Step.Scope == scope && (x.Step.Node == gateway || m.model.canReach(x.Step.Node, gateway)) {
			return true
		}
	}
	return false
}

// pickExclusive takes the first flow, in document order, without a
// condition or whose condition holds; else the default flow.
func (m *Machine) pickExclusive(scope *Instance, n *definitions.Node) ([]string, error) {
	return m.pickOr(scope, n, true, "exclusive")
}

// pickInclusive takes every flow without a condition or whose condition
// holds; else the default flow.
func (m *Machine) pickInclusive(scope *Instance, n *definitions.Node) ([]string, error) {
	return m.pickOr(scope, n, false, "inclusive")
}

func (m *Machine) pickOr(scope *Instance, n *definitions.Node, first bool, kind string) ([]string, error) {
	taken, err := m.openFlows(scope, n, first)
	if err != nil || len(taken) > 0 {
		return taken, err
	}
	if n.Default != "" {
		return []string{n.Default}, nil
	}
	return nil, fmt.Errorf("%s gateway %s: no outgoing flow's condition is true and there is no default flow", kind, n.ID)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
