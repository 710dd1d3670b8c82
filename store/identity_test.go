package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
		desc, err := store.OrgUnitDescendants(ctx, db, u["bl"].ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(desc), "bl-centre bl-fgj ml bl-fgj-sp bl-w1 lz lz-st"; got != want {
			t.Errorf("descendants of bl = %q, want %q (breadth first, by code)", got, want)
		}
		if desc, _ := store.OrgUnitDescendants(ctx, db, u["bl-w1"].ID, 0, 0); len(desc) != 0 {
			t.Errorf("leaf has descendants %q", codes(desc))
		}
		if _, err := store.OrgUnitAncestors(ctx, db, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ancestors of missing unit: %v, want ErrNotFound", err)
		}
		if _, err := store.OrgUnitDescendants(ctx, db, "nope", 0, 0); !errors.Is(err, store.ErrNotFound) {
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
		page, err := store.ListOrgUnits(ctx, db, store.OrgUnitFilter{ParentID: u["bl"].ID, Limit: 2, Offset: 1})
		if err != nil || codes(page) != "bl-fgj ml" {
			t.Errorf("children of bl, 2 after 1 = %q, %v", codes(page), err)
		}
		if desc, _ := store.OrgUnitDescendants(ctx, db, u["bl"].ID, 3, 2); codes(desc) != "ml bl-fgj-sp bl-w1" {
			t.Errorf("descendants of bl, 3 after 2 = %q", codes(desc))
		}
	})
}

func TestOrgUnitWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := tree(t, db)
		dup := &store.OrgUnit{Code: "bl-w1", Name: "again", Kind: store.KindWindow, ParentID: u["bl-centre"].ID}
		if err := store.CreateOrgUnit(ctx, db, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate code: %v, want ErrConflict", err)
		}
		// The database refuses a government without a level, whatever the caller checked.
		if err := store.CreateOrgUnit(ctx, db, &store.OrgUnit{Code: "x3", Name: "x", Kind: store.KindGovernment}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("government without level: %v, want ErrInvalid", err)
		}
		// No path stores invisible characters in a code or name.
		var inv *store.InvalidError
		for _, bad := range []store.OrgUnit{
			{Code: "x\u200b", Name: "x", Kind: store.KindDepartment, ParentID: u["bl"].ID},
			{Code: "x9", Name: "教育\u202e局", Kind: store.KindDepartment, ParentID: u["bl"].ID},
		} {
			if err := store.CreateOrgUnit(ctx, db, &bad); !errors.As(err, &inv) {
				t.Errorf("create %q %q: %v, want invalid", bad.Code, bad.Name, err)
			}
		}
		nul := "北流\x00市"
		if _, err := store.UpdateOrgUnit(ctx, db, u["bl"].ID, store.OrgUnitPatch{Name: &nul}); !errors.As(err, &inv) || inv.Field != "name" {
			t.Errorf("rename with NUL: %v, want invalid name", err)
		}

		ml := u["ml"].ID
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
		code := "bl-w1"
		if _, err := store.UpdateOrgUnit(ctx, db, u["bl-fgj"].ID, store.OrgUnitPatch{Code: &code}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("recode to a used code: %v, want ErrConflict", err)
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
		zhang := &store.User{Username: "zhang", DisplayName: "张三", PasswordHash: hash, Kind: store.UserApplicant, RealName: "张三", IDCard: "11010519491231002X", Phone: "13800138000"}
		if err := store.CreateUser(ctx, db, zhang); err != nil {
			t.Fatal(err)
		}
		twin := &store.User{Username: "zhang2", DisplayName: "张三", Kind: store.UserApplicant, RealName: "张三", IDCard: "11010519491231002X"}
		if err := store.CreateUser(ctx, db, twin); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate ID card: %v, want ErrConflict", err)
		}
		var inv *store.InvalidError
		for _, bad := range []store.User{
			{Username: "li", DisplayName: "李\u200b四", Kind: store.UserStaff},
			{Username: "li\x00", DisplayName: "李四", Kind: store.UserStaff},
			{Username: "li", DisplayName: "李四", Kind: store.UserApplicant, RealName: "李\u202e四", IDCard: "440524198001010013"},
		} {
			if err := store.CreateUser(ctx, db, &bad); !errors.As(err, &inv) {
				t.Errorf("create %+v: %v, want invalid", bad, err)
			}
		}

		got, err := store.GetUserByUsername(ctx, db, "clerk1")
		if err != nil || got.ID != clerk.ID || !store.CheckPassword(got.PasswordHash, "secret-pw") || store.CheckPassword(got.PasswordHash, "wrong") {
			t.Fatalf("GetUserByUsername = %+v, %v", got, err)
		}
		if !got.CreatedAt.Equal(clerk.CreatedAt) || got.TokenVersion != 0 {
			t.Errorf("read back %+v, written %+v", got, clerk)
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
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl"].ID, Role: "king"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a role the database does not know: %v, want ErrInvalid", err)
		}
		if err := store.AddMembership(ctx, db, &store.Membership{UserID: clerk.ID, OrgUnitID: u["bl"].ID, Role: store.RoleSupervisor}); err != nil {
			t.Fatal(err)
		}
		ms, err := store.UserMemberships(ctx, db, clerk.ID)
		if err != nil || len(ms) != 2 || ms[0].OrgUnitCode != "bl" || ms[0].Role != store.RoleSupervisor || ms[1].OrgUnitName != "unit bl-w1" {
			t.Fatalf("memberships = %+v, %v", ms, err)
		}
		if ms, _ := store.UserMembershipsPage(ctx, db, clerk.ID, 1, 1); len(ms) != 1 || ms[0].OrgUnitCode != "bl-w1" {
			t.Errorf("second membership alone = %+v", ms)
		}
		inWindow, err := store.ListUsers(ctx, db, store.UserFilter{OrgUnitID: u["bl-w1"].ID, Role: store.RoleClerk})
		if err != nil || len(inWindow) != 1 || inWindow[0].Username != "clerk1" {
			t.Errorf("clerks of bl-w1 = %+v, %v", inWindow, err)
		}
		found, err := store.ListUsers(ctx, db, store.UserFilter{Search: "张"})
		if err != nil || len(found) != 1 || found[0].Username != "zhang" {
			t.Errorf("search 张 = %+v, %v", found, err)
		}
		// Within a subtree: members of its units only; an empty subtree holds nobody.
		within, err := store.ListUsers(ctx, db, store.UserFilter{Within: []string{u["bl"].ID, u["bl-w1"].ID}, Kinds: []string{store.UserStaff}})
		if err != nil || len(within) != 1 || within[0].Username != "clerk1" {
			t.Errorf("staff within bl = %+v, %v", within, err)
		}
		if none, err := store.ListUsers(ctx, db, store.UserFilter{Within: []string{}}); err != nil || len(none) != 0 {
			t.Errorf("within no unit = %+v, %v", none, err)
		}
		if page, _ := store.ListUsers(ctx, db, store.UserFilter{Limit: 1, Offset: 1}); len(page) != 1 || page[0].Username != "zhang" {
			t.Errorf("second user alone = %+v", page)
		}
		if err := store.RemoveMembership(ctx, db, clerk.ID, u["bl"].ID, store.RoleSupervisor); err != nil {
			t.Fatal(err)
		}
		if err := store.RemoveMembership(ctx, db, clerk.ID, u["bl"].ID, store.RoleSupervisor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("remove twice: %v, want ErrNotFound", err)
		}
		off := true
		if up, err := store.UpdateUser(ctx, db, clerk.ID, store.UserPatch{Disabled: &off, RevokeTokens: true}); err != nil || !up.Disabled || up.TokenVersion != 1 {
			t.Errorf("disable: %+v, %v", up, err)
		}
		if up, _ := store.GetUser(ctx, db, clerk.ID); up.TokenVersion != 1 {
			t.Errorf("token version after revocation = %d, want 1", up.TokenVersion)
		}
		bad := "Clerk\u200bOne"
		if _, err := store.UpdateUser(ctx, db, clerk.ID, store.UserPatch{DisplayName: &bad}); !errors.As(err, &inv) || inv.Field != "displayName" {
			t.Errorf("rename with a zero-width space: %v, want invalid displayName", err)
		}
		// A name stored before the check does not block disabling its user.
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE users SET display_name = ? WHERE id = ?`), bad, clerk.ID); err != nil {
			t.Fatal(err)
		}
		if up, err := store.UpdateUser(ctx, db, clerk.ID, store.UserPatch{Disabled: &off, RevokeTokens: true}); err != nil || up.TokenVersion != 2 {
			t.Errorf("disable a user with a legacy name: %+v, %v", up, err)
		}
	})
}

func TestPasswordsOverBcryptsLimit(t *testing.T) {
	if _, err := store.HashPassword(strings.Repeat("密", 25)); !errors.Is(err, store.ErrPasswordTooLong) {
		t.Errorf("a 75-byte password: %v, want ErrPasswordTooLong", err)
	}
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sys := &store.User{Username: "fgj-system", DisplayName: "发改局业务系统", Kind: store.UserSystem}
		if err := store.CreateUser(ctx, db, sys); err != nil {
			t.Fatal(err)
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
		k, err := store.ActiveAPIKey(ctx, db, key)
		if err != nil || k.ID != rec.ID || k.UserID != sys.ID || k.LastUsedAt != nil {
			t.Fatalf("ActiveAPIKey = %+v, %v", k, err)
		}
		at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		if err := store.TouchAPIKey(ctx, db, k.ID, at); err != nil {
			t.Fatal(err)
		}
		keys, _ := store.ListAPIKeys(ctx, db, sys.ID, 0, 0)
		if len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(at) {
			t.Errorf("keys after use = %+v, want last use recorded", keys)
		}
		if _, err := store.ActiveAPIKey(ctx, db, key+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong key: %v", err)
		}
		if _, _, err := store.CreateAPIKey(ctx, db, sys.ID, "push\u202e"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a name with an override: %v, want ErrInvalid", err)
		}
		if err := store.RevokeAPIKey(ctx, db, sys.ID, rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ActiveAPIKey(ctx, db, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked key: %v, want ErrNotFound", err)
		}
		if err := store.RevokeAPIKey(ctx, db, sys.ID, rec.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke twice: %v, want ErrNotFound", err)
		}
	})
}

func TestRevokedTokensAreKeptUntilTheyExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &store.User{Username: "clerk1", DisplayName: "x", Kind: store.UserStaff}
		if err := store.CreateUser(ctx, db, u); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
		if err := store.RevokeToken(ctx, db, "jti-1", u.ID, t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
		// Signing out twice is no error.
		if err := store.RevokeToken(ctx, db, "jti-1", u.ID, t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := store.TokenUser(ctx, db, u.ID, "jti-1"); err != nil || !ok || got.Username != "clerk1" {
			t.Fatalf("token jti-1: %+v, revoked %v, %v", got, ok, err)
		}
		if _, ok, err := store.TokenUser(ctx, db, u.ID, "jti-2"); err != nil || ok {
			t.Fatalf("jti-2 was never revoked: %v, %v", ok, err)
		}
		if _, _, err := store.TokenUser(ctx, db, "missing", "jti-1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the token of a user who does not exist: %v", err)
		}
		// A later sign-out forgets the revocations that expired: the tokens are dead anyway.
		if err := store.RevokeToken(ctx, db, "jti-2", u.ID, t0.Add(3*time.Hour), t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM revoked_tokens`); err != nil || n != 1 {
			t.Fatalf("%d revocations kept, want 1 (%v)", n, err)
		}
	})
}
