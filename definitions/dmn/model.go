// Package dmn reads DMN 1.1–1.5 decision models (.dmn files) and evaluates their decisions:
// decision tables with every hit policy, literal FEEL expressions, the boxed expressions
// (contexts, relations, lists, invocations, function definitions, conditionals, filters,
// iterations), business knowledge models, decision services, item definitions and imports.
// FEEL itself is package definitions/feel.
package dmn

import (
	"onewindow/definitions"
	"onewindow/definitions/feel"
)

// Definitions is one parsed .dmn file.
type Definitions struct {
	ID, Name, Namespace string
	Version             string // DMN version of the namespace ("1.3")
	Imports             []*Import
	ItemDefs            []*ItemDef
	Decisions           []*Decision
	Inputs              []*InputData
	BKMs                []*BKM
	Services            []*Service

	byID     map[string]any
	types    map[string]*ItemDef
	imported map[string]*Definitions // import name → model (after Link)
	unnamed  []*Definitions          // imports without a name: their elements join this scope
	names    []string                // every name of the model, for the FEEL parser
	problems []definitions.Problem
}

// Import is an <import> of another model.
type Import struct {
	Name, Namespace, Location, ImportType string
	Position                              definitions.Position
}

// ItemDef is an <itemDefinition> or an <itemComponent>: a named type.
type ItemDef struct {
	Name          string
	TypeRef       string
	IsCollection  bool
	AllowedValues *feel.UnaryTests
	TypeConstr    *feel.UnaryTests // DMN 1.5 typeConstraint
	Components    []*ItemDef
	IsFunction    bool
	OutputTypeRef string // of a function item
	Position      definitions.Position
	model         *Definitions
}

// Variable is the typed name of a DRG element.
type Variable struct {
	Name    string
	TypeRef string
}

// InputData is an <inputData>.
type InputData struct {
	ID, Name string
	Variable Variable
	Position definitions.Position
	model    *Definitions
}

// Decision is a <decision>.
type Decision struct {
	ID, Name          string
	Variable          Variable
	RequiredDecisions []string // hrefs
	RequiredInputs    []string
	RequiredKnowledge []string
	Logic             Expr // nil when the decision has no logic
	Position          definitions.Position
	model             *Definitions
}

// BKM is a <businessKnowledgeModel>.
type BKM struct {
	ID, Name          string
	Variable          Variable
	Params            []Variable
	Body              Expr
	RequiredKnowledge []string
	Position          definitions.Position
	model             *Definitions
}

// Service is a <decisionService>.
type Service struct {
	ID, Name              string
	Variable              Variable
	OutputDecisions       []string // hrefs
	EncapsulatedDecisions []string
	InputDecisions        []string
	InputData             []string
	Position              definitions.Position
	model                 *Definitions
}

// Problems returns what reading the file found wrong (errors and warnings), by line.
func (d *Definitions) Problems() []definitions.Problem { return d.problems }

// Problem codes of DMN files.
const (
	CodeNotDMN             = "not-dmn"
	CodeInvalidFEEL        = "invalid-feel"
	CodeUnresolvedRef      = "unresolved-reference"
	CodeUnresolvedImport   = "unresolved-import"
	CodeDuplicateName      = "duplicate-name"
	CodeUnknownHitPolicy   = "unknown-hit-policy"
	CodeTableShape         = "decision-table-shape"
	CodeOverlappingRules   = "overlapping-rules" // warning: rules of a UNIQUE table that match the same inputs
	CodeUnknownType        = "unknown-type"      // warning
	CodeUnsupportedElement = "unsupported-element"
)

func (d *Definitions) problem(sev definitions.Severity, code string, pos definitions.Position, id, msg string) {
	d.problems = append(d.problems, definitions.Problem{
		Code: code, Message: msg, ElementID: id, Line: pos.Line, Column: pos.Column, Severity: sev,
	})
}
