// Package storetest gives tests a migrated, empty database of their own: SQLite always, and
// PostgreSQL when ONEWINDOW_TEST_POSTGRES_DSN is set (each test in a fresh schema, dropped after).
//
// Without the variable the PostgreSQL subtests are skipped with a reason; with
// ONEWINDOW_TEST_REQUIRE_SERVICES=1 (as in CI) they fail instead, so that CI cannot go green by
// silently not testing PostgreSQL. The same rule applies to Redis through RedisAddr.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/store"
)

// Environment variables read by this package.
const (
	EnvPostgres = "ONEWINDOW_TEST_POSTGRES_DSN"     // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	EnvRedis    = "ONEWINDOW_TEST_REDIS_ADDR"       // e.g. 127.0.0.1:6379
	EnvRequire  = "ONEWINDOW_TEST_REQUIRE_SERVICES" // "1": a missing variable fails the test instead of skipping it
)

// missing skips t because the service named by env is not configured, or fails it when
// services are required.
func missing(t testing.TB, env, what string) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s not set but %s=1: %s is required", env, EnvRequire, what)
	}
	t.Skipf("%s not set: %s tests skipped", env, what)
}

// SQLite returns a migrated database in a new SQLite file under t.TempDir(), closed when t ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
}

// Postgres returns a migrated database in a new PostgreSQL schema, dropped when t ends. Without
// ONEWINDOW_TEST_POSTGRES_DSN it skips t (or fails it, when services are required).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	schema := "t_" + store.NewID()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s on %s: %v", schema, EnvPostgres, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	return open(t, u.String()) // registered after the drop, so it runs (and closes) first
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	// Generous: every package's tests migrate fresh databases at once on a 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}

// Each runs fn as a subtest "sqlite" on SQLite and a subtest "postgres" on PostgreSQL, each
// with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// PostgresDSN returns ONEWINDOW_TEST_POSTGRES_DSN, skipping t (or failing it, when services are
// required) when it is not set. Tests that need a raw server rather than a schema use it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		missing(t, EnvPostgres, "PostgreSQL")
	}
	return dsn
}

// RedisAddr returns ONEWINDOW_TEST_REDIS_ADDR (host:port), skipping t (or failing it, when
// services are required) when it is not set.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := strings.TrimSpace(os.Getenv(EnvRedis))
	if addr == "" {
		missing(t, EnvRedis, "Redis")
	}
	return addr
}
