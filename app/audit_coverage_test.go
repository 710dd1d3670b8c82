package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every change a use case makes is audited: each transaction through a.change queues an audit
// row (Outbox.Audit, Outbox.Act, or a helper that does), and no use case writes to the
// database outside a.change. The test reads the package's source, so a new use case that
// forgets either fails here before it ships.
func TestEveryChangeIsAudited(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// Helpers that audit for their caller.
	auditing := regexp.MustCompile(`\.(Audit|Act)\(|enrichAlert\(`)
	// Store writes (by the verb their name starts with) made on a.db rather than in a.change;
	// bookkeeping that is no one's action is allowed: the last use of an API key, a queued
	// start handed to the engine, the attempts of an outbound delivery, and reads whose name
	// starts like a verb.
	writes := regexp.MustCompile(`store\.(Create|Update|Delete|Insert|Put|Record|Revoke|Remove|Mark|Set|Add|Save|End|Start|Publish|Unpublish|Deploy|Close|Withdraw|Take|Claim|Enqueue|Queue|Ensure)[A-Za-z]*\(ctx, a\.db`)
	allowed := regexp.MustCompile(`store\.(TouchAPIKey|MarkProcessStarted|StartingCases|MarkDeliveryStarted|MarkNotificationStarted|EndDelivery|RecordNotificationAttempt|PublishingItems)\(`)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, data, 0)
		if err != nil {
			t.Fatal(err)
		}
		src := func(n ast.Node) string {
			tf := fset.File(n.Pos())
			return string(data[tf.Offset(n.Pos()):tf.Offset(n.End())])
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			text := src(call)
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "change" && len(call.Args) == 2 {
				if lit, ok := call.Args[1].(*ast.FuncLit); ok {
					checked++
					if !auditing.MatchString(src(lit)) {
						t.Errorf("%s: a change that queues no audit row (call out.Audit or out.Act)", fset.Position(call.Pos()))
					}
				}
			}
			if writes.MatchString(text) && !allowed.MatchString(text) && !strings.Contains(text, "a.change(") {
				t.Errorf("%s: a write outside a.change, so unaudited: %.80s", fset.Position(call.Pos()), text)
			}
			return true
		})
	}
	if checked < 30 {
		t.Fatalf("found only %d changes: the test no longer finds a.change calls", checked)
	}
}
