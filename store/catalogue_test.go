package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
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
		vs, err := store.ListItemVersions(ctx, db, it.ID)
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

func TestItemValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		// A custom definition deployed but not published, and one that reads
		// a variable no item sets.
		custom := []byte(strings.ReplaceAll(string(mustXML(t, standard.Promised)), `id="std-promised"`, `id="custom-draft"`))
		d := &store.DefinitionVersion{Key: "custom-draft", Name: "draft", XML: custom, FileName: "c.bpmn", DeploymentID: store.NewID(), CreatedBy: "t"}
		if _, err := store.DeployDefinition(ctx, db, d); err != nil {
			t.Fatal(err)
		}
		odd := []byte(strings.ReplaceAll(strings.ReplaceAll(string(mustXML(t, standard.Promised)), `id="std-promised"`, `id="custom-odd"`),
			`flowable:candidateGroups="${leadSection}" ow:stepKind="review"`, `flowable:candidateGroups="${reviewTeam}" ow:stepKind="review"`))
		od := &store.DefinitionVersion{Key: "custom-odd", Name: "odd", XML: odd, FileName: "o.bpmn", DeploymentID: store.NewID(), CreatedBy: "t"}
		if _, err := store.DeployDefinition(ctx, db, od); err != nil {
			t.Fatal(err)
		}
		if _, err := store.PublishDefinition(ctx, db, "custom-odd", od.Version, "t"); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name  string
			field string
			edit  func(*store.ItemContent)
		}{
			{"duplicate material codes", "materials[2].code", func(it *store.ItemContent) { it.Materials[2].Code = "M01" }},
			{"promised limit above the statutory one", "promisedDays", func(it *store.ItemContent) { it.PromisedDays = 25 }},
			{"a definition that is not published", "definitionKey", func(it *store.ItemContent) { it.DefinitionKey = "custom-draft" }},
			{"a definition that does not exist", "definitionKey", func(it *store.ItemContent) { it.DefinitionKey = "nope" }},
			{"a draft version pinned", "definitionVersion", func(it *store.ItemContent) {
				it.DefinitionKey, it.DefinitionVersion = "custom-draft", 1
			}},
			{"a version that does not exist", "definitionVersion", func(it *store.ItemContent) { it.DefinitionVersion = 99 }},
			{"a flow reading a variable no item sets", "definitionKey", func(it *store.ItemContent) { it.DefinitionKey = "custom-odd" }},
			{"an immediate item with a promised limit", "promisedDays", func(it *store.ItemContent) { it.HandlingType = store.HandlingImmediate }},
			{"a promised item on the immediate flow", "handlingType", func(it *store.ItemContent) { it.DefinitionKey = standard.Immediate }},
			{"parallel approval with one co-reviewer", "coReviewerSectionIds", func(it *store.ItemContent) {
				it.DefinitionKey, it.CoReviewerSectionIDs = standard.Parallel, []string{c.ID("zjj-xzsp")}
			}},
			{"co-reviewers on a one-department flow", "coReviewerSectionIds", func(it *store.ItemContent) {
				it.CoReviewerSectionIDs = []string{c.ID("zjj-xzsp"), c.ID("zrzyj-xzsp")}
			}},
			{"a co-reviewer that is not a section", "coReviewerSectionIds[1]", func(it *store.ItemContent) {
				it.DefinitionKey, it.CoReviewerSectionIDs = standard.Parallel, []string{c.ID("zjj-xzsp"), c.ID("zjj")}
			}},
			{"the proxy flow without the station channel", "channels", func(it *store.ItemContent) { it.DefinitionKey = standard.Proxy }},
			{"a lead section of another department", "leadSectionId", func(it *store.ItemContent) { it.LeadSectionID = c.ID("zjj-xzsp") }},
			{"a competent department that is a section", "departmentId", func(it *store.ItemContent) { it.DepartmentID = c.ID("fgj-xzsp") }},
			{"a window as implementing body", "implementingBodyId", func(it *store.ItemContent) { it.ImplementingBodyID = c.ID("w1") }},
			{"a step limit for a task the flow lacks", "stepLimits.inspection", func(it *store.ItemContent) { it.StepLimits = map[string]float64{"inspection": 2} }},
			{"a step limit above the promised limit", "stepLimits.review", func(it *store.ItemContent) { it.StepLimits = map[string]float64{"review": 11} }},
			{"a conditional material without its condition", "materials[2].condition", func(it *store.ItemContent) { it.Materials[2].Condition = "" }},
			{"a material form", "materials[0].form", func(it *store.ItemContent) { it.Materials[0].Form = "scan" }},
			{"no channel", "channels", func(it *store.ItemContent) { it.Channels = nil }},
			{"a channel twice", "channels[1]", func(it *store.ItemContent) { it.Channels = []string{"window", "window"} }},
			{"an unknown kind", "kind", func(it *store.ItemContent) { it.Kind = "permit" }},
			{"no legal basis", "legalBasis", func(it *store.ItemContent) { it.LegalBasis = " " }},
			{"no complaint phone", "complaint.phone", func(it *store.ItemContent) { it.Complaint.Phone = "" }},
			{"a bad code", "code", func(it *store.ItemContent) { it.Code = "事项一" }},
			{"too many visits", "onSiteVisits", func(it *store.ItemContent) { it.OnSiteVisits = 6 }},
		}
		for _, tc := range cases {
			it := c.Content("BAD-1", "fgj", standard.Promised)
			tc.edit(&it)
			_, err := store.CreateItem(ctx, db, it, "t")
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
				continue
			}
			var inv *store.InvalidError
			if !errors.As(err, &inv) || inv.Field != tc.field {
				t.Errorf("%s: %v, want an invalid %s", tc.name, err, tc.field)
			}
		}
		// Nothing was stored.
		if list, _ := store.ListItems(ctx, db, store.ItemFilter{}); len(list) != 0 {
			t.Fatalf("%d items stored by refused requests", len(list))
		}
		// The same checks guard updates and publication.
		it, err := store.CreateItem(ctx, db, c.Content("OK-1", "fgj", standard.Promised), "t")
		if err != nil {
			t.Fatal(err)
		}
		bad := it.ItemContent
		bad.PromisedDays = 30
		_, err = store.UpdateItem(ctx, db, it.ID, bad, "t")
		wantInvalid(t, err, "promisedDays")
		if got, _ := store.GetItem(ctx, db, it.ID); got.PromisedDays != 10 {
			t.Fatalf("a refused update changed the item: %g", got.PromisedDays)
		}
	})
}

func mustXML(t *testing.T, key string) []byte {
	t.Helper()
	b, err := standard.XML(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStartVariablesAndSteps(t *testing.T) {
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

		steps, err := store.ItemSteps(ctx, db, &v.ItemContent)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range steps {
			got[s.Element] = s.Kind + " " + strings.Join(s.Groups, ",")
			if s.Element == "countersign" && (s.LimitDays != 4 || !s.MultiInstance) {
				t.Errorf("countersign step %+v", s)
			}
			if s.Element == "jointDecision" && s.LimitDays != 2 {
				t.Errorf("joint decision step %+v", s)
			}
		}
		wantSteps := map[string]string{
			"acceptance": "acceptance fgj-xzsp", "countersign": "review fgj-xzsp,zjj-xzsp,zrzyj-xzsp",
			"coordination": "coordination fgj-xzsp", "jointDecision": "approval fgj-xzsp", "delivery": "delivery fgj-xzsp",
		}
		if !reflect.DeepEqual(got, wantSteps) {
			t.Fatalf("steps %v", got)
		}
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
