package machine

import (
	"time"

	"onewindow/definitions"
	"onewindow/definitions/expression"
)

// env is what an expression evaluated at node n sees: the variables, the case's clock (the
// time the shell gave with the event, so that a replay evaluates alike), the user who caused
// the step, and the execution.
func (m *Machine) env(vars map[string]any, n *definitions.Node) *expression.Env {
	user := m.user
	if user == "" {
		user = m.st.Initiator
	}
	ex := &expression.Execution{ProcessInstanceID: m.st.Case, ProcessDefinitionID: m.model.Process.ID}
	if n != nil {
		ex.ActivityID, ex.ActivityName = n.ID, n.Name
	}
	return &expression.Env{Vars: vars, Now: m.clock(), Zone: Zone, User: user, Execution: ex}
}

// clock is the time of the step being run: the shell's (StartOptions.Now, Event.At), or
// the wall clock when a shell gives none.
func (m *Machine) clock() time.Time {
	if m.now.IsZero() {
		return time.Now()
	}
	return m.now
}

// value evaluates an attribute the engine resolves at n (literal text unless written as an
// expression).
func (m *Machine) value(src string, vars map[string]any, n *definitions.Node) (any, error) {
	return expression.ValueIn(src, m.env(vars, n))
}
