// Package tests holds onewindow's end-to-end tests: real processes on
// loopback, killed and restarted, and the HTTP API as a client sees it.
package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/store"
)

// The crash test runs the engine in a child process (this test binary run
// again with crashChildEnv set) that starts cases and works their tasks
// like a tireless clerk, and kills it with SIGKILL at random moments.
const crashChildEnv = "ONEWINDOW_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

// crashFlow: accept -> countersign by three -> approve -> notify (handler)
// -> deliver, the shape of a parallel-approval item.
var crashFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="crash" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window" ow:stepKind="acceptance"/>
  <userTask id="review" flowable:candidateGroups="${department}" ow:stepKind="review" ow:countersign="all">
    <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="departments" flowable:elementVariable="department"/>
  </userTask>
  <userTask id="approve" flowable:candidateGroups="lead" ow:stepKind="approval"/>
  <serviceTask id="notify" ow:handler="notify"/>
  <userTask id="deliver" flowable:candidateGroups="window" ow:stepKind="delivery"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="approve"/>
  <sequenceFlow id="f4" sourceRef="approve" targetRef="notify"/>
  <sequenceFlow id="f5" sourceRef="notify" targetRef="deliver"/>
  <sequenceFlow id="f6" sourceRef="deliver" targetRef="e"/>
</process></definitions>`)

const crashCases = 120

func TestCrashKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE notices_sent (case_id TEXT PRIMARY KEY, at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE notify_calls (case_id TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	d := &store.DefinitionVersion{Key: "crash", Name: "crash", XML: crashFlow, FileName: "crash.bpmn", DeploymentID: "d", CreatedBy: "test"}
	if _, err := store.DeployDefinition(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PublishDefinition(ctx, db, "crash", 1, "test"); err != nil {
		t.Fatal(err)
	}

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("kill schedule seed %d", seed)
	kills := 0
	for round := 0; round < 12 && !allDone(t, db); round++ {
		child := startChild(t, dir)
		wait := time.Duration(100+rng.IntN(700)) * time.Millisecond
		time.Sleep(wait) // a random kill point, not a timing assumption
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()
		kills++
	}
	// A last run without kills takes every case to its end.
	child := startChild(t, dir)
	deadline := time.Now().Add(90 * time.Second)
	for !allDone(t, db) {
		if time.Now().After(deadline) {
			_ = child.Process.Signal(syscall.SIGKILL)
			_ = child.Wait()
			t.Fatalf("cases not finished 90 s after the last restart: %s", progress(t, db))
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = child.Process.Signal(syscall.SIGTERM)
	_ = child.Wait()

	// Every case ended normally with each task created and completed once.
	type row struct {
		CaseID  string `db:"case_id"`
		Element string `db:"element_id"`
		State   string `db:"state"`
		N       int    `db:"n"`
	}
	var rows []row
	if err := db.SelectContext(ctx, &rows, `SELECT case_id, element_id, state, COUNT(*) AS n FROM tasks GROUP BY case_id, element_id, state`); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"accept": 1, "review": 3, "approve": 1, "deliver": 1}
	perCase := map[string]map[string]int{}
	for _, r := range rows {
		if r.State != "completed" {
			t.Errorf("case %s: %d %s task(s) %s", r.CaseID, r.N, r.Element, r.State)
		}
		if perCase[r.CaseID] == nil {
			perCase[r.CaseID] = map[string]int{}
		}
		perCase[r.CaseID][r.Element] += r.N
	}
	if len(perCase) != crashCases {
		t.Fatalf("%d cases have tasks, want %d", len(perCase), crashCases)
	}
	for id, got := range perCase {
		for el, n := range want {
			if got[el] != n {
				t.Errorf("case %s: %d %s tasks, want %d", id, got[el], el, n)
			}
		}
	}
	// The history records each element once (the countersign three times).
	var hist []struct {
		CaseID  string `db:"case_id"`
		Element string `db:"element_id"`
		N       int    `db:"n"`
	}
	if err := db.SelectContext(ctx, &hist, `SELECT case_id, element_id, COUNT(*) AS n FROM case_history WHERE kind = 'entered' GROUP BY case_id, element_id`); err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if n := map[string]int{"review": 3}[h.Element]; (n == 0 && h.N != 1) || (n != 0 && h.N != n) {
			t.Errorf("case %s entered %s %d times", h.CaseID, h.Element, h.N)
		}
	}
	var notices, calls int
	_ = db.GetContext(ctx, &notices, `SELECT COUNT(*) FROM notices_sent`)
	_ = db.GetContext(ctx, &calls, `SELECT COUNT(*) FROM notify_calls`)
	if notices != crashCases {
		t.Errorf("%d notices sent, want one per case (%d)", notices, crashCases)
	}
	var outbox int
	_ = db.GetContext(ctx, &outbox, `SELECT COUNT(*) FROM signal_outbox`)
	t.Logf("%d kills; %d cases completed; notify handler ran %d times for %d notices (at-least-once, written once); %d signals left in the outbox",
		kills, crashCases, calls, notices, outbox)
}

func startChild(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stdout, cmd.Stderr = nil, nil
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func allDone(t *testing.T, db *store.DB) bool {
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM cases WHERE status = 'completed'`); err != nil {
		t.Fatal(err)
	}
	return n == crashCases
}

func progress(t *testing.T, db *store.DB) string {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	_ = db.SelectContext(context.Background(), &rows, `SELECT status, COUNT(*) AS n FROM cases GROUP BY status`)
	b, _ := json.Marshal(rows)
	return string(b)
}

// crashChild runs the engine over dir's databases, starts the cases that
// are not started yet and completes every open task, until it is killed.
func crashChild(dir string) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "app.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b, err := engine.OpenBackend("sqlite:"+filepath.Join(dir, "engine.db"), engine.BackendOptions{WorkerName: "crash-worker"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	notify := func(ctx context.Context, call engine.HandlerCall) (map[string]any, error) {
		if _, err := db.ExecContext(ctx, `INSERT INTO notify_calls (case_id) VALUES (?)`, call.CaseID); err != nil {
			return nil, err
		}
		_, err := db.ExecContext(ctx, `INSERT INTO notices_sent (case_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, call.CaseID, store.Now())
		return map[string]any{"notified": true}, err
	}
	e, err := engine.New(engine.Config{Backend: b, Store: store.Engine{DB: db}, Handlers: map[string]engine.Handler{"notify": notify},
		Worker: engine.WorkerOptions{PollingInterval: 10 * time.Millisecond}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := e.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sigterm := make(chan os.Signal, 1)
	go func() {
		<-sigterm
		stop()
	}()
	signalNotify(sigterm)
	for i := 0; i < crashCases; i++ {
		err := e.StartCase(ctx, engine.CaseInput{CaseID: fmt.Sprintf("case-%03d", i), Definition: "crash",
			Vars: map[string]any{"departments": []any{"fgj", "zjj", "zrj"}}})
		if err != nil && !errors.Is(err, engine.ErrCaseExists) {
			fmt.Fprintln(os.Stderr, "start:", err)
		}
	}
	for ctx.Err() == nil {
		var open []string
		if err := db.SelectContext(ctx, &open, `SELECT id FROM tasks WHERE state = 'open' ORDER BY created_at LIMIT 20`); err != nil {
			continue
		}
		for _, id := range open {
			sig, _ := engine.CompleteTask(id, "agree", map[string]any{"by": "crash"}, false)
			err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				if err := store.TakeTask(ctx, tx, id); err != nil {
					return err
				}
				return store.EnqueueSignal(ctx, tx, &sig)
			})
			if err != nil {
				continue
			}
			_ = e.Deliver(ctx, sig)
		}
		if len(open) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	_ = e.Wait()
	return 0
}

func signalNotify(c chan os.Signal) { signal.Notify(c, syscall.SIGTERM) }
