package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The shape of issue 10, held against the code: a request goes down one way, handlers → app →
// store and engine. Go's import rules already forbid store or engine importing app; what they
// do not forbid is a handler opening a transaction, calling the store or the engine itself, or
// a use case queueing a signal past the one outbox. These checks read the source, so that such
// a shortcut fails here instead of in a review.

// goFiles parses the non-test Go files of dir (from the repository's root).
func goFiles(t *testing.T, dir string) map[string]*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	files := map[string]*ast.File{}
	fset := token.NewFileSet()
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join(dir, filepath.Base(n))] = f
	}
	return files
}

// imports lists the paths f imports, and the name each is used by in f.
func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if s.Name != nil {
			name = s.Name.Name
		}
		m[p] = name
	}
	return m
}

// calls lists the calls pkg.Name(...) in f, by Name, where pkg is the name f imports path by.
func calls(f *ast.File, path string) []string {
	pkg, ok := imports(f)[path]
	if !ok {
		return nil
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == pkg {
					out = append(out, s.Sel.Name)
				}
			}
		}
		return true
	})
	return out
}

// methodCalls lists the calls recv.field.Method(...) in f whose receiver chain ends in field
// (a.db.Tx, a.eng.Deliver), as "field.Method".
func methodCalls(f *ast.File, fields ...string) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok {
				if x, ok := s.X.(*ast.SelectorExpr); ok && slices.Contains(fields, x.Sel.Name) {
					out = append(out, x.Sel.Name+"."+s.Sel.Name)
				}
			}
		}
		return true
	})
	return out
}

// Handlers bind, identify the caller, call one use case and encode: no transaction, no SQL,
// no engine, no store function beyond the pure checks that validation shares with it.
func TestHandlersHoldNoTransactionNorEngine(t *testing.T) {
	pure := []string{"CheckIDCard", "PlainText", "IsUnavailable", "NewID"}
	for name, f := range goFiles(t, "handlers") {
		for p := range imports(f) {
			if p == "github.com/jmoiron/sqlx" || p == "database/sql" || p == "onewindow/engine" || p == "github.com/cschleiden/go-workflows/client" {
				t.Errorf("%s imports %s: a transaction or an engine call belongs in a use case (app/)", name, p)
			}
		}
		for _, c := range calls(f, "onewindow/store") {
			if !slices.Contains(pure, c) {
				t.Errorf("%s calls store.%s: handlers reach the database through a use case (app/)", name, c)
			}
		}
	}
}

// The store is SQL: it never reaches up into the use cases or the HTTP layer, nor drives the
// engine (it only implements the engine's store interfaces).
func TestStoreIsSQLOnly(t *testing.T) {
	for name, f := range goFiles(t, "store") {
		for p := range imports(f) {
			if p == "onewindow/app" || p == "onewindow/handlers" || p == "github.com/cschleiden/go-workflows/client" {
				t.Errorf("%s imports %s", name, p)
			}
		}
		for _, c := range calls(f, "onewindow/engine") {
			if c != "SplitTaskID" { // a pure helper of the engine's task ids
				t.Errorf("%s calls engine.%s: the store does not drive the engine", name, c)
			}
		}
	}
}

// Use cases queue engine work through the one outbox (app/outbox.go): only it writes a signal
// or hands one to the engine, and only it opens a transaction that signals.
func TestOneOutbox(t *testing.T) {
	for name, f := range goFiles(t, "app") {
		if name == filepath.Join("app", "outbox.go") {
			continue
		}
		for _, c := range calls(f, "onewindow/store") {
			if c == "EnqueueSignal" || c == "QueueProcessStart" {
				t.Errorf("%s calls store.%s: queue engine work through the Outbox (app/outbox.go)", name, c)
			}
		}
		for _, c := range methodCalls(f, "eng") {
			if c != "eng.Ready" {
				t.Errorf("%s calls %s: the engine is told through the Outbox (app/outbox.go)", name, c)
			}
		}
		for _, c := range methodCalls(f, "db") {
			// outbound.go records webhook deliveries, which signal no case.
			if c == "db.Tx" && name != filepath.Join("app", "outbound.go") {
				t.Errorf("%s calls a.%s: a use case changes things through a.change (app/outbox.go)", name, c)
			}
		}
	}
}
