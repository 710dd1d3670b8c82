package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/workflow"
)

// TestPollUsesTheDueIndex fails when the workflow-task poll would walk the
// instances again: its plan must start from the index over pending events'
// visible time and reach instances by primary key.
func TestPollUsesTheDueIndex(t *testing.T) {
	b := NewInMemory()
	defer b.Close()
	now := time.Now()
	rows, err := b.db.Query("EXPLAIN QUERY PLAN "+pollQuery(1), now, "w", now, now, "w", 0, "default", now)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "idx_pending_events_visible_at") {
		t.Errorf("the poll does not use the visible_at index:\n%s", all)
	}
	if testing.Verbose() {
		t.Logf("plan:\n%s", all)
	}
	for _, p := range plan {
		if strings.HasPrefix(p, "SCAN") {
			t.Errorf("the poll scans a table (%s):\n%s", p, all)
		}
	}
}

// TestProbesUseIndexes: the reads that answer an idle poll touch one index
// entry, whatever the number of open instances.
func TestProbesUseIndexes(t *testing.T) {
	b := NewInMemory()
	defer b.Close()
	for _, q := range []string{
		`SELECT 1 FROM pending_events WHERE visible_at IS NULL OR visible_at <= ? LIMIT 1`,
		`SELECT 1 FROM activities WHERE locked_until IS NULL OR locked_until < ? LIMIT 1`,
	} {
		rows, err := b.db.Query("EXPLAIN QUERY PLAN "+q, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, p := range plan {
			if strings.HasPrefix(p, "SCAN") {
				t.Errorf("%s scans a table:\n%s", q, strings.Join(plan, "\n"))
			}
		}
	}
}

// TestSignalWorkflows: a batch of signals reaches the running instances and reports the
// missing one, as SignalWorkflow does one at a time.
func TestSignalWorkflows(t *testing.T) {
	b := NewInMemory()
	defer b.Close()
	ctx := context.Background()
	inst := core.NewWorkflowInstance("i1", "e1")
	start := history.NewPendingEvent(time.Now(), history.EventType_WorkflowExecutionStarted, &history.ExecutionStartedAttributes{Queue: workflow.QueueDefault})
	if err := b.CreateWorkflowInstance(ctx, inst, start); err != nil {
		t.Fatal(err)
	}
	sig := func() *history.Event {
		return history.NewPendingEvent(time.Now(), history.EventType_SignalReceived, &history.SignalReceivedAttributes{Name: "alarm/w"})
	}
	found, err := b.SignalWorkflows(ctx, []string{"i1", "nope"}, []*history.Event{sig(), sig()})
	if err != nil {
		t.Fatal(err)
	}
	if !found[0] || found[1] {
		t.Fatalf("found %v, want [true false]", found)
	}
	var n int
	if err := b.db.QueryRow(`SELECT COUNT(*) FROM pending_events WHERE instance_id = 'i1' AND event_type = ?`, history.EventType_SignalReceived).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d signal events pending for i1 (%v), want 1", n, err)
	}
}
