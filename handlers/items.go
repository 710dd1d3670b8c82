package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
)

// staffRoles are the roles of people who work in the centre: they read the
// catalogue and the grants (the public read side comes later).
var staffRoles = []string{store.RoleAdmin, store.RoleDesigner, store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleSupervisor}

func (h *api) itemRoutes(public, authed *gin.RouterGroup) {
	staff := authed.Group("", requireRole(staffRoles...))
	design := authed.Group("", requireRole(store.RoleDesigner, store.RoleAdmin))
	staff.GET("/standard-flows", h.listStandardFlows)
	staff.GET("/items", h.listItems)
	staff.GET("/items/:id", h.getItem)
	staff.GET("/items/:id/steps", h.itemSteps)
	staff.GET("/items/:id/versions", h.listItemVersions)
	staff.GET("/items/:id/versions/:version", h.getItemVersion)
	design.POST("/items", h.createItem)
	design.PUT("/items/:id", h.updateItem)
	design.DELETE("/items/:id", h.deleteItem)
	design.POST("/items/:id/publish", h.publishItem)
	design.POST("/items/:id/unpublish", h.unpublishItem)
}

// StandardFlow is a standard flow with its published version.
type StandardFlow struct {
	standard.Flow
	// PublishedVersion is the latest published version of the flow (0: none yet).
	PublishedVersion int `json:"publishedVersion" example:"1"`
}

// StandardFlowList lists the standard flows.
type StandardFlowList struct {
	Items []StandardFlow `json:"items"`
}

// listStandardFlows godoc
//
//	@Summary		The standard flows items can run
//	@Description	The four standard flows (definitions/standard, docs/standard-flows.md): their steps with step kinds, candidate-group variables and outcomes, and the published version an item binds to.
//	@Tags			items
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	StandardFlowList
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Router			/api/v1/standard-flows [get]
func (h *api) listStandardFlows(c *gin.Context) {
	out := StandardFlowList{Items: []StandardFlow{}}
	for _, f := range standard.Flows() {
		sf := StandardFlow{Flow: f}
		if d, err := store.GetDefinition(c.Request.Context(), h.DB, f.Key, 0); err == nil {
			sf.PublishedVersion = d.Version
		}
		out.Items = append(out.Items, sf)
	}
	c.JSON(http.StatusOK, out)
}

// ItemList is a page of items.
type ItemList struct {
	Items []store.Item `json:"items"`
}

// listItems godoc
//
//	@Summary	List catalogue items
//	@Tags		items
//	@Produce	json
//	@Security	BearerAuth
//	@Param		departmentId	query		string	false	"only items of this competent department"
//	@Param		state			query		string	false	"only items in this state"	Enums(draft, published, unpublished)
//	@Param		kind			query		string	false	"only this kind"	Enums(licence, confirmation, payment, ruling, reward, levy, otherPower, publicService)
//	@Param		handlingType	query		string	false	"only this handling type"	Enums(immediate, promised)
//	@Param		definitionKey	query		string	false	"only items running this definition"
//	@Param		q				query		string	false	"a part of the code or name"
//	@Param		limit			query		int		false	"page size (1-500, default 100)"
//	@Param		offset			query		int		false	"rows to skip"
//	@Success	200				{object}	ItemList
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/items [get]
func (h *api) listItems(c *gin.Context) {
	state, ok := queryOneOf(c, "state", store.ItemStates)
	if !ok {
		return
	}
	kind, ok := queryOneOf(c, "kind", store.ItemKinds)
	if !ok {
		return
	}
	ht, ok := queryOneOf(c, "handlingType", store.HandlingTypes)
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
	items, err := store.ListItems(c.Request.Context(), h.DB, store.ItemFilter{
		DepartmentID: c.Query("departmentId"), State: state, Kind: kind, HandlingType: ht,
		DefinitionKey: c.Query("definitionKey"), Search: c.Query("q"), Limit: limit, Offset: offset,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ItemList{Items: items})
}

// getItem godoc
//
//	@Summary	Get an item (its draft, state and current version)
//	@Tags		items
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"item id"
//	@Success	200	{object}	store.Item
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/items/{id} [get]
func (h *api) getItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	it, err := store.GetItem(c.Request.Context(), h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

// ItemStepList lists the steps of an item's flow.
type ItemStepList struct {
	Items []store.ItemStep `json:"items"`
}

// itemSteps godoc
//
//	@Summary		The steps of an item's flow, with who does them
//	@Description	The user tasks of the flow the item's draft runs, with their step kinds, limits (the item's overrides applied) and the candidate groups (org unit codes) a case of the item gives them.
//	@Tags			items
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"item id"
//	@Success		200	{object}	ItemStepList
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/items/{id}/steps [get]
func (h *api) itemSteps(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	it, err := store.GetItem(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	steps, err := store.ItemSteps(ctx, h.DB, &it.ItemContent)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ItemStepList{Items: steps})
}

// ItemVersionList lists an item's published versions.
type ItemVersionList struct {
	Items []store.ItemVersion `json:"items"`
}

// listItemVersions godoc
//
//	@Summary	The published versions of an item, newest first
//	@Tags		items
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"item id"
//	@Success	200	{object}	ItemVersionList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/items/{id}/versions [get]
func (h *api) listItemVersions(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := store.GetItem(ctx, h.DB, id); err != nil {
		h.fail(c, err)
		return
	}
	vs, err := store.ListItemVersions(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ItemVersionList{Items: vs})
}

// getItemVersion godoc
//
//	@Summary	One published version of an item (what its cases run)
//	@Tags		items
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"item id"
//	@Param		version	path		int		true	"version number"
//	@Success	200		{object}	store.ItemVersion
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/items/{id}/versions/{version} [get]
func (h *api) getItemVersion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		writeError(c, http.StatusBadRequest, codeInvalidID, "version "+strconv.Quote(c.Param("version"))+" is not a version number (1, 2, ...)",
			FieldError{Field: "version", Message: "is not a version number"})
		return
	}
	iv, err := store.GetItemVersion(c.Request.Context(), h.DB, id, v)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, iv)
}

// createItem godoc
//
//	@Summary		Create an item (designer, admin)
//	@Description	Stores the content-information table as a draft. Refused with 400 naming the field: a definition that is not published (definitionKey), a pinned draft version (definitionVersion), duplicate material codes (materials[i].code), a promised limit above the statutory one (promisedDays), a lead section outside the competent department, a standard flow that does not fit (handlingType, coReviewerSectionIds, channels), step limits for tasks the flow lacks (stepLimits.ID). 409 when the code is taken.
//	@Tags			items
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		store.ItemContent	true	"the item"
//	@Success		201		{object}	store.Item
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code already used"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/items [post]
func (h *api) createItem(c *gin.Context) {
	var req store.ItemContent
	if !h.bind(c, &req) {
		return
	}
	it, err := store.CreateItem(c.Request.Context(), h.DB, req, principalOf(c).UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, it)
}

// updateItem godoc
//
//	@Summary		Replace an item's draft (designer, admin)
//	@Description	The same rules as creation. A published item keeps its current version for new cases until it is published again.
//	@Tags			items
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"item id"
//	@Param			body	body		store.ItemContent	true	"the item"
//	@Success		200		{object}	store.Item
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"code already used"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/items/{id} [put]
func (h *api) updateItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req store.ItemContent
	if !h.bind(c, &req) {
		return
	}
	var it *store.Item
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) (err error) {
		it, err = store.UpdateItem(c.Request.Context(), tx, id, req, principalOf(c).UserID)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

// deleteItem godoc
//
//	@Summary		Delete a draft item that was never published (designer, admin)
//	@Description	A published item is unpublished instead: its versions stay for the cases that ran them (409).
//	@Tags			items
//	@Security		BearerAuth
//	@Param			id	path	string	true	"item id"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse	"published, or named by a grant"
//	@Router			/api/v1/items/{id} [delete]
func (h *api) deleteItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) error { return store.DeleteItem(c.Request.Context(), tx, id) })
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// PublishItemRequest optionally binds the item to a definition version before publishing.
type PublishItemRequest struct {
	// DefinitionVersion pins this published version of the item's
	// definition (0: the latest published one); absent keeps the draft's.
	DefinitionVersion *int `json:"definitionVersion" validate:"omitempty,min=0" example:"1"`
}

// publishItem godoc
//
//	@Summary		Publish an item (designer, admin)
//	@Description	Checks the draft again, pins the definition version it runs (the body's definitionVersion, the draft's, or the latest published) and makes it the version new cases start with. Publishing unchanged content reuses the current version. The body is optional.
//	@Tags			items
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"item id"
//	@Param			body	body		PublishItemRequest	false	"the definition version to bind"
//	@Success		200		{object}	store.ItemVersion
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/items/{id}/publish [post]
func (h *api) publishItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req PublishItemRequest
	if c.Request.ContentLength != 0 && !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	by := principalOf(c).UserID
	var v *store.ItemVersion
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) (err error) {
		if req.DefinitionVersion != nil {
			it, err := store.GetItem(ctx, tx, id)
			if err != nil {
				return err
			}
			content := it.ItemContent
			content.DefinitionVersion = *req.DefinitionVersion
			if _, err := store.UpdateItem(ctx, tx, id, content, by); err != nil {
				return err
			}
		}
		v, err = store.PublishItem(ctx, tx, id, by)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// unpublishItem godoc
//
//	@Summary		Unpublish an item (designer, admin)
//	@Description	New cases are refused; running cases go on with their version. 409 when the item is not published.
//	@Tags			items
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"item id"
//	@Success		200	{object}	store.Item
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Failure		409	{object}	ErrorResponse
//	@Router			/api/v1/items/{id}/unpublish [post]
func (h *api) unpublishItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	it, err := store.UnpublishItem(c.Request.Context(), h.DB, id, principalOf(c).UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}
