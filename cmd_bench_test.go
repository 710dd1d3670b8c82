package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// stderrOf runs f with os.Stderr captured and answers what it wrote there.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	got := make(chan string)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	f()
	w.Close()
	return <-got
}

func TestBenchWorkersRefused(t *testing.T) {
	// Without PostgreSQL and Redis the refusal names the stores --workers needs.
	out := stderrOf(t, func() { _ = runBench([]string{"--scenario", "http", "--workers", "2"}) })
	if !strings.Contains(out, "postgres://") || !strings.Contains(out, "redis://") {
		t.Errorf("stderr %q: want the stores --workers needs named", out)
	}
	for _, args := range [][]string{
		{"--scenario", "http", "--workers", "2"},
		{"--scenario", "http", "--workers", "2", "--engine-store", "redis://127.0.0.1:6379/0"},
		{"--scenario", "http", "--workers", "2", "--db", "postgres://u@127.0.0.1:5432/db"},
		// every scenario, on the stores it needs: only http runs its cases in workers
		{"--workers", "2", "--db", "postgres://u@127.0.0.1:5432/db", "--engine-store", "redis://127.0.0.1:6379/0"},
	} {
		var code int
		out := stderrOf(t, func() { code = runBench(args) })
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (refused before any scenario ran)", args, code)
		}
		if !strings.Contains(out, "--workers") || strings.Contains(out, "bench: ") {
			t.Errorf("%v: stderr %q, want the refusal naming --workers, and no scenario run", args, out)
		}
	}
}
