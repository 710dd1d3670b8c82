package definitions

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// doc wraps a process body (and optional root-level elements before the
// process) in a BPMN file with the namespaces the tests use.
func doc(extra, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:ow="https://onewindow.dev/schema/bpmn/1.0"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:activiti="http://activiti.org/bpmn"
  xmlns:flowable="http://flowable.org/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="defs" targetNamespace="test">
` + extra + `
<process id="p" isExecutable="true">
` + body + `
</process>
</definitions>
`
}

// posOf returns the position of the '<' of the element whose start tag
// contains marker, counted independently of the parser: lines by '\n',
// columns by characters.
func posOf(t *testing.T, src, marker string) Position {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("marker %q not in source", marker)
	}
	lt := strings.LastIndex(src[:i+1], "<")
	line := strings.Count(src[:lt], "\n") + 1
	lineStart := strings.LastIndex(src[:lt], "\n") + 1
	return Position{Line: line, Column: utf8.RuneCountInString(src[lineStart:lt]) + 1}
}

func mustParse(t *testing.T, src string) (*Definitions, []Problem) {
	t.Helper()
	d, problems, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d, problems
}

func codes(problems []Problem) string {
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.Error())
		b.WriteString(" [" + p.Code + "]\n")
	}
	return b.String()
}

func findProblem(problems []Problem, code, id string) *Problem {
	for i := range problems {
		if problems[i].Code == code && problems[i].ElementID == id {
			return &problems[i]
		}
	}
	return nil
}
