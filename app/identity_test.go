package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onewindow/store"
	"onewindow/store/storetest"
)

// identityEnv is an App over the small centre with a clock the test moves, and an admin.
type identityEnv struct {
	a     *App
	c     *storetest.Centre
	now   time.Time
	admin *Actor
}

func newIdentityEnv(t *testing.T, db *store.DB) *identityEnv {
	t.Helper()
	e := &identityEnv{c: storetest.NewCentre(t, db), now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	e.a = New(Config{DB: db, TokenSecret: []byte("test-secret-test-secret-test-secret!"), TokenTTL: time.Hour, Now: func() time.Time { return e.now }})
	u := &store.User{Username: "admin", DisplayName: "admin", Kind: store.UserStaff}
	if err := store.CreateUser(context.Background(), db, u); err != nil {
		t.Fatal(err)
	}
	if err := store.AddMembership(context.Background(), db, &store.Membership{UserID: u.ID, OrgUnitID: e.c.ID("bl"), Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	e.admin = e.actor(t, "admin")
	return e
}

func (e *identityEnv) actor(t *testing.T, username string) *Actor {
	t.Helper()
	u, err := store.GetUserByUsername(context.Background(), e.a.db, username)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.a.LoadActor(context.Background(), u, ViaToken)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// refusal checks that err is a refusal of kind on field ("" for any).
func refusal(t *testing.T, err error, kind Kind, field string) *Error {
	t.Helper()
	e, ok := asError(err)
	if !ok || e.Kind != kind || (field != "" && e.Field != field) {
		t.Fatalf("%v (%#v), want a refusal of kind %d on field %q", err, e, kind, field)
	}
	return e
}

func TestOrgUnitPlacementAndMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		bl := e.c.ID("bl")
		for _, b := range []struct {
			in    CreateOrgUnitRequest
			field string
		}{
			{CreateOrgUnitRequest{Code: "x1", Name: "x", Kind: store.KindWindow, ParentID: bl}, "parentId"},
			{CreateOrgUnitRequest{Code: "x2", Name: "x", Kind: store.KindGovernment, Level: store.LevelVillage, ParentID: bl}, "parentId"},
			{CreateOrgUnitRequest{Code: "x3", Name: "x", Kind: store.KindGovernment}, "level"},
			{CreateOrgUnitRequest{Code: "x4", Name: "x", Kind: store.KindDepartment}, "parentId"},
			{CreateOrgUnitRequest{Code: "x5", Name: "x", Kind: "ministry", ParentID: bl}, "kind"},
			{CreateOrgUnitRequest{Code: "x6", Name: "x", Kind: store.KindStation, ParentID: bl}, "parentId"},
			{CreateOrgUnitRequest{Code: "x7", Name: "x", Kind: store.KindSection, ParentID: store.NewID()}, "parentId"},
			{CreateOrgUnitRequest{Code: "x8", Name: "x", Kind: store.KindDepartment, Level: store.LevelCity, ParentID: bl}, "level"},
			{CreateOrgUnitRequest{Code: "x9", Name: "x", Kind: store.KindGovernment, Level: store.LevelRegion, ParentID: bl}, "parentId"},
		} {
			_, err := e.a.CreateOrgUnit(ctx, e.admin, b.in)
			refusal(t, err, Invalid, b.field)
		}
		_, err := e.a.CreateOrgUnit(ctx, e.admin, CreateOrgUnitRequest{Code: "w1", Name: "again", Kind: store.KindWindow, ParentID: e.c.ID("zx")})
		refusal(t, err, Conflict, "code")
		_, err = e.a.CreateOrgUnit(ctx, e.actor(t, "clerk1"), CreateOrgUnitRequest{Code: "jyj", Name: "教育局", Kind: store.KindDepartment, ParentID: bl})
		if !strings.Contains(refusal(t, err, Forbidden, "").Message, "admin") {
			t.Errorf("the refusal should name the role needed: %v", err)
		}
		dept, err := e.a.CreateOrgUnit(ctx, e.admin, CreateOrgUnitRequest{Code: "jyj", Name: "教育局", Kind: store.KindDepartment, ParentID: bl})
		if err != nil || dept.ParentID != bl {
			t.Fatalf("create: %+v, %v", dept, err)
		}

		// Moving bl under its own descendant ml is refused; moving the station up is fine.
		ml, yl, st := e.c.ID("ml"), e.c.ID("yl"), e.c.ID("st1")
		_, err = e.a.UpdateOrgUnit(ctx, e.admin, bl, UpdateOrgUnitRequest{ParentID: &ml})
		refusal(t, err, Invalid, "parentId")
		_, err = e.a.UpdateOrgUnit(ctx, e.admin, st, UpdateOrgUnitRequest{ParentID: &yl})
		refusal(t, err, Invalid, "parentId") // a station sits under a township or village
		code := "fgj"
		_, err = e.a.UpdateOrgUnit(ctx, e.admin, dept.ID, UpdateOrgUnitRequest{Code: &code})
		refusal(t, err, Conflict, "code")
		name := "北流市教育局"
		if u, err := e.a.UpdateOrgUnit(ctx, e.admin, dept.ID, UpdateOrgUnitRequest{Name: &name}); err != nil || u.Name != name || u.ParentID != bl {
			t.Fatalf("rename: %+v, %v", u, err)
		}
	})
}

func TestMembershipRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		sys, err := e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "fgj-system", DisplayName: "发改局系统", Kind: store.UserSystem,
			Memberships: []MembershipRequest{{OrgUnitID: e.c.ID("fgj"), Role: store.RoleSystem}}})
		if err != nil || len(sys.Memberships) != 1 || sys.Memberships[0].OrgUnitCode != "fgj" {
			t.Fatalf("system user: %+v, %v", sys, err)
		}
		clerk := e.c.Users["clerk1"]
		_, err = e.a.AddMembership(ctx, e.admin, sys.ID, MembershipRequest{OrgUnitID: e.c.ID("fgj"), Role: store.RoleReviewer})
		refusal(t, err, Invalid, "role")
		_, err = e.a.AddMembership(ctx, e.admin, clerk.ID, MembershipRequest{OrgUnitID: e.c.ID("fgj"), Role: store.RoleSystem})
		refusal(t, err, Invalid, "role")
		_, err = e.a.AddMembership(ctx, e.admin, clerk.ID, MembershipRequest{OrgUnitID: e.c.ID("w1"), Role: store.RoleApplicant})
		refusal(t, err, Invalid, "role")
		_, err = e.a.AddMembership(ctx, e.admin, clerk.ID, MembershipRequest{OrgUnitID: store.NewID(), Role: store.RoleClerk})
		refusal(t, err, Invalid, "orgUnitId")
		_, err = e.a.AddMembership(ctx, e.admin, clerk.ID, MembershipRequest{OrgUnitID: e.c.ID("w1"), Role: store.RoleClerk})
		refusal(t, err, Conflict, "")
		_, err = e.a.AddMembership(ctx, e.actor(t, "clerk2"), clerk.ID, MembershipRequest{OrgUnitID: e.c.ID("w2"), Role: store.RoleClerk})
		refusal(t, err, Forbidden, "")
		if _, err := e.a.AddMembership(ctx, e.admin, store.NewID(), MembershipRequest{OrgUnitID: e.c.ID("w2"), Role: store.RoleClerk}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a user who does not exist: %v, want not found", err)
		}
		// A bad second membership leaves no user behind, and names its place in the list.
		_, err = e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "clerk9", DisplayName: "九号", Kind: store.UserStaff, Password: "long-enough",
			Memberships: []MembershipRequest{{OrgUnitID: e.c.ID("w1"), Role: store.RoleClerk}, {OrgUnitID: e.c.ID("w1"), Role: store.RoleSystem}}})
		refusal(t, err, Invalid, "memberships[1].role")
		if _, err := store.GetUserByUsername(ctx, db, "clerk9"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("clerk9 was created although a membership failed: %v", err)
		}
		_, err = e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "clerk1", DisplayName: "x", Kind: store.UserStaff, Password: "long-enough"})
		refusal(t, err, Conflict, "username")
		_, err = e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "sys2", DisplayName: "x", Kind: store.UserSystem, Password: "long-enough"})
		refusal(t, err, Invalid, "password")
		pw := "long-enough"
		_, err = e.a.UpdateUser(ctx, e.admin, sys.ID, UpdateUserRequest{Password: &pw})
		refusal(t, err, Invalid, "password")
		_, err = e.a.CreateAPIKey(ctx, e.admin, clerk.ID, APIKeyRequest{Name: "x"})
		refusal(t, err, Invalid, "userId")
	})
}

func TestRegisterRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		tv, err := e.a.Register(ctx, RegisterRequest{Username: "zhang", Password: "long-enough", RealName: "张三", IDCard: "11010519491231002x", Phone: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		if tv.User.IDCard != "11010519491231002X" || tv.User.DisplayName != "张三" || tv.User.Kind != store.UserApplicant || tv.Token == "" {
			t.Errorf("registered %+v", tv.User)
		}
		_, err = e.a.Register(ctx, RegisterRequest{Username: "zhang2", Password: "long-enough", RealName: "张三", IDCard: "11010519491231002X", Phone: "13800138000"})
		if e := refusal(t, err, Conflict, "idCard"); strings.Contains(e.Message, "11010519491231002X") {
			t.Errorf("the refusal shows the whole ID-card number: %s", e.Message)
		}
		_, err = e.a.Register(ctx, RegisterRequest{Username: "zhang", Password: "long-enough", RealName: "张三", IDCard: "440524198001010013", Phone: "13800138000"})
		refusal(t, err, Conflict, "username")
		_, err = e.a.Register(ctx, RegisterRequest{Username: "li", Password: "long-enough", RealName: "李四", IDCard: "110105194912310021", Phone: "13800138000"})
		refusal(t, err, Invalid, "idCard")
		_, err = e.a.Register(ctx, RegisterRequest{Username: "li", Password: strings.Repeat("密", 25), RealName: "李四", IDCard: "440524198001010013", Phone: "13800138000"})
		if e := refusal(t, err, Invalid, "password"); !strings.Contains(e.Message, "72 bytes") {
			t.Errorf("message %q should name the limit in bytes", e.Message)
		}
	})
}

func TestTokensAreRevokedByPasswordDisablingAndSignOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		reg, err := e.a.Register(ctx, RegisterRequest{Username: "zhang", Password: "long-enough", RealName: "张三", IDCard: "440524198001010013", Phone: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.a.Authenticate(ctx, reg.Token, "")
		if err != nil || p.Username != "zhang" || p.Via != ViaToken {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}
		second, err := e.a.Login(ctx, "192.0.2.1", LoginRequest{Username: "Zhang", Password: "long-enough"})
		if err != nil {
			t.Fatal(err)
		}
		changed, err := e.a.ChangePassword(ctx, p, "192.0.2.1", PasswordChange{CurrentPassword: "long-enough", NewPassword: "longer-still"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{reg.Token, second.Token} {
			_, err := e.a.Authenticate(ctx, tok, "")
			if e := refusal(t, err, Unauthenticated, ""); e.Code != CodeInvalidToken || !strings.Contains(e.Message, "password changed") {
				t.Errorf("a token from before the password change: %v", err)
			}
		}
		p, err = e.a.Authenticate(ctx, changed.Token, "")
		if err != nil {
			t.Fatalf("the token of the password change: %v", err)
		}
		if err := e.a.Logout(ctx, p, false); err != nil {
			t.Fatal(err)
		}
		_, err = e.a.Authenticate(ctx, changed.Token, "")
		if e := refusal(t, err, Unauthenticated, ""); !strings.Contains(e.Message, "signed out") {
			t.Errorf("a signed-out token: %v", err)
		}
		// Signing out everywhere ends every session.
		a, _ := e.a.Login(ctx, "192.0.2.1", LoginRequest{Username: "zhang", Password: "longer-still"})
		b, _ := e.a.Login(ctx, "192.0.2.2", LoginRequest{Username: "zhang", Password: "longer-still"})
		pa, err := e.a.Authenticate(ctx, a.Token, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.a.Logout(ctx, pa, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Authenticate(ctx, b.Token, ""); err == nil {
			t.Error("another session survived signing out everywhere")
		}
		// An expired token says so.
		c, _ := e.a.Login(ctx, "192.0.2.1", LoginRequest{Username: "zhang", Password: "longer-still"})
		e.now = e.now.Add(time.Hour + time.Second)
		_, err = e.a.Authenticate(ctx, c.Token, "")
		if e := refusal(t, err, Unauthenticated, ""); !strings.Contains(e.Message, "expired") {
			t.Errorf("an expired token: %v", err)
		}
		_, err = e.a.Authenticate(ctx, "", "")
		if e := refusal(t, err, Unauthenticated, ""); e.Code != CodeUnauthenticated {
			t.Errorf("no credentials: %v", err)
		}
	})
}

func TestAPIKeySignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		sys, err := e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "fgj-system", DisplayName: "发改局系统", Kind: store.UserSystem,
			Memberships: []MembershipRequest{{OrgUnitID: e.c.ID("fgj"), Role: store.RoleSystem}}})
		if err != nil {
			t.Fatal(err)
		}
		k, err := e.a.CreateAPIKey(ctx, e.admin, sys.ID, APIKeyRequest{Name: "push"})
		if err != nil {
			t.Fatal(err)
		}
		lastUse := func() time.Time {
			l, err := e.a.APIKeys(ctx, e.admin, sys.ID, Page{})
			if err != nil || len(l.Items) != 1 || l.Items[0].LastUsedAt == nil {
				t.Fatalf("keys %+v, %v", l, err)
			}
			return *l.Items[0].LastUsedAt
		}
		p, err := e.a.Authenticate(ctx, "", k.Key)
		if err != nil || p.Via != ViaAPIKey || !p.HasRole(store.RoleSystem) {
			t.Fatalf("authenticate with the key: %+v, %v", p, err)
		}
		t0 := lastUse()
		// The last use is written at most once a minute.
		e.now = e.now.Add(30 * time.Second)
		if _, err := e.a.Authenticate(ctx, "", k.Key); err != nil || !lastUse().Equal(t0) {
			t.Fatalf("half a minute later: last use %v, %v", lastUse(), err)
		}
		e.now = e.now.Add(31 * time.Second)
		if _, err := e.a.Authenticate(ctx, "", k.Key); err != nil || !lastUse().After(t0) {
			t.Fatalf("a minute later: last use %v, %v", lastUse(), err)
		}
		refusal(t, e.a.Logout(ctx, p, false), Invalid, "")
		off := true
		if _, err := e.a.UpdateUser(ctx, e.admin, sys.ID, UpdateUserRequest{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = e.a.Authenticate(ctx, "", k.Key)
		refusal(t, err, Unauthenticated, "")
	})
}

func TestSupervisorReadsTheAccountsOfTheirSubtree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newIdentityEnv(t, db)
		if _, err := e.a.CreateUser(ctx, e.admin, CreateUserRequest{Username: "sup-ml", DisplayName: "民乐镇监察", Kind: store.UserStaff, Password: "long-enough",
			Memberships: []MembershipRequest{{OrgUnitID: e.c.ID("ml"), Role: store.RoleSupervisor}}}); err != nil {
			t.Fatal(err)
		}
		sup := e.actor(t, "sup-ml")
		l, err := e.a.Users(ctx, sup, UserQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range l.Items {
			names = append(names, u.Username)
		}
		if got := strings.Join(names, " "); got != "agent sup-ml" {
			t.Errorf("the supervisor of ml reads %q, want agent sup-ml", got)
		}
		if l, _ := e.a.Users(ctx, sup, UserQuery{Kind: store.UserApplicant}); len(l.Items) != 0 {
			t.Errorf("a supervisor reads applicants: %+v", l.Items)
		}
		if _, err := e.a.User(ctx, sup, e.c.Users["agent"].ID); err != nil {
			t.Errorf("the agent of the subtree: %v", err)
		}
		if _, err := e.a.User(ctx, sup, e.c.Users["clerk1"].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a clerk of the county: %v, want not found", err)
		}
		if _, err := e.a.UserMemberships(ctx, sup, e.c.Users["clerk1"].ID, Page{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a clerk's memberships: %v, want not found", err)
		}
		_, err = e.a.Users(ctx, e.actor(t, "clerk1"), UserQuery{})
		refusal(t, err, Forbidden, "")
		// Pages follow one another without gaps.
		first, err := e.a.Users(ctx, e.admin, UserQuery{Page: Page{Limit: 3}})
		if err != nil || len(first.Items) != 3 || first.Next == "" {
			t.Fatalf("first page %+v, %v", first, err)
		}
		next, err := e.a.Users(ctx, e.admin, UserQuery{Page: Page{Limit: 3, After: first.Next}})
		if err != nil || len(next.Items) == 0 || next.Items[0].Username <= first.Items[2].Username {
			t.Fatalf("next page %+v, %v", next, err)
		}
	})
}
