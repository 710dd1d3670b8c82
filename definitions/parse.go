package definitions

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	d.ExpressionLanguage = attr(se, "expressionLanguage")
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
