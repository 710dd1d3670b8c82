package storetest

import (
	"context"
	"testing"

	"onewindow/engine"
	"onewindow/store"
)

// Apply writes an engine batch as the engine would: a case's rows without running it. Seq
// defaults to 1, the definition to "p" version 1.
func Apply(t testing.TB, db *store.DB, b *engine.Batch) {
	t.Helper()
	if b.Seq == 0 {
		b.Seq = 1
	}
	if b.Definition == "" {
		b.Definition, b.Version = "p", 1
	}
	if err := (store.Engine{DB: db}).ApplyBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}
