package evict

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/registry"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/sqlite"
)

// failFirstCompletion is an engine store whose first workflow-task completion after a signal
// fails, as one does when Redis is down at that moment.
type failFirstCompletion struct {
	backend.Backend
	armed  atomic.Bool
	failed atomic.Int32
}

func (b *failFirstCompletion) CompleteWorkflowTask(ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executedEvents, activityEvents, timerEvents []*history.Event, workflowEvents []*history.WorkflowEvent) error {
	if b.armed.CompareAndSwap(true, false) {
		b.failed.Add(1)
		return errors.New("engine store unreachable")
	}
	return b.Backend.CompleteWorkflowTask(ctx, task, state, executedEvents, activityEvents, timerEvents, workflowEvents)
}

// TestFailedCompletionEvictsTheExecutor: a workflow task whose completion failed comes back
// after its lock times out and runs the case on from its stored history; without the eviction
// the cached executor, already past that task, refuses it on every attempt and the case stalls.
func TestFailedCompletionEvictsTheExecutor(t *testing.T) {
	inner := sqlite.NewInMemory(sqlite.WithIdlePoll(50*time.Millisecond),
		sqlite.WithBackendOptions(backend.WithWorkflowLockTimeout(time.Second), backend.WithStickyTimeout(0)))
	defer inner.Close()
	b := &failFirstCompletion{Backend: inner}
	opts := worker.DefaultOptions
	opts.WorkflowHeartbeatInterval = 0 // the lock must run out after the failure
	opts.WorkflowExecutorCacheSize, opts.WorkflowExecutorCacheTTL = 16, time.Hour
	w := worker.New(Wrap(b, &opts), &opts)
	wf := func(ctx workflow.Context) (string, error) {
		first, _ := workflow.NewSignalChannel[string](ctx, "first").Receive(ctx)
		second, _ := workflow.NewSignalChannel[string](ctx, "second").Receive(ctx)
		third, _ := workflow.NewSignalChannel[string](ctx, "third").Receive(ctx)
		return first + second + third, nil
	}
	if err := w.RegisterWorkflow(wf, registry.WithName("waits")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := client.New(inner)
	inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: "evict-1"}, "waits")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignalWorkflow(ctx, inst.InstanceID, "first", "a"); err != nil {
		t.Fatal(err)
	}
	// Let the start and the first signal be completed (the executor is cached), then fail the
	// completion of the task that takes the second signal (one that does not end the workflow:
	// go-workflows evicts a finished one itself).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		h, err := inner.GetWorkflowInstanceHistory(ctx, inst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if receivedSignals(h) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first signal was not taken")
		}
	}
	b.armed.Store(true)
	if err := c.SignalWorkflow(ctx, inst.InstanceID, "second", "b"); err != nil {
		t.Fatal(err)
	}
	// The third signal arrives once the second was taken again, after the failed completion's lock ran out.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		h, err := inner.GetWorkflowInstanceHistory(ctx, inst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if receivedSignals(h) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second signal was not taken after the failed completion (completions failed: %d)", b.failed.Load())
		}
	}
	if err := c.SignalWorkflow(ctx, inst.InstanceID, "third", "c"); err != nil {
		t.Fatal(err)
	}
	wait, stop := context.WithTimeout(ctx, 15*time.Second)
	defer stop()
	got, err := client.GetWorkflowResult[string](wait, c, inst, 15*time.Second)
	if err != nil || got != "abc" {
		t.Fatalf("the case after a failed completion: %q, %v (completions failed: %d)", got, err, b.failed.Load())
	}
	if b.failed.Load() != 1 {
		t.Fatalf("%d completions failed, want the one the test arranged", b.failed.Load())
	}
}

func receivedSignals(h []*history.Event) int {
	n := 0
	for _, e := range h {
		if e.Type == history.EventType_SignalReceived {
			n++
		}
	}
	return n
}
