package engine

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"onewindow/engine/machine"
)

// pinStore answers Definition from xml, failing the first fails calls.
type pinStore struct {
	Store
	xml   []byte
	fails int
	calls int
}

func (s *pinStore) Definition(_ context.Context, key string, version int) (*DefinitionRecord, error) {
	s.calls++
	if s.calls <= s.fails {
		return nil, errors.New("database is locked")
	}
	return &DefinitionRecord{Key: key, Version: version, Hash: contentHash(s.xml), XML: s.xml}, nil
}

var pinnedXML = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
<process id="p" isExecutable="true"><startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>
</definitions>`)

func pinEngine(st Store) *Engine {
	return &Engine{store: st, log: slog.New(slog.DiscardHandler), models: &modelCache{byHash: map[string]*machine.Model{}}}
}

// TestPinnedReadRetriesAFault: a miss whose read fails for a moment retries it; the case is
// not failed for a read fault.
func TestPinnedReadRetriesAFault(t *testing.T) {
	st := &pinStore{xml: pinnedXML, fails: 2}
	e := pinEngine(st)
	m, err := e.model(&DefinitionRecord{Key: "p", Version: 1, Hash: contentHash(pinnedXML)})
	if err != nil || m == nil {
		t.Fatalf("model after two failed reads: %v, %v", m, err)
	}
	if st.calls != 3 {
		t.Fatalf("%d reads, want 3", st.calls)
	}
	// The model is cached now: no more reads.
	if _, err := e.model(&DefinitionRecord{Key: "p", Version: 1, Hash: contentHash(pinnedXML)}); err != nil || st.calls != 3 {
		t.Fatalf("a hit read the store again (%d reads, %v)", st.calls, err)
	}
}

// TestPinnedContentChangedStopsTheProcess: stored content that no longer has the pinned hash
// stops the process (fail-stop) instead of running a case on another model.
func TestPinnedContentChangedStopsTheProcess(t *testing.T) {
	e := pinEngine(&pinStore{xml: pinnedXML})
	type stopped struct{ err error }
	old := failStop
	failStop = func(_ *slog.Logger, err error) { panic(stopped{err}) }
	defer func() { failStop = old }()
	defer func() {
		r := recover()
		s, ok := r.(stopped)
		if !ok || !errors.Is(s.err, errPinMismatch) {
			t.Fatalf("recovered %v, want a fail-stop for a changed content", r)
		}
	}()
	_, _ = e.model(&DefinitionRecord{Key: "p", Version: 1, Hash: contentHash([]byte("other content"))})
	t.Fatal("a changed content did not stop the process")
}
