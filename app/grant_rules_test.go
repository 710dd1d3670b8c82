package app

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/store"
	"onewindow/store/storetest"
)

var (
	handling = []string{"acceptance", "review", "coordination", "delivery"}
	decision = []string{"approval", "certification"}
)

func TestGrantRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		// fgj leads a parallel approval in which zjj and zrzyj only review,
		// and runs an immediate item (no review, no certification).
		par := c.Published("BL-001", "fgj", standard.Parallel)
		imm := c.Published("JB-001", "fgj", standard.Immediate)
		zjjOwn := c.Published("XK-ZJJ", "zjj", standard.Promised)

		own, err := ap.SectionOwnership(ctx, db, c.ID("zjj-xzsp"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(own[par.ItemID], []string{"review"}) || len(own[zjjOwn.ItemID]) != 5 || len(own) != 2 {
			t.Fatalf("zjj owns %v", own)
		}

		base := func() store.GrantInput {
			return store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w1"), StepKinds: []string{"acceptance", "review"}}
		}
		bad := []struct {
			name  string
			field string
			edit  func(*store.GrantInput)
		}{
			{"a grant to a station", "windowId", func(g *store.GrantInput) { g.WindowID = c.ID("st1") }},
			{"a grant to a section", "windowId", func(g *store.GrantInput) { g.WindowID = c.ID("zjj-xzsp") }},
			{"a grant to nothing", "windowId", func(g *store.GrantInput) { g.WindowID = "" }},
			{"a step kind the department does not own", "stepKinds[0]", func(g *store.GrantInput) {
				// zjj only reviews fgj's parallel item: it holds no acceptance there.
				g.DepartmentID, g.StepKinds, g.ItemIDs = c.ID("zjj"), []string{"acceptance"}, []string{par.ItemID}
			}},
			{"a step kind nobody owns in the items", "stepKinds[1]", func(g *store.GrantInput) {
				g.StepKinds, g.ItemIDs = []string{"acceptance", "certification"}, []string{par.ItemID, imm.ItemID}
			}},
			{"an unknown step kind", "stepKinds[0]", func(g *store.GrantInput) { g.StepKinds = []string{"stamping"} }},
			{"a step kind twice", "stepKinds[1]", func(g *store.GrantInput) { g.StepKinds = []string{"review", "review"} }},
			{"no step kind", "stepKinds", func(g *store.GrantInput) { g.StepKinds = nil }},
			{"an item of another department", "itemIds[0]", func(g *store.GrantInput) { g.ItemIDs = []string{zjjOwn.ItemID} }},
			{"an item that does not exist", "itemIds[0]", func(g *store.GrantInput) { g.ItemIDs = []string{"01jd5q3k8m0000000000000000"} }},
			{"a named user who is not a clerk of the window", "userId", func(g *store.GrantInput) { g.UserID = c.Users["clerk2"].ID }},
			{"a department with two sections and none named", "sectionId", func(g *store.GrantInput) { g.DepartmentID = c.ID("two") }},
			{"a section of another department", "sectionId", func(g *store.GrantInput) { g.SectionID = c.ID("zjj-xzsp") }},
			{"a department that is a section", "departmentId", func(g *store.GrantInput) { g.DepartmentID = c.ID("fgj-xzsp") }},
			{"an end before the start", "validUntil", func(g *store.GrantInput) {
				g.ValidFrom = time.Now()
				end := g.ValidFrom.Add(-time.Hour)
				g.ValidUntil = &end
			}},
		}
		for _, tc := range bad {
			in := base()
			tc.edit(&in)
			_, err := ap.LoadGrant(ctx, db, in, "admin")
			var inv *store.InvalidError
			if !errors.As(err, &inv) || inv.Field != tc.field {
				t.Errorf("%s: %v, want an invalid %s", tc.name, err, tc.field)
			}
		}
		if gs, _ := store.ListGrants(ctx, db, store.GrantFilter{}); len(gs) != 0 {
			t.Fatalf("refused grants were stored: %+v", gs)
		}

		// A good one is completed: its section named, its step kinds in a case's order.
		g, err := ap.LoadGrant(ctx, db, store.GrantInput{DepartmentID: c.ID("zjj"), WindowID: c.ID("w1"), UserID: c.Users["clerk1"].ID,
			StepKinds: []string{"review", "acceptance"}}, "admin")
		if err != nil || g.SectionCode != "zjj-xzsp" || !reflect.DeepEqual(g.StepKinds, []string{"acceptance", "review"}) {
			t.Fatalf("grant %+v %v", g, err)
		}
		// Changes are checked as grants are, by admins only; a revoked grant changes no more.
		admin := &Actor{UserID: "admin", Username: "admin", Roles: []string{store.RoleAdmin}}
		kinds, items := []string{"review"}, []string{par.ItemID}
		changed, err := ap.UpdateGrant(ctx, admin, g.ID, UpdateGrantRequest{StepKinds: &kinds, ItemIDs: &items})
		if err != nil || !reflect.DeepEqual(changed.ItemIDs, items) || !reflect.DeepEqual(changed.StepKinds, kinds) {
			t.Fatalf("changed %+v %v", changed, err)
		}
		approval := []string{"approval"}
		_, err = ap.UpdateGrant(ctx, admin, g.ID, UpdateGrantRequest{StepKinds: &approval})
		wantInvalid(t, err, "stepKinds[0]")
		clerk := actorOf(t, db, c.Users["clerk1"])
		if _, err := ap.RevokeGrant(ctx, clerk, g.ID, RevokeGrantRequest{Reason: "x"}); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Fatalf("a clerk revokes a grant: %v", err)
		}
		if _, err := ap.RevokeGrant(ctx, admin, g.ID, RevokeGrantRequest{Reason: "窗口调整"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ap.UpdateGrant(ctx, admin, g.ID, UpdateGrantRequest{Note: new(string)}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("change a revoked grant: %v", err)
		}
	})
}

// The delegation report on a constructed catalogue: fgj has four published
// items (promised, immediate, parallel with fgj as lead and co-reviewer,
// promised) and a draft; zjj reviews fgj's parallel item and has one item.
func TestDelegationReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		supervisor := &Actor{UserID: "sup", Username: "sup", Roles: []string{store.RoleSupervisor}}
		a := c.Published("A-PROM", "fgj", standard.Promised)
		b := c.Published("B-IMM", "fgj", standard.Immediate)
		cc := c.Published("C-PAR", "fgj", standard.Parallel)
		d := c.Published("D-PROM", "fgj", standard.Promised)
		if _, err := store.CreateItem(ctx, db, c.Content("E-DRAFT", "fgj", standard.Promised), "t"); err != nil {
			t.Fatal(err)
		}
		f := c.Published("F-ZJJ", "zjj", standard.Promised)
		t0 := time.Now()
		dayAgo, weekAgo := t0.Add(-24*time.Hour), t0.Add(-7*24*time.Hour)

		// fgj: handling of every item to window 1; approval and certification
		// of A, B and C; D's approval only through a grant that expired and
		// one that was revoked.
		c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w1"), StepKinds: handling, ValidFrom: dayAgo})
		c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w1"), StepKinds: decision,
			ItemIDs: []string{a.ItemID, b.ItemID, cc.ItemID}, ValidFrom: dayAgo})
		expired := dayAgo
		c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w2"), StepKinds: []string{"approval", "certification"},
			ItemIDs: []string{d.ItemID}, ValidFrom: weekAgo, ValidUntil: &expired})
		rg := c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w2"), StepKinds: []string{"approval", "certification"},
			ItemIDs: []string{d.ItemID}, ValidFrom: dayAgo})
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error { _, err := store.RevokeGrant(ctx, tx, rg.ID, "admin", "撤回"); return err }); err != nil {
			t.Fatal(err)
		}
		// zjj: review and acceptance of its items, no decision.
		c.MustGrant(store.GrantInput{DepartmentID: c.ID("zjj"), WindowID: c.ID("w2"), StepKinds: []string{"acceptance", "review", "delivery"}, ValidFrom: dayAgo})

		now := time.Now().Add(time.Second)
		r, err := ap.DelegationReport(ctx, supervisor, c.ID("fgj"), now)
		if err != nil {
			t.Fatal(err)
		}
		if r.Items != 4 || r.DepartmentCode != "fgj" {
			t.Fatalf("report over %d items (%+v)", r.Items, r.Rows)
		}
		want := DelegationShare{StepKinds: handling, Items: 4, Delegated: 4, Share: 1}
		if !reflect.DeepEqual(r.Handling, want) {
			t.Errorf("handling %+v, want %+v", r.Handling, want)
		}
		want = DelegationShare{StepKinds: decision, Items: 4, Delegated: 3, Share: 0.75}
		if !reflect.DeepEqual(r.Decision, want) {
			t.Errorf("decision %+v, want %+v", r.Decision, want)
		}
		var codes []string
		for _, row := range r.Rows {
			codes = append(codes, row.Code)
			var steps []string
			for _, s := range row.Steps {
				mark := "-"
				if s.Delegated {
					mark = "+"
				}
				steps = append(steps, mark+s.Kind)
			}
			got := strings.Join(steps, " ")
			wantSteps := map[string]string{
				"A-PROM": "+acceptance +review +approval +certification +delivery",
				"B-IMM":  "+acceptance +approval +delivery",
				"C-PAR":  "+acceptance +review +coordination +approval +delivery",
				"D-PROM": "+acceptance +review -approval -certification +delivery",
			}[row.Code]
			if got != wantSteps {
				t.Errorf("%s: %s, want %s", row.Code, got, wantSteps)
			}
		}
		if strings.Join(codes, ",") != "A-PROM,B-IMM,C-PAR,D-PROM" {
			t.Errorf("rows %v", codes)
		}

		// zjj holds review in fgj's parallel item and everything in its own.
		z, err := ap.DelegationReport(ctx, supervisor, c.ID("zjj"), now)
		if err != nil {
			t.Fatal(err)
		}
		if z.Items != 2 || !reflect.DeepEqual(z.Handling, DelegationShare{StepKinds: handling, Items: 2, Delegated: 2, Share: 1}) ||
			!reflect.DeepEqual(z.Decision, DelegationShare{StepKinds: decision, Items: 1, Delegated: 0, Share: 0}) {
			t.Errorf("zjj report %+v / %+v over %d", z.Handling, z.Decision, z.Items)
		}
		_ = f

		// Two days ago nothing of fgj was delegated but D's decision (the
		// grant that has expired since).
		old, err := ap.DelegationReport(ctx, supervisor, c.ID("fgj"), t0.Add(-48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if old.Handling.Delegated != 0 || old.Decision.Delegated != 1 || old.Decision.Share != 0.25 {
			t.Errorf("two days ago: %+v %+v", old.Handling, old.Decision)
		}
		if _, err := ap.DelegationReport(ctx, supervisor, c.ID("w1"), now); err == nil {
			t.Error("a report for a window")
		}
		if _, err := ap.DelegationReport(ctx, actorOf(t, db, c.Users["clerk1"]), c.ID("fgj"), now); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Errorf("a clerk reads the delegation report: %v", err)
		}
	})
}
