package standard_test

import (
	"encoding/xml"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine/calendar"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// Every standard flow parses, validates as executable without a single
// problem (not even a warning), and agrees with its Go description.
func TestFlowsValidate(t *testing.T) {
	for _, f := range standard.Flows() {
		t.Run(f.Key, func(t *testing.T) {
			data, err := standard.XML(f.Key)
			if err != nil {
				t.Fatal(err)
			}
			defs, p, problems := definitions.Check(data, "")
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if p.ID != f.Key {
				t.Fatalf("process id %q, want the key %q", p.ID, f.Key)
			}
			// The steps listed in Go are exactly the user tasks, with the
			// same step kinds and candidate groups.
			var tasks []string
			for _, n := range p.Nodes {
				if n.Kind != definitions.UserTask {
					continue
				}
				tasks = append(tasks, n.ID)
				i := slices.IndexFunc(f.Steps, func(s standard.Step) bool { return s.Element == n.ID })
				if i < 0 {
					t.Errorf("task %s is not among the steps of %s", n.ID, f.Key)
					continue
				}
				s := f.Steps[i]
				if n.Step == nil || n.Step.Kind != s.Kind || n.Step.LimitDays <= 0 {
					t.Errorf("task %s: step %+v, want kind %s and a time limit", n.ID, n.Step, s.Kind)
				}
				if got := n.Assignment.CandidateGroups; !reflect.DeepEqual(got, []string{"${" + s.Group + "}"}) {
					t.Errorf("task %s: candidate groups %v, want ${%s}", n.ID, got, s.Group)
				}
				if n.Documentation == "" {
					t.Errorf("task %s has no documentation", n.ID)
				}
				// Every outcome a gateway after the task reads is listed, and
				// every listed outcome leads somewhere.
				read := outcomesRead(p, n)
				if !reflect.DeepEqual(read, sorted(s.Outcomes)) {
					t.Errorf("task %s: gateways read outcomes %v, the description lists %v", n.ID, read, s.Outcomes)
				}
			}
			if len(tasks) != len(f.Steps) {
				t.Errorf("user tasks %v, steps %+v", tasks, f.Steps)
			}
			// Every acceptance step has notify-once and deemed acceptance.
			acc := p.Node(standard.AcceptanceElement)
			b := p.Boundaries(acc.ID)
			if len(b) != 1 || !b[0].CancelActivity || b[0].Event().WorkingDays != 5 {
				t.Errorf("acceptance boundaries %+v, want one interrupting 5-working-day timer", b)
			}
			if n := p.Node(standard.SupplementElement); n == nil || n.Clock != definitions.ClockPause || n.Event().Name != standard.SupplementMessage {
				t.Errorf("supplement wait %+v", n)
			}
			if n := p.Node(standard.DeemedAcceptedElement); n == nil || n.Clock != definitions.ClockStartAtReceipt {
				t.Errorf("deemed acceptance %+v", n)
			}
			stops := 0
			for _, n := range p.Nodes {
				if n.Clock == definitions.ClockStop {
					stops++
				}
			}
			if stops != 1 {
				t.Errorf("%d nodes stop the clock, want 1", stops)
			}
			checkDiagram(t, defs, p)
		})
	}
}

// outcomesRead lists the outcome values compared in the conditions of the
// flows leaving the exclusive gateway right after task n.
func outcomesRead(p *definitions.Process, n *definitions.Node) []string {
	var out []string
	for _, fid := range n.Outgoing {
		g := p.Node(p.Flow(fid).Target)
		if g.Kind != definitions.ExclusiveGateway {
			continue
		}
		for _, gf := range g.Outgoing {
			c := p.Flow(gf).Condition
			if v, ok := strings.CutPrefix(c, "${outcome == '"); ok {
				out = append(out, strings.TrimSuffix(v, "'}"))
			}
		}
	}
	if n.Step != nil && n.Step.Countersign != "" {
		out = append(out, standard.OutcomeAgree, standard.OutcomeObject)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// checkDiagram checks that the diagram shows every flow node and sequence
// flow of the process once, so that bpmn-js opens the file as drawn.
func checkDiagram(t *testing.T, defs *definitions.Definitions, p *definitions.Process) {
	t.Helper()
	if len(defs.Diagrams) != 1 {
		t.Fatalf("%d diagrams, want 1", len(defs.Diagrams))
	}
	var plane struct {
		Plane struct {
			Element string `xml:"bpmnElement,attr"`
			Shapes  []struct {
				Element string `xml:"bpmnElement,attr"`
				Bounds  struct {
					W float64 `xml:"width,attr"`
				} `xml:"Bounds"`
			} `xml:"BPMNShape"`
			Edges []struct {
				Element   string     `xml:"bpmnElement,attr"`
				Waypoints []struct{} `xml:"waypoint"`
			} `xml:"BPMNEdge"`
		} `xml:"BPMNPlane"`
	}
	if err := xml.Unmarshal([]byte(defs.Diagrams[0].XML), &plane); err != nil {
		t.Fatalf("diagram: %v", err)
	}
	if plane.Plane.Element != p.ID {
		t.Errorf("the plane shows %q, not the process %q", plane.Plane.Element, p.ID)
	}
	shapes := map[string]int{}
	for _, s := range plane.Plane.Shapes {
		if s.Bounds.W <= 0 {
			t.Errorf("shape of %s has no bounds", s.Element)
		}
		shapes[s.Element]++
	}
	for _, n := range p.Nodes {
		if shapes[n.ID] != 1 {
			t.Errorf("%s %s has %d shapes, want 1", n.Kind, n.ID, shapes[n.ID])
		}
	}
	edges := map[string]int{}
	for _, e := range plane.Plane.Edges {
		if len(e.Waypoints) < 2 {
			t.Errorf("edge of %s has %d waypoints", e.Element, len(e.Waypoints))
		}
		edges[e.Element]++
	}
	for _, f := range p.Flows {
		if edges[f.ID] != 1 {
			t.Errorf("flow %s has %d edges, want 1", f.ID, edges[f.ID])
		}
	}
	if len(plane.Plane.Shapes) != len(p.Nodes) || len(plane.Plane.Edges) != len(p.Flows) {
		t.Errorf("%d shapes and %d edges for %d nodes and %d flows", len(plane.Plane.Shapes), len(plane.Plane.Edges), len(p.Nodes), len(p.Flows))
	}
}

// --- paths, simulated with virtual time on the national calendar ---

const (
	lead    = "fgj-xzsp"
	station = "luozheng-fwz"
)

var coReviewers = []any{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"}

func startVars() map[string]any {
	return map[string]any{
		"leadSection": lead, "coReviewers": coReviewers, "station": station,
		"itemId": "item-1", "channel": "window",
	}
}

type run struct {
	t *testing.T
	s *simulate.Sim
}

func start(t *testing.T, key string) *run {
	t.Helper()
	data, err := standard.XML(key)
	if err != nil {
		t.Fatal(err)
	}
	defs, problems, err := definitions.Parse(data)
	if err != nil || definitions.HasErrors(problems) {
		t.Fatalf("parse: %v %v", err, problems)
	}
	m, err := machine.Compile(defs, key, machine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2026-01-05 09:00 in Beijing.
	s, err := simulate.New(map[string]*machine.Model{key: m}, key, startVars(), simulate.Options{
		Calendar: calendar.National(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &run{t: t, s: s}
}

// complete completes the oldest open task id, checking its candidate group.
func (r *run) complete(id, group, outcome string, vars map[string]any) *run {
	r.t.Helper()
	found := false
	for _, w := range r.s.Tasks() {
		if w.Element == id {
			if !reflect.DeepEqual(w.Task.CandidateGroups, []string{group}) {
				r.t.Fatalf("task %s: candidate groups %v, want %s", id, w.Task.CandidateGroups, group)
			}
			found = true
			break
		}
	}
	if !found {
		r.t.Fatalf("no open task %s; open: %v (entered %v)", id, r.s.OpenTasks(), r.s.Result().Entered)
	}
	if err := r.s.Complete(id, outcome, vars); err != nil {
		r.t.Fatalf("complete %s: %v", id, err)
	}
	return r
}

func (r *run) waiting(ids ...string) *run {
	r.t.Helper()
	got := sorted(r.s.Result().Active)
	if want := sorted(ids); !reflect.DeepEqual(got, want) {
		r.t.Fatalf("waiting at %v, want %v (entered %v)", got, want, r.s.Result().Entered)
	}
	return r
}

func (r *run) ended(end string) *run {
	r.t.Helper()
	res := r.s.Result()
	if res.State != "completed" {
		r.t.Fatalf("state %s, want completed (active %v, incident %+v)", res.State, res.Active, res.Incident)
	}
	if last := res.Entered[len(res.Entered)-1]; last != end {
		r.t.Fatalf("ended at %s, want %s (entered %v)", last, end, res.Entered)
	}
	return r
}

func (r *run) entered(id string) bool { return slices.Contains(r.s.Result().Entered, id) }

func (r *run) advance(iso string) *run {
	r.t.Helper()
	if err := r.s.Advance(iso); err != nil {
		r.t.Fatal(err)
	}
	return r
}

func (r *run) supplement() *run {
	r.t.Helper()
	if err := r.s.Message(standard.SupplementMessage, map[string]any{"supplied": []any{"M01"}}); err != nil {
		r.t.Fatal(err)
	}
	return r
}

// The first step after acceptance in each flow.
var firstStep = map[string]string{
	standard.Immediate: "decision", standard.Promised: "review", standard.Parallel: "countersign", standard.Proxy: "review",
}

// The acceptance paths every standard flow shares.
func TestAcceptancePaths(t *testing.T) {
	for _, f := range standard.Flows() {
		next := firstStep[f.Key]
		waitNext := []string{next}
		if f.Key == standard.Parallel {
			waitNext = []string{next, next, next}
		}
		t.Run(f.Key+"/accept", func(t *testing.T) {
			r := start(t, f.Key).waiting("acceptance").complete("acceptance", lead, "accept", nil).waiting(waitNext...)
			if r.entered(standard.DeemedAcceptedElement) {
				t.Error("an accepted case was also deemed accepted")
			}
		})
		t.Run(f.Key+"/refuse", func(t *testing.T) {
			r := start(t, f.Key).complete("acceptance", lead, "refuse", map[string]any{"refusalReason": "不属于本机关职权范围"}).ended(standard.RefusedElement)
			if r.s.Result().Variables["refusalReason"] != "不属于本机关职权范围" {
				t.Errorf("variables %v", r.s.Result().Variables)
			}
		})
		t.Run(f.Key+"/notify, supplement, accept", func(t *testing.T) {
			r := start(t, f.Key).complete("acceptance", lead, "notify", nil).waiting(standard.SupplementElement)
			// Waiting for the supplement is not bounded by the 5-day timer:
			// it belongs to the acceptance task, which has ended.
			r.advance("P30D").waiting(standard.SupplementElement)
			r.supplement().waiting("acceptance")
			// Notify again (allowed by the flow; the notify-once rule in the
			// store decides whether the notice may be issued).
			r.complete("acceptance", lead, "notify", nil).supplement().complete("acceptance", lead, "accept", nil).waiting(waitNext...)
		})
		t.Run(f.Key+"/deemed acceptance after 5 working days", func(t *testing.T) {
			// Received Monday 2026-01-05: five working days later is the
			// close of Monday 2026-01-12.
			r := start(t, f.Key)
			r.advance("P7DT8H").waiting("acceptance") // Monday 12th, 17:00
			r.advance("PT1H").waiting(waitNext...)    // 18:00: deemed accepted
			if !r.entered(standard.DeemedAcceptedElement) {
				t.Fatalf("not deemed accepted: %v", r.s.Result().Entered)
			}
			if got := r.s.Now(); got.Weekday() != time.Monday || got.Day() != 12 {
				t.Errorf("virtual time %v", got)
			}
		})
		t.Run(f.Key+"/deemed acceptance after a supplement counts again from the supplement", func(t *testing.T) {
			r := start(t, f.Key).advance("P2D").complete("acceptance", lead, "notify", nil)
			r.advance("P10D").supplement().waiting("acceptance") // Saturday 17th, 09:00
			r.advance("P6DT8H").waiting("acceptance")            // Friday 23rd, 17:00: the fifth working day is not over
			r.advance("PT1H").waiting(waitNext...)               // 18:00: it is
		})
		t.Run(f.Key+"/an outcome the flow does not know is an incident", func(t *testing.T) {
			r := start(t, f.Key).complete("acceptance", lead, "maybe", nil)
			if res := r.s.Result(); res.State != "incident" || res.Incident.ElementID != "acceptDecision" {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestImmediatePaths(t *testing.T) {
	for _, outcome := range []string{"approve", "reject"} {
		t.Run(outcome, func(t *testing.T) {
			start(t, standard.Immediate).complete("acceptance", lead, "accept", nil).
				complete("decision", lead, outcome, nil).waiting("delivery").
				complete("delivery", lead, "", nil).ended(standard.FinishedElement)
		})
	}
}

func TestPromisedPaths(t *testing.T) {
	t.Run("approve", func(t *testing.T) {
		r := start(t, standard.Promised).complete("acceptance", lead, "accept", nil).
			complete("review", lead, "", map[string]any{"reviewOpinion": "材料真实，符合条件"}).
			complete("approval", lead, "approve", nil).waiting("certification").
			complete("certification", lead, "", nil).complete("delivery", lead, "", nil).ended(standard.FinishedElement)
		if r.s.Result().Variables["outcome"] != "approve" {
			t.Errorf("the decision is not kept in outcome: %v", r.s.Result().Variables)
		}
	})
	t.Run("reject skips the certificate", func(t *testing.T) {
		r := start(t, standard.Promised).complete("acceptance", lead, "accept", nil).complete("review", lead, "", nil).
			complete("approval", lead, "reject", map[string]any{"decisionReason": "不符合条件"}).waiting("delivery").
			complete("delivery", lead, "", nil).ended(standard.FinishedElement)
		if r.entered("certification") {
			t.Error("a rejected case went through certification")
		}
	})
}

func TestParallelPaths(t *testing.T) {
	accepted := func(t *testing.T) *run {
		r := start(t, standard.Parallel).complete("acceptance", lead, "accept", nil)
		var groups []string
		for _, w := range r.s.Tasks() {
			groups = append(groups, w.Task.CandidateGroups...)
			if w.Task.StepKind != "review" || w.Task.Body == "" {
				t.Fatalf("countersign task %+v", w.Task)
			}
		}
		if want := []string{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"}; !reflect.DeepEqual(groups, want) {
			t.Fatalf("countersign groups %v, want %v", groups, want)
		}
		return r
	}
	countersign := func(r *run, outcomes ...string) *run {
		for i, o := range outcomes {
			r.complete("countersign", coReviewers[i].(string), o, nil)
		}
		return r
	}
	t.Run("all agree, approve", func(t *testing.T) {
		r := countersign(accepted(t), "agree", "agree", "agree").waiting("jointDecision")
		if v := r.s.Result().Variables; v["countersignResult"] != "agreed" || !reflect.DeepEqual(v["outcomes"], map[string]any{"agree": 3.0}) {
			t.Errorf("variables %v", v)
		}
		r.complete("jointDecision", lead, "approve", nil).complete("delivery", lead, "", nil).ended(standard.FinishedElement)
		if r.entered("coordination") {
			t.Error("coordination without an objection")
		}
	})
	t.Run("an objection ends the countersign early and goes to coordination", func(t *testing.T) {
		r := countersign(accepted(t), "agree", "object").waiting("coordination")
		if len(r.s.Tasks()) != 1 {
			t.Fatalf("the third department's task is still open: %v", r.s.OpenTasks())
		}
		r.complete("coordination", lead, "resolved", nil).complete("jointDecision", lead, "reject", nil).
			complete("delivery", lead, "", nil).ended(standard.FinishedElement)
	})
	t.Run("coordination sends everyone back to review", func(t *testing.T) {
		r := countersign(accepted(t), "object").complete("coordination", lead, "rereview", nil).
			waiting("countersign", "countersign", "countersign")
		countersign(r, "agree", "agree", "agree").waiting("jointDecision").
			complete("jointDecision", lead, "approve", nil).complete("delivery", lead, "", nil).ended(standard.FinishedElement)
	})
	t.Run("a countersign limit of its own", func(t *testing.T) {
		r := accepted(t)
		for _, w := range r.s.Tasks() {
			if w.Task.LimitDays != 5 {
				t.Errorf("countersign limit %v, want 5", w.Task.LimitDays)
			}
		}
	})
}

func TestProxyPaths(t *testing.T) {
	for _, outcome := range []string{"approve", "reject"} {
		t.Run(outcome, func(t *testing.T) {
			r := start(t, standard.Proxy).complete("acceptance", lead, "accept", nil).complete("review", lead, "", nil).
				complete("approval", lead, outcome, nil)
			if outcome == "approve" {
				r.complete("certification", lead, "", nil)
			}
			// The result goes back through the station that submitted.
			r.complete("dispatch", lead, "", nil).waiting("handover").complete("handover", station, "", nil).ended(standard.FinishedElement)
		})
	}
}

func TestLookup(t *testing.T) {
	if !standard.IsStandard(standard.Parallel) || standard.IsStandard("custom") {
		t.Error("IsStandard")
	}
	if _, err := standard.XML("custom"); err == nil {
		t.Error("XML of an unknown key")
	}
	if len(standard.Flows()) != 4 {
		t.Error("four standard flows")
	}
}
