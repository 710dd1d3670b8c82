package main

import (
	"bytes"
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
	cases := [][]string{{}, {"validate"}, {"frobnicate"}, {"validate", "--bogus", "x"}, {"simulate", "x.bpmn"}}
	for _, args := range cases {
		code, _, errOut := runCLI(args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	if _, _, errOut := runCLI("simulate"); !strings.Contains(errOut, "not implemented") {
		t.Errorf("simulate: %q", errOut)
	}
}
