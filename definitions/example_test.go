package definitions

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestExtensionExample keeps docs/examples/extension-example.bpmn valid:
// it parses, validates as executable without any problem, and carries the
// extension values the documentation describes.
func TestExtensionExample(t *testing.T) {
	data, err := os.ReadFile("../docs/examples/extension-example.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	d, p, problems := Check(data, "")
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", codes(problems))
	}
	if p.ID != "parallelApproval" {
		t.Fatalf("process %s", p.ID)
	}
	review := p.Node("review")
	if *review.Step != (Step{Kind: StepReview, LimitDays: 5, WarnDays: 1, Countersign: "all"}) {
		t.Errorf("review step %+v", review.Step)
	}
	if l := review.Loop; l == nil || !l.MultiInstance || l.Sequential || l.Collection != "${departments}" || l.ElementVariable != "department" {
		t.Errorf("review loop %+v", l)
	}
	if g := review.Assignment.CandidateGroups; !reflect.DeepEqual(g, []string{"${department}"}) {
		t.Errorf("review groups %v", g)
	}
	var kinds []string
	for _, id := range []string{"accept", "review", "approve"} {
		kinds = append(kinds, p.Node(id).Step.Kind)
	}
	if strings.Join(kinds, ",") != "acceptance,review,approval" {
		t.Errorf("step kinds %v", kinds)
	}
	late := p.Node("reviewLate")
	if late.CancelActivity || late.Event().WorkingDays != 4 || late.Event().TimeDuration != "P6D" {
		t.Errorf("reminder timer %+v %+v", late, late.Event())
	}
	if p.Node("remind").Implementation != "notify.reviewers" {
		t.Errorf("handler %q", p.Node("remind").Implementation)
	}
	if len(d.Diagrams) != 1 || !strings.Contains(d.Diagrams[0].XML, `bpmnElement="reviewLate"`) {
		t.Error("diagram missing")
	}
}
