package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

func (h *api) authRoutes(public, authed *gin.RouterGroup) {
	public.POST("/auth/login", h.login)
	public.POST("/auth/register", h.throttle(limitRegister), h.register)
	authed.POST("/auth/logout", h.logout)
	authed.POST("/auth/password", h.changePassword)
	authed.GET("/me", h.me)
}

// login godoc
//
//	@Summary		Sign in with username and password
//	@Description	Returns an access token for "Authorization: Bearer <token>". A wrong username, a wrong password and a
//	@Description	disabled account get the same answer. Failed sign-ins are limited per client address (20, then one
//	@Description	per 30 s), per username at that address (5, then one a minute) and per username from everywhere (60,
//	@Description	then one per 30 s); past a limit the answer is 429 with Retry-After, whatever the password. A burst
//	@Description	from one address does not lock the account's owner out at another.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		app.LoginRequest	true	"credentials"
//	@Success		200		{object}	app.TokenView
//	@Failure		400		{object}	ErrorResponse	"validation_failed: e.g. a password of more than 72 bytes"
//	@Failure		401		{object}	ErrorResponse	"invalid_credentials: wrong username or password"
//	@Failure		429		{object}	ErrorResponse	"too_many_attempts; see Retry-After"
//	@Router			/api/v1/auth/login [post]
func (h *api) login(c *gin.Context) {
	var req app.LoginRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.Login(c.Request.Context(), c.ClientIP(), req))
}

// register godoc
//
//	@Summary		Register as an applicant
//	@Description	Creates an applicant account (real name, resident ID-card number with a valid check character, mobile
//	@Description	phone) and signs it in. Names hold no control or invisible formatting characters; the password has
//	@Description	8 characters or more and at most 72 bytes in UTF-8. Limited per client address (10, then one per
//	@Description	6 minutes: 429 with Retry-After).
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		app.RegisterRequest	true	"the applicant"
//	@Success		201		{object}	app.TokenView
//	@Failure		400		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"conflict: the username or the ID-card number is registered already"
//	@Failure		413		{object}	ErrorResponse
//	@Failure		429		{object}	ErrorResponse	"too_many_attempts; see Retry-After"
//	@Router			/api/v1/auth/register [post]
func (h *api) register(c *gin.Context) {
	var req app.RegisterRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusCreated)(h.App.Register(c.Request.Context(), req))
}

// logoutQuery says which sessions to end.
type logoutQuery struct {
	All string `form:"all" validate:"omitempty,oneof=true false"`
}

// logout godoc
//
//	@Summary		Sign out: the token sent stops working
//	@Description	Revokes the access token of the request; with all=true every token of the user issued until now
//	@Description	(signing out everywhere). A changed password or a disabled account revokes them too.
//	@Tags			auth
//	@Security		BearerAuth
//	@Param			all	query	bool	false	"sign out everywhere"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse	"no_token: signed in with an API key"
//	@Failure		401	{object}	ErrorResponse
//	@Router			/api/v1/auth/logout [post]
func (h *api) logout(c *gin.Context) {
	var q logoutQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.noContent(c, h.App.Logout(c.Request.Context(), principalOf(c), q.All == "true"))
}

// changePassword godoc
//
//	@Summary		Change one's own password
//	@Description	Needs the current password (a wrong one counts as a failed sign-in). Every token issued before stops
//	@Description	working, the one sent included; the answer carries a new one.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.PasswordChange	true	"the current and the new password"
//	@Success		200		{object}	app.TokenView
//	@Failure		400		{object}	ErrorResponse	"validation_failed: e.g. a new password of more than 72 bytes; no_token: signed in with an API key"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"invalid_credentials: the current password is wrong"
//	@Failure		429		{object}	ErrorResponse	"too_many_attempts; see Retry-After"
//	@Router			/api/v1/auth/password [post]
func (h *api) changePassword(c *gin.Context) {
	var req app.PasswordChange
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.ChangePassword(c.Request.Context(), principalOf(c), c.ClientIP(), req))
}

// me godoc
//
//	@Summary	Who am I: the signed-in user, their roles and memberships
//	@Tags		auth
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Success	200	{object}	app.MeView
//	@Failure	401	{object}	ErrorResponse
//	@Router		/api/v1/me [get]
func (h *api) me(c *gin.Context) {
	h.answer(c, http.StatusOK)(h.App.Me(c.Request.Context(), principalOf(c)))
}
