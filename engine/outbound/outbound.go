// Package outbound delivers things to the world outside onewindow (webhook events to
// department systems, notifications to people) durably: one go-workflows workflow per
// delivery makes attempts, with exponential backoff between them, until an attempt says the
// delivery is done or its deadline passes. The workflow's timers and its place in the
// attempts live in go-workflows' store, so a process that dies between attempts goes on
// where it stopped after a restart; an attempt runs at least once, so receivers deduplicate
// (webhook events carry an id for that).
//
// What an attempt does is the caller's (app): Config.Attempt and Config.GiveUp. The runner
// works on a queue of its own, so that a slow receiver never holds up a case's workflow.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/registry"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/evict"
)

// Queue is the go-workflows queue of deliveries; the case engine's worker does not listen to it.
const Queue workflow.Queue = "outbound"

// Delivery names one delivery and how to retry it. Kind and ID are the caller's (e.g.
// "webhook" and a delivery id); Run counts manual redeliveries, each a workflow of its own.
type Delivery struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Run  int    `json:"run"`
	// Backoff is the wait after the first failed attempt; it doubles up to MaxBackoff.
	Backoff    time.Duration `json:"backoff"`
	MaxBackoff time.Duration `json:"maxBackoff"`
	// GiveUpAfter ends the attempts this long after the first one.
	GiveUpAfter time.Duration `json:"giveUpAfter"`
}

// InstanceID is the workflow instance of a delivery's run: making it twice fails, so a
// delivery is never attempted by two workflows at once.
func (d Delivery) InstanceID() string {
	return fmt.Sprintf("outbound:%s:%s:%d", d.Kind, d.ID, d.Run)
}

// Result is what an attempt says: Done ends the delivery (delivered, or nothing more to do).
type Result struct {
	Done bool `json:"done"`
}

// Config configures a Runner.
type Config struct {
	// Backend is go-workflows' store, shared with the case engine.
	Backend backend.Backend
	// Attempt makes attempt n (from 1) of a delivery. An error is a fault here (the database
	// is down), retried by go-workflows; a receiver's failure is a Result that is not Done.
	Attempt func(ctx context.Context, d Delivery, n int) (Result, error)
	// GiveUp is told when the deadline of a delivery passed without it being done.
	GiveUp func(ctx context.Context, d Delivery) error
	// Pollers and PollInterval tune the worker (defaults 2 and 200ms).
	Pollers      int
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Runner runs deliveries.
type Runner struct {
	cfg    Config
	client *client.Client
	worker *worker.Worker
	acts   *activities
	// opts retry an attempt that failed for a fault of ours (not the receiver's).
	opts workflow.ActivityOptions
}

// New returns a runner; without a backend, only the workflow and activities, for
// go-workflows' tester.
func New(cfg Config) (*Runner, error) {
	if cfg.Attempt == nil || cfg.GiveUp == nil {
		return nil, errors.New("outbound: Attempt and GiveUp are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Runner{cfg: cfg, opts: workflow.ActivityOptions{RetryOptions: workflow.RetryOptions{
		MaxAttempts: 20, FirstRetryInterval: time.Second, MaxRetryInterval: time.Minute, BackoffCoefficient: 2,
	}}}
	r.acts = &activities{r: r}
	if cfg.Backend == nil {
		return r, nil
	}
	opts := worker.DefaultOptions
	opts.WorkflowQueues = []workflow.Queue{Queue}
	opts.ActivityQueues = []workflow.Queue{Queue}
	if cfg.Pollers > 0 {
		opts.WorkflowPollers, opts.ActivityPollers = cfg.Pollers, cfg.Pollers
	}
	if cfg.PollInterval > 0 {
		opts.WorkflowPollingInterval, opts.ActivityPollingInterval = cfg.PollInterval, cfg.PollInterval
	}
	opts.WorkflowHeartbeatInterval, opts.ActivityHeartbeatInterval = 5*time.Second, 5*time.Second
	// A failed completion must not leave a delivery's executor ahead of its history (evict.Wrap).
	r.client, r.worker = client.New(cfg.Backend), worker.New(evict.Wrap(cfg.Backend, &opts), &opts)
	if err := r.worker.RegisterWorkflow(r.Workflow, registry.WithName(workflowName)); err != nil {
		return nil, fmt.Errorf("outbound: registering the workflow: %w", err)
	}
	if err := r.worker.RegisterActivity(r.acts); err != nil {
		return nil, fmt.Errorf("outbound: registering activities: %w", err)
	}
	return r, nil
}

// Activities returns the runner's activities, to register with go-workflows' tester.
func (r *Runner) Activities() any { return r.acts }

// Start starts the worker; it stops when ctx is cancelled (see Wait).
func (r *Runner) Start(ctx context.Context) error { return r.worker.Start(ctx) }

// Wait blocks until the worker has stopped.
func (r *Runner) Wait() error { return r.worker.WaitForCompletion() }

// Enqueue starts the workflow of a delivery's run. A run started before is no error: the
// caller may enqueue again what it is not sure it enqueued. Both engine stores answer that
// with backend.ErrInstanceAlreadyExists (engine's TestBackendSentinelErrors), so the error
// is matched by identity, never by its text.
func (r *Runner) Enqueue(ctx context.Context, d Delivery) error {
	_, err := r.client.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: d.InstanceID(), Queue: Queue}, workflowName, d)
	if err != nil && !errors.Is(err, backend.ErrInstanceAlreadyExists) {
		return fmt.Errorf("outbound: starting %s: %w", d.InstanceID(), err)
	}
	return nil
}

// workflowName names the delivery workflow in go-workflows' store: a stable name, whatever
// the Go method is called.
const workflowName = "OutboundDelivery"

// Workflow makes the attempts of one delivery: deterministic, its waits durable timers.
func (r *Runner) Workflow(ctx workflow.Context, d Delivery) error {
	start := workflow.Now(ctx)
	wait := d.Backoff
	for n := 1; ; n++ {
		res, err := workflow.ExecuteActivity[Result](ctx, r.opts, r.acts.DeliverAttempt, d, n).Get(ctx)
		if err != nil {
			return err
		}
		if res.Done {
			return nil
		}
		left := d.GiveUpAfter - workflow.Now(ctx).Sub(start)
		if left <= 0 {
			_, err := workflow.ExecuteActivity[Result](ctx, r.opts, r.acts.DeliverGiveUp, d).Get(ctx)
			return err
		}
		if err := workflow.Sleep(ctx, min(wait, left)); err != nil {
			return err
		}
		if wait *= 2; d.MaxBackoff > 0 && wait > d.MaxBackoff {
			wait = d.MaxBackoff
		}
	}
}

// activities are the runner's side effects: the caller's attempt and give-up.
type activities struct{ r *Runner }

// DeliverAttempt makes one attempt.
func (a *activities) DeliverAttempt(ctx context.Context, d Delivery, n int) (Result, error) {
	return a.r.cfg.Attempt(ctx, d, n)
}

// DeliverGiveUp tells the caller that a delivery's deadline passed.
func (a *activities) DeliverGiveUp(ctx context.Context, d Delivery) (Result, error) {
	return Result{Done: true}, a.r.cfg.GiveUp(ctx, d)
}
