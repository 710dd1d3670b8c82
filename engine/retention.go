package engine

import (
	"context"
	"errors"
	"time"

	"github.com/cschleiden/go-workflows/backend"
)

// DefaultRetention is how long a finished case's engine history is kept by
// default (--engine-retention): long enough to diagnose a case that ended
// wrongly; the case row, its action log and its audit trail stay for good.
const DefaultRetention = 30 * 24 * time.Hour

// RemoveFinished removes from the engine store every workflow instance that
// finished before before, with go-workflows' own removal. The application
// tables are untouched: queries never read the engine's history.
func (e *Engine) RemoveFinished(ctx context.Context, before time.Time) error {
	err := e.backend.RemoveWorkflowInstances(ctx, backend.RemoveFinishedBefore(before), backend.RemoveFinishedBatchSize(500))
	var unsupported backend.ErrNotSupported
	if errors.As(err, &unsupported) {
		// Redis expires finished instances itself (BackendOptions.Retention).
		return nil
	}
	return err
}

// RunRetention removes finished instances older than retention from the
// engine store once at start and then every interval, until ctx ends. It
// runs in every process that runs workers; several at once only repeat the
// same deletes.
func (e *Engine) RunRetention(ctx context.Context, retention, interval time.Duration) {
	if retention <= 0 || e.backend == nil {
		return
	}
	log := e.log
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		began := time.Now()
		if err := e.RemoveFinished(ctx, began.Add(-retention)); err != nil && ctx.Err() == nil {
			log.Warn("engine retention: removing finished cases' engine history", "error", err)
		} else if took := time.Since(began); took > time.Second {
			log.Info("engine retention: finished cases' engine history removed", "took", took.Round(time.Millisecond))
		}
		t.Reset(interval)
	}
}
