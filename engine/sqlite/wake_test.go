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

// TestSignalToALockedInstanceIsTakenAtCompletion: a signal that comes while its instance's
// workflow task runs cannot be taken then (the instance is locked); completing the task must
// wake a waiting poll for it, not leave it to the idle interval (an hour here).
func TestSignalToALockedInstanceIsTakenAtCompletion(t *testing.T) {
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
	got := pollInBackground(ctx, b)
	signal := history.NewPendingEvent(time.Now(), history.EventType_SignalReceived,
		&history.SignalReceivedAttributes{Name: "s"})
	if err := b.SignalWorkflow(ctx, "i1", signal); err != nil {
		t.Fatal(err)
	}
	if err := b.CompleteWorkflowTask(ctx, task, core.WorkflowInstanceStateActive, task.NewEvents, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	next := <-got
	if next == nil || len(next.NewEvents) != 1 || next.NewEvents[0].Type != history.EventType_SignalReceived {
		t.Fatalf("the poll answered %v, want the signal's task", next)
	}
}

// TestTimerDueWhileLockedIsTakenAtCompletion: a go-workflows timer that falls due while its
// instance is locked is taken when the task completes.
func TestTimerDueWhileLockedIsTakenAtCompletion(t *testing.T) {
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
	// A timer already due, written while the instance is locked (as a timer written by
	// a task that completed, then found due by a poll that cannot lock its instance).
	fired := history.NewPendingEvent(time.Now(), history.EventType_TimerFired, &history.TimerFiredAttributes{},
		history.VisibleAt(time.Now().Add(-time.Millisecond)))
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := insertPendingEvents(ctx, tx, inst, []*history.Event{fired}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := pollInBackground(ctx, b)
	if err := b.CompleteWorkflowTask(ctx, task, core.WorkflowInstanceStateActive, task.NewEvents, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	next := <-got
	if next == nil || len(next.NewEvents) != 1 || next.NewEvents[0].Type != history.EventType_TimerFired {
		t.Fatalf("the poll answered %v, want the timer's task", next)
	}
}

// TestCompletedActivityWakesWorkflowPoll: an activity's result is workflow work; completing
// the activity wakes a waiting workflow poll.
func TestCompletedActivityWakesWorkflowPoll(t *testing.T) {
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
	scheduled := history.NewPendingEvent(time.Now(), history.EventType_ActivityScheduled,
		&history.ActivityScheduledAttributes{Name: "a"}, history.ScheduleEventID(1))
	if err := b.CompleteWorkflowTask(ctx, task, core.WorkflowInstanceStateActive, append(task.NewEvents, scheduled),
		[]*history.Event{scheduled}, nil, nil); err != nil {
		t.Fatal(err)
	}
	a, err := b.GetActivityTask(ctx, []workflow.Queue{workflow.QueueDefault})
	if err != nil || a == nil {
		t.Fatalf("activity task: %v, %v", a, err)
	}
	got := pollInBackground(ctx, b)
	done := history.NewPendingEvent(time.Now(), history.EventType_ActivityCompleted,
		&history.ActivityCompletedAttributes{}, history.ScheduleEventID(1))
	if err := b.CompleteActivityTask(ctx, a, done); err != nil {
		t.Fatal(err)
	}
	if next := <-got; next == nil || next.NewEvents[0].Type != history.EventType_ActivityCompleted {
		t.Fatalf("the poll answered %v, want the activity's result", next)
	}
}

// TestWakeDuringAReadIsKept: work committed while a poll reads (after its read began, so it
// does not see it) wakes that poll when it goes to wait.
func TestWakeDuringAReadIsKept(t *testing.T) {
	var w wakeup
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reads := 0
	got, err := waitForTask(ctx, idleForever, &w, nil, func(context.Context) (*int, error) {
		reads++
		if reads == 1 {
			w.notify() // a commit lands while this read runs, unseen by it
			return nil, nil
		}
		return &reads, nil
	})
	if err != nil || got == nil || *got != 2 {
		t.Fatalf("waitForTask answered %v, %v after %d reads; want the second read's task", got, err, reads)
	}
}

// TestWakeReachesEveryWorker: two workers share the store on queues of their own (the
// engine's and the outbound deliveries'); work for one must wake its poller even when the
// other's poller has waited longer (one token for both would go to that one, which cannot
// take the work, and the work would wait for the idle interval: an hour here).
func TestWakeReachesEveryWorker(t *testing.T) {
	b := NewInMemory(WithIdlePoll(idleForever))
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	other := make(chan *backend.WorkflowTask, 1)
	go func() {
		task, _ := b.GetWorkflowTask(ctx, []workflow.Queue{"elsewhere"})
		other <- task
	}()
	time.Sleep(50 * time.Millisecond) // the other worker's poll waits first
	got := pollInBackground(ctx, b)
	time.Sleep(50 * time.Millisecond) // let this poll find nothing and wait too
	if err := b.CreateWorkflowInstance(ctx, core.NewWorkflowInstance("i1", "e1"), startEvent()); err != nil {
		t.Fatal(err)
	}
	if task := <-got; task == nil || task.WorkflowInstance.InstanceID != "i1" {
		t.Fatalf("the default queue's poll answered %v, want the task of i1", task)
	}
	cancel()
	if task := <-other; task != nil {
		t.Fatalf("the other queue's poll took %v", task.WorkflowInstance)
	}
}
