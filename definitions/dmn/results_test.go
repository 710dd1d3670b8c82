package dmn

import (
	"strings"
	"testing"

	"onewindow/definitions/feel"
)

// ruleResults evaluates decision d of src for input x and returns its rule results, as a
// business rule task sees them before camunda:mapDecisionResult.
func ruleResults(t *testing.T, src string, x int64) []*feel.Context {
	t.Helper()
	d := mustParse(t, src)
	res := evalX(t, d, x)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	return d.RuleResults("d", res.Value)
}

// Camunda 7's four mappings of a decision's rule results into the result variable, on the
// shapes of results each table gives: one output or several, one rule or several, none.
func TestMapResultAsCamundaDoes(t *testing.T) {
	oneOutput := tableModel("RULE ORDER", "", []string{"group"}, `[1..10]|"accounting"`, `[3..20]|"sales"`, `> 100|"board"`)
	twoOutputs := tableModel("FIRST", "", []string{"group", "limit"}, `> 1|"accounting"|500`, `-|"sales"|50`)
	sum := tableModel("COLLECT", "SUM", []string{"fee"}, `> 1|10`, `< 5|5`)
	cases := []struct {
		name, src, how string
		x              int64
		want, wantErr  string
	}{
		{"resultList of two rules", oneOutput, ResultList, 3, `[{group: "accounting"}, {group: "sales"}]`, ""},
		{"no mapping is resultList", oneOutput, "", 3, `[{group: "accounting"}, {group: "sales"}]`, ""},
		{"resultList of no rule", oneOutput, ResultList, 0, `[]`, ""},
		{"collectEntries of two rules", oneOutput, CollectEntries, 3, `["accounting", "sales"]`, ""},
		{"collectEntries of no rule", oneOutput, CollectEntries, 0, `[]`, ""},
		{"singleEntry of one rule", oneOutput, SingleEntry, 15, `"sales"`, ""},
		{"singleEntry of two rules", oneOutput, SingleEntry, 3, "", "singleEntry: the decision gave 2 rule results, not one"},
		{"singleEntry of two outputs", twoOutputs, SingleEntry, 3, "", "has 2 outputs ([group limit]), not one"},
		{"singleResult of two outputs", twoOutputs, SingleResult, 3, `{group: "accounting", limit: 500}`, ""},
		{"singleResult of two rules", oneOutput, SingleResult, 3, "", "singleResult: the decision gave 2 rule results"},
		{"singleResult of no rule", oneOutput, SingleResult, 0, "null", ""},
		{"singleEntry of no rule", oneOutput, SingleEntry, 0, "null", ""},
		{"collectEntries of two outputs", twoOutputs, CollectEntries, 3, "", "collectEntries: a rule result has 2 outputs"},
		{"singleEntry of an aggregation", sum, SingleEntry, 3, "15", ""},
		{"unknown mapping", oneOutput, "singleValue", 3, "", `mapDecisionResult "singleValue" is not one of`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MapResult(ruleResults(t, c.src, c.x), c.how)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one saying %q (value %s)", err, c.wantErr, feel.Format(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text := "null"
			if got != nil {
				text = feel.Format(got)
			}
			if s, isStr := got.(string); isStr {
				text = `"` + s + `"`
			}
			if text != c.want {
				t.Errorf("%s = %s, want %s", c.how, text, c.want)
			}
		})
	}
}

// A decision whose logic is not a table gives one rule result under the decision's name
// (Camunda's DmnDecisionResult of a literal expression).
func TestRuleResultsOfALiteralExpression(t *testing.T) {
	d := mustParse(t, `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="`+ns15+`" id="defs" name="t" namespace="http://example.com/t">
  <inputData id="in_x" name="x"><variable name="x" typeRef="number"/></inputData>
  <decision id="d" name="Fee">
    <variable name="Fee" typeRef="number"/>
    <informationRequirement><requiredInput href="#in_x"/></informationRequirement>
    <literalExpression><text>x * 10</text></literalExpression>
  </decision>
</definitions>`)
	res := evalX(t, d, 4)
	rows := d.RuleResults("d", res.Value)
	if len(rows) != 1 || feel.Format(rows[0]) != "{Fee: 40}" {
		t.Fatalf("rule results %v, want one {Fee: 40}", rows)
	}
	if v, err := MapResult(rows, SingleEntry); err != nil || feel.Format(v) != "40" {
		t.Errorf("singleEntry = %v, %v; want 40", v, err)
	}
	if rows := d.RuleResults("d", nil); len(rows) != 0 {
		t.Errorf("a null value gives %d rule results, want none", len(rows))
	}
}
