package standard_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine/clock"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
)

// The supervision processes validate without a problem and agree with their Go description.
func TestSupervisionFlowsValidate(t *testing.T) {
	for _, f := range standard.Supervision() {
		t.Run(f.Key, func(t *testing.T) {
			data, err := standard.XML(f.Key)
			if err != nil {
				t.Fatal(err)
			}
			_, p, problems := definitions.Check(data, "")
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if p.ID != f.Key || standard.IsStandard(f.Key) {
				t.Fatalf("process %q: want the key %q, and not an item flow", p.ID, f.Key)
			}
			var tasks []string
			for _, n := range p.Nodes {
				if n.Kind != definitions.UserTask {
					continue
				}
				tasks = append(tasks, n.ID)
				i := slices.IndexFunc(f.Steps, func(s standard.Step) bool { return s.Element == n.ID })
				if i < 0 {
					t.Fatalf("task %s is not among the steps", n.ID)
				}
				s := f.Steps[i]
				ref := "${" + s.Group + "}"
				if !reflect.DeepEqual(n.Assignment.CandidateGroups, []string{ref}) && n.Assignment.Assignee != ref {
					t.Errorf("task %s: assignment %+v, want %s", n.ID, n.Assignment, ref)
				}
				if n.Documentation == "" {
					t.Errorf("task %s has no documentation", n.ID)
				}
				if got := outcomesRead(p, n); !reflect.DeepEqual(got, sorted(s.Outcomes)) {
					t.Errorf("task %s: gateways read outcomes %v, want %v", n.ID, got, s.Outcomes)
				}
			}
			if len(tasks) != len(f.Steps) {
				t.Errorf("user tasks %v, steps %d", tasks, len(f.Steps))
			}
		})
	}
}

// supRun is a simulated case of a supervision process.
type supRun struct {
	t *testing.T
	s *simulate.Sim
}

func startSupervision(t *testing.T, key string, vars map[string]any, limits *clock.Limits) *supRun {
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
	s, err := simulate.New(map[string]*machine.Model{key: m}, key, vars, simulate.Options{Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return &supRun{t: t, s: s}
}

func (r *supRun) do(st simulate.Step) *supRun {
	r.t.Helper()
	if err := r.s.Step(st); err != nil {
		r.t.Fatalf("%+v: %v (open %v)", st, err, r.s.OpenTasks())
	}
	return r
}

func (r *supRun) complete(id, outcome string, vars map[string]any) *supRun {
	return r.do(simulate.Step{Complete: id, Outcome: outcome, Variables: vars})
}

func (r *supRun) open(ids ...string) *supRun {
	r.t.Helper()
	if got := r.s.OpenTasks(); !reflect.DeepEqual(got, ids) {
		r.t.Fatalf("open tasks %v, want %v", got, ids)
	}
	return r
}

func (r *supRun) ended(end string) {
	r.t.Helper()
	res := r.s.Result()
	if res.State != "completed" || res.Entered[len(res.Entered)-1] != end {
		r.t.Fatalf("state %s, entered %v; want completed at %s", res.State, res.Entered, end)
	}
}

func TestRectificationPaths(t *testing.T) {
	vars := map[string]any{"section": "zjj-xzsp", "supervisionUnit": "450981"}
	limits := &clock.Limits{PromisedDays: 15, StatutoryDays: 15}
	r := startSupervision(t, standard.Rectification, vars, limits).open("rectify")
	w := r.s.Tasks()[0]
	if w.Task.LimitDays != 15 || !reflect.DeepEqual(w.Task.CandidateGroups, []string{"zjj-xzsp"}) {
		t.Fatalf("rectify: %+v", w.Task)
	}
	if c := r.s.Result().Clock; c.State != "running" || !strings.Contains(c.Reason, "opened") {
		t.Fatalf("clock %+v, want running from the start", c)
	}
	r.complete("rectify", "", map[string]any{"rectification": "已对窗口人员批评教育"}).open("followUp")
	if g := r.s.Tasks()[0].Task.CandidateGroups; !reflect.DeepEqual(g, []string{"450981"}) {
		t.Fatalf("followUp groups %v", g)
	}
	r.complete("followUp", standard.OutcomeRedo, map[string]any{"followUpOpinion": "未回访申请人"}).open("rectify")
	r.complete("rectify", "", nil).complete("followUp", standard.OutcomeAccepted, nil).ended("closed")
	// Left alone for 15 working days, the rectification is overdue.
	r = startSupervision(t, standard.Rectification, vars, limits).do(simulate.Step{Advance: "P30D"})
	keys := map[string]bool{}
	for _, a := range r.s.Result().Alerts {
		keys[a.Scope+":"+a.Kind] = true
	}
	if !keys["case:warning"] || !keys["case:overdue"] || !keys["task:overdue"] {
		t.Errorf("alerts %v, want the case's and the step's", keys)
	}
}

func TestComplaintPaths(t *testing.T) {
	vars := func(complainant string) map[string]any {
		return map[string]any{"complaintDesk": "450981", "handler": "zjj-xzsp", "complainant": complainant, "contactPhone": "13900000000"}
	}
	limits := &clock.Limits{PromisedDays: 15, StatutoryDays: 15}
	t.Run("online, unsatisfied once, then satisfied", func(t *testing.T) {
		r := startSupervision(t, standard.Complaint, vars("U1"), limits).open("register")
		r.complete("register", "", nil).complete("assign", "", map[string]any{"handler": "zrzyj-xzsp"}).open("handle")
		if g := r.s.Tasks()[0].Task.CandidateGroups; !reflect.DeepEqual(g, []string{"zrzyj-xzsp"}) {
			t.Fatalf("handle groups %v, want the unit assign chose", g)
		}
		r.complete("handle", "", map[string]any{"handling": "已核实"}).complete("reply", "", map[string]any{"reply": "已答复"}).open("confirm")
		if a := r.s.Tasks()[0].Task.Assignee; a != "U1" {
			t.Fatalf("confirm assignee %q, want the complainant", a)
		}
		// Waiting for the complainant does not count against the limit.
		if c := r.s.Result().Clock; c.State != "paused" {
			t.Fatalf("clock %s while the complainant confirms, want paused", c.State)
		}
		r.complete("confirm", standard.OutcomeUnsatisfied, nil).open("handle")
		if c := r.s.Result().Clock; c.State != "running" {
			t.Fatalf("clock %s after handling again, want running", c.State)
		}
		r.complete("handle", "", nil).complete("reply", "", nil).complete("confirm", standard.OutcomeSatisfied, nil).ended("closed")
	})
	t.Run("no account: the desk phones", func(t *testing.T) {
		r := startSupervision(t, standard.Complaint, vars(""), limits)
		r.complete("register", "", nil).complete("assign", "", nil).complete("handle", "", nil).complete("reply", "", nil).open("confirmByPhone")
		if g := r.s.Tasks()[0].Task.CandidateGroups; !reflect.DeepEqual(g, []string{"450981"}) {
			t.Fatalf("confirmByPhone groups %v", g)
		}
		r.complete("confirmByPhone", standard.OutcomeSatisfied, nil).ended("closed")
	})
	t.Run("no answer in 5 working days: deemed satisfied", func(t *testing.T) {
		r := startSupervision(t, standard.Complaint, vars("U1"), limits)
		r.complete("register", "", nil).complete("assign", "", nil).complete("handle", "", nil).complete("reply", "", nil).open("confirm")
		before := r.s.Now()
		r.do(simulate.Step{Advance: "P10D"}).ended("deemedSatisfied")
		if r.s.Now().Sub(before) != 10*24*time.Hour {
			t.Fatal("virtual time")
		}
	})
}
