package dmn

// Decision results as Camunda 7 hands them to a BPMN business rule task: a list of rule
// results (one per matched rule, each the rule's outputs by name), which
// camunda:mapDecisionResult turns into the result variable.

import (
	"fmt"

	"onewindow/definitions/feel"
)

// RuleResults returns the value v of decision name (as Evaluate gives it) as Camunda's list
// of rule results: for a decision table, one context per matched rule (no rule matched: none);
// for other decision logic, one context holding the value under the decision's name.
func (d *Definitions) RuleResults(name string, v feel.Value) []*feel.Context {
	dec := d.findDecision(name)
	if dec == nil {
		return nil
	}
	t, isTable := dec.Logic.(*Table)
	if !isTable {
		if v == nil {
			return nil
		}
		return []*feel.Context{feel.ContextOf(dec.Variable.Name, v)}
	}
	var rows []feel.Value
	switch {
	case v == nil:
	case t.HitPolicy == "RULE ORDER" || t.HitPolicy == "OUTPUT ORDER" || t.HitPolicy == "COLLECT" && t.Aggregation == "":
		rows, _ = v.([]feel.Value)
	default:
		rows = []feel.Value{v}
	}
	out := make([]*feel.Context, 0, len(rows))
	for _, row := range rows {
		if c, ok := row.(*feel.Context); ok && len(t.Outputs) > 1 {
			out = append(out, c)
			continue
		}
		name := dec.Variable.Name
		if len(t.Outputs) == 1 && t.Outputs[0].Name != "" {
			name = t.Outputs[0].Name
		}
		out = append(out, feel.ContextOf(name, row))
	}
	return out
}

// Ways MapResult maps rule results, as camunda:mapDecisionResult names them.
const (
	ResultList     = "resultList"
	SingleEntry    = "singleEntry"
	SingleResult   = "singleResult"
	CollectEntries = "collectEntries"
)

// MapResult maps rule results as Camunda does: resultList is a list of contexts,
// singleResult the only rule's context (null when none matched), singleEntry the only
// output of the only rule, collectEntries the only output of every rule as a list. A result
// that does not have the shape asked for is an error.
func MapResult(rows []*feel.Context, how string) (feel.Value, error) {
	switch how {
	case "", ResultList:
		out := make([]feel.Value, len(rows))
		for i, r := range rows {
			out[i] = r
		}
		return out, nil
	case SingleResult, SingleEntry:
		if len(rows) > 1 {
			return nil, fmt.Errorf("%s: the decision gave %d rule results, not one", how, len(rows))
		}
		if len(rows) == 0 {
			return nil, nil
		}
		if how == SingleResult {
			return rows[0], nil
		}
		return onlyEntry(rows[0], how)
	case CollectEntries:
		out := make([]feel.Value, len(rows))
		for i, r := range rows {
			v, err := onlyEntry(r, how)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("mapDecisionResult %q is not one of resultList, singleResult, singleEntry, collectEntries", how)
}

func onlyEntry(c *feel.Context, how string) (feel.Value, error) {
	if c.Len() != 1 {
		return nil, fmt.Errorf("%s: a rule result has %d outputs (%v), not one", how, c.Len(), c.Keys())
	}
	v, _ := c.Get(c.Keys()[0])
	return v, nil
}

// LogicKind names the boxed expression kind of a decision's logic as DMN's XML does.
func LogicKind(e Expr) string {
	switch e.(type) {
	case *Table:
		return "decisionTable"
	case *Literal:
		return "literalExpression"
	case *ContextExpr:
		return "context"
	case *Relation:
		return "relation"
	case *ListExpr:
		return "list"
	case *Invocation:
		return "invocation"
	case *FuncDef:
		return "functionDefinition"
	case *Conditional:
		return "conditional"
	case *FilterExpr:
		return "filter"
	case *Iterator:
		return "iterator"
	}
	return ""
}
