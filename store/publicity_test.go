package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onewindow/demo"
	"onewindow/demo/demotest"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestPublicityQueries: the items that publish their results (the demo's licences), their
// finished and decided cases newest first with a keyset, the scorecard figures per item, and
// information-disclosure requests with their one extension, on both databases.
func TestPublicityQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demotest.Demo(t, db)
		all, err := store.PublishingItems(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		licences := 0
		for _, it := range demo.Items() {
			if it.Kind == store.ItemLicence {
				licences++
			}
		}
		if len(all) != licences {
			t.Fatalf("%d items publish, want the %d licences", len(all), licences)
		}
		scjgj, err := store.PublishingItems(ctx, db, unit("scjgj"))
		if err != nil || len(scjgj) != 3 {
			t.Fatalf("市场监管局 publishes %d items (%v)", len(scjgj), err)
		}
		at := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		for i, id := range []string{"P1", "P2", "P3"} {
			ended := at.Add(time.Duration(i) * time.Hour)
			storetest.Apply(t, db, &engine.Batch{CaseID: id, At: at, Status: "completed", Definition: "std-promised", Version: 1, Vars: map[string]any{}})
			if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE cases SET number = ?, item_id = ?, applicant_name = '张小三', applicant_kind = 'naturalPerson',
				decision = 'approve', decided_at = ?, ended_at = ?, received_at = ? WHERE id = ?`), "N-"+id, scjgj[0], store.Time(ended), store.Time(ended), store.Time(at), id); err != nil {
				t.Fatal(err)
			}
		}
		page, err := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: scjgj, Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != "P3" || page[1].ID != "P2" || page[0].DepartmentID != unit("scjgj") {
			t.Fatalf("first page %+v (%v)", page, err)
		}
		next, err := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: scjgj, BeforeAt: page[1].EndedAt, BeforeID: page[1].ID, Limit: 2})
		if err != nil || len(next) != 1 || next[0].ID != "P1" {
			t.Fatalf("next page %+v (%v)", next, err)
		}
		if none, _ := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: scjgj, From: at.Add(24 * time.Hour)}); len(none) != 0 {
			t.Fatalf("a later month %+v", none)
		}
		figs, err := store.Scorecards(ctx, db, engine.National{}, store.ScorecardFilter{Level: store.LevelItem, From: at.Add(-time.Hour), To: at.Add(24 * time.Hour)})
		if err != nil || len(figs) != 1 || figs[0].ID != scjgj[0] || figs[0].Finished != 3 || figs[0].Name == "" {
			t.Fatalf("item figures %+v (%v)", figs, err)
		}

		req := &store.DisclosureRequest{ID: store.NewID(), ProcessCaseID: "D-1", DepartmentID: unit("scjgj"), RequesterKind: store.ObjectNaturalPerson,
			RequesterName: "王五", ContactPhone: "13900000000", Description: "信息", Delivery: store.DeliveryPost, FiledAt: at}
		if err := store.InsertDisclosure(ctx, db, req); err != nil {
			t.Fatal(err)
		}
		mine := user("applicant1")
		req2 := *req
		req2.ID, req2.ProcessCaseID, req2.RequesterID, req2.FiledAt = store.NewID(), "D-2", &mine, at.Add(time.Minute)
		if err := store.InsertDisclosure(ctx, db, &req2); err != nil {
			t.Fatal(err)
		}
		list, err := store.ListDisclosures(ctx, db, store.DisclosureFilter{Departments: []string{unit("scjgj")}, Limit: 1})
		if err != nil || len(list) != 1 || list[0].ID != req2.ID {
			t.Fatalf("newest first %+v (%v)", list, err)
		}
		list, _ = store.ListDisclosures(ctx, db, store.DisclosureFilter{Departments: []string{unit("scjgj")}, BeforeAt: list[0].FiledAt, BeforeID: list[0].ID})
		if len(list) != 1 || list[0].ID != req.ID {
			t.Fatalf("next page %+v", list)
		}
		if own, _ := store.ListDisclosures(ctx, db, store.DisclosureFilter{RequesterID: mine}); len(own) != 1 || own[0].ID != req2.ID {
			t.Fatalf("own %+v", own)
		}
		if err := store.ExtendDisclosure(ctx, db, req.ID, mine, "征求第三方意见", at); err != nil {
			t.Fatal(err)
		}
		if err := store.ExtendDisclosure(ctx, db, req.ID, mine, "again", at); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second extension: %v", err)
		}
		got, err := store.DisclosureByCase(ctx, db, "D-1")
		if err != nil || got.ExtendedAt == nil || got.ExtensionReason != "征求第三方意见" {
			t.Fatalf("extended %+v (%v)", got, err)
		}
	})
}
