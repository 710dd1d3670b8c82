package engine

import (
	"context"
	"errors"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/core"
)

// readyProbe is an instance no case has: looking it up reads the engine store and finds
// nothing, on SQLite and on Redis alike.
const readyProbe = "onewindow-readiness-probe"

// Ready reports whether the engine's store answers (for /readyz): a lookup of an instance
// that does not exist must come back "not found", not with an error.
func (e *Engine) Ready(ctx context.Context) error {
	_, err := e.backend.GetWorkflowInstanceState(ctx, core.NewWorkflowInstance(readyProbe, readyProbe))
	if err == nil || errors.Is(err, backend.ErrInstanceNotFound) {
		return nil
	}
	return err
}
