package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

func (h *api) userRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/users", h.listUsers)
	authed.POST("/users", h.createUser)
	authed.GET("/users/:id", h.getUser)
	authed.PATCH("/users/:id", h.updateUser)
	authed.GET("/users/:id/memberships", h.listMemberships)
	authed.POST("/users/:id/memberships", h.addMembership)
	authed.DELETE("/users/:id/memberships/:orgUnitId/:role", h.removeMembership)
	authed.GET("/users/:id/api-keys", h.listAPIKeys)
	authed.POST("/users/:id/api-keys", h.createAPIKey)
	authed.DELETE("/users/:id/api-keys/:keyId", h.revokeAPIKey)
}

// userQuery filters the user list.
type userQuery struct {
	Kind      string `form:"kind" validate:"omitempty,oneof=staff applicant system"`
	OrgUnitID string `form:"orgUnitId" validate:"omitempty,id"`
	Role      string `form:"role" validate:"omitempty,oneof=admin designer clerk reviewer agent supervisor applicant system"`
	Q         string `form:"q" validate:"max=100,plaintext"`
	pageQuery
}

// listUsers godoc
//
//	@Summary		List accounts (admins all; supervisors the staff of their subtree)
//	@Description	Admins see every account. A supervisor sees, read only, the staff and system users with a membership
//	@Description	in their org unit's subtree, and no applicant. By username.
//	@Tags			users
//	@Produce		json
//	@Security		BearerAuth
//	@Param			kind		query		string	false	"only this kind"	Enums(staff, applicant, system)
//	@Param			orgUnitId	query		string	false	"only members of this unit"
//	@Param			role		query		string	false	"only holders of this role"	Enums(admin, designer, clerk, reviewer, agent, supervisor, applicant, system)
//	@Param			q			query		string	false	"a part of the username, display name or real name"
//	@Param			limit		query		int		false	"page size (1-200, default 50)"
//	@Param			after		query		string	false	"the next cursor of the page before"
//	@Success		200			{object}	app.List[store.User]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse	"forbidden: neither admin nor supervisor"
//	@Router			/api/v1/users [get]
func (h *api) listUsers(c *gin.Context) {
	var q userQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.Users(c.Request.Context(), principalOf(c), app.UserQuery{Kind: q.Kind, Role: q.Role,
		OrgUnitID: q.OrgUnitID, Search: q.Q, Page: q.page()}))
}

// createUser godoc
//
//	@Summary		Create a staff or system user (admin)
//	@Description	Creates the user and their memberships in one transaction. Applicants register themselves at
//	@Description	/api/v1/auth/register. Names hold no control or invisible formatting characters; a password has 8
//	@Description	characters or more and at most 72 bytes in UTF-8.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.CreateUserRequest	true	"the user"
//	@Success		201		{object}	app.UserView
//	@Failure		400		{object}	ErrorResponse	"validation_failed, naming the field (memberships[1].orgUnitId ...)"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"conflict: username taken"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/users [post]
func (h *api) createUser(c *gin.Context) {
	var req app.CreateUserRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusCreated)(h.App.CreateUser(c.Request.Context(), principalOf(c), req))
}

// getUser godoc
//
//	@Summary		Get a user with their memberships (admins; supervisors within their subtree)
//	@Description	A user a supervisor may not read answers 404, as if there were none.
//	@Tags			users
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"user id"
//	@Success		200	{object}	app.UserView
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/users/{id} [get]
func (h *api) getUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.User(c.Request.Context(), principalOf(c), id))
}

// updateUser godoc
//
//	@Summary		Change a user's name, password, phone, or disable them (admin)
//	@Description	A new password or disabling the user revokes every token they hold (enabling them again does not
//	@Description	bring those back).
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"user id"
//	@Param			body	body		app.UpdateUserRequest	true	"the changes"
//	@Success		200		{object}	store.User
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/users/{id} [patch]
func (h *api) updateUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req app.UpdateUserRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.UpdateUser(c.Request.Context(), principalOf(c), id, req))
}

// listMemberships godoc
//
//	@Summary	A user's memberships (admins; supervisors within their subtree)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"user id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.Membership]
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/memberships [get]
func (h *api) listMemberships(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var q pageQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.UserMemberships(c.Request.Context(), principalOf(c), id, q.page()))
}

// addMembership godoc
//
//	@Summary	Grant a user a role in an org unit (admin)
//	@Tags		users
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string					true	"user id"
//	@Param		body	body		app.MembershipRequest	true	"the grant"
//	@Success	201		{object}	store.Membership
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"the user has this role there already"
//	@Router		/api/v1/users/{id}/memberships [post]
func (h *api) addMembership(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req app.MembershipRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusCreated)(h.App.AddMembership(c.Request.Context(), principalOf(c), id, req))
}

// removeMembership godoc
//
//	@Summary	Revoke a user's role in an org unit (admin)
//	@Tags		users
//	@Security	BearerAuth
//	@Param		id			path	string	true	"user id"
//	@Param		orgUnitId	path	string	true	"org unit id"
//	@Param		role		path	string	true	"role"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/memberships/{orgUnitId}/{role} [delete]
func (h *api) removeMembership(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	unit, ok := pathID(c, "orgUnitId")
	if !ok {
		return
	}
	h.noContent(c, h.App.RemoveMembership(c.Request.Context(), principalOf(c), id, unit, c.Param("role")))
}

// listAPIKeys godoc
//
//	@Summary	A system user's API keys, without the keys themselves (admin)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"user id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.APIKey]
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/api-keys [get]
func (h *api) listAPIKeys(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var q pageQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.APIKeys(c.Request.Context(), principalOf(c), id, q.page()))
}

// createAPIKey godoc
//
//	@Summary		Make an API key for a system user (admin)
//	@Description	The key is in the answer only; the server keeps its hash. The system sends it as "X-API-Key: <key>".
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"user id"
//	@Param			body	body		app.APIKeyRequest	true	"the key's name"
//	@Success		201		{object}	app.NewAPIKey
//	@Failure		400		{object}	ErrorResponse	"not a system user"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/users/{id}/api-keys [post]
func (h *api) createAPIKey(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req app.APIKeyRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusCreated)(h.App.CreateAPIKey(c.Request.Context(), principalOf(c), id, req))
}

// revokeAPIKey godoc
//
//	@Summary	Revoke a system user's API key (admin)
//	@Tags		users
//	@Security	BearerAuth
//	@Param		id		path	string	true	"user id"
//	@Param		keyId	path	string	true	"API key id"
//	@Success	204
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/api-keys/{keyId} [delete]
func (h *api) revokeAPIKey(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	keyID, ok := pathID(c, "keyId")
	if !ok {
		return
	}
	h.noContent(c, h.App.RevokeAPIKey(c.Request.Context(), principalOf(c), id, keyID))
}

// noContent answers 204, or err.
func (h *api) noContent(c *gin.Context, err error) {
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
