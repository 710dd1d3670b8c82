package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// The engine's view of a case, with its variables, and the incidents are for admins, and for
// supervisors only within their org unit's subtree (issue 10, defect 4): a supervisor of the
// county sees a case of a county department's item and its call activity's case; a
// supervisor of a township sees neither; a case of no item is admins' only.
func TestEngineViewFollowsSupervisorScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		iv := c.Published("XK-001", "fgj", standard.Promised)
		var k *store.Case
		err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
			k, err = store.CreateCase(ctx, tx, &store.NewCase{Item: iv, Channel: store.ChannelWindow,
				Applicant:   store.Applicant{Name: "李明", Kind: store.ObjectNaturalPerson, CertType: store.CertIDCard, CertNo: "450981199001011230"},
				SubmittedBy: c.Users["clerk1"].ID, WindowID: c.ID("w1"), ReceivedAt: time.Now(), Vars: map[string]any{"itemId": iv.ItemID, "secret": "身份证号"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		child := k.ID + "/call1"
		newCase(t, db, "C-engine-only", iv.ItemID)
		if err := (store.Engine{DB: db}).ApplyBatch(ctx, &engine.Batch{CaseID: child, Seq: 1, At: time.Now(), Definition: standard.Promised,
			Version: 1, Status: "active", ParentCase: k.ID}); err != nil {
			t.Fatal(err)
		}
		for _, x := range [][2]string{{k.ID, k.ID + "/i1"}, {child, child + "/i2"}, {"C-engine-only", "C-engine-only/i3"}} {
			if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO incidents (id, case_id, element_id, message, state, created_at)
				VALUES (?, ?, 'g', 'no path', 'open', ?)`), x[1], x[0], time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		staff := func(name, unit, role string) *Actor {
			u := &store.User{Username: name, DisplayName: name, Kind: store.UserStaff}
			if err := store.CreateUser(ctx, db, u); err != nil {
				t.Fatal(err)
			}
			if err := store.AddMembership(ctx, db, &store.Membership{UserID: u.ID, OrgUnitID: c.ID(unit), Role: role}); err != nil {
				t.Fatal(err)
			}
			return actorOf(t, db, u)
		}
		county, township := staff("sup-bl", "bl", store.RoleSupervisor), staff("sup-ml", "ml", store.RoleSupervisor)
		admin := staff("admin", "bl", store.RoleAdmin)

		seen := func(p *Actor, id string) bool {
			t.Helper()
			v, err := ap.CaseEngine(ctx, p, id)
			if errors.Is(err, store.ErrNotFound) {
				return false
			}
			if err != nil {
				t.Fatalf("%s reads %s: %v", p.Username, id, err)
			}
			if v.Case.ID != PublicID(id) {
				t.Fatalf("%s reads %s as %s", p.Username, id, v.Case.ID)
			}
			return true
		}
		for _, tc := range []struct {
			p    *Actor
			id   string
			want bool
		}{
			{county, k.ID, true}, {county, PublicID(child), true}, {county, "C-engine-only", false},
			{township, k.ID, false}, {township, child, false}, {township, "C-engine-only", false},
			{admin, k.ID, true}, {admin, PublicID(child), true}, {admin, "C-engine-only", true},
		} {
			if got := seen(tc.p, tc.id); got != tc.want {
				t.Errorf("%s sees the engine view of %s: %v, want %v", tc.p.Username, tc.id, got, tc.want)
			}
		}
		if _, err := ap.CaseEngine(ctx, actorOf(t, db, c.Users["clerk1"]), k.ID); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Errorf("a clerk reads the engine view: %v", err)
		}

		incidents := func(p *Actor) []string {
			t.Helper()
			l, err := ap.Incidents(ctx, p, IncidentQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, x := range l.Items {
				ids = append(ids, x.ID)
			}
			return ids
		}
		want := []string{PublicID(k.ID + "/i1"), PublicID(child + "/i2")}
		if got := incidents(county); !sameSet(got, want) {
			t.Errorf("the county supervisor lists incidents %v, want %v", got, want)
		}
		if got := incidents(township); len(got) != 0 {
			t.Errorf("the township supervisor lists incidents %v, want none", got)
		}
		if got := incidents(admin); len(got) != 3 {
			t.Errorf("the admin lists incidents %v, want all 3", got)
		}
		l, err := ap.Incidents(ctx, admin, IncidentQuery{CaseID: PublicID(child)})
		if err != nil || len(l.Items) != 1 || l.Items[0].CaseID != PublicID(child) {
			t.Errorf("the incidents of %s: %+v %v", child, l, err)
		}
	})
}
