package sqlite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// upstreamModule is the go-workflows module this package was copied from.
const upstreamModule = "github.com/cschleiden/go-workflows"

// upstreamSQLite is the SHA-256 of go-workflows v1.2.0's backend/sqlite as this package copied
// it: every non-test Go file and every migration, by name, in name order (upstreamDigest).
// When a go-workflows upgrade changes that backend, TestUpstreamBackendUnchanged fails: diff
// the module's backend/sqlite against this package, carry the "onewindow:" changes over to the
// new code (and any new migration to db/migrations), then set this to the digest it prints.
const upstreamSQLite = "8be3d7dc4606289a13f1cc8c9e4b981579bc542111fca0058d779726f0c7cc6f"

// TestUpstreamBackendUnchanged guards the copy: this package writes go-workflows' own tables
// (instances, pending_events, history, activities, attributes) with its own SQL, which is
// only right while go-workflows' schema and its backend's behaviour are the ones copied. A
// module upgrade that changes either makes this test fail instead of leaving two engine stores
// that disagree about the same tables.
func TestUpstreamBackendUnchanged(t *testing.T) {
	dir := upstreamDir(t)
	got, err := upstreamDigest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != upstreamSQLite {
		t.Fatalf("%s's backend/sqlite (%s) is not the one engine/sqlite was copied from: diff it against engine/sqlite, "+
			"carry the onewindow: changes over, then set upstreamSQLite to %s", upstreamModule, dir, got)
	}
	// Upstream's migrations are ours, byte for byte: a database file written by either backend
	// opens with the other (ours only adds migrations after upstream's).
	ups, err := filepath.Glob(filepath.Join(dir, "db", "migrations", "*.sql"))
	if err != nil || len(ups) == 0 {
		t.Fatalf("no migrations in %s: %v", dir, err)
	}
	for _, up := range ups {
		want, err := os.ReadFile(up)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := migrationsFS.ReadFile("db/migrations/" + filepath.Base(up))
		if err != nil {
			t.Fatalf("upstream migration %s has no copy here: %v", filepath.Base(up), err)
		}
		if !bytes.Equal(ours, want) {
			t.Errorf("migration %s differs from upstream's", filepath.Base(up))
		}
	}
}

// upstreamDir is where the go tool keeps the go-workflows module this build uses.
func upstreamDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", upstreamModule).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", upstreamModule, err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "backend", "sqlite")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("go-workflows has no SQLite backend at %s: %v", dir, err)
	}
	return dir
}

// upstreamDigest hashes dir's non-test Go files and migrations: each file's path (from dir)
// and a newline, then its bytes, in path order.
func upstreamDigest(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	sqls, err := filepath.Glob(filepath.Join(dir, "db", "migrations", "*.sql"))
	if err != nil {
		return "", err
	}
	files = append(files, sqls...)
	rel := make([]string, len(files))
	for i, f := range files {
		if rel[i], err = filepath.Rel(dir, f); err != nil {
			return "", err
		}
	}
	slices.Sort(rel)
	h := sha256.New()
	for _, r := range rel {
		data, err := os.ReadFile(filepath.Join(dir, r))
		if err != nil {
			return "", err
		}
		h.Write([]byte(filepath.ToSlash(r) + "\n"))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
