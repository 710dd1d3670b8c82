package definitions

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCheckLargestCorpusFile parses and validates (well-formed and
// executable) the largest file of the corpus.
func BenchmarkCheckLargestCorpusFile(b *testing.B) {
	dir := requireCorpus(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.bpmn*"))
	var largest string
	var size int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Size() > size {
			largest, size = f, st.Size()
		}
	}
	data, err := os.ReadFile(largest)
	if err != nil {
		b.Fatal(err)
	}
	d, _, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	id := d.Processes[0].ID
	b.Logf("%s: %d bytes, %d nodes", filepath.Base(largest), len(data), len(d.Processes[0].Nodes))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if d, _, _ := Check(data, id); d == nil {
			b.Fatal("no model")
		}
	}
}

// BenchmarkCheckSynthetic parses and validates a generated process of
// 2,000 user tasks, gateways and timers (about 1 MB), the size of a very
// large real flowchart times ten.
func BenchmarkCheckSynthetic(b *testing.B) {
	var body strings.Builder
	body.WriteString(`<startEvent id="s"/><sequenceFlow id="f0" sourceRef="s" targetRef="t0"/>`)
	const n = 2000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&body, `
<userTask id="t%d" name="Step %d" camunda:candidateGroups="g%d" ow:stepKind="review" ow:timeLimit="2"/>
<boundaryEvent id="b%d" attachedToRef="t%d" cancelActivity="false"><timerEventDefinition><timeDuration>P%dD</timeDuration></timerEventDefinition></boundaryEvent>
<sequenceFlow id="bf%d" sourceRef="b%d" targetRef="x%d"/><endEvent id="x%d"/>
<sequenceFlow id="tf%d" sourceRef="t%d" targetRef="g%d"/>
<exclusiveGateway id="g%d" default="gd%d"/>
<sequenceFlow id="gd%d" sourceRef="g%d" targetRef="t%d"/>
<sequenceFlow id="gb%d" sourceRef="g%d" targetRef="t%d"><conditionExpression>${again == true}</conditionExpression></sequenceFlow>`,
			i, i, i%10, i, i, i%30+1, i, i, i, i, i, i, i, i, i, i, i, i+1, i, i, i)
	}
	fmt.Fprintf(&body, `<endEvent id="t%d"/>`, n)
	data := []byte(doc("", body.String()))
	if _, _, problems := Check(data, ""); HasErrors(problems) {
		b.Fatalf("synthetic file has errors:\n%s", codes(problems)[:500])
	}
	b.Logf("%d bytes", len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Check(data, "")
	}
}
