package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"onewindow/app"
	"onewindow/store"
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

// tokenClaims are the claims of an access token: the subject is the user id.
type tokenClaims struct {
	Username string `json:"usr"`
	jwt.RegisteredClaims
}

const tokenIssuer = "onewindow"

// issueToken signs an access token for u that expires TokenTTL from now.
func (h *api) issueToken(u *store.User) (string, time.Time, error) {
	now := h.Now()
	exp := now.Add(h.TokenTTL).Truncate(time.Second)
	claims := tokenClaims{
		Username: u.Username,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        store.NewID(),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(h.TokenSecret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return s, exp.UTC(), nil
}

// parseToken checks an access token's signature, issuer and expiry and returns its user id.
func (h *api) parseToken(s string) (string, error) {
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(s, &claims, func(*jwt.Token) (any, error) { return h.TokenSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(h.Now),
	)
	if err != nil {
		return "", err
	}
	return claims.Subject, nil
}

// authenticate requires credentials: "Authorization: Bearer <token>" from login, or
// "X-API-Key: <key>" for a system user. It answers 401 when they are missing or bad, and
// otherwise puts the Principal on the request.
func (h *api) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	var (
		u   *store.User
		via string
		err error
	)
	if key := c.GetHeader("X-API-Key"); key != "" {
		via = "apiKey"
		if u, err = store.UserByAPIKey(ctx, h.DB, key); errors.Is(err, store.ErrNotFound) {
			writeError(c, http.StatusUnauthorized, codeInvalidToken, "the API key is not valid (unknown or revoked)")
			return
		}
	} else {
		auth := c.GetHeader("Authorization")
		scheme, token, _ := strings.Cut(auth, " ")
		if auth == "" {
			c.Header("WWW-Authenticate", `Bearer realm="onewindow"`)
			writeError(c, http.StatusUnauthorized, codeUnauthenticated, "sign in first: send Authorization: Bearer <token> (from POST /api/v1/auth/login) or X-API-Key")
			return
		}
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="onewindow", error="invalid_request"`)
			writeError(c, http.StatusUnauthorized, codeInvalidToken, "the Authorization header must be \"Bearer <token>\"")
			return
		}
		via = "token"
		userID, perr := h.parseToken(strings.TrimSpace(token))
		if perr != nil {
			msg := "the token is not valid"
			if errors.Is(perr, jwt.ErrTokenExpired) {
				msg = "the token has expired; sign in again"
			}
			c.Header("WWW-Authenticate", `Bearer realm="onewindow", error="invalid_token"`)
			writeError(c, http.StatusUnauthorized, codeInvalidToken, msg)
			return
		}
		if u, err = store.GetUser(ctx, h.DB, userID); errors.Is(err, store.ErrNotFound) {
			writeError(c, http.StatusUnauthorized, codeInvalidToken, "the token's user no longer exists")
			return
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if u.Disabled {
		writeError(c, http.StatusUnauthorized, codeInvalidToken, "the account is disabled")
		return
	}
	p, err := h.App.LoadActor(ctx, u, via)
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
