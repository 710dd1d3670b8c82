package machine_test

import (
	"os"
	"testing"

	"onewindow/definitions"
	"onewindow/engine/machine"
)

// Message end and intermediate throw events without a messageRef (notify.bpmn, written in
// Camunda 7's style) are none events: the case goes on and sends no message.
func TestMessageThrowWithoutRefSendsNothing(t *testing.T) {
	data, err := os.ReadFile("../../testdata/modellers/notify.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	defs, problems, err := definitions.Parse(data)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatalf("parse: %v %v", err, problems)
	}
	model, err := machine.Compile(defs, "notify", machine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := machine.New(model)
	cmds := m.Start(machine.StartOptions{})
	var task string
	for _, c := range cmds {
		if c.Kind == machine.SendMessage {
			t.Fatalf("the intermediate throw event sent %+v", c)
		}
		if c.Kind == machine.OpenWait && c.Wait.Element == "answer" {
			task = c.Wait.ID
		}
	}
	if task == "" {
		t.Fatalf("no task after the throw event: %+v", cmds)
	}
	cmds, err = m.Handle(machine.Event{Kind: machine.TaskCompleted, WaitID: task})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if c.Kind == machine.SendMessage {
			t.Fatalf("the end event sent %+v", c)
		}
	}
	if m.State().Result != machine.Completed {
		t.Fatalf("result %q, want completed", m.State().Result)
	}
}
