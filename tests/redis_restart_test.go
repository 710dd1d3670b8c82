package tests

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"onewindow/engine/enginetest"
	"onewindow/store/storetest"
)

// TestRedisRestartedMidRun kills the engine's Redis with SIGKILL twice while eight clients drive
// cases through an api process and a worker process, and starts it again on its files. The
// Redis is the test's own (a redis-server on a port of its own, appendonly yes, appendfsync
// always, as docs/deployment.md advises): the shared one cannot be restarted under other tests.
// While Redis is down /readyz answers 503 and requests that reach it are answered 503 or go
// through (their signals wait in the outbox); once it is back the processes recover without a
// restart, every case finishes, each task is completed once, and each case's events are in
// the feed once: with the append-only file on, a Redis restart loses nothing.
func TestRedisRestartedMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and a Redis server; skipped with -short")
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(storetest.EnvRequire) == "1" {
			t.Fatalf("redis-server is needed to restart a Redis of the test's own: %v", err)
		}
		t.Skipf("redis-server is needed to restart a Redis of the test's own: %v", err)
	}
	dsn := mpSchema(t)
	rdir := t.TempDir()
	raddr := freeAddr(t)
	rds := enginetest.RunRedis(t, redisBin, raddr, rdir, "yes")
	bin := buildBinary(t)

	common := []string{"--data-dir", t.TempDir(), "--db", dsn, "--engine-store", "redis://" + raddr + "/0?prefix=rr",
		"--token-secret", "redis-restart-test-secret-0123456789abcdef"}
	api := startServer(t, bin, append(common, "--role", "api", "--worker-name", "api-1", "--demo")...)
	worker := startServer(t, bin, append(common, "--role", "worker", "--worker-name", "worker-1")...)
	if log := strings.Join(append(api.log, worker.log...), "\n"); strings.Contains(log, "without its append-only file") {
		t.Errorf("the server warned about a Redis that runs with appendonly yes:\n%s", log)
	}

	f := mpSetUp(t, api.base)
	led := &ledger{cases: map[string]int{}, completed: map[string]int{}}
	restarting := make(chan struct{})
	more := func() bool {
		select {
		case <-restarting:
			return false
		default:
			return true
		}
	}
	const cases, restarts = 40, 2
	wait := mpDrive(t, api.base, f, cases, more, led)
	var downFor, readyAfter []time.Duration
	for range restarts {
		time.Sleep(3 * time.Second) // cases in every stage
		_ = rds.Process.Signal(syscall.SIGKILL)
		_ = rds.Wait()
		killed := time.Now()
		// Both processes find out: /readyz names the engine's store.
		for _, s := range []*server{api, worker} {
			until(t, "/readyz 503 with Redis down", func() bool {
				code, _ := s.request("GET", "/readyz", "", "")
				return code == http.StatusServiceUnavailable
			})
		}
		time.Sleep(time.Second)
		rds = enginetest.RunRedis(t, redisBin, raddr, rdir, "yes")
		back := time.Now()
		downFor = append(downFor, back.Sub(killed).Round(time.Millisecond))
		for _, s := range []*server{api, worker} {
			until(t, "/readyz 200 with Redis back", func() bool {
				code, _ := s.request("GET", "/readyz", "", "")
				return code == http.StatusOK
			})
		}
		readyAfter = append(readyAfter, time.Since(back).Round(time.Millisecond))
		led.mu.Lock()
		led.kills = append(led.kills, [2]time.Time{killed, back})
		led.mu.Unlock()
	}
	close(restarting)
	driven, ok := wait()
	if !ok {
		t.FailNow()
	}
	db := mpOpen(t, dsn)
	evs := mpCheckOnce(t, db, driven, led)
	last, stall, worst := led.recovery()
	t.Logf("%d cases, Redis killed %d times (down %v, both processes ready again %v after it was back); lost or doubled cases, tasks, events: 0 (%d events); "+
		"median wait for the next step %v, slowest %v; after the last restart the waiting cases moved on %s; longest wait past a Redis restart %v",
		driven, restarts, downFor, readyAfter, len(evs), led.median().Round(time.Millisecond), worst.Round(time.Millisecond), last, stall.Round(time.Millisecond))
	api.stop()
	worker.stop()
}
