package storetest

import (
	"context"
	"testing"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/demo"
)

// Demo loads the demo organisation into db and returns lookups of unit ids by code and user
// ids by username.
func Demo(t testing.TB, db *store.DB) (unit, user func(string) string) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	unit = func(code string) string {
		t.Helper()
		u, err := store.GetOrgUnitByCode(ctx, db, code)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	user = func(name string) string {
		t.Helper()
		u, err := store.GetUserByUsername(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	return unit, user
}

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
