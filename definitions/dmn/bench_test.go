package dmn

import (
	"fmt"
	"strings"
	"testing"

	"onewindow/definitions/feel"
)

// benchTable is a fee table of 3 inputs and 20 rules (4 project kinds by 5 investment bands,
// the last band of each kind a catch-all), the shape of an item's fee schedule.
func benchTable(hitPolicy string) string {
	var rules strings.Builder
	kinds := []string{`"industrial"`, `"housing"`, `"public"`, `"commercial"`}
	n := 0
	for _, k := range kinds {
		for i, band := range []string{"< 1000000", "[1000000..5000000)", "[5000000..20000000)", ">= 20000000", "-"} {
			n++
			fmt.Fprintf(&rules, `<rule id="r%d"><inputEntry><text>%s</text></inputEntry><inputEntry><text>%s</text></inputEntry><inputEntry><text>%s</text></inputEntry><outputEntry><text>%d</text></outputEntry></rule>`,
				n, k, strings.ReplaceAll(band, "<", "&lt;"), []string{"true", "false", "-", "-", "-"}[i], 100*n)
		}
	}
	return `<definitions xmlns="` + ns15 + `" id="b" name="b" namespace="urn:b">
  <inputData id="k" name="Project kind"><variable name="Project kind" typeRef="string"/></inputData>
  <inputData id="i" name="Investment"><variable name="Investment" typeRef="number"/></inputData>
  <inputData id="u" name="Urgent"><variable name="Urgent" typeRef="boolean"/></inputData>
  <decision id="fee" name="Fee">
    <informationRequirement><requiredInput href="#k"/></informationRequirement>
    <informationRequirement><requiredInput href="#i"/></informationRequirement>
    <informationRequirement><requiredInput href="#u"/></informationRequirement>
    <decisionTable id="t" hitPolicy="` + hitPolicy + `">
      <input><inputExpression typeRef="string"><text>Project kind</text></inputExpression></input>
      <input><inputExpression typeRef="number"><text>Investment</text></inputExpression></input>
      <input><inputExpression typeRef="boolean"><text>Urgent</text></inputExpression></input>
      <output name="fee" typeRef="number"/>` + rules.String() + `
    </decisionTable>
  </decision>
</definitions>`
}

func benchmarkTable(b *testing.B, hitPolicy string) {
	d, err := Parse([]byte(benchTable(hitPolicy)))
	if err != nil {
		b.Fatal(err)
	}
	inputs := []map[string]feel.Value{
		{"Project kind": "commercial", "Investment": feel.Int(30000000), "Urgent": false},
		{"Project kind": "industrial", "Investment": feel.Int(500), "Urgent": true},
		{"Project kind": "public", "Investment": feel.MustNumber("2500000.50"), "Urgent": false},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := d.Evaluate("Fee", Request{Inputs: inputs[i%len(inputs)]})
		if err != nil || res.Value == nil {
			b.Fatalf("%v %v %v", res.Value, res.Errors, err)
		}
	}
}

// BenchmarkDecisionTableFirst evaluates a 20-rule, 3-input table (FIRST: stops at the first
// match).
func BenchmarkDecisionTableFirst(b *testing.B) { benchmarkTable(b, "FIRST") }

// BenchmarkDecisionTableCollect evaluates every rule of the same table (COLLECT).
func BenchmarkDecisionTableCollect(b *testing.B) { benchmarkTable(b, "COLLECT") }

// BenchmarkParseModel parses the model (XML, 20 rules of FEEL unary tests).
func BenchmarkParseModel(b *testing.B) {
	src := []byte(benchTable("FIRST"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
