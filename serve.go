package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cschleiden/go-workflows/backend"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/handlers"
	"onewindow/store"
	"onewindow/web"
)

// runServe implements "onewindow serve": migrate, optionally load the demo, start the engine
// and serve HTTP until SIGINT or SIGTERM, then drain requests and stop.
func runServe(args []string) int {
	cfg, err := loadConfig("serve", args)
	if err != nil {
		return usageError(err)
	}
	log := newLogger(cfg)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("onewindow stopped", "err", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg *config, log *slog.Logger) error {
	db, err := openAndMigrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	go store.KeepOptimized(ctx, db, log) // planner statistics now and every few hours (store/optimize.go)

	// Items run the standard flows: deploy and publish any that this
	// release ships and the database does not have yet.
	published, err := store.EnsureStandardFlows(ctx, db, "system")
	if err != nil {
		return fmt.Errorf("standard flows: %w", err)
	}
	for _, d := range published {
		log.Info("standard flow published", "key", d.Key, "version", d.Version)
	}
	// E-supervision starts rectifications and complaints as cases of its own processes.
	if published, err = store.EnsureSupervisionFlows(ctx, db, "system"); err != nil {
		return fmt.Errorf("supervision processes: %w", err)
	}
	for _, d := range published {
		log.Info("supervision process published", "key", d.Key, "version", d.Version)
	}

	if cfg.Demo {
		loaded, err := demo.Load(ctx, db)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if loaded {
			log.Info("demo organisation, users and catalogue loaded", "password", demo.Password, "items", len(demo.Items()))
		} else {
			log.Info("database not empty: demo data not loaded")
			// A demo database from before the catalogue existed gets it now.
			if loaded, err = demo.LoadCatalogue(ctx, db); err != nil {
				return fmt.Errorf("load demo catalogue: %w", err)
			} else if loaded {
				log.Info("demo catalogue loaded", "items", len(demo.Items()))
			}
		}
	}

	secret, err := tokenSecret(ctx, cfg, db)
	if err != nil {
		return err
	}

	// The engine calls back into the use cases (e-supervision's hooks), and the use cases
	// drive the engine: the App comes first, the engine is built with its hooks, and the App
	// then gets the engine before anything is served.
	uc := app.New(app.Config{DB: db, Logger: log, DataDir: cfg.DataDir, TokenSecret: secret, TokenTTL: cfg.TokenTTL,
		Outbound: cfg.Outbound.appConfig(cfg.Addr, log), CountsMaxAge: time.Minute})
	metrics := handlers.NewMetrics(version, uc.OpsFigures, log)
	// The loops that run once per deployment run where this lease is held (serve_roles.go).
	sweepers := newLease(db, cfg.WorkerName, log)
	eng, b, stopEngine, err := startEngine(ctx, cfg, db, log, uc.EngineHooks(), sweepers, metrics.TaskDone)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	uc.UseEngine(eng)
	// Webhooks and notifications go out on the engine's store; they stop before it closes.
	stopOutbound, err := startOutbound(ctx, cfg, b, uc, sweepers, log)
	if err != nil {
		_ = stopEngine(context.Background())
		return err
	}
	stopEngine = stopBoth(stopOutbound, stopEngine)
	if cfg.runsWork() {
		stopEngine = stopBoth(startEngineUpkeep(ctx, cfg, eng, log), stopEngine)
		go sweepers.keep(ctx)
		// Cases stored while a previous run stopped before starting their workflow start now.
		if n, err := uc.ResumeStarting(ctx, time.Now()); err != nil {
			log.Warn("resuming cases whose workflow did not start", "resumed", n, "err", err)
		} else if n > 0 {
			log.Info("resumed cases whose workflow did not start", "cases", n)
		}
		go sweepStarts(ctx, uc, sweepers, log)
	}

	deps := handlers.Deps{App: uc, Logger: log, Version: version, TrustedProxies: cfg.TrustedProxies,
		Metrics: metrics, MetricsElsewhere: cfg.MetricsAddr != "", EngineDiagnostics: engineDiagnostics(b), Web: web.Dist()}
	h := handlers.NewWorker(deps)
	if cfg.servesAPI() {
		h = handlers.New(deps)
	}
	stopMetrics, err := serveMetrics(cfg.MetricsAddr, metrics, log)
	if err != nil {
		_ = stopEngine(context.Background())
		return err
	}
	defer stopMetrics()
	stopPprof, err := servePprof(cfg.Upkeep.PprofAddr, log)
	if err != nil {
		_ = stopEngine(context.Background())
		return err
	}
	defer stopPprof()
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = stopEngine(context.Background())
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("onewindow serving", "version", version, "url", "http://"+ln.Addr().String(),
		"swagger", "http://"+ln.Addr().String()+"/swagger/index.html", "db", dbKind(cfg.DB), "engine_store", cfg.EngineStore.Kind, "role", cfg.Role)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		_ = stopEngine(context.Background())
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("shut down HTTP: %w", err))
	}
	if err := stopEngine(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("stop engine: %w", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	log.Info("onewindow stopped")
	return errors.Join(errs...)
}

// startEngine opens go-workflows' store and builds the engine with the use cases' hooks. A
// process that runs work takes back the tasks its name held before a restart and starts the
// engine's worker under its stable name, its outbox sweep gated by sweepers; an api process
// only uses the engine's client. It returns the engine, the store (for diagnostics and
// deliveries) and the function that stops both.
func startEngine(ctx context.Context, cfg *config, db *store.DB, log *slog.Logger, hooks app.EngineHooks,
	sweepers *lease, taskDone func(kind string)) (*engine.Engine, backend.Backend, func(context.Context) error, error) {
	b, err := engine.OpenBackend(cfg.EngineStore.DSN, engine.BackendOptions{WorkerName: cfg.WorkerName, KeyPrefix: cfg.EngineStore.KeyPrefix, Logger: log,
		Retention: cfg.Upkeep.Retention, IdlePoll: cfg.Engine.PollInterval})
	if err != nil {
		return nil, nil, nil, err
	}
	cals := &store.Calendars{DB: db, Logger: log}
	var es engine.Store = store.Engine{DB: db, Calendars: cals}
	if cfg.runsWork() {
		es = leasedStore{Engine: store.Engine{DB: db, Calendars: cals}, lease: sweepers}
	}
	e, err := engine.New(engine.Config{
		Backend:   taskCounter{Backend: b, done: taskDone},
		Store:     es,
		Alarms:    store.Engine{DB: db},
		Calendars: cals,
		// e-supervision: alerts enriched and notified, steps checked against the published
		// rules, and the built-in notify handler
		OnAlert:  hooks.OnAlert,
		Observer: hooks.Observer,
		Handlers: hooks.Handlers,
		Logger:   log,
		Worker: engine.WorkerOptions{
			WorkflowPollers:          cfg.Engine.WorkflowPollers,
			ActivityPollers:          cfg.Engine.ActivityPollers,
			MaxParallelWorkflowTasks: cfg.Engine.MaxParallel,
			MaxParallelActivityTasks: cfg.Engine.MaxParallel,
			ExecutorCacheSize:        cfg.Engine.CacheSize,
		},
	})
	if err != nil {
		b.Close()
		return nil, nil, nil, err
	}
	if !cfg.runsWork() {
		log.Info("workflow engine client ready; cases run in worker processes", "engine_store", cfg.EngineStore.Kind)
		return e, b, func(context.Context) error { return b.Close() }, nil
	}
	reclaimOwnTasks(ctx, cfg, log)
	ectx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := e.Start(ectx); err != nil {
		cancel()
		b.Close()
		return nil, nil, nil, err
	}
	log.Info("workflow engine started", "engine_store", cfg.EngineStore.Kind, "worker", cfg.WorkerName)
	stop := func(context.Context) error {
		cancel()
		err := e.Wait()
		return errors.Join(err, b.Close())
	}
	return e, b, stop, nil
}

// tokenSecret returns the configured token secret, or the one kept in the database (made on
// the first start), so that tokens survive restarts and are shared by all processes.
func tokenSecret(ctx context.Context, cfg *config, db *store.DB) ([]byte, error) {
	if cfg.TokenSecret != "" {
		return []byte(cfg.TokenSecret), nil
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	s, err := store.EnsureSetting(ctx, db, "token_secret", hex.EncodeToString(b[:]))
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return []byte(s), nil
}

// runMigrate implements "onewindow migrate".
func runMigrate(args []string) int {
	cfg, err := loadConfig("migrate", args)
	if err != nil {
		return usageError(err)
	}
	log := newLogger(cfg)
	db, err := openAndMigrate(context.Background(), cfg, log)
	if err != nil {
		log.Error("migrate failed", "err", err)
		return 1
	}
	db.Close()
	return 0
}

func openAndMigrate(ctx context.Context, cfg *config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "db", dbKind(cfg.DB), "applied", applied)
	} else {
		log.Info("database schema up to date", "db", dbKind(cfg.DB))
	}
	return db, nil
}

// dbKind names the database of a DSN without credentials, for logs.
func dbKind(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	return "postgres"
}

func usageError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(os.Stderr, "onewindow:", err)
	return 2
}

// serveMetrics serves /metrics on addr ("": not apart, the API serves it), on a server of its
// own so that the metrics need not be reachable where the API is; it returns how to stop it.
func serveMetrics(addr string, m *handlers.Metrics, log *slog.Logger) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on --metrics-addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("metrics served apart", "address", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
