package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine"
	"onewindow/store"
)

func init() {
	Register(Scenario{Name: "raw", Doc: "go-workflows alone on the engine store: empty and two-signal workflows (the limit under the engine)", Run: runRaw})
}

// rawWorker starts a go-workflows worker with the engine's default settings on a new engine
// store named name, registering what register registers; stop stops it and closes the store.
func rawWorker(ctx context.Context, o Options, name string, register func(w *worker.Worker) error) (backend.Backend, *client.Client, func(), error) {
	dsn, prefix := "sqlite:"+filepath.Join(o.Dir, name+".db"), ""
	if o.EngineStore != "" {
		dsn, prefix = o.EngineStore, fmt.Sprintf("bench-%s-%d:", name, time.Now().UnixNano())
	}
	quiet := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := engine.OpenBackend(dsn, engine.BackendOptions{WorkerName: "bench-" + name, KeyPrefix: prefix, Logger: quiet})
	if err != nil {
		return nil, nil, nil, err
	}
	c, stop, err := queueWorker(ctx, b, workflow.QueueDefault, register)
	if err != nil {
		b.Close()
		return nil, nil, nil, err
	}
	return b, c, func() { stop(); _ = b.Close() }, nil
}

// queueWorker starts a worker with the engine's default settings on b listening to queue
// only (so that it can share a store with an engine); stop stops it, leaving b open.
func queueWorker(ctx context.Context, b backend.Backend, queue workflow.Queue, register func(w *worker.Worker) error) (*client.Client, func(), error) {
	d := engine.DefaultWorkerOptions
	opts := worker.DefaultOptions
	opts.WorkflowPollers, opts.ActivityPollers = d.WorkflowPollers, d.ActivityPollers
	opts.WorkflowPollingInterval, opts.ActivityPollingInterval = d.PollingInterval, d.PollingInterval
	opts.WorkflowExecutorCacheSize, opts.WorkflowExecutorCacheTTL = d.ExecutorCacheSize, d.ExecutorCacheTTL
	opts.WorkflowHeartbeatInterval, opts.ActivityHeartbeatInterval = d.HeartbeatInterval, d.HeartbeatInterval
	opts.WorkflowQueues, opts.ActivityQueues = []workflow.Queue{queue}, []workflow.Queue{queue}
	w := worker.New(b, &opts)
	if err := register(w); err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	if err := w.Start(wctx); err != nil {
		cancel()
		return nil, nil, err
	}
	return client.New(b), func() { cancel(); _ = w.WaitForCompletion() }, nil
}

// handwritten is the parallel-approval case written directly as a go-workflows workflow: the
// waits, signals, timers and read-model writes of the BPMN flow, without the interpreter.
type handwritten struct {
	db     *store.DB
	client *client.Client
	stop   func()
}

func startHandwritten(ctx context.Context, o Options, db *store.DB) (*handwritten, error) {
	h := &handwritten{db: db}
	_, c, stop, err := rawWorker(ctx, o, "baseline", func(w *worker.Worker) error {
		if err := w.RegisterWorkflow(h.Workflow); err != nil {
			return err
		}
		return w.RegisterActivity(h.Write)
	})
	if err != nil {
		return nil, err
	}
	h.client, h.stop = c, stop
	return h, nil
}

func (h *handwritten) start(ctx context.Context, id string) error {
	_, err := h.client.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, h.Workflow, id)
	return err
}

func (h *handwritten) deliver(ctx context.Context, sig engine.OutboxSignal) error {
	if err := h.client.SignalWorkflow(ctx, sig.CaseID, sig.Channel, sig.Signal); err != nil {
		return err
	}
	return store.Engine{DB: h.db}.DeleteSignal(ctx, sig.ID)
}

// Write is the hand-written workflow's one write per step.
func (h *handwritten) Write(ctx context.Context, batch *engine.Batch) error {
	return store.Engine{DB: h.db}.ApplyBatch(ctx, batch)
}

// Workflow: accept, three reviews at once, approve, deliver; each task has a ten-day timer;
// each completion is one signal and one write.
func (h *handwritten) Workflow(ctx workflow.Context, caseID string) error {
	seq := 0
	write := func(b *engine.Batch) error {
		seq++
		b.CaseID, b.Seq, b.At = caseID, seq, workflow.Now(ctx)
		if b.Status == "" {
			b.Status = "active"
		}
		if seq == 1 {
			b.Definition, b.Version = "bench-hw", 1
		}
		_, err := workflow.ExecuteActivity[any](ctx, workflow.DefaultActivityOptions, h.Write, b).Get(ctx)
		return err
	}
	type open struct {
		id     string
		ch     workflow.Channel[engine.Signal]
		cancel workflow.CancelFunc
	}
	n := 0
	openTasks := func(b *engine.Batch, element string, groups []any) []*open {
		var out []*open
		for _, g := range groups {
			n++
			w := fmt.Sprintf("w%d", n)
			due := workflow.Now(ctx).Add(10 * 24 * time.Hour)
			b.Tasks = append(b.Tasks, engine.TaskRow{ID: caseID + "/" + w, CaseID: caseID, WaitID: w, Element: element, Name: element,
				CandidateGroups: []string{fmt.Sprint(g)}, LoopCounter: -1, Created: workflow.Now(ctx)})
			b.Timers = append(b.Timers, engine.TimerRow{ID: caseID + "/t" + w, CaseID: caseID, WaitID: "t" + w, Element: element, Due: due, Spec: "P10D"})
			tctx, cancel := workflow.WithCancel(ctx)
			workflow.ScheduleTimer(tctx, 10*24*time.Hour)
			out = append(out, &open{id: w, ch: workflow.NewSignalChannel[engine.Signal](ctx, w), cancel: cancel})
		}
		return out
	}
	steps := []struct {
		element string
		groups  []any
	}{{"accept", []any{"window"}}, {"review", approvalDepartments}, {"approve", []any{"lead"}}, {"deliver", []any{"window"}}}
	b := &engine.Batch{}
	for _, st := range steps {
		waits := openTasks(b, st.element, st.groups)
		if err := write(b); err != nil {
			return err
		}
		for len(waits) > 0 {
			var got *open
			cases := make([]workflow.SelectCase, 0, len(waits))
			for _, w := range waits {
				cases = append(cases, workflow.Receive(w.ch, func(ctx workflow.Context, s engine.Signal, ok bool) { got = w }))
			}
			workflow.Select(ctx, cases...)
			got.cancel()
			for i, w := range waits {
				if w == got {
					waits = append(waits[:i:i], waits[i+1:]...)
					break
				}
			}
			b = &engine.Batch{Closed: []engine.ClosedWait{{ID: caseID + "/" + got.id, Kind: "task", Reason: "completed"}, {ID: caseID + "/t" + got.id, Kind: "timer", Reason: "cancelled"}}}
			if len(waits) > 0 {
				if err := write(b); err != nil {
					return err
				}
			}
		}
	}
	b.Status = "completed"
	return write(b)
}

// EmptyWorkflow does nothing: the cost of a start and a finish.
func EmptyWorkflow(ctx workflow.Context) error { return nil }

// TwoSignalWorkflow waits for two signals on channel "go".
func TwoSignalWorkflow(ctx workflow.Context) error {
	ch := workflow.NewSignalChannel[int](ctx, "go")
	ch.Receive(ctx)
	ch.Receive(ctx)
	return nil
}

// runRaw measures go-workflows alone: n empty workflows, then n workflows that each wait for
// two signals, with --concurrency clients.
func runRaw(ctx context.Context, o Options) (*Result, error) {
	b, c, stop, err := rawWorker(ctx, o, "raw", func(w *worker.Worker) error {
		if err := w.RegisterWorkflow(EmptyWorkflow); err != nil {
			return err
		}
		return w.RegisterWorkflow(TwoSignalWorkflow)
	})
	if err != nil {
		return nil, err
	}
	defer stop()
	n := max(o.Cases, 10)
	conc := min(o.Concurrency, 16)
	res := &Result{Scenario: "raw", Machine: ThisMachine()}
	for _, kind := range []string{"empty", "two-signal"} {
		var mu sync.Mutex
		var lat Latencies
		began := time.Now()
		err := eachParallel(ctx, n, conc, func(i int) error {
			t0 := time.Now()
			if err := rawOne(ctx, b, c, kind, fmt.Sprintf("raw-%s-%d-%d", kind, began.UnixNano(), i)); err != nil {
				return err
			}
			mu.Lock()
			lat = append(lat, time.Since(t0))
			mu.Unlock()
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("raw %s: %w", kind, err)
		}
		res.Rows = append(res.Rows, lat.Row(kind+" workflow, start to finish", time.Since(began)))
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%d workflows of each kind, %d clients at once, on %s; latency is start to finished, per workflow", n, conc, storeKind(o)))
	return res, nil
}

// rawOne runs one workflow of kind to its end.
func rawOne(ctx context.Context, b backend.Backend, c *client.Client, kind, id string) error {
	wf := any(EmptyWorkflow)
	if kind == "two-signal" {
		wf = TwoSignalWorkflow
	}
	inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, wf)
	if err != nil {
		return err
	}
	if kind == "two-signal" {
		for s := 0; s < 2; s++ {
			if err := c.SignalWorkflow(ctx, id, "go", s); err != nil {
				return err
			}
		}
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		st, err := b.GetWorkflowInstanceState(ctx, inst)
		if err != nil {
			return err
		}
		if st == core.WorkflowInstanceStateFinished {
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("workflow %s did not finish within a minute", id)
}
