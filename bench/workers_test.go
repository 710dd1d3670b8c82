package bench

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCheckWorkersRefusesSQLite(t *testing.T) {
	pg, rd := "postgres://u@127.0.0.1:5432/db", "redis://127.0.0.1:6379/0"
	for _, c := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"one process on SQLite", Options{}, true},
		{"workers on SQLite files", Options{Workers: 2}, false},
		{"workers on PostgreSQL with the SQLite engine store", Options{Workers: 2, DB: pg}, false},
		{"workers on Redis with a SQLite database", Options{Workers: 2, EngineStore: rd}, false},
		{"workers on PostgreSQL and Redis", Options{Workers: 2, DB: pg, EngineStore: rd}, true},
		{"negative workers", Options{Workers: -1, DB: pg, EngineStore: rd}, false},
	} {
		err := CheckWorkers(c.o)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
		if c.o.Workers > 0 && !c.ok && !errors.Is(err, ErrWorkersNeedSharedStores) {
			t.Errorf("%s: err %v, want ErrWorkersNeedSharedStores", c.name, err)
		}
	}
}

func TestStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis, as a postgres backend's may be; utime 7,
	// stime 3, cutime 20, cstime 10 ticks.
	line := "1234 (postgres: x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 20 10 20 0 1 0 100 1000 10 18446744073709551615"
	if got, want := statCPU(line), 40*clockTick; got != want {
		t.Fatalf("statCPU = %v, want %v", got, want)
	}
	if got := statCPU("garbage"); got != 0 {
		t.Fatalf("statCPU(garbage) = %v, want 0", got)
	}
	if procCPU(-1) != 0 {
		t.Fatal("procCPU of no process is not 0")
	}
}

func TestBenchPrefixKeepsTheGivenPrefixAndDropsItFromTheURL(t *testing.T) {
	u, p, err := benchPrefix("redis://127.0.0.1:6379/2?prefix=team-a:")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, "prefix") || !strings.HasPrefix(u, "redis://127.0.0.1:6379/2") {
		t.Errorf("url %q", u)
	}
	if !strings.HasPrefix(p, "team-a:bench") || !strings.HasSuffix(p, ":") {
		t.Errorf("prefix %q", p)
	}
	_, p2, _ := benchPrefix("redis://127.0.0.1:6379/2")
	if p2 == p || !strings.HasPrefix(p2, "bench") {
		t.Errorf("second prefix %q (first %q): want a new one of the run's own", p2, p)
	}
	w, err := url.Parse(withPrefix(u, p))
	if err != nil || w.Query().Get("prefix") != p {
		t.Errorf("withPrefix = %v (%v)", w, err)
	}
}
