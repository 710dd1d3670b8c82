package handlers

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// serveWeb serves the workbench (Deps.Web) at / : a file of the build when the path names one,
// otherwise index.html, so that the browser application's own routes (/counter/inbox, ...) load
// on a reload or a bookmark. Paths of the API, Swagger and the probes never fall back: an unknown
// /api/ path stays a JSON 404.
func (h *api) serveWeb(c *gin.Context) bool {
	if h.Web == nil || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		return false
	}
	p := c.Request.URL.Path
	for _, prefix := range []string{"/api/", "/swagger/", "/admin/", "/public/", "/metrics", "/healthz", "/readyz"} {
		if strings.HasPrefix(p, prefix) || p == strings.TrimSuffix(prefix, "/") {
			return false
		}
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(h.Web, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite names assets by their content: they never change under one name.
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFileFS(c.Writer, c.Request, h.Web, name)
			return true
		}
		if path.Ext(name) != "" && !strings.Contains(c.GetHeader("Accept"), "text/html") {
			return false // a missing file (favicon.ico, a stale asset) is a 404, not the page
		}
	}
	index, err := fs.ReadFile(h.Web, "index.html")
	if err != nil {
		return false
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	return true
}
