// Package handlers is onewindow's HTTP API (gin): routing, authentication, request binding and
// validation, error JSON, request IDs, access logs, metrics and the Swagger UI.
//
// Each area of the API lives in its own file (auth.go, orgs.go, users.go, ...) with a method
// func (h *api) xxxRoutes(public, authed *gin.RouterGroup) that registers its routes; New lists
// those methods once. A new area adds a file and one line to the list in New. Handlers carry
// swag annotations (`make docs` regenerates docs/, and a test fails when it is stale).
package handlers

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files"
	ginswagger "github.com/swaggo/gin-swagger"

	"onewindow/app"
	_ "onewindow/docs" // registers the generated OpenAPI document with swag
)

// Deps is what the HTTP API needs from the rest of the server. Zero fields get the defaults
// documented on them; App is required.
type Deps struct {
	// App runs the use cases every handler calls.
	App     *app.App
	Logger  *slog.Logger // default slog.Default()
	Version string       // reported by /healthz and the build-info metric
	// MaxBodyBytes limits JSON request bodies; default 1 MiB.
	MaxBodyBytes int64
	// TrustedProxies are the addresses or CIDR ranges of the reverse proxies whose
	// X-Forwarded-For names the client; default none: the client is the socket's peer.
	TrustedProxies []string
	// Metrics counts the requests; default a registry of New's own. With MetricsElsewhere
	// /metrics is not served here (the caller serves Metrics.Handler on another address).
	Metrics          *Metrics
	MetricsElsewhere bool
	// EngineDiagnostics is go-workflows' diagnostics UI, served to admins at /admin/engine/
	// (admin_engine.go); nil: not served.
	EngineDiagnostics http.Handler
	// Web is the built workbench (package web's Dist), served at / with the browser
	// application's routes falling back to its index.html; nil: / redirects to Swagger.
	Web fs.FS
}

// api holds the dependencies shared by every handler.
type api struct {
	Deps
	metrics *Metrics
}

// New returns the HTTP handler of the whole API.
func New(d Deps) *gin.Engine {
	h, e := newBase(d)
	if d.Web == nil {
		e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/swagger/index.html") })
	} else {
		e.NoRoute(func(c *gin.Context) {
			if !h.serveWeb(c) {
				writeError(c, http.StatusNotFound, "not_found", "no route "+c.Request.Method+" "+c.Request.URL.Path)
			}
		})
	}
	e.GET("/swagger/*any", ginswagger.WrapHandler(swaggerfiles.Handler))
	h.adminEngineRoutes(e)
	h.plainRoutes(e)
	public := e.Group("/api/v1")
	authed := public.Group("", h.authenticate)
	for _, register := range []func(public, authed *gin.RouterGroup){
		h.authRoutes,
		h.orgRoutes,
		h.userRoutes,
		h.definitionRoutes,
		h.operationRoutes,
		h.itemRoutes,
		h.guideRoutes,
		h.grantRoutes,
		h.fileRoutes,
		h.caseRoutes,
		h.taskRoutes,
		h.calendarRoutes,
		h.procedureRoutes,
		h.supervisionRoutes,
		h.ratingRoutes,
		h.complaintRoutes,
		h.scorecardRoutes,
		h.auditRoutes,
		h.integrationRoutes,
		h.disclosureRoutes,
		h.publicityRoutes,
		h.workbenchRoutes,
		h.studioRoutes,
	} {
		register(public, authed)
	}
	return e
}

// NewWorker returns the HTTP handler of a worker process (--role worker): /healthz, /readyz
// and /metrics for the load balancer and the monitoring, no API.
func NewWorker(d Deps) *gin.Engine {
	_, e := newBase(d)
	return e
}

// newBase builds what every process serves: middleware, errors, health and metrics.
func newBase(d Deps) (*api, *gin.Engine) {
	if d.App == nil {
		panic("handlers: Deps.App is required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(d.Version, d.App.OpsFigures, d.Logger)
	}
	h := &api{Deps: d, metrics: d.Metrics}

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done/c.Value reach the request's context
	e.UseRawPath = true          // an id holding "/" (a child case, an incident) is sent as %2F in one path segment
	trustProxies(e, d.TrustedProxies)
	e.Use(h.requestID, h.observe, h.recover)
	e.NoRoute(func(c *gin.Context) {
		writeError(c, http.StatusNotFound, "not_found", "no route "+c.Request.Method+" "+c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		writeError(c, http.StatusMethodNotAllowed, "method_not_allowed", "method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	if !d.MetricsElsewhere {
		e.GET("/metrics", h.metrics.serve)
	}
	return h, e
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status  string `json:"status" example:"ok"`
	Version string `json:"version,omitempty" example:"dev"`
	Error   string `json:"error,omitempty"`
}

// healthz godoc
//
//	@Summary	Liveness: the process serves HTTP
//	@Tags		health
//	@Produce	json
//	@Success	200	{object}	Health
//	@Router		/healthz [get]
func (h *api) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, Health{Status: "ok", Version: h.Version})
}

// readyz godoc
//
//	@Summary	Readiness: the database and the engine's store answer
//	@Tags		health
//	@Produce	json
//	@Success	200	{object}	Health
//	@Failure	503	{object}	Health
//	@Router		/readyz [get]
func (h *api) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.App.Ready(ctx); err != nil {
		h.log(c).Warn("readiness check failed", "err", err)
		c.JSON(http.StatusServiceUnavailable, Health{Status: "unavailable", Version: h.Version, Error: err.Error()})
		return
	}
	c.JSON(http.StatusOK, Health{Status: "ok", Version: h.Version})
}
