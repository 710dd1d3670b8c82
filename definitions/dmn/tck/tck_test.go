package tck

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const model = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="m" name="m" namespace="urn:m">
  <inputData id="a" name="A"><variable name="A" typeRef="number"/></inputData>
  <inputData id="p" name="P"/>
  <decision id="double" name="Double">
    <informationRequirement><requiredInput href="#a"/></informationRequirement>
    <literalExpression><text>A * 2</text></literalExpression>
  </decision>
  <decision id="third" name="Third">
    <informationRequirement><requiredInput href="#a"/></informationRequirement>
    <literalExpression><text>A / 3</text></literalExpression>
  </decision>
  <decision id="names" name="Names">
    <informationRequirement><requiredInput href="#p"/></informationRequirement>
    <literalExpression><text>P.people.name</text></literalExpression>
  </decision>
  <decision id="when" name="When"><literalExpression><text>@"2020-01-01T10:00:00Z"</text></literalExpression></decision>
</definitions>`

const cases = `<?xml version="1.0" encoding="UTF-8"?>
<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <modelName>m.dmn</modelName>
  <testCase id="pass">
    <inputNode name="A"><value xsi:type="xsd:decimal">21</value></inputNode>
    <resultNode name="Double"><expected><value xsi:type="xsd:decimal">42</value></expected></resultNode>
    <resultNode name="Third"><expected><value xsi:type="xsd:decimal">7.000000000000000001</value></expected></resultNode>
  </testCase>
  <testCase id="fail">
    <inputNode name="A"><value xsi:type="xsd:decimal">1</value></inputNode>
    <resultNode name="Double"><expected><value xsi:type="xsd:decimal">3</value></expected></resultNode>
  </testCase>
  <testCase id="error-result">
    <inputNode name="A"><value xsi:type="xsd:string">x</value></inputNode>
    <resultNode name="Double" errorResult="true"><expected><value xsi:nil="true"/></expected></resultNode>
  </testCase>
  <testCase id="structures">
    <inputNode name="P"><component name="people"><list>
      <item><component name="name"><value xsi:type="xsd:string">Ann</value></component></item>
      <item><component name="name"><value xsi:type="xsd:string">Bo</value></component></item>
    </list></component></inputNode>
    <resultNode name="Names"><expected><list>
      <item><value xsi:type="xsd:string">Ann</value></item>
      <item><value xsi:type="xsd:string">Bo</value></item>
    </list></expected></resultNode>
  </testCase>
  <testCase id="date-time">
    <resultNode name="When"><expected><value xsi:type="xsd:dateTime">2020-01-01T10:00:00Z</value></expected></resultNode>
  </testCase>
  <testCase id="unknown">
    <resultNode name="Nothing"><expected><value xsi:type="xsd:string">?</value></expected></resultNode>
  </testCase>
</testCases>`

func writeKit(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "0001-sample")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"m.dmn":                   model,
		"0001-sample-test-01.xml": cases,
		"0001-sample-test-02.xml": strings.Replace(cases, "m.dmn", "missing.dmn", 1),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestRunDirsReportsEveryCase(t *testing.T) {
	rows, err := RunDirs([]string{writeKit(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.File+"/"+r.Case] = r.Result
	}
	want := map[string]string{
		"0001-sample-test-01/pass":         Success,
		"0001-sample-test-01/fail":         Failure,
		"0001-sample-test-01/error-result": Success,
		"0001-sample-test-01/structures":   Success,
		"0001-sample-test-01/date-time":    Success,
		"0001-sample-test-01/unknown":      Error,
		"0001-sample-test-02/pass":         Error,
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	if len(rows) != 12 {
		t.Errorf("%d rows, want 12", len(rows))
	}
	for _, r := range rows {
		if r.Case == "fail" && r.File == "0001-sample-test-01" && r.Detail != "Double: expected 3, got 2" {
			t.Errorf("detail of the failure: %q", r.Detail)
		}
	}
	if s := Summary(rows); s != "12 tests: 4 SUCCESS, 1 FAILURE, 7 ERROR" {
		t.Errorf("summary %q", s)
	}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(buf.String(), "\n", 2)[0]
	if first != `"0001-sample","0001-sample-test-01","pass","SUCCESS",""` {
		t.Errorf("first CSV row %q", first)
	}
	back, err := ReadCSV(&buf)
	if err != nil || len(back) != len(rows) || back[1] != rows[1] {
		t.Errorf("CSV round trip: %v, %d rows", err, len(back))
	}
}
