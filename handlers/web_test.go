package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

// TestWorkbenchServedWithFallback checks that the workbench's files are served at /, that its
// own routes fall back to index.html, and that the API's unknown paths stay JSON 404s.
func TestWorkbenchServedWithFallback(t *testing.T) {
	s := newTestServer(t, nil)
	s.h = New(Deps{App: s.app, Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Web: fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><div id=app></div>")},
		"assets/app-1.js":  {Data: []byte("console.log(1)")},
		"source-hash.txt":  {Data: []byte("x\n")},
		"assets/app-1.css": {Data: []byte("body{}")},
	}})
	for _, tc := range []struct {
		path, accept string
		status       int
		body, ctype  string
	}{
		{"/", "text/html", 200, "<div id=app>", "text/html"},
		{"/counter/inbox", "text/html", 200, "<div id=app>", "text/html"},
		{"/counter/tasks/abc", "", 200, "<div id=app>", "text/html"},
		{"/assets/app-1.js", "*/*", 200, "console.log", "javascript"},
		{"/assets/missing.js", "*/*", 404, "not_found", "json"},
		{"/api/v1/nothing-here", "text/html", 404, "not_found", "json"},
		{"/healthz", "", 200, "ok", "json"},
	} {
		r := s.do("GET", tc.path, "", "Accept", tc.accept)
		if r.Code != tc.status || !strings.Contains(r.Body.String(), tc.body) || !strings.Contains(r.Header().Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %q %q, want %d with %q (%s)", tc.path, r.Code, r.Header().Get("Content-Type"), r.Body.String(), tc.status, tc.body, tc.ctype)
		}
	}
	if r := s.do("GET", "/assets/app-1.js", ""); !strings.Contains(r.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("assets are not cached: %q", r.Header().Get("Cache-Control"))
	}
	if r := s.do("POST", "/counter/inbox", "{}"); r.Code == http.StatusOK {
		t.Errorf("POST to a page served it: %d", r.Code)
	}
}

// TestNoWorkbenchRedirectsToSwagger keeps the old behaviour of / when no workbench is given.
func TestNoWorkbenchRedirectsToSwagger(t *testing.T) {
	s := newTestServer(t, nil)
	if r := s.do("GET", "/", ""); r.Code != http.StatusFound || r.Header().Get("Location") != "/swagger/index.html" {
		t.Fatalf("GET / without workbench: %d %q", r.Code, r.Header().Get("Location"))
	}
}
