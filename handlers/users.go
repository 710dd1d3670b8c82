package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

func (h *api) userRoutes(public, authed *gin.RouterGroup) {
	admin := authed.Group("", requireRole(store.RoleAdmin))
	admin.GET("/users", h.listUsers)
	admin.POST("/users", h.createUser)
	admin.GET("/users/:id", h.getUser)
	admin.PATCH("/users/:id", h.updateUser)
	admin.GET("/users/:id/memberships", h.listMemberships)
	admin.POST("/users/:id/memberships", h.addMembership)
	admin.DELETE("/users/:id/memberships/:orgUnitId/:role", h.removeMembership)
	admin.GET("/users/:id/api-keys", h.listAPIKeys)
	admin.POST("/users/:id/api-keys", h.createAPIKey)
	admin.DELETE("/users/:id/api-keys/:keyId", h.revokeAPIKey)
}

// UserList is a page of users.
type UserList struct {
	Items []store.User `json:"items"`
}

// listUsers godoc
//
//	@Summary	List users (admin)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		kind		query		string	false	"only this kind"	Enums(staff, applicant, system)
//	@Param		orgUnitId	query		string	false	"only members of this unit"
//	@Param		role		query		string	false	"only holders of this role"	Enums(admin, designer, clerk, reviewer, agent, supervisor, applicant, system)
//	@Param		q			query		string	false	"a part of the username, display name or real name"
//	@Param		limit		query		int		false	"page size (1-500, default 100)"
//	@Param		offset		query		int		false	"rows to skip"
//	@Success	200			{object}	UserList
//	@Failure	400			{object}	ErrorResponse
//	@Failure	401			{object}	ErrorResponse
//	@Failure	403			{object}	ErrorResponse
//	@Router		/api/v1/users [get]
func (h *api) listUsers(c *gin.Context) {
	kind, ok := queryOneOf(c, "kind", store.UserKinds)
	if !ok {
		return
	}
	role, ok := queryOneOf(c, "role", store.Roles)
	if !ok {
		return
	}
	limit, ok := queryInt(c, "limit", 100, 1, 500)
	if !ok {
		return
	}
	offset, ok := queryInt(c, "offset", 0, 0, 1<<30)
	if !ok {
		return
	}
	users, err := store.ListUsers(c.Request.Context(), h.DB, store.UserFilter{
		Kind: kind, Role: role, OrgUnitID: c.Query("orgUnitId"), Search: c.Query("q"), Limit: limit, Offset: offset,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, UserList{Items: users})
}

// MembershipRequest grants a role in an org unit.
type MembershipRequest struct {
	OrgUnitID string `json:"orgUnitId" validate:"required,id" example:"01jd5q3k8m0000000000000000"`
	Role      string `json:"role" validate:"required,oneof=admin designer clerk reviewer agent supervisor applicant system" example:"clerk"`
}

// CreateUserRequest creates a staff or system user, with their memberships, all or nothing.
// Staff need a password; system users sign in with API keys and have none.
type CreateUserRequest struct {
	Username    string              `json:"username" validate:"required,username" example:"clerk3"`
	DisplayName string              `json:"displayName" validate:"required,max=64" example:"窗口工作人员"`
	Kind        string              `json:"kind" validate:"required,oneof=staff system" example:"staff"`
	Password    string              `json:"password" validate:"required_if=Kind staff,excluded_if=Kind system,omitempty,min=8,max=72" example:"a-long-password"`
	Phone       string              `json:"phone" validate:"omitempty,cnmobile" example:"13800138000"`
	Memberships []MembershipRequest `json:"memberships" validate:"max=50,dive"`
}

// UserResponse is a user with their memberships.
type UserResponse struct {
	store.User
	Memberships []store.Membership `json:"memberships"`
}

// createUser godoc
//
//	@Summary		Create a staff or system user (admin)
//	@Description	Creates the user and their memberships in one transaction. Applicants register themselves at /api/v1/auth/register.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		CreateUserRequest	true	"the user"
//	@Success		201		{object}	UserResponse
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"username taken"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/users [post]
func (h *api) createUser(c *gin.Context) {
	var req CreateUserRequest
	if !h.bind(c, &req) {
		return
	}
	hash := ""
	if req.Password != "" {
		var err error
		if hash, err = store.HashPassword(req.Password); err != nil {
			h.fail(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	var resp UserResponse
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		u := store.User{Username: req.Username, DisplayName: req.DisplayName, PasswordHash: hash, Kind: req.Kind, Phone: req.Phone}
		if err := store.CreateUser(ctx, tx, &u); err != nil {
			return err
		}
		resp = UserResponse{User: u, Memberships: []store.Membership{}}
		for i, mr := range req.Memberships {
			m := store.Membership{UserID: u.ID, OrgUnitID: mr.OrgUnitID, Role: mr.Role}
			if err := store.AddMembership(ctx, tx, &m); err != nil {
				return prefixField(err, "memberships["+strconv.Itoa(i)+"].")
			}
			resp.Memberships = append(resp.Memberships, m)
		}
		return nil
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, resp)
}

// getUser godoc
//
//	@Summary	Get a user with their memberships (admin)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"user id"
//	@Success	200	{object}	UserResponse
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/users/{id} [get]
func (h *api) getUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	u, err := store.GetUser(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	ms, err := store.UserMemberships(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, UserResponse{User: *u, Memberships: ms})
}

// UpdateUserRequest changes a user; absent fields stay as they are.
type UpdateUserRequest struct {
	DisplayName *string `json:"displayName" validate:"omitempty,min=1,max=64"`
	Password    *string `json:"password" validate:"omitempty,min=8,max=72"`
	Phone       *string `json:"phone" validate:"omitempty,cnmobile"`
	Disabled    *bool   `json:"disabled"`
}

// updateUser godoc
//
//	@Summary	Change a user's name, password, phone, or disable them (admin)
//	@Tags		users
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string				true	"user id"
//	@Param		body	body		UpdateUserRequest	true	"the changes"
//	@Success	200		{object}	store.User
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/users/{id} [patch]
func (h *api) updateUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req UpdateUserRequest
	if !h.bind(c, &req) {
		return
	}
	patch := store.UserPatch{DisplayName: req.DisplayName, Phone: req.Phone, Disabled: req.Disabled}
	if req.Password != nil {
		hash, err := store.HashPassword(*req.Password)
		if err != nil {
			h.fail(c, err)
			return
		}
		patch.PasswordHash = &hash
	}
	ctx := c.Request.Context()
	var u *store.User
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) (err error) {
		u, err = store.UpdateUser(ctx, tx, id, patch)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// MembershipList is a user's memberships.
type MembershipList struct {
	Items []store.Membership `json:"items"`
}

// listMemberships godoc
//
//	@Summary	A user's memberships (admin)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"user id"
//	@Success	200	{object}	MembershipList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/memberships [get]
func (h *api) listMemberships(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := store.GetUser(ctx, h.DB, id); err != nil {
		h.fail(c, err)
		return
	}
	ms, err := store.UserMemberships(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, MembershipList{Items: ms})
}

// addMembership godoc
//
//	@Summary	Grant a user a role in an org unit (admin)
//	@Tags		users
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string				true	"user id"
//	@Param		body	body		MembershipRequest	true	"the grant"
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
	var req MembershipRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	if _, err := store.GetUser(ctx, h.DB, id); err != nil {
		h.fail(c, err)
		return
	}
	m := store.Membership{UserID: id, OrgUnitID: req.OrgUnitID, Role: req.Role}
	if err := store.AddMembership(ctx, h.DB, &m); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
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
	if err := store.RemoveMembership(c.Request.Context(), h.DB, id, unit, c.Param("role")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// APIKeyList is a system user's API keys (without the keys themselves).
type APIKeyList struct {
	Items []store.APIKey `json:"items"`
}

// listAPIKeys godoc
//
//	@Summary	A system user's API keys (admin)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"user id"
//	@Success	200	{object}	APIKeyList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/users/{id}/api-keys [get]
func (h *api) listAPIKeys(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := store.GetUser(ctx, h.DB, id); err != nil {
		h.fail(c, err)
		return
	}
	keys, err := store.ListAPIKeys(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, APIKeyList{Items: keys})
}

// CreateAPIKeyRequest names a new API key.
type CreateAPIKeyRequest struct {
	Name string `json:"name" validate:"required,max=64" example:"result push"`
}

// CreateAPIKeyResponse carries the new key, shown this once, and its record.
type CreateAPIKeyResponse struct {
	Key    string       `json:"key" example:"owk_..."`
	APIKey store.APIKey `json:"apiKey"`
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
//	@Param			body	body		CreateAPIKeyRequest	true	"the key's name"
//	@Success		201		{object}	CreateAPIKeyResponse
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
	var req CreateAPIKeyRequest
	if !h.bind(c, &req) {
		return
	}
	key, rec, err := store.CreateAPIKey(c.Request.Context(), h.DB, id, req.Name)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, CreateAPIKeyResponse{Key: key, APIKey: *rec})
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
	if err := store.RevokeAPIKey(c.Request.Context(), h.DB, id, keyID); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
