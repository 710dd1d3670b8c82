package definitions

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser and both validators. It
// must never panic, and its results must keep their documented shape.
// Seeds: a few inline files, plus every corpus file when the corpus is
// present. Run longer with: go test -fuzz=FuzzParse -fuzztime=5m ./definitions/
func FuzzParse(f *testing.F) {
	f.Add([]byte(doc("", okStart)))
	f.Add([]byte(doc(`<message id="m" name="m"/><signal id="sg" name="sg"/><error id="er" errorCode="E"/>`, `<startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<exclusiveGateway id="g" default="d"/>
<sequenceFlow id="d" sourceRef="g" targetRef="sp"/>
<sequenceFlow id="c" sourceRef="g" targetRef="lt"><conditionExpression>${x &gt; 1}</conditionExpression></sequenceFlow>
<intermediateThrowEvent id="lt"><linkEventDefinition name="L"/></intermediateThrowEvent>
<intermediateCatchEvent id="lc"><linkEventDefinition name="L"/></intermediateCatchEvent>
<sequenceFlow id="f2" sourceRef="lc" targetRef="sp"/>
<subProcess id="sp"><startEvent id="ss"/><sequenceFlow id="g1" sourceRef="ss" targetRef="mi"/>
  <userTask id="mi" camunda:assignee="${a}" ow:stepKind="review" ow:countersign="0.6"><multiInstanceLoopCharacteristics camunda:collection="${as}" camunda:elementVariable="a"><completionCondition>${nrOfCompletedInstances == 2}</completionCondition></multiInstanceLoopCharacteristics></userTask>
</subProcess>
<boundaryEvent id="b" attachedToRef="sp" ow:workingDays="5"><timerEventDefinition/></boundaryEvent>
<boundaryEvent id="b2" attachedToRef="sp"><errorEventDefinition errorRef="er"/></boundaryEvent>
<sequenceFlow id="f3" sourceRef="sp" targetRef="e"/><sequenceFlow id="f4" sourceRef="b" targetRef="e"/>
<endEvent id="e"><messageEventDefinition messageRef="m"/></endEvent>
<subProcess id="esp" triggeredByEvent="true"><startEvent id="es"><timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition></startEvent></subProcess>`)))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><definitions/>`))
	f.Add([]byte("\xef\xbb\xbf<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p\"/></definitions>"))
	f.Add([]byte(`not xml at all`))
	if dir := corpusDir(f); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.bpmn*"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, problems, err := Parse(data)
		if (err == nil) != (d != nil) {
			t.Fatalf("err %v with model %v", err, d != nil)
		}
		if err != nil && len(problems) != 1 {
			t.Fatalf("unreadable input gave %d problems", len(problems))
		}
		checkProblems(t, problems)
		if d == nil {
			return
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("model does not marshal: %v", err)
		}
		_, more := ValidateExecutable(d, "")
		checkProblems(t, more)
		for _, p := range d.Processes {
			_, more := ValidateExecutable(d, p.ID)
			checkProblems(t, more)
			for _, n := range p.Nodes {
				if n.ID == "" || n.Line < 1 || n.Column < 1 {
					t.Fatalf("node %q at %d:%d", n.ID, n.Line, n.Column)
				}
				Unsupported(n)
			}
		}
	})
}

func checkProblems(t *testing.T, problems []Problem) {
	t.Helper()
	for i, p := range problems {
		if p.Code == "" || p.Message == "" || (p.Severity != SeverityError && p.Severity != SeverityWarning) {
			t.Fatalf("malformed problem %+v", p)
		}
		if i > 0 {
			q := problems[i-1]
			if q.Line > p.Line || q.Line == p.Line && q.Column > p.Column {
				t.Fatalf("problems not sorted: %v before %v", q, p)
			}
		}
	}
}
