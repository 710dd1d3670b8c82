package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/swaggo/swag"
	"github.com/swaggo/swag/gen"

	"onewindow/docs"
)

// TestDocsUpToDate regenerates the OpenAPI document from the handlers' annotations, as
// `make docs` does, and fails when docs/ differs: run `make docs` and commit the result.
func TestDocsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("parses the whole module; skipped with -short")
	}
	t.Chdir("..") // the module root, where `make docs` runs swag
	out := t.TempDir()
	err := gen.New().Build(&gen.Config{
		// The same settings as `swag init -g main.go -o docs` (see the Makefile).
		SearchDir:          "./",
		MainAPIFile:        "main.go",
		PropNamingStrategy: swag.CamelCase,
		OutputDir:          out,
		OutputTypes:        []string{"go", "json", "yaml"},
		ParseDepth:         100,
		OverridesFile:      gen.DefaultOverridesFile,
		ParseGoList:        true,
		LeftTemplateDelim:  "{{",
		RightTemplateDelim: "}}",
		CollectionFormat:   "csv",
		PackageName:        "docs", // swag names the package after the output folder
		Debugger:           log.New(io.Discard, "", 0),
	})
	if err != nil {
		t.Fatalf("swag: %v", err)
	}
	for _, name := range []string{"docs.go", "swagger.json", "swagger.yaml"} {
		want, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("docs", name))
		if err != nil {
			t.Fatalf("docs/%s: %v (run make docs)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/%s is stale: run `make docs` and commit docs/", name)
		}
	}
}

// TestEveryRouteDocumented fails when a route has no swag annotation (or a wrong @Router).
func TestEveryRouteDocumented(t *testing.T) {
	s := newTestServer(t, nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(docs.SwaggerInfo.ReadDoc()), &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	for _, r := range s.h.(*gin.Engine).Routes() {
		if r.Path == "/" || strings.HasPrefix(r.Path, "/swagger/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document: annotate its handler (@Router %s [%s]) and run make docs",
				r.Method, r.Path, path, strings.ToLower(r.Method))
		}
	}
}
