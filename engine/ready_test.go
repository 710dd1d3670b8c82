package engine_test

import (
	"context"
	"path/filepath"
	"testing"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// Ready answers nil while the engine store answers, and an error once it does not.
func TestReady(t *testing.T) {
	b, err := engine.OpenBackend("sqlite:"+filepath.Join(t.TempDir(), "engine.db"), engine.BackendOptions{WorkerName: "ready"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Backend: b, Store: store.Engine{DB: storetest.SQLite(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Ready(context.Background()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	b.Close()
	if err := e.Ready(context.Background()); err == nil {
		t.Fatal("ready with the engine store closed")
	}
}
