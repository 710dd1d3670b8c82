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

func TestBenchWorkersRefusedOnSQLite(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "http", "--workers", "2"},
		{"--scenario", "http", "--workers", "2", "--engine-store", "redis://127.0.0.1:6379/0"},
		{"--scenario", "http", "--workers", "2", "--db", "postgres://u@127.0.0.1:5432/db"},
	} {
		var code int
		out := stderrOf(t, func() { code = runBench(args) })
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (refused before any scenario ran)", args, code)
		}
		if !strings.Contains(out, "--workers") || !strings.Contains(out, "postgres://") || !strings.Contains(out, "redis://") || strings.Contains(out, "bench: http") {
			t.Errorf("%v: stderr %q, want the refusal naming --workers and the stores it needs, and no scenario run", args, out)
		}
	}
}
