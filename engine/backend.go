package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	redisbackend "github.com/cschleiden/go-workflows/backend/redis"
	"github.com/redis/go-redis/v9"

	enginesqlite "onewindow/engine/sqlite"
)

// BackendOptions configure OpenBackend.
type BackendOptions struct {
	// WorkerName must be stable across restarts of one process: with a
	// random name a restarted process waits 30 s for its own sticky workflows.
	WorkerName string
	// KeyPrefix separates several onewindow installations (or tests) on one Redis.
	KeyPrefix string
	Logger    *slog.Logger
	// Retention, if set, is how long Redis keeps a finished instance (its
	// auto-expiration); on SQLite RunRetention removes them.
	Retention time.Duration
	// IdlePoll is how long a poll of an SQLite engine store waits for work before it reads
	// the database again (0: engine/sqlite.DefaultIdlePoll); the store wakes its pollers at
	// once when this process writes work.
	IdlePoll time.Duration
}

// OpenBackend opens go-workflows' state store from dsn:
//
//	sqlite:data/engine.db       an SQLite file (the embedded default; engine/sqlite)
//	redis://host:6379/0         Redis, for several processes; run it with appendonly yes
func OpenBackend(dsn string, opts BackendOptions) (b backend.Backend, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	common := []backend.BackendOption{
		backend.WithWorkerName(opts.WorkerName),
		backend.WithLogger(opts.Logger),
		// Short locks, kept alive by the worker's heartbeats (WorkerOptions),
		// so that work a killed process held moves on within seconds.
		backend.WithWorkflowLockTimeout(LockTimeout),
		backend.WithActivityLockTimeout(LockTimeout),
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
		// NORMAL is durable in WAL mode against a process crash (kill -9);
		// only an OS crash may lose the last transactions.
		b, err := enginesqlite.Open(path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)",
			enginesqlite.WithBackendOptions(common...), enginesqlite.WithIdlePoll(cmp.Or(opts.IdlePoll, enginesqlite.DefaultIdlePoll)))
		if err != nil {
			return nil, fmt.Errorf("engine store %s: %w", path, err)
		}
		// The file belongs to this process: what its worker name still locks
		// was in flight when the process died.
		if err := b.ReleaseLocks(context.Background(), opts.WorkerName); err != nil {
			b.Close()
			return nil, fmt.Errorf("engine store %s: %w", path, err)
		}
		return b, nil
	case strings.HasPrefix(dsn, "redis://") || strings.HasPrefix(dsn, "rediss://"):
		ropts, err := redis.ParseURL(dsn)
		if err != nil {
			return nil, fmt.Errorf("engine store %q: %w", dsn, err)
		}
		// go-workflows' scripts are loaded again on every new connection: see redisScripts.
		scripts := newRedisScripts()
		ropts.OnConnect = scripts.onConnect
		client := redis.NewClient(ropts)
		client.AddHook(scripts)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Ping(ctx).Err(); err != nil {
			return nil, fmt.Errorf("engine store %s: %w", ropts.Addr, err)
		}
		if aof, err := client.ConfigGet(ctx, "appendonly").Result(); err == nil && aof["appendonly"] != "yes" {
			opts.Logger.Warn("Redis runs without its append-only file: a Redis restart can lose engine state; set appendonly yes",
				"addr", ropts.Addr)
		}
		ro := []redisbackend.RedisBackendOption{
			redisbackend.WithKeyPrefix(opts.KeyPrefix),
			redisbackend.WithBlockTimeout(time.Second),
			redisbackend.WithBackendOptions(common...),
		}
		if opts.Retention > 0 {
			ro = append(ro, redisbackend.WithAutoExpiration(opts.Retention))
		}
		return redisbackend.NewRedisBackend(client, ro...)
	}
	return nil, fmt.Errorf("engine store %q: want sqlite:PATH or redis://HOST:PORT/DB", dsn)
}

// LockTimeout is how long a workflow or activity task stays locked by a
// worker that stopped heartbeating (see WorkerOptions.HeartbeatInterval).
const LockTimeout = 20 * time.Second
