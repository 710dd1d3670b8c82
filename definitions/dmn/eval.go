package dmn

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"onewindow/definitions/feel"
)

// Request is what an evaluation needs besides the model.
type Request struct {
	// Inputs are the values of the model's input data, by name.
	Inputs map[string]feel.Value
	// Imported are the values of input data of imported models, by namespace, then name.
	Imported map[string]map[string]feel.Value
	// MaxSteps bounds the FEEL work of the evaluation (0: feel.DefaultMaxSteps).
	MaxSteps int
	// Now is what now() and today() return (zero: the wall clock).
	Now time.Time
	// Context holds names every decision and knowledge model sees besides its requirements
	// (which hide them): the process variables when a BPMN business rule task evaluates a
	// decision, as Camunda's input expressions read them.
	Context *feel.Context
}

// Result is the outcome of an evaluation.
type Result struct {
	// Value is the value of the decision (for a decision service: of its only output
	// decision, or a context of its output decisions).
	Value feel.Value
	// Outputs are the values of the evaluated decisions (for a service: of its output
	// decisions), by name.
	Outputs map[string]feel.Value
	// Errors are the errors met; an error makes the value concerned null.
	Errors []string
}

// ErrUnknownDecision is returned for a decision or service the model does not have.
var ErrUnknownDecision = errors.New("no such decision")

// run is the state of one evaluation.
type run struct {
	s         *feel.Session
	req       Request
	main      *Definitions
	cache     map[*Decision]feel.Value
	busy      map[*Decision]bool
	overrides map[any]feel.Value // decision service arguments: input data and input decisions
	errs      *[]string
}

func (r *run) errf(format string, args ...any) {
	if len(*r.errs) < 200 {
		*r.errs = append(*r.errs, fmt.Sprintf(format, args...))
	}
}

func newRun(d *Definitions, req Request) *run {
	errs := []string{}
	r := &run{
		s:   &feel.Session{MaxSteps: req.MaxSteps, Now: req.Now},
		req: req, main: d, cache: map[*Decision]feel.Value{}, busy: map[*Decision]bool{},
		errs: &errs,
	}
	r.s.NamedType = func(name string, v feel.Value) (bool, bool) {
		t, ok := r.lookupType(d, name)
		if !ok {
			return false, false
		}
		return r.instanceOf(t, v), true
	}
	return r
}

// finish adds the FEEL notes to the errors.
func (r *run) finish(res *Result) *Result {
	for _, n := range r.s.Notes {
		r.errf("FEEL %s", n)
	}
	res.Errors = *r.errs
	return res
}

// Evaluate evaluates the decision named name (or with that id) and the decisions it requires.
// The error is non-nil when the decision does not exist, the model's imports are unresolved,
// or a limit aborted the evaluation; errors that only make values null are in Result.Errors.
func (d *Definitions) Evaluate(name string, req Request) (*Result, error) {
	if err := d.importError(); err != nil {
		return nil, err
	}
	dec := d.findDecision(name)
	if dec == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDecision, name)
	}
	r := newRun(d, req)
	v, err := r.s.Guard(func() feel.Value { return r.decision(dec) })
	if err != nil {
		return nil, fmt.Errorf("decision %q: %w", dec.Name, err)
	}
	res := &Result{Value: v, Outputs: map[string]feel.Value{}}
	for k, val := range r.cache {
		if k.model == d {
			res.Outputs[k.Name] = val
		}
	}
	return r.finish(res), nil
}

// EvaluateService invokes the decision service named name with the request's inputs as its
// parameters (input data and input decisions, by name).
func (d *Definitions) EvaluateService(name string, req Request) (*Result, error) {
	if err := d.importError(); err != nil {
		return nil, err
	}
	var svc *Service
	for _, s := range d.Services {
		if s.Name == name || s.ID == name {
			svc = s
		}
	}
	if svc == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDecision, name)
	}
	r := newRun(d, req)
	args := map[string]feel.Value{}
	for k, v := range req.Inputs {
		args[k] = v
	}
	var outputs *feel.Context
	_, err := r.s.Guard(func() feel.Value {
		outputs = r.invokeService(d, svc, args, false)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decision service %q: %w", svc.Name, err)
	}
	res := &Result{Outputs: map[string]feel.Value{}}
	for _, k := range outputs.Keys() {
		res.Outputs[k], _ = outputs.Get(k)
	}
	res.Value = outputs
	if outputs.Len() == 1 {
		res.Value, _ = outputs.Get(outputs.Keys()[0])
	}
	return r.finish(res), nil
}

func (d *Definitions) findDecision(name string) *Decision {
	for _, dec := range d.Decisions {
		if dec.Name == name {
			return dec
		}
	}
	for _, dec := range d.Decisions {
		if dec.ID == name {
			return dec
		}
	}
	return nil
}

// resolve finds the element an href of model m names, and the model it is in.
func (r *run) resolve(m *Definitions, href string) (any, *Definitions) {
	ns, id := splitHref(href)
	target := m
	if ns != "" && ns != m.Namespace {
		target = m.importedByNamespace(ns)
		if target == nil {
			return nil, nil
		}
	}
	return target.byID[id], target
}

// importName returns the name under which model m sees the elements of model o ("" when o is
// m or imported without a name).
func (m *Definitions) importName(o *Definitions) string {
	if o == m {
		return ""
	}
	for name, im := range m.imported {
		if im == o {
			return name
		}
	}
	return ""
}

// bind puts an element's value into the scope context of model m, under the import name of
// the element's model when it is imported.
func bind(ctx *feel.Context, m, owner *Definitions, name string, v feel.Value) {
	prefix := m.importName(owner)
	if prefix == "" {
		ctx.Set(name, v)
		return
	}
	inner, _ := ctx.Get(prefix)
	ic, ok := inner.(*feel.Context)
	if !ok {
		ic = feel.NewContext()
	} else {
		ic = ic.Copy()
	}
	ic.Set(name, v)
	ctx.Set(prefix, ic)
}

// requirements builds the scope of a decision or BKM of model m: its required inputs,
// decisions and knowledge.
func (r *run) requirements(m *Definitions, decisions, inputs, knowledge []string) *feel.Scope {
	ctx := feel.NewContext()
	for _, h := range inputs {
		el, owner := r.resolve(m, h)
		in, ok := el.(*InputData)
		if !ok {
			r.errf("the required input %q names no input data", h)
			continue
		}
		bind(ctx, m, owner, in.Name, r.inputValue(in))
	}
	for _, h := range decisions {
		el, owner := r.resolve(m, h)
		dec, ok := el.(*Decision)
		if !ok {
			r.errf("the required decision %q names no decision", h)
			continue
		}
		bind(ctx, m, owner, dec.Name, r.decision(dec))
	}
	for _, h := range knowledge {
		el, owner := r.resolve(m, h)
		switch k := el.(type) {
		case *BKM:
			bind(ctx, m, owner, k.Name, r.bkmFunction(k))
		case *Service:
			bind(ctx, m, owner, k.Name, r.serviceFunction(k))
		default:
			r.errf("the required knowledge %q names no business knowledge model or decision service", h)
		}
	}
	if r.req.Context != nil {
		return feel.NewScope(r.req.Context).WithContext(ctx)
	}
	return feel.NewScope(ctx)
}

// inputValue returns the value given for an input data, converted to its type.
func (r *run) inputValue(in *InputData) feel.Value {
	if v, ok := r.overrides[in]; ok {
		return v
	}
	var v feel.Value
	var given bool
	if in.model == r.main {
		v, given = r.req.Inputs[in.Name]
	}
	if !given {
		if byName, ok := r.req.Imported[in.model.Namespace]; ok {
			v, given = byName[in.Name]
		}
	}
	if !given && in.model != r.main {
		v, given = r.req.Inputs[in.Name]
	}
	return r.typed(in.model, in.Variable.TypeRef, v, "input data "+in.Name)
}

// decision evaluates a decision once per run.
func (r *run) decision(dec *Decision) feel.Value {
	if v, ok := r.overrides[dec]; ok {
		return v
	}
	if v, ok := r.cache[dec]; ok {
		return v
	}
	if r.busy[dec] {
		r.errf("decision %q requires itself", dec.Name)
		return nil
	}
	r.busy[dec] = true
	defer delete(r.busy, dec)
	m := dec.model
	sc := r.requirements(m, dec.RequiredDecisions, dec.RequiredInputs, dec.RequiredKnowledge)
	var v feel.Value
	if dec.Logic == nil {
		r.errf("decision %q has no decision logic", dec.Name)
	} else {
		v = dec.Logic.eval(r, m, sc)
		v = r.typed(m, dec.Variable.TypeRef, v, "decision "+dec.Name)
	}
	r.cache[dec] = v
	return v
}

// function makes a FEEL function whose body is a boxed expression evaluated in scope sc with
// the parameters bound; result values are converted to resultType.
func (r *run) function(name string, m *Definitions, params []Variable, body Expr, resultType string, sc *feel.Scope) *feel.Function {
	return feel.NewFunction(name, paramsOf(params), func(s *feel.Session, args []feel.Value) feel.Value {
		bindings := feel.NewContext()
		for i, p := range params {
			v, ok := r.conform(m, p.TypeRef, args[i])
			if !ok {
				r.errf("%s: argument %q is a %s, not a %s", funcLabel(name), p.Name, feel.TypeName(args[i]), p.TypeRef)
				return nil
			}
			bindings.Set(p.Name, v)
		}
		v := evalExpr(r, m, body, sc.WithContext(bindings))
		return r.typed(m, resultType, v, funcLabel(name))
	})
}

func funcLabel(name string) string {
	if name == "" {
		return "function"
	}
	return "function " + name
}

// bkmFunction makes the function of a business knowledge model.
func (r *run) bkmFunction(k *BKM) *feel.Function {
	m := k.model
	sc := r.requirements(m, nil, nil, k.RequiredKnowledge)
	return r.function(k.Name, m, k.Params, k.Body, r.functionOutput(m, k.Variable.TypeRef), sc)
}

// serviceFunction makes the function of a decision service: its parameters are its input
// data, then its input decisions.
func (r *run) serviceFunction(svc *Service) *feel.Function {
	m := svc.model
	var params []feel.Param
	for _, h := range append(append([]string{}, svc.InputData...), svc.InputDecisions...) {
		el, _ := r.resolve(m, h)
		params = append(params, feel.Param{Name: elementName(el)})
	}
	return feel.NewFunction(svc.Name, params, func(s *feel.Session, args []feel.Value) feel.Value {
		named := map[string]feel.Value{}
		for i, p := range params {
			named[p.Name] = args[i]
		}
		out := r.invokeService(m, svc, named, true)
		if out.Len() == 1 {
			v, _ := out.Get(out.Keys()[0])
			return v
		}
		return out
	})
}

func elementName(el any) string {
	switch e := el.(type) {
	case *InputData:
		return e.Name
	case *Decision:
		return e.Name
	}
	return ""
}

// invokeService evaluates the output decisions of a service with the arguments standing for
// its input data and input decisions; every other decision is evaluated afresh. An argument
// of the wrong type is null, or, when strict (an invocation from FEEL), makes every output
// null without evaluating anything.
func (r *run) invokeService(m *Definitions, svc *Service, args map[string]feel.Value, strict bool) *feel.Context {
	sub := &run{s: r.s, req: r.req, main: r.main, cache: map[*Decision]feel.Value{}, busy: map[*Decision]bool{},
		overrides: map[any]feel.Value{}, errs: r.errs}
	for _, h := range append(append([]string{}, svc.InputData...), svc.InputDecisions...) {
		el, owner := r.resolve(m, h)
		if el == nil {
			r.errf("decision service %q: %q names no element", svc.Name, h)
			continue
		}
		v := args[elementName(el)]
		typeRef := ""
		switch e := el.(type) {
		case *InputData:
			typeRef = e.Variable.TypeRef
		case *Decision:
			typeRef = e.Variable.TypeRef
		}
		cv, ok := sub.conform(owner, typeRef, v)
		if !ok {
			r.errf("decision service %q: the argument %s for %q is not a %s", svc.Name, shortValue(v), elementName(el), typeRef)
			if strict {
				return r.nullOutputs(m, svc)
			}
		}
		sub.overrides[el] = cv
	}
	out := feel.NewContext()
	for _, h := range svc.OutputDecisions {
		el, _ := r.resolve(m, h)
		dec, ok := el.(*Decision)
		if !ok {
			r.errf("decision service %q: the output decision %q names no decision", svc.Name, h)
			continue
		}
		out.Set(dec.Name, sub.decision(dec))
	}
	if rt := r.functionOutput(m, svc.Variable.TypeRef); rt != "" {
		for _, k := range out.Keys() {
			v, _ := out.Get(k)
			if out.Len() > 1 {
				break // the output type concerns the whole context; checked by the caller
			}
			out.Set(k, r.typed(m, rt, v, "decision service "+svc.Name))
		}
	}
	return out
}

// nullOutputs is the outcome of a service that could not run: null for every output.
func (r *run) nullOutputs(m *Definitions, svc *Service) *feel.Context {
	out := feel.NewContext()
	for _, h := range svc.OutputDecisions {
		if el, _ := r.resolve(m, h); el != nil {
			out.Set(elementName(el), nil)
		}
	}
	return out
}

// importError reports unresolved imports of d or of the models it imports.
func (d *Definitions) importError() error {
	var errs []string
	seen := map[*Definitions]bool{}
	var visit func(m *Definitions)
	visit = func(m *Definitions) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, im := range m.Imports {
			if !isDMNImport(im) {
				errs = append(errs, fmt.Sprintf("%s: import %q (%s) of type %q is not supported", m.Name, im.Name, im.Namespace, im.ImportType))
				continue
			}
			if m.linkedImport(im) == nil {
				errs = append(errs, fmt.Sprintf("%s: import %q: no model with namespace %q%s", m.Name, im.Name, im.Namespace, locationNote(im)))
			}
		}
		for _, o := range m.imported {
			visit(o)
		}
		for _, o := range m.unnamed {
			visit(o)
		}
	}
	visit(d)
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrUnresolvedImport, strings.Join(errs, "; "))
	}
	return nil
}

func locationNote(im *Import) string {
	if im.Location != "" {
		return " (location " + im.Location + ")"
	}
	return ""
}
