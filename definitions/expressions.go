package definitions

// Every expression of a process that the engine evaluates, with the way it evaluates it,
// so that the validator compiles each one with the engine's own code: what validates runs.

import (
	"strings"

	"onewindow/definitions/expression"
)

// ExprKind says how the engine evaluates an expression.
type ExprKind int

// Expression kinds.
const (
	// ExprCondition is compiled with expression.CompileAs in its Language and must give a
	// boolean (sequence flow conditions, completion and loop conditions).
	ExprCondition ExprKind = iota
	// ExprNumber is compiled with expression.Compile and must give a whole number (loop
	// cardinality).
	ExprNumber
	// ExprValue is an attribute the engine passes to expression.ValueIn: literal text unless
	// it is written as an expression (assignees, due dates, timers, called elements, mappings,
	// collections).
	ExprValue
	// ExprTemplate is text with ${...} parts the engine interpolates, keeping the text as
	// written when that fails (task names, documentation).
	ExprTemplate
	// ExprScript is a script task body in Language (its scriptFormat), compiled with
	// expression.CompileScript.
	ExprScript
)

// ExprUse is one expression of a process and where it is.
type ExprUse struct {
	Element string
	// What names the attribute ("condition", "assignee", "timeDuration", ...).
	What     string
	Source   string
	Kind     ExprKind
	Language string
	// Code is the problem code of a use that does not compile.
	Code string
	Position
}

// Compile compiles u with the function the engine evaluates it with. A value or template
// that is not written as an expression gives nil and no error.
func (u ExprUse) Compile() (*expression.Expression, error) {
	switch u.Kind {
	case ExprCondition:
		return expression.CompileAs(u.Source, u.Language)
	case ExprNumber:
		return expression.Compile(u.Source)
	case ExprScript:
		return expression.CompileScript(u.Source, u.Language)
	case ExprTemplate:
		if !strings.Contains(u.Source, "${") && !strings.Contains(u.Source, "#{") {
			return nil, nil
		}
		return expression.Compile(u.Source)
	}
	if !expression.IsExpression(u.Source) {
		return nil, nil
	}
	return expression.Compile(strings.TrimSpace(u.Source))
}

// ScriptLanguages are the script formats the engine runs (as expressions); scripts in other
// languages (groovy, javascript) are left alone, the task passes.
var ScriptLanguages = []string{"juel", "feel", "expr", "expression"}

// RunsScript reports whether the engine evaluates the script of n.
func RunsScript(n *Node) bool {
	if n.Kind != ScriptTask || strings.TrimSpace(n.Script) == "" {
		return false
	}
	f := strings.ToLower(strings.TrimSpace(n.ScriptFormat))
	for _, l := range ScriptLanguages {
		if f == l {
			return true
		}
	}
	return false
}

// ConditionLanguage is the language of a sequence flow's condition: its own language
// attribute, or the file's expressionLanguage.
func (d *Definitions) ConditionLanguage(f *SequenceFlow) string {
	if f.ConditionLanguage != "" {
		return f.ConditionLanguage
	}
	return d.ExpressionLanguage
}

// Expressions lists every expression of p that the engine evaluates, in document order of
// their elements.
func (d *Definitions) Expressions(p *Process) []ExprUse {
	var out []ExprUse
	add := func(n *Node, what, src string, kind ExprKind, lang, code string, pos Position) {
		if strings.TrimSpace(src) == "" {
			return
		}
		out = append(out, ExprUse{Element: n.ID, What: what, Source: src, Kind: kind, Language: lang, Code: code, Position: pos})
	}
	for _, n := range p.Nodes {
		pos := n.Position
		add(n, "name", n.Name, ExprTemplate, "", CodeInvalidExpression, pos)
		add(n, "documentation", n.Documentation, ExprTemplate, "", CodeInvalidExpression, pos)
		if a := n.Assignment; a != nil && n.Kind == UserTask {
			add(n, "assignee", a.Assignee, ExprValue, "", CodeInvalidExpression, pos)
			for _, s := range a.CandidateUsers {
				add(n, "candidateUsers", s, ExprValue, "", CodeInvalidExpression, pos)
			}
			for _, s := range a.CandidateGroups {
				add(n, "candidateGroups", s, ExprValue, "", CodeInvalidExpression, pos)
			}
			add(n, "dueDate", a.DueDate, ExprValue, "", CodeInvalidExpression, pos)
			add(n, "priority", a.Priority, ExprValue, "", CodeInvalidExpression, pos)
		}
		if n.Kind == CallActivity {
			add(n, "calledElement", n.CalledElement, ExprValue, "", CodeInvalidExpression, pos)
			for _, m := range append(append([]Mapping(nil), n.In...), n.Out...) {
				add(n, "sourceExpression", m.SourceExpr, ExprValue, "", CodeInvalidExpression, pos)
			}
		}
		if RunsScript(n) {
			add(n, "script", n.Script, ExprScript, strings.ToLower(strings.TrimSpace(n.ScriptFormat)), CodeInvalidExpression, pos)
		}
		if l := n.Loop; l != nil {
			if l.MultiInstance {
				add(n, "loopCardinality", l.LoopCardinality, ExprNumber, "", CodeInvalidCardinality, pos)
				add(n, "collection", l.Collection, ExprValue, "", CodeInvalidExpression, pos)
				add(n, "completionCondition", l.CompletionCondition, ExprCondition, d.ExpressionLanguage, CodeInvalidCompletion, pos)
			} else {
				add(n, "loopCondition", l.LoopCondition, ExprCondition, d.ExpressionLanguage, CodeInvalidCondition, pos)
			}
		}
		for _, ev := range n.Events {
			switch ev.Kind {
			case TimerEvent:
				add(n, "timeDate", ev.TimeDate, ExprValue, "", CodeInvalidTimer, ev.Position)
				add(n, "timeDuration", ev.TimeDuration, ExprValue, "", CodeInvalidTimer, ev.Position)
				add(n, "timeCycle", ev.TimeCycle, ExprValue, "", CodeInvalidTimer, ev.Position)
			case ConditionalEvent:
				add(n, "condition", ev.Condition, ExprCondition, d.ExpressionLanguage, CodeInvalidCondition, ev.Position)
			}
		}
	}
	for _, f := range p.Flows {
		if strings.TrimSpace(f.Condition) == "" {
			continue
		}
		out = append(out, ExprUse{Element: f.ID, What: "condition", Source: f.Condition, Kind: ExprCondition,
			Language: d.ConditionLanguage(f), Code: CodeInvalidCondition, Position: f.Position})
	}
	return out
}
