package app

import (
	"errors"
	"fmt"
	"time"
)

// Kind says what sort of refusal an Error is; handlers turn it into an HTTP status.
type Kind int

// Kinds of refusal.
const (
	Invalid         Kind = iota + 1 // the input breaks a rule (400)
	Unauthenticated                 // no or bad credentials (401)
	Forbidden                       // the actor may not (403)
	NotFound                        // nothing there, or nothing the actor may see (404)
	Conflict                        // the state does not allow it now (409)
	Unprocessable                   // understood, but refused as it stands (422)
	TooLarge                        // the content is larger than allowed (413)
	Unsupported                     // the content is of a type not accepted (415)
	TooMany                         // slow down (429)
	Unavailable                     // a part the use case needs is down (503)
)

// Error is a use case's refusal: a machine-readable Code, a Message for people (Chinese
// centres read English codes and these messages in logs and tools), and the request Field it
// concerns when there is one.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string
	// RetryAfter, for TooMany, is when to try again.
	RetryAfter time.Duration
	err        error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error the refusal was made from, if any.
func (e *Error) Unwrap() error { return e.err }

// Is matches another *Error with the same Code, so that errors.Is(err, ErrNoAuthority)
// holds for any no_authority refusal whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code && t.Kind == e.Kind
}

// refuse makes an Error of kind with code and a formatted message.
func refuse(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// onField sets the field an Error concerns.
func (e *Error) onField(field string) *Error {
	e.Field = field
	return e
}

// Codes shared by several areas; an area keeps its own codes beside its use cases.
const (
	CodeNoAuthority       = "no_authority"       // 403: the task or case is not the actor's to act on
	CodeForbidden         = "forbidden"          // 403: the actor's role may not
	CodeEngineUnavailable = "engine_unavailable" // 503: no workflow engine runs in this process
	CodeTaskClosed        = "task_closed"        // 409: the task is completed, cancelled or being completed
	CodeTaskHeld          = "task_held"          // 409: someone else holds the task (claimed, delegated)
)

// Sentinels to test refusals with errors.Is.
var (
	// ErrNoAuthority: the actor has no authority over the task (neither theirs, nor their
	// unit's, nor delegated to them) or the case.
	ErrNoAuthority = &Error{Kind: Forbidden, Code: CodeNoAuthority, Message: "no authority"}
	// ErrEngineUnavailable: the use case signals a case and no engine runs here.
	ErrEngineUnavailable = &Error{Kind: Unavailable, Code: CodeEngineUnavailable, Message: "the workflow engine is not running in this process"}
)

// noAuthority refuses an action for lack of authority, saying whose it is.
func noAuthority(format string, args ...any) *Error {
	return refuse(Forbidden, CodeNoAuthority, format, args...)
}

// asError returns err's *Error, if it is or wraps one.
func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
