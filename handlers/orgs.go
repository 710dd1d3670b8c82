package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

func (h *api) orgRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/org-units", h.listOrgUnits)
	authed.GET("/org-units/:id", h.getOrgUnit)
	authed.GET("/org-units/:id/ancestors", h.orgUnitAncestors)
	authed.GET("/org-units/:id/descendants", h.orgUnitDescendants)
	authed.POST("/org-units", requireRole(store.RoleAdmin), h.createOrgUnit)
	authed.PATCH("/org-units/:id", requireRole(store.RoleAdmin), h.updateOrgUnit)
}

// OrgUnitList is a list of org units.
type OrgUnitList struct {
	Items []store.OrgUnit `json:"items"`
}

// listOrgUnits godoc
//
//	@Summary	List org units
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		parentId	query		string	false	"only the children of this unit"
//	@Param		roots		query		bool	false	"only units without a parent"
//	@Param		kind		query		string	false	"only this kind"	Enums(government, department, section, centre, window, station)
//	@Param		level		query		string	false	"only governments of this level"	Enums(region, city, county, township, village)
//	@Success	200			{object}	OrgUnitList
//	@Failure	400			{object}	ErrorResponse
//	@Failure	401			{object}	ErrorResponse
//	@Router		/api/v1/org-units [get]
func (h *api) listOrgUnits(c *gin.Context) {
	kind, ok := queryOneOf(c, "kind", store.OrgKinds)
	if !ok {
		return
	}
	level, ok := queryOneOf(c, "level", store.Levels)
	if !ok {
		return
	}
	roots, ok := queryOneOf(c, "roots", []string{"true", "false"})
	if !ok {
		return
	}
	units, err := store.ListOrgUnits(c.Request.Context(), h.DB, store.OrgUnitFilter{
		ParentID: c.Query("parentId"), Roots: roots == "true", Kind: kind, Level: level,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, OrgUnitList{Items: units})
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
	u, err := store.GetOrgUnit(c.Request.Context(), h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// orgUnitAncestors godoc
//
//	@Summary	The units above an org unit, from the root down to its parent
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"org unit id"
//	@Success	200	{object}	OrgUnitList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id}/ancestors [get]
func (h *api) orgUnitAncestors(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	units, err := store.OrgUnitAncestors(c.Request.Context(), h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, OrgUnitList{Items: units})
}

// orgUnitDescendants godoc
//
//	@Summary	The units below an org unit, breadth first
//	@Tags		org-units
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"org unit id"
//	@Success	200	{object}	OrgUnitList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id}/descendants [get]
func (h *api) orgUnitDescendants(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	units, err := store.OrgUnitDescendants(c.Request.Context(), h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, OrgUnitList{Items: units})
}

// CreateOrgUnitRequest creates an org unit. A region government is the root; every other unit
// names its parent: city under region, county under city, township under county, village under
// township; department and centre under a government; section under a department; window under
// a centre; station under a township or village.
type CreateOrgUnitRequest struct {
	ParentID string `json:"parentId" validate:"omitempty,id" example:"01jd5q3k8m0000000000000000"`
	Kind     string `json:"kind" validate:"required,oneof=government department section centre window station" example:"department"`
	Level    string `json:"level" validate:"required_if=Kind government,omitempty,oneof=region city county township village" example:""`
	Code     string `json:"code" validate:"required,max=64" example:"bl-fgj"`
	Name     string `json:"name" validate:"required,max=128" example:"北流市发展和改革局"`
}

// createOrgUnit godoc
//
//	@Summary	Create an org unit (admin)
//	@Tags		org-units
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		CreateOrgUnitRequest	true	"the unit"
//	@Success	201		{object}	store.OrgUnit
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse	"code already used"
//	@Failure	413		{object}	ErrorResponse
//	@Router		/api/v1/org-units [post]
func (h *api) createOrgUnit(c *gin.Context) {
	var req CreateOrgUnitRequest
	if !h.bind(c, &req) {
		return
	}
	u := &store.OrgUnit{ParentID: req.ParentID, Kind: req.Kind, Level: req.Level, Code: req.Code, Name: req.Name}
	if err := store.CreateOrgUnit(c.Request.Context(), h.DB, u); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// UpdateOrgUnitRequest changes an org unit; absent fields stay as they are. parentId moves the
// unit (its kind must fit under the new parent, and not below itself).
type UpdateOrgUnitRequest struct {
	Code     *string `json:"code" validate:"omitempty,min=1,max=64"`
	Name     *string `json:"name" validate:"omitempty,min=1,max=128"`
	ParentID *string `json:"parentId" validate:"omitempty,id"`
}

// updateOrgUnit godoc
//
//	@Summary	Rename, recode or move an org unit (admin)
//	@Tags		org-units
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string					true	"org unit id"
//	@Param		body	body		UpdateOrgUnitRequest	true	"the changes"
//	@Success	200		{object}	store.OrgUnit
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Failure	409		{object}	ErrorResponse
//	@Router		/api/v1/org-units/{id} [patch]
func (h *api) updateOrgUnit(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req UpdateOrgUnitRequest
	if !h.bind(c, &req) {
		return
	}
	var u *store.OrgUnit
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) (err error) {
		u, err = store.UpdateOrgUnit(c.Request.Context(), tx, id, store.OrgUnitPatch{Code: req.Code, Name: req.Name, ParentID: req.ParentID})
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}
