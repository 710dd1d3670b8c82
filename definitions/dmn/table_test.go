package dmn

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"onewindow/definitions/feel"
)

const ns15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"

// tableModel builds a model with input data "x" (a number) and a decision "d" whose logic is a
// decision table; rules are "inputEntry|outputEntry[|outputEntry]" rows.
func tableModel(hitPolicy, aggregation string, outputs []string, rules ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="%s" id="defs" name="t" namespace="http://example.com/t">
  <inputData id="in_x" name="x"><variable name="x" typeRef="number"/></inputData>
  <decision id="d" name="d">
    <informationRequirement><requiredInput href="#in_x"/></informationRequirement>
    <decisionTable id="table" hitPolicy="%s"`, ns15, hitPolicy)
	if aggregation != "" {
		fmt.Fprintf(&b, ` aggregation="%s"`, aggregation)
	}
	b.WriteString(">\n      <input id=\"i1\" label=\"x\"><inputExpression typeRef=\"number\"><text>x</text></inputExpression></input>\n")
	for _, o := range outputs {
		name, values, _ := strings.Cut(o, "=")
		fmt.Fprintf(&b, "      <output id=\"o_%s\" name=\"%s\">", name, name)
		if values != "" {
			fmt.Fprintf(&b, "<outputValues><text>%s</text></outputValues>", html.EscapeString(values))
		}
		b.WriteString("</output>\n")
	}
	for i, r := range rules {
		cells := strings.Split(r, "|")
		fmt.Fprintf(&b, "      <rule id=\"r%d\"><inputEntry><text>%s</text></inputEntry>", i+1, html.EscapeString(cells[0]))
		for _, c := range cells[1:] {
			fmt.Fprintf(&b, "<outputEntry><text>%s</text></outputEntry>", html.EscapeString(c))
		}
		b.WriteString("</rule>\n")
	}
	b.WriteString("    </decisionTable>\n  </decision>\n</definitions>\n")
	return b.String()
}

func mustParse(t *testing.T, src string) *Definitions {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := Link(d); err != nil {
		t.Fatal(err)
	}
	return d
}

func evalX(t *testing.T, d *Definitions, x int64) *Result {
	t.Helper()
	res, err := d.Evaluate("d", Request{Inputs: map[string]feel.Value{"x": feel.Int(x)}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestHitPolicies(t *testing.T) {
	cases := []struct {
		name        string
		hitPolicy   string
		aggregation string
		outputs     []string
		rules       []string
		x           int64
		want        string
		wantErr     string
	}{
		{"unique one match", "UNIQUE", "", []string{"o"}, []string{"< 5|\"low\"", ">= 5|\"high\""}, 7, `"high"`, ""},
		{"unique no match", "UNIQUE", "", []string{"o"}, []string{"< 5|\"low\""}, 7, "null", ""},
		{"unique overlap", "UNIQUE", "", []string{"o"}, []string{"> 1|\"a\"", "< 5|\"b\"", "> 10|\"c\""}, 3, "null", "rules 1 (r1), 2 (r2) all match"},
		{"first", "FIRST", "", []string{"o"}, []string{"> 1|\"a\"", "< 5|\"b\""}, 3, `"a"`, ""},
		{"priority", "PRIORITY", "", []string{`o="high","medium","low"`}, []string{"> 1|\"low\"", "< 5|\"high\"", "-|\"medium\""}, 3, `"high"`, ""},
		{"any same", "ANY", "", []string{"o"}, []string{"> 1|\"a\"", "< 5|\"a\""}, 3, `"a"`, ""},
		{"any different", "ANY", "", []string{"o"}, []string{"> 1|\"a\"", "< 5|\"b\""}, 3, "null", "rules 1 (r1), 2 (r2) give different outputs"},
		{"collect", "COLLECT", "", []string{"o"}, []string{"> 1|\"a\"", "> 10|\"x\"", "< 5|\"b\""}, 3, `["a", "b"]`, ""},
		{"collect none", "COLLECT", "", []string{"o"}, []string{"> 10|\"x\""}, 3, "[]", ""},
		{"collect sum", "COLLECT", "SUM", []string{"o"}, []string{"> 1|10", "< 5|5", "> 9|100"}, 3, "15", ""},
		{"collect min", "COLLECT", "MIN", []string{"o"}, []string{"> 1|10", "< 5|5"}, 3, "5", ""},
		{"collect max", "COLLECT", "MAX", []string{"o"}, []string{"> 1|10", "< 5|5"}, 3, "10", ""},
		{"collect count distinct", "COLLECT", "COUNT", []string{"o"}, []string{"> 1|10", "< 5|10", "-|7"}, 3, "2", ""},
		{"collect count none", "COLLECT", "COUNT", []string{"o"}, []string{"> 10|1"}, 3, "0", ""},
		{"collect sum none", "COLLECT", "SUM", []string{"o"}, []string{"> 10|1"}, 3, "null", ""},
		{"rule order", "RULE ORDER", "", []string{"o"}, []string{"> 1|\"a\"", "< 5|\"b\""}, 3, `["a", "b"]`, ""},
		{"output order", "OUTPUT ORDER", "", []string{`o="b","a"`}, []string{"> 1|\"a\"", "< 5|\"b\""}, 3, `["b", "a"]`, ""},
		{"two outputs", "UNIQUE", "", []string{"a", "b"}, []string{"-|1|\"one\""}, 3, `{a: 1, b: "one"}`, ""},
		{"collect two outputs", "COLLECT", "", []string{"a", "b"}, []string{"-|1|2", "< 5|3|4"}, 3, "[{a: 1, b: 2}, {a: 3, b: 4}]", ""},
		{"hit policy in lower case with underscore", "rule_order", "", []string{"o"}, []string{"-|1"}, 3, "[1]", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := mustParse(t, tableModel(c.hitPolicy, c.aggregation, c.outputs, c.rules...))
			res := evalX(t, d, c.x)
			if got := feel.Format(res.Value); got != c.want && !(c.want == "null" && res.Value == nil) {
				if _, isStr := res.Value.(string); isStr {
					got = `"` + got + `"`
				}
				if got != c.want {
					t.Errorf("value %s, want %s (errors %v)", got, c.want, res.Errors)
				}
			}
			joined := strings.Join(res.Errors, "\n")
			if c.wantErr == "" && joined != "" {
				t.Errorf("unexpected errors: %s", joined)
			}
			if c.wantErr != "" && !strings.Contains(joined, c.wantErr) {
				t.Errorf("errors %q lack %q", joined, c.wantErr)
			}
		})
	}
}

func TestDefaultOutputAndOutputValues(t *testing.T) {
	src := strings.Replace(tableModel("UNIQUE", "", []string{`o="a","b"`}, "> 10|\"a\"", "< 0|\"c\""),
		`</outputValues>`, `</outputValues><defaultOutputEntry><text>"b"</text></defaultOutputEntry>`, 1)
	d := mustParse(t, src)
	if res := evalX(t, d, 5); res.Value != "b" {
		t.Errorf("no rule matches: %v, want the default \"b\"", res.Value)
	}
	res := evalX(t, d, -1)
	if res.Value != nil || !strings.Contains(strings.Join(res.Errors, " "), "not one of its output values") {
		t.Errorf("output outside its values: %v %v", res.Value, res.Errors)
	}
}

func TestInputValuesAreChecked(t *testing.T) {
	src := strings.Replace(tableModel("FIRST", "", []string{"o"}, "-|1"),
		`</inputExpression>`, `</inputExpression><inputValues><text>[0..10]</text></inputValues>`, 1)
	d := mustParse(t, src)
	if res := evalX(t, d, 5); !feelEqual(res.Value, feel.Int(1)) {
		t.Errorf("input in range: %v %v", res.Value, res.Errors)
	}
	res := evalX(t, d, 50)
	if res.Value != nil || !strings.Contains(strings.Join(res.Errors, " "), "not one of its input values [0..10]") {
		t.Errorf("input out of range: %v %v", res.Value, res.Errors)
	}
}

func feelEqual(a, b feel.Value) bool { return feel.Equal(a, b) == true }

func TestUniqueOverlapWarnsStatically(t *testing.T) {
	d := mustParse(t, tableModel("UNIQUE", "", []string{"o"}, "< 5|1", "-|2", "> 7|3"))
	var found []string
	for _, p := range d.Problems() {
		if p.Code == CodeOverlappingRules {
			found = append(found, fmt.Sprintf("%s line %d: %s", p.ElementID, p.Line, p.Message))
		}
	}
	want := []string{
		"r2 line 10: rules 1 and 2 of the UNIQUE table match the same inputs",
		"r3 line 11: rules 2 and 3 of the UNIQUE table match the same inputs",
	}
	if strings.Join(found, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(found, "\n"), strings.Join(want, "\n"))
	}
	d = mustParse(t, tableModel("FIRST", "", []string{"o"}, "< 5|1", "-|2"))
	for _, p := range d.Problems() {
		t.Errorf("FIRST table: unexpected problem %v", p)
	}
}
