package definitions

import (
	"strings"
	"testing"
)

// ruleCase is a minimal file that breaks one rule: the problem expected
// (code, element id, and the element whose start tag holds marker) and
// the other error codes the file may also raise.
type ruleCase struct {
	name   string
	extra  string // root-level elements before the process
	body   string // process content
	src    string // a whole file instead of extra and body
	id     string // process to validate ("" = pick)
	code   string
	elemID string
	marker string // "" = no position
	sev    Severity
	also   []string
}

const okStart = `<startEvent id="s"/>
<sequenceFlow id="s_t" sourceRef="s" targetRef="t"/>
<userTask id="t" camunda:assignee="a"/>
<sequenceFlow id="t_e" sourceRef="t" targetRef="e"/>
<endEvent id="e"/>`

var wellFormedCases = []ruleCase{
	{name: "missing id", body: okStart + `
<userTask name="anonymous"/>`, code: CodeMissingID, marker: `name="anonymous"`},
	{name: "duplicate id", body: okStart + `
<userTask id="t" name="again"/>`, code: CodeDuplicateID, elemID: "t", marker: `name="again"`},
	{name: "duplicate id across kinds", extra: `<message id="t"/>`, body: okStart, code: CodeDuplicateID, elemID: "t", marker: `<message id="t"`},
	{name: "flow source missing", body: okStart + `
<sequenceFlow id="bad" sourceRef="nowhere" targetRef="e"/>`, code: CodeFlowSourceMissing, elemID: "bad", marker: `id="bad"`},
	{name: "flow without sourceRef", body: okStart + `
<sequenceFlow id="bad" targetRef="e"/>`, code: CodeFlowSourceMissing, elemID: "bad", marker: `id="bad"`},
	{name: "flow target missing", body: okStart + `
<sequenceFlow id="bad" sourceRef="t" targetRef="nowhere"/>`, code: CodeFlowTargetMissing, elemID: "bad", marker: `id="bad"`},
	{name: "flow crosses a sub-process boundary", body: `<startEvent id="s"/>
<sequenceFlow id="s_sp" sourceRef="s" targetRef="sp"/>
<subProcess id="sp">
  <startEvent id="ss"/>
  <sequenceFlow id="bad" sourceRef="ss" targetRef="e"/>
</subProcess>
<endEvent id="e"/>`, code: CodeFlowCrossScope, elemID: "bad", marker: `id="bad"`},
	{name: "default flow not leaving the node", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<exclusiveGateway id="g" default="f1"/>
<sequenceFlow id="f2" sourceRef="g" targetRef="e"/>
<endEvent id="e"/>`, code: CodeInvalidDefault, elemID: "g", marker: `id="g"`},
	{name: "default flow unknown", body: okStart + `
<exclusiveGateway id="g" default="nope"/>`, code: CodeInvalidDefault, elemID: "g", marker: `id="g"`},
	{name: "boundary on a gateway", body: okStart + `
<exclusiveGateway id="g"/>
<boundaryEvent id="b" attachedToRef="g"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>`,
		code: CodeInvalidAttachment, elemID: "b", marker: `id="b"`},
	{name: "boundary attached to nothing", body: okStart + `
<boundaryEvent id="b"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>`,
		code: CodeInvalidAttachment, elemID: "b", marker: `id="b"`},
}

func TestWellFormedRules(t *testing.T) {
	for _, c := range wellFormedCases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if src == "" {
				src = doc(c.extra, c.body)
			}
			_, problems := mustParse(t, src)
			checkRule(t, src, c, problems)
		})
	}
}

var executableCases = []ruleCase{
	// Choosing the process.
	{name: "process not found", body: okStart, id: "other", code: CodeProcessNotFound, elemID: "other"},
	{name: "no executable process", src: `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="a" isExecutable="false"/><process id="b"/></definitions>`,
		code: CodeNoExecutableProcess},
	{name: "no process at all", src: `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>`, code: CodeNoExecutableProcess},
	{name: "two executable processes", src: `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
<process id="a" isExecutable="true"/>
<process id="b" isExecutable="true"/></definitions>`, code: CodeAmbiguousProcess, marker: `id="b"`},
	{name: "chosen process not executable", src: `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
<process id="a" isExecutable="false"><startEvent id="s"/></process></definitions>`, id: "a", code: CodeNotExecutable, elemID: "a", marker: `id="a"`, sev: SeverityWarning},

	// Elements the engine cannot run.
	{name: "complex gateway", body: okStart + `
<complexGateway id="x"/>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},
	{name: "transaction", body: okStart + `
<transaction id="x"/>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`, also: []string{CodeNoStartEvent}},
	{name: "ad-hoc sub-process", body: okStart + `
<adHocSubProcess id="x"/>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},
	{name: "signal start event", extra: `<signal id="sig" name="go"/>`, body: okStart + `
<startEvent id="x"><signalEventDefinition signalRef="sig"/></startEvent>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`, also: []string{CodeUnreachable}},
	{name: "conditional boundary", body: okStart + `
<boundaryEvent id="x" attachedToRef="t"><conditionalEventDefinition><condition>${a}</condition></conditionalEventDefinition></boundaryEvent>`,
		code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},
	{name: "compensation handler", body: okStart + `
<serviceTask id="x" isForCompensation="true" ow:handler="undo"/>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},
	{name: "multiple event definitions", extra: `<message id="m" name="m"/>`, body: `<startEvent id="s"/>
<sequenceFlow id="s_x" sourceRef="s" targetRef="x"/>
<intermediateCatchEvent id="x"><messageEventDefinition messageRef="m"/><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></intermediateCatchEvent>`,
		code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},
	{name: "implicit throw event", body: okStart + `
<implicitThrowEvent id="x"/>`, code: CodeUnsupportedElement, elemID: "x", marker: `id="x"`},

	// Start and end events.
	{name: "no start event", body: `<userTask id="t" camunda:assignee="a"/>`, code: CodeNoStartEvent, elemID: "p", marker: `<process id="p"`, also: []string{CodeUnreachable}},
	{name: "two none start events", body: okStart + `
<startEvent id="s2"/>
<sequenceFlow id="s2_t" sourceRef="s2" targetRef="t"/>`, code: CodeMultipleStartEvents, elemID: "s2", marker: `<startEvent id="s2"`},
	{name: "error start at process level", body: okStart + `
<startEvent id="x"><errorEventDefinition/></startEvent>
<sequenceFlow id="x_t" sourceRef="x" targetRef="t"/>`, code: CodeInvalidStartEvent, elemID: "x", marker: `id="x"`},
	{name: "sub-process without start", body: `<startEvent id="s"/>
<sequenceFlow id="s_sp" sourceRef="s" targetRef="sp"/>
<subProcess id="sp"><userTask id="in" camunda:assignee="a"/></subProcess>`, code: CodeNoStartEvent, elemID: "sp", marker: `id="sp"`},
	{name: "message start in embedded sub-process", extra: `<message id="m" name="m"/>`, body: `<startEvent id="s"/>
<sequenceFlow id="s_sp" sourceRef="s" targetRef="sp"/>
<subProcess id="sp"><startEvent id="x"><messageEventDefinition messageRef="m"/></startEvent></subProcess>`,
		code: CodeInvalidStartEvent, elemID: "x", marker: `id="x"`},
	{name: "none start in event sub-process", body: okStart + `
<subProcess id="esp" triggeredByEvent="true"><startEvent id="x"/></subProcess>`, code: CodeInvalidStartEvent, elemID: "x", marker: `id="x"`},
	{name: "event sub-process with two starts", body: okStart + `
<subProcess id="esp" triggeredByEvent="true">
<startEvent id="x1"><errorEventDefinition/></startEvent>
<startEvent id="x2"><errorEventDefinition/></startEvent></subProcess>`, code: CodeMultipleStartEvents, elemID: "x2", marker: `id="x2"`},
	{name: "event sub-process with flows", body: okStart + `
<subProcess id="esp" triggeredByEvent="true"><startEvent id="x"><errorEventDefinition/></startEvent></subProcess>
<sequenceFlow id="bad" sourceRef="esp" targetRef="e"/>`, code: CodeEventSubProcessFlow, elemID: "esp", marker: `id="esp"`},
	{name: "start event with incoming flow", body: okStart + `
<sequenceFlow id="back" sourceRef="t" targetRef="s"/>`, code: CodeStartEventIncoming, elemID: "s", marker: `<startEvent id="s"`},
	{name: "end event with outgoing flow", body: okStart + `
<sequenceFlow id="on" sourceRef="e" targetRef="t"/>`, code: CodeEndEventOutgoing, elemID: "e", marker: `<endEvent id="e"`},
	{name: "boundary event with incoming flow", body: okStart + `
<boundaryEvent id="b" attachedToRef="t"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>
<sequenceFlow id="in" sourceRef="s" targetRef="b"/>`, code: CodeBoundaryEventIncoming, elemID: "b", marker: `id="b"`},

	// Paths.
	{name: "unreachable task", body: okStart + `
<userTask id="island" camunda:assignee="a"/>`, code: CodeUnreachable, elemID: "island", marker: `id="island"`},
	{name: "unreachable sub-process content", body: okStart + `
<subProcess id="sp">
  <startEvent id="ss"/><sequenceFlow id="ss_e" sourceRef="ss" targetRef="se"/><endEvent id="se"/>
  <userTask id="stray" camunda:assignee="a"/>
</subProcess>
<sequenceFlow id="t_sp" sourceRef="t" targetRef="sp"/>`, code: CodeUnreachable, elemID: "stray", marker: `id="stray"`},
	{name: "cycle with no way out", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
<userTask id="a" camunda:assignee="x"/>
<sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
<userTask id="b" camunda:assignee="x"/>
<sequenceFlow id="f3" sourceRef="b" targetRef="a"/>`, code: CodeNoWayOut, elemID: "a", marker: `<userTask id="a"`},
	{name: "self loop", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
<userTask id="a" camunda:assignee="x"/>
<sequenceFlow id="f2" sourceRef="a" targetRef="a"/>`, code: CodeNoWayOut, elemID: "a", marker: `<userTask id="a"`},

	// Gateways and conditions.
	{name: "gateway without outgoing flow", body: okStart + `
<sequenceFlow id="t_g" sourceRef="t" targetRef="g"/>
<parallelGateway id="g"/>`, code: CodeGatewayNoOutgoing, elemID: "g", marker: `id="g"`},
	{name: "default flow with a condition", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<exclusiveGateway id="g" default="d"/>
<sequenceFlow id="d" sourceRef="g" targetRef="e"><conditionExpression>${a}</conditionExpression></sequenceFlow>
<sequenceFlow id="c" sourceRef="g" targetRef="e"><conditionExpression>${!a}</conditionExpression></sequenceFlow>
<endEvent id="e"/>`, code: CodeDefaultFlowCondition, elemID: "d", marker: `<sequenceFlow id="d"`},
	{name: "default flow on a parallel gateway", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<parallelGateway id="g" default="d"/>
<sequenceFlow id="d" sourceRef="g" targetRef="e"/>
<endEvent id="e"/>`, code: CodeInvalidDefault, elemID: "g", marker: `id="g"`},
	{name: "flows without condition or default", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<exclusiveGateway id="g"/>
<sequenceFlow id="c" sourceRef="g" targetRef="e"><conditionExpression>${a}</conditionExpression></sequenceFlow>
<sequenceFlow id="bare" sourceRef="g" targetRef="e"/>
<endEvent id="e"/>`, code: CodeMissingCondition, elemID: "g", marker: `id="g"`, sev: SeverityWarning},
	{name: "condition after a parallel gateway", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<parallelGateway id="g"/>
<sequenceFlow id="c" sourceRef="g" targetRef="e"><conditionExpression>${a}</conditionExpression></sequenceFlow>
<endEvent id="e"/>`, code: CodeConditionIgnored, elemID: "c", marker: `<sequenceFlow id="c"`, sev: SeverityWarning},
	{name: "event gateway to a task", body: `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<eventBasedGateway id="g"/>
<sequenceFlow id="bad" sourceRef="g" targetRef="t"/>
<userTask id="t" camunda:assignee="a"/>`, code: CodeEventGatewayTarget, elemID: "bad", marker: `id="bad"`},
	{name: "condition does not compile", body: `<startEvent id="s"/>
<sequenceFlow id="c" sourceRef="s" targetRef="e"><conditionExpression>${a ==}</conditionExpression></sequenceFlow>
<endEvent id="e"/>`, code: CodeInvalidCondition, elemID: "c", marker: `<sequenceFlow id="c"`},
	{name: "empty condition", body: `<startEvent id="s"/>
<sequenceFlow id="c" sourceRef="s" targetRef="e"><conditionExpression xsi:type="tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></sequenceFlow>
<endEvent id="e"/>`, code: CodeInvalidCondition, elemID: "c", marker: `<sequenceFlow id="c"`},
	{name: "loop condition does not compile", body: okStart + `
<task id="l"><standardLoopCharacteristics><loopCondition>${(}</loopCondition></standardLoopCharacteristics></task>
<sequenceFlow id="e_l" sourceRef="s" targetRef="l"/>`, code: CodeInvalidCondition, elemID: "l", marker: `<task id="l"`},

	// Multi-instance.
	{name: "completion condition does not compile", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="m"/>
<userTask id="m" camunda:assignee="a"><multiInstanceLoopCharacteristics><loopCardinality>3</loopCardinality><completionCondition>${nrOfCompletedInstances &gt;=}</completionCondition></multiInstanceLoopCharacteristics></userTask>`,
		code: CodeInvalidCompletion, elemID: "m", marker: `id="m"`},
	{name: "loop cardinality does not compile", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="m"/>
<userTask id="m" camunda:assignee="a"><multiInstanceLoopCharacteristics><loopCardinality>${n +}</loopCardinality></multiInstanceLoopCharacteristics></userTask>`,
		code: CodeInvalidCardinality, elemID: "m", marker: `id="m"`},
	{name: "multi-instance without input", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="m"/>
<userTask id="m" camunda:assignee="a"><multiInstanceLoopCharacteristics/></userTask>`,
		code: CodeMultiInstanceNoInput, elemID: "m", marker: `id="m"`},
	{name: "countersign without multi-instance", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="m"/>
<userTask id="m" camunda:assignee="a" ow:countersign="all"/>`, code: CodeCountersignNoLoop, elemID: "m", marker: `id="m"`, sev: SeverityWarning},

	// Timers.
	{name: "bad duration", body: timerBody(`<timeDuration>P1H</timeDuration>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "bad date", body: timerBody(`<timeDate>next tuesday</timeDate>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "bad cycle", body: timerBody(`<timeCycle>R-1/PT1H</timeCycle>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "cron cycle", body: timerBody(`<timeCycle>0 0 9 * * ?</timeCycle>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "timer without value", body: timerBody(``), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "timer with two values", body: timerBody(`<timeDuration>PT1H</timeDuration><timeDate>2025-01-01</timeDate>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "working days with a date", body: strings.Replace(timerBody(`<timeDate>2025-01-01</timeDate>`), `<timerEventDefinition`, `<timerEventDefinition ow:workingDays="2"`, 1),
		code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},
	{name: "timer expression does not compile", body: timerBody(`<timeDuration>${due +}</timeDuration>`), code: CodeInvalidTimer, elemID: "b", marker: `<timerEventDefinition`},

	// References.
	{name: "message event without messageRef", body: okStart + `
<boundaryEvent id="b" attachedToRef="t"><messageEventDefinition/></boundaryEvent>`, code: CodeMissingMessageRef, elemID: "b", marker: `<messageEventDefinition`},
	{name: "undeclared message", body: okStart + `
<boundaryEvent id="b" attachedToRef="t"><messageEventDefinition messageRef="ghost"/></boundaryEvent>`, code: CodeUnresolvedMessage, elemID: "b", marker: `<messageEventDefinition`},
	{name: "receive task with undeclared message", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="r"/>
<receiveTask id="r" messageRef="ghost"/>`, code: CodeUnresolvedMessage, elemID: "r", marker: `id="r"`},
	{name: "signal event without signalRef", body: okStart + `
<boundaryEvent id="b" attachedToRef="t"><signalEventDefinition/></boundaryEvent>`, code: CodeMissingSignalRef, elemID: "b", marker: `<signalEventDefinition`},
	{name: "undeclared signal", body: okStart + `
<boundaryEvent id="b" attachedToRef="t"><signalEventDefinition signalRef="ghost"/></boundaryEvent>`, code: CodeUnresolvedSignal, elemID: "b", marker: `<signalEventDefinition`},
	{name: "link without catch", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="l"/>
<intermediateThrowEvent id="l"><linkEventDefinition name="nowhere"/></intermediateThrowEvent>`, code: CodeUnmatchedLink, elemID: "l", marker: `id="l"`},
	{name: "two link catches with one name", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="l"/>
<intermediateThrowEvent id="l"><linkEventDefinition name="x"/></intermediateThrowEvent>
<intermediateCatchEvent id="c1"><linkEventDefinition name="x"/></intermediateCatchEvent>
<intermediateCatchEvent id="c2"><linkEventDefinition name="x"/></intermediateCatchEvent>`, code: CodeUnmatchedLink, elemID: "c2", marker: `id="c2"`, also: []string{CodeUnreachable}},
	{name: "call activity without calledElement", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="c"/>
<callActivity id="c"/>`, code: CodeMissingCalledElement, elemID: "c", marker: `id="c"`},
	{name: "script task without script", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<scriptTask id="x" scriptFormat="groovy"/>`, code: CodeMissingScript, elemID: "x", marker: `id="x"`},
	{name: "service task without implementation", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<serviceTask id="x"/>`, code: CodeMissingImplementation, elemID: "x", marker: `id="x"`, sev: SeverityWarning},
	{name: "unassigned user task", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<userTask id="x"/>`, code: CodeUnassignedUserTask, elemID: "x", marker: `id="x"`, sev: SeverityWarning},
	{name: "camunda input/output mapping not applied", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<userTask id="x" camunda:assignee="a"><extensionElements><camunda:inputOutput><camunda:inputParameter name="d">${days}</camunda:inputParameter></camunda:inputOutput></extensionElements></userTask>`,
		code: CodeIgnoredExtension, elemID: "x", marker: `id="x"`, sev: SeverityWarning},
	{name: "zeebe io mapping not applied", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<serviceTask id="x"><extensionElements><zeebe:taskDefinition type="mail"/><zeebe:ioMapping><zeebe:input source="=to" target="recipient"/></zeebe:ioMapping></extensionElements></serviceTask>`,
		code: CodeIgnoredExtension, elemID: "x", marker: `id="x"`, sev: SeverityWarning},
	{name: "task listener does not run", body: `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="x"/>
<userTask id="x" camunda:assignee="a"><extensionElements><camunda:taskListener class="org.example.Audit" event="create"/><camunda:taskListener class="org.example.Mail" event="complete"/></extensionElements></userTask>`,
		code: CodeIgnoredExtension, elemID: "x", marker: `id="x"`, sev: SeverityWarning},
}

func timerBody(def string) string {
	return okStart + `
<boundaryEvent id="b" attachedToRef="t"><timerEventDefinition>` + def + `</timerEventDefinition></boundaryEvent>`
}

func TestExecutableRules(t *testing.T) {
	for _, c := range executableCases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if src == "" {
				src = doc(c.extra, c.body)
			}
			_, _, problems := Check([]byte(src), c.id)
			checkRule(t, src, c, problems)
		})
	}
}

// checkRule asserts the expected problem, and that every other error is
// one the case allows.
func checkRule(t *testing.T, src string, c ruleCase, problems []Problem) {
	t.Helper()
	p := findProblem(problems, c.code, c.elemID)
	if p == nil {
		t.Fatalf("no %s problem on %q; got:\n%s", c.code, c.elemID, codes(problems))
	}
	sev := c.sev
	if sev == "" {
		sev = SeverityError
	}
	if p.Severity != sev {
		t.Errorf("severity %s, want %s", p.Severity, sev)
	}
	var want Position
	if c.marker != "" {
		want = posOf(t, src, c.marker)
	}
	if p.Line != want.Line || p.Column != want.Column {
		t.Errorf("%s at %d:%d, want %d:%d", c.code, p.Line, p.Column, want.Line, want.Column)
	}
	if p.Message == "" {
		t.Error("empty message")
	}
	for _, other := range problems {
		if other.Severity != SeverityError || other.Code == c.code {
			continue
		}
		allowed := false
		for _, a := range c.also {
			allowed = allowed || a == other.Code
		}
		if !allowed {
			t.Errorf("unexpected error: %s [%s]", other.Error(), other.Code)
		}
	}
}

func TestValidProcessesPass(t *testing.T) {
	cases := map[string]struct{ extra, body string }{
		"straight line": {"", okStart},
		"error code undeclared (Flowable)": {"", okStart + `
<boundaryEvent id="b" attachedToRef="t"><errorEventDefinition errorRef="E1"/></boundaryEvent>
<sequenceFlow id="b_e" sourceRef="b" targetRef="e"/>`},
		"message by name": {`<message id="m1" name="paid"/>`, okStart + `
<boundaryEvent id="b" attachedToRef="t" cancelActivity="false"><messageEventDefinition messageRef="paid"/></boundaryEvent>`},
		"loop with an exit": {"", `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
<userTask id="a" camunda:assignee="x"/>
<sequenceFlow id="f2" sourceRef="a" targetRef="g"/>
<exclusiveGateway id="g" default="back"/>
<sequenceFlow id="back" sourceRef="g" targetRef="a"/>
<sequenceFlow id="out" sourceRef="g" targetRef="e"><conditionExpression>${done}</conditionExpression></sequenceFlow>
<endEvent id="e"/>`},
		"loop escaped by a timer": {"", `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
<userTask id="a" camunda:assignee="x"/>
<sequenceFlow id="f2" sourceRef="a" targetRef="a2"/>
<userTask id="a2" camunda:assignee="x"/>
<sequenceFlow id="f3" sourceRef="a2" targetRef="a"/>
<boundaryEvent id="tb" attachedToRef="a2"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>
<sequenceFlow id="f4" sourceRef="tb" targetRef="e"/>
<endEvent id="e"/>`},
		"loop in a sub-process ended by its boundary": {"", `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="sp"/>
<subProcess id="sp">
  <startEvent id="ss"/><sequenceFlow id="g1" sourceRef="ss" targetRef="a"/>
  <userTask id="a" camunda:assignee="x"/><sequenceFlow id="g2" sourceRef="a" targetRef="a"/>
</subProcess>
<boundaryEvent id="tb" attachedToRef="sp" ow:workingDays="5"><timerEventDefinition/></boundaryEvent>
<sequenceFlow id="f2" sourceRef="tb" targetRef="e"/>
<endEvent id="e"/>`},
		"links, event sub-process, event gateway": {`<message id="m" name="supplement"/><signal id="sg" name="withdrawn"/>`, `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="lt"/>
<intermediateThrowEvent id="lt"><linkEventDefinition name="page2"/></intermediateThrowEvent>
<intermediateCatchEvent id="lc"><linkEventDefinition name="page2"/></intermediateCatchEvent>
<sequenceFlow id="f2" sourceRef="lc" targetRef="g"/>
<eventBasedGateway id="g"/>
<sequenceFlow id="f3" sourceRef="g" targetRef="wait"/>
<sequenceFlow id="f4" sourceRef="g" targetRef="timeout"/>
<sequenceFlow id="f5" sourceRef="g" targetRef="recv"/>
<intermediateCatchEvent id="wait"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
<intermediateCatchEvent id="timeout"><timerEventDefinition><timeDate>${deadline}</timeDate></timerEventDefinition></intermediateCatchEvent>
<receiveTask id="recv" messageRef="m"/>
<sequenceFlow id="f6" sourceRef="wait" targetRef="e"/>
<sequenceFlow id="f7" sourceRef="timeout" targetRef="e"/>
<sequenceFlow id="f8" sourceRef="recv" targetRef="e"/>
<endEvent id="e"/>
<subProcess id="esp" triggeredByEvent="true">
  <startEvent id="es"><signalEventDefinition signalRef="sg"/></startEvent>
</subProcess>
<subProcess id="esp2" triggeredByEvent="true">
  <startEvent id="es2" isInterrupting="false"><timerEventDefinition><timeCycle>R/P1D</timeCycle></timerEventDefinition></startEvent>
  <sequenceFlow id="h1" sourceRef="es2" targetRef="remind"/>
  <sendTask id="remind" ow:handler="notify.sms"/>
</subProcess>`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := doc(c.extra, c.body)
			_, p, problems := Check([]byte(src), "")
			if p == nil || p.ID != "p" {
				t.Fatalf("process not chosen")
			}
			for _, pr := range problems {
				// A signal start in an event sub-process is unsupported.
				if pr.Code == CodeUnsupportedElement && pr.ElementID == "es" {
					continue
				}
				t.Errorf("unexpected problem: %s [%s]", pr.Error(), pr.Code)
			}
		})
	}
}

func TestProblemsSortedAndComplete(t *testing.T) {
	// Several rules broken at once: all are reported, in source order.
	src := doc("", `<userTask id="a"/>
<sequenceFlow id="f" sourceRef="a" targetRef="ghost"/>
<complexGateway id="cg"/>
<userTask id="a" name="dup"/>`)
	_, _, problems := Check([]byte(src), "")
	want := []string{CodeNoStartEvent, CodeUnassignedUserTask, CodeUnreachable, CodeFlowTargetMissing, CodeUnsupportedElement, CodeDuplicateID}
	var got []string
	for _, p := range problems {
		got = append(got, p.Code)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("codes\n got %v\nwant %v\n%s", got, want, codes(problems))
	}
	for i := 1; i < len(problems); i++ {
		a, b := problems[i-1], problems[i]
		if a.Line > b.Line || a.Line == b.Line && a.Column > b.Column {
			t.Errorf("problems not sorted at %d", i)
		}
	}
}

func TestUnsupported(t *testing.T) {
	cases := []struct {
		n    Node
		want bool
	}{
		{Node{Kind: UserTask}, true},
		{Node{Kind: SubProcess, TriggeredByEvent: true}, true},
		{Node{Kind: StartEvent}, true},
		{Node{Kind: StartEvent, Events: []*EventDefinition{{Kind: TimerEvent}}}, true},
		{Node{Kind: StartEvent, Events: []*EventDefinition{{Kind: SignalEvent}}}, false},
		{Node{Kind: StartEvent, Events: []*EventDefinition{{Kind: ConditionalEvent}}}, false},
		{Node{Kind: EndEvent, Events: []*EventDefinition{{Kind: EscalationEvent}}}, true},
		{Node{Kind: EndEvent, Events: []*EventDefinition{{Kind: CancelEvent}}}, false},
		{Node{Kind: EndEvent, Events: []*EventDefinition{{Kind: CompensateEvent}}}, false},
		{Node{Kind: IntermediateCatchEvent, Events: []*EventDefinition{{Kind: LinkEvent}}}, true},
		{Node{Kind: IntermediateCatchEvent}, false},
		{Node{Kind: IntermediateThrowEvent}, true},
		{Node{Kind: IntermediateThrowEvent, Events: []*EventDefinition{{Kind: CompensateEvent}}}, false},
		{Node{Kind: BoundaryEvent, Events: []*EventDefinition{{Kind: ErrorEvent}}}, true},
		{Node{Kind: BoundaryEvent, Events: []*EventDefinition{{Kind: ConditionalEvent}}}, false},
		{Node{Kind: InclusiveGateway}, true},
		{Node{Kind: ComplexGateway}, false},
		{Node{Kind: Transaction}, false},
		{Node{Kind: AdHocSubProcess}, false},
		{Node{Kind: ServiceTask, ForCompensation: true}, false},
		{Node{Kind: "callChoreography"}, false},
	}
	for _, c := range cases {
		why := Unsupported(&c.n)
		if (why == "") != c.want {
			t.Errorf("Unsupported(%s %v) = %q", c.n.Kind, c.n.EventKind(), why)
		}
	}
	if got := SupportedEvents(BoundaryEvent); len(got) != 5 {
		t.Errorf("SupportedEvents(boundaryEvent) = %v", got)
	}
}

func TestLinkTarget(t *testing.T) {
	src := doc("", `<startEvent id="s"/>
<sequenceFlow id="f" sourceRef="s" targetRef="lt"/>
<intermediateThrowEvent id="lt"><linkEventDefinition name="A"/></intermediateThrowEvent>
<subProcess id="sp"><intermediateCatchEvent id="inner"><linkEventDefinition name="A"/></intermediateCatchEvent></subProcess>
<intermediateCatchEvent id="lc"><linkEventDefinition name="A"/></intermediateCatchEvent>`)
	d, _ := mustParse(t, src)
	p := d.Processes[0]
	if got := p.LinkTarget(p.Node("lt")); got == nil || got.ID != "lc" {
		t.Errorf("LinkTarget = %v, want lc (same scope)", got)
	}
	if p.LinkTarget(p.Node("lc")) != nil {
		t.Error("LinkTarget of a catch event must be nil")
	}
}
