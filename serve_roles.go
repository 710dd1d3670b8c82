package main

// Roles: one deployment split over several processes against one PostgreSQL and one Redis
// (docs/deployment.md, "Roles"). An api process answers HTTP; the signals, case starts and
// events its requests cause are written to the outbox in their transaction and handed to the
// engine store at once (a Redis write), so it needs no worker. A worker process runs the
// go-workflows workers (cases, timers, handler activities, webhook and notification
// deliveries) and the loops that must run once per deployment: the outbox signal sweep, the
// start sweep and the delivery dispatcher. Those loops run in the one worker that holds the
// lease row "sweepers" (store.TakeLease); the others take it over within sweeperLeaseTTL of its
// holder dying. On SQLite (one process by construction) the lease is not needed.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/diag"

	"onewindow/app"
	"onewindow/engine"
	"onewindow/store"
)

// The roles of --role.
const (
	roleAll    = "all"
	roleAPI    = "api"
	roleWorker = "worker"
)

// checkRole checks --role: api and worker processes share their state through PostgreSQL and
// Redis, so a split over SQLite files is refused.
func checkRole(cfg *config) error {
	switch cfg.Role {
	case roleAll:
		return nil
	case roleAPI, roleWorker:
	default:
		return fmt.Errorf("--role %q: want api, worker or all", cfg.Role)
	}
	if strings.HasPrefix(cfg.DB, "sqlite:") || cfg.EngineStore.Kind != "redis" {
		return fmt.Errorf("--role %s: the processes of a split deployment share its state: give --db postgres://... and --engine-store redis://... (SQLite serves one process: --role all)", cfg.Role)
	}
	return nil
}

// runsWork reports whether this process runs the workers and the sweepers.
func (c *config) runsWork() bool { return c.Role != roleAPI }

// servesAPI reports whether this process answers the API (a worker answers only /healthz,
// /readyz and /metrics).
func (c *config) servesAPI() bool { return c.Role != roleWorker }

// Lease timing: the holder renews every sweeperLeaseRenew; another worker takes over at most
// sweeperLeaseTTL after the holder's last renewal.
const (
	sweeperLease      = "sweepers"
	sweeperLeaseTTL   = 10 * time.Second
	sweeperLeaseRenew = 2 * time.Second
)

// lease tells the sweepers of this process whether they may run: whether this process holds
// the deployment's lease row. With db nil (SQLite: one process) it is always held.
type lease struct {
	db     *store.DB
	holder string
	log    *slog.Logger
	held   atomic.Bool
}

// newLease returns the sweepers' lease for the process named holder.
func newLease(db *store.DB, holder string, log *slog.Logger) *lease {
	l := &lease{holder: holder, log: log}
	if db.Dialect() == store.SQLite {
		l.held.Store(true)
		return l
	}
	l.db = db
	return l
}

// Held reports whether the sweepers may run now.
func (l *lease) Held() bool { return l.held.Load() }

// keep takes and renews the lease until ctx ends, then gives it up. A failed renewal (the
// database is down) stops the sweepers at once: another process may take over.
func (l *lease) keep(ctx context.Context) {
	if l.db == nil {
		return
	}
	t := time.NewTicker(sweeperLeaseRenew)
	defer t.Stop()
	for {
		l.renew(ctx, time.Now())
		select {
		case <-ctx.Done():
			l.held.Store(false)
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = store.ReleaseLease(rctx, l.db, sweeperLease, l.holder)
			cancel()
			return
		case <-t.C:
		}
	}
}

// renew takes or renews the lease as of now and records whether it is held.
func (l *lease) renew(ctx context.Context, now time.Time) bool {
	ok, err := store.TakeLease(ctx, l.db, sweeperLease, l.holder, now, sweeperLeaseTTL)
	if err != nil && ctx.Err() == nil {
		l.log.Warn("renewing the sweepers' lease", "err", err)
	}
	held := ok && err == nil
	if was := l.held.Swap(held); was != held {
		l.log.Info("sweepers' lease", "held", held, "worker", l.holder)
	}
	return held
}

// leasedStore is the engine's store whose outbox sweep finds nothing unless this process
// holds the sweepers' lease: one process sweeps the outbox at a time. It embeds store.Engine
// itself, not the engine.Store interface, so that the optional interfaces the engine looks for
// on its store (e.g. its alarms table) stay visible.
type leasedStore struct {
	store.Engine
	lease *lease
}

// PendingSignals implements engine.Store.
func (s leasedStore) PendingSignals(ctx context.Context, before time.Time, limit int) ([]engine.OutboxSignal, error) {
	if !s.lease.Held() {
		return nil, nil
	}
	return s.Engine.PendingSignals(ctx, before, limit)
}

// sweepStarts starts, until ctx ends and while l is held, the queued cases (applications,
// rectifications, complaints) whose request died between its commit and the engine start.
func sweepStarts(ctx context.Context, uc *app.App, l *lease, log *slog.Logger) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !l.Held() {
			continue
		}
		if n, err := uc.SweepStarts(ctx, time.Now().Add(-10*time.Second)); err != nil {
			log.Warn("starting queued cases", "err", err)
		} else if n > 0 {
			log.Info("queued cases started", "count", n)
		}
	}
}

// dispatchDeliveries makes and starts the deliveries of new events and notifications every
// interval while l is held, until ctx ends.
func dispatchDeliveries(ctx context.Context, uc *app.App, l *lease, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if l.Held() {
			if _, err := uc.DispatchOutbound(ctx); err != nil && ctx.Err() == nil {
				log.Warn("dispatching deliveries", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// taskCounter counts the workflow and activity tasks this process completes (the metric
// onewindow_engine_tasks_processed_total), around go-workflows' store.
type taskCounter struct {
	backend.Backend
	done func(kind string)
}

// CompleteWorkflowTask implements backend.Backend.
func (b taskCounter) CompleteWorkflowTask(ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executed, activities, timers []*history.Event, events []*history.WorkflowEvent) error {
	err := b.Backend.CompleteWorkflowTask(ctx, task, state, executed, activities, timers, events)
	if err == nil {
		b.done("workflow")
	}
	return err
}

// Unwrap is the counted store: the engine reaches its batch signalling through it.
func (b taskCounter) Unwrap() backend.Backend { return b.Backend }

// CompleteActivityTask implements backend.Backend.
func (b taskCounter) CompleteActivityTask(ctx context.Context, task *backend.ActivityTask, result *history.Event) error {
	err := b.Backend.CompleteActivityTask(ctx, task, result)
	if err == nil {
		b.done("activity")
	}
	return err
}

// engineDiagnostics is go-workflows' diagnostics UI over b at /admin/engine/, or nil when b
// offers none.
func engineDiagnostics(b backend.Backend) http.Handler {
	if d, ok := b.(diag.Backend); ok {
		return http.StripPrefix("/admin/engine", diag.NewServeMux(d))
	}
	return nil
}

// reclaimOwnTasks makes the tasks a killed process of this worker name left pending on Redis
// available at once (engine.ReclaimOwnTasks), before this process's workers start.
func reclaimOwnTasks(ctx context.Context, cfg *config, log *slog.Logger) {
	if cfg.EngineStore.Kind != "redis" {
		return
	}
	n, err := engine.ReclaimOwnTasks(ctx, cfg.EngineStore.DSN, cfg.EngineStore.KeyPrefix, cfg.WorkerName, engine.LockTimeout)
	switch {
	case err != nil:
		log.Warn("taking back the tasks this worker held before a restart; they move on after the lock timeout", "err", err, "lock_timeout", engine.LockTimeout)
	case n > 0:
		log.Info("tasks this worker held before a restart taken back", "tasks", n, "worker", cfg.WorkerName)
	}
}
