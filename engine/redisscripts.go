package engine

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// redisScripts keeps go-workflows' Lua scripts loaded in Redis across a Redis restart.
//
// Why: go-workflows v1.2.0's Redis backend loads its scripts once, when it is made (SCRIPT
// LOAD), and then runs them by hash (EVALSHA). A restarted Redis has an empty script cache.
// Outside a pipeline go-redis falls back to EVAL on NOSCRIPT, but the backend runs several
// scripts inside transactions (completing a task, enqueueing one, adding payloads), where no
// fallback happens: every workflow and activity task failed to complete with "NOSCRIPT No
// matching script" until the process itself was restarted, and every case stalled. So this
// hook remembers each script the backend loads and loads them all again on every new
// connection (OnConnect): after a Redis restart every connection is new, so the scripts are
// back before the first command runs. Loading is idempotent (the hash is the script's).
type redisScripts struct {
	mu      sync.Mutex
	sources map[string]string // sha1 -> source
}

func newRedisScripts() *redisScripts { return &redisScripts{sources: map[string]string{}} }

// onConnect loads every remembered script on a new connection (redis.Options.OnConnect). An
// error fails the connection, so that the command waiting for it is retried on another.
func (s *redisScripts) onConnect(ctx context.Context, cn *redis.Conn) error {
	s.mu.Lock()
	srcs := make([]string, 0, len(s.sources))
	for _, src := range s.sources {
		srcs = append(srcs, src)
	}
	s.mu.Unlock()
	for _, src := range srcs {
		if err := cn.ScriptLoad(ctx, src).Err(); err != nil {
			return err
		}
	}
	return nil
}

// remember records the source of a SCRIPT LOAD command.
func (s *redisScripts) remember(cmd redis.Cmder) {
	args := cmd.Args()
	if len(args) != 3 || !strings.EqualFold(argString(args[0]), "script") || !strings.EqualFold(argString(args[1]), "load") {
		return
	}
	src := argString(args[2])
	sum := sha1.Sum([]byte(src))
	s.mu.Lock()
	s.sources[hex.EncodeToString(sum[:])] = src
	s.mu.Unlock()
}

func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// DialHook implements redis.Hook.
func (s *redisScripts) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook: it remembers the scripts loaded.
func (s *redisScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err == nil {
			s.remember(cmd)
		}
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (s *redisScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
