package machine

import (
	"fmt"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/definitions/expression"
	"onewindow/definitions/feel"
)

// decide evaluates the decision of business rule task n over the variables the task sees
// and stores the result in its result variable, mapped as camunda:mapDecisionResult says.
// The decision is pure (the DMN model was loaded with the definition, the clock is the
// step's), so a replay decides alike.
func (m *Machine) decide(scope *Instance, n *definitions.Node, local map[string]any) error {
	ref := n.Decision
	model := m.model.Decision(ref.ID)
	if model == nil {
		return fmt.Errorf("business rule task %s: decision %q is not deployed and published", n.ID, ref.ID)
	}
	vars := m.vars(scope.ID)
	for k, v := range local {
		vars[k] = v
	}
	ctx := feel.NewContext()
	for _, k := range sortedKeys(vars) {
		ctx.Set(k, expression.ToFEEL(vars[k]))
	}
	inputs := map[string]feel.Value{}
	for _, in := range model.Inputs {
		if v, ok := ctx.Get(in.Name); ok {
			inputs[in.Name] = v
		}
	}
	res, err := model.Evaluate(ref.ID, dmn.Request{Inputs: inputs, Context: ctx, Now: m.clock().In(Zone)})
	if err != nil {
		return fmt.Errorf("business rule task %s: %w", n.ID, err)
	}
	if res.Value == nil && len(res.Errors) > 0 {
		// A decision that failed (no rule of a UNIQUE table, overlapping rules, a wrong
		// type) gives null; the case must not go on as if it had decided.
		return fmt.Errorf("business rule task %s: decision %s: %s", n.ID, ref.ID, strings.Join(res.Errors, "; "))
	}
	var out feel.Value
	if ref.MapResult == definitions.MapDecisionValue {
		out = res.Value
	} else if out, err = dmn.MapResult(model.RuleResults(ref.ID, res.Value), ref.MapResult); err != nil {
		return fmt.Errorf("business rule task %s: decision %s: %w", n.ID, ref.ID, err)
	}
	if n.ResultVariable != "" {
		m.setVars(scope, map[string]any{n.ResultVariable: expression.FromFEEL(out, Zone)}, false)
	}
	return nil
}
