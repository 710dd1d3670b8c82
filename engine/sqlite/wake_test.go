package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/workflow"
)

// idleForever is an idle poll no test outlives: a poll that returns a task did not wait it out.
const idleForever = time.Hour

// pollInBackground starts a workflow-task poll and answers the channel it reports on.
func pollInBackground(ctx context.Context, b *Backend) <-chan *backend.WorkflowTask {
	got := make(chan *backend.WorkflowTask, 1)
	go func() {
		task, _ := b.GetWorkflowTask(ctx, []workflow.Queue{workflow.QueueDefault})
		got <- task
	}()
	return got
}

func startEvent() *history.Event {
	return history.NewPendingEvent(time.Now(), history.EventType_WorkflowExecutionStarted,
		&history.ExecutionStartedAttributes{Queue: workflow.QueueDefault})
}

// TestWriteWakesAWaitingPoll: a poll waiting on an idle store takes the work this process
// writes without waiting for its idle interval (here an hour: only the wake-up can answer
// it before the test's context ends).
func TestWriteWakesAWaitingPoll(t *testing.T) {
	b := NewInMemory(WithIdlePoll(idleForever))
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := pollInBackground(ctx, b)
	time.Sleep(50 * time.Millisecond) // let the poll find nothing and wait
	if err := b.CreateWorkflowInstance(ctx, core.NewWorkflowInstance("i1", "e1"), startEvent()); err != nil {
		t.Fatal(err)
	}
	if task := <-got; task == nil || task.WorkflowInstance.InstanceID != "i1" {
		t.Fatalf("the waiting poll answered %v, want the task of i1", task)
	}
}

// TestPollWaitsForTheNextTimer: a go-workflows timer wakes the poll at its due time, not
// at the end of the idle interval.
func TestPollWaitsForTheNextTimer(t *testing.T) {
	b := NewInMemory(WithIdlePoll(idleForever))
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	inst := core.NewWorkflowInstance("i1", "e1")
	if err := b.CreateWorkflowInstance(ctx, inst, startEvent()); err != nil {
		t.Fatal(err)
	}
	task, err := b.GetWorkflowTask(ctx, []workflow.Queue{workflow.QueueDefault})
	if err != nil || task == nil {
		t.Fatalf("first task: %v, %v", task, err)
	}
	fired := history.NewPendingEvent(time.Now(), history.EventType_TimerFired, &history.TimerFiredAttributes{},
		history.VisibleAt(time.Now().Add(300*time.Millisecond)))
	if err := b.CompleteWorkflowTask(ctx, task, core.WorkflowInstanceStateActive, task.NewEvents, nil, []*history.Event{fired}, nil); err != nil {
		t.Fatal(err)
	}
	if next := <-pollInBackground(ctx, b); next == nil || len(next.NewEvents) != 1 || next.NewEvents[0].Type != history.EventType_TimerFired {
		t.Fatalf("the poll answered %v, want the fired timer", next)
	}
}

// TestScheduledActivityWakesActivityPoll: completing a workflow task that schedules an
// activity wakes a waiting activity poll.
func TestScheduledActivityWakesActivityPoll(t *testing.T) {
	b := NewInMemory(WithIdlePoll(idleForever))
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.CreateWorkflowInstance(ctx, core.NewWorkflowInstance("i1", "e1"), startEvent()); err != nil {
		t.Fatal(err)
	}
	task, err := b.GetWorkflowTask(ctx, []workflow.Queue{workflow.QueueDefault})
	if err != nil || task == nil {
		t.Fatalf("first task: %v, %v", task, err)
	}
	got := make(chan *backend.ActivityTask, 1)
	go func() {
		a, err := b.GetActivityTask(ctx, []workflow.Queue{workflow.QueueDefault})
		if err != nil {
			t.Error(err)
		}
		got <- a
	}()
	time.Sleep(50 * time.Millisecond) // let the poll find nothing and wait
	scheduled := history.NewPendingEvent(time.Now(), history.EventType_ActivityScheduled,
		&history.ActivityScheduledAttributes{Name: "a"}, history.ScheduleEventID(1))
	// go-workflows records the scheduling in the history too (the activity reads its attributes there).
	executed := append(task.NewEvents, scheduled)
	if err := b.CompleteWorkflowTask(ctx, task, core.WorkflowInstanceStateActive, executed, []*history.Event{scheduled}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if a := <-got; a == nil || a.Event.Type != history.EventType_ActivityScheduled {
		t.Fatalf("the waiting activity poll answered %v, want the scheduled activity", a)
	}
}

// TestIdlePollAnswersNothing: with nothing to do a poll answers no task, and no error, once
// its idle interval has passed.
func TestIdlePollAnswersNothing(t *testing.T) {
	b := NewInMemory(WithIdlePoll(20 * time.Millisecond))
	defer b.Close()
	task, err := b.GetWorkflowTask(context.Background(), []workflow.Queue{workflow.QueueDefault})
	if task != nil || err != nil {
		t.Fatalf("idle poll answered %v, %v; want nothing", task, err)
	}
	a, err := b.GetActivityTask(context.Background(), []workflow.Queue{workflow.QueueDefault})
	if a != nil || err != nil {
		t.Fatalf("idle activity poll answered %v, %v; want nothing", a, err)
	}
}
