// Package enginetest runs a real engine in tests: go-workflows on an SQLite
// file (or Redis) over a test database, with helpers to deploy definitions,
// start cases, find and complete tasks, and wait for the read model.
package enginetest

import (
	"cmp"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Env is an engine running for one test.
type Env struct {
	T      testing.TB
	Engine *engine.Engine
	DB     *store.DB

	// stop stops the engine once (a func, so that an Env can be copied).
	stop func()
}

// Options configure Start.
type Options struct {
	// Backend is the go-workflows store; "" is a new SQLite file.
	Backend   string
	Handlers  map[string]engine.Handler
	Calendars engine.Calendars
	Observer  func(ctx context.Context, b *engine.Batch) error
	OnAlert   func(ctx context.Context, a engine.Alert) error
	// Worker tunes the worker; nil polls every 10ms, which keeps tests quick.
	Worker *engine.WorkerOptions
	// WorkerName names the worker ("": a new name); a restart on the same Backend keeps it,
	// as a restarted process does (its cases are sticky to it).
	WorkerName string
	// IdlePoll is how long a poll of an SQLite engine store waits for work when nothing
	// wakes it (0: the default).
	IdlePoll time.Duration
}

// Start runs an engine over db until the test ends.
func Start(t testing.TB, db *store.DB, o Options) *Env {
	t.Helper()
	if o.Backend == "" {
		o.Backend = "sqlite:" + filepath.Join(t.TempDir(), "engine.db")
	}
	b, err := engine.OpenBackend(o.Backend, engine.BackendOptions{WorkerName: cmp.Or(o.WorkerName, "test-"+store.NewID()), KeyPrefix: "t" + store.NewID() + ":", IdlePoll: o.IdlePoll})
	if err != nil {
		t.Fatal(err)
	}
	worker := engine.WorkerOptions{PollingInterval: 10 * time.Millisecond}
	if o.Worker != nil {
		worker = *o.Worker
	}
	e, err := engine.New(engine.Config{Backend: b, Store: store.Engine{DB: db}, Handlers: o.Handlers, Calendars: o.Calendars,
		Observer: o.Observer, OnAlert: o.OnAlert, Worker: worker})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	v := &Env{T: t, Engine: e, DB: db}
	var once sync.Once
	v.stop = func() {
		once.Do(func() {
			cancel()
			_ = e.Wait()
			_ = b.Close()
		})
	}
	t.Cleanup(v.stop)
	return v
}

// Stop stops the engine and closes its store, as a process that ends; Start again on the
// same Options.Backend is a restart.
func (v *Env) Stop() { v.stop() }

// Deploy stores and publishes a definition; it returns the version.
func (v *Env) Deploy(key string, xml []byte) int {
	v.T.Helper()
	ctx := context.Background()
	d := &store.DefinitionVersion{Key: key, Name: key, XML: xml, FileName: key + ".bpmn", DeploymentID: store.NewID(), CreatedBy: "test"}
	if _, err := store.DeployDefinition(ctx, v.DB, d); err != nil {
		v.T.Fatal(err)
	}
	if _, err := store.PublishDefinition(ctx, v.DB, key, d.Version, "test"); err != nil {
		v.T.Fatal(err)
	}
	return d.Version
}

// StartCase starts a case and returns its id.
func (v *Env) StartCase(definition string, vars map[string]any) string {
	v.T.Helper()
	id := "C-" + store.NewID()
	if err := v.Engine.StartCase(context.Background(), engine.CaseInput{CaseID: id, Definition: definition, Vars: vars}); err != nil {
		v.T.Fatal(err)
	}
	return id
}

// Eventually polls cond until it holds: a bounded wait for the engine's
// asynchronous workers, not a timing assumption.
func (v *Env) Eventually(what string, cond func() bool) {
	v.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			v.T.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// OpenTask waits for an open task of element in caseID and returns its id.
func (v *Env) OpenTask(caseID, element string) string {
	v.T.Helper()
	var id string
	v.Eventually("task "+element+" of case "+caseID, func() bool {
		tasks, err := store.CaseTasks(context.Background(), v.DB, caseID, "open")
		if err != nil {
			v.T.Fatal(err)
		}
		for _, t := range tasks {
			if t.ElementID == element {
				id = t.ID
				return true
			}
		}
		return false
	})
	return id
}

// OpenTasks waits until caseID has n open tasks and returns them.
func (v *Env) OpenTasks(caseID string, n int) []store.Task {
	v.T.Helper()
	var tasks []store.Task
	v.Eventually("open tasks of case "+caseID, func() bool {
		var err error
		tasks, err = store.CaseTasks(context.Background(), v.DB, caseID, "open")
		if err != nil {
			v.T.Fatal(err)
		}
		return len(tasks) == n
	})
	return tasks
}

// Complete takes a task and queues its completion in one transaction, then
// delivers it: what the task API does.
func (v *Env) Complete(taskID, outcome string, vars map[string]any) {
	v.T.Helper()
	ctx := context.Background()
	sig, err := engine.CompleteTask(taskID, outcome, vars, false)
	if err != nil {
		v.T.Fatal(err)
	}
	err = v.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.TakeTask(ctx, tx, taskID); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &sig)
	})
	if err != nil {
		v.T.Fatal(err)
	}
	if err := v.Engine.Deliver(ctx, sig); err != nil {
		v.T.Fatal(err)
	}
}

// Send writes signals to the outbox and delivers them.
func (v *Env) Send(sigs ...engine.OutboxSignal) {
	v.T.Helper()
	if err := v.Engine.Send(context.Background(), sigs...); err != nil {
		v.T.Fatal(err)
	}
}

// Status is the case's status in the read model ("" before its first step).
func (v *Env) Status(caseID string) string {
	c, err := store.GetCaseState(context.Background(), v.DB, caseID)
	if err != nil {
		return ""
	}
	return c.Status
}

// WaitStatus waits until the case has status.
func (v *Env) WaitStatus(caseID, status string) {
	v.T.Helper()
	v.Eventually("case "+caseID+" to be "+status, func() bool { return v.Status(caseID) == status })
}
