package machine_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// bpmn wraps process elements in a definitions document.
func bpmn(extra, body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:flowable="http://flowable.org/bpmn" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">` + extra + `
<process id="p" isExecutable="true">` + body + `</process></definitions>`)
}

func compile(t *testing.T, xml []byte) map[string]*machine.Model {
	t.Helper()
	defs, problems, err := definitions.Parse(xml)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatalf("parse: %v %v", err, problems)
	}
	m, err := machine.Compile(defs, "p", machine.Options{Handlers: []string{"notify"}})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*machine.Model{"p": m}
}

func start(t *testing.T, xml []byte, vars map[string]any) *simulate.Sim {
	t.Helper()
	s, err := simulate.New(compile(t, xml), "p", vars, simulate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantActive(t *testing.T, s *simulate.Sim, want ...string) {
	t.Helper()
	got := append([]string{}, s.Result().Active...)
	sort.Strings(got)
	sort.Strings(want)
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("active = %v, want %v (entered %v)", got, want, s.Result().Entered)
	}
}

func wantState(t *testing.T, s *simulate.Sim, state string) {
	t.Helper()
	if r := s.Result(); r.State != state {
		t.Fatalf("state = %s, want %s (incident %+v, entered %v)", r.State, state, r.Incident, r.Entered)
	}
}

func seq(nodes ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(nodes); i++ {
		fmt.Fprintf(&b, `<sequenceFlow id="f%d" sourceRef="%s" targetRef="%s"/>`, i, nodes[i], nodes[i+1])
	}
	return b.String()
}

func TestEventSubProcesses(t *testing.T) {
	msg := `<message id="m" name="cancelRequest"/><error id="e" errorCode="E1"/>`
	body := `<startEvent id="s"/><userTask id="work"/><endEvent id="end"/>` + seq("s", "work", "end") + `
	<subProcess id="onMessage" triggeredByEvent="true">
	  <startEvent id="ms" isInterrupting="%s"><messageEventDefinition messageRef="m"/></startEvent>
	  <userTask id="handle"/><endEvent id="mend"/>
	  <sequenceFlow id="a1" sourceRef="ms" targetRef="handle"/><sequenceFlow id="a2" sourceRef="handle" targetRef="mend"/>
	</subProcess>`
	t.Run("interrupting message start cancels the scope", func(t *testing.T) {
		s := start(t, bpmn(msg, fmt.Sprintf(body, "true")), nil)
		must(t, s.Message("cancelRequest", nil))
		wantActive(t, s, "handle")
		if err := s.Message("cancelRequest", nil); err == nil {
			t.Fatal("a second message after an interrupting start: want no wait")
		}
		must(t, s.Complete("handle", "", nil))
		wantState(t, s, "completed")
	})
	t.Run("non-interrupting message start runs beside the scope", func(t *testing.T) {
		s := start(t, bpmn(msg, fmt.Sprintf(body, "false")), nil)
		must(t, s.Message("cancelRequest", nil))
		must(t, s.Message("cancelRequest", nil))
		wantActive(t, s, "work", "handle", "handle")
		must(t, s.Complete("work", "", nil))
		wantState(t, s, "active") // the event sub-processes keep the scope open
		must(t, s.Complete("handle", "", nil))
		must(t, s.Complete("handle", "", nil))
		wantState(t, s, "completed")
	})
	t.Run("error event sub-process catches an error end", func(t *testing.T) {
		xml := bpmn(msg, `<startEvent id="s"/><userTask id="work"/><endEvent id="fail"><errorEventDefinition errorRef="e"/></endEvent>`+seq("s", "work", "fail")+`
		<subProcess id="onError" triggeredByEvent="true">
		  <startEvent id="es"><errorEventDefinition errorRef="e"/></startEvent><userTask id="repair"/><endEvent id="eend"/>
		  <sequenceFlow id="b1" sourceRef="es" targetRef="repair"/><sequenceFlow id="b2" sourceRef="repair" targetRef="eend"/>
		</subProcess>`)
		s := start(t, xml, nil)
		must(t, s.Complete("work", "", nil))
		wantActive(t, s, "repair")
		must(t, s.Complete("repair", "", nil))
		wantState(t, s, "completed")
	})
	t.Run("timer event sub-process, non-interrupting", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="s"/><userTask id="work"/><endEvent id="end"/>`+seq("s", "work", "end")+`
		<subProcess id="remind" triggeredByEvent="true">
		  <startEvent id="ts" isInterrupting="false"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></startEvent>
		  <userTask id="reminder"/><endEvent id="rend"/>
		  <sequenceFlow id="c1" sourceRef="ts" targetRef="reminder"/><sequenceFlow id="c2" sourceRef="reminder" targetRef="rend"/>
		</subProcess>`)
		s := start(t, xml, nil)
		must(t, s.Advance("P1D"))
		wantActive(t, s, "work", "reminder")
		must(t, s.Complete("reminder", "", nil))
		must(t, s.Complete("work", "", nil))
		wantState(t, s, "completed")
	})
}

func TestErrorsAndEscalations(t *testing.T) {
	errs := `<error id="e" errorCode="E1"/><escalation id="x" escalationCode="X1"/>`
	t.Run("unhandled error is an incident that retry clears", func(t *testing.T) {
		xml := bpmn(errs, `<startEvent id="s"/><userTask id="work"/><endEvent id="fail"><errorEventDefinition errorRef="e"/></endEvent>`+seq("s", "work", "fail"))
		s := start(t, xml, nil)
		must(t, s.Complete("work", "", nil))
		wantState(t, s, "incident")
		if inc := s.Result().Incident; !strings.Contains(inc.Message, "E1") {
			t.Fatalf("incident %q does not name the error code", inc.Message)
		}
	})
	t.Run("error boundary matches by code, catch-all last", func(t *testing.T) {
		xml := bpmn(errs, `<startEvent id="s"/><subProcess id="sub"><startEvent id="ss"/><userTask id="work"/>
		  <endEvent id="fail"><errorEventDefinition errorRef="e"/></endEvent>`+seq("ss", "work", "fail")+`</subProcess>
		  <boundaryEvent id="catchAll" attachedToRef="sub"><errorEventDefinition/></boundaryEvent>
		  <boundaryEvent id="catchE1" attachedToRef="sub"><errorEventDefinition errorRef="e"/></boundaryEvent>
		  <userTask id="generic"/><userTask id="specific"/><endEvent id="end"/>
		  <sequenceFlow id="g1" sourceRef="s" targetRef="sub"/><sequenceFlow id="g2" sourceRef="sub" targetRef="end"/>
		  <sequenceFlow id="g3" sourceRef="catchAll" targetRef="generic"/><sequenceFlow id="g4" sourceRef="catchE1" targetRef="specific"/>`)
		s := start(t, xml, nil)
		must(t, s.Complete("work", "", nil))
		wantActive(t, s, "specific")
	})
	t.Run("non-interrupting escalation boundary keeps the sub-process", func(t *testing.T) {
		xml := bpmn(errs, `<startEvent id="s"/><subProcess id="sub"><startEvent id="ss"/>
		  <intermediateThrowEvent id="raise"><escalationEventDefinition escalationRef="x"/></intermediateThrowEvent><userTask id="work"/><endEvent id="se"/>`+
			seq("ss", "raise", "work", "se")+`</subProcess>
		  <boundaryEvent id="esc" attachedToRef="sub" cancelActivity="false"><escalationEventDefinition escalationRef="x"/></boundaryEvent>
		  <userTask id="inform"/><endEvent id="end"/><endEvent id="end2"/>
		  <sequenceFlow id="g1" sourceRef="s" targetRef="sub"/><sequenceFlow id="g2" sourceRef="sub" targetRef="end"/>
		  <sequenceFlow id="g3" sourceRef="esc" targetRef="inform"/><sequenceFlow id="g4" sourceRef="inform" targetRef="end2"/>`)
		s := start(t, xml, nil)
		wantActive(t, s, "work", "inform")
	})
	t.Run("interrupting escalation boundary stops the thrower", func(t *testing.T) {
		xml := bpmn(errs, `<startEvent id="s"/><subProcess id="sub"><startEvent id="ss"/>
		  <intermediateThrowEvent id="raise"><escalationEventDefinition escalationRef="x"/></intermediateThrowEvent><userTask id="work"/><endEvent id="se"/>`+
			seq("ss", "raise", "work", "se")+`</subProcess>
		  <boundaryEvent id="esc" attachedToRef="sub"><escalationEventDefinition escalationRef="x"/></boundaryEvent>
		  <userTask id="inform"/><endEvent id="end"/>
		  <sequenceFlow id="g1" sourceRef="s" targetRef="sub"/><sequenceFlow id="g2" sourceRef="sub" targetRef="end"/>
		  <sequenceFlow id="g3" sourceRef="esc" targetRef="inform"/>`)
		s := start(t, xml, nil)
		wantActive(t, s, "inform")
	})
	t.Run("unhandled escalation does nothing", func(t *testing.T) {
		xml := bpmn(errs, `<startEvent id="s"/><intermediateThrowEvent id="raise"><escalationEventDefinition escalationRef="x"/></intermediateThrowEvent><userTask id="work"/><endEvent id="end"/>`+seq("s", "raise", "work", "end"))
		s := start(t, xml, nil)
		wantActive(t, s, "work")
	})
}

func TestTerminateAndLinks(t *testing.T) {
	t.Run("terminate in a sub-process ends only the sub-process", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="s"/><subProcess id="sub"><startEvent id="ss"/><parallelGateway id="fork"/>
		  <userTask id="a"/><userTask id="b"/><endEvent id="stop"><terminateEventDefinition/></endEvent><endEvent id="bend"/>
		  <sequenceFlow id="x1" sourceRef="ss" targetRef="fork"/><sequenceFlow id="x2" sourceRef="fork" targetRef="a"/><sequenceFlow id="x3" sourceRef="fork" targetRef="b"/>
		  <sequenceFlow id="x4" sourceRef="a" targetRef="stop"/><sequenceFlow id="x5" sourceRef="b" targetRef="bend"/></subProcess>
		  <userTask id="after"/><endEvent id="end"/>`+seq("s", "sub", "after", "end"))
		s := start(t, xml, nil)
		wantActive(t, s, "a", "b")
		must(t, s.Complete("a", "", nil))
		wantActive(t, s, "after")
	})
	t.Run("terminate at process level ends every branch", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="s"/><parallelGateway id="fork"/><userTask id="a"/><userTask id="b"/>
		  <endEvent id="stop"><terminateEventDefinition/></endEvent><endEvent id="bend"/>
		  <sequenceFlow id="x1" sourceRef="s" targetRef="fork"/><sequenceFlow id="x2" sourceRef="fork" targetRef="a"/><sequenceFlow id="x3" sourceRef="fork" targetRef="b"/>
		  <sequenceFlow id="x4" sourceRef="a" targetRef="stop"/><sequenceFlow id="x5" sourceRef="b" targetRef="bend"/>`)
		s := start(t, xml, nil)
		must(t, s.Complete("a", "", nil))
		wantState(t, s, "completed")
		if s.Machine().State().Result != machine.Terminated {
			t.Fatalf("result = %s, want terminated", s.Machine().State().Result)
		}
	})
	t.Run("link events jump within the scope", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="s"/><intermediateThrowEvent id="go" name="L"><linkEventDefinition name="L"/></intermediateThrowEvent>
		  <intermediateCatchEvent id="land" name="L"><linkEventDefinition name="L"/></intermediateCatchEvent><userTask id="t"/><endEvent id="e"/>
		  <sequenceFlow id="x1" sourceRef="s" targetRef="go"/><sequenceFlow id="x2" sourceRef="land" targetRef="t"/><sequenceFlow id="x3" sourceRef="t" targetRef="e"/>`)
		s := start(t, xml, nil)
		wantActive(t, s, "t")
	})
}

func TestIncidentsAndRetry(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/><exclusiveGateway id="g"/><userTask id="yes"/><userTask id="no"/><endEvent id="e1"/><endEvent id="e2"/>
	  <sequenceFlow id="x1" sourceRef="s" targetRef="g"/>
	  <sequenceFlow id="x2" sourceRef="g" targetRef="yes"><conditionExpression>${amount &gt; 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x3" sourceRef="g" targetRef="no"><conditionExpression>${amount &lt;= 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x4" sourceRef="yes" targetRef="e1"/><sequenceFlow id="x5" sourceRef="no" targetRef="e2"/>`)
	m := compile(t, xml)["p"]
	mc := machine.New(m)
	cmds := mc.Start(machine.StartOptions{})
	var incident *machine.Incident
	for _, c := range cmds {
		if c.Kind == machine.RaiseIncident {
			incident = c.Incident
		}
	}
	if incident == nil || incident.Element != "g" || !strings.Contains(incident.Message, "amount") {
		t.Fatalf("missing variable: incident = %+v, want one at g naming amount", incident)
	}
	if _, err := mc.Handle(machine.Event{Kind: machine.RetryIncident, WaitID: "nope"}); !errors.Is(err, machine.ErrNoWait) {
		t.Fatalf("retrying an unknown incident: err = %v", err)
	}
	cmds, err := mc.Handle(machine.Event{Kind: machine.RetryIncident, WaitID: incident.ID, Vars: map[string]any{"amount": 250.0}})
	must(t, err)
	var opened []string
	for _, c := range cmds {
		if c.Kind == machine.OpenWait {
			opened = append(opened, c.Wait.Element)
		}
	}
	if !reflect.DeepEqual(opened, []string{"yes"}) {
		t.Fatalf("after retry opened %v, want [yes]", opened)
	}
	if len(mc.State().Incidents) != 0 {
		t.Fatal("incident still open after retry")
	}
	t.Run("wrong type is an incident too", func(t *testing.T) {
		mc := machine.New(m)
		mc.Start(machine.StartOptions{Vars: map[string]any{"amount": "lots"}})
		if len(mc.State().Incidents) != 1 {
			t.Fatalf("incidents = %d, want 1", len(mc.State().Incidents))
		}
	})
}

func TestCountersign(t *testing.T) {
	xml := func(rule string) []byte {
		return bpmn("", `<startEvent id="s"/>
		<userTask id="review" flowable:candidateGroups="${department}" ow:stepKind="review" ow:countersign="`+rule+`">
		  <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="${departments}" flowable:elementVariable="department"/>
		</userTask>
		<exclusiveGateway id="g"/><userTask id="decide"/><userTask id="coordinate"/><endEvent id="e"/><endEvent id="e2"/>
		<sequenceFlow id="x1" sourceRef="s" targetRef="review"/><sequenceFlow id="x2" sourceRef="review" targetRef="g"/>
		<sequenceFlow id="x3" sourceRef="g" targetRef="decide"><conditionExpression>${countersignResult == 'agreed'}</conditionExpression></sequenceFlow>
		<sequenceFlow id="x4" sourceRef="g" targetRef="coordinate"><conditionExpression>${countersignResult == 'objected'}</conditionExpression></sequenceFlow>
		<sequenceFlow id="x5" sourceRef="decide" targetRef="e"/><sequenceFlow id="x6" sourceRef="coordinate" targetRef="e2"/>`)
	}
	depts := map[string]any{"departments": []any{"fgj", "zjj", "zrj"}}
	t.Run("all agree", func(t *testing.T) {
		s := start(t, xml("all"), depts)
		var groups []string
		for _, w := range s.Tasks() {
			groups = append(groups, strings.Join(w.Task.CandidateGroups, ","))
			if w.Task.StepKind != "review" || w.Task.Body == "" {
				t.Fatalf("task spec %+v lacks step kind or body", w.Task)
			}
		}
		if !reflect.DeepEqual(groups, []string{"fgj", "zjj", "zrj"}) {
			t.Fatalf("candidate groups %v", groups)
		}
		for i := 0; i < 3; i++ {
			must(t, s.Complete("review", "agree", nil))
		}
		wantActive(t, s, "decide")
		if got := s.Result().Variables["outcomes"]; !reflect.DeepEqual(got, map[string]any{"agree": 3.0}) {
			t.Fatalf("outcomes = %v", got)
		}
	})
	t.Run("one objection ends the countersign", func(t *testing.T) {
		s := start(t, xml("all"), depts)
		must(t, s.Complete("review", "agree", nil))
		must(t, s.Complete("review", "object", nil))
		wantActive(t, s, "coordinate")
	})
	t.Run("any: first agreement decides", func(t *testing.T) {
		s := start(t, xml("any"), depts)
		must(t, s.Complete("review", "object", nil))
		must(t, s.Complete("review", "agree", nil))
		wantActive(t, s, "decide")
	})
	t.Run("share 0.6 of three needs two", func(t *testing.T) {
		s := start(t, xml("0.6"), depts)
		must(t, s.Complete("review", "agree", nil))
		wantActive(t, s, "review", "review")
		must(t, s.Complete("review", "agree", nil))
		wantActive(t, s, "decide")
	})
	t.Run("add and remove signers", func(t *testing.T) {
		models := compile(t, xml("all"))
		mc := machine.New(models["p"])
		cmds := mc.Start(machine.StartOptions{Vars: depts})
		var body string
		var tasks []string
		for _, c := range cmds {
			if c.Kind == machine.OpenWait && c.Wait.Kind == machine.TaskWait {
				body = c.Wait.Task.Body
				tasks = append(tasks, c.Wait.ID)
			}
		}
		cmds, err := mc.Handle(machine.Event{Kind: machine.AddInstance, WaitID: body, Item: "wjj"})
		must(t, err)
		var added *machine.Wait
		for _, c := range cmds {
			if c.Kind == machine.OpenWait {
				added = c.Wait
			}
		}
		if added == nil || !reflect.DeepEqual(added.Task.CandidateGroups, []string{"wjj"}) {
			t.Fatalf("added signer: %+v", added)
		}
		_, err = mc.Handle(machine.Event{Kind: machine.RemoveInstance, WaitID: tasks[0]})
		must(t, err)
		for _, id := range []string{tasks[1], tasks[2], added.ID} {
			_, err := mc.Handle(machine.Event{Kind: machine.TaskCompleted, WaitID: id, Outcome: "agree"})
			must(t, err)
		}
		var at []string
		for _, in := range mc.State().Instances {
			if in.Kind == machine.ActivityInstance {
				at = append(at, in.Element)
			}
		}
		if !reflect.DeepEqual(at, []string{"decide"}) {
			t.Fatalf("after 3 of 3 remaining signers agreed: waiting at %v, want [decide]", at)
		}
		if _, err := mc.Handle(machine.Event{Kind: machine.AddInstance, WaitID: body}); !errors.Is(err, machine.ErrNoWait) {
			t.Fatalf("adding to a finished countersign: err = %v", err)
		}
	})
}

func TestMoveToken(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/><userTask id="accept"/><subProcess id="sub"><startEvent id="ss"/><userTask id="review"/><endEvent id="se"/>`+
		seq("ss", "review", "se")+`</subProcess><userTask id="approve"/><endEvent id="e"/>`+
		`<sequenceFlow id="y1" sourceRef="s" targetRef="accept"/><sequenceFlow id="y2" sourceRef="accept" targetRef="sub"/>`+
		`<sequenceFlow id="y3" sourceRef="sub" targetRef="approve"/><sequenceFlow id="y4" sourceRef="approve" targetRef="e"/>`)
	mc := machine.New(compile(t, xml)["p"])
	mc.Start(machine.StartOptions{})
	taskAt := func(element string) string {
		for _, w := range mc.State().OpenWaits() {
			if w.Kind == machine.TaskWait && w.Element == element {
				return w.ID
			}
		}
		t.Fatalf("no open task %s", element)
		return ""
	}
	_, err := mc.Handle(machine.Event{Kind: machine.TaskCompleted, WaitID: taskAt("accept")})
	must(t, err)
	// Return from inside the sub-process to a step before it: the sub-process ends.
	_, err = mc.Handle(machine.Event{Kind: machine.MoveToken, WaitID: taskAt("review"), Target: "accept"})
	must(t, err)
	taskAt("accept")
	for _, in := range mc.State().Instances {
		if in.Element == "sub" {
			t.Fatal("sub-process still running after the token moved out of it")
		}
	}
	if _, err := mc.Handle(machine.Event{Kind: machine.MoveToken, WaitID: taskAt("accept"), Target: "nowhere"}); !errors.Is(err, machine.ErrBadEvent) {
		t.Fatalf("move to an unknown node: err = %v", err)
	}
}

func TestStandardLoopAndScript(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/>
	  <scriptTask id="count" scriptFormat="juel" flowable:resultVariable="n"><script>${n + 1}</script></scriptTask>
	  <userTask id="ask"><standardLoopCharacteristics><loopCondition>${loopCounter &lt; 2}</loopCondition></standardLoopCharacteristics></userTask>
	  <endEvent id="e"/>`+seq("s", "count", "ask", "e"))
	s := start(t, xml, map[string]any{"n": 1.0})
	if n := s.Result().Variables["n"]; n != 2 && n != 2.0 {
		t.Fatalf("script result n = %v, want 2", n)
	}
	// do-while: after turn k the condition sees loopCounter k+1, so "< 2" runs two turns.
	for i := 0; i < 2; i++ {
		wantActive(t, s, "ask")
		must(t, s.Complete("ask", "", nil))
	}
	wantState(t, s, "completed")
}

func TestHandlerAndCallFailures(t *testing.T) {
	xml := bpmn(`<error id="e" errorCode="NO_ADDRESS"/>`, `<startEvent id="s"/><serviceTask id="send" ow:handler="notify"/>
	  <boundaryEvent id="b" attachedToRef="send"><errorEventDefinition errorRef="e"/></boundaryEvent>
	  <userTask id="fix"/><endEvent id="e1"/><endEvent id="e2"/>`+seq("s", "send", "e1")+
		`<sequenceFlow id="z1" sourceRef="b" targetRef="fix"/><sequenceFlow id="z2" sourceRef="fix" targetRef="e2"/>`)
	m := compile(t, xml)["p"]
	handler := func(mc *machine.Machine) string {
		for _, w := range mc.State().OpenWaits() {
			if w.Kind == machine.HandlerWait {
				return w.ID
			}
		}
		t.Fatal("no handler wait")
		return ""
	}
	t.Run("BPMN error from a handler hits the boundary", func(t *testing.T) {
		mc := machine.New(m)
		mc.Start(machine.StartOptions{})
		_, err := mc.Handle(machine.Event{Kind: machine.HandlerFinished, WaitID: handler(mc), Error: &machine.BPMNError{Code: "NO_ADDRESS"}})
		must(t, err)
		if w := mc.State().OpenWaits(); len(w) != 1 || w[0].Element != "fix" {
			t.Fatalf("waits %+v, want the fix task", w)
		}
	})
	t.Run("technical failure is an incident; retry runs the handler again", func(t *testing.T) {
		mc := machine.New(m)
		mc.Start(machine.StartOptions{})
		_, err := mc.Handle(machine.Event{Kind: machine.HandlerFinished, WaitID: handler(mc), Failure: "smtp down"})
		must(t, err)
		inc := mc.State().Incidents
		if len(inc) != 1 || inc[0].Element != "send" {
			t.Fatalf("incidents %+v", inc)
		}
		_, err = mc.Handle(machine.Event{Kind: machine.RetryIncident, WaitID: inc[0].ID})
		must(t, err)
		_, err = mc.Handle(machine.Event{Kind: machine.HandlerFinished, WaitID: handler(mc), Vars: map[string]any{"sent": true}})
		must(t, err)
		if mc.State().Result != machine.Completed {
			t.Fatalf("result %q, want completed", mc.State().Result)
		}
	})
}

func TestStartEvents(t *testing.T) {
	t.Run("message start", func(t *testing.T) {
		xml := bpmn(`<message id="m" name="apply"/>`, `<startEvent id="ms"><messageEventDefinition messageRef="m"/></startEvent><userTask id="t"/><endEvent id="e"/>`+seq("ms", "t", "e"))
		mc := machine.New(compile(t, xml)["p"])
		cmds := mc.Start(machine.StartOptions{Message: "apply"})
		var opened []string
		for _, c := range cmds {
			if c.Kind == machine.OpenWait {
				opened = append(opened, c.Wait.Element)
			}
		}
		if !reflect.DeepEqual(opened, []string{"t"}) {
			t.Fatalf("opened %v", opened)
		}
	})
	t.Run("timer start waits for its time", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="ts"><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></startEvent><userTask id="t"/><endEvent id="e"/>`+seq("ts", "t", "e"))
		s := start(t, xml, nil)
		wantActive(t, s)
		must(t, s.Advance("PT1H"))
		wantActive(t, s, "t")
	})
	t.Run("initiator variable", func(t *testing.T) {
		xml := bpmn("", `<startEvent id="s" flowable:initiator="starter"/><userTask id="t" flowable:assignee="${starter}"/><endEvent id="e"/>`+seq("s", "t", "e"))
		mc := machine.New(compile(t, xml)["p"])
		cmds := mc.Start(machine.StartOptions{Initiator: "applicant1"})
		for _, c := range cmds {
			if c.Kind == machine.OpenWait && c.Wait.Task.Assignee != "applicant1" {
				t.Fatalf("assignee %q, want applicant1", c.Wait.Task.Assignee)
			}
		}
	})
}

func TestCancelClosesEverything(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/><parallelGateway id="f"/><userTask id="a"/>
	  <intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></intermediateCatchEvent>
	  <endEvent id="e1"/><endEvent id="e2"/>
	  <sequenceFlow id="x1" sourceRef="s" targetRef="f"/><sequenceFlow id="x2" sourceRef="f" targetRef="a"/><sequenceFlow id="x3" sourceRef="f" targetRef="wait"/>
	  <sequenceFlow id="x4" sourceRef="a" targetRef="e1"/><sequenceFlow id="x5" sourceRef="wait" targetRef="e2"/>`)
	mc := machine.New(compile(t, xml)["p"])
	mc.Start(machine.StartOptions{})
	cmds, err := mc.Handle(machine.Event{Kind: machine.CancelCase})
	must(t, err)
	closed := map[machine.WaitKind]int{}
	finished := false
	for _, c := range cmds {
		if c.Kind == machine.CloseWait && c.Reason == "cancelled" {
			closed[c.Wait.Kind]++
		}
		if c.Kind == machine.Finish && c.Result == machine.Cancelled {
			finished = true
		}
	}
	if closed[machine.TaskWait] != 1 || closed[machine.TimerWait] != 1 || !finished {
		t.Fatalf("cancel closed %v, finished %v", closed, finished)
	}
	if _, err := mc.Handle(machine.Event{Kind: machine.CancelCase}); !errors.Is(err, machine.ErrEnded) {
		t.Fatalf("event after the end: err = %v", err)
	}
}

func TestEndlessLoopIsAnIncident(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/><exclusiveGateway id="g"/><task id="spin"/>
	  <sequenceFlow id="x1" sourceRef="s" targetRef="g"/><sequenceFlow id="x2" sourceRef="g" targetRef="spin"/><sequenceFlow id="x3" sourceRef="spin" targetRef="g"/>`)
	mc := machine.New(compile(t, xml)["p"])
	mc.Start(machine.StartOptions{})
	if len(mc.State().Incidents) != 1 || !strings.Contains(mc.State().Incidents[0].Message, "endless") {
		t.Fatalf("incidents = %+v, want one endless-loop incident", mc.State().Incidents)
	}
}

func TestStepLimitsVariableOverridesTimeLimit(t *testing.T) {
	xml := bpmn("", `<startEvent id="s"/><userTask id="review" ow:stepKind="review" ow:timeLimit="3"/><userTask id="approve" ow:timeLimit="2"/><endEvent id="e"/>`+
		seq("s", "review", "approve", "e"))
	s := start(t, xml, map[string]any{machine.StepLimitsVar: map[string]any{"review": 1.5}})
	if got := s.Tasks()[0].Task.LimitDays; got != 1.5 {
		t.Fatalf("review limit %v, want the item's 1.5", got)
	}
	must(t, s.Complete("review", "", nil))
	if got := s.Tasks()[0].Task.LimitDays; got != 2 {
		t.Fatalf("approve limit %v, want the flow's 2", got)
	}
}
