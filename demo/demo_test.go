package demo_test

import (
	"context"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/definitions/standard"
	"onewindow/demo"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestLoadOnceIntoEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loaded, err := demo.Load(ctx, db)
		if err != nil || !loaded {
			t.Fatalf("first Load = %v, %v; want loaded", loaded, err)
		}
		loaded, err = demo.Load(ctx, db)
		if err != nil || loaded {
			t.Fatalf("second Load = %v, %v; want nothing loaded", loaded, err)
		}
		units, err := store.ListOrgUnits(ctx, db, store.OrgUnitFilter{})
		if err != nil || len(units) != len(demo.Units()) {
			t.Fatalf("%d units after loading twice, want %d (%v)", len(units), len(demo.Units()), err)
		}
		users, err := store.ListUsers(ctx, db, store.UserFilter{Limit: 500})
		if err != nil || len(users) != len(demo.Users()) {
			t.Fatalf("%d users, want %d (%v)", len(users), len(demo.Users()), err)
		}

		// The village station sits five levels down: region, city, county, township, village.
		st, err := store.GetOrgUnitByCode(ctx, db, demo.VillageStation)
		if err != nil {
			t.Fatal(err)
		}
		anc, _ := store.OrgUnitAncestors(ctx, db, st.ID)
		if len(anc) != 5 || anc[0].Code != demo.RegionCode || anc[4].Level != store.LevelVillage {
			t.Errorf("ancestors of the village station: %+v", anc)
		}

		// Every department has a reviewer in its approval section.
		for _, d := range demo.Departments {
			sec, err := store.GetOrgUnitByCode(ctx, db, demo.SectionCode(d.Code))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := store.ListUsers(ctx, db, store.UserFilter{OrgUnitID: sec.ID, Role: store.RoleReviewer})
			if err != nil || len(rs) != 1 || rs[0].Username != "reviewer-"+d.Code {
				t.Errorf("reviewers of %s = %+v, %v", sec.Code, rs, err)
			}
		}
		// Every role has a holder.
		for _, role := range store.Roles {
			if role == store.RoleApplicant {
				continue // applicants hold it by kind, without a membership
			}
			if rs, _ := store.ListUsers(ctx, db, store.UserFilter{Role: role}); len(rs) == 0 {
				t.Errorf("no demo user holds %s", role)
			}
		}
		clerk, err := store.GetUserByUsername(ctx, db, "clerk1")
		if err != nil || !store.CheckPassword(clerk.PasswordHash, demo.Password) {
			t.Errorf("clerk1 cannot sign in with the demo password (%v)", err)
		}
		app, err := store.GetUserByUsername(ctx, db, "applicant1")
		if err != nil || app.Kind != store.UserApplicant || store.CheckIDCard(app.IDCard) != nil {
			t.Errorf("applicant1 = %+v, %v", app, err)
		}
	})
}

func TestDemoCatalogue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		items, err := store.ListItems(ctx, db, store.ItemFilter{State: store.ItemPublished, Limit: 500})
		if err != nil || len(items) != len(demo.Items()) || len(items) < 20 {
			t.Fatalf("%d published items, want %d (%v)", len(items), len(demo.Items()), err)
		}
		count := map[string]int{}
		for _, it := range items {
			count[it.DefinitionKey]++
			count[it.HandlingType]++
			if it.DefinitionKey == standard.Parallel && len(it.CoReviewerSectionIDs) < 3 {
				t.Errorf("%s: parallel approval by %d departments", it.Code, len(it.CoReviewerSectionIDs))
			}
			if len(it.Materials) == 0 {
				t.Errorf("%s has no materials", it.Code)
			}
		}
		if count[standard.Parallel] < 3 || count[standard.Proxy] < 2 || count[store.HandlingImmediate] < 3 || count[store.HandlingPromised] < 3 {
			t.Errorf("catalogue mix %v", count)
		}
		// Every department delegates all its handling steps and most of its decisions.
		var decided, delegated int
		ap := app.New(app.Config{DB: db})
		admin := &app.Actor{UserID: "admin", Username: "admin", Roles: []string{store.RoleAdmin}}
		for _, d := range demo.Departments {
			dept, _ := store.GetOrgUnitByCode(ctx, db, d.Code)
			r, err := ap.DelegationReport(ctx, admin, dept.ID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if r.Items == 0 || r.Handling.Share != 1 {
				t.Errorf("%s: handling delegated %+v over %d items", d.Code, r.Handling, r.Items)
			}
			decided += r.Decision.Items
			delegated += r.Decision.Delegated
		}
		if share := float64(delegated) / float64(decided); share < 0.8 || share == 1 {
			t.Errorf("decisions delegated: %d of %d (%.0f%%), want 80%% or more but not all", delegated, decided, share*100)
		}
		// Window 1 (clerk1's) holds a grant of every department.
		w1, err := store.GetOrgUnitByCode(ctx, db, "zwzx-01")
		if err != nil {
			t.Fatal(err)
		}
		gs, err := store.ListGrants(ctx, db, store.GrantFilter{WindowID: w1.ID, ActiveAt: time.Now()})
		if err != nil || len(gs) < len(demo.Departments) {
			t.Fatalf("window 1 holds %d grants (%v)", len(gs), err)
		}
		// Loading again does nothing.
		if loaded, err := demo.LoadCatalogue(ctx, db); loaded || err != nil {
			t.Fatalf("LoadCatalogue after Load: %v %v", loaded, err)
		}
		// A demo database from before the catalogue gets it.
		for _, table := range []string{"delegation_audit", "delegation_grant_steps", "delegation_grant_items", "delegation_grants", "item_versions", "items"} {
			if _, err := db.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				t.Fatal(err)
			}
		}
		if loaded, err := demo.LoadCatalogue(ctx, db); !loaded || err != nil {
			t.Fatalf("LoadCatalogue on a demo without items: %v %v", loaded, err)
		}
		if items, _ := store.ListItems(ctx, db, store.ItemFilter{Limit: 500}); len(items) != len(demo.Items()) {
			t.Fatalf("%d items after LoadCatalogue", len(items))
		}
	})
}

// A database that is not the demo organisation gets no demo catalogue.
func TestLoadCatalogueLeavesOtherDatabasesAlone(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := store.CreateOrgUnit(ctx, db, &store.OrgUnit{Code: "x", Name: "x", Kind: store.KindGovernment, Level: store.LevelRegion}); err != nil {
		t.Fatal(err)
	}
	if loaded, err := demo.LoadCatalogue(ctx, db); loaded || err != nil {
		t.Fatalf("LoadCatalogue: %v %v", loaded, err)
	}
}
