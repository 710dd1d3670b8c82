package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

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
	codeNotifyOnce       = "notify_once"         // 409: a second notice the notify-once rule forbids
	codeNoOpenNotice     = "no_open_notice"      // 409: a supplement while no notice waits for one
	codeNoAuthority      = "no_authority"        // 403: the task is not the caller's, their unit's or delegated to them
	codeTaskClosed       = "task_closed"         // 409: the task is completed, cancelled or being completed
	codeTaskHeld         = "task_held"           // 409: someone else holds the task (claimed, delegated)
	codeCaseDecided      = "case_decided"        // 409: the case was decided or has ended
	codeCaseWithdrawn    = "case_withdrawn"      // 409: the applicant withdrew the case
	codeTooManyAttempts  = "too_many_attempts"   // 429: sign-ins are being slowed
	codeInternal         = "internal_error"      // 500
)

// writeError answers with status and the error JSON and stops the handler chain.
func writeError(c *gin.Context, status int, code, message string, fields ...FieldError) {
	c.AbortWithStatusJSON(status, ErrorResponse{Error: ErrorBody{Code: code, Message: message, Fields: fields}})
}

// fail answers with the status that err calls for: store.InvalidError and ErrInvalid 400,
// ErrReference 400, ErrNotFound 404, ErrNoAuthority 403, ErrNotifyOnce, ErrNoOpenNotice,
// ErrTaskClosed, ErrTaskHeld, ErrDecided and ErrWithdrawn 409 with their own codes, ErrConflict
// 409, anything else 500 (logged, and answered without details).
func (h *api) fail(c *gin.Context, err error) {
	var inv *store.InvalidError
	switch {
	case errors.As(err, &inv):
		writeError(c, http.StatusBadRequest, codeValidation, inv.Error(), FieldError{Field: inv.Field, Message: inv.Message})
	case errors.Is(err, store.ErrInvalid):
		writeError(c, http.StatusBadRequest, codeValidation, err.Error())
	case errors.Is(err, store.ErrReference):
		writeError(c, http.StatusBadRequest, codeInvalidReference, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(c, http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, store.ErrNoAuthority):
		writeError(c, http.StatusForbidden, codeNoAuthority, err.Error())
	case errors.Is(err, store.ErrNotifyOnce):
		writeError(c, http.StatusConflict, codeNotifyOnce, err.Error())
	case errors.Is(err, store.ErrNoOpenNotice):
		writeError(c, http.StatusConflict, codeNoOpenNotice, err.Error())
	case errors.Is(err, store.ErrTaskClosed):
		writeError(c, http.StatusConflict, codeTaskClosed, err.Error())
	case errors.Is(err, store.ErrTaskHeld):
		writeError(c, http.StatusConflict, codeTaskHeld, err.Error())
	case errors.Is(err, store.ErrDecided):
		writeError(c, http.StatusConflict, codeCaseDecided, err.Error())
	case errors.Is(err, store.ErrWithdrawn):
		writeError(c, http.StatusConflict, codeCaseWithdrawn, err.Error())
	case errors.Is(err, store.ErrConflict):
		writeError(c, http.StatusConflict, codeConflict, err.Error())
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		c.Abort()
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
