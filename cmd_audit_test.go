package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// migratedSQLite opens a migrated application database onewindow.db in dir.
func migratedSQLite(t *testing.T, dir string) (string, *store.DB) {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(dir, "onewindow.db")
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dsn, db
}

// `onewindow audit verify` names the first broken row of an edited chain, and with the day
// heads exported by `audit heads` it finds a tail cut off with its head rewritten.
func TestAuditCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	dsn, db := migratedSQLite(t, dir)
	for i, day := range []int{24, 24, 25, 25, 25, 26} {
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			return store.AppendAudit(ctx, tx, time.Date(2025, 11, day, 3, i, 0, 0, time.UTC),
				store.AuditEntry{ActorID: "u1", ActorName: "clerk1", Action: "task.complete", CaseID: "C-1", Subject: "task:C-1/a"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := auditCommand(append(args, "--db", dsn), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("verify"); code != 0 || !strings.Contains(out, "audit chain holds: 6 rows checked") {
		t.Fatalf("verify a sound chain: %d %s", code, out)
	}
	code, heads := run("heads")
	if code != 0 || len(strings.Split(strings.TrimSpace(heads), "\n")) != 3 || !strings.HasPrefix(heads, "2025-11-24 2 ") {
		t.Fatalf("heads: %d %s", code, heads)
	}
	headsFile := filepath.Join(dir, "heads.txt")
	if err := os.WriteFile(headsFile, []byte(heads), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run("verify", "--from", "2025-11-25", "--heads", headsFile); code != 0 || !strings.Contains(out, "4 rows checked") ||
		!strings.Contains(out, "2 published heads found unchanged") {
		t.Fatalf("verify from a day against the heads: %d %s", code, out)
	}

	// Row 3 edited with SQL.
	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET actor_name = 'someone' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	if code, out := run("verify"); code != 1 || !strings.Contains(out, "audit row 3 (2025-11-25, task.complete by someone") ||
		!strings.Contains(out, "changed after it was written") {
		t.Fatalf("verify an edited row: %d %s", code, out)
	}
	if code, _ := run("heads"); code != 1 {
		t.Fatal("heads of a broken chain were exported")
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET actor_name = 'clerk1' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	// The tail cut off and the head set back to match: only the exported heads tell.
	var h store.AuditHead
	if err := db.GetContext(ctx, &h, `SELECT seq, day, hash FROM audit_log WHERE seq = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq > 4`); err != nil {
		t.Fatal(err)
	}
	if code, out := run("verify"); code != 1 || !strings.Contains(out, "cut off the end") {
		t.Fatalf("verify a cut tail: %d %s", code, out)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE audit_head SET seq = 4, day = ?, hash = ? WHERE id = 1`), h.Day, h.Hash); err != nil {
		t.Fatal(err)
	}
	if code, out := run("verify"); code != 0 {
		t.Fatalf("a consistent cut without heads: %d %s", code, out)
	}
	if code, out := run("verify", "--heads", headsFile); code != 1 || !strings.Contains(out, "audit row 5: missing: it was published as the head of 2025-11-25") {
		t.Fatalf("verify a consistent cut against the heads: %d %s", code, out)
	}
	if code, out := run("verify", "--from", "yesterday"); code != 2 || !strings.Contains(out, "YYYY-MM-DD") {
		t.Fatalf("a bad date: %d %s", code, out)
	}
}
