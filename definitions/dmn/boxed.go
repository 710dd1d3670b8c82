package dmn

import (
	"strings"

	"onewindow/definitions"
	"onewindow/definitions/feel"
)

// Expr is a boxed expression: the logic of a decision, a business knowledge model, a context
// entry…
type Expr interface {
	eval(r *run, m *Definitions, sc *feel.Scope) feel.Value
}

// Literal is a literalExpression: FEEL text.
type Literal struct {
	Text, TypeRef, ID string
	Position          definitions.Position
	expr              *feel.Expression
	err               error // why the text did not compile
}

// ContextExpr is a boxed context; Result is the entry without a name (nil: the context itself
// is the value).
type ContextExpr struct {
	Entries []ContextEntry
	Result  Expr
	TypeRef string
}

// ContextEntry is one named entry of a boxed context.
type ContextEntry struct {
	Variable Variable
	Expr     Expr
}

// Relation is a boxed relation: a list of contexts, one per row.
type Relation struct {
	Columns []string
	Rows    [][]Expr
}

// ListExpr is a boxed list.
type ListExpr struct{ Items []Expr }

// Invocation calls a business knowledge model (or any function) with named bindings.
type Invocation struct {
	Callee   Expr
	Bindings []Binding
	ID       string
}

// Binding binds a parameter of an invocation; Expr nil binds null.
type Binding struct {
	Name string
	Expr Expr
}

// FuncDef is a boxed function definition.
type FuncDef struct {
	Params []Variable
	Body   Expr
	Kind   string // FEEL (or empty), Java, PMML
	ID     string
}

// Conditional is a boxed if/then/else (DMN 1.4).
type Conditional struct{ If, Then, Else Expr }

// FilterExpr is a boxed filter (DMN 1.4): the items of In for which Match holds.
type FilterExpr struct{ In, Match Expr }

// Iterator is a boxed for, every or some (DMN 1.4).
type Iterator struct {
	Kind string // "for", "every", "some"
	Var  string
	In   Expr
	Body Expr
}

// boxed builds the boxed expression of element c, or nil when c is no expression.
func (b *builder) boxed(c *elem, typeRef string) Expr {
	if t := c.attr("typeRef"); t != "" {
		typeRef = t
	}
	switch c.name {
	case "literalExpression":
		return b.literal(c, c.childText("text"), typeRef)
	case "decisionTable":
		return b.table(c, typeRef)
	case "context":
		ctx := &ContextExpr{TypeRef: typeRef}
		for _, ce := range c.all("contextEntry") {
			x := b.expression(ce, "")
			if x == nil {
				x = &Literal{ID: elemID(ce), Position: ce.pos}
			}
			ve := ce.child("variable")
			if ve == nil {
				ctx.Result = x
				continue
			}
			ctx.Entries = append(ctx.Entries, ContextEntry{Variable{ve.attr("name"), ve.attr("typeRef")}, x})
		}
		return ctx
	case "relation":
		rel := &Relation{}
		for _, col := range c.all("column") {
			rel.Columns = append(rel.Columns, col.attr("name"))
		}
		for _, row := range c.all("row") {
			var cells []Expr
			for _, cell := range row.children {
				if x := b.boxed(cell, ""); x != nil {
					cells = append(cells, x)
				}
			}
			if len(cells) != len(rel.Columns) {
				b.errorf(CodeTableShape, row, "the row has %d cells for %d columns", len(cells), len(rel.Columns))
				continue
			}
			rel.Rows = append(rel.Rows, cells)
		}
		return rel
	case "list":
		l := &ListExpr{}
		for _, it := range c.children {
			if x := b.boxed(it, ""); x != nil {
				l.Items = append(l.Items, x)
			}
		}
		return l
	case "invocation":
		inv := &Invocation{ID: elemID(c)}
		for _, ch := range c.children {
			if ch.name != "binding" && isDMNSpace(ch.space) && inv.Callee == nil {
				inv.Callee = b.boxed(ch, "")
			}
		}
		for _, bd := range c.all("binding") {
			name := ""
			if p := bd.child("parameter"); p != nil {
				name = p.attr("name")
			}
			var x Expr
			for _, ch := range bd.children {
				if ch.name != "parameter" && isDMNSpace(ch.space) && x == nil {
					x = b.boxed(ch, "")
				}
			}
			inv.Bindings = append(inv.Bindings, Binding{name, x})
		}
		if inv.Callee == nil {
			b.errorf(CodeTableShape, c, "the invocation names no function")
		}
		return inv
	case "functionDefinition", "encapsulatedLogic":
		fd := &FuncDef{Kind: c.attr("kind"), ID: elemID(c)}
		for _, p := range c.all("formalParameter") {
			fd.Params = append(fd.Params, Variable{p.attr("name"), p.attr("typeRef")})
		}
		fd.Body = b.expression(c, "")
		return fd
	case "conditional":
		return &Conditional{If: b.part(c, "if"), Then: b.part(c, "then"), Else: b.part(c, "else")}
	case "filter":
		return &FilterExpr{In: b.part(c, "in"), Match: b.part(c, "match")}
	case "for", "every", "some":
		body := "return"
		if c.name != "for" {
			body = "satisfies"
		}
		return &Iterator{Kind: c.name, Var: c.attr("iteratorVariable"), In: b.part(c, "in"), Body: b.part(c, body)}
	}
	return nil
}

// part builds the expression inside the child named name (the "if" of a conditional…).
func (b *builder) part(c *elem, name string) Expr {
	if p := c.child(name); p != nil {
		if x := b.expression(p, ""); x != nil {
			return x
		}
	}
	return &Literal{ID: elemID(c), Position: c.pos}
}

func (l *Literal) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	if l.err != nil {
		r.errf("%s: %v", l.where(), l.err)
		return nil
	}
	if l.expr == nil {
		return nil
	}
	v := r.s.EvalIn(l.expr, sc)
	return r.typed(m, l.TypeRef, v, l.where())
}

func (l *Literal) where() string {
	if l.ID != "" {
		return "expression " + l.ID
	}
	return "expression " + oneLine(l.Text)
}

func (c *ContextExpr) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	ctx := feel.NewContext()
	inner := sc.WithContext(ctx)
	for _, e := range c.Entries {
		v := evalExpr(r, m, e.Expr, inner)
		ctx.Set(e.Variable.Name, r.typed(m, e.Variable.TypeRef, v, "context entry "+e.Variable.Name))
	}
	if c.Result != nil {
		return evalExpr(r, m, c.Result, inner)
	}
	return ctx
}

// evalExpr evaluates x, null when x is nil (an empty cell).
func evalExpr(r *run, m *Definitions, x Expr, sc *feel.Scope) feel.Value {
	if x == nil {
		return nil
	}
	return x.eval(r, m, sc)
}

func (rel *Relation) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	out := make([]feel.Value, 0, len(rel.Rows))
	for _, row := range rel.Rows {
		ctx := feel.NewContext()
		for i, cell := range row {
			ctx.Set(rel.Columns[i], evalExpr(r, m, cell, sc))
		}
		out = append(out, ctx)
	}
	return out
}

func (l *ListExpr) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	out := make([]feel.Value, len(l.Items))
	for i, it := range l.Items {
		out[i] = evalExpr(r, m, it, sc)
	}
	return out
}

func (inv *Invocation) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	fv := evalExpr(r, m, inv.Callee, sc)
	f, ok := fv.(*feel.Function)
	if !ok {
		r.errf("invocation %s: the callee is a %s, not a function", inv.ID, feel.TypeName(fv))
		return nil
	}
	args := map[string]feel.Value{}
	for _, bd := range inv.Bindings {
		args[bd.Name] = evalExpr(r, m, bd.Expr, sc)
	}
	return r.s.CallNamed(f, args)
}

func (fd *FuncDef) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	switch k := strings.ToUpper(fd.Kind); {
	case k == "JAVA":
		f, _ := feel.JavaFunction(paramsOf(fd.Params), evalExpr(r, m, fd.Body, sc))
		return f
	case k != "" && k != "FEEL":
		return feel.NewFunction("", paramsOf(fd.Params), func(s *feel.Session, args []feel.Value) feel.Value {
			r.errf("function %s: %s functions are not supported", fd.ID, fd.Kind)
			return nil
		})
	}
	return r.function("", m, fd.Params, fd.Body, "", sc)
}

func paramsOf(vs []Variable) []feel.Param {
	ps := make([]feel.Param, len(vs))
	for i, v := range vs {
		ps[i] = feel.Param{Name: v.Name}
	}
	return ps
}

func (c *Conditional) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	switch evalExpr(r, m, c.If, sc) {
	case true:
		return evalExpr(r, m, c.Then, sc)
	case false, nil:
		return evalExpr(r, m, c.Else, sc)
	}
	r.errf("conditional: the if expression is not a boolean")
	return nil
}

func (f *FilterExpr) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	in := evalExpr(r, m, f.In, sc)
	list, ok := in.([]feel.Value)
	if !ok {
		if in == nil {
			return nil
		}
		list = []feel.Value{in}
	}
	out := []feel.Value{}
	for _, it := range list {
		inner := sc.With("item", it)
		if c, ok := it.(*feel.Context); ok {
			inner = inner.WithContext(c)
		}
		switch evalExpr(r, m, f.Match, inner) {
		case true:
			out = append(out, it)
		case false, nil:
		default:
			r.errf("filter: the match expression is not a boolean")
			return nil
		}
	}
	return out
}

func (it *Iterator) eval(r *run, m *Definitions, sc *feel.Scope) feel.Value {
	in := evalExpr(r, m, it.In, sc)
	list, ok := in.([]feel.Value)
	if !ok {
		if in == nil {
			return nil
		}
		list = []feel.Value{in}
	}
	var out []feel.Value
	for _, x := range list {
		v := evalExpr(r, m, it.Body, sc.With(it.Var, x))
		if _, isBool := v.(bool); !isBool && it.Kind != "for" {
			r.errf("%s: the satisfies expression is not a boolean", it.Kind)
			return nil
		}
		switch it.Kind {
		case "for":
			out = append(out, v)
		case "every":
			if v != true {
				return false
			}
		case "some":
			if v == true {
				return true
			}
		}
	}
	switch it.Kind {
	case "every":
		return true
	case "some":
		return false
	}
	if out == nil {
		out = []feel.Value{}
	}
	return out
}
