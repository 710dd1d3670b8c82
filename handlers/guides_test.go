package handlers

import (
	"net/http"
	"testing"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestPublicServiceGuides(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		var list app.List[app.ServiceGuide]
		r := s.do("GET", "/api/v1/public/items?limit=500", "")
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
