package machine_test

import (
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/definitions/dmn"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// feeTable is a UNIQUE table whose rules overlap for amounts between 100 and 200, with two
// outputs, so that singleEntry cannot map it.
const feeTable = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="fees" namespace="http://example.com/fees">
  <decision id="fee" name="fee">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i"><inputExpression typeRef="number"><text>amount</text></inputExpression></input>
      <output id="o1" name="fee" typeRef="number"/><output id="o2" name="desk" typeRef="string"/>
      <rule id="small"><inputEntry><text>&lt;= 200</text></inputEntry><outputEntry><text>5</text></outputEntry><outputEntry><text>"window"</text></outputEntry></rule>
      <rule id="large"><inputEntry><text>&gt;= 100</text></inputEntry><outputEntry><text>20</text></outputEntry><outputEntry><text>"back office"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`

// startFee starts a process whose business rule task evaluates feeTable, mapped as mapping
// says, and waits at "pay" after it.
func startFee(t *testing.T, mapping string, amount float64) *simulate.Sim {
	t.Helper()
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
<process id="p" isExecutable="true"><startEvent id="s"/>
  <businessRuleTask id="decide" camunda:decisionRef="fee" camunda:mapDecisionResult="` + mapping + `" camunda:resultVariable="fee"/>
  <userTask id="pay"/><endEvent id="e"/>` + seq("s", "decide", "pay", "e") + `</process></definitions>`)
	defs, problems, err := definitions.Parse(xml)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatalf("parse: %v %v", err, problems)
	}
	model, err := dmn.Parse([]byte(feeTable))
	if err != nil {
		t.Fatal(err)
	}
	if err := dmn.Link(model); err != nil {
		t.Fatal(err)
	}
	m, err := machine.Compile(defs, "p", machine.Options{Decisions: map[string]*dmn.Definitions{"fee": model}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := simulate.New(map[string]*machine.Model{"p": m}, "p", map[string]any{"amount": amount}, simulate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A business rule task whose decision fails (UNIQUE rules that overlap) or whose result does
// not have the shape camunda:mapDecisionResult asks for stops in an incident at the task that
// says why; the case does not go on as if it had decided.
func TestBusinessRuleTaskFailuresAreIncidents(t *testing.T) {
	for _, c := range []struct {
		name, mapping string
		amount        float64
		want          string
	}{
		{"overlapping UNIQUE rules", "singleResult", 150, "rules 1 (small), 2 (large) all match"},
		{"singleEntry of two outputs", "singleEntry", 50, "singleEntry: a rule result has 2 outputs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startFee(t, c.mapping, c.amount)
			r := s.Result()
			if r.State != "incident" || r.Incident == nil || r.Incident.ElementID != "decide" || !strings.Contains(r.Incident.Message, c.want) {
				t.Fatalf("state %s, incident %+v; want an incident at decide saying %q", r.State, r.Incident, c.want)
			}
			if _, set := r.Variables["fee"]; set {
				t.Errorf("fee = %v was set by a decision that failed", r.Variables["fee"])
			}
		})
	}
	s := startFee(t, "singleResult", 50)
	wantState(t, s, "active")
	if fee, _ := s.Result().Variables["fee"].(map[string]any); fee["desk"] != "window" {
		t.Errorf("fee = %#v, want the small rule's outputs", s.Result().Variables["fee"])
	}
}
