package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

// The public read side of the catalogue: the service guide (服务指南) of each
// published item, the version a new case starts with. No account needed.
func (h *api) guideRoutes(public, _ *gin.RouterGroup) {
	public.GET("/public/items", h.listGuides)
	public.GET("/public/items/:id", h.getGuide)
}

// GuideList is a page of service guides.
type GuideList struct {
	Items []store.ItemVersion `json:"items"`
}

// listGuides godoc
//
//	@Summary		Service guides of the published items (public)
//	@Description	Every item an applicant can apply for, as its current published version: conditions, materials, fees, time limits, channels, contacts. No account needed.
//	@Tags			public
//	@Produce		json
//	@Param			departmentId	query		string	false	"only items of this competent department"
//	@Param			kind			query		string	false	"only this kind"	Enums(licence, confirmation, payment, ruling, reward, levy, otherPower, publicService)
//	@Param			handlingType	query		string	false	"only this handling type"	Enums(immediate, promised)
//	@Param			q				query		string	false	"a part of the code or name"
//	@Param			limit			query		int		false	"page size (1-500, default 100)"
//	@Param			offset			query		int		false	"rows to skip"
//	@Success		200				{object}	GuideList
//	@Failure		400				{object}	ErrorResponse
//	@Router			/api/v1/public/items [get]
func (h *api) listGuides(c *gin.Context) {
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
	ctx := c.Request.Context()
	items, err := store.ListItems(ctx, h.DB, store.ItemFilter{DepartmentID: c.Query("departmentId"), State: store.ItemPublished,
		Kind: kind, HandlingType: ht, Search: c.Query("q"), Limit: limit, Offset: offset})
	if err != nil {
		h.fail(c, err)
		return
	}
	out := GuideList{Items: []store.ItemVersion{}}
	for _, it := range items {
		v, err := store.ItemForCase(ctx, h.DB, it.ID)
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Items = append(out.Items, *v)
	}
	c.JSON(http.StatusOK, out)
}

// getGuide godoc
//
//	@Summary	The service guide of one published item (public)
//	@Tags		public
//	@Produce	json
//	@Param		id	path		string	true	"item id"
//	@Success	200	{object}	store.ItemVersion
//	@Failure	400	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse	"no such item, or it is not published"
//	@Router		/api/v1/public/items/{id} [get]
func (h *api) getGuide(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	v, err := store.ItemForCase(c.Request.Context(), h.DB, id)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			writeError(c, http.StatusNotFound, "not_found", "no published item "+id)
			return
		}
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
