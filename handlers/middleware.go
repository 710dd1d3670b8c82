package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

const (
	requestIDHeader = "X-Request-ID"
	ctxRequestID    = "onewindow.requestID"
	ctxPrincipal    = "onewindow.principal"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestID takes the caller's X-Request-ID when it is sane, or makes one, and echoes it in the
// response so that a client and the server logs can name the same request.
func (h *api) requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !requestIDRE.MatchString(id) {
		id = store.NewID()
	}
	c.Set(ctxRequestID, id)
	c.Header(requestIDHeader, id)
	c.Next()
}

// requestIDOf returns the id of the request c.
func requestIDOf(c *gin.Context) string { return c.GetString(ctxRequestID) }

// log returns the logger for request c: the server's, with the request id (and the user, once
// authenticated).
func (h *api) log(c *gin.Context) *slog.Logger {
	l := h.Logger.With("request_id", requestIDOf(c))
	if p := principalOf(c); p != nil {
		l = l.With("user", p.Username)
	}
	return l
}

// observe records every request in the metrics and the access log. Probes and metric scrapes
// are logged at debug level only, so that they do not drown the log.
func (h *api) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // keeps metric cardinality bounded under scans of random paths
	}
	status := c.Writer.Status()
	h.metrics.observe(c.Request.Method, route, status, elapsed)
	level := slog.LevelInfo
	switch {
	case route == "/healthz" || route == "/readyz" || route == "/metrics" || route == "/swagger/*any":
		level = slog.LevelDebug
	case status >= 500:
		level = slog.LevelError
	}
	h.log(c).LogAttrs(c.Request.Context(), level, "http request",
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int("bytes", c.Writer.Size()),
		slog.String("client", c.ClientIP()),
	)
}

// recover turns a panic in a handler into a logged 500 with the error JSON.
func (h *api) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log(c).Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				writeError(c, http.StatusInternalServerError, codeInternal, "internal error; quote request id "+requestIDOf(c))
			} else {
				c.Abort()
			}
		}
	}()
	c.Next()
}
