package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An item's countersigning departments decided by a table on the application's form.
const cliDMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="reviewers" namespace="urn:reviewers">
  <inputData id="kind" name="Project kind"><variable name="Project kind" typeRef="string"/></inputData>
  <inputData id="inv" name="Investment"><variable name="Investment" typeRef="number"/></inputData>
  <inputData id="day" name="Received"><variable name="Received" typeRef="date"/></inputData>
  <decision id="reviewers" name="Reviewers">
    <informationRequirement><requiredInput href="#kind"/></informationRequirement>
    <informationRequirement><requiredInput href="#inv"/></informationRequirement>
    <decisionTable id="t" hitPolicy="COLLECT">
      <input><inputExpression typeRef="string"><text>Project kind</text></inputExpression></input>
      <input><inputExpression typeRef="number"><text>Investment</text></inputExpression></input>
      <output name="department" typeRef="string"/>
      <rule id="r1"><inputEntry><text>"industrial"</text></inputEntry><inputEntry><text>-</text></inputEntry><outputEntry><text>"environment"</text></outputEntry></rule>
      <rule id="r2"><inputEntry><text>-</text></inputEntry><inputEntry><text>&gt;= 10000000</text></inputEntry><outputEntry><text>"development and reform"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="due" name="Due">
    <informationRequirement><requiredInput href="#day"/></informationRequirement>
    <literalExpression><text>Received + duration("P20D")</text></literalExpression>
  </decision>
</definitions>`

func runDecisionsCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := decisionsCommand(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDecisionsEvaluate(t *testing.T) {
	file := writeFile(t, t.TempDir(), "reviewers.dmn", cliDMN)
	code, out, errOut := runDecisionsCLI("evaluate", file, "--decision", "Reviewers",
		"--input", `{"Project kind": "industrial", "Investment": 20000000}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Value  []string
		Errors []string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Join(got.Value, ",") != "environment,development and reform" || len(got.Errors) != 0 {
		t.Errorf("got %+v", got)
	}

	// A string for a date input is read as a date.
	code, out, _ = runDecisionsCLI("evaluate", "--decision", "Due", file, "--input", `{"Received": "2026-09-28"}`)
	if code != 0 || !strings.Contains(out, `"value": "2026-10-18"`) {
		t.Errorf("Due: exit %d, %s", code, out)
	}

	code, _, errOut = runDecisionsCLI("evaluate", file, "--decision", "Nope")
	if code != 1 || !strings.Contains(errOut, `has no decision or decision service "Nope"`) {
		t.Errorf("unknown decision: exit %d, %s", code, errOut)
	}
	code, _, errOut = runDecisionsCLI("evaluate", file, "--decision", "Due", "--input", "[1]")
	if code != 2 || !strings.Contains(errOut, "not a JSON object") {
		t.Errorf("bad input: exit %d, %s", code, errOut)
	}
	if code, _, _ := runDecisionsCLI("evaluate", file); code != 2 {
		t.Errorf("missing --decision: exit %d", code)
	}
}

func TestDecisionsValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.dmn", cliDMN)
	bad := writeFile(t, dir, "bad.dmn", strings.Replace(cliDMN, `Received + duration("P20D")`, `Received +`, 1))
	code, out, _ := runDecisionsCLI("validate", good)
	if code != 0 || !strings.Contains(out, "good.dmn: ok (2 decisions, 3 input data") {
		t.Errorf("good: exit %d, %s", code, out)
	}
	code, out, _ = runDecisionsCLI("validate", bad)
	if code != 1 || !strings.Contains(out, "bad.dmn:19:5: due: error: FEEL \"Received +\": column 11: expected an expression") {
		t.Errorf("bad: exit %d, %s", code, out)
	}
}

func TestDecisionsTCK(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "0001-reviewers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "reviewers.dmn", cliDMN)
	writeFile(t, dir, "0001-reviewers-test-01.xml", `<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <modelName>reviewers.dmn</modelName>
  <testCase id="001">
    <inputNode name="Received"><value xsi:type="xsd:date">2026-01-05</value></inputNode>
    <resultNode name="Due"><expected><value xsi:type="xsd:date">2026-01-25</value></expected></resultNode>
  </testCase>
  <testCase id="002">
    <inputNode name="Received"><value xsi:type="xsd:date">2026-01-05</value></inputNode>
    <resultNode name="Due"><expected><value xsi:type="xsd:date">2026-01-26</value></expected></resultNode>
  </testCase>
</testCases>`)
	csv := filepath.Join(t.TempDir(), "tck_results.csv")
	code, out, errOut := runDecisionsCLI("tck", dir, "--csv", csv)
	if code != 1 {
		t.Errorf("exit %d (one case fails), stderr %s", code, errOut)
	}
	want := `"0001-reviewers","0001-reviewers-test-01","001","SUCCESS",""
"0001-reviewers","0001-reviewers-test-01","002","FAILURE","Due: expected 2026-01-26, got 2026-01-25"
2 tests: 1 SUCCESS, 1 FAILURE
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	written, err := os.ReadFile(csv)
	if err != nil || !strings.HasPrefix(want, string(written)) {
		t.Errorf("CSV file: %v\n%s", err, written)
	}
}
