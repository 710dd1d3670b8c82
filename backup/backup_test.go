package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// deployment makes an app database (with schema_migrations), an engine database and two
// uploaded files under a data directory.
func deployment(t *testing.T) (string, Options) {
	t.Helper()
	dir := t.TempDir()
	exec := func(path string, stmts ...string) {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	exec(filepath.Join(dir, "onewindow.db"), `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`,
		`INSERT INTO schema_migrations VALUES (1), (40)`, `CREATE TABLE pairs (n INTEGER PRIMARY KEY)`)
	exec(filepath.Join(dir, "engine.db"), `CREATE TABLE pairs (n INTEGER PRIMARY KEY)`)
	for _, f := range []string{"files/ab/01ab", "files/cd/02cd", "files/cd/.upload-123"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte("%PDF "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, Options{Version: "test", FilesDir: filepath.Join(dir, "files"), Databases: []Database{
		{Name: "onewindow.db", Role: "app", Path: filepath.Join(dir, "onewindow.db")},
		{Name: "engine.db", Role: "engine", Path: filepath.Join(dir, "engine.db")},
	}}
}

func count(t *testing.T, path string) int {
	t.Helper()
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pairs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The databases are copied as of one moment, while a writer keeps changing both: a writer
// that commits row n to the app database and then to the engine database is seen, in every
// backup, with the engine at most one row behind.
func TestBackupIsOneMomentOfAllDatabases(t *testing.T) {
	_, opts := deployment(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		app, _ := sql.Open("sqlite", "file:"+opts.Databases[0].Path+"?_pragma=busy_timeout(10000)")
		eng, _ := sql.Open("sqlite", "file:"+opts.Databases[1].Path+"?_pragma=busy_timeout(10000)")
		defer app.Close()
		defer eng.Close()
		for n := 1; !stop.Load() && n < 100000; n++ {
			if _, err := app.Exec(`INSERT INTO pairs VALUES (?)`, n); err != nil {
				t.Error(err)
				return
			}
			if _, err := eng.Exec(`INSERT INTO pairs VALUES (?)`, n); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 5; i++ {
		var buf bytes.Buffer
		s, err := Create(context.Background(), opts, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if s.Files != 2 || s.Manifest.Schema != 40 {
			t.Fatalf("backup %d: %+v", i, s)
		}
		dir := t.TempDir()
		if _, err := Restore(&buf, RestoreOptions{DataDir: dir, Version: "test", Schema: 40}); err != nil {
			t.Fatal(err)
		}
		a, e := count(t, filepath.Join(dir, "onewindow.db")), count(t, filepath.Join(dir, "engine.db"))
		if a-e != 0 && a-e != 1 {
			t.Fatalf("backup %d: the app database has %d rows, the engine %d: not one moment", i, a, e)
		}
		t.Logf("backup %d: %d rows; writers waited %.2f ms", i, a, s.Manifest.LockedMillis)
	}
	stop.Store(true)
	wg.Wait()
}

func TestRestoreRefusals(t *testing.T) {
	_, opts := deployment(t)
	var buf bytes.Buffer
	if _, err := Create(context.Background(), opts, &buf); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()
	restore := func(data []byte, dir string, o RestoreOptions) error {
		o.DataDir, o.Version = dir, "test"
		_, err := Restore(bytes.NewReader(data), o)
		return err
	}

	// Into a directory with something in it: refused without --force, nothing touched.
	busy := t.TempDir()
	os.WriteFile(filepath.Join(busy, "onewindow.db"), []byte("mine"), 0o644)
	if err := restore(archive, busy, RestoreOptions{}); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("a non-empty directory: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(busy, "onewindow.db")); string(b) != "mine" {
		t.Fatal("the refused restore changed the directory")
	}
	os.WriteFile(filepath.Join(busy, "onewindow.db-wal"), []byte("stale"), 0o644)
	if err := restore(archive, busy, RestoreOptions{Force: true}); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if _, err := os.Stat(filepath.Join(busy, "onewindow.db-wal")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a stale WAL was left beside the restored database")
	}
	if b, err := os.ReadFile(filepath.Join(busy, "files/ab/01ab")); err != nil || string(b) != "%PDF files/ab/01ab" {
		t.Fatalf("a restored file: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(busy, "files/cd/.upload-123")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a half-written upload was backed up")
	}

	// Truncated anywhere: refused, and the directory stays empty.
	for _, cut := range []int{10, len(archive) / 3, len(archive) - 40} {
		dir := t.TempDir()
		err := restore(archive[:cut], dir, RestoreOptions{})
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("cut at %d of %d: %v", cut, len(archive), err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("cut at %d: the refused restore left %v", cut, left)
		}
	}

	// From a newer onewindow: a newer format, or a schema this binary does not know.
	if err := restore(archive, t.TempDir(), RestoreOptions{Schema: 39}); err == nil || !strings.Contains(err.Error(), "migration 0040") ||
		!strings.Contains(err.Error(), "knows migrations up to 0039") {
		t.Fatalf("a newer schema: %v", err)
	}
	if err := restore(rewriteManifest(t, archive, func(m *Manifest) { m.Format = 2; m.Version = "v9" }), t.TempDir(), RestoreOptions{}); err == nil ||
		!strings.Contains(err.Error(), "format 2, written by onewindow v9") {
		t.Fatalf("a newer format: %v", err)
	}
	if err := restore([]byte("not a backup at all"), t.TempDir(), RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "not a onewindow backup") {
		t.Fatalf("not a backup: %v", err)
	}
}

// rewriteManifest returns archive with its manifest changed by edit (the trailer then no
// longer matches it, but a newer format is refused before the trailer is read).
func rewriteManifest(t *testing.T, archive []byte, edit func(*Manifest)) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	w := newWriter(&out)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		var data bytes.Buffer
		data.ReadFrom(tr)
		if h.Name == manifestName {
			var m Manifest
			json.Unmarshal(data.Bytes(), &m)
			edit(&m)
			w.json(h.Name, m)
			continue
		}
		if h.Name != trailerName {
			w.entry(h.Name, int64(data.Len()), &data)
		}
	}
	w.close()
	return out.Bytes()
}
