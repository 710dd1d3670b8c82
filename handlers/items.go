package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// staffRoles are the roles of people who work in the centre: they read the catalogue and the
// grants.
var staffRoles = app.StaffRoles

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

// listStandardFlows godoc
//
//	@Summary		The standard flows items can run
//	@Description	The four standard flows (definitions/standard, docs/standard-flows.md): their steps with step kinds, candidate-group variables and outcomes, and the published version an item binds to.
//	@Tags			items
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	app.List[app.StandardFlow]
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Router			/api/v1/standard-flows [get]
func (h *api) listStandardFlows(c *gin.Context) {
	h.answer(c, http.StatusOK)(h.App.StandardFlows(c.Request.Context(), principalOf(c)))
}

// itemQuery filters the catalogue.
type itemQuery struct {
	DepartmentID  string `form:"departmentId" validate:"omitempty,id"`
	State         string `form:"state" validate:"omitempty,oneof=draft published unpublished"`
	Kind          string `form:"kind" validate:"omitempty,oneof=licence confirmation payment ruling reward levy otherPower publicService"`
	HandlingType  string `form:"handlingType" validate:"omitempty,oneof=immediate promised"`
	DefinitionKey string `form:"definitionKey" validate:"max=255,plaintext"`
	Theme         string `form:"theme" validate:"omitempty,oneof=household socialSecurity businessStartup investment realEstate marriage socialAssistance health birth employment education socialOrganisation other"`
	Level         string `form:"level" validate:"omitempty,oneof=region city county township"`
	Q             string `form:"q" validate:"max=100,plaintext"`
	pageQuery
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
//	@Param		theme			query		string	false	"only items of this theme (主题)"	Enums(household, socialSecurity, businessStartup, investment, realEstate, marriage, socialAssistance, health, birth, employment, education, socialOrganisation, other)
//	@Param		level			query		string	false	"only items implemented at this level (层级)"	Enums(region, city, county, township)
//	@Param		q				query		string	false	"a part of the code or name"
//	@Param		limit			query		int		false	"page size (1-200, default 50)"
//	@Param		after			query		string	false	"the next cursor of the page before"
//	@Success	200				{object}	app.List[store.Item]
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/items [get]
func (h *api) listItems(c *gin.Context) {
	var q itemQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Items(c.Request.Context(), principalOf(c), app.ItemQuery{DepartmentID: q.DepartmentID, State: q.State,
			Kind: q.Kind, HandlingType: q.HandlingType, DefinitionKey: q.DefinitionKey, Theme: q.Theme, Level: q.Level, Search: q.Q,
			Page: q.page()}))
	}
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
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.Item(c.Request.Context(), principalOf(c), id))
	}
}

// itemSteps godoc
//
//	@Summary		The steps of an item's flow, with who does them
//	@Description	The user tasks of the flow the item's draft runs, with their step kinds, limits (the item's overrides applied) and the candidate groups (org unit codes) a case of the item gives them.
//	@Tags			items
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"item id"
//	@Success		200	{object}	app.List[app.ItemStep]
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/items/{id}/steps [get]
func (h *api) itemSteps(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.ItemSteps(c.Request.Context(), principalOf(c), id))
	}
}

// listItemVersions godoc
//
//	@Summary	The published versions of an item, newest first
//	@Tags		items
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"item id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.ItemVersion]
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/items/{id}/versions [get]
func (h *api) listItemVersions(c *gin.Context) {
	id, ok := pathID(c, "id")
	var q pageQuery
	if ok && h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.ItemVersions(c.Request.Context(), principalOf(c), id, q.page()))
	}
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
	h.answer(c, http.StatusOK)(h.App.ItemVersion(c.Request.Context(), principalOf(c), id, v))
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
	var req app.ItemRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.CreateItem(c.Request.Context(), principalOf(c), req))
	}
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
	var req app.ItemRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.UpdateItem(c.Request.Context(), principalOf(c), id, req))
	}
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
	if err := h.App.DeleteItem(c.Request.Context(), principalOf(c), id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
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
//	@Param			body	body		app.PublishItemRequest	false	"the definition version to bind"
//	@Success		200		{object}	store.ItemVersion
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/items/{id}/publish [post]
func (h *api) publishItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req app.PublishItemRequest
	if ok && h.bindOptional(c, &req) {
		h.answer(c, http.StatusOK)(h.App.PublishItem(c.Request.Context(), principalOf(c), id, req))
	}
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
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.UnpublishItem(c.Request.Context(), principalOf(c), id))
	}
}
