package engine_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store/storetest"
)

func doubleActivity(_ context.Context, n int) (int, error) { return 2 * n, nil }

func doubleWorkflow(ctx workflow.Context, n int) (int, error) {
	return workflow.ExecuteActivity[int](ctx, workflow.DefaultActivityOptions, doubleActivity, n).Get(ctx)
}

// TestWorkersGoOnAfterRedisRestart restarts the engine's Redis under a running worker (a
// redis-server of the test's own, with its append-only file): a Redis restart empties its
// script cache, and go-workflows runs some of its scripts inside transactions, where go-redis
// does not fall back from EVALSHA to EVAL. Without loading the scripts again on the new
// connections every task failed to complete with NOSCRIPT until the process was restarted; a
// workflow started after the Redis restart must finish.
func TestWorkersGoOnAfterRedisRestart(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(storetest.EnvRequire) == "1" {
			t.Fatalf("redis-server is needed to restart a Redis of the test's own: %v", err)
		}
		t.Skipf("redis-server is needed to restart a Redis of the test's own: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	rds := enginetest.RunRedis(t, bin, addr, dir, "yes")

	b, err := engine.OpenBackend("redis://"+addr+"/0", engine.BackendOptions{WorkerName: "w1", KeyPrefix: "scripts"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := worker.New(b, nil)
	w.RegisterWorkflow(doubleWorkflow)
	w.RegisterActivity(doubleActivity)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := client.New(b)
	run := func(id string, n int) (int, error) {
		inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, doubleWorkflow, n)
		if err != nil {
			return 0, err
		}
		return client.GetWorkflowResult[int](ctx, c, inst, 15*time.Second)
	}
	if got, err := run("before", 2); err != nil || got != 4 {
		t.Fatalf("before the restart: %v, %v", got, err)
	}

	_ = rds.Process.Kill()
	_ = rds.Wait()
	enginetest.RunRedis(t, bin, addr, dir, "yes")
	// The create itself is retried: the client's pooled connections died with the server.
	var got int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got, err = run("after", 3); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || got != 6 {
		t.Fatalf("a workflow started after the Redis restart: %v, %v (the scripts were not loaded again?)", got, err)
	}
	cancel()
	_ = w.WaitForCompletion()
}
