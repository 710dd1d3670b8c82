package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// publicityRoutes are the public side of the two disclosures (两公开), without an account and
// throttled per client address: result publicity, statistics, and each item's flowchart and
// process. Answers carry an ETag and Cache-Control, and a matching If-None-Match is 304.
func (h *api) publicityRoutes(public, _ *gin.RouterGroup) {
	g := public.Group("/public", h.throttle(limitPublic))
	g.GET("/results", h.publicResults)
	g.GET("/statistics", h.publicStatistics)
	g.GET("/items/:id/flowchart", h.itemFlowchart)
	g.GET("/items/:id/process", h.itemProcess)
}

// publicCache is how long a public answer may be cached.
const publicCache = "public, max-age=60"

// revalidate lets a client keep an answer but ask each time whether it changed (a 304 when
// not): for the catalogue, which an applicant must see as published a moment ago.
const revalidate = "public, no-cache"

// cached writes body with status 200, an ETag of its content and Cache-Control, or 304 when
// the client's If-None-Match holds that ETag already.
func cached(c *gin.Context, contentType string, body []byte) {
	cachedAs(c, contentType, body, publicCache)
}

// cachedAs is cached with the Cache-Control given.
func cachedAs(c *gin.Context, contentType string, body []byte, cacheControl string) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", cacheControl)
	for _, m := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "W/")); m == etag || m == "*" {
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Data(http.StatusOK, contentType, body)
}

// cachedJSON writes a use case's answer as cached JSON, or its error.
func (h *api) cachedJSON(c *gin.Context) func(v any, err error) {
	return h.jsonCachedAs(c, publicCache)
}

// revalidatedJSON writes a use case's answer as JSON with an ETag that clients revalidate on
// every use (Cache-Control no-cache), or its error.
func (h *api) revalidatedJSON(c *gin.Context) func(v any, err error) {
	return h.jsonCachedAs(c, revalidate)
}

func (h *api) jsonCachedAs(c *gin.Context, cacheControl string) func(v any, err error) {
	return func(v any, err error) {
		if err != nil {
			h.fail(c, err)
			return
		}
		body, err := json.Marshal(v)
		if err != nil {
			h.fail(c, err)
			return
		}
		cachedAs(c, "application/json; charset=utf-8", body, cacheControl)
	}
}

// resultQuery filters result publicity.
type resultQuery struct {
	ItemID       string `form:"itemId" validate:"omitempty,id"`
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	Month        string `form:"month" validate:"max=7"`
	pageQuery
}

// publicResults godoc
//
//	@Summary		Result publicity (办件结果公示): finished cases of the items that publish, newest first (public)
//	@Description	Number, item, the applicant's name masked (张*三; an organisation's in full), decision and dates. No
//	@Description	account needed; no personal data.
//	@Tags			public
//	@Produce		json
//	@Param			itemId			query		string	false	"one item's cases"
//	@Param			departmentId	query		string	false	"one department's items' cases"
//	@Param			month			query		string	false	"finished in this month (2025-11, Beijing time)"
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Success		200				{object}	app.List[app.PublicResult]
//	@Success		304
//	@Failure		400				{object}	ErrorResponse
//	@Failure		429				{object}	ErrorResponse	"code too_many_attempts"
//	@Router			/api/v1/public/results [get]
func (h *api) publicResults(c *gin.Context) {
	var q resultQuery
	if h.bindQuery(c, &q) {
		h.cachedJSON(c)(h.App.PublicResults(c.Request.Context(), app.ResultQuery{ItemID: q.ItemID, DepartmentID: q.DepartmentID, Month: q.Month, Page: q.page()}))
	}
}

// statisticsQuery selects the statistics.
type statisticsQuery struct {
	By           string `form:"by" validate:"required,oneof=department item"`
	From         string `form:"from" validate:"max=7"`
	To           string `form:"to" validate:"max=7"`
	DepartmentID string `form:"departmentId" validate:"omitempty,id"`
	ItemID       string `form:"itemId" validate:"omitempty,id"`
	Format       string `form:"format" validate:"omitempty,oneof=json csv"`
}

// publicStatistics godoc
//
//	@Summary		Statistics per month and department or item: received, finished, on-time rate, working days, satisfaction, complaints (public)
//	@Description	The scorecards' own figures, month by month (from and to, YYYY-MM, at most 24 months; a longer period is
//	@Description	400). format=csv answers text/csv with a header row (columns as in the JSON rows).
//	@Tags			public
//	@Produce		json
//	@Produce		text/csv
//	@Param			by				query		string	true	"department or item"	Enums(department, item)
//	@Param			from			query		string	false	"first month (default this month)"
//	@Param			to				query		string	false	"last month (default from)"
//	@Param			departmentId	query		string	false	"one department (by item: its items)"
//	@Param			itemId			query		string	false	"one item (by item)"
//	@Param			format			query		string	false	"json (default) or csv"	Enums(json, csv)
//	@Success		200				{object}	app.StatisticsReport
//	@Success		304
//	@Failure		400				{object}	ErrorResponse	"code validation_failed (a bad month, over 24 months)"
//	@Failure		429				{object}	ErrorResponse	"code too_many_attempts"
//	@Router			/api/v1/public/statistics [get]
func (h *api) publicStatistics(c *gin.Context) {
	var q statisticsQuery
	if !h.bindQuery(c, &q) {
		return
	}
	rep, err := h.App.Statistics(c.Request.Context(), app.StatisticsQuery{By: q.By, From: q.From, To: q.To, DepartmentID: q.DepartmentID, ItemID: q.ItemID})
	if err != nil || q.Format != "csv" {
		h.cachedJSON(c)(rep, err)
		return
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(app.StatisticsColumns)
	for _, r := range rep.Rows {
		_ = w.Write(r.Record())
	}
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="statistics-`+q.By+`-`+rep.From+`-`+rep.To+`.csv"`)
	cached(c, "text/csv; charset=utf-8", b.Bytes())
}

// itemFlowchart godoc
//
//	@Summary		The flowchart (权力运行流程图) of a published item, BPMN 2.0 XML with its diagram, for a viewer (public)
//	@Tags			public
//	@Produce		xml
//	@Param			id	path		string	true	"item id"
//	@Success		200	{string}	string	"BPMN XML"
//	@Success		304
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such item, or not published"
//	@Router			/api/v1/public/items/{id}/flowchart [get]
func (h *api) itemFlowchart(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	xml, err := h.App.ItemFlowchart(c.Request.Context(), id)
	if err != nil {
		h.fail(c, err)
		return
	}
	cached(c, "application/xml; charset=utf-8", xml)
}

// itemProcess godoc
//
//	@Summary		The process of a published item: its steps in order, who works each, the limits (public)
//	@Tags			public
//	@Produce		json
//	@Param			id	path		string	true	"item id"
//	@Success		200	{object}	app.ItemProcess
//	@Success		304
//	@Failure		400	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such item, or not published"
//	@Router			/api/v1/public/items/{id}/process [get]
func (h *api) itemProcess(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.cachedJSON(c)(h.App.ItemProcess(c.Request.Context(), id))
	}
}
