package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/workflow"
)

func errorsWorkflow(ctx workflow.Context) error { return nil }

// TestBackendSentinelErrors pins what isAlreadyExists and isInstanceGone rely
// on: both go-workflows backends answer a second start and a signal to no
// instance with the sentinel errors, not only with their text.
func TestBackendSentinelErrors(t *testing.T) {
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "engine.db")}
	if addr := os.Getenv("ONEWINDOW_TEST_REDIS_ADDR"); addr != "" {
		dsns["redis"] = "redis://" + addr + "/0"
	} else if os.Getenv("ONEWINDOW_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatal("ONEWINDOW_TEST_REDIS_ADDR not set but services are required")
	}
	for _, name := range []string{"sqlite", "redis"} {
		dsn, ok := dsns[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			prefix := "errtest" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
			b, err := OpenBackend(dsn, BackendOptions{WorkerName: "errors-test", KeyPrefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			c := client.New(b)
			ctx := context.Background()
			opts := client.WorkflowInstanceOptions{InstanceID: "case-" + prefix}
			if _, err := c.CreateWorkflowInstance(ctx, opts, errorsWorkflow); err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateWorkflowInstance(ctx, opts, errorsWorkflow)
			if err == nil || !isAlreadyExists(err) {
				t.Errorf("second start: %v, want backend.ErrInstanceAlreadyExists", err)
			}
			err = c.SignalWorkflow(ctx, "no-such-case-"+prefix, "control", Signal{Kind: SignalCancel})
			if err == nil || !isInstanceGone(err) {
				t.Errorf("signal to no instance: %v, want backend.ErrInstanceNotFound", err)
			}
		})
	}
}
