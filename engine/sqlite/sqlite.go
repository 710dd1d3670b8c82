// Copied from github.com/cschleiden/go-workflows v1.2.0 backend/sqlite
// (MIT licence, Copyright (c) 2022 Christopher Schleiden; see LICENSE here)
// and changed by onewindow where marked "onewindow:".

// Package sqlite is onewindow's engine store on SQLite: go-workflows v1.2.0's
// SQLite backend with its workflow-task poll driven by due work. The upstream
// poll walks every open instance (an EXISTS over pending events per instance),
// so an idle server's CPU grew with the number of open cases; here a poll
// reads the index over pending events' visible time and costs the same with
// ten or a hundred thousand cases waiting. The schema is upstream's (the
// same database files open with either), plus one index (migration 4).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	_ "embed"
	"errors"
	"fmt"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/metrics"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	_ "modernc.org/sqlite"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed db/migrations/*.sql
var migrationsFS embed.FS

// NewInMemory opens a private in-memory engine store, for tests; it panics
// when SQLite cannot open one.
func NewInMemory(opts ...Option) *Backend {
	// Use a unique named in-memory database
	dsn := fmt.Sprintf("file:%s?mode=memory&cache=shared", uuid.NewString())
	b, err := open(dsn, opts...)
	if err != nil {
		panic(err)
	}

	b.db.SetConnMaxIdleTime(0)
	b.db.SetMaxIdleConns(1)

	// WORKAROUND: Keep a connection open at all times to prevent the in-memory db from being dropped
	b.db.SetMaxOpenConns(2)

	b.memConn, err = b.db.Conn(context.Background())
	if err != nil {
		panic(err)
	}

	return b
}

// Open opens (creating and migrating it if needed) the engine store in the
// SQLite file path; path may carry query parameters such as _pragma.
// onewindow: errors are returned where upstream panics.
func Open(path string, opts ...Option) (*Backend, error) {
	return open(fmt.Sprintf("file:%v", path), opts...)
}

func open(dsn string, opts ...Option) (*Backend, error) {
	options := &options{
		Options:         backend.ApplyOptions(),
		ApplyMigrations: true,
		IdlePoll:        DefaultIdlePoll,
	}

	for _, opt := range opts {
		opt(options)
	}

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the engine store: %w", err)
	}

	// Set WAL mode via PRAGMA
	if _, err := db.Exec("PRAGMA journal_mode=WAL;"); err != nil {
		db.Close()
		return nil, fmt.Errorf("engine store: setting WAL mode: %w", err)
	}

	if _, err = db.Exec("PRAGMA busy_timeout = 5000;"); err != nil {
		db.Close()
		return nil, fmt.Errorf("engine store: setting the busy timeout: %w", err)
	}

	// SQLite does not support multiple writers on the database, see https://www.sqlite.org/faq.html#q5
	// A frequently used workaround is to have a single connection, effectively acting as a mutex
	// See https://github.com/mattn/go-sqlite3/issues/274 for more context
	db.SetMaxOpenConns(1)

	b := &Backend{
		db:         db,
		workerName: getWorkerName(options),
		options:    options,
	}

	// Apply migrations
	if options.ApplyMigrations {
		if err := b.Migrate(); err != nil {
			db.Close()
			return nil, err
		}
	}

	return b, nil
}

// Backend implements go-workflows' backend.Backend on one SQLite file.
type Backend struct {
	db         *sql.DB
	workerName string
	options    *options

	memConn *sql.Conn

	// onewindow: wake-ups of the pollers waiting for workflow and activity work (wake.go).
	wfWake, actWake wakeup
}

var _ backend.Backend = (*Backend)(nil)

// FeatureSupported implements backend.Backend: every feature is.
func (sb *Backend) FeatureSupported(feature backend.Feature) bool {
	return true
}

// Close closes the database.
func (sb *Backend) Close() error {
	if sb.memConn != nil {
		if err := sb.memConn.Close(); err != nil {
			return err
		}
	}

	return sb.db.Close()
}

// Migrate applies any pending database migrations.
func (sb *Backend) Migrate() error {
	sb.options.Logger.Info("Applying migrations...")

	dbi, err := sqlite.WithInstance(sb.db, &sqlite.Config{})
	if err != nil {
		return fmt.Errorf("creating migration instance: %w", err)
	}

	migrations, err := iofs.New(migrationsFS, "db/migrations")
	if err != nil {
		return fmt.Errorf("creating migration source: %w", err)
	}

	m, err := migrate.NewWithInstance("iofs", migrations, "sqlite", dbi)
	if err != nil {
		return fmt.Errorf("creating migration: %w", err)
	}

	if err := m.Up(); err != nil {
		if !errors.Is(err, migrate.ErrNoChange) {
			return fmt.Errorf("running migrations: %w", err)
		}

		sb.options.Logger.Info("No migrations to apply")
	}

	return nil
}

// Metrics implements backend.Backend.
func (sb *Backend) Metrics() metrics.Client {
	return sb.options.Metrics.WithTags(metrics.Tags{"backend": "sqlite"})
}

// Tracer implements backend.Backend.
func (sb *Backend) Tracer() trace.Tracer {
	return sb.options.TracerProvider.Tracer(backend.TracerName)
}

// Options implements backend.Backend.
func (sb *Backend) Options() *backend.Options {
	return sb.options.Options
}
