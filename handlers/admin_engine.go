package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

// adminEngineRoutes mounts go-workflows' own diagnostics UI (its diag package: workflow
// instances, their history and state) at /admin/engine/ for admins, behind the API's
// authentication: a token (Authorization: Bearer) or an API key of a user with the admin
// role. It reads go-workflows' store directly and changes nothing (it answers GET only), so it
// is no use case of the App: an operator's window onto the engine, not a second inspector.
func (h *api) adminEngineRoutes(e *gin.Engine) {
	if h.EngineDiagnostics == nil {
		return
	}
	e.GET("/admin/engine", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/admin/engine/") })
	e.GET("/admin/engine/*path", h.authenticate, requireRole(store.RoleAdmin), gin.WrapH(h.EngineDiagnostics))
}
