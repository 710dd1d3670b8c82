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

	"onewindow/handlers"
	"onewindow/store"
	"onewindow/store/demo"
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

	if cfg.Demo {
		loaded, err := demo.Load(ctx, db)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if loaded {
			log.Info("demo organisation and users loaded", "password", demo.Password)
		} else {
			log.Info("database not empty: demo data not loaded")
		}
	}

	secret, err := tokenSecret(ctx, cfg, db)
	if err != nil {
		return err
	}

	stopEngine, err := startEngine(ctx, cfg, db, log)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}

	h := handlers.New(handlers.Deps{DB: db, TokenSecret: secret, TokenTTL: cfg.TokenTTL, Logger: log, Version: version})
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
		"swagger", "http://"+ln.Addr().String()+"/swagger/index.html", "db", dbKind(cfg.DB), "engine_store", cfg.EngineStore.Kind)

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

// startEngine is where the workflow engine (go-workflows on cfg.EngineStore, with a stable
// worker name) is started once it exists; it returns the function that stops it. For now it
// starts nothing.
func startEngine(ctx context.Context, cfg *config, db *store.DB, log *slog.Logger) (stop func(context.Context) error, err error) {
	log.Debug("workflow engine not wired yet", "engine_store", cfg.EngineStore.DSN)
	return func(context.Context) error { return nil }, nil
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
