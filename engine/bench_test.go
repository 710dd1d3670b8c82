package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// benchFlow is the parallel-approval shape: accept -> countersign by three
// -> approve -> deliver, each task with a reminder timer.
var benchFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="bench" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window"/>
  <boundaryEvent id="t1" attachedToRef="accept" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="review" flowable:candidateGroups="${department}">
    <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="departments" flowable:elementVariable="department"/>
  </userTask>
  <boundaryEvent id="t2" attachedToRef="review" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="approve" flowable:candidateGroups="lead"/>
  <boundaryEvent id="t3" attachedToRef="approve" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="deliver" flowable:candidateGroups="window"/>
  <boundaryEvent id="t4" attachedToRef="deliver" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="e"/><endEvent id="r1"/><endEvent id="r2"/><endEvent id="r3"/><endEvent id="r4"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="approve"/>
  <sequenceFlow id="f4" sourceRef="approve" targetRef="deliver"/>
  <sequenceFlow id="f5" sourceRef="deliver" targetRef="e"/>
  <sequenceFlow id="g1" sourceRef="t1" targetRef="r1"/><sequenceFlow id="g2" sourceRef="t2" targetRef="r2"/>
  <sequenceFlow id="g3" sourceRef="t3" targetRef="r3"/><sequenceFlow id="g4" sourceRef="t4" targetRef="r4"/>
</process></definitions>`)

var benchDepartments = []any{"fgj", "zjj", "zrzyj"}

// BenchmarkParallelApproval runs b.N cases of the parallel-approval flow
// through the engine and, in the same run, through a workflow that makes
// the same waits, signals, timers and read-model writes by hand, and
// reports cases/s of both and their ratio.
func BenchmarkParallelApproval(b *testing.B) {
	rates := map[string]float64{}
	for _, variant := range benchVariants {
		b.Run(variant, func(b *testing.B) {
			rates[variant] = runBench(b, variant)
		})
	}
	if rates["engine"] > 0 && rates["handwritten"] > 0 {
		fmt.Printf("BenchmarkParallelApproval: engine %.1f cases/s, hand-written %.1f cases/s, ratio %.2f\n",
			rates["engine"], rates["handwritten"], rates["engine"]/rates["handwritten"])
	}
}

func runBench(b *testing.B, variant string) float64 {
	db := storetest.SQLite(b)
	ctx := context.Background()
	var start func(id string) error
	var deliver func(sig engine.OutboxSignal) error
	switch variant {
	case "engine":
		w := benchWorker()
		env := enginetest.Start(b, db, enginetest.Options{Worker: &w})
		env.Deploy("bench", benchFlow)
		start = func(id string) error {
			return env.Engine.StartCase(ctx, engine.CaseInput{CaseID: id, Definition: "bench", Vars: map[string]any{"departments": benchDepartments}})
		}
		deliver = func(sig engine.OutboxSignal) error { return env.Engine.Deliver(ctx, sig) }
	default:
		h := startHandwritten(b, db)
		start = func(id string) error {
			_, err := h.client.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, h.Workflow, id)
			return err
		}
		deliver = func(sig engine.OutboxSignal) error {
			if err := h.client.SignalWorkflow(ctx, sig.CaseID, sig.Channel, sig.Signal); err != nil {
				return err
			}
			return store.Engine{DB: db}.DeleteSignal(ctx, sig.ID)
		}
	}

	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		if err := start(fmt.Sprintf("%s-%06d", variant, i)); err != nil {
			b.Fatal(err)
		}
	}
	// Clerks complete every open task the way the task API does, until
	// every case has completed (a bounded loop: it fails after a minute
	// without progress).
	var done atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var open []string
				_ = db.SelectContext(ctx, &open, `SELECT id FROM tasks WHERE state = 'open' ORDER BY created_at LIMIT 64`)
				n := 0
				for i, id := range open {
					if i%4 != c {
						continue
					}
					sig, _ := engine.CompleteTask(id, "agree", nil, false)
					err := db.Tx(ctx, func(tx *sqlx.Tx) error {
						if err := store.TakeTask(ctx, tx, id); err != nil {
							return err
						}
						return store.EnqueueSignal(ctx, tx, &sig)
					})
					if err == nil && deliver(sig) == nil {
						n++
					}
				}
				if n == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}(c)
	}
	last, lastChange := int64(-1), time.Now()
	for {
		var n int64
		_ = db.GetContext(ctx, &n, `SELECT COUNT(*) FROM cases WHERE status = 'completed'`)
		done.Store(n)
		if n == int64(b.N) {
			break
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > time.Minute {
			close(stop)
			wg.Wait()
			b.Fatalf("%s: no progress for a minute at %d of %d cases", variant, n, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	close(stop)
	wg.Wait()
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "cases/s")
	return rate
}

// handwritten is the same case written directly as a go-workflows
// workflow: the waits, signals, timers and read-model writes of the BPMN
// flow, without the interpreter.
type handwritten struct {
	db     *store.DB
	client *client.Client
}

func startHandwritten(b *testing.B, db *store.DB) *handwritten {
	be, err := engine.OpenBackend("sqlite:"+filepath.Join(b.TempDir(), "hw.db"), engine.BackendOptions{WorkerName: "bench-hw"})
	if err != nil {
		b.Fatal(err)
	}
	h := &handwritten{db: db, client: client.New(be)}
	opts := worker.DefaultOptions
	d := benchWorker()
	opts.WorkflowPollers, opts.ActivityPollers = d.WorkflowPollers, d.ActivityPollers
	opts.WorkflowPollingInterval, opts.ActivityPollingInterval = d.PollingInterval, d.PollingInterval
	opts.WorkflowExecutorCacheSize, opts.WorkflowExecutorCacheTTL = d.ExecutorCacheSize, d.ExecutorCacheTTL
	opts.WorkflowHeartbeatInterval, opts.ActivityHeartbeatInterval = d.HeartbeatInterval, d.HeartbeatInterval
	w := worker.New(be, &opts)
	if err := w.RegisterWorkflow(h.Workflow); err != nil {
		b.Fatal(err)
	}
	if err := w.RegisterActivity(h.Write); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := w.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		_ = w.WaitForCompletion()
		_ = be.Close()
	})
	var _ backend.Backend = be
	return h
}

// Write is the hand-written workflow's one write per step.
func (h *handwritten) Write(ctx context.Context, batch *engine.Batch) error {
	return store.Engine{DB: h.db}.ApplyBatch(ctx, batch)
}

// Workflow: accept, three reviews at once, approve, deliver; each task has
// a ten-day timer; each completion is one signal and one write.
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
	}{{"accept", []any{"window"}}, {"review", benchDepartments}, {"approve", []any{"lead"}}, {"deliver", []any{"window"}}}
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

var benchVariants = []string{"engine", "handwritten"}

// benchWorker is the worker both variants run with: the engine's defaults,
// or ONEWINDOW_BENCH_POLL (a duration) and ONEWINDOW_BENCH_POLLERS to
// compare settings.
func benchWorker() engine.WorkerOptions {
	w := engine.DefaultWorkerOptions
	if d, err := time.ParseDuration(os.Getenv("ONEWINDOW_BENCH_POLL")); err == nil {
		w.PollingInterval = d
	}
	if n, err := strconv.Atoi(os.Getenv("ONEWINDOW_BENCH_POLLERS")); err == nil && n > 0 {
		w.WorkflowPollers, w.ActivityPollers = n, n
	}
	return w
}
