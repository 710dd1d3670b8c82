package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// migrate-store copies a demo centre from SQLite into a PostgreSQL database of its own: it
// refuses while a case is open, then copies every table with equal counts and an audit chain
// that still verifies, and refuses a destination that is not empty.
func TestMigrateStore(t *testing.T) {
	admin := storetest.PostgresDSN(t)
	ctx := context.Background()
	pg, err := store.Open(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	name := fmt.Sprintf("ow_ops_migrate_%d", time.Now().UnixNano())
	if _, err := pg.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = pg.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	to := u.String()

	from, src := migratedSQLite(t, t.TempDir())
	if _, err := demo.Load(ctx, src); err != nil {
		t.Fatal(err)
	}
	// An org unit moved under one made after it: rows of one table that refer to each other
	// out of rowid order.
	late := &store.OrgUnit{Kind: "centre", Code: "late-centre", Name: "后建中心"}
	if err := store.CreateOrgUnit(ctx, src, late); err != nil {
		t.Fatal(err)
	}
	var first string
	if err := src.GetContext(ctx, &first, `SELECT id FROM org_units WHERE kind = 'window' ORDER BY rowid LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := src.ExecContext(ctx, `UPDATE org_units SET parent_id = ? WHERE id = ?`, late.ID, first); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 11, 26, 2, 0, 0, 0, time.UTC)
	storetest.Apply(t, src, &engine.Batch{CaseID: "C-1", Seq: 1, At: at, Status: "active", Definition: "std-immediate", Version: 1,
		Vars: map[string]any{"projectName": "项目"}, Tasks: []engine.TaskRow{{ID: "C-1/t1", CaseID: "C-1", Element: "acceptance", Created: at}}})
	if err := src.Tx(ctx, func(tx *sqlx.Tx) error {
		return store.AppendAudit(ctx, tx, at, store.AuditEntry{ActorID: "u", ActorName: "clerk1", Action: "task.complete", CaseID: "C-1",
			Subject: "task:C-1/t1", Detail: map[string]any{"comment": "材料齐全", "n": 1.5}})
	}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := migrateStore(ctx, args, &out, &errOut)
		return code, out.String() + errOut.String()
	}

	if code, out := run("--from", from, "--to", to); code != 1 || !strings.Contains(out, "1 cases are still open") {
		t.Fatalf("an open case: %d %s", code, out)
	}
	storetest.Apply(t, src, &engine.Batch{CaseID: "C-1", Seq: 2, At: at.Add(time.Hour), Status: "completed",
		Closed: []engine.ClosedWait{{ID: "C-1/t1", Kind: "task", Reason: "completed"}}})
	code, out := run("--from", from, "--to", to, "--batch", "7")
	if code != 0 || !strings.Contains(out, "row counts equal; audit chain verified") {
		t.Fatalf("migrate-store: %d %s", code, out)
	}
	t.Log(out)
	dst, err := store.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var parent string
	if err := dst.GetContext(ctx, &parent, `SELECT parent_id FROM org_units WHERE id = $1`, first); err != nil || parent != late.ID {
		t.Fatalf("the moved unit's parent on PostgreSQL: %q %v", parent, err)
	}
	var disabled bool
	if err := dst.GetContext(ctx, &disabled, `SELECT disabled FROM users WHERE username = 'clerk1'`); err != nil || disabled {
		t.Fatalf("a boolean on PostgreSQL: %v %v", disabled, err)
	}
	if code, out := run("--from", from, "--to", to); code != 1 || !strings.Contains(out, "the destination is not empty") {
		t.Fatalf("a second copy: %d %s", code, out)
	}
}
