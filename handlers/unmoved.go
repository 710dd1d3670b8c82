package handlers

// Helpers of the areas not yet moved onto the use-case layer (procedures, complaints,
// ratings): they go when those areas call app, whose use cases refuse without an engine
// themselves (app.ErrEngineUnavailable) and check a case runs (app's runningCase).

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

// needEngine answers 503 when this server runs no engine.
func (h *api) needEngine(c *gin.Context) {
	if h.Engine == nil {
		writeError(c, http.StatusServiceUnavailable, codeEngineUnavailable, "this server runs no workflow engine")
		return
	}
	c.Next()
}

// opError is a refusal with its own status and code.
type opError struct {
	status  int
	code    string
	message string
}

func (e *opError) Error() string { return e.message }

// runningCase returns the case's row, ErrNotFound, or a case_ended refusal.
func runningCase(ctx context.Context, q store.Q, id string) (*store.CaseRow, error) {
	row, err := store.GetCaseRow(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if store.CaseEnded(row.Status) {
		return nil, &opError{http.StatusConflict, codeCaseEnded, fmt.Sprintf("case %s has ended (%s)", id, row.Status)}
	}
	return row, nil
}
