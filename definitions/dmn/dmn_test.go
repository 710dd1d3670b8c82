package dmn

import (
	"errors"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/definitions/feel"
)

// A model in the style of a government service item: the applicant's project decides which
// departments countersign and the fee (a BKM), and a decision service bundles both.
const serviceModel = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="review" namespace="http://example.com/review">
  <itemDefinition name="tProject">
    <itemComponent name="kind"><typeRef>string</typeRef><allowedValues><text>"industrial", "housing", "public"</text></allowedValues></itemComponent>
    <itemComponent name="investment"><typeRef>number</typeRef></itemComponent>
  </itemDefinition>
  <itemDefinition name="tDepartments" isCollection="true"><typeRef>string</typeRef></itemDefinition>
  <inputData id="in_project" name="Project"><variable name="Project" typeRef="tProject"/></inputData>
  <inputData id="in_received" name="Received on"><variable name="Received on" typeRef="date"/></inputData>
  <businessKnowledgeModel id="bkm_fee" name="Fee for">
    <encapsulatedLogic>
      <formalParameter name="investment" typeRef="number"/>
      <literalExpression><text>if investment > 10000000 then 500 else 100</text></literalExpression>
    </encapsulatedLogic>
  </businessKnowledgeModel>
  <decision id="dec_departments" name="Reviewing departments">
    <variable name="Reviewing departments" typeRef="tDepartments"/>
    <informationRequirement><requiredInput href="#in_project"/></informationRequirement>
    <decisionTable id="dt_departments" hitPolicy="COLLECT">
      <input id="i_kind" label="Project kind"><inputExpression typeRef="string"><text>Project.kind</text></inputExpression></input>
      <input id="i_inv" label="Investment"><inputExpression typeRef="number"><text>Project.investment</text></inputExpression></input>
      <output id="o_dep" name="department" typeRef="string"/>
      <rule id="rule_env"><inputEntry><text>"industrial"</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>"environment"</text></outputEntry></rule>
      <rule id="rule_ndrc"><inputEntry><text>-</text></inputEntry><inputEntry><text>&gt;= 10000000</text></inputEntry><outputEntry><text>"development and reform"</text></outputEntry></rule>
      <rule id="rule_plan"><inputEntry><text>not("public")</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>"planning"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="dec_fee" name="Fee">
    <variable name="Fee" typeRef="number"/>
    <informationRequirement><requiredInput href="#in_project"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="#bkm_fee"/></knowledgeRequirement>
    <invocation>
      <literalExpression><text>Fee for</text></literalExpression>
      <binding><parameter name="investment"/><literalExpression><text>Project.investment</text></literalExpression></binding>
    </invocation>
  </decision>
  <decision id="dec_summary" name="Summary">
    <informationRequirement><requiredDecision href="#dec_departments"/></informationRequirement>
    <informationRequirement><requiredDecision href="#dec_fee"/></informationRequirement>
    <informationRequirement><requiredInput href="#in_received"/></informationRequirement>
    <context>
      <contextEntry><variable name="count"/><literalExpression><text>count(Reviewing departments)</text></literalExpression></contextEntry>
      <contextEntry><variable name="fee"/><literalExpression><text>Fee</text></literalExpression></contextEntry>
      <contextEntry><variable name="due"/><literalExpression><text>Received on + duration("P20D")</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision id="dec_bad_type" name="Bad type">
    <variable name="Bad type" typeRef="string"/>
    <literalExpression><text>42</text></literalExpression>
  </decision>
  <decisionService id="svc" name="Review service">
    <outputDecision href="#dec_departments"/>
    <outputDecision href="#dec_fee"/>
    <inputData href="#in_project"/>
  </decisionService>
</definitions>`

func project(kind string, investment int64) *feel.Context {
	return feel.ContextOf("kind", kind, "investment", feel.Int(investment))
}

func TestDecisionRequirementsBKMAndContext(t *testing.T) {
	d := mustParse(t, serviceModel)
	for _, p := range d.Problems() {
		t.Errorf("unexpected problem: %v", p)
	}
	req := Request{Inputs: map[string]feel.Value{
		"Project":     project("industrial", 20000000),
		"Received on": feel.Date{Year: 2026, Month: 9, Day: 28},
	}}
	res, err := d.Evaluate("Summary", req)
	if err != nil {
		t.Fatal(err)
	}
	if got := feel.Format(res.Value); got != "{count: 3, fee: 500, due: 2026-10-18}" {
		t.Errorf("Summary = %s (errors %v)", got, res.Errors)
	}
	if got := feel.Format(res.Outputs["Reviewing departments"]); got != `["environment", "development and reform", "planning"]` {
		t.Errorf("departments = %s", got)
	}
	res, err = d.Evaluate("dec_fee", Request{Inputs: map[string]feel.Value{"Project": project("public", 5)}})
	if err != nil || !feelEqual(res.Value, feel.Int(100)) {
		t.Errorf("Fee by id = %v, %v", res.Value, err)
	}
}

func TestTypeRefsConvertOrRefuse(t *testing.T) {
	d := mustParse(t, serviceModel)
	res, err := d.Evaluate("Bad type", Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Value != nil || !strings.Contains(strings.Join(res.Errors, " "), "decision Bad type: the value 42 (number) is not a string") {
		t.Errorf("Bad type = %v, errors %v", res.Value, res.Errors)
	}
	// A kind outside the allowed values makes the input null: only the rule for any kind but
	// "public" matches (null is not "public").
	res, _ = d.Evaluate("Reviewing departments", Request{Inputs: map[string]feel.Value{"Project": project("mining", 1)}})
	if got := feel.Format(res.Value); got != `["planning"]` || !strings.Contains(strings.Join(res.Errors, " "), "input data Project") {
		t.Errorf("departments for a bad kind = %s, errors %v", got, res.Errors)
	}
}

func TestDecisionServiceDirectAndFromFEEL(t *testing.T) {
	d := mustParse(t, serviceModel)
	res, err := d.EvaluateService("Review service", Request{Inputs: map[string]feel.Value{"Project": project("housing", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := feel.Format(res.Value); got != `{Reviewing departments: ["planning"], Fee: 100}` {
		t.Errorf("service = %s (errors %v)", got, res.Errors)
	}
	if _, err := d.EvaluateService("nope", Request{}); !errors.Is(err, ErrUnknownDecision) {
		t.Errorf("unknown service: %v", err)
	}
	if _, err := d.Evaluate("nope", Request{}); !errors.Is(err, ErrUnknownDecision) {
		t.Errorf("unknown decision: %v", err)
	}
}

func TestProblemsNameElementAndLine(t *testing.T) {
	src := `<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20180521/MODEL/" id="d" name="p" namespace="urn:p">
  <decision id="broken" name="Broken">
    <literalExpression id="lit"><text>1 + * 2</text></literalExpression>
  </decision>
  <decision id="refs" name="Refs">
    <informationRequirement><requiredDecision href="#missing"/></informationRequirement>
    <literalExpression><text>1</text></literalExpression>
  </decision>
</definitions>`
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ps := d.Problems()
	if len(ps) != 2 {
		t.Fatalf("problems: %v", ps)
	}
	if p := ps[0]; p.Code != CodeInvalidFEEL || p.ElementID != "lit" || p.Line != 4 || !strings.Contains(p.Message, "column 5") {
		t.Errorf("FEEL problem: %+v", p)
	}
	if p := ps[1]; p.Code != CodeUnresolvedRef || p.ElementID != "refs" || p.Line != 6 || !strings.Contains(p.Message, "#missing") {
		t.Errorf("reference problem: %+v", p)
	}
	if !definitions.HasErrors(ps) {
		t.Error("no error among the problems")
	}
	res, err := d.Evaluate("Broken", Request{})
	if err != nil || res.Value != nil || !strings.Contains(strings.Join(res.Errors, " "), "column 5") {
		t.Errorf("evaluating the broken decision: %v %v %v", res.Value, res.Errors, err)
	}
}

func TestNotDMN(t *testing.T) {
	for _, src := range []string{"", "not xml", `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>`,
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><definitions xmlns="` + ns15 + `"/>`} {
		if _, err := Parse([]byte(src)); !errors.Is(err, ErrNotDMN) {
			t.Errorf("%q: err = %v", src, err)
		}
	}
}

func TestImports(t *testing.T) {
	lib := `<definitions xmlns="` + ns15 + `" id="lib" name="lib" namespace="urn:lib">
  <itemDefinition name="tName"><typeRef>string</typeRef></itemDefinition>
  <businessKnowledgeModel id="greet" name="Greet">
    <encapsulatedLogic><formalParameter name="who" typeRef="tName"/><literalExpression><text>"Hello " + who</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>
</definitions>`
	main := `<definitions xmlns="` + ns15 + `" id="main" name="main" namespace="urn:main">
  <import name="lib" namespace="urn:lib" importType="` + ns15 + `" locationURI="lib.dmn"/>
  <inputData id="in" name="Name"><variable name="Name" typeRef="lib.tName"/></inputData>
  <decision id="d" name="Greeting">
    <informationRequirement><requiredInput href="#in"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="urn:lib#greet"/></knowledgeRequirement>
    <literalExpression><text>lib.Greet(Name)</text></literalExpression>
  </decision>
</definitions>`
	l, err := Parse([]byte(lib))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse([]byte(main))
	if err != nil {
		t.Fatal(err)
	}
	if err := Link(l, m); err != nil {
		t.Fatal(err)
	}
	res, err := m.Evaluate("Greeting", Request{Inputs: map[string]feel.Value{"Name": "Ann"}})
	if err != nil || res.Value != "Hello Ann" {
		t.Errorf("Greeting = %v, %v, %v", res.Value, res.Errors, err)
	}

	// Without the imported model, linking and evaluating both name the import.
	m, _ = Parse([]byte(main))
	err = Link(m)
	if !errors.Is(err, ErrUnresolvedImport) || !strings.Contains(err.Error(), `import "lib": no model with namespace "urn:lib" (location lib.dmn)`) {
		t.Errorf("Link: %v", err)
	}
	if _, err := m.Evaluate("Greeting", Request{}); !errors.Is(err, ErrUnresolvedImport) || !strings.Contains(err.Error(), `"lib"`) {
		t.Errorf("Evaluate: %v", err)
	}
	found := false
	for _, p := range m.Problems() {
		found = found || (p.Code == CodeUnresolvedImport && p.ElementID == "lib" && p.Line == 2)
	}
	if !found {
		t.Errorf("no unresolved-import problem in %v", m.Problems())
	}
}

func TestEvaluationLimits(t *testing.T) {
	src := `<definitions xmlns="` + ns15 + `" id="l" name="l" namespace="urn:l">
  <decision id="loop" name="Loop"><literalExpression><text>count(for i in 1..100000000 return i)</text></literalExpression></decision>
</definitions>`
	d := mustParse(t, src)
	_, err := d.Evaluate("Loop", Request{MaxSteps: 5000})
	if !errors.Is(err, feel.ErrStepLimit) || !strings.Contains(err.Error(), `decision "Loop"`) {
		t.Errorf("err = %v", err)
	}
}

func TestInputsFromJSON(t *testing.T) {
	d := mustParse(t, serviceModel)
	in, err := d.InputsFromJSON(map[string]any{
		"Received on": "2026-01-05",
		"Project":     map[string]any{"kind": "public", "investment": 3.5},
		"Other":       "2026-01-05",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := in["Received on"].(feel.Date); !ok {
		t.Errorf("a date input stays a %T", in["Received on"])
	}
	if _, ok := in["Other"].(string); !ok {
		t.Errorf("an undeclared input became a %T", in["Other"])
	}
	if got := feel.Format(in["Project"]); got != `{investment: 3.5, kind: "public"}` {
		t.Errorf("Project = %s", got)
	}
}
