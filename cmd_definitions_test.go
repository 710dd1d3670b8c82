package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const cliGood = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
<process id="good" isExecutable="true">
  <startEvent id="s"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
  <userTask id="t" camunda:candidateGroups="clerks"/>
  <sequenceFlow id="f2" sourceRef="t" targetRef="u"/>
  <userTask id="u"/>
  <sequenceFlow id="f3" sourceRef="u" targetRef="e"/>
  <endEvent id="e"/>
</process>
<process id="other" isExecutable="false">
  <startEvent id="s2"/>
</process>
</definitions>
`

const cliBad = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
<process id="bad" isExecutable="true">
  <startEvent id="s"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="nowhere"/>
  <complexGateway id="cg"/>
</process>
</definitions>
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := definitionsCommand(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDefinitionsValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.bpmn", cliGood)
	bad := writeFile(t, dir, "bad.bpmn", cliBad)
	notXML := writeFile(t, dir, "notes.txt", "just some notes")

	code, out, _ := runCLI("validate", good)
	if code != 0 {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	// The unassigned user task is a warning, printed in the problem shape.
	wantWarn := good + ":8:3: u: warning: "
	if !strings.Contains(out, wantWarn) {
		t.Errorf("missing warning line %q in:\n%s", wantWarn, out)
	}
	wantSummary := good + ": ok: process good, 4 nodes, 3 flows, 1 warnings\n"
	if !strings.HasSuffix(out, wantSummary) {
		t.Errorf("missing summary %q in:\n%s", wantSummary, out)
	}

	code, out, _ = runCLI("validate", bad)
	if code != 1 {
		t.Fatalf("bad file: exit %d\n%s", code, out)
	}
	line := regexp.MustCompile(`^` + regexp.QuoteMeta(bad) + `:(\d+):(\d+): ([^:]+): (error|warning): .+ \[[a-z-]+\]$`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("line not in FILE:LINE:COL: ELEMENT_ID: message shape: %q", l)
		}
	}
	for _, want := range []string{bad + ":5:3: f1: error: ", bad + ":6:3: cg: error: "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, ": ok: ") {
		t.Errorf("summary printed for a file with errors:\n%s", out)
	}

	// Several files: one with errors makes the exit code 1, each is reported.
	code, out, _ = runCLI("validate", good, notXML, filepath.Join(dir, "missing.bpmn"))
	if code != 1 {
		t.Fatalf("mixed files: exit %d", code)
	}
	for _, want := range []string{good + ": ok:", notXML + ":1:1: -: error: not XML", filepath.Join(dir, "missing.bpmn") + ":0:0: -: error: "} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}

	// --process picks another process: this one has no end and no flows,
	// but is valid, with a not-executable warning.
	code, out, _ = runCLI("validate", "--process", "other", good)
	if code != 0 || !strings.Contains(out, ": ok: process other, 1 nodes") || !strings.Contains(out, "[not-executable]") {
		t.Errorf("--process other: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("validate", "--process", "ghost", good)
	if code != 1 || !strings.Contains(out, "[process-not-found]") {
		t.Errorf("--process ghost: exit %d\n%s", code, out)
	}

	// The documented example validates.
	code, out, _ = runCLI("validate", "docs/examples/extension-example.bpmn")
	if code != 0 || out != "docs/examples/extension-example.bpmn: ok: process parallelApproval, 10 nodes, 8 flows, 0 warnings\n" {
		t.Errorf("example: exit %d\n%s", code, out)
	}
}

func TestDefinitionsUsage(t *testing.T) {
	cases := [][]string{{}, {"validate"}, {"frobnicate"}, {"validate", "--bogus", "x"}, {"simulate"}, {"simulate", "x.bpmn", "--bogus"}}
	for _, args := range cases {
		code, _, errOut := runCLI(args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	if _, _, errOut := runCLI("simulate"); !strings.Contains(errOut, "usage: onewindow definitions simulate FILE...") {
		t.Errorf("simulate: %q", errOut)
	}
}

func simXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="https://onewindow.dev/schema/bpmn/1.0" targetNamespace="t">` + body + `</definitions>
`
}

// simPermit: acceptance within 5 working days, else the case goes to the supervisor.
var simPermit = simXML(`<message id="m" name="paid"/><process id="permit" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window" ow:stepKind="acceptance"/>
  <boundaryEvent id="late" attachedToRef="accept"><timerEventDefinition ow:workingDays="5"><timeDuration>P5D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="escalate" flowable:candidateGroups="supervisor"/>
  <exclusiveGateway id="g" default="toEnd"/>
  <intermediateCatchEvent id="pay"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
  <endEvent id="done"/>
  <endEvent id="escalated"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="g"/>
  <sequenceFlow id="f3" sourceRef="g" targetRef="pay"><conditionExpression>${fee &gt; 0}</conditionExpression></sequenceFlow>
  <sequenceFlow id="toEnd" sourceRef="g" targetRef="done"/>
  <sequenceFlow id="f4" sourceRef="pay" targetRef="done"/>
  <sequenceFlow id="f5" sourceRef="late" targetRef="escalate"/>
  <sequenceFlow id="f6" sourceRef="escalate" targetRef="escalated"/>
</process>`)

// simParent calls simChild's process.
var (
	simParent = simXML(`<process id="parent" isExecutable="true"><startEvent id="ps"/><callActivity id="call" calledElement="child"/><endEvent id="pe"/>
  <sequenceFlow id="p1" sourceRef="ps" targetRef="call"/><sequenceFlow id="p2" sourceRef="call" targetRef="pe"/></process>`)
	simChild = simXML(`<process id="child" isExecutable="true"><startEvent id="cs"/><userTask id="check" flowable:assignee="clerk1"/><endEvent id="ce"/>
  <sequenceFlow id="c1" sourceRef="cs" targetRef="check"/><sequenceFlow id="c2" sourceRef="check" targetRef="ce"/></process>`)
)

// simResult decodes a simulation's output.
func simResult(t *testing.T, out string) map[string]any {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return r
}

func joined(v any) string {
	var parts []string
	for _, x := range v.([]any) {
		parts = append(parts, x.(string))
	}
	return strings.Join(parts, ",")
}

func TestDefinitionsSimulate(t *testing.T) {
	dir := t.TempDir()
	permit := writeFile(t, dir, "permit.bpmn", simPermit)
	script := func(name, content string) string { return writeFile(t, dir, name, content) }

	// No script: the case starts and waits at acceptance.
	code, out, errOut := runCLI("simulate", permit)
	if code != 0 || errOut != "" {
		t.Fatalf("start only: exit %d, stderr %q", code, errOut)
	}
	r := simResult(t, out)
	if r["state"] != "active" || joined(r["entered"]) != "s,accept" || joined(r["active"]) != "accept" || r["incident"] != nil {
		t.Fatalf("start only: %s", out)
	}

	// Working days count on the national calendar: from Monday 2026-01-05, five working days
	// end on Monday the 12th, so six calendar days later nothing has fired yet (counting
	// calendar days, the timer would have fired on Saturday)...
	code, out, errOut = runCLI("simulate", permit, "--script", script("wait6.json", `{"steps":[{"advance":"P6D"}]}`))
	if r = simResult(t, out); code != 0 || joined(r["active"]) != "accept" {
		t.Fatalf("after 6 days: exit %d %s %s", code, out, errOut)
	}
	// ...and two days more it has.
	code, out, _ = runCLI("simulate", "--script", script("wait8.json", `{"steps":[{"advance":"P6D"},{"advance":"P2D"}]}`), permit)
	if r = simResult(t, out); code != 0 || joined(r["entered"]) != "s,accept,late,escalate" || joined(r["active"]) != "escalate" {
		t.Fatalf("after 8 days: exit %d %s", code, out)
	}

	// Complete with variables, take the fee branch, deliver the message.
	code, out, errOut = runCLI("simulate", permit, "--script", script("paid.json", `{"variables":{"applicant":"李明"},"steps":[
		{"complete":"accept","outcome":"accept","variables":{"fee":30}},
		{"message":"paid","variables":{"receipt":"R-1"}}]}`))
	r = simResult(t, out)
	if code != 0 || errOut != "" || r["state"] != "completed" || joined(r["entered"]) != "s,accept,g,pay,done" || joined(r["active"]) != "" {
		t.Fatalf("paid path: exit %d %s %s", code, out, errOut)
	}
	if vars := r["variables"].(map[string]any); vars["applicant"] != "李明" || vars["fee"] != float64(30) || vars["receipt"] != "R-1" {
		t.Fatalf("variables %v", vars)
	}

	// A missing variable is an incident: the result is printed, and the exit status (3) says
	// the case did not get through, apart from a bad file (1) or a bad script (2).
	code, out, errOut = runCLI("simulate", permit, "--script", script("nofee.json", `{"steps":[{"complete":"accept"}]}`))
	r = simResult(t, out)
	if inc, _ := r["incident"].(map[string]any); code != 3 || r["state"] != "incident" || inc == nil || inc["elementId"] != "g" {
		t.Fatalf("incident: exit %d %s", code, out)
	}
	if !strings.Contains(errOut, "incident at g") {
		t.Errorf("incident: stderr %q does not name the element", errOut)
	}
	// The usage text documents the exit statuses.
	if code, _, errOut = runCLI("simulate", "-h"); code != 2 || !strings.Contains(errOut, "3 the case ended in an incident") {
		t.Errorf("simulate -h: exit %d, usage %q does not document exit status 3", code, errOut)
	}

	// Steps that name what nothing waits for: exit 2, the reason on stderr, the state so far on stdout.
	for _, bad := range []struct{ name, script, want string }{
		{"task", `{"steps":[{"complete":"approve"}]}`, `step 1: step cannot be taken: no open task "approve"`},
		{"message", `{"steps":[{"message":"paid"}]}`, `nothing waits for message "paid"`},
		{"second step", `{"steps":[{"complete":"accept","variables":{"fee":0}},{"complete":"accept"}]}`, `step 2: `},
		{"duration", `{"steps":[{"advance":"two days"}]}`, `advance "two days"`},
	} {
		code, out, errOut = runCLI("simulate", permit, "--script", script("bad.json", bad.script))
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", bad.name, code, errOut, bad.want)
		}
		if simResult(t, out)["state"] == nil {
			t.Errorf("%s: no state on stdout: %s", bad.name, out)
		}
	}

	// Scripts that are not scripts: exit 2 before running.
	for _, bad := range []struct{ name, script, want string }{
		{"not JSON", `steps: []`, "not a valid script"},
		{"unknown field", `{"stepz":[]}`, "unknown field"},
		{"two actions", `{"steps":[{"complete":"accept","advance":"P1D"}]}`, "step 1 must have exactly one"},
		{"no action", `{"steps":[{}]}`, "step 1 must have exactly one"},
		{"outcome alone", `{"steps":[{"advance":"P1D","outcome":"ok"}]}`, "outcome goes with complete"},
	} {
		code, out, errOut = runCLI("simulate", permit, "--script", script("bad.json", bad.script))
		if code != 2 || out != "" || !strings.Contains(errOut, bad.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q", bad.name, code, out, errOut, bad.want)
		}
	}
	if code, _, errOut = runCLI("simulate", permit, "--script", filepath.Join(dir, "none.json")); code != 2 || errOut == "" {
		t.Errorf("missing script: exit %d %q", code, errOut)
	}
}

func TestDefinitionsSimulateFiles(t *testing.T) {
	dir := t.TempDir()
	parent := writeFile(t, dir, "parent.bpmn", simParent)
	child := writeFile(t, dir, "child.bpmn", simChild)
	bad := writeFile(t, dir, "bad.bpmn", cliBad)
	good := writeFile(t, dir, "good.bpmn", cliGood)
	complete := writeFile(t, dir, "check.json", `{"variables":{"n":1},"steps":[{"complete":"check","variables":{"checked":true}}]}`)

	// A call activity runs the process of another file.
	code, out, errOut := runCLI("simulate", parent, child, "--script", complete)
	r := simResult(t, out)
	if code != 0 || errOut != "" || r["state"] != "completed" || joined(r["entered"]) != "ps,call,cs,check,ce,pe" {
		t.Fatalf("parent and child: exit %d %s %s", code, out, errOut)
	}
	if vars := r["variables"].(map[string]any); vars["checked"] != true || vars["n"] != float64(1) {
		t.Fatalf("variables %v", vars)
	}
	// --process runs another file's process.
	code, out, _ = runCLI("simulate", "--process", "child", parent, child)
	if r = simResult(t, out); code != 0 || joined(r["active"]) != "check" {
		t.Fatalf("--process child: exit %d %s", code, out)
	}

	// Files that cannot run: their problems as validate prints them, exit 1.
	for _, c := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"called process missing", []string{parent}, []string{parent + ":3:134: call: error: call activity call calls process \"child\", which none of the files holds [called-process-missing]"}},
		{"invalid file", []string{bad}, []string{bad + ":5:3: f1: error: ", "[flow-target-missing]"}},
		{"process not found", []string{"--process", "ghost", good}, []string{good + ":0:0: ghost: error: no file has process \"ghost\" (they have: good, other) [process-not-found]"}},
		{"same process twice", []string{child, writeFile(t, dir, "child2.bpmn", simChild)}, []string{"child2.bpmn:", ": child: error: process child is also in " + child}},
		{"missing file", []string{filepath.Join(dir, "nope.bpmn")}, []string{"nope.bpmn:0:0: -: error: "}},
		{"not XML", []string{writeFile(t, dir, "notes.txt", "notes")}, []string{"notes.txt:1:1: -: error: not XML"}},
	} {
		code, out, _ := runCLI(append([]string{"simulate"}, c.args...)...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", c.name, code, out)
		}
		for _, want := range c.wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s: missing %q in:\n%s", c.name, want, out)
			}
		}
	}

	// A process that nothing runs may be one the engine cannot run.
	unused := writeFile(t, dir, "unused.bpmn", simXML(`<process id="unused" isExecutable="true"><startEvent id="u"/><complexGateway id="cg"/>
  <sequenceFlow id="u1" sourceRef="u" targetRef="cg"/></process>`))
	code, out, errOut = runCLI("simulate", child, unused)
	if r = simResult(t, out); code != 0 || joined(r["active"]) != "check" {
		t.Fatalf("with an unused unsupported process: exit %d %s %s", code, out, errOut)
	}
}
