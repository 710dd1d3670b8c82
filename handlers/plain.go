package handlers

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

// The portal's pages that are only information, rendered on the server as plain HTML (Go
// html/template, embedded) for a reader without JavaScript (issue 16): the catalogue, an item's
// service guide with its steps and limits, progress lookup by a GET form, result publicity and
// the statistics tables. Their stable URLs are /public/items, /public/items/{id},
// /public/progress, /public/results and /public/statistics; the SPA's <noscript> links them.
// They read through the same use cases as the public JSON API, with the same throttles and the
// same query checks (readQuery), and show a bad query as HTML with the JSON API's status.

//go:embed plain/*.html
var plainFS embed.FS

// plainPages are the parsed templates, one set per page (the layout and the page's "content").
var plainPages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"theme": label(plainThemes), "level": label(plainLevels), "kind": label(plainKinds),
		"handling": label(map[string]string{store.HandlingImmediate: "即办件", store.HandlingPromised: "承诺件"}),
		"channel":  label(map[string]string{store.ChannelWindow: "窗口办理", store.ChannelOnline: "网上办理", store.ChannelStation: "村（社区）代办"}),
		"form":     label(map[string]string{store.MaterialOriginal: "原件", store.MaterialCopy: "复印件", store.MaterialOriginalAndCopy: "原件和复印件"}),
		"requirement": label(map[string]string{store.RequirementRequired: "必须提交",
			store.RequirementConditional: "视情况提交"}),
		"stepKind": label(map[string]string{"acceptance": "受理", "review": "审核", "coordination": "协调", "approval": "审批",
			"certification": "制证", "delivery": "送达"}),
		"days": func(d float64) string { return strconv.FormatFloat(d, 'f', -1, 64) },
		"inc":  func(i int) int { return i + 1 },
		"when": func(t any) string { return beijing(t, "2006-01-02 15:04") },
		"date": func(t any) string { return beijing(t, "2006-01-02") },
		"pct":  plainPercent,
		"num":  plainNumber,
	}
	out := map[string]*template.Template{}
	for _, page := range []string{"items", "item", "progress", "results", "statistics", "busy"} {
		out[page] = template.Must(template.New(page).Funcs(funcs).ParseFS(plainFS, "plain/layout.html", "plain/"+page+".html"))
	}
	return out
}()

// Words of the codes the plain pages show (the SPA has its own in web/src/portal/messages.ts).
var (
	plainThemes = map[string]string{store.ThemeHousehold: "户籍", store.ThemeSocialSecurity: "社保", store.ThemeBusinessStartup: "企业开办",
		store.ThemeInvestment: "投资建设", store.ThemeRealEstate: "不动产", store.ThemeMarriage: "婚姻", store.ThemeSocialAssistance: "社会救助",
		store.ThemeHealth: "医疗卫生", store.ThemeBirth: "生育", store.ThemeEmployment: "就业", store.ThemeEducation: "教育",
		store.ThemeSocialOrganisation: "社会组织", store.ThemeOther: "其他"}
	plainLevels = map[string]string{store.LevelRegion: "省（自治区）级", store.LevelCity: "市级", store.LevelCounty: "区县级",
		store.LevelTownship: "乡镇（街道）级"}
	plainKinds = map[string]string{store.ItemLicence: "行政许可", store.ItemConfirmation: "行政确认", store.ItemPayment: "行政给付",
		store.ItemRuling: "行政裁决", store.ItemReward: "行政奖励", store.ItemLevy: "行政征收", store.ItemOtherPower: "其他行政权力",
		store.ItemPublicService: "公共服务"}
)

// label looks a code up in words; an unknown code shows as it is, none as a dash.
func label(words map[string]string) func(string) string {
	return func(code string) string {
		if code == "" {
			return "—"
		}
		if w, ok := words[code]; ok {
			return w
		}
		return code
	}
}

// beijing formats a time or *time.Time in Beijing time (the cases' zone); nil is "".
func beijing(t any, layout string) string {
	switch v := t.(type) {
	case time.Time:
		return v.In(store.CaseZone).Format(layout)
	case *time.Time:
		if v != nil {
			return v.In(store.CaseZone).Format(layout)
		}
	}
	return ""
}

// plainPercent shows a rate (0.985) as a percentage with one decimal (98.5%); none as a dash.
func plainPercent(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// plainNumber shows a mean with two decimals; none as a dash.
func plainNumber(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// plainRoutes registers the plain pages on the engine's root.
func (h *api) plainRoutes(e *gin.Engine) {
	g := e.Group("/public", h.plainThrottle(limitPublic))
	g.GET("", plainHome)
	g.GET("/items", h.plainCatalogue)
	g.GET("/items/:id", h.plainGuide)
	g.GET("/results", h.plainResults)
	g.GET("/statistics", h.plainStatistics)
	e.GET("/public/progress", h.plainThrottle(limitProgress), h.plainProgress)
}

// busyData is the page of a reader past their address's allowance.
type busyData struct {
	plainData
	RetryAfter int // seconds; 0: unknown
}

// plainThrottle is throttle for the plain pages: past the allowance the reader gets 429 with
// Retry-After as a page, like every other error of these pages, not the JSON API's error.
func (h *api) plainThrottle(what app.Throttled) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := h.App.Throttle(what, c.ClientIP())
		if err == nil {
			c.Next()
			return
		}
		var ae *app.Error
		if !errors.As(err, &ae) {
			h.fail(c, err)
			return
		}
		d := busyData{plainData: plainData{Title: "请稍后再试", Error: ae.Message}}
		if ae.RetryAfter > 0 {
			d.RetryAfter = int(ae.RetryAfter.Seconds() + 0.999)
			c.Header("Retry-After", strconv.Itoa(d.RetryAfter))
		}
		h.renderPlain(c, http.StatusTooManyRequests, "busy", d, false)
		c.Abort()
	}
}

// plainHome godoc
//
//	@Summary	The plain pages' start: redirects to the catalogue (public, no JavaScript)
//	@Tags		plain
//	@Success	302
//	@Router		/public [get]
func plainHome(c *gin.Context) { c.Redirect(http.StatusFound, "/public/items") }

// plainData is what every page's layout reads.
type plainData struct {
	Title string
	Error string
}

// renderPlain writes page with data: a cacheable 200, or status with the error shown.
func (h *api) renderPlain(c *gin.Context, status int, page string, data any, cache bool) {
	var b bytes.Buffer
	if err := plainPages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		h.fail(c, fmt.Errorf("render plain page %s: %w", page, err))
		return
	}
	if status == http.StatusOK && cache {
		cached(c, "text/html; charset=utf-8", b.Bytes())
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// plainError is the status and the reader's message of a use case's error. An error that is
// no refusal is logged and shown only with the request id.
func (h *api) plainError(c *gin.Context, err error) (int, string) {
	var (
		ae  *app.Error
		inv *store.InvalidError
	)
	switch {
	case errors.As(err, &ae):
		return statusOf[ae.Kind], ae.Message
	case errors.As(err, &inv):
		return http.StatusBadRequest, inv.Error()
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "未找到"
	}
	h.log(c).Error("plain page failed", "err", err)
	return http.StatusInternalServerError, "系统内部错误，请稍后再试（请求编号 " + requestIDOf(c) + "）"
}

// checkPlainQuery reads the query into dst as the JSON API does; a bad one is its message.
func (h *api) checkPlainQuery(c *gin.Context, dst any) (int, string) {
	msg, _, err := readQuery(c, dst)
	if err != nil {
		return h.plainError(c, err)
	}
	if msg != "" {
		return http.StatusBadRequest, "查询条件有误：" + msg
	}
	return http.StatusOK, ""
}

// nextURL is the page's own URL with after set to next (the following page).
func nextURL(c *gin.Context, next string) string {
	q := c.Request.URL.Query()
	q.Set("after", next)
	return (&url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}).String()
}

// catalogueData is the plain catalogue.
type catalogueData struct {
	plainData
	Query       guideQuery
	Departments []app.GuideUnit
	Themes      []string
	Levels      []string
	Guides      *app.List[app.ServiceGuide]
	NextURL     string
}

// plainCatalogue godoc
//
//	@Summary		The catalogue as an HTML page without JavaScript (public)
//	@Description	The published items with a GET search form (name or code, department, theme, level, handling
//	@Description	type), from the same use case as GET /api/v1/public/items; a bad parameter is a 400 page naming it.
//	@Tags			plain
//	@Produce		html
//	@Param			q				query		string	false	"a part of the code or name"
//	@Param			departmentId	query		string	false	"only items of this competent department"
//	@Param			theme			query		string	false	"only items of this theme"	Enums(household, socialSecurity, businessStartup, investment, realEstate, marriage, socialAssistance, health, birth, employment, education, socialOrganisation, other)
//	@Param			level			query		string	false	"only items implemented at this level"	Enums(region, city, county, township)
//	@Param			handlingType	query		string	false	"only this handling type"	Enums(immediate, promised)
//	@Param			after			query		string	false	"the next page's cursor (the page's own next link)"
//	@Success		200				{string}	string	"HTML"
//	@Failure		400				{string}	string	"HTML naming the bad parameter"
//	@Router			/public/items [get]
func (h *api) plainCatalogue(c *gin.Context) {
	d := catalogueData{plainData: plainData{Title: "办事指南"}, Themes: store.ItemThemes, Levels: store.ItemLevels}
	status, msg := h.checkPlainQuery(c, &d.Query)
	d.Error = msg
	ctx := c.Request.Context()
	// The departments to choose from: those of the published items.
	var err error
	if d.Departments, err = h.App.GuideDepartments(ctx); err != nil {
		status, d.Error = h.plainError(c, err)
	}
	if status == http.StatusOK {
		q := d.Query
		d.Guides, err = h.App.Guides(ctx, app.GuideQuery{DepartmentID: q.DepartmentID, Kind: q.Kind, HandlingType: q.HandlingType,
			Theme: q.Theme, Level: q.Level, Search: q.Q, Page: q.page()})
		if err != nil {
			status, d.Error = h.plainError(c, err)
		} else if d.Guides.Next != "" {
			d.NextURL = nextURL(c, d.Guides.Next)
		}
	}
	h.renderPlain(c, status, "items", d, true)
}

// guideData is the plain service guide.
type guideData struct {
	plainData
	Guide   *app.ServiceGuide
	Process *app.ItemProcess
}

// plainGuide godoc
//
//	@Summary	An item's service guide as an HTML page without JavaScript: the content-information table and the steps with their limits (public)
//	@Tags		plain
//	@Produce	html
//	@Param		id	path		string	true	"item id"
//	@Success	200	{string}	string	"HTML"
//	@Failure	400	{string}	string	"HTML"
//	@Failure	404	{string}	string	"HTML: no such item, or not published"
//	@Router		/public/items/{id} [get]
func (h *api) plainGuide(c *gin.Context) {
	d := guideData{plainData: plainData{Title: "服务指南"}}
	id := c.Param("id")
	if !idRE.MatchString(id) {
		d.Error = "事项编号有误：" + id
		h.renderPlain(c, http.StatusBadRequest, "item", d, false)
		return
	}
	ctx := c.Request.Context()
	var err error
	if d.Guide, err = h.App.Guide(ctx, id); err == nil {
		d.Title = d.Guide.Name + " 服务指南"
		d.Process, err = h.App.ItemProcess(ctx, id)
	}
	if err != nil {
		status, msg := h.plainError(c, err)
		if status == http.StatusNotFound {
			msg = "没有这个事项，或者它已不再受理申请"
		}
		d.Guide, d.Process, d.Error = nil, nil, msg
		h.renderPlain(c, status, "item", d, false)
		return
	}
	h.renderPlain(c, http.StatusOK, "item", d, true)
}

// progressData is the plain progress lookup.
type progressData struct {
	plainData
	Number, Code string
	Progress     *app.PublicProgress
}

// plainProgress godoc
//
//	@Summary		Progress lookup as an HTML page without JavaScript: a GET form, and the case when both are given (public)
//	@Description	Never cached. An unknown number and a wrong code get the same 404 page.
//	@Tags			plain
//	@Produce		html
//	@Param			number	query		string	false	"case number"
//	@Param			code	query		string	false	"query code"
//	@Success		200		{string}	string	"HTML"
//	@Failure		400		{string}	string	"HTML"
//	@Failure		404		{string}	string	"HTML"
//	@Router			/public/progress [get]
func (h *api) plainProgress(c *gin.Context) {
	d := progressData{plainData: plainData{Title: "办件进度查询"}, Number: c.Query("number"), Code: c.Query("code")}
	status := http.StatusOK
	if d.Number != "" || d.Code != "" {
		var q progressQuery
		if status, d.Error = h.checkPlainQuery(c, &q); status == http.StatusOK {
			var err error
			if d.Progress, err = h.App.Progress(c.Request.Context(), q.Number, q.Code); err != nil {
				status, d.Error = h.plainError(c, err)
				if status == http.StatusNotFound {
					d.Error = "未找到该办件，请核对办件编号和查询码"
				}
			}
		}
	}
	// A case's progress is the applicant's: never kept by a shared cache.
	h.renderPlain(c, status, "progress", d, false)
}

// resultsData is the plain result publicity.
type resultsData struct {
	plainData
	Query   resultQuery
	Results *app.List[app.PublicResult]
	NextURL string
}

// plainResults godoc
//
//	@Summary	Result publicity as an HTML table without JavaScript, names masked (public)
//	@Tags		plain
//	@Produce	html
//	@Param		month	query		string	false	"finished in this month (2025-11)"
//	@Param		after	query		string	false	"the next page's cursor"
//	@Success	200		{string}	string	"HTML"
//	@Failure	400		{string}	string	"HTML"
//	@Router		/public/results [get]
func (h *api) plainResults(c *gin.Context) {
	d := resultsData{plainData: plainData{Title: "办件结果公示"}}
	status, msg := h.checkPlainQuery(c, &d.Query)
	d.Error = msg
	if status == http.StatusOK {
		q := d.Query
		var err error
		d.Results, err = h.App.PublicResults(c.Request.Context(), app.ResultQuery{ItemID: q.ItemID, DepartmentID: q.DepartmentID, Month: q.Month, Page: q.page()})
		if err != nil {
			status, d.Error = h.plainError(c, err)
		} else if d.Results.Next != "" {
			d.NextURL = nextURL(c, d.Results.Next)
		}
	}
	h.renderPlain(c, status, "results", d, true)
}

// statisticsData is the plain statistics table.
type statisticsData struct {
	plainData
	Query  statisticsQuery
	Report *app.StatisticsReport
}

// plainStatistics godoc
//
//	@Summary	The statistics as an HTML table without JavaScript (public)
//	@Tags		plain
//	@Produce	html
//	@Param		by		query		string	false	"department (default) or item"	Enums(department, item)
//	@Param		from	query		string	false	"first month (default this month)"
//	@Param		to		query		string	false	"last month (default from)"
//	@Success	200		{string}	string	"HTML"
//	@Failure	400		{string}	string	"HTML"
//	@Router		/public/statistics [get]
func (h *api) plainStatistics(c *gin.Context) {
	d := statisticsData{plainData: plainData{Title: "统计数据"}}
	if c.Request.URL.Query().Get("by") == "" { // before c.Query reads (and caches) the query
		// The page opens on the departments; the JSON API asks for by.
		c.Request.URL.RawQuery = url.Values{"by": {"department"}}.Encode() + "&" + c.Request.URL.RawQuery
	}
	status, msg := h.checkPlainQuery(c, &d.Query)
	d.Error = msg
	if status == http.StatusOK {
		q := d.Query
		var err error
		d.Report, err = h.App.Statistics(c.Request.Context(), app.StatisticsQuery{By: q.By, From: q.From, To: q.To, DepartmentID: q.DepartmentID, ItemID: q.ItemID})
		if err != nil {
			status, d.Error = h.plainError(c, err)
		}
	}
	h.renderPlain(c, status, "statistics", d, true)
}
