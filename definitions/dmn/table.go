package dmn

import (
	"fmt"
	"sort"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/feel"
)

// Table is a decision table.
type Table struct {
	ID          string
	HitPolicy   string // UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER
	Aggregation string // SUM, COUNT, MIN, MAX (COLLECT only)
	Inputs      []TableInput
	Outputs     []TableOutput
	Rules       []Rule
	TypeRef     string
	Position    definitions.Position
}

// TableInput is an input clause.
type TableInput struct {
	Expr    *Literal
	Allowed *feel.UnaryTests
	Label   string
}

// TableOutput is an output clause.
type TableOutput struct {
	Name, TypeRef string
	Allowed       *feel.UnaryTests
	allowedItems  []*feel.UnaryTests // the output values one by one, for priorities
	Default       *Literal
}

// Rule is a row of a decision table.
type Rule struct {
	ID       string
	Index    int // 1-based
	Inputs   []*feel.UnaryTests
	Texts    []string
	Outputs  []*Literal
	Position definitions.Position
}

func (b *builder) table(c *elem, typeRef string) Expr {
	t := &Table{
		ID: elemID(c), HitPolicy: strings.ToUpper(strings.TrimSpace(c.attr("hitPolicy"))),
		Aggregation: strings.ToUpper(strings.TrimSpace(c.attr("aggregation"))), TypeRef: typeRef, Position: c.pos,
	}
	t.HitPolicy = strings.ReplaceAll(t.HitPolicy, "_", " ")
	if t.HitPolicy == "" {
		t.HitPolicy = "UNIQUE"
	}
	switch t.HitPolicy {
	case "UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER":
	default:
		b.errorf(CodeUnknownHitPolicy, c, "unknown hit policy %q", t.HitPolicy)
	}
	for _, in := range c.all("input") {
		ti := TableInput{Label: in.attr("label")}
		if ie := in.child("inputExpression"); ie != nil {
			ti.Expr = b.literal(ie, ie.childText("text"), ie.attr("typeRef"))
			if ti.Label == "" {
				ti.Label = strings.TrimSpace(ie.childText("text"))
			}
		} else {
			ti.Expr = &Literal{ID: elemID(in), Position: in.pos}
		}
		if iv := in.child("inputValues"); iv != nil {
			ti.Allowed = b.unaryTests(iv, iv.childText("text"))
		}
		t.Inputs = append(t.Inputs, ti)
	}
	for _, out := range c.all("output") {
		to := TableOutput{Name: out.attr("name"), TypeRef: out.attr("typeRef")}
		if ov := out.child("outputValues"); ov != nil {
			text := ov.childText("text")
			to.Allowed = b.unaryTests(ov, text)
			for _, part := range splitTopLevel(text) {
				if u, err := feel.ParseUnaryTestsIn(part, b.names); err == nil {
					to.allowedItems = append(to.allowedItems, u)
				}
			}
		}
		if de := out.child("defaultOutputEntry"); de != nil {
			to.Default = b.literal(de, de.childText("text"), to.TypeRef)
		}
		t.Outputs = append(t.Outputs, to)
	}
	if len(t.Outputs) > 1 {
		for _, o := range t.Outputs {
			if o.Name == "" {
				b.errorf(CodeTableShape, c, "a decision table with several outputs must name each one")
				break
			}
		}
	}
	for i, rc := range c.all("rule") {
		r := Rule{ID: elemID(rc), Index: i + 1, Position: rc.pos}
		for _, ie := range rc.all("inputEntry") {
			text := ie.childText("text")
			r.Texts = append(r.Texts, strings.TrimSpace(text))
			r.Inputs = append(r.Inputs, b.unaryTests(ie, text))
		}
		for _, oe := range rc.all("outputEntry") {
			r.Outputs = append(r.Outputs, b.literal(oe, oe.childText("text"), ""))
		}
		if len(r.Inputs) != len(t.Inputs) || len(r.Outputs) != len(t.Outputs) {
			b.errorf(CodeTableShape, rc, "rule %d has %d input and %d output entries for %d inputs and %d outputs",
				r.Index, len(r.Inputs), len(r.Outputs), len(t.Inputs), len(t.Outputs))
			continue
		}
		t.Rules = append(t.Rules, r)
	}
	if t.HitPolicy == "UNIQUE" {
		b.overlapWarnings(t)
	}
	return t
}

// splitTopLevel splits "a, b, [1..2]" at the commas outside brackets and strings.
func splitTopLevel(s string) []string {
	var parts []string
	depth, inStr, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case inStr && ch == '\\':
			i++
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '(' || ch == '[' || ch == '{':
			depth++
		case ch == ')' || ch == ']' || ch == '}':
			depth--
		case ch == ',' && depth == 0:
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		parts = append(parts, rest)
	}
	return parts
}

// overlapWarnings warns about pairs of rules of a UNIQUE table that plainly match the same
// inputs: in every column their entries are the same text or one of them is "-".
func (b *builder) overlapWarnings(t *Table) {
	for i := 0; i < len(t.Rules); i++ {
		for j := i + 1; j < len(t.Rules); j++ {
			ri, rj := t.Rules[i], t.Rules[j]
			same := true
			for k := range ri.Texts {
				a, c := ri.Texts[k], rj.Texts[k]
				if a != c && a != "-" && c != "-" && a != "" && c != "" {
					same = false
					break
				}
			}
			if same {
				id := rj.ID
				if id == "" {
					id = t.ID
				}
				b.d.problem(definitions.SeverityWarning, CodeOverlappingRules, rj.Position, id,
					fmt.Sprintf("rules %d and %d of the UNIQUE table match the same inputs", ri.Index, rj.Index))
			}
		}
	}
}

// hit is a matched rule with its outputs.
type hit struct {
	rule    *Rule
	outputs []feel.Value
}

func (t *Table) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	where := "decision table " + t.ID
	inputs := make([]feel.Value, len(t.Inputs))
	for i, in := range t.Inputs {
		v := in.Expr.eval(r, m, sc)
		if in.Allowed != nil && v != nil && r.s.Match(in.Allowed, v, sc) != true {
			r.errf("%s: input %q is %s, not one of its input values %s", where, in.Label, feel.Format(v), in.Allowed.Source)
			return nil
		}
		inputs[i] = v
	}
	var hits []hit
	for ri := range t.Rules {
		rule := &t.Rules[ri]
		if !t.matches(r, rule, inputs, sc) {
			continue
		}
		h := hit{rule: rule, outputs: make([]feel.Value, len(t.Outputs))}
		for oi, oe := range rule.Outputs {
			v := oe.eval(r, m, sc)
			out := t.Outputs[oi]
			h.outputs[oi] = r.typed(m, out.TypeRef, v, fmt.Sprintf("%s output %q of rule %d", where, out.Name, rule.Index))
			if out.Allowed != nil && h.outputs[oi] != nil && r.s.Match(out.Allowed, h.outputs[oi], sc) != true {
				r.errf("%s: rule %d gives %s for output %q, not one of its output values %s", where, rule.Index, feel.Format(h.outputs[oi]), out.Name, out.Allowed.Source)
				h.outputs[oi] = nil
			}
		}
		hits = append(hits, h)
		if t.HitPolicy == "FIRST" {
			break
		}
	}
	return t.apply(r, m, sc, hits)
}

// matches reports whether every input entry of the rule holds.
func (t *Table) matches(r *run, rule *Rule, inputs []feel.Value, sc *feel.Scope) bool {
	for i, u := range rule.Inputs {
		if u == nil {
			return false // did not compile: reported by Parse
		}
		if u.IsAny() {
			continue
		}
		if r.s.Match(u, inputs[i], sc) != true {
			return false
		}
	}
	return true
}

// row makes the value of one hit: the single output, or a context of the named outputs.
func (t *Table) row(h hit) feel.Value {
	if len(t.Outputs) == 1 {
		return h.outputs[0]
	}
	c := feel.NewContext()
	for i, o := range t.Outputs {
		c.Set(o.Name, h.outputs[i])
	}
	return c
}

func ruleList(hits []hit) string {
	parts := make([]string, len(hits))
	for i, h := range hits {
		parts[i] = fmt.Sprintf("%d", h.rule.Index)
		if h.rule.ID != "" {
			parts[i] += " (" + h.rule.ID + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func (t *Table) apply(r *run, m *Definitions, sc *feel.Scope, hits []hit) feel.Value {
	where := "decision table " + t.ID
	if len(hits) == 0 {
		return t.defaults(r, m, sc)
	}
	switch t.HitPolicy {
	case "UNIQUE":
		if len(hits) > 1 {
			r.errf("%s: hit policy UNIQUE but rules %s all match", where, ruleList(hits))
			return nil
		}
		return t.row(hits[0])
	case "FIRST":
		return t.row(hits[0])
	case "ANY":
		first := t.row(hits[0])
		for _, h := range hits[1:] {
			if feel.Equal(first, t.row(h)) != true {
				r.errf("%s: hit policy ANY but rules %s give different outputs", where, ruleList(hits))
				return nil
			}
		}
		return first
	case "PRIORITY":
		return t.row(t.byPriority(r, sc, hits)[0])
	case "OUTPUT ORDER":
		return t.rows(t.byPriority(r, sc, hits))
	case "RULE ORDER":
		return t.rows(hits)
	case "COLLECT":
		return t.collect(r, hits)
	}
	r.errf("%s: unknown hit policy %q", where, t.HitPolicy)
	return nil
}

func (t *Table) rows(hits []hit) feel.Value {
	out := make([]feel.Value, len(hits))
	for i, h := range hits {
		out[i] = t.row(h)
	}
	return out
}

// defaults is the value when no rule matches: the default output entries, or null.
func (t *Table) defaults(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	has := false
	h := hit{outputs: make([]feel.Value, len(t.Outputs))}
	for i, o := range t.Outputs {
		if o.Default != nil {
			has = true
			h.outputs[i] = o.Default.eval(r, m, sc)
		}
	}
	if !has {
		if t.HitPolicy == "COLLECT" && t.Aggregation == "COUNT" {
			return feel.Int(0)
		}
		if t.HitPolicy == "COLLECT" || t.HitPolicy == "RULE ORDER" || t.HitPolicy == "OUTPUT ORDER" {
			if t.Aggregation == "" {
				return []feel.Value{}
			}
		}
		return nil
	}
	return t.row(h)
}

// priority returns the position of v among the output values of output o (lower wins).
func (t *Table) priority(r *run, sc *feel.Scope, o int, v feel.Value) int {
	items := t.Outputs[o].allowedItems
	for i, u := range items {
		if r.s.Match(u, v, sc) == true {
			return i
		}
	}
	return len(items)
}

// byPriority orders hits by the output values of the outputs, in output order (stable).
func (t *Table) byPriority(r *run, sc *feel.Scope, hits []hit) []hit {
	sorted := append([]hit{}, hits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		for o := range t.Outputs {
			pi, pj := t.priority(r, sc, o, sorted[i].outputs[o]), t.priority(r, sc, o, sorted[j].outputs[o])
			if pi != pj {
				return pi < pj
			}
		}
		return false
	})
	return sorted
}

func (t *Table) collect(r *run, hits []hit) feel.Value {
	where := "decision table " + t.ID
	if t.Aggregation == "" {
		return t.rows(hits)
	}
	if len(t.Outputs) != 1 {
		r.errf("%s: aggregation %s needs exactly one output", where, t.Aggregation)
		return nil
	}
	vals := make([]feel.Value, 0, len(hits))
	for _, h := range hits {
		if h.outputs[0] != nil {
			vals = append(vals, h.outputs[0])
		}
	}
	name := map[string]string{"SUM": "sum", "MIN": "min", "MAX": "max"}[t.Aggregation]
	if t.Aggregation == "COUNT" {
		return feel.Int(int64(len(distinctValues(vals))))
	}
	if name == "" {
		r.errf("%s: unknown aggregation %q", where, t.Aggregation)
		return nil
	}
	if len(vals) == 0 {
		return nil
	}
	return r.s.Call(feel.Builtin(name), []feel.Value{vals})
}

func distinctValues(vals []feel.Value) []feel.Value {
	var out []feel.Value
	for _, v := range vals {
		dup := false
		for _, o := range out {
			if feel.Equal(v, o) == true {
				dup = true
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
