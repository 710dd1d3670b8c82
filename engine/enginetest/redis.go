package enginetest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RunRedis runs the redis-server at bin on addr with its files in dir, its append-only file on
// ("yes", flushed at every write) or off ("no"), for tests that kill and restart a Redis of
// their own; it waits until the server answers and kills it when the test ends.
func RunRedis(t testing.TB, bin, addr, dir, appendonly string) *exec.Cmd {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--bind", host, "--port", port, "--dir", dir, "--save", "", "--appendonly", appendonly,
		"--appendfsync", "always", "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// PING answers LOADING while the append-only file is read back; wait for PONG.
		if err := rdb.Ping(context.Background()).Err(); err == nil {
			return cmd
		} else if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server on %s did not answer: %v\n%s", addr, err, log)
		}
	}
}
