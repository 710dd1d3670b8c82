package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine"
	"onewindow/store"
)

func init() {
	Register(Scenario{Name: "timers", Doc: "10,000 alarms due in the same minute: how late the alarm loop fires the last one", Run: runTimers})
}

// timerAlarms is how many alarms the timers scenario arms.
const timerAlarms = 10000

// alarmQueue is the go-workflows queue of the scenario's waiting workflows, beside the engine's.
const alarmQueue workflow.Queue = "bench-alarms"

// AlarmWaitWorkflow waits for the signal of its alarm on the alarm channel of wait "w".
func AlarmWaitWorkflow(ctx workflow.Context) error {
	workflow.NewSignalChannel[engine.Signal](ctx, "alarm/w").Receive(ctx)
	return nil
}

// runTimers starts timerAlarms workflows that each wait for an alarm's signal, arms their
// alarms in the alarms table due evenly within one minute, and measures how late the engine's
// alarm loop claims and delivers the last of them.
func runTimers(ctx context.Context, o Options) (*Result, error) {
	db, err := openDB(ctx, o)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r, err := openEngine(ctx, o, db, "alarms", engine.Config{})
	if err != nil {
		return nil, err
	}
	defer r.stop()
	// The waiting workflows run on the engine's own store, on a queue of their own.
	c, stop, err := queueWorker(ctx, r.backend, alarmQueue, func(w *worker.Worker) error {
		return w.RegisterWorkflow(AlarmWaitWorkflow)
	})
	if err != nil {
		return nil, err
	}
	defer stop()

	n := timerAlarms
	began := time.Now()
	if err := startWaiting(ctx, c, n); err != nil {
		return nil, err
	}
	started := time.Since(began)
	fmt.Fprintf(o.Log, "timers: %d waiting workflows started in %v\n", n, started.Round(time.Millisecond))

	// The alarms fall due evenly over one minute, from a few seconds from now.
	due := time.Now().Add(3 * time.Second)
	es := store.Engine{DB: db}
	for i := 0; i < n; i += 500 {
		var ch engine.AlarmChange
		for j := i; j < min(i+500, n); j++ {
			id := alarmCase(j)
			ch.Arm = append(ch.Arm, engine.Alarm{ID: id + "/alarm/w/1", CaseID: id, Channel: "alarm/w", Due: due.Add(time.Duration(j) * time.Minute / time.Duration(n))})
		}
		if err := es.SetAlarms(ctx, ch); err != nil {
			return nil, err
		}
	}
	last := due.Add(time.Minute)
	var firedAt, deliveredAt time.Time
	for deadline := last.Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var armed, queued int
		if err := db.GetContext(ctx, &armed, `SELECT COUNT(*) FROM alarms WHERE state = 'armed'`); err != nil {
			return nil, err
		}
		if armed == 0 && firedAt.IsZero() {
			firedAt = time.Now()
		}
		if err := db.GetContext(ctx, &queued, `SELECT COUNT(*) FROM signal_outbox`); err != nil {
			return nil, err
		}
		if armed == 0 && queued == 0 {
			deliveredAt = time.Now()
			break
		}
	}
	if deliveredAt.IsZero() {
		return nil, fmt.Errorf("timers: not every alarm fired within five minutes of its due time")
	}
	res := &Result{Scenario: "timers", Machine: ThisMachine()}
	res.Rows = append(res.Rows,
		Row{Name: "last alarm claimed (signal queued)", N: n, Extra: map[string]float64{"lateMs": msAfter(firedAt, last)}},
		Row{Name: "last alarm delivered to its case", N: n, Extra: map[string]float64{"lateMs": msAfter(deliveredAt, last)}},
	)
	res.Notes = append(res.Notes, fmt.Sprintf("%d alarms due within one minute on %s; lateness is measured by polling every 20 ms; "+
		"the %d waiting workflows took %v to start", n, storeKind(o), n, started.Round(time.Millisecond)))
	return res, nil
}

func msAfter(t, ref time.Time) float64 {
	return float64(t.Sub(ref).Microseconds()) / 1000
}

func alarmCase(i int) string { return fmt.Sprintf("alarm-%06d", i) }

// startWaiting creates n AlarmWaitWorkflow instances on the alarm queue, 16 at a time.
func startWaiting(ctx context.Context, c *client.Client, n int) error {
	err := eachParallel(ctx, n, 16, func(i int) error {
		_, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: alarmCase(i), Queue: alarmQueue}, AlarmWaitWorkflow)
		return err
	})
	if err != nil {
		return fmt.Errorf("starting waiting workflows: %w", err)
	}
	return nil
}
