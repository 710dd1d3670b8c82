package app

// Authentication: signing in and out, registering as an applicant, changing one's password,
// and who a request's credentials name. A token names its user and the user's token
// version; every request checks both, and the token's id against the signed-out tokens, so a
// password change, a disabled account or a sign-out stops a token at once.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// Codes of authentication.
const (
	CodeUnauthenticated = "unauthenticated"     // 401: no credentials
	CodeInvalidToken    = "invalid_token"       // 401: a bad, expired or revoked token or API key
	CodeBadCredentials  = "invalid_credentials" // 401: wrong username or password
	CodeNoToken         = "no_token"            // 400: signed in with an API key, which has no session
)

// How an actor signed in.
const (
	ViaToken  = "token"
	ViaAPIKey = "apiKey"
)

func invalidToken(format string, args ...any) *Error {
	return refuse(Unauthenticated, CodeInvalidToken, format, args...)
}

// TokenView carries an access token for "Authorization: Bearer <token>".
type TokenView struct {
	Token     string     `json:"token" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."`
	ExpiresAt time.Time  `json:"expiresAt"`
	User      store.User `json:"user"`
}

// LoginRequest signs in with a username and password.
type LoginRequest struct {
	Username string `json:"username" validate:"required,max=64,plaintext" example:"clerk1"`
	Password string `json:"password" validate:"required,maxbytes=72" example:"onewindow-demo"`
}

// Login signs in from the client address client (what throttling counts by): a token for the
// user whose password it is. A wrong username, a wrong password and a disabled user get the
// same answer, after the same time.
func (a *App) Login(ctx context.Context, client string, in LoginRequest) (*TokenView, error) {
	username := strings.ToLower(strings.TrimSpace(in.Username))
	tk, err := a.throttles.takeSignIn(clientKey(client), username, a.now())
	if err != nil {
		return nil, err
	}
	u, err := store.GetUserByUsername(ctx, a.db, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		tk.giveBack()
		return nil, err
	}
	hash := ""
	if u != nil && !u.Disabled {
		hash = u.PasswordHash
	}
	if !store.CheckPassword(hash, in.Password) { // also spends the bcrypt time when there is no user
		a.log.Info("sign-in failed", "username", username, "client", client)
		return nil, refuse(Unauthenticated, CodeBadCredentials, "wrong username or password")
	}
	tk.giveBack()
	// A sign-in changes nothing but is an action an auditor asks about.
	err = a.change(ctx, func(_ *sqlx.Tx, out *Outbox) error {
		out.Audit(&Actor{UserID: u.ID, Username: u.Username}, "auth.login", "", "user:"+u.ID, map[string]string{"client": client})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.issueToken(u)
}

// RegisterRequest creates an applicant account.
type RegisterRequest struct {
	Username    string `json:"username" validate:"required,username,plaintext" example:"zhangsan"`
	Password    string `json:"password" validate:"required,min=8,maxbytes=72" example:"a-long-password"`
	DisplayName string `json:"displayName" validate:"max=64,plaintext" example:"张三"`
	RealName    string `json:"realName" validate:"required,max=64,plaintext" example:"张三"`
	IDCard      string `json:"idCard" validate:"required,idcard" example:"450981199001011230"`
	Phone       string `json:"phone" validate:"required,cnmobile" example:"13800138000"`
}

// Register creates an applicant account in the applicant's real name and ID-card number and
// signs it in.
func (a *App) Register(ctx context.Context, in RegisterRequest) (*TokenView, error) {
	if strings.TrimSpace(in.RealName) == "" {
		return nil, invalidField("realName", "an applicant registers in their real name")
	}
	if err := store.CheckIDCard(in.IDCard); err != nil {
		return nil, invalidField("idCard", "%v", err)
	}
	hash, err := hashPassword("password", in.Password)
	if err != nil {
		return nil, err
	}
	if in.DisplayName == "" {
		in.DisplayName = in.RealName
	}
	u := &store.User{Username: in.Username, DisplayName: in.DisplayName, PasswordHash: hash, Kind: store.UserApplicant,
		RealName: in.RealName, IDCard: strings.ToUpper(in.IDCard), Phone: in.Phone}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := usernameFree(ctx, tx, u.Username); err != nil {
			return err
		}
		if err := store.CreateUser(ctx, tx, u); errors.Is(err, store.ErrConflict) {
			return refuse(Conflict, codeConflict, "the ID-card number %s is registered already: sign in to that account", maskIDCard(u.IDCard)).onField("idCard")
		} else if err != nil {
			return err
		}
		out.Audit(&Actor{UserID: u.ID, Username: u.Username}, "auth.register", "", "user:"+u.ID, map[string]string{"kind": u.Kind})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.issueToken(u)
}

// usernameFree refuses a username that is taken.
func usernameFree(ctx context.Context, q store.Q, username string) error {
	_, err := store.GetUserByUsername(ctx, q, username)
	switch {
	case err == nil:
		return refuse(Conflict, codeConflict, "the username %s is taken: choose another", username).onField("username")
	case errors.Is(err, store.ErrNotFound):
		return nil
	}
	return err
}

// maskIDCard shows the first six and last four characters of an ID-card number.
func maskIDCard(s string) string {
	if len(s) < 10 {
		return "****"
	}
	return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
}

// minPassword is the fewest characters of a password.
const minPassword = 8

// hashPassword checks a new password (in request field field) and returns its hash. bcrypt
// reads no more than 72 bytes: a longer password is refused rather than cut.
func hashPassword(field, password string) (string, error) {
	if len([]rune(password)) < minPassword {
		return "", invalidField(field, "must have at least %d characters", minPassword)
	}
	if len(password) > store.MaxPasswordBytes {
		return "", invalidField(field, "must have at most %d bytes in UTF-8 (a Chinese character takes 3), the most bcrypt reads; it has %d",
			store.MaxPasswordBytes, len(password))
	}
	return store.HashPassword(password)
}

// Authenticate names the actor of a request's credentials: an access token (bearer) from
// Login, or else a system user's API key. A missing, bad, expired or revoked one is refused
// as unauthenticated or invalid_token.
func (a *App) Authenticate(ctx context.Context, bearer, apiKey string) (*Actor, error) {
	switch {
	case apiKey != "":
		return a.authenticateKey(ctx, apiKey)
	case bearer == "":
		return nil, refuse(Unauthenticated, CodeUnauthenticated, "sign in first: send Authorization: Bearer <token> (from POST /api/v1/auth/login) or X-API-Key")
	}
	claims, err := a.parseToken(bearer)
	if err != nil {
		return nil, err
	}
	u, revoked, err := store.TokenUser(ctx, a.db, claims.Subject, claims.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidToken("the token's user no longer exists")
	} else if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, invalidToken("the account is disabled")
	}
	if claims.Version != u.TokenVersion {
		return nil, invalidToken("the token was revoked when the password changed or the account was disabled; sign in again")
	}
	if revoked {
		return nil, invalidToken("the token was signed out; sign in again")
	}
	p, err := a.LoadActor(ctx, u, ViaToken)
	if err != nil {
		return nil, err
	}
	p.token = claims
	return p, nil
}

// apiKeyTouchEvery bounds how often a key's last use is written, so that a busy system user
// does not turn every read request into a write.
const apiKeyTouchEvery = time.Minute

func (a *App) authenticateKey(ctx context.Context, key string) (*Actor, error) {
	k, err := store.ActiveAPIKey(ctx, a.db, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidToken("the API key is not valid (unknown or revoked)")
	} else if err != nil {
		return nil, err
	}
	u, err := store.GetUser(ctx, a.db, k.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, invalidToken("the API key is not valid (its user is disabled)")
	}
	if err := a.keyExpired(k); err != nil {
		return nil, err
	}
	if now := a.now(); k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= apiKeyTouchEvery {
		if err := store.TouchAPIKey(ctx, a.db, k.ID, now); err != nil {
			return nil, err
		}
	}
	return a.LoadActor(ctx, u, ViaAPIKey)
}

// Logout signs the actor out: the token they sent stops working, or, everywhere, every
// token of theirs issued until now.
func (a *App) Logout(ctx context.Context, p *Actor, everywhere bool) error {
	if p.token == nil {
		return refuse(Invalid, CodeNoToken, "%s signed in with an API key, which has no session to end: an admin revokes API keys", p.Username)
	}
	return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "auth.logout", "", "user:"+p.UserID, map[string]bool{"everywhere": everywhere})
		if everywhere {
			_, err := store.UpdateUser(ctx, tx, p.UserID, store.UserPatch{RevokeTokens: true})
			return err
		}
		return store.RevokeToken(ctx, tx, p.token.ID, p.UserID, p.token.ExpiresAt.Time, a.now())
	})
}

// PasswordChange changes the signed-in user's own password.
type PasswordChange struct {
	CurrentPassword string `json:"currentPassword" validate:"required,maxbytes=72" example:"onewindow-demo"`
	NewPassword     string `json:"newPassword" validate:"required,min=8,maxbytes=72" example:"a-new-long-password"`
}

// ChangePassword sets the actor's password, from client (a wrong current password counts as
// a failed sign-in there). Every token issued before stops working; the answer carries a new
// one.
func (a *App) ChangePassword(ctx context.Context, p *Actor, client string, in PasswordChange) (*TokenView, error) {
	if p.token == nil {
		return nil, refuse(Invalid, CodeNoToken, "%s signed in with an API key: system users have no password", p.Username)
	}
	hash, err := hashPassword("newPassword", in.NewPassword)
	if err != nil {
		return nil, err
	}
	tk, err := a.throttles.takeSignIn(clientKey(client), p.Username, a.now())
	if err != nil {
		return nil, err
	}
	var u *store.User
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "auth.password", "", "user:"+p.UserID, nil)
		cur, err := store.GetUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if !store.CheckPassword(cur.PasswordHash, in.CurrentPassword) {
			return refuse(Forbidden, CodeBadCredentials, "the current password is wrong").onField("currentPassword")
		}
		u, err = store.UpdateUser(ctx, tx, p.UserID, store.UserPatch{PasswordHash: &hash, RevokeTokens: true})
		return err
	})
	if e, ok := asError(err); ok && e.Code == CodeBadCredentials {
		return nil, err
	}
	tk.giveBack()
	if err != nil {
		return nil, err
	}
	return a.issueToken(u)
}

// MeView is the signed-in user with their roles and memberships.
type MeView struct {
	User        store.User         `json:"user"`
	Roles       []string           `json:"roles" example:"clerk"`
	Memberships []store.Membership `json:"memberships"`
	Via         string             `json:"via" example:"token"` // how they signed in: token or apiKey
}

// Me describes the actor.
func (a *App) Me(ctx context.Context, p *Actor) (*MeView, error) {
	u, err := store.GetUser(ctx, a.db, p.UserID)
	if err != nil {
		return nil, err
	}
	return &MeView{User: *u, Roles: p.Roles, Memberships: p.Memberships, Via: p.Via}, nil
}
