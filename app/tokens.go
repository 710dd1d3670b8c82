package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"onewindow/store"
)

// tokenClaims are the claims of an access token: the subject is the user id, the id (jti)
// names the token for signing out, and Version is the user's token version when it was
// issued (a password change or disabling the user raises it, revoking the token).
type tokenClaims struct {
	Username string `json:"usr"`
	Version  int    `json:"ver,omitempty"`
	jwt.RegisteredClaims
}

const tokenIssuer = "onewindow"

// issueToken signs an access token for u that expires TokenTTL from now.
func (a *App) issueToken(u *store.User) (*TokenView, error) {
	if len(a.cfg.TokenSecret) == 0 {
		return nil, errors.New("sign token: no token secret is configured (app.Config.TokenSecret)")
	}
	now := a.now()
	exp := now.Add(a.cfg.TokenTTL).Truncate(time.Second)
	claims := tokenClaims{
		Username: u.Username,
		Version:  u.TokenVersion,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        store.NewID(),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.cfg.TokenSecret)
	if err != nil {
		return nil, fmt.Errorf("sign token: %w", err)
	}
	return &TokenView{Token: s, ExpiresAt: exp.UTC(), User: *u}, nil
}

// parseToken checks an access token's signature, issuer and expiry and returns its claims,
// or refuses it as invalid_token saying why.
func (a *App) parseToken(s string) (*tokenClaims, error) {
	if len(a.cfg.TokenSecret) == 0 { // no secret: nothing this server signed can be checked
		return nil, invalidToken("the token is not valid")
	}
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(s, &claims, func(*jwt.Token) (any, error) { return a.cfg.TokenSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(a.now),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, invalidToken("the token has expired; sign in again")
	case err != nil || claims.Subject == "" || claims.ID == "":
		return nil, invalidToken("the token is not valid")
	}
	return &claims, nil
}
