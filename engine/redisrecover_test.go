package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/redis/go-redis/v9"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

func idleWorkflow(workflow.Context) error { return nil }

// TestReclaimOwnTasks plays a worker killed while it held a workflow task on Redis: a
// restarted process of the same name does not get the task back by itself (go-workflows
// waits for the lock timeout); after ReclaimOwnTasks it gets it at its first poll.
func TestReclaimOwnTasks(t *testing.T) {
	addr := storetest.RedisAddr(t)
	dsn := "redis://" + addr + "/0"
	prefix := "reclaim" + store.NewID()
	ctx := context.Background()
	t.Cleanup(func() { dropKeys(t, addr, prefix) })
	open := func() backend.Backend {
		b, err := engine.OpenBackend(dsn, engine.BackendOptions{WorkerName: "w1", KeyPrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	queues := []workflow.Queue{workflow.QueueDefault}
	dead := open()
	if err := dead.PrepareWorkflowQueues(ctx, queues); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(dead).CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: "case-1"}, idleWorkflow); err != nil {
		t.Fatal(err)
	}
	task, err := dead.GetWorkflowTask(ctx, queues)
	if err != nil || task == nil {
		t.Fatalf("the first worker's task: %v, %v", task, err)
	}
	// The process dies here: the task stays pending under its name. Its successor starts.
	restarted := open()
	defer restarted.Close()
	if got, err := restarted.GetWorkflowTask(ctx, queues); err != nil || got != nil {
		t.Fatalf("before reclaiming, the restarted worker got %v, %v: go-workflows changed and this fix may be moot", got, err)
	}
	n, err := engine.ReclaimOwnTasks(ctx, dsn, prefix, "w1", engine.LockTimeout)
	if err != nil || n != 1 {
		t.Fatalf("reclaimed %d, %v; want 1", n, err)
	}
	start := time.Now()
	got, err := restarted.GetWorkflowTask(ctx, queues)
	if err != nil || got == nil || got.WorkflowInstance.InstanceID != "case-1" {
		t.Fatalf("after reclaiming: %v, %v; want case-1's task", got, err)
	}
	t.Logf("task taken back %v after reclaiming (lock timeout %v)", time.Since(start), engine.LockTimeout)
	// Another worker's tasks are not touched.
	if n, err := engine.ReclaimOwnTasks(ctx, dsn, prefix, "w2", engine.LockTimeout); err != nil || n != 0 {
		t.Fatalf("w2 reclaimed %d, %v; want none", n, err)
	}
}

// dropKeys deletes the test's keys.
func dropKeys(t *testing.T, addr, prefix string) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+":*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("dropping test keys: %v", err)
	}
}
