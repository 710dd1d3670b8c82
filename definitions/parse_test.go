package definitions

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPositions(t *testing.T) {
	// Columns count characters: the Chinese name and the tab are one each.
	src := "<?xml version=\"1.0\"?>\n" +
		"<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">\n" +
		"<bpmn:process id=\"p\">\n" +
		"\t<bpmn:userTask id=\"a\" name=\"受理申请\"/><bpmn:userTask id=\"b\"/>\n" +
		"  <bpmn:sequenceFlow id=\"f\" sourceRef=\"a\" targetRef=\"b\"/>\r\n" +
		"  <bpmn:subProcess id=\"s\"><bpmn:startEvent id=\"s1\"/>\n" +
		"     <bpmn:boundaryEvent id=\"t\" attachedToRef=\"a\"><bpmn:timerEventDefinition id=\"td\"/></bpmn:boundaryEvent>\n" +
		"  </bpmn:subProcess>\n" +
		"</bpmn:process>\n" +
		"</bpmn:definitions>"
	d, _ := mustParse(t, src)
	p := d.Processes[0]
	if p.Position != (Position{3, 1}) {
		t.Errorf("process at %v, want 3:1", p.Position)
	}
	want := map[string]Position{"a": {4, 2}, "b": {4, 37}, "s": {6, 3}, "s1": {6, 27}, "t": {7, 6}}
	for id, pos := range want {
		if n := p.Node(id); n == nil || n.Position != pos {
			t.Errorf("node %s at %v, want %v", id, n, pos)
		}
	}
	if f := p.Flow("f"); f.Position != (Position{5, 3}) {
		t.Errorf("flow at %v, want 5:3", f.Position)
	}
	if ev := p.Node("t").Event(); ev.Position != (Position{7, 51}) {
		t.Errorf("event definition at %v, want 7:51", ev.Position)
	}
}

// TestCorpusPositions checks every node and flow position of every corpus
// file against the source text.
func TestCorpusPositions(t *testing.T) {
	dir := requireCorpus(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.bpmn*"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		src := string(data)
		check := func(id string, pos Position) {
			if strings.Contains(id, "@") {
				return // synthetic id
			}
			// The element start tag holding id="…" nearest before... the
			// first occurrence of the id attribute is the element itself.
			for _, q := range []string{` id="` + id + `"`, ` id='` + id + `'`} {
				if i := strings.Index(src, q); i >= 0 {
					lt := strings.LastIndex(src[:i], "<")
					line := strings.Count(src[:lt], "\n") + 1
					col := utf8.RuneCountInString(src[strings.LastIndex(src[:lt], "\n")+1:lt]) + 1
					if pos != (Position{line, col}) {
						t.Errorf("%s: %s at %v, source says %d:%d", filepath.Base(file), id, pos, line, col)
					}
					return
				}
			}
			t.Errorf("%s: id %s not found in source", filepath.Base(file), id)
		}
		for _, p := range d.Processes {
			for _, n := range p.Nodes {
				check(n.ID, n.Position)
			}
			for _, f := range p.Flows {
				check(f.ID, f.Position)
			}
		}
	}
}

func TestNamespacesByURI(t *testing.T) {
	body := func(prefix string) string {
		return `<` + prefix + `startEvent id="s"/>` +
			`<` + prefix + `sequenceFlow id="f" sourceRef="s" targetRef="u"/>` +
			`<` + prefix + `userTask id="u" x:assignee="kermit"/>`
	}
	cases := map[string]string{
		"default namespace": `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:x="http://activiti.org/bpmn"><process id="p">` + body("") + `</process></definitions>`,
		"bpmn prefix":       `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:x="http://flowable.org/bpmn"><bpmn:process id="p">` + body("bpmn:") + `</bpmn:process></bpmn:definitions>`,
		"bpmn2 prefix":      `<bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:x="http://camunda.org/schema/1.0/bpmn"><bpmn2:process id="p">` + body("bpmn2:") + `</bpmn2:process></bpmn2:definitions>`,
		// A vendor default namespace: unprefixed elements are not BPMN.
		"vendor default": `<semantic:definitions xmlns:semantic="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns="http://vendor.example/x" xmlns:x="http://activiti.org/bpmn"><semantic:process id="p">` + body("semantic:") + `<userTask id="ignored"/></semantic:process><junk/></semantic:definitions>`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			d, problems := mustParse(t, src)
			if len(problems) > 0 {
				t.Fatalf("problems:\n%s", codes(problems))
			}
			p := d.Processes[0]
			if len(p.Nodes) != 2 || len(p.Flows) != 1 {
				t.Fatalf("got %d nodes, %d flows; want 2, 1", len(p.Nodes), len(p.Flows))
			}
			u := p.Node("u")
			if u.Assignment == nil || u.Assignment.Assignee != "kermit" {
				t.Errorf("assignee not read: %+v", u.Assignment)
			}
			if !reflect.DeepEqual(u.Incoming, []string{"f"}) || !reflect.DeepEqual(p.Node("s").Outgoing, []string{"f"}) {
				t.Errorf("incoming/outgoing not derived: %v %v", u.Incoming, p.Node("s").Outgoing)
			}
		})
	}
	// A camunda: prefix bound to the Activiti URI reads as Activiti; a
	// camunda-looking prefix bound to an unknown URI is ignored.
	src := `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://activiti.org/bpmn" xmlns:fake="http://example.com/camunda"><process id="p">
<userTask id="a" camunda:assignee="demo" fake:candidateGroups="nobody"/></process></definitions>`
	d, _ := mustParse(t, src)
	if a := d.Processes[0].Node("a").Assignment; a.Assignee != "demo" || len(a.CandidateGroups) != 0 {
		t.Errorf("assignment %+v, want assignee demo and no groups", a)
	}
}

func TestUnknownVendorContentIgnored(t *testing.T) {
	src := doc(`<vendor:thing xmlns:vendor="urn:v"><vendor:process id="notBPMN"/></vendor:thing>`, `
<startEvent id="s" unknownAttr="1" vendor:flag="x" xmlns:vendor="urn:v">
  <extensionElements><vendor:anything><userTask id="hidden"/></vendor:anything><camunda:formData/></extensionElements>
</startEvent>
<vendor:userTask id="vendorTask" xmlns:vendor="urn:v"/>
<sequenceFlow id="f" sourceRef="s" targetRef="e" vendor:color="red" xmlns:vendor="urn:v"><extensionElements><x:y xmlns:x="urn:x"/></extensionElements></sequenceFlow>
<endEvent id="e"><documentation>the end</documentation></endEvent>
<textAnnotation id="ta"><text>note</text></textAnnotation>
<association id="as" sourceRef="ta" targetRef="e"/>
<dataObjectReference id="dor" dataObjectRef="do"/>
<dataObject id="do" name="Application form"/>`)
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	p := d.Processes[0]
	if len(d.Processes) != 1 || len(p.Nodes) != 2 || len(p.Flows) != 1 {
		t.Fatalf("got %d processes, %d nodes, %d flows", len(d.Processes), len(p.Nodes), len(p.Flows))
	}
	if p.Node("e").Documentation != "the end" {
		t.Errorf("documentation %q", p.Node("e").Documentation)
	}
	if len(p.DataObjects) != 1 || p.DataObjects[0].Name != "Application form" {
		t.Errorf("data objects %+v", p.DataObjects)
	}
}

func TestAssignmentDialects(t *testing.T) {
	cases := []struct {
		name, task string
		want       Assignment
	}{
		{"potentialOwner plain is a group",
			`<userTask id="t"><potentialOwner><resourceAssignmentExpression><formalExpression>management</formalExpression></resourceAssignmentExpression></potentialOwner></userTask>`,
			Assignment{CandidateGroups: []string{"management"}}},
		{"potentialOwner user() group() list",
			`<userTask id="t"><potentialOwner><resourceAssignmentExpression><formalExpression>user(kermit), group(management), user(${starter}),sales</formalExpression></resourceAssignmentExpression></potentialOwner></userTask>`,
			Assignment{CandidateUsers: []string{"kermit", "${starter}"}, CandidateGroups: []string{"management", "sales"}}},
		{"humanPerformer plain is the assignee",
			`<userTask id="t"><humanPerformer><resourceAssignmentExpression><formalExpression>${employeeName}</formalExpression></resourceAssignmentExpression></humanPerformer></userTask>`,
			Assignment{Assignee: "${employeeName}"}},
		{"humanPerformer user()",
			`<userTask id="t"><humanPerformer><resourceAssignmentExpression><formalExpression>user(gonzo)</formalExpression></resourceAssignmentExpression></humanPerformer></userTask>`,
			Assignment{Assignee: "gonzo"}},
		{"camunda attributes",
			`<userTask id="t" camunda:assignee="${initiator}" camunda:candidateUsers="a, b" camunda:candidateGroups="${fn(x, y)}, clerks" camunda:dueDate="${due}" camunda:followUpDate="P1D" camunda:formKey="embedded:app:form.html" camunda:priority="50"/>`,
			Assignment{Assignee: "${initiator}", CandidateUsers: []string{"a", "b"}, CandidateGroups: []string{"${fn(x, y)}", "clerks"}, DueDate: "${due}", FollowUpDate: "P1D", FormKey: "embedded:app:form.html", Priority: "50"}},
		{"activiti attributes",
			`<userTask id="t" activiti:assignee="kermit" activiti:candidateGroups="management,accountancy" activiti:formKey="f"/>`,
			Assignment{Assignee: "kermit", CandidateGroups: []string{"management", "accountancy"}, FormKey: "f"}},
		{"flowable attributes",
			`<userTask id="t" flowable:candidateUsers="fozzie" flowable:dueDate="PT2H" flowable:priority="${p}"/>`,
			Assignment{CandidateUsers: []string{"fozzie"}, DueDate: "PT2H", Priority: "${p}"}},
		{"zeebe extension elements",
			`<userTask id="t"><extensionElements>
  <zeebe:assignmentDefinition assignee="= applicant.clerk" candidateGroups="clerks, reviewers" candidateUsers="u1"/>
  <zeebe:taskSchedule dueDate="=now() + duration(&quot;P2D&quot;)" followUpDate="2025-01-01T00:00:00Z"/>
  <zeebe:formDefinition formKey="camunda-forms:bpmn:form1"/>
  <zeebe:priorityDefinition priority="70"/>
</extensionElements></userTask>`,
			Assignment{Assignee: "= applicant.clerk", CandidateGroups: []string{"clerks", "reviewers"}, CandidateUsers: []string{"u1"},
				DueDate: `=now() + duration("P2D")`, FollowUpDate: "2025-01-01T00:00:00Z", FormKey: "camunda-forms:bpmn:form1", Priority: "70"}},
		{"resourceRef names a resource",
			`<userTask id="t"><potentialOwner><resourceRef>r1</resourceRef></potentialOwner></userTask>`,
			Assignment{CandidateGroups: []string{"Window clerks"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The resource comes after the process, as Signavio writes it.
			src := strings.Replace(doc("", c.task), "</definitions>", `<resource id="r1" name="Window clerks"/></definitions>`, 1)
			d, problems := mustParse(t, src)
			if len(problems) > 0 {
				t.Fatalf("problems:\n%s", codes(problems))
			}
			got := d.Processes[0].Node("t").Assignment
			if got == nil || !reflect.DeepEqual(*got, c.want) {
				t.Errorf("assignment\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestVendorTaskAttributes(t *testing.T) {
	src := doc(`<message id="m1" name="paid"/>`, `
<startEvent id="s" activiti:initiator="applicant"/>
<serviceTask id="cls" camunda:class="org.Example" camunda:expression="${x}" camunda:resultVariable="r"/>
<serviceTask id="ext" camunda:type="external" camunda:topic="archive"/>
<serviceTask id="own" ow:handler="notify.sms" flowable:delegateExpression="${bean}"/>
<serviceTask id="zb"><extensionElements><zeebe:taskDefinition type="payment" retries="3"/></extensionElements></serviceTask>
<businessRuleTask id="dmn" camunda:decisionRef="fees" camunda:mapDecisionResult="singleEntry" camunda:resultVariable="fee"/>
<businessRuleTask id="zdmn"><extensionElements><zeebe:calledDecision decisionId="reviewers" resultVariable="departments"/></extensionElements></businessRuleTask>
<scriptTask id="sc" scriptFormat="javascript"><script><![CDATA[x = 1 < 2;]]></script></scriptTask>
<scriptTask id="zsc"><extensionElements><zeebe:script expression="=a + b" resultVariable="sum"/></extensionElements></scriptTask>
<sendTask id="send" messageRef="m1"/>
<receiveTask id="recv" messageRef="paid"/>
<callActivity id="call" calledElement="child">
  <extensionElements>
    <camunda:in source="a" target="b"/><camunda:in sourceExpression="${x + 1}" target="y"/><camunda:in variables="all"/>
    <flowable:out source="result" target="outcome"/>
  </extensionElements>
</callActivity>
<callActivity id="zcall"><extensionElements><zeebe:calledElement processId="sub" propagateAllChildVariables="false"/></extensionElements></callActivity>`)
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	p := d.Processes[0]
	checks := []struct{ got, want string }{
		{p.Node("s").Initiator, "applicant"},
		{p.Node("cls").Implementation, "org.Example"},
		{p.Node("cls").ResultVariable, "r"},
		{p.Node("ext").Implementation, "archive"},
		{p.Node("own").Implementation, "notify.sms"},
		{p.Node("zb").Implementation, "payment"},
		{p.Node("dmn").Decision.ID, "fees"},
		{p.Node("dmn").Decision.MapResult, "singleEntry"},
		{p.Node("dmn").ResultVariable, "fee"},
		{p.Node("zdmn").Decision.ID, "reviewers"},
		{p.Node("zdmn").Decision.MapResult, "value"},
		{p.Node("zdmn").ResultVariable, "departments"},
		{p.Node("sc").Script, "x = 1 < 2;"},
		{p.Node("sc").ScriptFormat, "javascript"},
		{p.Node("zsc").Script, "=a + b"},
		{p.Node("zsc").ResultVariable, "sum"},
		{p.Node("send").MessageName, "paid"},
		{p.Node("recv").MessageName, "paid"},
		{p.Node("call").CalledElement, "child"},
		{p.Node("zcall").CalledElement, "sub"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
	call := p.Node("call")
	wantIn := []Mapping{{Source: "a", Target: "b"}, {SourceExpr: "${x + 1}", Target: "y"}, {All: true}}
	if !reflect.DeepEqual(call.In, wantIn) || !reflect.DeepEqual(call.Out, []Mapping{{Source: "result", Target: "outcome"}}) {
		t.Errorf("mappings in=%+v out=%+v", call.In, call.Out)
	}
}

func TestLoops(t *testing.T) {
	src := doc("", `
<userTask id="std"><multiInstanceLoopCharacteristics isSequential="true">
  <loopDataInputRef>assigneeList</loopDataInputRef><inputDataItem name="assignee"/>
  <completionCondition>${nrOfCompletedInstances/nrOfInstances >= 0.6 }</completionCondition>
</multiInstanceLoopCharacteristics></userTask>
<userTask id="item"><multiInstanceLoopCharacteristics><loopDataInputRef>l</loopDataInputRef><inputDataItem id="el"/></multiInstanceLoopCharacteristics></userTask>
<userTask id="card"><multiInstanceLoopCharacteristics><loopCardinality>${n}</loopCardinality></multiInstanceLoopCharacteristics></userTask>
<userTask id="vendor"><multiInstanceLoopCharacteristics flowable:collection="${departments}" flowable:elementVariable="department"/></userTask>
<userTask id="zb"><multiInstanceLoopCharacteristics><extensionElements>
  <zeebe:loopCharacteristics inputCollection="= items" inputElement="item" outputCollection="results" outputElement="= result"/>
</extensionElements></multiInstanceLoopCharacteristics></userTask>
<task id="loop"><standardLoopCharacteristics testBefore="true" loopMaximum="5"><loopCondition>${again}</loopCondition></standardLoopCharacteristics></task>`)
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	p := d.Processes[0]
	want := map[string]Loop{
		"std":    {MultiInstance: true, Sequential: true, Collection: "assigneeList", ElementVariable: "assignee", CompletionCondition: "${nrOfCompletedInstances/nrOfInstances >= 0.6 }"},
		"item":   {MultiInstance: true, Collection: "l", ElementVariable: "el"},
		"card":   {MultiInstance: true, LoopCardinality: "${n}"},
		"vendor": {MultiInstance: true, Collection: "${departments}", ElementVariable: "department"},
		"zb":     {MultiInstance: true, Collection: "= items", ElementVariable: "item", OutputCollection: "results", OutputElement: "= result"},
		"loop":   {TestBefore: true, LoopMaximum: 5, LoopCondition: "${again}"},
	}
	for id, w := range want {
		if got := p.Node(id).Loop; got == nil || *got != w {
			t.Errorf("%s: loop\n got %+v\nwant %+v", id, got, w)
		}
	}
}

func TestEventsAndReferences(t *testing.T) {
	src := doc(`<message id="m1" name="payment received"/><message id="m2"/>
<signal id="s1" name="alert"/><error id="e1" errorCode="E42"/><error id="e2"/><escalation id="x1" escalationCode="late"/>`, `
<startEvent id="start"/>
<boundaryEvent id="b1" attachedToRef="task" cancelActivity="false"><messageEventDefinition messageRef="m1"/></boundaryEvent>
<boundaryEvent id="b2" attachedToRef="task"><messageEventDefinition messageRef="payment received"/></boundaryEvent>
<boundaryEvent id="b3" attachedToRef="task"><messageEventDefinition messageRef="m2"/></boundaryEvent>
<boundaryEvent id="b4" attachedToRef="task"><signalEventDefinition signalRef="s1"/></boundaryEvent>
<boundaryEvent id="b5" attachedToRef="task"><errorEventDefinition errorRef="e1"/></boundaryEvent>
<boundaryEvent id="b6" attachedToRef="task"><errorEventDefinition errorRef="e2"/></boundaryEvent>
<boundaryEvent id="b7" attachedToRef="task"><errorEventDefinition errorRef="undeclaredCode"/></boundaryEvent>
<boundaryEvent id="b8" attachedToRef="task"><escalationEventDefinition escalationRef="x1"/></boundaryEvent>
<boundaryEvent id="b9" attachedToRef="task"><errorEventDefinition/></boundaryEvent>
<boundaryEvent id="b10" attachedToRef="task"><timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition></boundaryEvent>
<boundaryEvent id="b11" attachedToRef="task"><messageEventDefinition messageRef="nothing"/></boundaryEvent>
<userTask id="task"/>
<intermediateThrowEvent id="lt"><linkEventDefinition name="jump"/></intermediateThrowEvent>
<subProcess id="esp" triggeredByEvent="true">
  <startEvent id="es" isInterrupting="false"><timerEventDefinition><timeDate>2025-01-01T00:00:00Z</timeDate></timerEventDefinition></startEvent>
</subProcess>
<intermediateCatchEvent id="cond"><conditionalEventDefinition><condition>${x &gt; 1}</condition></conditionalEventDefinition></intermediateCatchEvent>
<endEvent id="term"><terminateEventDefinition/></endEvent>`)
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	p := d.Processes[0]
	ev := func(id string) *EventDefinition { return p.Node(id).Event() }
	checks := []struct{ id, got, want string }{
		{"b1", ev("b1").Name, "payment received"},
		{"b2", ev("b2").Name, "payment received"},
		{"b3", ev("b3").Name, "m2"},
		{"b4", ev("b4").Name, "alert"},
		{"b5", ev("b5").Code, "E42"},
		{"b6", ev("b6").Code, "e2"},
		{"b7", ev("b7").Code, "undeclaredCode"},
		{"b8", ev("b8").Code, "late"},
		{"b9", ev("b9").Code, ""},
		{"b10", ev("b10").TimeCycle, "R3/PT1H"},
		{"b11", ev("b11").Name, ""},
		{"lt", ev("lt").LinkName, "jump"},
		{"es", ev("es").TimeDate, "2025-01-01T00:00:00Z"},
		{"cond", ev("cond").Condition, "${x > 1}"},
		{"term", string(ev("term").Kind), "terminate"},
		{"start", string(p.Node("start").EventKind()), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.id, c.got, c.want)
		}
	}
	if p.Node("b1").CancelActivity || !p.Node("b2").CancelActivity {
		t.Error("cancelActivity: want false on b1 (explicit), true on b2 (default)")
	}
	if p.Node("es").Interrupting || !p.Node("start").Interrupting {
		t.Error("isInterrupting: want false on es (explicit), true on start (default)")
	}
	if !p.Node("esp").TriggeredByEvent || p.Node("es").Parent != "esp" {
		t.Error("event sub-process not read")
	}
	if got := len(p.Boundaries("task")); got != 11 {
		t.Errorf("Boundaries(task) = %d, want 11", got)
	}
}

func TestExtensionAttributes(t *testing.T) {
	src := doc("", `
<userTask id="review" ow:stepKind="review" ow:timeLimit="2.5" ow:warnDays="0.5" ow:countersign="0.60"/>
<userTask id="approve" ow:stepKind="approval" ow:countersign="ALL"/>
<boundaryEvent id="b1" attachedToRef="review" ow:workingDays="3"><timerEventDefinition/></boundaryEvent>
<boundaryEvent id="b2" attachedToRef="review"><timerEventDefinition ow:workingDays="1.5"><timeDuration>P2D</timeDuration></timerEventDefinition></boundaryEvent>`)
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	p := d.Processes[0]
	if s := p.Node("review").Step; s == nil || *s != (Step{Kind: StepReview, LimitDays: 2.5, WarnDays: 0.5, Countersign: "0.6"}) {
		t.Errorf("review step %+v", s)
	}
	if s := p.Node("approve").Step; s == nil || *s != (Step{Kind: StepApproval, Countersign: "all"}) {
		t.Errorf("approve step %+v", s)
	}
	if w := p.Node("b1").Event().WorkingDays; w != 3 {
		t.Errorf("b1 working days %v", w)
	}
	if e := p.Node("b2").Event(); e.WorkingDays != 1.5 || e.TimeDuration != "P2D" {
		t.Errorf("b2 timer %+v", e)
	}
}

func TestDiagramsLanesCollaborations(t *testing.T) {
	diagram := `<bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="pl" bpmnElement="p"><bpmndi:BPMNShape id="sh" bpmnElement="s"><dc:Bounds x="1" y="2" width="36" height="36"/></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>`
	src := `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">
<collaboration id="c"><participant id="pa" name="Window" processRef="p"/><participant id="pb" name="Applicant"/><messageFlow id="mf" sourceRef="pb" targetRef="s" messageRef="m"/></collaboration>
<process id="p" isExecutable="false">
<laneSet id="ls"><lane id="l1" name="Centre"><flowNodeRef>s</flowNodeRef><childLaneSet id="cls"><lane id="l2" name="Window 3"><flowNodeRef>s</flowNodeRef></lane></childLaneSet></lane></laneSet>
<startEvent id="s"/>
</process>
` + diagram + `
</definitions>`
	d, problems := mustParse(t, src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	if len(d.Diagrams) != 1 || d.Diagrams[0].ID != "dia" || d.Diagrams[0].XML != diagram {
		t.Errorf("diagram not kept verbatim: %+v", d.Diagrams)
	}
	p := d.Processes[0]
	if !p.ExecutableSet || p.Executable {
		t.Errorf("isExecutable=false not read")
	}
	want := []*Lane{{ID: "l1", Name: "Centre", FlowNodeRefs: []string{"s"}}, {ID: "l2", Name: "Window 3", FlowNodeRefs: []string{"s"}, Parent: "l1"}}
	if !reflect.DeepEqual(p.Lanes, want) {
		t.Errorf("lanes %+v", p.Lanes)
	}
	c := d.Collaborations[0]
	if len(c.Participants) != 2 || c.Participants[0].ProcessRef != "p" || len(c.MessageFlows) != 1 || c.MessageFlows[0].TargetRef != "s" {
		t.Errorf("collaboration %+v", c)
	}
}

func TestMissingIDs(t *testing.T) {
	src := doc("", `<startEvent id="s"/>
<sequenceFlow sourceRef="s" targetRef="t"/>
<userTask name="no id"/>
<userTask id="t"/>`)
	d, problems := mustParse(t, src)
	p := d.Processes[0]
	// Flowable accepts flows without id: they get a stable synthetic one.
	f := p.Flows[0]
	if want := posOf(t, src, `<sequenceFlow sourceRef`); f.ID != "sequenceFlow@"+strconv.Itoa(want.Line)+":"+strconv.Itoa(want.Column) {
		t.Errorf("synthetic flow id %q", f.ID)
	}
	if p.Node("t").Incoming[0] != f.ID {
		t.Errorf("flow without id not connected")
	}
	pr := findProblem(problems, CodeMissingID, "")
	if pr == nil || len(problems) != 1 {
		t.Fatalf("want one missing-id problem, got:\n%s", codes(problems))
	}
	if want := posOf(t, src, `name="no id"`); pr.Line != want.Line || pr.Column != want.Column {
		t.Errorf("missing-id at %d:%d, want %v", pr.Line, pr.Column, want)
	}
}

func TestUnreadableInput(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="&lol9;"/></definitions>`
	deepPrefix := `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><extensionElements>`
	deep := deepPrefix + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</extensionElements></definitions>`
	// definitions and extensionElements are two levels; the <a> that
	// makes maxDepth+1 is the (maxDepth-1)th.
	deepCol := 1 + len(deepPrefix) + 3*(maxDepth-2)
	cases := []struct {
		name, src string
		code      string
		sentinel  error
		pos       Position
	}{
		{"empty", "", CodeNotXML, ErrNotXML, Position{}},
		{"blank", " \n\t", CodeNotXML, ErrNotXML, Position{}},
		{"plain text", "hello, world", CodeNotXML, ErrNotXML, Position{1, 1}},
		{"json", `{"definitions": []}`, CodeNotXML, ErrNotXML, Position{1, 1}},
		{"truncated", "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n<process id=\"p\">", CodeNotXML, ErrNotXML, Position{2, 17}},
		{"mismatched tags", "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <process id=\"p\"></task>\n</definitions>", CodeNotXML, ErrNotXML, Position{2, 26}},
		{"two roots", "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"/>\n<definitions/>", CodeNotXML, ErrNotXML, Position{2, 1}},
		{"xml bomb", bomb, CodeDoctype, ErrDoctype, Position{2, 1}},
		{"html", "<!-- page -->\n<html><body>hi</body></html>", CodeNotBPMN, ErrNotBPMN, Position{2, 1}},
		{"dmn", `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"/>`, CodeNotBPMN, ErrNotBPMN, Position{1, 1}},
		{"no namespace", `<definitions><process id="p"/></definitions>`, CodeNotBPMN, ErrNotBPMN, Position{1, 1}},
		{"gbk bytes", "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n<process id=\"p\" name=\"\xca\xdc\xc0\xed\"/></definitions>", CodeUnsupportedEncoding, ErrEncoding, Position{2, 23}},
		{"declared latin-1 with non-ASCII", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" name=\"é\"/>", CodeUnsupportedEncoding, ErrEncoding, Position{1, 1}},
		{"nested too deep", deep, CodeTooDeep, ErrTooDeep, Position{1, deepCol}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, problems, err := Parse([]byte(c.src))
			if d != nil || !errors.Is(err, c.sentinel) {
				t.Fatalf("got model %v, err %v; want nil model and %v", d != nil, err, c.sentinel)
			}
			if len(problems) != 1 || problems[0].Code != c.code || problems[0].Severity != SeverityError {
				t.Fatalf("want one %s problem, got:\n%s", c.code, codes(problems))
			}
			if got := (Position{problems[0].Line, problems[0].Column}); got != c.pos {
				t.Errorf("at %v, want %v (%s)", got, c.pos, problems[0].Message)
			}
		})
	}
}

func TestASCIIFileDeclaringOtherEncoding(t *testing.T) {
	src := `<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>` + doc("", `<startEvent id="s"/>`)[len(`<?xml version="1.0" encoding="UTF-8"?>`):]
	if _, problems := mustParse(t, src); len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	bom := "\xef\xbb\xbf" + doc("", `<startEvent id="s"/>`)
	if _, problems := mustParse(t, bom); len(problems) > 0 {
		t.Fatalf("BOM: problems:\n%s", codes(problems))
	}
}

func TestTooLarge(t *testing.T) {
	// 50 MB of otherwise valid BPMN: rejected on its size, before parsing.
	var b bytes.Buffer
	b.WriteString(`<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">`)
	b.Write(bytes.Repeat([]byte("<task/>\n"), 50<<20/8))
	b.WriteString(`</process></definitions>`)
	d, problems, err := Parse(b.Bytes())
	if d != nil || !errors.Is(err, ErrTooLarge) || len(problems) != 1 || problems[0].Code != CodeTooLarge {
		t.Fatalf("got %v, %v", err, problems)
	}
	// ParseReader reads no more than MaxSize+1 bytes of an endless stream.
	r := &countingReader{}
	d, problems, err = ParseReader(io.LimitReader(r, 50<<20))
	if d != nil || !errors.Is(err, ErrTooLarge) || len(problems) != 1 {
		t.Fatalf("ParseReader: %v %v", err, problems)
	}
	if r.n > MaxSize+1 {
		t.Errorf("ParseReader read %d bytes, limit %d", r.n, MaxSize+1)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += len(p)
	return len(p), nil
}

func TestInvalidAttributeValues(t *testing.T) {
	src := doc("", `<boundaryEvent id="b" attachedToRef="t" cancelActivity="maybe"><timerEventDefinition/></boundaryEvent>
<userTask id="t" ow:stepKind="stamping" ow:timeLimit="-1" ow:warnDays="soon" ow:countersign="2" ow:colour="red"/>
<serviceTask id="s" ow:stepKind="review" ow:handler=""/>
<task id="l"><standardLoopCharacteristics loopMaximum="many"/></task>
<startEvent id="e" ow:workingDays="0"><timerEventDefinition ow:workingDays="x" ow:other="1"/></startEvent>
<sequenceFlow id="f" sourceRef="e" targetRef="t" ow:stepKind="review"/>`)
	_, problems := mustParse(t, src)
	want := []struct {
		code, id, marker string
		sev              Severity
	}{
		{CodeInvalidAttribute, "b", `id="b"`, SeverityError},
		{CodeInvalidExtension, "t", `id="t"`, SeverityError}, // stepKind
		{CodeInvalidExtension, "t", `id="t"`, SeverityError}, // timeLimit
		{CodeInvalidExtension, "t", `id="t"`, SeverityError}, // warnDays
		{CodeInvalidExtension, "t", `id="t"`, SeverityError}, // countersign
		{CodeUnknownExtension, "t", `id="t"`, SeverityWarning},
		{CodeUnknownExtension, "s", `id="s"`, SeverityWarning},
		{CodeInvalidExtension, "s", `id="s"`, SeverityError},
		{CodeInvalidAttribute, "l", `loopMaximum="many"`, SeverityError},
		{CodeInvalidExtension, "e", `id="e"`, SeverityError},
		{CodeInvalidExtension, "e", `ow:workingDays="x"`, SeverityError},
		{CodeUnknownExtension, "e", `ow:workingDays="x"`, SeverityWarning},
		{CodeUnknownExtension, "f", `id="f"`, SeverityWarning},
	}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(want), codes(problems))
	}
	for i, w := range want {
		p := problems[i]
		pos := posOf(t, src, w.marker)
		if p.Code != w.code || p.ElementID != w.id || p.Severity != w.sev || p.Line != pos.Line || p.Column != pos.Column {
			t.Errorf("problem %d: got %s [%s %s], want %s on %s at %v", i, p.Error(), p.Code, p.Severity, w.code, w.id, pos)
		}
	}
}

func TestClockExtension(t *testing.T) {
	src := `<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="` + ExtensionNS + `">
<process id="p" isExecutable="true"><startEvent id="s"/>
<intermediateCatchEvent id="wait" ow:clock="pause"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
<task id="bad" ow:clock="later"/></process><message id="m" name="supplement"/></definitions>`
	defs, problems, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := defs.Processes[0].Node("wait").Clock; got != ClockPause {
		t.Fatalf("ow:clock = %q, want pause", got)
	}
	found := false
	for _, p := range problems {
		if p.ElementID == "bad" && p.Code == CodeInvalidExtension {
			found = true
		}
	}
	if !found {
		t.Fatalf("ow:clock=\"later\" not reported: %v", problems)
	}
}
