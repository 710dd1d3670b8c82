package definitions

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest BPMN file Parse accepts, in bytes (10 MiB). The
// largest real-world file of the test corpus is 240 KB; the limit bounds
// the time and memory one upload can cost.
const MaxSize = 10 << 20

// maxDepth bounds element nesting; real files stay below 30 levels.
const maxDepth = 256

// XML namespaces Parse understands. Namespaces are matched by URI, never by
// prefix: a file may bind "camunda:" to the Activiti URI and be read as
// Activiti.
const (
	NSModel    = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	NSDI       = "http://www.omg.org/spec/BPMN/20100524/DI"
	NSCamunda  = "http://camunda.org/schema/1.0/bpmn"
	NSActiviti = "http://activiti.org/bpmn"
	NSFlowable = "http://flowable.org/bpmn"
	NSZeebe    = "http://camunda.org/schema/zeebe/1.0"
)

// Errors returned by Parse when the input cannot be read as BPMN at all;
// the returned error wraps one of them.
var (
	ErrTooLarge = errors.New("BPMN file too large")
	ErrNotXML   = errors.New("not well-formed XML")
	ErrDoctype  = errors.New("DOCTYPE and entity declarations are not allowed")
	ErrEncoding = errors.New("unsupported character encoding")
	ErrTooDeep  = errors.New("elements nested too deeply")
	ErrNotBPMN  = errors.New("not a BPMN 2.0 file")
)

// Parse reads a BPMN 2.0 file and checks that its model is well formed.
//
// It returns the model and every problem found, sorted by line and column:
// problems reading attribute values and the well-formedness rules of
// Validate. The model is returned even when problems have severity error.
//
// When the input cannot be read as BPMN at all (larger than MaxSize, not
// XML, a DOCTYPE, not UTF-8, not a BPMN <definitions> root), Parse returns a
// nil model, exactly one problem saying why, and a non-nil error wrapping
// ErrTooLarge, ErrNotXML, ErrDoctype, ErrEncoding, ErrTooDeep or ErrNotBPMN.
// The error is nil whenever the model is not nil.
//
// Parse never panics and runs in time linear in the input.
func Parse(data []byte) (*Definitions, []Problem, error) {
	if len(data) > MaxSize {
		msg := fmt.Sprintf("the file is %d bytes; the limit is %d bytes (%d MiB)", len(data), MaxSize, MaxSize>>20)
		return fatal(CodeTooLarge, Position{}, msg, ErrTooLarge)
	}
	if !utf8.Valid(data) {
		pos := positionAt(data, invalidUTF8Offset(data))
		return fatal(CodeUnsupportedEncoding, pos, "the file is not valid UTF-8 (was it saved as GBK or UTF-16?); save it as UTF-8", ErrEncoding)
	}
	p := &parser{data: data, defs: &Definitions{}, resources: map[string]string{}}
	p.pos.data = data
	if err := p.run(); err != nil {
		var fe *fatalError
		if errors.As(err, &fe) {
			return fatal(fe.code, fe.pos, fe.msg, fe.err)
		}
		// Unreachable in practice: every error of run is a fatalError.
		return fatal(CodeNotXML, Position{}, err.Error(), ErrNotXML)
	}
	p.finish()
	p.problems.list = append(p.problems.list, Validate(p.defs)...)
	SortProblems(p.problems.list)
	return p.defs, p.problems.list, nil
}

// ParseReader reads at most MaxSize+1 bytes from r and parses them.
func ParseReader(r io.Reader) (*Definitions, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading BPMN: %w", err)
	}
	return Parse(data)
}

func fatal(code string, pos Position, msg string, sentinel error) (*Definitions, []Problem, error) {
	p := Problem{Code: code, Message: msg, Line: pos.Line, Column: pos.Column, Severity: SeverityError}
	return nil, []Problem{p}, fmt.Errorf("%w: %s", sentinel, p.Error())
}

type fatalError struct {
	code string
	pos  Position
	msg  string
	err  error
}

func (e *fatalError) Error() string { return e.msg }

// posTracker turns byte offsets into line and column. Offsets handed to it
// only grow while the decoder advances, so it scans each byte once.
type posTracker struct {
	data      []byte
	off       int
	line, col int
}

func (t *posTracker) at(off int64) Position {
	o := int(off)
	if o > len(t.data) {
		o = len(t.data)
	}
	if t.line == 0 || o < t.off {
		t.off, t.line, t.col = 0, 1, 1
	}
	for _, b := range t.data[t.off:o] {
		switch {
		case b == '\n':
			t.line++
			t.col = 1
		case b&0xC0 != 0x80: // not a UTF-8 continuation byte: a new character
			t.col++
		}
	}
	t.off = o
	return Position{Line: t.line, Column: t.col}
}

func positionAt(data []byte, off int) Position {
	t := posTracker{data: data}
	return t.at(int64(off))
}

func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

type role int

const (
	roleDefinitions role = iota
	roleScope            // a <process>: holds flow elements
	roleNode             // a flow node; a sub-process also holds flow elements
	roleFlow
	roleText
	roleEventDef
	roleLoop
	roleExt     // extensionElements of a flow node
	roleLoopExt // extensionElements of multiInstanceLoopCharacteristics
	roleResourceRole
	roleAssignmentExpr
	roleLaneSet
	roleLane
	roleCollaboration
)

type frame struct {
	role  role
	name  xml.Name
	proc  *Process
	scope string // id of the scope that children of this frame belong to
	node  *Node
	flow  *SequenceFlow
	ev    *EventDefinition
	loop  *Loop
	lane  *Lane
	// laneParent is the lane that a lane set's lanes belong to.
	laneParent string
	collab     *Collaboration

	// text collects character data; onText receives it, trimmed.
	text   strings.Builder
	onText func(string)

	// resource roles (potentialOwner, humanPerformer, performer)
	roleKind string
	exprs    []string
	refs     []string

	// flow nodes
	implPrio    int
	workingDays float64
}

type parser struct {
	data      []byte
	dec       *xml.Decoder
	pos       posTracker
	defs      *Definitions
	stack     []*frame
	problems  problems
	resources map[string]string // resource id → name
	// resourceRefs wait for finish: <resource> may follow the process.
	resourceRefs []resourceRef
	encoding     string // a declared encoding we refused
}

func (p *parser) fatalf(code string, off int64, sentinel error, format string, args ...any) error {
	return &fatalError{code: code, pos: p.pos.at(off), msg: fmt.Sprintf(format, args...), err: sentinel}
}

// syntaxError turns a decoder error into the fatal problem it stands for.
func (p *parser) syntaxError(err error) error {
	var fe *fatalError
	if errors.As(err, &fe) {
		return err
	}
	off := p.dec.InputOffset()
	if p.encoding != "" {
		return p.fatalf(CodeUnsupportedEncoding, 0, ErrEncoding, "the file declares encoding %q and holds non-ASCII characters; only UTF-8 is supported, save it as UTF-8", p.encoding)
	}
	if err == io.EOF {
		return p.fatalf(CodeNotXML, off, ErrNotXML, "unexpected end of file: an element is not closed")
	}
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg = se.Msg
	}
	return p.fatalf(CodeNotXML, off, ErrNotXML, "not well-formed XML: %s", msg)
}

func (p *parser) run() error {
	p.dec = xml.NewDecoder(bytes.NewReader(p.data))
	p.dec.Strict = true
	p.dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		// Parse has checked that the bytes are UTF-8. When they are all
		// ASCII, every ASCII-compatible encoding (ISO-8859-1, GBK, ...)
		// reads them alike, so the declaration does not matter.
		if isASCII(p.data) {
			return r, nil
		}
		p.encoding = label
		return nil, ErrEncoding
	}
	// Prolog: anything before the root element.
	for {
		off := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err == io.EOF {
			// Problems of the whole file carry no position.
			if len(bytes.TrimSpace(p.data)) == 0 {
				return &fatalError{code: CodeNotXML, msg: "the file is empty", err: ErrNotXML}
			}
			return &fatalError{code: CodeNotXML, msg: "no root element: the file holds no XML element", err: ErrNotXML}
		}
		if err != nil {
			return p.syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return p.fatalf(CodeDoctype, off, ErrDoctype, "DOCTYPE and entity declarations are not allowed in BPMN files (they enable entity-expansion attacks); remove <!%s", firstWord(t))
		case xml.CharData:
			if len(bytes.TrimSpace(bytes.TrimPrefix(t, []byte("\xef\xbb\xbf")))) != 0 {
				return p.fatalf(CodeNotXML, off, ErrNotXML, "not XML: text before the root element")
			}
		case xml.StartElement:
			if err := p.root(t, off); err != nil {
				return err
			}
			return p.body()
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func firstWord(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, " \t\r\n["); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20])
	}
	return s
}

func (p *parser) root(se xml.StartElement, off int64) error {
	if se.Name.Space != NSModel || se.Name.Local != "definitions" {
		what := "<" + se.Name.Local + ">"
		switch {
		case se.Name.Local == "definitions" && se.Name.Space == "":
			return p.fatalf(CodeNotBPMN, off, ErrNotBPMN, "the root element <definitions> has no namespace; BPMN 2.0 files declare xmlns=%q", NSModel)
		case se.Name.Local == "definitions":
			return p.fatalf(CodeNotBPMN, off, ErrNotBPMN, "the root element <definitions> is in namespace %q, not the BPMN 2.0 model namespace %q", se.Name.Space, NSModel)
		}
		return p.fatalf(CodeNotBPMN, off, ErrNotBPMN, "not a BPMN file: the root element is %s, expected <definitions> in namespace %q", what, NSModel)
	}
	d := p.defs
	d.ID = attr(se, "id")
	d.Name = attr(se, "name")
	d.TargetNamespace = attr(se, "targetNamespace")
	d.Exporter = attr(se, "exporter")
	d.ExporterVersion = attr(se, "exporterVersion")
	p.stack = append(p.stack, &frame{role: roleDefinitions, name: se.Name})
	return nil
}

// body reads the tokens inside the root element and after it.
func (p *parser) body() error {
	for {
		off := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			if err == io.EOF && len(p.stack) == 0 {
				return nil
			}
			return p.syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(p.stack) == 0 {
				return p.fatalf(CodeNotXML, off, ErrNotXML, "not well-formed XML: a second root element <%s> after </definitions>", t.Name.Local)
			}
			if len(p.stack) >= maxDepth {
				return p.fatalf(CodeTooDeep, off, ErrTooDeep, "elements are nested more than %d levels deep", maxDepth)
			}
			if err := p.start(t, off); err != nil {
				return err
			}
		case xml.EndElement:
			p.end()
		case xml.CharData:
			if len(p.stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return p.fatalf(CodeNotXML, off, ErrNotXML, "not well-formed XML: text after the root element")
				}
				continue
			}
			if top := p.stack[len(p.stack)-1]; top.onText != nil {
				top.text.Write(t)
			}
		case xml.Directive:
			return p.fatalf(CodeDoctype, off, ErrDoctype, "DOCTYPE and entity declarations are not allowed in BPMN files; remove <!%s", firstWord(t))
		}
	}
}

// skip consumes the rest of an element the parser does not interpret.
func (p *parser) skip() error {
	depth := 1
	for depth > 0 {
		off := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return p.syntaxError(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if len(p.stack)+depth > maxDepth {
				return p.fatalf(CodeTooDeep, off, ErrTooDeep, "elements are nested more than %d levels deep", maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return p.fatalf(CodeDoctype, off, ErrDoctype, "DOCTYPE and entity declarations are not allowed in BPMN files")
		}
	}
	return nil
}

func (p *parser) push(f *frame) { p.stack = append(p.stack, f) }

func (p *parser) end() {
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	switch f.role {
	case roleText:
		f.onText(strings.TrimSpace(f.text.String()))
	case roleNode:
		p.finishNode(f)
	case roleResourceRole:
		applyResourceRole(f)
		for _, ref := range f.refs {
			p.resourceRefs = append(p.resourceRefs, resourceRef{f.node, ref})
		}
	}
}

// start dispatches a start element on the role of its parent.
func (p *parser) start(se xml.StartElement, off int64) error {
	parent := p.stack[len(p.stack)-1]
	handled := false
	switch parent.role {
	case roleDefinitions:
		return p.startInDefinitions(se, off)
	case roleScope:
		handled = p.startInScope(parent, se, off)
	case roleNode:
		handled = p.startInNode(parent, se, off)
	case roleFlow:
		if se.Name.Space == NSModel && se.Name.Local == "conditionExpression" {
			fl := parent.flow
			fl.ConditionLanguage = attr(se, "language")
			fl.ConditionSet = true
			p.pushText(se, func(s string) { fl.Condition = s })
			handled = true
		}
	case roleEventDef:
		handled = p.startInEventDef(parent, se)
	case roleLoop:
		handled = p.startInLoop(parent, se)
	case roleExt:
		p.startInExt(parent, se, off)
	case roleLoopExt:
		if se.Name.Space == NSZeebe && se.Name.Local == "loopCharacteristics" {
			l := parent.loop
			setIf(&l.Collection, attr(se, "inputCollection"))
			setIf(&l.ElementVariable, attr(se, "inputElement"))
			setIf(&l.OutputCollection, attr(se, "outputCollection"))
			setIf(&l.OutputElement, attr(se, "outputElement"))
		}
	case roleResourceRole:
		if se.Name.Space == NSModel {
			switch se.Name.Local {
			case "resourceAssignmentExpression":
				p.push(&frame{role: roleAssignmentExpr, name: se.Name, node: parent.node})
				handled = true
			case "resourceRef":
				p.pushText(se, func(s string) {
					if s != "" {
						parent.refs = append(parent.refs, s)
					}
				})
				handled = true
			}
		}
	case roleAssignmentExpr:
		if se.Name.Space == NSModel && (se.Name.Local == "formalExpression" || se.Name.Local == "expression") {
			role := p.stack[len(p.stack)-2]
			p.pushText(se, func(s string) { role.exprs = append(role.exprs, s) })
			handled = true
		}
	case roleLaneSet:
		if se.Name.Space == NSModel && se.Name.Local == "lane" {
			l := &Lane{ID: attr(se, "id"), Name: attr(se, "name"), Parent: parent.laneParent}
			parent.proc.Lanes = append(parent.proc.Lanes, l)
			p.push(&frame{role: roleLane, name: se.Name, proc: parent.proc, lane: l})
			handled = true
		}
	case roleLane:
		if se.Name.Space == NSModel {
			switch se.Name.Local {
			case "flowNodeRef":
				l := parent.lane
				p.pushText(se, func(s string) {
					if s != "" {
						l.FlowNodeRefs = append(l.FlowNodeRefs, s)
					}
				})
				handled = true
			case "childLaneSet":
				p.push(&frame{role: roleLaneSet, name: se.Name, proc: parent.proc, laneParent: parent.lane.ID})
				handled = true
			}
		}
	case roleCollaboration:
		if se.Name.Space == NSModel {
			c := parent.collab
			switch se.Name.Local {
			case "participant":
				c.Participants = append(c.Participants, &Participant{ID: attr(se, "id"), Name: attr(se, "name"), ProcessRef: attr(se, "processRef")})
			case "messageFlow":
				c.MessageFlows = append(c.MessageFlows, &MessageFlow{ID: attr(se, "id"), SourceRef: attr(se, "sourceRef"), TargetRef: attr(se, "targetRef"), MessageRef: attr(se, "messageRef")})
			}
		}
	}
	if handled {
		return nil
	}
	return p.skip()
}

func (p *parser) pushText(se xml.StartElement, onText func(string)) {
	p.push(&frame{role: roleText, name: se.Name, onText: onText})
}

func (p *parser) startInDefinitions(se xml.StartElement, off int64) error {
	pos := p.pos.at(off)
	d := p.defs
	if se.Name.Space == NSDI && se.Name.Local == "BPMNDiagram" {
		if err := p.skip(); err != nil {
			return err
		}
		d.Diagrams = append(d.Diagrams, Diagram{ID: attr(se, "id"), XML: string(p.data[off:p.dec.InputOffset()])})
		return nil
	}
	if se.Name.Space != NSModel {
		return p.skip()
	}
	switch se.Name.Local {
	case "process":
		proc := &Process{ID: attr(se, "id"), Name: attr(se, "name"), Position: pos}
		if proc.ID == "" {
			proc.ID = syntheticID("process", pos)
			p.problems.errorf(CodeMissingID, pos, "", "<process> has no id")
		}
		if hasAttr(se.Attr, "isExecutable") {
			proc.ExecutableSet = true
			proc.Executable = p.boolAttr(se, pos, proc.ID, "isExecutable", false)
		}
		p.checkNoExtensionAttrs(se, pos, proc.ID)
		d.Processes = append(d.Processes, proc)
		p.push(&frame{role: roleScope, name: se.Name, proc: proc})
		return nil
	case "message":
		d.Messages = append(d.Messages, &Message{ID: attr(se, "id"), Name: attr(se, "name"), Position: pos})
	case "signal":
		d.Signals = append(d.Signals, &Signal{ID: attr(se, "id"), Name: attr(se, "name"), Position: pos})
	case "error":
		d.Errors = append(d.Errors, &Error{ID: attr(se, "id"), Name: attr(se, "name"), Code: attr(se, "errorCode"), Position: pos})
	case "escalation":
		d.Escalations = append(d.Escalations, &Escalation{ID: attr(se, "id"), Name: attr(se, "name"), Code: attr(se, "escalationCode"), Position: pos})
	case "resource":
		if id := attr(se, "id"); id != "" {
			p.resources[id] = attr(se, "name")
		}
	case "collaboration":
		c := &Collaboration{ID: attr(se, "id")}
		d.Collaborations = append(d.Collaborations, c)
		p.push(&frame{role: roleCollaboration, name: se.Name, collab: c})
		return nil
	}
	return p.skip()
}

// nodeKinds maps the element names of flow nodes to their kinds. Elements
// outside the set (data objects, artifacts, ...) are not flow nodes.
var nodeKinds = map[string]Kind{}

// otherNodeKinds are BPMN flow nodes onewindow does not model beyond their
// id and kind; the executable validator reports them as unsupported.
var otherNodeKinds = []string{"implicitThrowEvent", "callChoreography", "subChoreography", "choreographyTask"}

func init() {
	for _, k := range []Kind{StartEvent, EndEvent, IntermediateCatchEvent, IntermediateThrowEvent, BoundaryEvent,
		Task, UserTask, ServiceTask, ScriptTask, BusinessRuleTask, SendTask, ReceiveTask, ManualTask,
		SubProcess, AdHocSubProcess, Transaction, CallActivity,
		ExclusiveGateway, ParallelGateway, InclusiveGateway, EventBasedGateway, ComplexGateway} {
		nodeKinds[string(k)] = k
	}
	for _, k := range otherNodeKinds {
		nodeKinds[k] = Kind(k)
	}
}

// startInScope handles the flow elements of a process or sub-process.
func (p *parser) startInScope(f *frame, se xml.StartElement, off int64) bool {
	if se.Name.Space != NSModel {
		return false
	}
	pos := p.pos.at(off)
	switch se.Name.Local {
	case "sequenceFlow":
		fl := &SequenceFlow{ID: attr(se, "id"), Name: attr(se, "name"), Source: attr(se, "sourceRef"), Target: attr(se, "targetRef"), Parent: f.scope, Position: pos}
		if fl.ID == "" {
			// Flowable accepts flows without id; give them a stable one
			// that cannot collide with a real id (it is not an NCName).
			fl.ID = syntheticID("sequenceFlow", pos)
		}
		p.checkNoExtensionAttrs(se, pos, fl.ID)
		f.proc.Flows = append(f.proc.Flows, fl)
		p.push(&frame{role: roleFlow, name: se.Name, proc: f.proc, flow: fl})
		return true
	case "laneSet":
		p.push(&frame{role: roleLaneSet, name: se.Name, proc: f.proc})
		return true
	case "dataObject":
		f.proc.DataObjects = append(f.proc.DataObjects, &DataObject{ID: attr(se, "id"), Name: attr(se, "name")})
		return false
	}
	kind, ok := nodeKinds[se.Name.Local]
	if !ok {
		return false
	}
	p.push(p.newNode(f, se, pos, kind))
	return true
}

func syntheticID(kind string, pos Position) string {
	return fmt.Sprintf("%s@%d:%d", kind, pos.Line, pos.Column)
}

func (p *parser) newNode(f *frame, se xml.StartElement, pos Position, kind Kind) *frame {
	n := &Node{ID: attr(se, "id"), Name: attr(se, "name"), Kind: kind, Parent: f.scope, Position: pos, Default: attr(se, "default")}
	if n.ID == "" {
		n.ID = syntheticID(string(kind), pos)
		p.problems.errorf(CodeMissingID, pos, "", "<%s> has no id", kind)
	}
	nf := &frame{role: roleNode, name: se.Name, proc: f.proc, node: n}
	if kind.IsSubProcess() {
		nf.scope = n.ID
	}
	switch kind {
	case BoundaryEvent:
		n.AttachedTo = attr(se, "attachedToRef")
		n.CancelActivity = p.boolAttr(se, pos, n.ID, "cancelActivity", true)
	case StartEvent:
		n.Interrupting = p.boolAttr(se, pos, n.ID, "isInterrupting", true)
	case SubProcess, AdHocSubProcess, Transaction:
		n.TriggeredByEvent = p.boolAttr(se, pos, n.ID, "triggeredByEvent", false)
	case CallActivity:
		n.CalledElement = attr(se, "calledElement")
	case ScriptTask:
		n.ScriptFormat = attr(se, "scriptFormat")
	case SendTask, ReceiveTask:
		n.MessageRef = attr(se, "messageRef")
	}
	if kind.IsGateway() {
		n.GatewayDirection = attr(se, "gatewayDirection")
	}
	if kind.IsActivity() {
		n.ForCompensation = p.boolAttr(se, pos, n.ID, "isForCompensation", false)
	}
	for _, a := range se.Attr {
		switch a.Name.Space {
		case NSCamunda, NSActiviti, NSFlowable:
			p.vendorAttr(nf, a)
		case ExtensionNS:
			p.extensionAttr(nf, a, pos)
		}
	}
	f.proc.Nodes = append(f.proc.Nodes, n)
	return nf
}

// implementers are the task kinds whose Implementation the parser fills.
func implementer(k Kind) bool {
	return k == ServiceTask || k == SendTask || k == ScriptTask || k == BusinessRuleTask
}

// Priorities of the sources of Node.Implementation: onewindow's own
// attribute wins, then the most specific vendor attribute.
const (
	implType = iota + 1
	implTopic
	implExpression
	implDelegate
	implClass
	implZeebe
	implHandler
)

func setImpl(f *frame, v string, prio int) {
	if v != "" && prio > f.implPrio {
		f.node.Implementation = v
		f.implPrio = prio
	}
}

// vendorAttr reads a camunda:, activiti: or flowable: attribute of a flow node.
func (p *parser) vendorAttr(f *frame, a xml.Attr) {
	n := f.node
	v := strings.TrimSpace(a.Value)
	if n.Kind == UserTask {
		switch a.Name.Local {
		case "assignee":
			if v != "" {
				assignment(n).Assignee = v
			}
		case "candidateUsers":
			if l := splitList(v); len(l) > 0 {
				as := assignment(n)
				as.CandidateUsers = append(as.CandidateUsers, l...)
			}
		case "candidateGroups":
			if l := splitList(v); len(l) > 0 {
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, l...)
			}
		case "dueDate":
			if v != "" {
				assignment(n).DueDate = v
			}
		case "followUpDate":
			if v != "" {
				assignment(n).FollowUpDate = v
			}
		case "formKey":
			if v != "" {
				assignment(n).FormKey = v
			}
		case "priority":
			if v != "" {
				assignment(n).Priority = v
			}
		}
		return
	}
	if n.Kind == StartEvent && a.Name.Local == "initiator" {
		n.Initiator = v
		return
	}
	if a.Name.Local == "resultVariable" || a.Name.Local == "resultVariableName" {
		n.ResultVariable = v
		return
	}
	if !implementer(n.Kind) {
		return
	}
	switch a.Name.Local {
	case "class":
		setImpl(f, v, implClass)
	case "delegateExpression":
		setImpl(f, v, implDelegate)
	case "expression", "decisionRef":
		setImpl(f, v, implExpression)
	case "topic":
		setImpl(f, v, implTopic)
	case "type":
		setImpl(f, v, implType)
	}
}

func assignment(n *Node) *Assignment {
	if n.Assignment == nil {
		n.Assignment = &Assignment{}
	}
	return n.Assignment
}

func step(n *Node) *Step {
	if n.Step == nil {
		n.Step = &Step{}
	}
	return n.Step
}

// extensionAttr reads an ow: attribute of a flow node.
func (p *parser) extensionAttr(f *frame, a xml.Attr, pos Position) {
	n := f.node
	v := strings.TrimSpace(a.Value)
	name := "ow:" + a.Name.Local
	switch a.Name.Local {
	case "stepKind", "timeLimit", "warnDays", "countersign", "opinions":
		if n.Kind != UserTask {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to user tasks, not to a %s; it is ignored", name, n.Kind)
			return
		}
		switch a.Name.Local {
		case "stepKind":
			if !validStepKind(v) {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q is not a step kind; use one of %s", name, v, strings.Join(StepKinds, ", "))
				return
			}
			step(n).Kind = v
		case "timeLimit":
			if d, ok := p.days(v, pos, n.ID, name, false); ok {
				step(n).LimitDays = d
			}
		case "warnDays":
			if d, ok := p.days(v, pos, n.ID, name, false); ok {
				step(n).WarnDays = d
			}
		case "countersign":
			c, err := ParseCountersign(v)
			if err != nil {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q: %v", name, v, err)
				return
			}
			step(n).Countersign = c
		case "opinions":
			if v != "public" && v != "internal" {
				p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q: use public (the applicant reads the opinions) or internal", name, v)
				return
			}
			step(n).PublicOpinions = v == "public"
		}
	case "clock":
		if !slices.Contains(ClockValues, v) {
			p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s=%q is not a clock action; use one of %s", name, v, strings.Join(ClockValues, ", "))
			return
		}
		n.Clock = v
	case "workingDays":
		if !isTimerHolder(n.Kind) {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to timer events, not to a %s; it is ignored", name, n.Kind)
			return
		}
		if d, ok := p.days(v, pos, n.ID, name, true); ok {
			f.workingDays = d
		}
	case "handler":
		if !implementer(n.Kind) {
			p.problems.warnf(CodeUnknownExtension, pos, n.ID, "%s applies to service, send, script and business-rule tasks, not to a %s; it is ignored", name, n.Kind)
			return
		}
		if v == "" {
			p.problems.errorf(CodeInvalidExtension, pos, n.ID, "%s is empty", name)
			return
		}
		setImpl(f, v, implHandler)
	default:
		p.problems.warnf(CodeUnknownExtension, pos, n.ID, "unknown onewindow attribute %s is ignored (see docs/bpmn-extensions.md)", name)
	}
}

func isTimerHolder(k Kind) bool {
	return k == StartEvent || k == IntermediateCatchEvent || k == BoundaryEvent
}

func validStepKind(v string) bool {
	for _, k := range StepKinds {
		if v == k {
			return true
		}
	}
	return false
}

// days parses a number of working days written as a decimal.
func (p *parser) days(v string, pos Position, id, name string, positive bool) (float64, bool) {
	d, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(d) || math.IsInf(d, 0) || d < 0 || (positive && d == 0) || d > 100000 {
		want := "a number of working days such as 5 or 2.5"
		p.problems.errorf(CodeInvalidExtension, pos, id, "%s=%q is not %s", name, v, want)
		return 0, false
	}
	return d, true
}

// ParseCountersign checks an ow:countersign value and returns it in its
// canonical form: "all", "any", or a share in (0, 1] such as "0.6".
func ParseCountersign(v string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	switch s {
	case "all", "any":
		return s, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > 1 {
		return "", errors.New(`countersign must be "all", "any" or a share between 0 and 1 such as 0.6`)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// checkNoExtensionAttrs warns about ow: attributes on elements that take none.
func (p *parser) checkNoExtensionAttrs(se xml.StartElement, pos Position, id string) {
	for _, a := range se.Attr {
		if a.Name.Space == ExtensionNS {
			p.problems.warnf(CodeUnknownExtension, pos, id, "ow:%s is not used on <%s>; it is ignored", a.Name.Local, se.Name.Local)
		}
	}
}

var eventDefinitionKinds = map[string]EventKind{
	"timerEventDefinition":       TimerEvent,
	"messageEventDefinition":     MessageEvent,
	"signalEventDefinition":      SignalEvent,
	"errorEventDefinition":       ErrorEvent,
	"escalationEventDefinition":  EscalationEvent,
	"terminateEventDefinition":   TerminateEvent,
	"conditionalEventDefinition": ConditionalEvent,
	"linkEventDefinition":        LinkEvent,
	"compensateEventDefinition":  CompensateEvent,
	"cancelEventDefinition":      CancelEvent,
}

// startInNode handles the children of a flow node.
func (p *parser) startInNode(f *frame, se xml.StartElement, off int64) bool {
	n := f.node
	if se.Name.Space != NSModel {
		return false
	}
	if n.Kind.IsSubProcess() && p.startInScope(f, se, off) {
		return true
	}
	switch se.Name.Local {
	case "documentation":
		p.pushText(se, func(s string) {
			if s == "" {
				return
			}
			if n.Documentation != "" {
				n.Documentation += "\n"
			}
			n.Documentation += s
		})
		return true
	case "extensionElements":
		p.push(&frame{role: roleExt, name: se.Name, node: n, proc: f.proc})
		return true
	case "multiInstanceLoopCharacteristics":
		if !n.Kind.IsActivity() {
			return false
		}
		pos := p.pos.at(off)
		l := &Loop{MultiInstance: true, Sequential: p.boolAttr(se, pos, n.ID, "isSequential", false)}
		for _, a := range se.Attr {
			switch a.Name.Space {
			case NSCamunda, NSActiviti, NSFlowable:
				switch a.Name.Local {
				case "collection":
					setIf(&l.Collection, strings.TrimSpace(a.Value))
				case "elementVariable":
					setIf(&l.ElementVariable, strings.TrimSpace(a.Value))
				}
			}
		}
		n.Loop = l
		p.push(&frame{role: roleLoop, name: se.Name, node: n, loop: l})
		return true
	case "standardLoopCharacteristics":
		if !n.Kind.IsActivity() {
			return false
		}
		pos := p.pos.at(off)
		l := &Loop{TestBefore: p.boolAttr(se, pos, n.ID, "testBefore", false)}
		if v := attr(se, "loopMaximum"); v != "" {
			m, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || m < 0 {
				p.problems.errorf(CodeInvalidAttribute, pos, n.ID, "loopMaximum=%q is not a whole number", v)
			} else {
				l.LoopMaximum = m
			}
		}
		n.Loop = l
		p.push(&frame{role: roleLoop, name: se.Name, node: n, loop: l})
		return true
	case "potentialOwner", "humanPerformer", "performer":
		if n.Kind != UserTask {
			return false
		}
		p.push(&frame{role: roleResourceRole, name: se.Name, node: n, roleKind: se.Name.Local})
		return true
	case "script":
		if n.Kind != ScriptTask {
			return false
		}
		p.pushText(se, func(s string) { n.Script = s })
		return true
	}
	if kind, ok := eventDefinitionKinds[se.Name.Local]; ok && n.Kind.IsEvent() {
		pos := p.pos.at(off)
		ev := &EventDefinition{Kind: kind, ID: attr(se, "id"), Position: pos}
		switch kind {
		case MessageEvent:
			ev.Ref = attr(se, "messageRef")
		case SignalEvent:
			ev.Ref = attr(se, "signalRef")
		case ErrorEvent:
			ev.Ref = attr(se, "errorRef")
		case EscalationEvent:
			ev.Ref = attr(se, "escalationRef")
		case LinkEvent:
			ev.LinkName = attr(se, "name")
		}
		for _, a := range se.Attr {
			if a.Name.Space != ExtensionNS {
				continue
			}
			if a.Name.Local == "workingDays" && kind == TimerEvent {
				if d, ok := p.days(strings.TrimSpace(a.Value), pos, n.ID, "ow:workingDays", true); ok {
					ev.WorkingDays = d
				}
			} else {
				p.problems.warnf(CodeUnknownExtension, pos, n.ID, "ow:%s is not used on <%s>; it is ignored", a.Name.Local, se.Name.Local)
			}
		}
		n.Events = append(n.Events, ev)
		p.push(&frame{role: roleEventDef, name: se.Name, node: n, ev: ev})
		return true
	}
	return false
}

func (p *parser) startInEventDef(f *frame, se xml.StartElement) bool {
	if se.Name.Space != NSModel {
		return false
	}
	ev := f.ev
	switch {
	case ev.Kind == TimerEvent && se.Name.Local == "timeDate":
		p.pushText(se, func(s string) { ev.TimeDate = s })
	case ev.Kind == TimerEvent && se.Name.Local == "timeDuration":
		p.pushText(se, func(s string) { ev.TimeDuration = s })
	case ev.Kind == TimerEvent && se.Name.Local == "timeCycle":
		p.pushText(se, func(s string) { ev.TimeCycle = s })
	case ev.Kind == ConditionalEvent && se.Name.Local == "condition":
		p.pushText(se, func(s string) { ev.Condition = s })
	default:
		return false
	}
	return true
}

func (p *parser) startInLoop(f *frame, se xml.StartElement) bool {
	l := f.loop
	if se.Name.Space != NSModel {
		return false
	}
	switch se.Name.Local {
	case "loopCardinality":
		p.pushText(se, func(s string) { l.LoopCardinality = s })
	case "loopDataInputRef":
		p.pushText(se, func(s string) { setIf(&l.Collection, s) })
	case "loopDataOutputRef":
		p.pushText(se, func(s string) { setIf(&l.OutputCollection, s) })
	case "inputDataItem":
		v := attr(se, "name")
		if v == "" {
			v = attr(se, "id")
		}
		setIf(&l.ElementVariable, v)
		return false
	case "outputDataItem":
		v := attr(se, "name")
		if v == "" {
			v = attr(se, "id")
		}
		setIf(&l.OutputElement, v)
		return false
	case "completionCondition":
		p.pushText(se, func(s string) { l.CompletionCondition = s })
	case "loopCondition":
		p.pushText(se, func(s string) { l.LoopCondition = s })
	case "extensionElements":
		p.push(&frame{role: roleLoopExt, name: se.Name, node: f.node, loop: l})
	default:
		return false
	}
	return true
}

// startInExt reads vendor extension elements of a flow node; the
// caller skips the element's content.
func (p *parser) startInExt(f *frame, se xml.StartElement, off int64) {
	n := f.node
	nf := p.nodeFrame()
	switch se.Name.Space {
	case NSZeebe:
		switch se.Name.Local {
		case "assignmentDefinition":
			if n.Kind != UserTask {
				return
			}
			if v := attr(se, "assignee"); v != "" {
				assignment(n).Assignee = v
			}
			if l := splitList(attr(se, "candidateGroups")); len(l) > 0 {
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, l...)
			}
			if l := splitList(attr(se, "candidateUsers")); len(l) > 0 {
				as := assignment(n)
				as.CandidateUsers = append(as.CandidateUsers, l...)
			}
		case "taskSchedule":
			if n.Kind != UserTask {
				return
			}
			if v := attr(se, "dueDate"); v != "" {
				assignment(n).DueDate = v
			}
			if v := attr(se, "followUpDate"); v != "" {
				assignment(n).FollowUpDate = v
			}
		case "formDefinition":
			if n.Kind != UserTask {
				return
			}
			for _, k := range []string{"formKey", "formId", "externalReference"} {
				if v := attr(se, k); v != "" {
					assignment(n).FormKey = v
					break
				}
			}
		case "priorityDefinition":
			if v := attr(se, "priority"); v != "" && n.Kind == UserTask {
				assignment(n).Priority = v
			}
		case "taskDefinition":
			if implementer(n.Kind) && nf != nil {
				setImpl(nf, attr(se, "type"), implZeebe)
			}
		case "calledElement":
			if n.Kind == CallActivity {
				setIf(&n.CalledElement, attr(se, "processId"))
			}
		case "script":
			if n.Kind == ScriptTask {
				if v := attr(se, "expression"); v != "" {
					n.Script = v
					n.ScriptFormat = "feel"
				}
				setIf(&n.ResultVariable, attr(se, "resultVariable"))
			}
		}
	case NSCamunda, NSActiviti, NSFlowable:
		if n.Kind != CallActivity || (se.Name.Local != "in" && se.Name.Local != "out") {
			return
		}
		m := Mapping{Source: attr(se, "source"), SourceExpr: attr(se, "sourceExpression"), Target: attr(se, "target")}
		if strings.EqualFold(attr(se, "variables"), "all") {
			m.All = true
		}
		if m == (Mapping{}) {
			return
		}
		if se.Name.Local == "in" {
			n.In = append(n.In, m)
		} else {
			n.Out = append(n.Out, m)
		}
	}
}

// nodeFrame returns the innermost frame of a flow node.
func (p *parser) nodeFrame() *frame {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if p.stack[i].role == roleNode {
			return p.stack[i]
		}
	}
	return nil
}

func (p *parser) finishNode(f *frame) {
	if f.workingDays > 0 {
		for _, ev := range f.node.Events {
			if ev.Kind == TimerEvent && ev.WorkingDays == 0 {
				ev.WorkingDays = f.workingDays
			}
		}
	}
}

type resourceRef struct {
	node *Node
	ref  string
}

// applyResourceRole turns the expressions of a potentialOwner,
// humanPerformer or performer into assignment: Flowable's "user(x),
// group(y)" lists; plain text is a candidate group for potentialOwner and
// the assignee for a performer. (A resourceRef names a <resource> whose
// name becomes a candidate group; finish resolves those.)
func applyResourceRole(f *frame) {
	n := f.node
	owner := f.roleKind == "potentialOwner"
	for _, e := range f.exprs {
		for _, item := range splitList(e) {
			lower := strings.ToLower(item)
			switch {
			case strings.HasPrefix(lower, "user(") && strings.HasSuffix(item, ")"):
				v := strings.TrimSpace(item[5 : len(item)-1])
				if v == "" {
					continue
				}
				as := assignment(n)
				if !owner && as.Assignee == "" {
					as.Assignee = v
				} else {
					as.CandidateUsers = append(as.CandidateUsers, v)
				}
			case strings.HasPrefix(lower, "group(") && strings.HasSuffix(item, ")"):
				if v := strings.TrimSpace(item[6 : len(item)-1]); v != "" {
					as := assignment(n)
					as.CandidateGroups = append(as.CandidateGroups, v)
				}
			case owner:
				as := assignment(n)
				as.CandidateGroups = append(as.CandidateGroups, item)
			default:
				as := assignment(n)
				if as.Assignee == "" {
					as.Assignee = item
				} else {
					as.CandidateUsers = append(as.CandidateUsers, item)
				}
			}
		}
	}
}

// splitList splits a comma-separated list, keeping commas inside
// expressions (${...}, #{...}) and parentheses, and drops empty items.
func splitList(s string) []string {
	var out []string
	depth, start := 0, 0
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '{' || c == '(' || c == '[':
			depth++
		case c == '}' || c == ')' || c == ']':
			if depth > 0 {
				depth--
			}
		case c == ',' && depth == 0:
			if item := strings.TrimSpace(s[start:i]); item != "" {
				out = append(out, item)
			}
			start = i + 1
		}
	}
	if item := strings.TrimSpace(s[start:]); item != "" {
		out = append(out, item)
	}
	return out
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// attr returns the unqualified attribute name of se, or "".
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func hasAttr(attrs []xml.Attr, name string) bool {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return true
		}
	}
	return false
}

// boolAttr reads an xsd:boolean attribute, reporting values that are not one.
func (p *parser) boolAttr(se xml.StartElement, pos Position, id, name string, def bool) bool {
	if !hasAttr(se.Attr, name) {
		return def
	}
	switch v := strings.TrimSpace(attr(se, name)); v {
	case "true", "1":
		return true
	case "false", "0":
		return false
	default:
		p.problems.errorf(CodeInvalidAttribute, pos, id, "%s=%q is not a boolean (true or false)", name, v)
		return def
	}
}

// finish indexes the processes and resolves references by name.
func (p *parser) finish() {
	d := p.defs
	for _, r := range p.resourceRefs {
		name := p.resources[r.ref]
		if name == "" {
			name = r.ref
		}
		as := assignment(r.node)
		as.CandidateGroups = append(as.CandidateGroups, name)
	}
	for _, proc := range d.Processes {
		proc.Index()
		for _, n := range proc.Nodes {
			for _, ev := range n.Events {
				d.resolve(ev)
			}
			if n.MessageRef != "" {
				n.MessageName = d.messageName(n.MessageRef)
			}
		}
	}
}

// resolve fills an event definition's Name or Code from its Ref.
func (d *Definitions) resolve(ev *EventDefinition) {
	if ev.Ref == "" {
		return
	}
	switch ev.Kind {
	case MessageEvent:
		ev.Name = d.messageName(ev.Ref)
	case SignalEvent:
		ev.Name = d.signalName(ev.Ref)
	case ErrorEvent:
		ev.Code = ev.Ref // Flowable: an undeclared errorRef is the code itself
		for _, e := range d.Errors {
			if e.ID == ev.Ref {
				ev.Code = e.Code
				if ev.Code == "" {
					ev.Code = e.ID
				}
				break
			}
		}
	case EscalationEvent:
		ev.Code = ev.Ref
		for _, e := range d.Escalations {
			if e.ID == ev.Ref {
				ev.Code = e.Code
				if ev.Code == "" {
					ev.Code = e.ID
				}
				break
			}
		}
	}
}

// messageName resolves a messageRef: the id of a declared message (its name,
// or its id when unnamed), or the name of one; "" when neither.
func (d *Definitions) messageName(ref string) string {
	for _, m := range d.Messages {
		if m.ID == ref {
			if m.Name != "" {
				return m.Name
			}
			return m.ID
		}
	}
	for _, m := range d.Messages {
		if m.Name == ref {
			return ref
		}
	}
	return ""
}

// signalName resolves a signalRef like messageName.
func (d *Definitions) signalName(ref string) string {
	for _, s := range d.Signals {
		if s.ID == ref {
			if s.Name != "" {
				return s.Name
			}
			return s.ID
		}
	}
	for _, s := range d.Signals {
		if s.Name == ref {
			return ref
		}
	}
	return ""
}
