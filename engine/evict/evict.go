// Package evict keeps go-workflows' cache of workflow executors true to the engine store.
package evict

import (
	"context"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow/executor"
	"github.com/cschleiden/go-workflows/workflow/executor/cache"
)

// go-workflows v1.2.0 keeps a case's workflow executor in a cache between workflow tasks, and
// the executor moves its history forward as it runs a task. When the task's completion then
// fails (the engine store is unreachable: a Redis restart, a database error), the task comes
// back after its lock times out, but the cached executor is already past it: every attempt
// ends in "task has older history than current state", and as each attempt refreshes the cache
// entry, the case stalls for as long as the process lives (TestRedisRestartedMidRun found it).
// Evicting the executor when a completion fails makes the returning task replay the case from
// its stored history, as after a restart.

// Wrap returns the backend a worker is to use and sets opts' executor cache (of
// opts.WorkflowExecutorCacheSize and TTL), so that a failed workflow-task completion evicts
// that instance's executor. Pass the same opts to worker.New.
func Wrap(b backend.Backend, opts *worker.Options) backend.Backend {
	c := cache.NewWorkflowExecutorLRUCache(b.Metrics(), opts.WorkflowExecutorCacheSize, opts.WorkflowExecutorCacheTTL)
	opts.WorkflowExecutorCache = c
	return &evictOnFailure{Backend: b, cache: c}
}

// evictOnFailure is the engine store as the worker sees it: a failed CompleteWorkflowTask
// evicts the instance's cached executor.
type evictOnFailure struct {
	backend.Backend
	cache executor.Cache
}

// CompleteWorkflowTask completes the task in the engine store, and evicts the instance's
// executor when that fails.
func (b *evictOnFailure) CompleteWorkflowTask(ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executedEvents, activityEvents, timerEvents []*history.Event, workflowEvents []*history.WorkflowEvent) error {
	err := b.Backend.CompleteWorkflowTask(ctx, task, state, executedEvents, activityEvents, timerEvents, workflowEvents)
	if err != nil {
		// The completion's context may be the failed one; eviction is local and must happen.
		_ = b.cache.Evict(context.WithoutCancel(ctx), task.WorkflowInstance)
	}
	return err
}
