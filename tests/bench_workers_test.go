package tests

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"onewindow/store"
	"onewindow/store/storetest"
)

// TestBenchWithWorkerProcesses runs `onewindow bench --scenario http --workers 2` on
// PostgreSQL and Redis: the bench serves HTTP as role api and two `serve --role worker`
// processes run the cases. It checks that the cases were completed with the workers doing the
// engine's work, and that the run left nothing behind: no worker process, no schema, no key.
func TestBenchWithWorkerProcesses(t *testing.T) {
	pg, addr := storetest.PostgresDSN(t), storetest.RedisAddr(t)
	bin := buildBinary(t)
	prefix := "benchtest" + strings.ToLower(store.NewID()) + ":"
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schemas := func() map[string]bool {
		rows, err := admin.Query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\_%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]bool{}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			m[s] = true
		}
		return m
	}
	before := schemas()

	cmd := exec.Command(bin, "bench", "--scenario", "http", "--db", pg, "--engine-store", "redis://"+addr+"/0?prefix="+prefix,
		"--workers", "2", "--cases", "50", "--concurrency", "10", "--json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var res struct {
		Rows []struct {
			Name  string             `json:"name"`
			N     int                `json:"n"`
			Extra map[string]float64 `json:"extra"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bench output %q: %v", out, err)
	}
	var found bool
	for _, r := range res.Rows {
		if r.Name != "completions" {
			continue
		}
		found = true
		if r.N < 50 || r.Extra["workers"] != 2 {
			t.Errorf("completions %d with %v workers, want ≥ 50 with 2", r.N, r.Extra["workers"])
		}
		// The cases ran in the workers: they used CPU for each completion.
		if r.Extra["workersCpuMsPerCompletion"] <= 0 {
			t.Errorf("workers used no CPU per completion (%v): the cases did not run in them", r.Extra)
		}
	}
	if !found {
		t.Fatalf("no completions row in %s", out)
	}
	if n := strings.Count(stderr.String(), "http: worker bench-worker-"); n != 2 {
		t.Errorf("%d workers started, want 2:\n%s", n, stderr.String())
	}

	// Nothing left behind.
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == bin {
			t.Errorf("process %s of the bench's binary still runs", e.Name())
		}
	}
	for s := range schemas() {
		if !before[s] {
			t.Errorf("schema %s left behind", s)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	keys, _, err := rdb.Scan(context.Background(), 0, prefix+"*", 1000).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		t.Errorf("%d Redis keys left under %s (e.g. %s)", len(keys), prefix, keys[0])
	}
}
