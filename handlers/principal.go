package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"onewindow/store"
)

// Principal is the authenticated caller of a request: a user with the roles of their
// memberships. Handlers get it with principalOf(c) behind authenticate.
type Principal struct {
	UserID      string             `json:"userId"`
	Username    string             `json:"username"`
	DisplayName string             `json:"displayName"`
	Kind        string             `json:"kind"`  // staff, applicant or system
	Roles       []string           `json:"roles"` // distinct roles over all memberships, sorted; applicants have "applicant"
	Memberships []store.Membership `json:"memberships"`
	Via         string             `json:"via"` // "token" or "apiKey"
}

// HasRole reports whether the principal holds any of roles in some org unit.
func (p *Principal) HasRole(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// UnitsWithRole returns the ids of the org units where the principal holds role.
func (p *Principal) UnitsWithRole(role string) []string {
	var ids []string
	for _, m := range p.Memberships {
		if m.Role == role {
			ids = append(ids, m.OrgUnitID)
		}
	}
	return ids
}

// HasRoleOver reports whether the principal holds role in orgUnitID or in a unit above it, e.g.
// a supervisor of a county over a township's station.
func (p *Principal) HasRoleOver(ctx context.Context, q store.Q, role, orgUnitID string) (bool, error) {
	for _, id := range p.UnitsWithRole(role) {
		ok, err := store.IsWithin(ctx, q, orgUnitID, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// principalOf returns the caller of request c, or nil before authenticate has run.
func principalOf(c *gin.Context) *Principal {
	if v, ok := c.Get(ctxPrincipal); ok {
		return v.(*Principal)
	}
	return nil
}

// loadPrincipal builds the principal of user u (who must be enabled).
func (h *api) loadPrincipal(ctx context.Context, u *store.User, via string) (*Principal, error) {
	ms, err := store.UserMemberships(ctx, h.DB, u.ID)
	if err != nil {
		return nil, err
	}
	p := &Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Kind: u.Kind, Memberships: ms, Via: via, Roles: []string{}}
	if u.Kind == store.UserApplicant {
		p.Roles = append(p.Roles, store.RoleApplicant)
	}
	for _, m := range ms {
		if !slices.Contains(p.Roles, m.Role) {
			p.Roles = append(p.Roles, m.Role)
		}
	}
	slices.Sort(p.Roles)
	return p, nil
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
	p, err := h.loadPrincipal(ctx, u, via)
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
