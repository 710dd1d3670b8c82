package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
	"onewindow/store/storetest"
)

// tree builds region → city → county → {centre → window, dept → section, township → village}.
func tree(t *testing.T, db *store.DB) map[string]*store.OrgUnit {
	t.Helper()
	ctx := context.Background()
	units := map[string]*store.OrgUnit{}
	add := func(code, parent, kind, level string) {
		u := &store.OrgUnit{Code: code, Name: "unit " + code, Kind: kind, Level: level}
		if parent != "" {
			u.ParentID = units[parent].ID
		}
		if err := store.CreateOrgUnit(ctx, db, u); err != nil {
			t.Fatalf("create %s: %v", code, err)
		}
		units[code] = u
	}
	add("gx", "", store.KindGovernment, store.LevelRegion)
	add("yl", "gx", store.KindGovernment, store.LevelCity)
	add("bl", "yl", store.KindGovernment, store.LevelCounty)
	add("bl-centre", "bl", store.KindCentre, "")
	add("bl-w1", "bl-centre", store.KindWindow, "")
	add("bl-fgj", "bl", store.KindDepartment, "")
	add("bl-fgj-sp", "bl-fgj", store.KindSection, "")
	add("ml", "bl", store.KindGovernment, store.LevelTownship)
	add("lz", "ml", store.KindGovernment, store.LevelVillage)
	add("lz-st", "lz", store.KindStation, "")
	return units
}

func codes(units []store.OrgUnit) string {
	var cs []string
	for _, u := range units {
		cs = append(cs, u.Code)
	}
	return strings.Join(cs, " ")
}

func TestOrgTreeAncestorsAndDescendants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := tree(t, db)
		anc, err := store.OrgUnitAncestors(ctx, db, u["lz-st"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(anc), "gx yl bl ml lz"; got != want {
			t.Errorf("ancestors of lz-st = %q, want %q (root first)", got, want)
		}
		if anc, _ := store.OrgUnitAncestors(ctx, db, u["gx"].ID); len(anc) != 0 {
			t.Errorf("root has ancestors %q", codes(anc))
		}
		desc, err := store.OrgUnitDescendants(ctx, db, u["bl"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(desc), "bl-centre bl-fgj ml bl-fgj-sp bl-w1 lz lz-st"; got != want {
			t.Errorf("descendants of bl = %q, want %q (breadth first, by code)", got, want)
		}
		if desc, _ := store.OrgUnitDescendants(ctx, db, u["bl-w1"].ID); len(desc) != 0 {
			t.Errorf("leaf has descendants %q", codes(desc))
		}
		if _, err := store.OrgUnitAncestors(ctx, db, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ancestors of missing unit: %v, want ErrNotFound", err)
		}
		if _, err := store.OrgUnitDescendants(ctx, db, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("descendants of missing unit: %v, want ErrNotFound", err)
		}
		for _, c := range []struct {
			id, anc string
			want    bool
		}{{"lz-st", "bl", true}, {"lz-st", "lz-st", true}, {"bl", "lz-st", false}, {"bl-w1", "ml", false}} {
			got, err := store.IsWithin(ctx, db, u[c.id].ID, u[c.anc].ID)
			if err != nil || got != c.want {
				t.Errorf("IsWithin(%s, %s) = %v, %v; want %v", c.id, c.anc, got, err, c.want)
			}
		}
		children, err := store.ListOrgUnits(ctx, db, store.OrgUnitFilter{ParentID: u["bl"].ID})
		if err != nil || codes(children) != "bl-centre bl-fgj ml" {
			t.Errorf("children of bl = %q, %v", codes(children), err)
		}
		roots, err := store.ListOrgUnits(ctx, db, store.OrgUnitFilter{Roots: true})
		if err != nil || codes(roots) != "gx" {
			t.Errorf("roots = %q, %v", codes(roots), err)
		}
	})
}

func TestOrgUnitPlacementAndMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := tree(t, db)
		bad := []struct {
			unit  store.OrgUnit
			field string
		}{
			{store.OrgUnit{Code: "x1", Name: "x", Kind: store.KindWindow, ParentID: u["bl"].ID}, "parentId"},
			{store.OrgUnit{Code: "x2", Name: "x", Kind: store.KindGovernment, Level: store.LevelVillage, ParentID: u["bl"].ID}, "parentId"},
			{store.OrgUnit{Code: "x3", Name: "x", Kind: store.KindGovernment}, "level"},
			{store.OrgUnit{Code: "x4", Name: "x", Kind: store.KindDepartment}, "parentId"},
			{store.OrgUnit{Code: "x5", Name: "x", Kind: "ministry", ParentID: u["bl"].ID}, "kind"},
			{store.OrgUnit{Code: "x6", Name: "x", Kind: store.KindStation, ParentID: u["bl"].ID}, "parentId"},
			{store.OrgUnit{Code: "x7", Name: "x", Kind: store.KindSection, ParentID: "missing"}, "parentId"},
			{store.OrgUnit{Code: "x8", Name: "x", Kind: store.KindDepartment, Level: store.LevelCity, ParentID: u["bl"].ID}, "level"},
		}
		for _, b := range bad {
			err := store.CreateOrgUnit(ctx, db, &b.unit)
			var inv *store.InvalidError
			if !errors.As(err, &inv) || inv.Field != b.field {
				t.Errorf("create %s: %v, want an invalid %s", b.unit.Code, err, b.field)
			}
		}
		dup := &store.OrgUnit{Code: "bl-w1", Name: "again", Kind: store.KindWindow, ParentID: u["bl-centre"].ID}
		if err := store.CreateOrgUnit(ctx, db, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate code: %v, want ErrConflict", err)
		}

		// Moving bl under its own descendant ml is refused; moving lz's station up to ml is fine.
		ml := u["ml"].ID
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.UpdateOrgUnit(ctx, tx, u["bl"].ID, store.OrgUnitPatch{ParentID: &ml})
			return err
		})
		var inv *store.InvalidError
		if !errors.As(err, &inv) || inv.Field != "parentId" {
			t.Errorf("move under own descendant: %v, want invalid parentId", err)
		}
		moved, err := store.UpdateOrgUnit(ctx, db, u["lz-st"].ID, store.OrgUnitPatch{ParentID: &ml})
		if err != nil || moved.ParentID != ml {
			t.Fatalf("move station to township: %+v, %v", moved, err)
		}
		name := "北流市政务服务中心"
		if got, err := store.UpdateOrgUnit(ctx, db, u["bl-centre"].ID, store.OrgUnitPatch{Name: &name}); err != nil || got.Name != name {
			t.Fatalf("rename: %+v, %v", got, err)
		}
		again, _ := store.GetOrgUnit(ctx, db, u["bl-centre"].ID)
		if again.Name != name || again.UpdatedAt.Before(again.CreatedAt) {
			t.Errorf("after rename: %+v", again)
		}
	})
}

func TestCheckIDCard(t *testing.T) {
	valid := []string{"11010519491231002X", "11010519491231002x", "440524198001010013", "450981199001011230", "450981200002290038"}
	for _, s := range valid {
		if err := store.CheckIDCard(s); err != nil {
			t.Errorf("CheckIDCard(%q) = %v, want valid", s, err)
		}
	}
	invalid := map[string]string{
		"110105194912310021":  "check character",
		"11010519491231002":   "18 characters",
		"1101051949123100211": "18 characters",
		"11010519491331002X":  "birth date",
		"1101051949A231002X":  "digit",
		"01010519491231002X":  "start with 0",
		"110105210001010015":  "birth date", // born in 2100
		"450981199902290034":  "birth date", // 1999 was no leap year
	}
	for s, want := range invalid {
		err := store.CheckIDCard(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckIDCard(%q) = %v, want an error about %q", s, err, want)
		}
	}
}

func TestUsersMembershipsAndDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := tree(t, db)
		hash, err := store.HashPassword("secret-pw")
		if err != nil {
			t.Fatal(err)
		}
		clerk := &store.User{Username: "clerk1", DisplayName: "Clerk One", PasswordHash: hash, Kind: store.UserStaff}
		if err := store.CreateUser(ctx, db, clerk); err != nil {
			t.Fatal(err)
		}
		if err := store.CreateUser(ctx, db, &store.User{Username: "clerk1", DisplayName: "x", Kind: store.UserStaff}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate username: %v, want ErrConflict", err)
		}
		app := &store.User{Username: "zhang", DisplayName: "张三", PasswordHash: hash, Kind: store.UserApplicant, RealName: "张三", IDCard: "11010519491231002x", Phone: "13800138000"}
		if err := store.CreateUser(ctx, db, app); err != nil {
			t.Fatal(err)
		}
		if app.IDCard != "11010519491231002X" {
			t.Errorf("ID card stored as %q, want upper-case X", app.IDCard)
		}
		twin := &store.User{Username: "zhang2", DisplayName: "张三", Kind: store.UserApplicant, RealName: "张三", IDCard: "11010519491231002X"}
		if err := store.CreateUser(ctx, db, twin); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate ID card: %v, want ErrConflict", err)
		}
		badCard := &store.User{Username: "li", DisplayName: "李四", Kind: store.UserApplicant, RealName: "李四", IDCard: "110105194912310021"}
		var inv *store.InvalidError
		if err := store.CreateUser(ctx, db, badCard); !errors.As(err, &inv) || inv.Field != "idCard" {
			t.Errorf("bad ID card: %v, want invalid idCard", err)
		}

		got, err := store.GetUserByUsername(ctx, db, "clerk1")
		if err != nil || got.ID != clerk.ID || !store.CheckPassword(got.PasswordHash, "secret-pw") || store.CheckPassword(got.PasswordHash, "wrong") {
			t.Fatalf("GetUserByUsername = %+v, %v", got, err)
		}
		if !got.CreatedAt.Equal(clerk.CreatedAt) {
			t.Errorf("created_at read back %v, written %v", got.CreatedAt, clerk.CreatedAt)
		}
		if _, err := store.GetUser(ctx, db, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing user: %v", err)
		}

		m := &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl-w1"].ID, Role: store.RoleClerk}
		if err := store.AddMembership(ctx, db, m); err != nil {
			t.Fatal(err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl-w1"].ID, Role: store.RoleClerk}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate membership: %v, want ErrConflict", err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: "missing", Role: store.RoleClerk}); !errors.As(err, &inv) || inv.Field != "orgUnitId" {
			t.Errorf("membership in missing unit: %v", err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl"].ID, Role: "king"}); !errors.As(err, &inv) || inv.Field != "role" {
			t.Errorf("bad role: %v", err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: app.ID, OrgUnitID: u["bl"].ID, Role: store.RoleClerk}); !errors.As(err, &inv) {
			t.Errorf("applicant as clerk: %v, want invalid", err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl"].ID, Role: store.RoleSupervisor}); err != nil {
			t.Fatal(err)
		}
		ms, err := store.UserMemberships(ctx, db, clerk.ID)
		if err != nil || len(ms) != 2 || ms[0].OrgUnitCode != "bl" || ms[0].Role != store.RoleSupervisor || ms[1].OrgUnitName != "unit bl-w1" {
			t.Fatalf("memberships = %+v, %v", ms, err)
		}
		inWindow, err := store.ListUsers(ctx, db, store.UserFilter{OrgUnitID: u["bl-w1"].ID, Role: store.RoleClerk})
		if err != nil || len(inWindow) != 1 || inWindow[0].Username != "clerk1" {
			t.Errorf("clerks of bl-w1 = %+v, %v", inWindow, err)
		}
		found, err := store.ListUsers(ctx, db, store.UserFilter{Search: "张"})
		if err != nil || len(found) != 1 || found[0].Username != "zhang" {
			t.Errorf("search 张 = %+v, %v", found, err)
		}
		if err := store.RemoveMembership(ctx, db, clerk.ID, u["bl"].ID, store.RoleSupervisor); err != nil {
			t.Fatal(err)
		}
		if err := store.RemoveMembership(ctx, db, clerk.ID, u["bl"].ID, store.RoleSupervisor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("remove twice: %v, want ErrNotFound", err)
		}
		off := true
		if up, err := store.UpdateUser(ctx, db, clerk.ID, store.UserPatch{Disabled: &off}); err != nil || !up.Disabled {
			t.Errorf("disable: %+v, %v", up, err)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sys := &store.User{Username: "fgj-system", DisplayName: "发改局业务系统", Kind: store.UserSystem}
		staff := &store.User{Username: "staff", DisplayName: "staff", Kind: store.UserStaff}
		for _, u := range []*store.User{sys, staff} {
			if err := store.CreateUser(ctx, db, u); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := store.CreateAPIKey(ctx, db, staff.ID, "k"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("API key for staff: %v, want ErrInvalid", err)
		}
		key, rec, err := store.CreateAPIKey(ctx, db, sys.ID, "push")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key, rec.Prefix) || rec.KeyHash == key || strings.Contains(rec.KeyHash, key) {
			t.Fatalf("key %q, record %+v", key, rec)
		}
		var stored int
		if err := db.GetContext(ctx, &stored, db.Rebind(`SELECT COUNT(*) FROM api_keys WHERE key_hash = ? OR prefix = ?`), key, key); err != nil || stored != 0 {
			t.Fatalf("the plain key is stored: %d, %v", stored, err)
		}
		u, err := store.UserByAPIKey(ctx, db, key)
		if err != nil || u.ID != sys.ID {
			t.Fatalf("UserByAPIKey = %+v, %v", u, err)
		}
		keys, _ := store.ListAPIKeys(ctx, db, sys.ID)
		if len(keys) != 1 || keys[0].LastUsedAt == nil {
			t.Errorf("keys after use = %+v, want last use recorded", keys)
		}
		if _, err := store.UserByAPIKey(ctx, db, key+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong key: %v", err)
		}
		if err := store.RevokeAPIKey(ctx, db, sys.ID, rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.UserByAPIKey(ctx, db, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked key: %v, want ErrNotFound", err)
		}
	})
}

func TestLoginFailuresCountAndForget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
		for i := 1; i <= 3; i++ {
			n, err := store.RecordLoginFailure(ctx, db, "admin", t0.Add(time.Duration(i)*time.Second), t0.Add(-time.Hour))
			if err != nil || n != i {
				t.Fatalf("failure %d: count %d, %v", i, n, err)
			}
		}
		n, last, err := store.LoginFailures(ctx, db, "admin")
		if err != nil || n != 3 || !last.Equal(t0.Add(3*time.Second)) {
			t.Fatalf("LoginFailures = %d, %v, %v", n, last, err)
		}
		// Two hours later, with a one-hour memory, the count starts again.
		later := t0.Add(2 * time.Hour)
		if n, err := store.RecordLoginFailure(ctx, db, "admin", later, later.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("failure after a quiet hour: %d, %v; want 1", n, err)
		}
		if err := store.ClearLoginFailures(ctx, db, "admin"); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := store.LoginFailures(ctx, db, "admin"); n != 0 {
			t.Fatalf("after clear: %d", n)
		}
	})
}
