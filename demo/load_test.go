package demo_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestLoadOpenCases loads 40 open cases (3 templates through the engine, the rest copied):
// every case is open, has its own number, and the lists see them; a second load into the now
// non-empty database is refused without Force.
func TestLoadOpenCases(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EnsureSupervisionFlows(ctx, db, "test"); err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{DB: db, DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := a.EngineHooks()
	x := enginetest.Start(t, db, enginetest.Options{Observer: h.Observer, OnAlert: h.OnAlert, Handlers: h.Handlers})
	a.UseEngine(x.Engine)
	rep, err := demo.LoadOpenCases(ctx, a, db, demo.LoadOptions{Open: 40, Templates: 3, Batch: 16})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Templates != 3 || rep.Copies != 37 || rep.Number == "" || rep.QueryCode == "" {
		t.Fatalf("report %+v", rep)
	}
	var open, numbers, tasks int
	if err := db.GetContext(ctx, &open, `SELECT COUNT(*) FROM cases WHERE ended_at IS NULL AND number IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &numbers, `SELECT COUNT(DISTINCT number) FROM cases`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &tasks, `SELECT COUNT(*) FROM tasks WHERE state = 'open'`); err != nil {
		t.Fatal(err)
	}
	if open != 40 || numbers != 40 || tasks < 40 {
		t.Fatalf("%d open cases, %d numbers, %d open tasks; want 40, 40, at least 40", open, numbers, tasks)
	}
	all, err := store.ListCases(ctx, db, store.CaseFilter{Limit: 100})
	if err != nil || len(all) != 40 {
		t.Fatalf("listed %d cases (%v), want 40", len(all), err)
	}
	if _, err := demo.LoadOpenCases(ctx, a, db, demo.LoadOptions{Open: 10}); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second load: %v, want ErrNotEmpty", err)
	}
}
