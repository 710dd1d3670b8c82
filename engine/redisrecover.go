package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisTaskGroup is the consumer group of go-workflows' Redis task streams (v1.2.0).
const redisTaskGroup = "task-workers"

// ReclaimOwnTasks makes the workflow and activity tasks that the worker named worker still
// holds in Redis available to be taken at once, and returns how many there were. Call it when
// a process starts, before its workers do: whatever its name holds then was in flight when the
// previous process of that name died.
//
// Why: go-workflows v1.2.0 reads new tasks with XREADGROUP ">" and takes a dead worker's
// pending tasks back only with XAUTOCLAIM once they have been idle for the lock timeout
// (LockTimeout, 20 s), even when the restarted process has the same consumer name, so every
// case whose step was in flight stalled that long. Claiming our own pending entries with their
// idle time set past the lock timeout lets the next XAUTOCLAIM, of this process or another
// worker, take them within one poll. keyPrefix is the backend's key prefix ("" for none).
func ReclaimOwnTasks(ctx context.Context, dsn, keyPrefix, worker string, lockTimeout time.Duration) (int, error) {
	if worker == "" {
		return 0, fmt.Errorf("reclaiming tasks: no worker name")
	}
	opts, err := redis.ParseURL(dsn)
	if err != nil {
		return 0, fmt.Errorf("reclaiming tasks: engine store %q: %w", dsn, err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if keyPrefix != "" && !strings.HasSuffix(keyPrefix, ":") {
		keyPrefix += ":"
	}
	idle := (lockTimeout + time.Second).Milliseconds()
	n := 0
	for _, kind := range []string{"workflows", "activities"} {
		// The backend keeps the set of its queues' task sets; each has a stream beside it.
		sets, err := rdb.SMembers(ctx, keyPrefix+kind+":queues").Result()
		if err != nil {
			return n, fmt.Errorf("reclaiming %s tasks: listing queues: %w", kind, err)
		}
		for _, set := range sets {
			rest, ok := strings.CutPrefix(set, keyPrefix+"task-set:")
			if !ok {
				continue
			}
			m, err := reclaimStream(ctx, rdb, keyPrefix+"task-stream:"+rest, worker, idle)
			n += m
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// reclaimStream claims worker's pending entries of one stream with their idle time set to
// idle milliseconds, a batch at a time.
func reclaimStream(ctx context.Context, rdb *redis.Client, stream, worker string, idle int64) (int, error) {
	n := 0
	start := "-"
	for {
		pending, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: redisTaskGroup,
			Start: start, End: "+", Count: 100, Consumer: worker}).Result()
		if err != nil {
			if redis.HasErrorPrefix(err, "NOGROUP") || errors.Is(err, redis.Nil) { // the reply's error code, as the client reads it
				return n, nil // no worker ever read this stream
			}
			return n, fmt.Errorf("reclaiming tasks of %s: pending entries: %w", stream, err)
		}
		if len(pending) == 0 {
			return n, nil
		}
		args := []any{"XCLAIM", stream, redisTaskGroup, worker, 0}
		for _, p := range pending {
			args = append(args, p.ID)
		}
		// JUSTID leaves the delivery counter alone; IDLE makes the entries look abandoned.
		args = append(args, "IDLE", idle, "JUSTID")
		if err := rdb.Do(ctx, args...).Err(); err != nil && err != redis.Nil {
			return n, fmt.Errorf("reclaiming tasks of %s: %w", stream, err)
		}
		n += len(pending)
		if len(pending) < 100 {
			return n, nil
		}
		start = "(" + pending[len(pending)-1].ID
	}
}
