package app

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

// actorOf is user u as a use case sees them.
func actorOf(t testing.TB, db *store.DB, u *store.User) *Actor {
	t.Helper()
	p, err := New(Config{DB: db}).LoadActor(context.Background(), u, "token")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustXML(t *testing.T, key string) []byte {
	t.Helper()
	b, err := standard.XML(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestItemValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		designer := actorOf(t, db, c.Users["designer"])
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
			{"a warning before the promised limit starts", "warnDays", func(it *store.ItemContent) { it.WarnDays = 11 }},
		}
		for _, tc := range cases {
			it := c.Content("BAD-1", "fgj", standard.Promised)
			tc.edit(&it)
			_, err := ap.CreateItem(ctx, designer, it)
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
		// Defaults are filled in: the department implements, a material comes once.
		content := c.Content("OK-1", "fgj", standard.Promised)
		content.ImplementingBodyID, content.Materials[2].Count = "", 0
		it, err := ap.CreateItem(ctx, designer, content)
		if err != nil {
			t.Fatal(err)
		}
		if it.ImplementingBodyID != c.ID("fgj") || it.Materials[2].Count != 1 || it.State != store.ItemDraft {
			t.Fatalf("new item %+v", it)
		}
		bad := it.ItemContent
		bad.PromisedDays = 30
		_, err = ap.UpdateItem(ctx, designer, it.ID, bad)
		wantInvalid(t, err, "promisedDays")
		if got, _ := store.GetItem(ctx, db, it.ID); got.PromisedDays != 10 {
			t.Fatalf("a refused update changed the item: %g", got.PromisedDays)
		}
		_, err = ap.PublishItem(ctx, designer, it.ID, PublishItemRequest{DefinitionVersion: new(int)})
		if err != nil {
			t.Fatal(err)
		}
		v99 := 99
		_, err = ap.PublishItem(ctx, designer, it.ID, PublishItemRequest{DefinitionVersion: &v99})
		wantInvalid(t, err, "definitionVersion")
		// Only designers and admins edit the catalogue.
		if _, err := ap.CreateItem(ctx, actorOf(t, db, c.Users["clerk1"]), c.Content("OK-2", "fgj", standard.Promised)); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Fatalf("a clerk creates an item: %v", err)
		}
	})
}

// The steps of an item's flow, with the candidate groups a case of the item gives them.
func TestItemSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		designer := actorOf(t, db, c.Users["designer"])
		par := c.Content("BL-001", "fgj", standard.Parallel)
		par.StepLimits = map[string]float64{"countersign": 4}
		it, err := ap.CreateItem(ctx, designer, par)
		if err != nil {
			t.Fatal(err)
		}
		list, err := ap.ItemSteps(ctx, designer, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range list.Items {
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
	})
}
