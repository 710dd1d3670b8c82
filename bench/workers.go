package bench

// Worker processes for --workers: the bench's own stack serves HTTP as role api (signals go
// to the outbox and the engine store, no engine worker in it), and N processes of the same
// binary (`serve --role worker`) run the cases, timers and sweepers against the same
// PostgreSQL schema and Redis key prefix, as a split deployment does (docs/deployment.md,
// "Roles"). They are stopped with the scenario: SIGTERM, then SIGKILL after a bounded wait.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Bounds of a worker process's life.
const (
	workerReadyWithin = 60 * time.Second // migrations and the engine's start on a loaded machine
	workerStopWithin  = 15 * time.Second // after SIGTERM, before SIGKILL
)

// ErrWorkersNeedSharedStores refuses --workers on SQLite: worker processes share the
// deployment's state through PostgreSQL and Redis only.
var ErrWorkersNeedSharedStores = errors.New("--workers runs the cases in separate worker processes, which share their state only through PostgreSQL and Redis: give --db postgres://... and --engine-store redis://... (SQLite serves one process)")

// CheckWorkers refuses options that ask for worker processes without shared stores.
func CheckWorkers(o Options) error {
	if o.Workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (one process) or more", o.Workers)
	}
	if o.Workers == 0 {
		return nil
	}
	pg := strings.HasPrefix(o.DB, "postgres://") || strings.HasPrefix(o.DB, "postgresql://")
	if !pg || !strings.HasPrefix(o.EngineStore, "redis://") {
		return ErrWorkersNeedSharedStores
	}
	return nil
}

// workerProc is one running `serve --role worker`.
type workerProc struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when the process has exited and been waited for
}

// startWorkers starts n worker processes of the bench's binary on dsn and engineURL, one
// after the other (each migrates the schema at its start: never two at once), and waits until
// each answers /readyz. On an error the ones started are stopped.
func startWorkers(ctx context.Context, o Options, n int, dsn, engineURL string) ([]*workerProc, error) {
	bin := o.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("--workers: the bench's own binary: %w", err)
		}
		bin = exe
	}
	var ws []*workerProc
	for i := range n {
		w, err := startWorker(ctx, o, bin, fmt.Sprintf("bench-worker-%d", i+1), dsn, engineURL)
		if err != nil {
			stopWorkers(ws)
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// startWorker starts one worker process, its output in Dir/NAME.log, and waits for /readyz.
func startWorker(ctx context.Context, o Options, bin, name, dsn, engineURL string) (*workerProc, error) {
	addr, err := loopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(o.Dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// Every setting on the command line: the flags win over ONEWINDOW_* variables the bench's
	// environment may hold.
	cmd := exec.Command(bin, "serve", "--role", "worker", "--worker-name", name, "--addr", addr,
		"--db", dsn, "--engine-store", engineURL, "--data-dir", filepath.Join(o.Dir, "data"),
		"--token-secret", benchSecret, "--log-level", "warn", "--shutdown-timeout", "5s")
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = workerSysProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start worker %s: %w", name, err)
	}
	w := &workerProc{name: name, cmd: cmd, log: f, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(w.done) }()
	logf(o, "http: worker %s (pid %d) on %s, log %s", name, cmd.Process.Pid, addr, logPath)
	deadline := time.Now().Add(workerReadyWithin)
	for {
		select {
		case <-w.done:
			w.log.Close()
			return nil, fmt.Errorf("worker %s exited before it was ready (%s): %s", name, cmd.ProcessState, tail(logPath, 600))
		case <-ctx.Done():
			w.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if ready("http://" + addr + "/readyz") {
			return w, nil
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("worker %s not ready within %v: %s", name, workerReadyWithin, tail(logPath, 600))
		}
	}
}

// stop sends SIGTERM, and SIGKILL if the process has not exited within workerStopWithin.
func (w *workerProc) stop() {
	defer w.log.Close()
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(workerStopWithin):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// stopWorkers stops the workers, all at once (each waits for its own exit).
func stopWorkers(ws []*workerProc) {
	done := make(chan struct{}, len(ws))
	for _, w := range ws {
		go func() { w.stop(); done <- struct{}{} }()
	}
	for range ws {
		<-done
	}
}

// ready reports whether url answers 200.
func ready(url string) bool {
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// loopbackAddr answers a loopback address nothing listens on now.
func loopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail answers the last n bytes of a file (a worker's log, to say why it failed).
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
