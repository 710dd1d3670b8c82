package demo_test

import (
	"context"
	"testing"

	"onewindow/store"
	"onewindow/store/demo"
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
