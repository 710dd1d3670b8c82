package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// applyCase writes a case's step through the engine's store.
func applyCase(t *testing.T, db *store.DB, b *engine.Batch) { storetest.Apply(t, db, b) }

func TestListIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		storetest.Apply(t, db, &engine.Batch{CaseID: "A", At: t0, Status: "incident", Definition: "gate", Version: 1,
			Incidents: []engine.IncidentRow{{ID: "A/x1", CaseID: "A", Element: "g", Message: "no condition holds", At: t0}}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "B", At: t0.Add(time.Minute), Status: "incident", Definition: "other", Version: 2,
			Incidents: []engine.IncidentRow{
				{ID: "B/x1", CaseID: "B", Element: "s1", Message: "missing variable", At: t0.Add(time.Minute)},
				{ID: "B/x2", CaseID: "B", Element: "s2", Message: "missing variable", At: t0.Add(2 * time.Minute)},
			}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "B", Seq: 2, At: t0.Add(3 * time.Minute), Status: "incident", Resolved: []string{"B/x1"}})

		ids := func(f store.IncidentFilter) []string {
			t.Helper()
			list, err := store.ListIncidents(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, x := range list {
				out = append(out, x.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    store.IncidentFilter
			want []string
		}{
			{"all, oldest first", store.IncidentFilter{}, []string{"A/x1", "B/x1", "B/x2"}},
			{"open", store.IncidentFilter{State: store.IncidentOpen}, []string{"A/x1", "B/x2"}},
			{"resolved", store.IncidentFilter{State: store.IncidentResolved}, []string{"B/x1"}},
			{"one case", store.IncidentFilter{CaseID: "B"}, []string{"B/x1", "B/x2"}},
			{"one process", store.IncidentFilter{DefinitionKey: "gate"}, []string{"A/x1"}},
			{"process and state", store.IncidentFilter{DefinitionKey: "other", State: store.IncidentOpen}, []string{"B/x2"}},
			{"page 1", store.IncidentFilter{Limit: 2}, []string{"A/x1", "B/x1"}},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}

		first, err := store.ListIncidents(ctx, db, store.IncidentFilter{Limit: 2})
		if err != nil || len(first) != 2 {
			t.Fatalf("page 1: %v %v", first, err)
		}
		if got := ids(store.IncidentFilter{Limit: 2, AfterAt: first[1].CreatedAt, AfterID: first[1].ID}); !slices.Equal(got, []string{"B/x2"}) {
			t.Errorf("page 2 after %s: %v, want [B/x2]", first[1].ID, got)
		}

		x, err := store.GetIncident(ctx, db, "B/x1")
		if err != nil || x.State != store.IncidentResolved || x.CaseID != "B" || x.ElementID != "s1" {
			t.Fatalf("GetIncident = %+v, %v", x, err)
		}
		if _, err := store.GetIncident(ctx, db, "B/x9"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing incident: %v", err)
		}
	})
}

func TestCaseMessageWaitAndChildren(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		storetest.Apply(t, db, &engine.Batch{CaseID: "P", At: t0, Status: "active", Subscriptions: []engine.SubscriptionRow{
			{ID: "P/w1", CaseID: "P", Element: "pay", Kind: "message", Name: "paid"},
			{ID: "P/w2", CaseID: "P", Element: "go", Kind: "signal", Name: "paid"},
		}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "P", Seq: 2, At: t0.Add(time.Second), Status: "active", Subscriptions: []engine.SubscriptionRow{
			{ID: "P/w3", CaseID: "P", Element: "pay2", Kind: "message", Name: "paid"},
		}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "P/w9", ParentCase: "P", At: t0.Add(2 * time.Second), Status: "active"})
		storetest.Apply(t, db, &engine.Batch{CaseID: "Q", At: t0, Status: "active"})

		w, err := store.CaseMessageWait(ctx, db, "P", "paid")
		if err != nil || w.ID != "P/w1" || w.Kind != "message" {
			t.Fatalf("oldest wait = %+v, %v; want P/w1", w, err)
		}
		storetest.Apply(t, db, &engine.Batch{CaseID: "P", Seq: 3, At: t0.Add(3 * time.Second), Status: "active",
			Closed: []engine.ClosedWait{{ID: "P/w1", Kind: "message", Reason: "completed"}}})
		if w, err = store.CaseMessageWait(ctx, db, "P", "paid"); err != nil || w.ID != "P/w3" {
			t.Fatalf("after closing w1: %+v, %v; want P/w3", w, err)
		}
		// A signal wait of the same name is no message wait; another case's waits do not count.
		for _, c := range [][2]string{{"P", "other"}, {"Q", "paid"}} {
			if _, err := store.CaseMessageWait(ctx, db, c[0], c[1]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("case %s message %s: %v, want ErrNotFound", c[0], c[1], err)
			}
		}

		kids, err := store.ChildCases(ctx, db, "P")
		if err != nil || len(kids) != 1 || kids[0].ID != "P/w9" || kids[0].ParentCaseID == nil || *kids[0].ParentCaseID != "P" {
			t.Fatalf("children of P = %+v, %v", kids, err)
		}
		if kids, err := store.ChildCases(ctx, db, "Q"); err != nil || len(kids) != 0 {
			t.Fatalf("children of Q = %+v, %v", kids, err)
		}
	})
}

func TestHasPublishedDefinition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		has := func(key string) bool {
			t.Helper()
			ok, err := store.HasPublishedDefinition(ctx, db, key)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		d := &store.DefinitionVersion{Key: "child", Name: "child", XML: []byte("<definitions/>"), FileName: "child.bpmn", DeploymentID: store.NewID(), CreatedBy: "t"}
		if _, err := store.DeployDefinition(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		if has("child") {
			t.Fatal("a draft counts as published")
		}
		if _, err := store.PublishDefinition(ctx, db, "child", 1, "t"); err != nil {
			t.Fatal(err)
		}
		if !has("child") || has("parent") {
			t.Fatal("published child not found, or a missing key found")
		}
	})
}

func TestCaseEnded(t *testing.T) {
	for status, want := range map[string]bool{"starting": false, "active": false, "incident": false,
		"completed": true, "terminated": true, "cancelled": true, "failed": true} {
		if store.CaseEnded(status) != want {
			t.Errorf("CaseEnded(%q) = %v", status, !want)
		}
	}
}
