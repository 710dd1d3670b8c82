package dmn

import (
	"errors"
	"fmt"
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/feel"
)

// ErrNotDMN is wrapped by Parse when the input is not a readable DMN file.
var ErrNotDMN = errors.New("not a DMN file")

// Parse reads a .dmn file. It returns an error only when the file cannot be read as DMN at all
// (not XML, not DMN, too large); problems in the model (FEEL that does not parse, references
// to nothing) are in Problems(), and evaluating what they concern gives null and an error.
func Parse(data []byte) (*Definitions, error) {
	root, err := readTree(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotDMN, err)
	}
	d := &Definitions{
		ID: root.attr("id"), Name: root.attr("name"), Namespace: root.attr("namespace"),
		Version: dmnSpaces[root.space],
		byID:    map[string]any{}, types: map[string]*ItemDef{},
	}
	b := &builder{d: d}
	b.collectNames(root)
	b.names = feel.NewNames(d.names...)
	for _, c := range root.children {
		if !isDMNSpace(c.space) {
			continue
		}
		b.element(c)
	}
	b.checkRefs()
	definitions.SortProblems(d.problems)
	return d, nil
}

// builder turns the element tree into the model.
type builder struct {
	d     *Definitions
	names *feel.Names
}

// collectNames gathers every name the model declares (elements, variables, item components,
// parameters, context entries, output columns) so that FEEL reads names with spaces or
// operator characters ("Date-Time", "Monthly Income") as one name.
func (b *builder) collectNames(e *elem) {
	if isDMNSpace(e.space) {
		switch e.name {
		case "decision", "inputData", "businessKnowledgeModel", "decisionService", "itemDefinition",
			"itemComponent", "variable", "formalParameter", "parameter", "output", "column", "import":
			if n := e.attr("name"); n != "" {
				b.d.names = append(b.d.names, n)
			}
		case "for", "every", "some":
			if n := e.attr("iteratorVariable"); n != "" {
				b.d.names = append(b.d.names, n)
			}
		}
	}
	for _, c := range e.children {
		b.collectNames(c)
	}
}

func (b *builder) errorf(code string, e *elem, format string, args ...any) {
	b.d.problem(definitions.SeverityError, code, e.pos, elemID(e), fmt.Sprintf(format, args...))
}

func (b *builder) warnf(code string, e *elem, format string, args ...any) {
	b.d.problem(definitions.SeverityWarning, code, e.pos, elemID(e), fmt.Sprintf(format, args...))
}

// elemID returns the id of e, or of its nearest ancestor that has one (a literal expression
// without id is reported at its decision).
func elemID(e *elem) string {
	for x := e; x != nil; x = x.parent {
		if id := x.attr("id"); id != "" {
			return id
		}
		if n := x.attr("name"); n != "" && x.name != "definitions" {
			return n
		}
	}
	return ""
}

func (b *builder) register(id string, v any, e *elem) {
	if id == "" {
		return
	}
	if _, dup := b.d.byID[id]; dup {
		b.errorf(CodeDuplicateName, e, "two elements have the id %q", id)
		return
	}
	b.d.byID[id] = v
}

func variableOf(e *elem) Variable {
	v := Variable{Name: e.attr("name")}
	if ve := e.child("variable"); ve != nil {
		v.TypeRef = ve.attr("typeRef")
		if n := ve.attr("name"); n != "" {
			v.Name = n
		}
	}
	return v
}

// hrefs returns the href attributes of the children named name inside the children named
// wrapper (or directly when wrapper is "").
func hrefs(e *elem, wrapper, name string) []string {
	var out []string
	parents := []*elem{e}
	if wrapper != "" {
		parents = e.all(wrapper)
	}
	for _, p := range parents {
		for _, c := range p.all(name) {
			out = append(out, c.attr("href"))
		}
	}
	return out
}

func (b *builder) element(e *elem) {
	d := b.d
	switch e.name {
	case "import":
		d.Imports = append(d.Imports, &Import{
			Name: e.attr("name"), Namespace: e.attr("namespace"), Location: e.attr("locationURI"),
			ImportType: e.attr("importType"), Position: e.pos,
		})
	case "itemDefinition":
		it := b.itemDef(e)
		d.ItemDefs = append(d.ItemDefs, it)
		if _, dup := d.types[it.Name]; dup {
			b.errorf(CodeDuplicateName, e, "two item definitions are named %q", it.Name)
		}
		d.types[it.Name] = it
	case "inputData":
		in := &InputData{ID: e.attr("id"), Name: e.attr("name"), Variable: variableOf(e), Position: e.pos, model: d}
		d.Inputs = append(d.Inputs, in)
		b.register(in.ID, in, e)
	case "decision":
		dec := &Decision{
			ID: e.attr("id"), Name: e.attr("name"), Variable: variableOf(e), Position: e.pos, model: d,
			RequiredDecisions: hrefs(e, "informationRequirement", "requiredDecision"),
			RequiredInputs:    hrefs(e, "informationRequirement", "requiredInput"),
			RequiredKnowledge: hrefs(e, "knowledgeRequirement", "requiredKnowledge"),
		}
		dec.Logic = b.expression(e, "") // the decision converts the value to its variable's type
		d.Decisions = append(d.Decisions, dec)
		b.register(dec.ID, dec, e)
	case "businessKnowledgeModel":
		bkm := &BKM{
			ID: e.attr("id"), Name: e.attr("name"), Variable: variableOf(e), Position: e.pos, model: d,
			RequiredKnowledge: hrefs(e, "knowledgeRequirement", "requiredKnowledge"),
		}
		if logic := e.child("encapsulatedLogic"); logic != nil {
			for _, p := range logic.all("formalParameter") {
				bkm.Params = append(bkm.Params, Variable{Name: p.attr("name"), TypeRef: p.attr("typeRef")})
			}
			bkm.Body = b.expression(logic, "")
		}
		d.BKMs = append(d.BKMs, bkm)
		b.register(bkm.ID, bkm, e)
	case "decisionService":
		s := &Service{
			ID: e.attr("id"), Name: e.attr("name"), Variable: variableOf(e), Position: e.pos, model: d,
			OutputDecisions:       hrefs(e, "", "outputDecision"),
			EncapsulatedDecisions: hrefs(e, "", "encapsulatedDecision"),
			InputDecisions:        hrefs(e, "", "inputDecision"),
			InputData:             hrefs(e, "", "inputData"),
		}
		d.Services = append(d.Services, s)
		b.register(s.ID, s, e)
	}
}

func (b *builder) itemDef(e *elem) *ItemDef {
	it := &ItemDef{
		Name: e.attr("name"), TypeRef: strings.TrimSpace(e.attr("typeRef")),
		IsCollection: e.attr("isCollection") == "true", Position: e.pos, model: b.d,
	}
	if it.TypeRef == "" {
		it.TypeRef = strings.TrimSpace(e.childText("typeRef"))
	}
	if av := e.child("allowedValues"); av != nil {
		it.AllowedValues = b.unaryTests(av, av.childText("text"))
	}
	if tc := e.child("typeConstraint"); tc != nil {
		it.TypeConstr = b.unaryTests(tc, tc.childText("text"))
	}
	for _, c := range e.all("itemComponent") {
		it.Components = append(it.Components, b.itemDef(c))
	}
	if fi := e.child("functionItem"); fi != nil {
		it.IsFunction = true
		it.OutputTypeRef = fi.attr("outputTypeRef")
	}
	return it
}

// literal compiles the FEEL text of a literalExpression (or of an output entry).
func (b *builder) literal(e *elem, text, typeRef string) *Literal {
	l := &Literal{Text: text, TypeRef: typeRef, ID: elemID(e), Position: e.pos}
	if strings.TrimSpace(text) == "" {
		return l // an empty literal expression is null
	}
	if lang := e.attr("expressionLanguage"); lang != "" && !isFEELLanguage(lang) {
		l.err = fmt.Errorf("expression language %q is not supported", lang)
		b.errorf(CodeUnsupportedElement, e, "%v", l.err)
		return l
	}
	x, err := feel.ParseIn(text, b.names)
	if err != nil {
		l.err = err
		b.errorf(CodeInvalidFEEL, e, "FEEL %q: %v", oneLine(text), err)
		return l
	}
	l.expr = x
	return l
}

func isFEELLanguage(lang string) bool {
	return strings.Contains(strings.ToLower(lang), "feel")
}

// unaryTests compiles unary tests (an input entry, allowed values).
func (b *builder) unaryTests(e *elem, text string) *feel.UnaryTests {
	if strings.TrimSpace(text) == "" {
		text = "-"
	}
	u, err := feel.ParseUnaryTestsIn(text, b.names)
	if err != nil {
		b.errorf(CodeInvalidFEEL, e, "FEEL unary tests %q: %v", oneLine(text), err)
		return nil
	}
	return u
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// expression finds the boxed expression among the children of e (the decision, the function
// definition, the context entry…) and builds it; nil when there is none.
func (b *builder) expression(e *elem, typeRef string) Expr {
	for _, c := range e.children {
		if !isDMNSpace(c.space) {
			continue
		}
		if x := b.boxed(c, typeRef); x != nil {
			return x
		}
	}
	return nil
}

// checkRefs reports requirement hrefs that name nothing in this model (references into
// imported models are checked when the models are linked).
func (b *builder) checkRefs() {
	d := b.d
	check := func(owner string, pos definitions.Position, refs []string) {
		for _, h := range refs {
			ns, id := splitHref(h)
			if ns != "" && ns != d.Namespace {
				continue
			}
			if _, ok := d.byID[id]; !ok {
				d.problem(definitions.SeverityError, CodeUnresolvedRef, pos, owner, fmt.Sprintf("the reference %q names no element of the model", h))
			}
		}
	}
	for _, dec := range d.Decisions {
		check(dec.ID, dec.Position, dec.RequiredDecisions)
		check(dec.ID, dec.Position, dec.RequiredInputs)
		check(dec.ID, dec.Position, dec.RequiredKnowledge)
	}
	for _, k := range d.BKMs {
		check(k.ID, k.Position, k.RequiredKnowledge)
	}
	for _, s := range d.Services {
		check(s.ID, s.Position, s.OutputDecisions)
		check(s.ID, s.Position, s.EncapsulatedDecisions)
		check(s.ID, s.Position, s.InputDecisions)
		check(s.ID, s.Position, s.InputData)
	}
}

// splitHref splits "namespace#id" (or "#id").
func splitHref(h string) (ns, id string) {
	if i := strings.LastIndex(h, "#"); i >= 0 {
		return h[:i], h[i+1:]
	}
	return "", h
}
