package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

func (h *api) authRoutes(public, authed *gin.RouterGroup) {
	public.POST("/auth/login", h.login)
	public.POST("/auth/register", h.register)
	authed.GET("/me", h.me)
}

// LoginRequest signs in with a username and password.
type LoginRequest struct {
	Username string `json:"username" validate:"required,max=64" example:"clerk1"`
	Password string `json:"password" validate:"required,max=72" example:"onewindow-demo"`
}

// TokenResponse carries an access token for "Authorization: Bearer <token>".
type TokenResponse struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expiresAt"`
	User      store.User `json:"user"`
}

// Sign-in throttling: after freeFailures failed sign-ins in a row under one username, each
// further attempt must wait 1 s, 2 s, 4 s, ... (at most maxLoginWait) after the last failure.
// The count is kept per username whether or not the user exists, so the answer tells nothing
// about which usernames exist, and it is forgotten after forgetFailuresAfter without failures.
const (
	freeFailures        = 3
	maxLoginWait        = 15 * time.Minute
	forgetFailuresAfter = time.Hour
)

// loginDelay is how long after the last of failures failed sign-ins in a row the next attempt
// must wait.
func loginDelay(failures int) time.Duration {
	if failures <= freeFailures {
		return 0
	}
	exp := failures - freeFailures - 1
	if exp >= 20 {
		return maxLoginWait
	}
	return min(time.Duration(math.Pow(2, float64(exp)))*time.Second, maxLoginWait)
}

// loginWait is how much longer a sign-in attempt at now must wait, given the failures so far.
func loginWait(failures int, last, now time.Time) time.Duration {
	if failures == 0 || now.Sub(last) >= forgetFailuresAfter {
		return 0
	}
	return max(0, last.Add(loginDelay(failures)).Sub(now))
}

// login godoc
//
//	@Summary		Sign in with username and password
//	@Description	Returns an access token for "Authorization: Bearer <token>". A wrong username and a wrong password get the same answer; after 3 failures in a row for a username, further attempts are refused with 429 for a growing time (see Retry-After).
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"credentials"
//	@Success		200		{object}	TokenResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse	"wrong username or password"
//	@Failure		429		{object}	ErrorResponse	"too many failed attempts; see Retry-After"
//	@Router			/api/v1/auth/login [post]
func (h *api) login(c *gin.Context) {
	var req LoginRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	username := strings.ToLower(strings.TrimSpace(req.Username))
	now := h.Now()
	failures, last, err := store.LoginFailures(ctx, h.DB, username)
	if err != nil {
		h.fail(c, err)
		return
	}
	if wait := loginWait(failures, last, now); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		writeError(c, http.StatusTooManyRequests, codeTooManyAttempts,
			fmt.Sprintf("too many failed sign-ins for this username; try again in %d seconds", secs))
		return
	}
	u, err := store.GetUserByUsername(ctx, h.DB, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.fail(c, err)
		return
	}
	hash := ""
	if u != nil && !u.Disabled {
		hash = u.PasswordHash
	}
	if !store.CheckPassword(hash, req.Password) { // also spends the bcrypt time when there is no user
		if _, err := store.RecordLoginFailure(ctx, h.DB, username, now, now.Add(-forgetFailuresAfter)); err != nil {
			h.fail(c, err)
			return
		}
		h.log(c).Info("sign-in failed", "username", username)
		writeError(c, http.StatusUnauthorized, codeBadCredentials, "wrong username or password")
		return
	}
	if failures > 0 {
		if err := store.ClearLoginFailures(ctx, h.DB, username); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.respondToken(c, http.StatusOK, u)
}

func (h *api) respondToken(c *gin.Context, status int, u *store.User) {
	token, exp, err := h.issueToken(u)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(status, TokenResponse{Token: token, ExpiresAt: exp, User: *u})
}

// RegisterRequest creates an applicant account.
type RegisterRequest struct {
	Username    string `json:"username" validate:"required,username" example:"zhangsan"`
	Password    string `json:"password" validate:"required,min=8,max=72" example:"a-long-password"`
	DisplayName string `json:"displayName" validate:"max=64" example:"张三"`
	RealName    string `json:"realName" validate:"required,max=64" example:"张三"`
	IDCard      string `json:"idCard" validate:"required,idcard" example:"450981199001011230"`
	Phone       string `json:"phone" validate:"required,cnmobile" example:"13800138000"`
}

// register godoc
//
//	@Summary		Register as an applicant
//	@Description	Creates an applicant account (real name, resident ID-card number with a valid check character, mobile phone) and signs it in.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RegisterRequest	true	"the applicant"
//	@Success		201		{object}	TokenResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"username or ID-card number already registered"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/auth/register [post]
func (h *api) register(c *gin.Context) {
	var req RegisterRequest
	if !h.bind(c, &req) {
		return
	}
	hash, err := store.HashPassword(req.Password)
	if err != nil {
		h.fail(c, err)
		return
	}
	if req.DisplayName == "" {
		req.DisplayName = req.RealName
	}
	u := &store.User{Username: req.Username, DisplayName: req.DisplayName, PasswordHash: hash, Kind: store.UserApplicant,
		RealName: req.RealName, IDCard: req.IDCard, Phone: req.Phone}
	if err := store.CreateUser(c.Request.Context(), h.DB, u); err != nil {
		h.fail(c, err)
		return
	}
	h.respondToken(c, http.StatusCreated, u)
}

// MeResponse describes the caller.
type MeResponse struct {
	User        store.User         `json:"user"`
	Roles       []string           `json:"roles"`
	Memberships []store.Membership `json:"memberships"`
}

// me godoc
//
//	@Summary	Who am I: the signed-in user, their roles and memberships
//	@Tags		auth
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	MeResponse
//	@Failure	401	{object}	ErrorResponse
//	@Router		/api/v1/me [get]
func (h *api) me(c *gin.Context) {
	p := principalOf(c)
	u, err := store.GetUser(c.Request.Context(), h.DB, p.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, MeResponse{User: *u, Roles: p.Roles, Memberships: p.Memberships})
}
