// Package engine runs every case as a durable go-workflows workflow that
// interprets the case's pinned BPMN definition version.
//
// The BPMN semantics live in the pure token machine (engine/machine); this
// package is the durable shell around it: CaseWorkflow (workflow.go) loads
// the definition through an activity, feeds the machine the events that
// arrive (task completions and messages as signals named per wait, timers,
// child workflows, handler activities) and writes what the machine decides
// through one Apply activity per step (activities.go), idempotently, into
// the application tables that every query reads.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/registry"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/definitions"
	"onewindow/engine/calendar"
	"onewindow/engine/evict"
	"onewindow/engine/machine"
)

// Calendars gives the working-day calendar of an implementing body (an org
// unit id; "" is the national calendar), with the holidays and make-up
// days an admin has set.
type Calendars interface {
	Calendar(ctx context.Context, unit string) (*calendar.Calendar, error)
}

// National counts every case on the national calendar of the holiday library.
type National struct{}

// Calendar implements Calendars.
func (National) Calendar(context.Context, string) (*calendar.Calendar, error) {
	return calendar.National(), nil
}

// Config configures an Engine.
type Config struct {
	// Backend holds go-workflows' state (SQLite or Redis, see OpenBackend).
	Backend backend.Backend
	// Store holds the application tables.
	Store Store
	// Alarms keeps the cases' long waits (longalarms.go); nil takes Store when it
	// implements AlarmStore, and without either every wait stays in go-workflows.
	Alarms AlarmStore
	// Calendars count working days; nil is National.
	Calendars Calendars
	// Handlers are the built-in service handlers service tasks may name.
	Handlers map[string]Handler
	// Worker tunes the go-workflows worker.
	Worker WorkerOptions
	// Observer, if set, is told about every batch after it is written, in the batch's Apply
	// activity: it runs at least once per batch, and an error fails the activity, which
	// go-workflows retries (writing the batch again changes nothing), so that what the
	// observer records of a step (e-supervision's rule alerts, the end of a case's event) is
	// never lost to a failure after the batch committed.
	Observer func(ctx context.Context, b *Batch) error
	// OnAlert, if set, is told about every warning and overdue alert after
	// it is written (e-supervision notifies people from it). It runs at
	// least once per alert.
	OnAlert func(ctx context.Context, a Alert) error
	Logger  *slog.Logger
}

// WorkerOptions tunes the go-workflows worker; zero values take defaults
// measured on 2 cores (see the engine benchmark).
type WorkerOptions struct {
	WorkflowPollers          int
	ActivityPollers          int
	MaxParallelWorkflowTasks int
	MaxParallelActivityTasks int
	// PollingInterval is how long a poller waits after a poll that found
	// nothing. The SQLite engine store's poll itself waits for work (woken by
	// the store's writes, BackendOptions.IdlePoll), so this only spaces its
	// retries after errors and after an idle poll's end.
	PollingInterval   time.Duration
	ExecutorCacheSize int
	ExecutorCacheTTL  time.Duration
	// HeartbeatInterval extends the locks of running tasks; it must be well
	// under LockTimeout.
	HeartbeatInterval time.Duration
	// SingleWorker enables go-workflows' single-worker optimisations; only
	// for a single process.
	SingleWorker bool
}

// DefaultWorkerOptions are the worker settings used for zero fields.
var DefaultWorkerOptions = WorkerOptions{
	WorkflowPollers:   2,
	ActivityPollers:   2,
	PollingInterval:   50 * time.Millisecond,
	ExecutorCacheSize: 4096,
	ExecutorCacheTTL:  10 * time.Minute,
	HeartbeatInterval: 5 * time.Second,
}

// Engine starts cases and delivers what happens to them.
type Engine struct {
	backend   backend.Backend
	client    *client.Client
	worker    *worker.Worker
	store     Store
	calendars Calendars
	onAlert   func(ctx context.Context, a Alert) error
	handlers  map[string]Handler
	observer  func(ctx context.Context, b *Batch) error
	log       *slog.Logger
	models    *modelCache
	acts      *activities
	// alarmStore keeps long waits when the Store has an alarms table.
	alarmStore AlarmStore
	// foldAlarms: the Store writes the alarms with each step (AlarmApplier), so new cases
	// arm them in their Apply activity instead of a SetAlarms activity after it.
	foldAlarms bool

	readOptions    workflow.ActivityOptions
	applyOptions   workflow.ActivityOptions
	handlerOptions workflow.ActivityOptions

	startOnce  sync.Once
	sweepEvery time.Duration
	sweepAge   time.Duration
	// delivered carries delivered signals' outbox ids to removeDelivered, which runs
	// while removing is set (delivered.go).
	delivered chan string
	removing  atomic.Bool
}

// New returns an engine; Start starts its worker.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("engine: a store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Calendars == nil {
		cfg.Calendars = National{}
	}
	e := &Engine{
		backend:   cfg.Backend,
		client:    client.New(cfg.Backend),
		store:     cfg.Store,
		calendars: cfg.Calendars,
		onAlert:   cfg.OnAlert,
		handlers:  cfg.Handlers,
		observer:  cfg.Observer,
		log:       cfg.Logger,
		// A signal is swept when its caller has not delivered it within a
		// few seconds of writing it: normally the caller delivers at once.
		sweepEvery: time.Second,
		delivered:  make(chan string, removeQueue),
		sweepAge:   3 * time.Second,
	}
	names := make([]string, 0, len(cfg.Handlers))
	for name := range cfg.Handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	e.models = &modelCache{handlers: names, byHash: map[string]*machine.Model{}}
	e.acts = &activities{e: e}
	e.alarmStore = cfg.Alarms
	if as, ok := cfg.Store.(AlarmStore); ok && e.alarmStore == nil {
		e.alarmStore = as
	}
	if foldsAlarms(cfg.Store, e.alarmStore) {
		e.foldAlarms = true
	}

	// Reads are cheap to repeat; writes must eventually succeed, so they
	// retry with backoff for minutes (a busy database, a restarting server).
	e.readOptions = workflow.ActivityOptions{RetryOptions: workflow.RetryOptions{
		MaxAttempts: 10, FirstRetryInterval: 200 * time.Millisecond, MaxRetryInterval: 30 * time.Second, BackoffCoefficient: 2,
	}}
	e.applyOptions = workflow.ActivityOptions{RetryOptions: workflow.RetryOptions{
		MaxAttempts: 30, FirstRetryInterval: 100 * time.Millisecond, MaxRetryInterval: time.Minute, BackoffCoefficient: 2,
	}}
	e.handlerOptions = workflow.ActivityOptions{RetryOptions: workflow.RetryOptions{
		MaxAttempts: 3, FirstRetryInterval: time.Second, MaxRetryInterval: 30 * time.Second, BackoffCoefficient: 2,
	}}

	if cfg.Backend == nil {
		// No backend: the engine's workflow and activities only, to run
		// under go-workflows' tester with virtual time (see Activities).
		return e, nil
	}
	e.client = client.New(cfg.Backend)
	wo := cfg.Worker
	d := DefaultWorkerOptions
	opts := worker.DefaultOptions
	opts.WorkflowPollers = pick(wo.WorkflowPollers, d.WorkflowPollers)
	opts.ActivityPollers = pick(wo.ActivityPollers, d.ActivityPollers)
	opts.MaxParallelWorkflowTasks = wo.MaxParallelWorkflowTasks
	opts.MaxParallelActivityTasks = wo.MaxParallelActivityTasks
	opts.WorkflowPollingInterval = pickDur(wo.PollingInterval, d.PollingInterval)
	opts.ActivityPollingInterval = pickDur(wo.PollingInterval, d.PollingInterval)
	opts.WorkflowExecutorCacheSize = pick(wo.ExecutorCacheSize, d.ExecutorCacheSize)
	opts.WorkflowExecutorCacheTTL = pickDur(wo.ExecutorCacheTTL, d.ExecutorCacheTTL)
	opts.SingleWorkerMode = wo.SingleWorker
	opts.WorkflowHeartbeatInterval = pickDur(wo.HeartbeatInterval, d.HeartbeatInterval)
	opts.ActivityHeartbeatInterval = pickDur(wo.HeartbeatInterval, d.HeartbeatInterval)
	e.worker = worker.New(evict.Wrap(cfg.Backend, &opts), &opts)
	if err := e.worker.RegisterWorkflow(e.CaseWorkflow, registry.WithName("CaseWorkflow")); err != nil {
		return nil, fmt.Errorf("engine: registering the case workflow: %w", err)
	}
	if err := e.worker.RegisterActivity(e.acts); err != nil {
		return nil, fmt.Errorf("engine: registering activities: %w", err)
	}
	return e, nil
}

func pick(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func pickDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// Start starts the worker, the outbox sweeper and the alarm loop
// (RunAlarms); all stop when ctx is cancelled (see Wait). Every process
// that runs workers runs them.
func (e *Engine) Start(ctx context.Context) error {
	var err error
	e.startOnce.Do(func() {
		if err = e.worker.Start(ctx); err == nil {
			go e.sweep(ctx)
			go e.RunAlarms(ctx)
			go e.removeDelivered(ctx)
		}
	})
	return err
}

// Wait blocks until the worker has stopped after its context was cancelled.
func (e *Engine) Wait() error { return e.worker.WaitForCompletion() }

// Activities returns the engine's activities, to register with
// go-workflows' tester next to CaseWorkflow.
func (e *Engine) Activities() any { return e.acts }

// Client returns the go-workflows client, for diagnostics and tests.
func (e *Engine) Client() *client.Client { return e.client }

// Errors of the engine's API.
var (
	// ErrCaseExists: a case with that id has already been started.
	ErrCaseExists = errors.New("case already started")
)

// StartCase starts the workflow of a case. The case id is the workflow
// instance id, so starting the same case twice fails with ErrCaseExists.
func (e *Engine) StartCase(ctx context.Context, in CaseInput) error {
	if in.CaseID == "" || in.Definition == "" {
		return errors.New("engine: a case id and a definition key are required")
	}
	in.Alarms = e.alarmStore != nil
	in.AlarmsInApply = in.Alarms && e.foldAlarms
	_, err := e.client.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: in.CaseID}, e.CaseWorkflow, in)
	if err != nil {
		if isAlreadyExists(err) {
			return ErrCaseExists
		}
		return fmt.Errorf("engine: starting case %s: %w", in.CaseID, err)
	}
	return nil
}

// isAlreadyExists reports whether starting an instance failed because it
// exists: every go-workflows v1.2.0 backend returns the sentinel (checked in
// engine_errors_test.go on SQLite and Redis).
func isAlreadyExists(err error) bool {
	return errors.Is(err, backend.ErrInstanceAlreadyExists)
}

// SplitTaskID splits a task or wait id (case id + "/" + wait id) into its
// case and wait parts. Child case ids contain "/" themselves.
func SplitTaskID(id string) (caseID, waitID string, ok bool) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 || i == len(id)-1 {
		return "", "", false
	}
	return id[:i], id[i+1:], true
}

// The signals a case acts on. Each builder returns an OutboxSignal: write it
// with store.EnqueueSignal in the transaction that causes it (a task taken
// for completion, a supplement stored), then call Deliver after commit. If
// the process dies in between, the sweeper delivers it; a case acts on each
// signal once however often it arrives.

// CompleteTask completes a task with an outcome and variables. The caller
// moves the task row out of the open state in the same transaction, which
// makes completion exactly-once.
func CompleteTask(taskID, outcome string, vars map[string]any, local bool) (OutboxSignal, error) {
	return toWait(taskID, Signal{Kind: SignalComplete, Outcome: outcome, Vars: vars, Local: local})
}

// MoveTask cancels an open task and starts target, an earlier step of the
// case's path (退回), or the step just completed (撤回).
func MoveTask(taskID, target string) (OutboxSignal, error) {
	return toWait(taskID, Signal{Kind: SignalMove, Target: target})
}

// RemoveSigner cancels one signer's task of a running countersign (减签).
func RemoveSigner(taskID string) (OutboxSignal, error) {
	return toWait(taskID, Signal{Kind: SignalRemove})
}

// AddSigner adds a signer to a running countersign (加签): body is the
// multi-instance body instance id its tasks carry, item the signer's
// element value (e.g. a department's section code).
func AddSigner(caseID, body string, item any) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalAddInstance, Instance: body, Item: item}}
}

// ReopenSigner takes back a signer's opinion in a running countersign (撤回意见):
// body is the multi-instance body instance id, index the signer's loop counter,
// outcome the opinion given. The signer's step starts again.
func ReopenSigner(caseID, body string, index int, outcome string) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalReopen, Instance: body, Item: float64(index), Outcome: outcome}}
}

// DeliverMessage delivers a message to a message wait (an id from the
// subscriptions table: case id + "/" + wait id).
func DeliverMessage(waitID, name string, vars map[string]any) (OutboxSignal, error) {
	return toWait(waitID, Signal{Kind: SignalMessage, Name: name, Vars: vars})
}

// RetryIncident sets vars on the case and runs the incident's step again.
func RetryIncident(incidentID string, vars map[string]any) (OutboxSignal, error) {
	caseID, x, ok := SplitTaskID(incidentID)
	if !ok {
		return OutboxSignal{}, fmt.Errorf("engine: malformed incident id %q", incidentID)
	}
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalRetry, Incident: x, Vars: vars}}, nil
}

// SetVariables sets process variables of a running case.
func SetVariables(caseID string, vars map[string]any) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalSetVariables, Vars: vars}}
}

// PauseClock pauses a case's time-limit clock for a special procedure
// (hearing, expert review, on-site survey, public notice), started by a
// clerk with a reason; procedure names it for ResumeClock.
func PauseClock(caseID, procedure, kind, reason string) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalClock, Name: ClockPause, Instance: procedure, Target: kind, Reason: reason}}
}

// ResumeClock ends a special procedure's pause.
func ResumeClock(caseID, procedure string) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalClock, Name: ClockResume, Instance: procedure}}
}

// ExtendClock lengthens a case's promised limit by days working days, up to its statutory
// limit (an extension granted with a reason, e.g. an information-disclosure request's once
// by 20 days); extension names it, so that a repeated signal extends once.
func ExtendClock(caseID, extension string, days float64, reason string) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalClock, Name: ClockExtend, Instance: extension, Item: days, Reason: reason}}
}

// CancelCase cancels a case: its tasks, timers and child cases end.
func CancelCase(caseID string) OutboxSignal {
	return OutboxSignal{CaseID: caseID, Channel: controlChannel, Signal: Signal{Kind: SignalCancel}}
}

func toWait(waitID string, sig Signal) (OutboxSignal, error) {
	caseID, w, ok := SplitTaskID(waitID)
	if !ok {
		return OutboxSignal{}, fmt.Errorf("engine: malformed wait id %q", waitID)
	}
	return OutboxSignal{CaseID: caseID, Channel: w, Signal: sig}, nil
}

// Send writes signals to the outbox and delivers them: for callers that
// change nothing else in the database.
func (e *Engine) Send(ctx context.Context, sigs ...OutboxSignal) error {
	for i := range sigs {
		if err := e.store.EnqueueSignal(ctx, &sigs[i]); err != nil {
			return fmt.Errorf("engine: queueing a signal for case %s: %w", sigs[i].CaseID, err)
		}
	}
	return e.Deliver(ctx, sigs...)
}

// Deliver sends signals already written to the outbox and removes them.
// A signal that cannot be sent stays for the sweeper.
func (e *Engine) Deliver(ctx context.Context, sigs ...OutboxSignal) error {
	for _, s := range sigs {
		if err := e.client.SignalWorkflow(ctx, s.CaseID, s.Channel, s.Signal); err != nil {
			if isInstanceGone(err) {
				e.log.Warn("signal for a case that is not running dropped", "case", s.CaseID, "channel", s.Channel, "kind", s.Signal.Kind)
			} else {
				return fmt.Errorf("engine: signalling case %s: %w", s.CaseID, err)
			}
		}
		if s.ID != "" && !e.queueRemoval(s.ID) {
			if err := e.store.DeleteSignal(ctx, s.ID); err != nil {
				return fmt.Errorf("engine: clearing delivered signal %s: %w", s.ID, err)
			}
		}
	}
	return nil
}

// isInstanceGone reports whether a signal found no running instance: the
// case finished or never existed (engine_errors_test.go).
func isInstanceGone(err error) bool {
	return errors.Is(err, backend.ErrInstanceNotFound)
}

// sweep delivers the outbox signals that a crashed or failed caller left
// behind, until ctx ends.
func (e *Engine) sweep(ctx context.Context) {
	t := time.NewTicker(e.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sigs, err := e.store.PendingSignals(ctx, time.Now().Add(-e.sweepAge), 100)
		if err != nil {
			e.log.Warn("outbox sweep", "error", err)
			continue
		}
		if len(sigs) > 0 {
			if err := e.Deliver(ctx, sigs...); err != nil {
				e.log.Warn("outbox sweep", "error", err)
			}
		}
	}
}

// BroadcastSignal delivers a BPMN signal to every case waiting for it and
// returns how many waits it reached.
func (e *Engine) BroadcastSignal(ctx context.Context, name string, vars map[string]any) (int, error) {
	subs, err := e.store.SignalSubscriptions(ctx, name, "")
	if err != nil {
		return 0, fmt.Errorf("engine: finding waits for signal %q: %w", name, err)
	}
	sigs := make([]OutboxSignal, len(subs))
	for i, s := range subs {
		sigs[i] = OutboxSignal{CaseID: s.CaseID, Channel: s.WaitID, Signal: Signal{Kind: SignalBroadcast, Name: name, Vars: vars}}
	}
	return len(sigs), e.Send(ctx, sigs...)
}

// modelCache keeps compiled models by content hash: published versions are
// immutable, so a hash names one model forever.
type modelCache struct {
	mu       sync.Mutex
	handlers []string
	byHash   map[string]*machine.Model
}

// cacheKey names rec's model by content: the hashes of the definition and its decisions.
func cacheKey(rec *DefinitionRecord) string { return rec.Hash + "\x00" + rec.Key + decisionKey(rec) }

// lookup answers the cached model of rec (pinned or whole), or nil.
func (c *modelCache) lookup(rec *DefinitionRecord) *machine.Model {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byHash[cacheKey(rec)]
}

// get answers the model of rec, which carries its content, compiling it on a miss.
func (c *modelCache) get(rec *DefinitionRecord) (*machine.Model, error) {
	key := cacheKey(rec)
	if m := c.lookup(rec); m != nil {
		return m, nil
	}
	defs, problems, err := definitions.Parse(rec.XML)
	if err != nil {
		return nil, fmt.Errorf("engine: definition %s v%d does not parse: %w", rec.Key, rec.Version, err)
	}
	if definitions.HasErrors(problems) {
		return nil, fmt.Errorf("engine: definition %s v%d does not parse: %s", rec.Key, rec.Version, problems[0].Message)
	}
	decisions, err := compileDecisions(rec)
	if err != nil {
		return nil, err
	}
	m, err := machine.Compile(defs, rec.Key, machine.Options{Handlers: c.handlers, Decisions: decisions})
	if err != nil {
		return nil, fmt.Errorf("engine: definition %s v%d: %w", rec.Key, rec.Version, err)
	}
	c.mu.Lock()
	c.byHash[key] = m
	c.mu.Unlock()
	return m, nil
}
