package machine_test

import (
	"strings"
	"testing"

	"onewindow/engine/machine"
)

// callWithOut is a process that calls "check" with camunda:out mappings, one of them a
// sourceExpression over a variable the called case may not have, and catches its error.
var callWithOut = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">
<error id="err" errorCode="DECLINED"/>
<process id="p" isExecutable="true">
  <startEvent id="s"/>
  <callActivity id="call" calledElement="check">
    <extensionElements>
      <camunda:out source="reason" target="reason"/>
      <camunda:out sourceExpression="${tries + 1}" target="tries"/>
    </extensionElements>
  </callActivity>
  <boundaryEvent id="declined" attachedToRef="call"><errorEventDefinition errorRef="err"/></boundaryEvent>
  <boundaryEvent id="late" attachedToRef="call"><timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="ask"/><userTask id="done"/><userTask id="chase"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
  <sequenceFlow id="f2" sourceRef="call" targetRef="done"/>
  <sequenceFlow id="f3" sourceRef="declined" targetRef="ask"/>
  <sequenceFlow id="f4" sourceRef="late" targetRef="chase"/>
</process></definitions>`)

// startCall starts callWithOut and returns the machine and the call activity's wait.
func startCall(t *testing.T) (*machine.Machine, string) {
	t.Helper()
	mc := machine.New(compile(t, callWithOut)["p"])
	for _, c := range mc.Start(machine.StartOptions{}) {
		if c.Kind == machine.OpenWait && c.Wait.Element == "call" {
			return mc, c.Wait.ID
		}
	}
	t.Fatal("no wait at the call activity")
	return nil, ""
}

// openAt lists the elements of the open waits other than timers.
func openAt(mc *machine.Machine) []string {
	var out []string
	for _, w := range mc.State().OpenWaits() {
		if w.Kind != machine.TimerWait {
			out = append(out, w.Element)
		}
	}
	return out
}

func raised(cmds []machine.Command) *machine.Incident {
	for _, c := range cmds {
		if c.Kind == machine.RaiseIncident {
			return c.Incident
		}
	}
	return nil
}

// An output mapping that cannot be evaluated stops the call activity in an incident naming
// it (Camunda fails the same way) instead of dropping every output and going on; a retry
// with the missing variable maps again and the case goes on.
func TestCallOutputMappingFailureIsAnIncident(t *testing.T) {
	t.Run("called case completes", func(t *testing.T) {
		mc, wait := startCall(t)
		cmds, err := mc.Handle(machine.Event{Kind: machine.ChildFinished, WaitID: wait, Vars: map[string]any{"reason": "ok"}})
		must(t, err)
		x := raised(cmds)
		if x == nil || x.Element != "call" || !strings.Contains(x.Message, "output mapping of call") || !strings.Contains(x.Message, "tries") {
			t.Fatalf("incident %+v, want one at call naming the output mapping and tries", x)
		}
		if got := openAt(mc); len(got) != 0 {
			t.Fatalf("open waits %v: the case went on past a failed output mapping", got)
		}
		if _, ok := mc.State().Root().Vars["reason"]; ok {
			t.Error("reason was set although the mappings failed")
		}
		_, err = mc.Handle(machine.Event{Kind: machine.RetryIncident, WaitID: x.ID, Vars: map[string]any{"tries": float64(2)}})
		must(t, err)
		vars := mc.State().Root().Vars
		if got := openAt(mc); len(got) != 1 || got[0] != "done" || vars["reason"] != "ok" || vars["tries"] != int64(3) && vars["tries"] != float64(3) {
			t.Fatalf("after retry: open %v, vars %v; want done, reason ok, tries 3", got, vars)
		}
		if len(mc.State().Incidents) != 0 {
			t.Error("the incident is still open after the retry")
		}
	})
	t.Run("called case ends in a caught error", func(t *testing.T) {
		mc, wait := startCall(t)
		cmds, err := mc.Handle(machine.Event{Kind: machine.ChildFinished, WaitID: wait, Vars: map[string]any{"reason": "over the limit"},
			Error: &machine.BPMNError{Code: "DECLINED"}})
		must(t, err)
		x := raised(cmds)
		if x == nil || x.Element != "call" {
			t.Fatalf("incident %+v, want one at call", x)
		}
		if got := openAt(mc); len(got) != 0 {
			t.Fatalf("open waits %v: the error path was taken past a failed output mapping", got)
		}
		_, err = mc.Handle(machine.Event{Kind: machine.RetryIncident, WaitID: x.ID, Vars: map[string]any{"tries": float64(0)}})
		must(t, err)
		vars := mc.State().Root().Vars
		if got := openAt(mc); len(got) != 1 || got[0] != "ask" || vars["reason"] != "over the limit" {
			t.Fatalf("after retry: open %v, vars %v; want ask (the boundary path) with the reason mapped", got, vars)
		}
	})
	t.Run("mappings that work", func(t *testing.T) {
		mc, wait := startCall(t)
		cmds, err := mc.Handle(machine.Event{Kind: machine.ChildFinished, WaitID: wait, Vars: map[string]any{"reason": "ok", "tries": float64(0)}})
		must(t, err)
		if x := raised(cmds); x != nil {
			t.Fatalf("incident %+v", x)
		}
		if got := openAt(mc); len(got) != 1 || got[0] != "done" {
			t.Fatalf("open %v, want done", got)
		}
	})
	t.Run("cancelling the case resolves the incident", func(t *testing.T) {
		mc, wait := startCall(t)
		cmds, err := mc.Handle(machine.Event{Kind: machine.ChildFinished, WaitID: wait, Vars: map[string]any{}})
		must(t, err)
		if raised(cmds) == nil {
			t.Fatal("no incident")
		}
		_, err = mc.Handle(machine.Event{Kind: machine.CancelCase})
		must(t, err)
		if n := len(mc.State().Incidents); n != 0 {
			t.Errorf("%d incidents left on a cancelled case", n)
		}
	})
	t.Run("a boundary timer that interrupts the call resolves the incident", func(t *testing.T) {
		mc, wait := startCall(t)
		cmds, err := mc.Handle(machine.Event{Kind: machine.ChildFinished, WaitID: wait, Vars: map[string]any{}})
		must(t, err)
		x := raised(cmds)
		if x == nil {
			t.Fatal("no incident")
		}
		var timer string
		for _, w := range mc.State().OpenWaits() {
			if w.Kind == machine.TimerWait && w.Element == "late" {
				timer = w.ID
			}
		}
		if timer == "" {
			t.Fatal("no boundary timer waits")
		}
		cmds, err = mc.Handle(machine.Event{Kind: machine.TimerFired, WaitID: timer})
		must(t, err)
		resolved := false
		for _, c := range cmds {
			resolved = resolved || c.Kind == machine.ResolveIncident && c.Incident.ID == x.ID
		}
		if !resolved || len(mc.State().Incidents) != 0 {
			t.Errorf("the call was interrupted but its incident stays (resolved %v, %d open)", resolved, len(mc.State().Incidents))
		}
		if got := openAt(mc); len(got) != 1 || got[0] != "chase" {
			t.Errorf("open %v, want chase", got)
		}
	})
}
