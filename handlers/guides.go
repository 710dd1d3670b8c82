package handlers

import (
	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// The public read side of the catalogue: the service guide (服务指南) of each
// published item, the version a new case starts with. No account needed.
func (h *api) guideRoutes(public, _ *gin.RouterGroup) {
	public.GET("/public/items", h.listGuides)
	public.GET("/public/items/:id", h.getGuide)
}

// guideQuery filters the service guides.
type guideQuery struct {
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	Kind         string `form:"kind" validate:"omitempty,oneof=licence confirmation payment ruling reward levy otherPower publicService"`
	HandlingType string `form:"handlingType" validate:"omitempty,oneof=immediate promised"`
	Theme        string `form:"theme" validate:"omitempty,oneof=household socialSecurity businessStartup investment realEstate marriage socialAssistance health birth employment education socialOrganisation other"`
	Level        string `form:"level" validate:"omitempty,oneof=region city county township"`
	Q            string `form:"q" validate:"max=100,plaintext"`
	pageQuery
}

// listGuides godoc
//
//	@Summary		Service guides of the published items (public)
//	@Description	Every item an applicant can apply for, as its current published version: conditions, materials, fees,
//	@Description	time limits, channels, contacts, and the departments and sections that handle it, by name. No account needed.
//	@Description	With an ETag, revalidated on every use (Cache-Control no-cache): If-None-Match with it answers 304.
//	@Tags			public
//	@Produce		json
//	@Param			departmentId	query		string	false	"only items of this competent department"
//	@Param			kind			query		string	false	"only this kind"	Enums(licence, confirmation, payment, ruling, reward, levy, otherPower, publicService)
//	@Param			handlingType	query		string	false	"only this handling type"	Enums(immediate, promised)
//	@Param			theme			query		string	false	"only items of this theme (主题)"	Enums(household, socialSecurity, businessStartup, investment, realEstate, marriage, socialAssistance, health, birth, employment, education, socialOrganisation, other)
//	@Param			level			query		string	false	"only items implemented at this level (层级)"	Enums(region, city, county, township)
//	@Param			q				query		string	false	"a part of the code or name"
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Success		200				{object}	app.List[app.ServiceGuide]
//	@Success		304
//	@Failure		400				{object}	ErrorResponse
//	@Router			/api/v1/public/items [get]
func (h *api) listGuides(c *gin.Context) {
	var q guideQuery
	if h.bindQuery(c, &q) {
		h.revalidatedJSON(c)(h.App.Guides(c.Request.Context(), app.GuideQuery{DepartmentID: q.DepartmentID, Kind: q.Kind,
			HandlingType: q.HandlingType, Theme: q.Theme, Level: q.Level, Search: q.Q, Page: q.page()}))
	}
}

// getGuide godoc
//
//	@Summary		The service guide of one published item (public)
//	@Description	With the competent department, the lead section and the co-reviewing sections by name (and their
//	@Description	departments' names).
//	@Tags			public
//	@Produce		json
//	@Param			id	path		string	true	"item id"
//	@Success		200	{object}	app.ServiceGuide
//	@Success		304
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such item, or it is not published"
//	@Router			/api/v1/public/items/{id} [get]
func (h *api) getGuide(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.revalidatedJSON(c)(h.App.Guide(c.Request.Context(), id))
	}
}
