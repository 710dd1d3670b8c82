package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

// Issue 10, defect 18: a 409 says what conflicts in its own words, with the code of the
// conflict, and never ends in the text of the store's sentinel it wraps (": already exists",
// ": the task is held by someone else: already exists").
func TestConflictMessagesEndInTheirOwnWords(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, c := range []struct {
		sentinel error
		code     string
	}{
		{store.ErrTaskHeld, codeTaskHeld},
		{store.ErrTaskClosed, codeTaskClosed},
		{store.ErrDecided, codeCaseDecided},
		{store.ErrWithdrawn, codeCaseWithdrawn},
		{store.ErrNoOpenNotice, codeNoOpenNotice},
		{store.ErrProcedureNotOpen, codeConflict},
		{store.ErrConflict, codeConflict},
	} {
		const said = "task T-1 (受理) is claimed by clerk2 since 2025-11-30 09:00"
		w := httptest.NewRecorder()
		ctx, _ := gin.CreateTestContext(w)
		ctx.Request = httptest.NewRequest(http.MethodPost, "/api/v1/tasks/T-1/complete", nil)
		(&api{}).fail(ctx, fmt.Errorf("%s: %w", said, c.sentinel))
		var body ErrorResponse
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: %v %s", c.sentinel, err, w.Body)
		}
		if w.Code != http.StatusConflict || body.Error.Code != c.code || body.Error.Message != said {
			t.Errorf("%q: %d %+v, want 409 %s %q", c.sentinel, w.Code, body.Error, c.code, said)
		}
		if strings.Contains(body.Error.Message, store.ErrConflict.Error()) {
			t.Errorf("%q: message %q ends in a sentinel's text", c.sentinel, body.Error.Message)
		}
	}
}
