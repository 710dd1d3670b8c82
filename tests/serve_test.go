// Package tests holds end-to-end tests that build and run the onewindow binary.
package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds onewindow into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "onewindow")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// server is a running `onewindow serve`.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	log  []string // the lines logged up to the "serving" line
}

// startServer runs `onewindow serve ARGS --addr 127.0.0.1:0` and waits until it logs its URL.
func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &server{t: t, cmd: cmd}
	found := make(chan string, 1)
	go func() {
		urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			s.log = append(s.log, lines.Text())
			if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		close(found)
		// ONEWINDOW_TEST_LOG_DIR keeps each server's log, for a failure to be read after the run.
		var rest io.Writer = io.Discard
		if dir := os.Getenv("ONEWINDOW_TEST_LOG_DIR"); dir != "" {
			if f, err := os.CreateTemp(dir, "serve-*.log"); err == nil {
				defer f.Close()
				fmt.Fprintln(f, strings.Join(args, " "))
				rest = f
			}
		}
		io.Copy(rest, stderr)
	}()
	select {
	case s.base = <-found:
	case <-time.After(time.Minute):
	}
	if s.base == "" {
		t.Fatalf("server did not log its URL:\n%s", strings.Join(s.log, "\n"))
	}
	return s
}

// stop sends SIGTERM and expects a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		s.t.Fatalf("serve after SIGTERM: %v, want a clean exit", err)
	}
}

func (s *server) request(method, path, token, body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeDemo runs `onewindow serve --demo` as a user would after `make run`: the server
// answers /healthz, signs in a demo user, serves Swagger UI and stops cleanly on SIGTERM; a
// restart on the same files keeps the data and accepts the tokens it issued before.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	s := startServer(t, bin, "--demo", "--data-dir", dataDir)
	if code, body := s.request("GET", "/healthz", "", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	if code, body := s.request("GET", "/swagger/index.html", "", ""); code != 200 || !strings.Contains(body, "swagger-ui") {
		t.Fatalf("/swagger/index.html: %d", code)
	}
	code, body := s.request("POST", "/api/v1/auth/login", "", `{"username":"designer","password":"onewindow-demo"}`)
	var login struct {
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(body), &login)
	if code != 200 || login.Token == "" {
		t.Fatalf("login: %d %s", code, body)
	}
	s.stop()

	s = startServer(t, bin, "--demo", "--data-dir", dataDir)
	if !strings.Contains(strings.Join(s.log, "\n"), "demo data not loaded") {
		t.Errorf("second start with --demo should leave the data alone; log:\n%s", strings.Join(s.log, "\n"))
	}
	if code, body := s.request("GET", "/api/v1/me", login.Token, ""); code != 200 || !strings.Contains(body, `"designer"`) {
		t.Fatalf("token from before the restart: %d %s", code, body)
	}
	s.stop()

	out, err := exec.Command(bin, "migrate", "--data-dir", dataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "up to date") {
		t.Fatalf("migrate after serve: %v\n%s", err, out)
	}
}

// TestMetricsApart serves /metrics on its own address (--metrics-addr): there it answers in
// the Prometheus format with the engine's figures, and the API's address has no /metrics.
func TestMetricsApart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	s := startServer(t, bin, "--data-dir", t.TempDir(), "--metrics-addr", "127.0.0.1:0")
	addrRE := regexp.MustCompile(`metrics served apart.*address=(127\.0\.0\.1:\d+)`)
	var addr string
	for _, l := range s.log {
		if m := addrRE.FindStringSubmatch(l); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no metrics address logged:\n%s", strings.Join(s.log, "\n"))
	}
	if code, body := s.request("GET", "/readyz", "", ""); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`onewindow_http_requests_total{method="GET",route="/readyz",status="200"} 1`, "onewindow_outbox_signals_pending 0",
		"onewindow_figures_up 1", "process_start_time_seconds"} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("metrics apart lack %q: %d\n%s", want, resp.StatusCode, body)
		}
	}
	if code, _ := s.request("GET", "/metrics", "", ""); code != http.StatusNotFound {
		t.Fatalf("/metrics on the API's address: %d, want 404", code)
	}
	s.stop()
}
