package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

func (h *api) orgRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/org-units", h.listOrgUnits)
	authed.GET("/org-units/:id", h.getOrgUnit)
	authed.GET("/org-units/:id/ancestors", h.orgUnitAncestors)
	authed.GET("/org-units/:id/descendants", h.orgUnitDescendants)
	authed.POST("/org-units", h.createOrgUnit)
	authed.PATCH("/org-units/:id", h.updateOrgUnit)
}

// orgUnitQuery filters the org unit list.
type orgUnitQuery struct {
	ParentID string `form:"parentId" validate:"omitempty,id"`
	Roots    string `form:"roots" validate:"omitempty,oneof=true false"`
	Kind     string `form:"kind" validate:"omitempty,oneof=government department section centre window station"`
	Level    string `form:"level" validate:"omitempty,oneof=region city county township village"`
	pageQuery
}

// listOrgUnits godoc
//
//	@Summary		List org units
//	@Description	The organisation tree is read by every signed-in user: it holds no personal data. By code.
//	@Tags			org-units
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			parentId	query		string	false	"only the children of this unit"
//	@Param			roots		query		bool	false	"only units without a parent"
//	@Param			kind		query		string	false	"only this kind"	Enums(government, department, section, centre, window, station)
//	@Param			level		query		string	false	"only governments of this level"	Enums(region, city, county, township, village)
//	@Param			limit		query		int		false	"page size (1-200, default 50)"
//	@Param			after		query		string	false	"the next cursor of the page before"
//	@Success		200			{object}	app.List[store.OrgUnit]
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Router			/api/v1/org-units [get]
func (h *api) listOrgUnits(c *gin.Context) {
	var q orgUnitQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.OrgUnits(c.Request.Context(), principalOf(c), app.OrgUnitQuery{ParentID: q.ParentID,
		Roots: q.Roots == "true", Kind: q.Kind, Level: q.Level, Page: q.page()}))
}

// getOrgUnit godoc
//
//	@Summary	Get an org unit
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"org unit id"
//	@Success	200	{object}	store.OrgUnit
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id} [get]
func (h *api) getOrgUnit(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.OrgUnit(c.Request.Context(), principalOf(c), id))
}

// orgUnitAncestors godoc
//
//	@Summary	The units above an org unit, from the root down to its parent
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"org unit id"
//	@Success	200	{object}	app.List[store.OrgUnit]
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id}/ancestors [get]
func (h *api) orgUnitAncestors(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.OrgUnitAncestors(c.Request.Context(), principalOf(c), id))
}

// orgUnitDescendants godoc
//
//	@Summary	The units below an org unit, breadth first
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id		path		string	true	"org unit id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.OrgUnit]
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id}/descendants [get]
func (h *api) orgUnitDescendants(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var q pageQuery
	if !h.bindQuery(c, &q) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.OrgUnitDescendants(c.Request.Context(), principalOf(c), id, q.page()))
}

// createOrgUnit godoc
//
//	@Summary		Create an org unit (admin)
//	@Description	A region government is the root; every other unit names its parent: city under region, county under
//	@Description	city, township under county, village under township; department and centre under a government;
//	@Description	section under a department; window under a centre; station under a township or village. Codes and
//	@Description	names hold no control or invisible formatting characters.
//	@Tags			org-units
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		app.CreateOrgUnitRequest	true	"the unit"
//	@Success		201		{object}	store.OrgUnit
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"conflict: code already used"
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/org-units [post]
func (h *api) createOrgUnit(c *gin.Context) {
	var req app.CreateOrgUnitRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusCreated)(h.App.CreateOrgUnit(c.Request.Context(), principalOf(c), req))
}

// updateOrgUnit godoc
//
//	@Summary	Rename, recode or move an org unit (admin)
//	@Tags		org-units
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string						true	"org unit id"
//	@Param		body	body		app.UpdateOrgUnitRequest	true	"the changes"
//	@Success	200		{object}	store.OrgUnit
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"conflict: code already used"
//	@Router		/api/v1/org-units/{id} [patch]
func (h *api) updateOrgUnit(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req app.UpdateOrgUnitRequest
	if !h.bind(c, &req) {
		return
	}
	h.answer(c, http.StatusOK)(h.App.UpdateOrgUnit(c.Request.Context(), principalOf(c), id, req))
}
