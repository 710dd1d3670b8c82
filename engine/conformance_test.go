package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
	"onewindow/tests/corpus"
)

// eachStack runs fn on the embedded stack (SQLite tables, go-workflows on
// SQLite) and on the scale-out one (PostgreSQL tables, go-workflows on
// Redis), the latter when the servers are configured.
func eachStack(t *testing.T, fn func(t *testing.T, x *enginetest.Env)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, enginetest.Start(t, storetest.SQLite(t), enginetest.Options{}))
	})
	t.Run("postgres+redis", func(t *testing.T) {
		db := storetest.Postgres(t)
		addr := storetest.RedisAddr(t)
		fn(t, enginetest.Start(t, db, enginetest.Options{Backend: "redis://" + addr + "/0"}))
	})
}

// TestCorpusOnTheEngine runs every corpus path that needs no virtual time
// through the real engine on both stacks: the durable shell must reach
// what the simulator (the same token machine in memory) reaches.
func TestCorpusOnTheEngine(t *testing.T) {
	paths := corpus.Paths()
	eachStack(t, func(t *testing.T, x *enginetest.Env) {
		// Two corpus files share the process id "process": each path
		// deploys its files again (same content, same version) and pins
		// the version of its own file.
		for _, p := range paths {
			if hasAdvance(p) {
				continue
			}
			var version int
			for i, f := range p.Files {
				v := deployFile(t, x, f, p.Process)
				if i == 0 {
					version = v
				}
			}
			t.Run(p.Name, func(t *testing.T) { runOnEngine(t, x, p, version) })
		}
	})
}

func hasAdvance(p corpus.Path) bool {
	for _, s := range p.Steps {
		if s.Advance != "" {
			return true
		}
	}
	return false
}

// deployFile deploys every process of a corpus file under its process id
// and returns the version of process.
func deployFile(t *testing.T, x *enginetest.Env, file, process string) int {
	t.Helper()
	data, err := os.ReadFile(corpus.File(t, filepath.Join("flowable-engine", file)))
	if err != nil {
		t.Fatal(err)
	}
	defs, _, err := definitions.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	version := 0
	for _, p := range defs.Processes {
		if v := x.Deploy(p.ID, data); p.ID == process {
			version = v
		}
	}
	return version
}

func runOnEngine(t *testing.T, x *enginetest.Env, p corpus.Path, version int) {
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: p.Process, Version: version, Vars: p.Vars}); err != nil {
		t.Fatal(err)
	}
	for _, st := range p.Steps {
		switch {
		case st.Complete != "":
			var task string
			x.Eventually("task "+st.Complete, func() bool {
				task = findOpen(t, x, caseID, func(r store.Task) bool { return r.ElementID == st.Complete })
				return task != ""
			})
			x.Complete(task, st.Outcome, st.Variables)
		case st.Message != "":
			var wait string
			x.Eventually("a wait for message "+st.Message, func() bool {
				wait = findSubscription(t, x, caseID, "message", st.Message)
				return wait != ""
			})
			sig, err := engine.DeliverMessage(wait, st.Message, st.Variables)
			if err != nil {
				t.Fatal(err)
			}
			x.Send(sig)
		case st.Signal != "":
			x.Eventually("a wait for signal "+st.Signal, func() bool {
				return findSubscription(t, x, caseID, "signal", st.Signal) != ""
			})
			if _, err := x.Engine.BroadcastSignal(ctx, st.Signal, st.Variables); err != nil {
				t.Fatal(err)
			}
		}
		// Let the step land before the next one looks for its task.
		x.Eventually("the step to be applied", func() bool { return outboxEmpty(t, x) })
	}
	switch p.State {
	case "completed", "incident":
		x.WaitStatus(caseID, p.State)
	default:
		want := userTasks(t, p)
		x.Eventually("open tasks "+strings.Join(want, ","), func() bool {
			return strings.Join(openElements(t, x, caseID), ",") == strings.Join(want, ",")
		})
	}
	entered := enteredOf(t, x, caseID)
	for _, id := range p.Saw {
		if !entered[id] {
			t.Errorf("%s was never entered", id)
		}
	}
	for _, id := range p.NotSaw {
		if entered[id] {
			t.Errorf("%s was entered, but must not be", id)
		}
	}
}

// userTasks are the user tasks among a path's expected active nodes.
func userTasks(t *testing.T, p corpus.Path) []string {
	var models []*definitions.Process
	for _, f := range p.Files {
		data, err := os.ReadFile(corpus.File(t, filepath.Join("flowable-engine", f)))
		if err != nil {
			t.Fatal(err)
		}
		defs, _, _ := definitions.Parse(data)
		models = append(models, defs.Processes...)
	}
	var out []string
	for _, a := range p.Active {
		for _, m := range models {
			if n := m.Node(a); n != nil && n.Kind == definitions.UserTask {
				out = append(out, a)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// caseFamily is a case and the cases its call activities started.
func caseFamily(t *testing.T, x *enginetest.Env, caseID string) []string {
	ids := []string{caseID}
	var children []string
	if err := x.DB.SelectContext(context.Background(), &children, x.DB.Rebind(`SELECT id FROM cases WHERE parent_case_id = ? ORDER BY id`), caseID); err != nil {
		t.Fatal(err)
	}
	for _, c := range children {
		ids = append(ids, caseFamily(t, x, c)...)
	}
	return ids
}

func findOpen(t *testing.T, x *enginetest.Env, caseID string, match func(store.Task) bool) string {
	for _, id := range caseFamily(t, x, caseID) {
		tasks, err := store.CaseTasks(context.Background(), x.DB, id, "open")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tasks {
			if match(r) {
				return r.ID
			}
		}
	}
	return ""
}

func openElements(t *testing.T, x *enginetest.Env, caseID string) []string {
	var out []string
	for _, id := range caseFamily(t, x, caseID) {
		tasks, _ := store.CaseTasks(context.Background(), x.DB, id, "open")
		for _, r := range tasks {
			out = append(out, r.ElementID)
		}
	}
	sort.Strings(out)
	return out
}

func findSubscription(t *testing.T, x *enginetest.Env, caseID, kind, name string) string {
	for _, id := range caseFamily(t, x, caseID) {
		subs, err := store.CaseSubscriptions(context.Background(), x.DB, id, "open")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			if s.Kind == kind && s.Name == name {
				return s.ID
			}
		}
	}
	return ""
}

func outboxEmpty(t *testing.T, x *enginetest.Env) bool {
	var n int
	if err := x.DB.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM signal_outbox`); err != nil {
		t.Fatal(err)
	}
	return n == 0
}

func enteredOf(t *testing.T, x *enginetest.Env, caseID string) map[string]bool {
	out := map[string]bool{}
	for _, id := range caseFamily(t, x, caseID) {
		hist, err := store.CaseHistory(context.Background(), x.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hist {
			if h.Kind == "entered" {
				out[h.ElementID] = true
			}
		}
	}
	return out
}
