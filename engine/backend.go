package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	redisbackend "github.com/cschleiden/go-workflows/backend/redis"
	sqlitebackend "github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/redis/go-redis/v9"
)

// BackendOptions configure OpenBackend.
type BackendOptions struct {
	// WorkerName must be stable across restarts of one process: with a
	// random name a restarted process waits 30 s for its own sticky workflows.
	WorkerName string
	// KeyPrefix separates several onewindow installations (or tests) on one Redis.
	KeyPrefix string
	Logger    *slog.Logger
}

// OpenBackend opens go-workflows' state store from dsn:
//
//	sqlite:data/engine.db       an SQLite file (the embedded default)
//	redis://host:6379/0         Redis, for several processes; run it with appendonly yes
func OpenBackend(dsn string, opts BackendOptions) (b backend.Backend, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	common := []backend.BackendOption{
		backend.WithWorkerName(opts.WorkerName),
		backend.WithLogger(opts.Logger),
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("engine store %q: no file named", dsn)
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("engine store: creating %s: %w", dir, err)
			}
		}
		// The go-workflows SQLite backend panics instead of returning errors.
		defer func() {
			if p := recover(); p != nil {
				b, err = nil, fmt.Errorf("engine store %s: %v", path, p)
			}
		}()
		// NORMAL is durable in WAL mode against a process crash (kill -9);
		// only an OS crash may lose the last transactions.
		return sqlitebackend.NewSqliteBackend(path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)",
			sqlitebackend.WithBackendOptions(common...)), nil
	case strings.HasPrefix(dsn, "redis://") || strings.HasPrefix(dsn, "rediss://"):
		ropts, err := redis.ParseURL(dsn)
		if err != nil {
			return nil, fmt.Errorf("engine store %q: %w", dsn, err)
		}
		client := redis.NewClient(ropts)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Ping(ctx).Err(); err != nil {
			return nil, fmt.Errorf("engine store %s: %w", ropts.Addr, err)
		}
		if aof, err := client.ConfigGet(ctx, "appendonly").Result(); err == nil && aof["appendonly"] != "yes" {
			opts.Logger.Warn("Redis runs without its append-only file: a Redis restart can lose engine state; set appendonly yes",
				"addr", ropts.Addr)
		}
		return redisbackend.NewRedisBackend(client,
			redisbackend.WithKeyPrefix(opts.KeyPrefix),
			redisbackend.WithBlockTimeout(time.Second),
			redisbackend.WithBackendOptions(common...))
	}
	return nil, fmt.Errorf("engine store %q: want sqlite:PATH or redis://HOST:PORT/DB", dsn)
}
