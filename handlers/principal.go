package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// principalOf returns the caller of request c, or nil before authenticate has run.
func principalOf(c *gin.Context) *app.Actor {
	if v, ok := c.Get(ctxPrincipal); ok {
		return v.(*app.Actor)
	}
	return nil
}

// answer returns a function that writes a use case's result: err as an error answer, v as
// JSON with status.
func (h *api) answer(c *gin.Context, status int) func(v any, err error) {
	return func(v any, err error) {
		if err != nil {
			h.fail(c, err)
			return
		}
		c.JSON(status, v)
	}
}

// authenticate requires credentials: "Authorization: Bearer <token>" from login, or
// "X-API-Key: <key>" for a system user, and puts their actor on the request (app.Authenticate
// decides); it answers 401 when they are missing or bad.
func (h *api) authenticate(c *gin.Context) {
	key, bearer := c.GetHeader("X-API-Key"), ""
	if auth := c.GetHeader("Authorization"); auth != "" && key == "" {
		scheme, token, _ := strings.Cut(auth, " ")
		if bearer = strings.TrimSpace(token); !strings.EqualFold(scheme, "Bearer") || bearer == "" {
			c.Header("WWW-Authenticate", `Bearer realm="onewindow", error="invalid_request"`)
			writeError(c, http.StatusUnauthorized, codeInvalidToken, "the Authorization header must be \"Bearer <token>\"")
			return
		}
	}
	p, err := h.App.Authenticate(c.Request.Context(), bearer, key)
	if e := (*app.Error)(nil); errors.As(err, &e) && e.Kind == app.Unauthenticated {
		switch {
		case bearer != "":
			c.Header("WWW-Authenticate", `Bearer realm="onewindow", error="invalid_token"`)
		case key == "":
			c.Header("WWW-Authenticate", `Bearer realm="onewindow"`)
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Set(ctxPrincipal, p)
	c.Next()
}

// requireRole lets the request through when the principal holds one of roles (in any org
// unit), and answers 403 otherwise. Use it after authenticate, per route or per group.
func requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		if p == nil {
			writeError(c, http.StatusUnauthorized, codeUnauthenticated, "sign in first")
			return
		}
		if !p.HasRole(roles...) {
			writeError(c, http.StatusForbidden, codeForbidden, fmt.Sprintf("this needs the role %s; %s has %s",
				strings.Join(roles, " or "), p.Username, describeRoles(p.Roles)))
			return
		}
		c.Next()
	}
}

func describeRoles(roles []string) string {
	if len(roles) == 0 {
		return "no role"
	}
	return strings.Join(roles, ", ")
}
