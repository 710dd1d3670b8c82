package simulate_test

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/engine/machine"
	"onewindow/engine/simulate"
	"onewindow/tests/corpus"
)

// load parses corpus files and compiles each of their processes.
func load(t *testing.T, files ...string) map[string]*machine.Model {
	t.Helper()
	models := map[string]*machine.Model{}
	for _, f := range files {
		data, err := os.ReadFile(corpus.File(t, filepath.Join("flowable-engine", f)))
		if err != nil {
			t.Fatal(err)
		}
		defs, problems, err := definitions.Parse(data)
		if err != nil || definitions.HasErrors(problems) {
			t.Fatalf("%s: parse: %v %v", f, err, problems)
		}
		for _, p := range defs.Processes {
			m, err := machine.Compile(defs, p.ID, machine.Options{})
			if err != nil {
				t.Fatalf("%s: compile %s: %v", f, p.ID, err)
			}
			models[p.ID] = m
		}
	}
	return models
}

// run checks one corpus path through the simulator.
func run(t *testing.T, p corpus.Path) {
	t.Helper()
	models := load(t, p.Files...)
	r, err := simulate.Run(models, p.Process, simulate.Script{Variables: p.Vars, Steps: p.Steps}, simulate.Options{})
	if r == nil {
		t.Fatalf("run: %v", err)
	}
	if err != nil {
		t.Fatalf("run: %v\nentered: %v\nactive: %v", err, r.Entered, r.Active)
	}
	if r.State != p.State {
		t.Errorf("state = %s, want %s (incident %+v)", r.State, p.State, r.Incident)
	}
	if got, want := sorted(r.Active), sorted(p.Active); !reflect.DeepEqual(got, want) {
		t.Errorf("active = %v, want %v", got, want)
	}
	if p.Entered != nil && !reflect.DeepEqual(r.Entered, p.Entered) {
		t.Errorf("entered = %v\nwant      %v", r.Entered, p.Entered)
	}
	for _, id := range p.Saw {
		if !contains(r.Entered, id) {
			t.Errorf("%s was never entered (entered %v)", id, r.Entered)
		}
	}
	for _, id := range p.NotSaw {
		if contains(r.Entered, id) {
			t.Errorf("%s was entered, but must not be (entered %v)", id, r.Entered)
		}
	}
}

// TestCorpusPaths runs every documented path of the corpus's executable
// Flowable files.
func TestCorpusPaths(t *testing.T) {
	for _, p := range corpus.Paths() {
		t.Run(p.Name, func(t *testing.T) { run(t, p) })
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func count(s []string, x string) int {
	n := 0
	for _, e := range s {
		if e == x {
			n++
		}
	}
	return n
}

func TestMultiInstanceDetails(t *testing.T) {

	t.Run("parallel MI opens four tasks at once", func(t *testing.T) {
		models := load(t, "MultiInstanceTest.testParallelSubProcessCompletionCondition.bpmn20.xml")
		s, err := simulate.New(models, "miParallelSubprocessCompletionCondition", nil, simulate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.OpenTasks()); n != 4 {
			t.Fatalf("open tasks = %d (%v), want 4", n, s.OpenTasks())
		}
	})
	t.Run("sequential MI assignees follow loopCounter", func(t *testing.T) {
		models := load(t, "MultiInstanceTest.sequentialUserTasks.bpmn20.xml")
		s, err := simulate.New(models, "miSequentialUserTasks", map[string]any{"nrOfLoops": 3.0}, simulate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := 0; i < 3; i++ {
			tasks := s.Tasks()
			if len(tasks) != 1 {
				t.Fatalf("turn %d: %d open tasks, want 1", i, len(tasks))
			}
			got = append(got, tasks[0].Task.Assignee)
			if err := s.Complete("miTasks", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		if want := "kermit_0,kermit_1,kermit_2"; strings.Join(got, ",") != want {
			t.Fatalf("assignees = %v, want %s", got, want)
		}
	})
}

func TestStepNamingNothingIsAnError(t *testing.T) {
	models := load(t, "FinancialReportProcess.bpmn20.xml")
	for _, st := range []simulate.Step{{Complete: "verifyReportTask"}, {Message: "nobody"}} {
		if _, err := simulate.Run(models, "financialReport", simulate.Script{Steps: []simulate.Step{st}}, simulate.Options{}); err == nil {
			t.Errorf("step %+v: want an error", st)
		}
	}
}
