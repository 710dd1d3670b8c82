package definitions

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem blocks deployment ("error") or is only
// shown to the designer ("warning").
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a BPMN file, located at the element it
// concerns. Line and Column are 1-based (Column counts characters, not
// bytes) and point at the '<' of the element; both are 0 when the problem
// concerns the file as a whole.
type Problem struct {
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	ElementID string   `json:"elementId,omitempty"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	Severity  Severity `json:"severity"`
}

// Error formats the problem as "LINE:COL: ELEMENT_ID: message", so a
// Problem can be returned as an error.
func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: ", p.Line, p.Column)
	if p.ElementID != "" {
		b.WriteString(p.ElementID)
		b.WriteString(": ")
	}
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problem codes. Each validation rule has its own stable code; clients
// match on the code, the message is for people.
const (
	// Reading the file.
	CodeTooLarge            = "too-large"            // input above MaxSize
	CodeNotXML              = "not-xml"              // not well-formed XML
	CodeDoctype             = "doctype-forbidden"    // DOCTYPE or entity declarations (XML bomb guard)
	CodeUnsupportedEncoding = "unsupported-encoding" // not UTF-8
	CodeTooDeep             = "too-deep"             // elements nested deeper than maxDepth
	CodeNotBPMN             = "not-bpmn"             // XML, but the root is not BPMN 2.0 <definitions>
	CodeInvalidAttribute    = "invalid-attribute"    // a standard attribute with an unusable value
	CodeInvalidExtension    = "invalid-extension"    // an ow: attribute with an unusable value
	CodeUnknownExtension    = "unknown-extension"    // an ow: attribute onewindow does not know or not on that element (warning)

	// Well-formed model (checked by Parse).
	CodeMissingID         = "missing-id"          // a process or flow node without id
	CodeDuplicateID       = "duplicate-id"        // two elements share an id
	CodeFlowSourceMissing = "flow-source-missing" // sourceRef empty or naming no flow node of the process
	CodeFlowTargetMissing = "flow-target-missing" // targetRef empty or naming no flow node of the process
	CodeFlowCrossScope    = "flow-cross-scope"    // source and target in different (sub-)processes
	CodeInvalidDefault    = "invalid-default-flow"
	CodeInvalidAttachment = "invalid-attachment" // boundary event not attached to an activity of its scope

	// Executable (checked by ValidateExecutable).
	CodeProcessNotFound       = "process-not-found"
	CodeNoExecutableProcess   = "no-executable-process"
	CodeAmbiguousProcess      = "ambiguous-process"
	CodeNotExecutable         = "not-executable" // warning: the chosen process says isExecutable="false"
	CodeUnsupportedElement    = "unsupported-element"
	CodeNoStartEvent          = "no-start-event"
	CodeMultipleStartEvents   = "multiple-start-events"
	CodeInvalidStartEvent     = "invalid-start-event"
	CodeStartEventIncoming    = "start-event-incoming"
	CodeEndEventOutgoing      = "end-event-outgoing"
	CodeBoundaryEventIncoming = "boundary-event-incoming"
	CodeEventSubProcessFlow   = "event-subprocess-flow"
	CodeUnreachable           = "unreachable-node"
	CodeNoWayOut              = "no-way-out"
	CodeGatewayNoOutgoing     = "gateway-no-outgoing"
	CodeDefaultFlowCondition  = "default-flow-conditional"
	CodeMissingCondition      = "missing-condition" // warning
	CodeConditionIgnored      = "condition-ignored" // warning
	CodeEventGatewayTarget    = "invalid-event-gateway-target"
	CodeInvalidCondition      = "invalid-condition"
	CodeInvalidCompletion     = "invalid-completion-condition"
	CodeInvalidCardinality    = "invalid-loop-cardinality"
	CodeMultiInstanceNoInput  = "multi-instance-no-input"
	CodeInvalidTimer          = "invalid-timer"
	CodeMissingMessageRef     = "missing-message-ref"
	CodeUnresolvedMessage     = "unresolved-message"
	CodeMissingSignalRef      = "missing-signal-ref"
	CodeUnresolvedSignal      = "unresolved-signal"
	CodeUnmatchedLink         = "unmatched-link"
	CodeMissingCalledElement  = "missing-called-element"
	CodeMissingScript         = "missing-script"
	CodeMissingImplementation = "missing-implementation" // warning
	CodeUnassignedUserTask    = "unassigned-user-task"   // warning
	CodeCountersignNoLoop     = "countersign-without-multi-instance"
	CodeInvalidExpression     = "invalid-expression"  // an assignee, due date, mapping, script, ... that does not compile
	CodeMessageWithoutRef     = "message-without-ref" // warning: a message throw event without a message runs as a none event
	CodeInvalidDecision       = "invalid-decision"    // a business rule task's decision reference cannot be used
	CodeIgnoredExtension      = "ignored-extension"   // warning: an input/output mapping or listener of another engine, not applied
)

// HasErrors reports whether any problem has severity error.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// SortProblems orders problems by line and column, keeping the order in
// which they were found for problems at the same place.
func SortProblems(problems []Problem) {
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Line != problems[j].Line {
			return problems[i].Line < problems[j].Line
		}
		return problems[i].Column < problems[j].Column
	})
}

// problems collects problems; the zero value is ready to use.
type problems struct {
	list []Problem
}

func (ps *problems) add(sev Severity, code string, pos Position, id, format string, args ...any) {
	ps.list = append(ps.list, Problem{
		Code:      code,
		Message:   fmt.Sprintf(format, args...),
		ElementID: id,
		Line:      pos.Line,
		Column:    pos.Column,
		Severity:  sev,
	})
}

func (ps *problems) errorf(code string, pos Position, id, format string, args ...any) {
	ps.add(SeverityError, code, pos, id, format, args...)
}

func (ps *problems) warnf(code string, pos Position, id, format string, args ...any) {
	ps.add(SeverityWarning, code, pos, id, format, args...)
}
