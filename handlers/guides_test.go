package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestPublicServiceGuides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		var list app.List[app.ServiceGuide]
		r := s.do("GET", "/api/v1/public/items?limit=200", "")
		if r.Code != http.StatusOK {
			t.Fatalf("list: %d %s", r.Code, r.Body)
		}
		r.json(t, &list)
		if len(list.Items) == 0 {
			t.Fatal("no published items in the demo catalogue")
		}
		g := list.Items[0]
		if g.Version < 1 || g.Name == "" || len(g.Materials) == 0 {
			t.Fatalf("guide %+v lacks its version, name or materials", g)
		}
		var one store.ItemVersion
		s.do("GET", "/api/v1/public/items/"+g.ItemID, "").json(t, &one)
		if one.ItemID != g.ItemID || one.Version != g.Version {
			t.Fatalf("guide of %s: %+v", g.ItemID, one)
		}
		if r := s.do("GET", "/api/v1/public/items/"+store.NewID(), ""); r.Code != http.StatusNotFound {
			t.Fatalf("unknown item: %d, want 404", r.Code)
		}
		if r := s.do("GET", "/api/v1/public/items?kind=nonsense", ""); r.Code != http.StatusBadRequest {
			t.Fatalf("bad kind: %d, want 400", r.Code)
		}
	})
}

// The guide of a parallel-approval item names the departments that review it, not only
// their sections' ids (issue 10, from 13).
func TestServiceGuideNamesCoReviewers(t *testing.T) {
	s := newTestServer(t, nil)
	var list app.List[app.ServiceGuide]
	s.do("GET", "/api/v1/public/items?q=FGJ&limit=200", "").json(t, &list)
	var par *app.ServiceGuide
	for i := range list.Items {
		if len(list.Items[i].CoReviewerSectionIDs) > 1 {
			par = &list.Items[i]
		}
	}
	if par == nil {
		t.Fatal("no parallel-approval item of fgj in the demo catalogue")
	}
	r := s.do("GET", "/api/v1/public/items/"+par.ItemID, "")
	var g app.ServiceGuide
	r.json(t, &g)
	if len(g.CoReviewers) != len(g.CoReviewerSectionIDs) {
		t.Fatalf("%d co-reviewers named for %d sections: %s", len(g.CoReviewers), len(g.CoReviewerSectionIDs), r.Body)
	}
	ctx := context.Background()
	for i, id := range g.CoReviewerSectionIDs {
		sec, err := store.GetOrgUnit(ctx, s.db, id)
		if err != nil {
			t.Fatal(err)
		}
		dept, err := store.GetOrgUnit(ctx, s.db, sec.ParentID)
		if err != nil {
			t.Fatal(err)
		}
		got := g.CoReviewers[i]
		if got.ID != id || got.Name != sec.Name || got.DepartmentName != dept.Name || !strings.Contains(r.Body.String(), dept.Name) {
			t.Errorf("co-reviewer %d: %+v, want %s of %s", i, got, sec.Name, dept.Name)
		}
	}
	dept, _ := store.GetOrgUnit(ctx, s.db, g.DepartmentID)
	if g.Department.Name != dept.Name || g.LeadSection.DepartmentName != dept.Name || g.ImplementingBody.Name == "" {
		t.Errorf("department %+v, lead section %+v, implementing body %+v; want %s named", g.Department, g.LeadSection, g.ImplementingBody, dept.Name)
	}
	// The list shows the same names.
	for _, l := range list.Items {
		if l.ItemID == g.ItemID && (len(l.CoReviewers) != len(g.CoReviewers) || l.CoReviewers[0].DepartmentName != g.CoReviewers[0].DepartmentName) {
			t.Errorf("listed guide names %+v, the guide %+v", l.CoReviewers, g.CoReviewers)
		}
	}
}

// The catalogue is searched by theme and level (issue 16): each filter keeps exactly the demo
// items of that value, they combine, and an unknown value is a 400 naming the parameter.
func TestCatalogueByThemeAndLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		codes := func(query string) []string {
			t.Helper()
			r := s.do("GET", "/api/v1/public/items?limit=200&"+query, "")
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", query, r.Code, r.Body)
			}
			var list app.List[app.ServiceGuide]
			r.json(t, &list)
			var out []string
			for _, g := range list.Items {
				out = append(out, g.Code+"/"+g.Theme+"/"+g.Level)
			}
			return out
		}
		if got, want := strings.Join(codes("theme=household"), " "), "450981-GAJ-GG-002/household/county 450981-GAJ-XK-001/household/county"; got != want {
			t.Errorf("theme=household: %s, want %s", got, want)
		}
		if got, want := strings.Join(codes("level=township"), " "), "450981-MZJ-JF-002/socialAssistance/township 450981-ZRZYJ-XK-003/realEstate/township"; got != want {
			t.Errorf("level=township: %s, want %s", got, want)
		}
		if got, want := strings.Join(codes("theme=realEstate&level=township"), " "), "450981-ZRZYJ-XK-003/realEstate/township"; got != want {
			t.Errorf("theme=realEstate&level=township: %s, want %s", got, want)
		}
		if got := codes("level=region"); len(got) != 0 {
			t.Errorf("level=region: %v, want none (the demo is a county's)", got)
		}
		for _, bad := range []struct{ query, field string }{{"theme=taxes", "theme"}, {"level=province", "level"}} {
			e := expectError(t, s.do("GET", "/api/v1/public/items?"+bad.query, ""), http.StatusBadRequest, "validation_failed")
			if len(e.Fields) != 1 || e.Fields[0].Field != bad.field || !strings.Contains(e.Message, bad.field) {
				t.Errorf("%s: %+v, want the field %s named", bad.query, e, bad.field)
			}
		}
		// The designers' list filters the same way.
		tok := s.login("designer")
		r := s.as(tok, "GET", "/api/v1/items?theme=marriage&limit=200", "")
		var items app.List[store.Item]
		r.json(t, &items)
		if r.Code != http.StatusOK || len(items.Items) != 1 || items.Items[0].Code != "450981-MZJ-QR-001" {
			t.Errorf("items?theme=marriage: %d %s", r.Code, r.Body)
		}
		expectError(t, s.as(tok, "GET", "/api/v1/items?level=village", ""), http.StatusBadRequest, "validation_failed")
	})
}
