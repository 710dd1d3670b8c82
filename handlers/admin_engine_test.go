package handlers

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cschleiden/go-workflows/diag"

	"onewindow/engine"
)

// TestAdminEngineDiagnostics: go-workflows' diagnostics UI answers an admin, refuses a clerk
// with 403 and an anonymous caller with 401.
func TestAdminEngineDiagnostics(t *testing.T) {
	s := newTestServer(t, nil)
	b, err := engine.OpenBackend("sqlite:"+filepath.Join(t.TempDir(), "engine.db"), engine.BackendOptions{WorkerName: "diag-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d, ok := b.(diag.Backend)
	if !ok {
		t.Fatal("the SQLite engine store offers no diagnostics")
	}
	s.h = New(Deps{App: s.app, Version: "test", EngineDiagnostics: http.StripPrefix("/admin/engine", diag.NewServeMux(d))})
	admin, clerk := s.login("admin"), s.login("clerk1")

	if r := s.do("GET", "/admin/engine/", ""); r.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d %s, want 401", r.Code, r.Body)
	}
	if r := s.as(clerk, "GET", "/admin/engine/", ""); r.Code != http.StatusForbidden || r.apiError(t).Code != codeForbidden {
		t.Errorf("clerk: %d %s, want 403", r.Code, r.Body)
	}
	if r := s.as(admin, "GET", "/admin/engine/", ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "go-workflows") {
		t.Errorf("admin, the UI: %d %.200s", r.Code, r.Body)
	}
	if r := s.as(admin, "GET", "/admin/engine/api/?count=5", ""); r.Code != http.StatusOK || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/json") {
		t.Errorf("admin, the instances: %d %.200s", r.Code, r.Body)
	}
	if r := s.as(clerk, "GET", "/admin/engine/api/?count=5", ""); r.Code != http.StatusForbidden {
		t.Errorf("clerk, the instances: %d, want 403", r.Code)
	}
}
