package tests

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestPostgresRedisBackupAndRestore follows docs/deployment.md's backup of a PostgreSQL + Redis
// deployment: with the processes stopped, Redis's snapshot (BGSAVE, dump.rdb), pg_dump of the
// database and a copy of the uploaded files; then the restore: pg_restore into an empty
// database, a new Redis started on the dump.rdb without its append-only file and switched to
// it (CONFIG SET appendonly yes; a Redis started with appendonly yes on an empty directory
// ignores dump.rdb and comes up empty), the files put back. A server on the restored stores
// takes every case of the backup, each stopped at a different step, to its end; each task is
// completed once and the audit chain verifies.
func TestPostgresRedisBackupAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and Redis servers; skipped with -short")
	}
	tools := map[string]string{}
	for _, name := range []string{"redis-server", "pg_dump", "pg_restore"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv(storetest.EnvRequire) == "1" {
				t.Fatalf("%s is needed for the documented backup: %v", name, err)
			}
			t.Skipf("%s is needed for the documented backup: %v", name, err)
		}
		tools[name] = p
	}
	dsn := mpSchema(t)
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	rdir, raddr := t.TempDir(), freeAddr(t)
	rds := enginetest.RunRedis(t, tools["redis-server"], raddr, rdir, "yes")
	dataDir := t.TempDir()
	bin := buildBinary(t)
	serve := func(dsn, raddr, dataDir string, demo bool) *server {
		args := []string{"--data-dir", dataDir, "--db", dsn, "--engine-store", "redis://" + raddr + "/0?prefix=bk", "--worker-name", "backup-1"}
		if demo {
			args = append(args, "--demo")
		}
		return startServer(t, bin, args...)
	}
	s := serve(dsn, raddr, dataDir, true)

	// Ten cases, case i stopped after i%5 of its five steps, every fourth notified once.
	f := mpSetUp(t, s.base)
	led := &ledger{cases: map[string]int{}, completed: map[string]int{}}
	applicant := &mpClient{t: t, base: s.base}
	applicant.login("applicant1")
	sys := &mpClient{t: t, base: s.base, apiKey: f.key}
	const cases = 10
	ids := make([]string, cases)
	for i := range cases {
		id, err := driveCaseTo(applicant, sys, f.guide, fmt.Sprintf("bk-%d", i), i%4 == 0, i%5, led)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		ids[i] = id
	}
	s.stop()

	// The backup, as the docs give it.
	rdb := redis.NewClient(&redis.Options{Addr: raddr})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	until(t, "BGSAVE done", func() bool {
		info, _ := rdb.Info(ctx, "persistence").Result()
		return strings.Contains(info, "rdb_bgsave_in_progress:0") && strings.Contains(info, "rdb_last_bgsave_status:ok")
	})
	keys := rdb.DBSize(ctx).Val()
	backupDir := t.TempDir()
	copyFile(t, filepath.Join(rdir, "dump.rdb"), filepath.Join(backupDir, "dump.rdb"))
	dump := filepath.Join(backupDir, "onewindow.dump")
	pg := storetest.PostgresDSN(t)
	run(t, tools["pg_dump"], "--format=custom", "--schema="+schema, "--file="+dump, pg)
	if out, err := exec.Command("cp", "-a", filepath.Join(dataDir, "files"), filepath.Join(backupDir, "files")).CombinedOutput(); err != nil {
		t.Fatalf("copy the files: %v %s", err, out)
	}
	_ = rds.Process.Kill()
	_ = rds.Wait()

	// The restore: an empty database, a new Redis, a new data directory.
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	dbName := "ow_restore_" + strings.ToLower(store.NewID())
	if _, err := admin.Exec(`CREATE DATABASE ` + dbName); err != nil {
		t.Fatal(err)
	}
	// A cleanup, not a defer: the restored server and the checks' connection are closed by
	// cleanups registered later, which run first.
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + dbName + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", dbName, err)
		}
		admin.Close()
	})
	pu, _ := url.Parse(pg)
	pu.Path = "/" + dbName
	run(t, tools["pg_restore"], "--dbname="+pu.String(), "--no-owner", dump)
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	restoredDSN := pu.String()

	rdir2, raddr2 := t.TempDir(), freeAddr(t)
	copyFile(t, filepath.Join(backupDir, "dump.rdb"), filepath.Join(rdir2, "dump.rdb"))
	enginetest.RunRedis(t, tools["redis-server"], raddr2, rdir2, "no")
	rdb2 := redis.NewClient(&redis.Options{Addr: raddr2})
	defer rdb2.Close()
	if err := rdb2.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	if n := rdb2.DBSize(ctx).Val(); n != keys {
		t.Fatalf("the restored Redis holds %d keys, the backed-up one %d", n, keys)
	}
	dataDir2 := t.TempDir()
	if out, err := exec.Command("cp", "-a", filepath.Join(backupDir, "files"), filepath.Join(dataDir2, "files")).CombinedOutput(); err != nil {
		t.Fatalf("put the files back: %v %s", err, out)
	}

	r := serve(restoredDSN, raddr2, dataDir2, false)
	sys2 := &mpClient{t: t, base: r.base, apiKey: f.key}
	for i, id := range ids {
		if err := resumeCase(sys2, id, i%5, led); err != nil {
			t.Fatalf("case %d (%s) on the restored stores: %v", i, id, err)
		}
	}
	db := mpOpen(t, restoredDSN)
	var open, tasks, undone int
	_ = db.Get(&open, `SELECT COUNT(*) FROM cases WHERE status <> 'completed'`)
	_ = db.Get(&tasks, `SELECT COUNT(*) FROM tasks`)
	_ = db.Get(&undone, `SELECT COUNT(*) FROM tasks WHERE state <> 'completed'`)
	want := cases*len(mpSteps) + mpNotified(cases)
	if open != 0 || tasks != want || undone != 0 {
		t.Errorf("on the restored stores: %d cases not completed, %d tasks (want %d), %d not completed", open, tasks, want, undone)
	}
	for id, n := range led.completed {
		if n != 1 {
			t.Errorf("task %s completed %d times", id, n)
		}
	}
	if out, err := exec.Command(bin, "audit", "verify", "--db", restoredDSN).CombinedOutput(); err != nil {
		t.Errorf("audit verify on the restored database: %v\n%s", err, out)
	}
	r.stop()
	t.Logf("%d cases backed up at steps 0-4 (%d Redis keys), restored into a new database and Redis, all finished; %d tasks each completed once",
		cases, keys, len(led.completed))
}

// copyFile copies a file, failing t.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs a command, failing t with its output.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}
