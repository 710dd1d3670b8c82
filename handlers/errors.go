package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// ErrorResponse is the body of every error answer:
// {"error":{"code":"...","message":"...","fields":[{"field":"...","message":"..."}]}}.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is a machine-readable code, a message for people, and the offending fields.
type ErrorBody struct {
	Code    string       `json:"code" example:"validation_failed"`
	Message string       `json:"message" example:"the request is not valid"`
	Fields  []FieldError `json:"fields,omitempty"`
}

// FieldError names one offending field by its JSON path (e.g. "memberships[0].role").
type FieldError struct {
	Field   string `json:"field" example:"username"`
	Message string `json:"message" example:"is required"`
}

// Error codes used across the API.
const (
	codeInvalidJSON      = "invalid_json"        // 400: not JSON, wrong type, unknown field
	codeValidation       = "validation_failed"   // 400: fields break the rules; see fields
	codeInvalidID        = "invalid_id"          // 400: a path id is malformed
	codeInvalidReference = "invalid_reference"   // 400: the body names a row that does not exist
	codeBodyTooLarge     = "body_too_large"      // 413
	codeUnauthenticated  = "unauthenticated"     // 401: no credentials
	codeInvalidToken     = "invalid_token"       // 401: bad or expired token or API key
	codeBadCredentials   = "invalid_credentials" // 401: wrong username or password
	codeForbidden        = "forbidden"           // 403: signed in, but the role may not
	codeNotFound         = "not_found"           // 404
	codeConflict         = "conflict"            // 409: duplicate
	codeNoOpenNotice     = "no_open_notice"      // 409: a supplement while no notice waits for one
	codeTaskClosed       = "task_closed"         // 409: the task is completed, cancelled or being completed
	codeTaskHeld         = "task_held"           // 409: someone else holds the task (claimed, delegated)
	codeCaseDecided      = "case_decided"        // 409: the case was decided or has ended
	codeCaseWithdrawn    = "case_withdrawn"      // 409: the applicant withdrew the case
	codeTooManyAttempts  = "too_many_attempts"   // 429: sign-ins are being slowed
	codeInternal         = "internal_error"      // 500
	codeUnavailable      = "unavailable"         // 503: the database is not answering
)

// writeError answers with status and the error JSON and stops the handler chain.
func writeError(c *gin.Context, status int, code, message string, fields ...FieldError) {
	c.AbortWithStatusJSON(status, ErrorResponse{Error: ErrorBody{Code: code, Message: message, Fields: fields}})
}

// statusOf is the HTTP status of each kind of refusal.
var statusOf = map[app.Kind]int{
	app.Invalid:         http.StatusBadRequest,
	app.Unauthenticated: http.StatusUnauthorized,
	app.Forbidden:       http.StatusForbidden,
	app.NotFound:        http.StatusNotFound,
	app.Conflict:        http.StatusConflict,
	app.Unprocessable:   http.StatusUnprocessableEntity,
	app.TooLarge:        http.StatusRequestEntityTooLarge,
	app.Unsupported:     http.StatusUnsupportedMediaType,
	app.TooMany:         http.StatusTooManyRequests,
	app.Unavailable:     http.StatusServiceUnavailable,
}

// conflicts are the store's sentinels whose text only repeats what the code says; a message
// that ends in one loses it.
var conflicts = []error{store.ErrTaskClosed, store.ErrTaskHeld, store.ErrDecided, store.ErrWithdrawn, store.ErrNoOpenNotice,
	store.ErrProcedureNotOpen, store.ErrConflict}

// plain is err's message without the trailing texts of the sentinels it wraps.
func plain(err error) string {
	msg := err.Error()
	for again := true; again; {
		again = false
		for _, s := range conflicts {
			if m, ok := strings.CutSuffix(msg, ": "+s.Error()); ok {
				msg, again = m, true
			}
		}
	}
	return msg
}

// fail answers with the status that err calls for: an *app.Error by its kind and code;
// store.InvalidError and ErrInvalid 400, ErrReference 400, ErrNotFound 404, ErrNoOpenNotice,
// ErrTaskClosed, ErrTaskHeld, ErrDecided and ErrWithdrawn 409 with their own codes, ErrConflict
// 409; a database that does not answer (store.IsUnavailable) 503; anything else 500 (logged, and
// answered without details).
func (h *api) fail(c *gin.Context, err error) {
	var (
		inv *store.InvalidError
		ae  *app.Error
	)
	switch {
	case errors.As(err, &ae):
		if ae.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(int(ae.RetryAfter.Seconds()+0.999)))
		}
		var fields []FieldError
		if ae.Field != "" {
			fields = append(fields, FieldError{Field: ae.Field, Message: ae.Message})
		}
		writeError(c, statusOf[ae.Kind], ae.Code, ae.Message, fields...)
	case errors.As(err, &inv):
		writeError(c, http.StatusBadRequest, codeValidation, inv.Error(), FieldError{Field: inv.Field, Message: inv.Message})
	case errors.Is(err, store.ErrInvalid):
		writeError(c, http.StatusBadRequest, codeValidation, err.Error())
	case errors.Is(err, store.ErrReference):
		writeError(c, http.StatusBadRequest, codeInvalidReference, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, store.ErrNoOpenNotice):
		writeError(c, http.StatusConflict, codeNoOpenNotice, plain(err))
	case errors.Is(err, store.ErrTaskClosed):
		writeError(c, http.StatusConflict, codeTaskClosed, plain(err))
	case errors.Is(err, store.ErrTaskHeld):
		writeError(c, http.StatusConflict, codeTaskHeld, plain(err))
	case errors.Is(err, store.ErrDecided):
		writeError(c, http.StatusConflict, codeCaseDecided, plain(err))
	case errors.Is(err, store.ErrWithdrawn):
		writeError(c, http.StatusConflict, codeCaseWithdrawn, plain(err))
	case errors.Is(err, store.ErrConflict):
		writeError(c, http.StatusConflict, codeConflict, plain(err))
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		c.Abort()
	case store.IsUnavailable(err):
		h.log(c).Warn("database unavailable", "err", err)
		c.Header("Retry-After", "1")
		writeError(c, http.StatusServiceUnavailable, codeUnavailable, "the database is not answering; nothing was changed, try again shortly")
	default:
		h.log(c).Error("request failed", "err", err)
		writeError(c, http.StatusInternalServerError, codeInternal, "internal error; quote request id "+requestIDOf(c))
	}
}

// prefixField puts prefix before the field of a store.InvalidError, for an error about one item
// of a list in the request (e.g. "memberships[2].").
func prefixField(err error, prefix string) error {
	var inv *store.InvalidError
	if errors.As(err, &inv) {
		return &store.InvalidError{Field: prefix + inv.Field, Message: inv.Message}
	}
	return err
}
