package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store/storetest"
)

var observedFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
<process id="observed" isExecutable="true"><startEvent id="s"/><userTask id="work"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="work"/><sequenceFlow id="f2" sourceRef="work" targetRef="e"/></process></definitions>`)

// TestObserverErrorRetriesTheStep: an observer that fails (the database went away just after
// the batch was written) fails the step's Apply, which is retried: the observer sees the
// case's last batch again and records what it must (the end event of the case) after all.
func TestObserverErrorRetriesTheStep(t *testing.T) {
	db := storetest.SQLite(t)
	var (
		mu    sync.Mutex
		ended []int // the sequence numbers of the ended batches the observer was shown
		fail  = true
	)
	x := enginetest.Start(t, db, enginetest.Options{Observer: func(_ context.Context, b *engine.Batch) error {
		if b.Status != "completed" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		ended = append(ended, b.Seq)
		if fail {
			fail = false
			return errors.New("the database went away")
		}
		return nil
	}})
	x.Deploy("observed", observedFlow)
	id := x.StartCase("observed", nil)
	x.Complete(x.OpenTask(id, "work"), "", nil)
	x.WaitStatus(id, "completed")
	x.Eventually("the observer to see the end again", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ended) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if ended[0] != ended[1] {
		t.Fatalf("the observer saw batches %v, want the same batch twice", ended)
	}
}
