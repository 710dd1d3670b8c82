package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var inv *store.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want an invalid %s", err, field)
	}
	if inv.Field != field {
		t.Fatalf("invalid field %q (%s), want %q", inv.Field, inv.Message, field)
	}
	if inv.Message == "" {
		t.Fatal("invalid without a message")
	}
}

func TestItemLifecycleAndVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		by := c.Users["designer"].ID
		it, err := store.CreateItem(ctx, db, c.Content("XK-001", "fgj", standard.Promised), by)
		if err != nil {
			t.Fatal(err)
		}
		if it.State != store.ItemDraft || it.CurrentVersion != 0 || !it.Changed || it.ImplementingBodyID != c.ID("fgj") || it.Materials[2].Count != 1 {
			t.Fatalf("new item %+v", it)
		}
		if _, err := store.ItemForCase(ctx, db, it.ID); err == nil {
			t.Fatal("a draft item takes applications")
		} else {
			wantInvalid(t, err, "itemId")
		}
		if _, err := store.CreateItem(ctx, db, c.Content("XK-001", "zjj", standard.Promised), by); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate code: %v", err)
		}

		publish := func() *store.ItemVersion {
			t.Helper()
			var v *store.ItemVersion
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				v, err = store.PublishItem(ctx, tx, it.ID, by)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		v1 := publish()
		def, _ := store.GetDefinition(ctx, db, standard.Promised, 0)
		if v1.Version != 1 || v1.DefinitionVersion != def.Version || v1.Name != "事项 XK-001" {
			t.Fatalf("v1 %+v", v1)
		}
		got, err := store.GetItem(ctx, db, it.ID)
		if err != nil || got.State != store.ItemPublished || got.CurrentVersion != 1 || got.Changed {
			t.Fatalf("after publishing: %+v %v", got, err)
		}

		// Editing the draft leaves cases on version 1 until it is published.
		edit := got.ItemContent
		edit.Name = "事项 XK-001（修订）"
		if got, err = store.UpdateItem(ctx, db, it.ID, edit, by); err != nil || !got.Changed || got.CurrentVersion != 1 {
			t.Fatalf("after editing: %+v %v", got, err)
		}
		if v, _ := store.ItemForCase(ctx, db, it.ID); v.Version != 1 || v.Name != "事项 XK-001" {
			t.Fatalf("a case starts with %+v", v)
		}
		if v2 := publish(); v2.Version != 2 || v2.Name != "事项 XK-001（修订）" {
			t.Fatalf("v2 %+v", v2)
		}
		if v, _ := store.ItemForCase(ctx, db, it.ID); v.Version != 2 {
			t.Fatalf("a case starts with v%d", v.Version)
		}
		// A case that started on version 1 keeps it.
		if v, err := store.GetItemVersion(ctx, db, it.ID, 1); err != nil || v.Name != "事项 XK-001" {
			t.Fatalf("v1 now %+v %v", v, err)
		}

		// Unpublish, then publish the same content: version 2 again.
		if _, err := store.UnpublishItem(ctx, db, it.ID, by); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ItemForCase(ctx, db, it.ID); err == nil {
			t.Fatal("an unpublished item takes applications")
		}
		if _, err := store.UnpublishItem(ctx, db, it.ID, by); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("unpublish twice: %v", err)
		}
		if v := publish(); v.Version != 2 {
			t.Fatalf("republishing unchanged content made v%d", v.Version)
		}
		vs, err := store.ListItemVersions(ctx, db, it.ID, 10, 0)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 {
			t.Fatalf("versions %+v %v", vs, err)
		}
		if err := store.DeleteItem(ctx, db, it.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("delete a published item: %v", err)
		}
		draft, err := store.CreateItem(ctx, db, c.Content("XK-002", "fgj", standard.Immediate), by)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.DeleteItem(ctx, db, draft.ID); err != nil {
			t.Fatal(err)
		}
		list, err := store.ListItems(ctx, db, store.ItemFilter{DepartmentID: c.ID("fgj")})
		if err != nil || len(list) != 1 || list[0].ID != it.ID {
			t.Fatalf("items %+v %v", list, err)
		}
		if list, _ := store.ListItems(ctx, db, store.ItemFilter{Search: "修订"}); len(list) != 1 {
			t.Fatalf("search: %d items", len(list))
		}
	})
}

func TestStartVariables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		par := c.Content("BL-001", "fgj", standard.Parallel)
		par.StepLimits = map[string]float64{"countersign": 4}
		it, err := store.CreateItem(ctx, db, par, "t")
		if err != nil {
			t.Fatal(err)
		}
		var v *store.ItemVersion
		err = db.Tx(ctx, func(tx *sqlx.Tx) (err error) { v, err = store.PublishItem(ctx, tx, it.ID, "t"); return err })
		if err != nil {
			t.Fatal(err)
		}
		vars, err := store.StartVariables(ctx, db, v, store.CaseStart{Channel: store.ChannelOnline, ApplicantID: "u1", ApplicantName: "李明"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"itemId": it.ID, "itemCode": "BL-001", "itemName": "事项 BL-001", "itemVersion": 1.0, "itemKind": "licence",
			"handlingType": "promised", "department": "fgj", "implementingBody": "fgj", "leadSection": "fgj-xzsp",
			"coReviewers": []any{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"}, "statutoryDays": 20.0, "promisedDays": 10.0,
			"stepLimits": map[string]any{"countersign": 4.0}, "onSiteVisits": 0.0, "channel": "online",
			"applicant": "u1", "applicantName": "李明", "station": "", "agent": "",
		}
		if !reflect.DeepEqual(vars, want) {
			t.Fatalf("start variables\n got %v\nwant %v", vars, want)
		}
		if names := store.StartVariableNames(); len(names) != len(want) {
			t.Fatalf("StartVariableNames %v", names)
		}
		_, err = store.StartVariables(ctx, db, v, store.CaseStart{Channel: store.ChannelStation, StationID: c.ID("st1")})
		wantInvalid(t, err, "channel")

		if v.StepLimit("countersign", 5) != 4 || v.StepLimit("delivery", 1) != 1 {
			t.Error("StepLimit")
		}

		// A station submission names its station and agent.
		px := c.Published("DB-001", "zjj", standard.Proxy)
		vars, err = store.StartVariables(ctx, db, px, store.CaseStart{Channel: store.ChannelStation, StationID: c.ID("st1"), AgentID: c.Users["agent"].ID})
		if err != nil || vars["station"] != "st1" || vars["agent"] != c.Users["agent"].ID || vars["leadSection"] != "zjj-xzsp" {
			t.Fatalf("proxy vars %v %v", vars, err)
		}
		_, err = store.StartVariables(ctx, db, px, store.CaseStart{Channel: store.ChannelStation})
		wantInvalid(t, err, "stationId")
		_, err = store.StartVariables(ctx, db, px, store.CaseStart{Channel: store.ChannelStation, StationID: c.ID("w1")})
		wantInvalid(t, err, "stationId")
	})
}

func TestEnsureStandardFlowsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got, err := store.EnsureStandardFlows(ctx, db, "system")
		if err != nil || len(got) != len(standard.Flows()) {
			t.Fatalf("first: %d published, %v", len(got), err)
		}
		if got, err = store.EnsureStandardFlows(ctx, db, "system"); err != nil || len(got) != 0 {
			t.Fatalf("second: %d published, %v", len(got), err)
		}
		for _, f := range standard.Flows() {
			d, err := store.GetDefinition(ctx, db, f.Key, 0)
			if err != nil || d.Version != 1 || d.State != store.DefinitionPublished {
				t.Fatalf("%s: %+v %v", f.Key, d, err)
			}
		}
	})
}
