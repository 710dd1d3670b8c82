package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

func (c *centre) grant(in store.GrantInput) (*store.Grant, error) {
	var g *store.Grant
	err := c.db.Tx(context.Background(), func(tx *sqlx.Tx) (err error) {
		g, err = store.CreateGrant(context.Background(), tx, in, "admin")
		return err
	})
	return g, err
}

func (c *centre) mustGrant(in store.GrantInput) *store.Grant {
	c.t.Helper()
	g, err := c.grant(in)
	if err != nil {
		c.t.Fatalf("grant %+v: %v", in, err)
	}
	return g
}

var (
	handling = []string{"acceptance", "review", "coordination", "delivery"}
	decision = []string{"approval", "certification"}
)

func TestGrantRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newCentre(t, db)
		// fgj leads a parallel approval in which zjj and zrzyj only review,
		// and runs an immediate item (no review, no certification).
		par := c.published("BL-001", "fgj", standard.Parallel)
		imm := c.published("JB-001", "fgj", standard.Immediate)
		zjjOwn := c.published("XK-ZJJ", "zjj", standard.Promised)

		own, err := store.SectionOwnership(ctx, db, c.id("zjj-xzsp"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(own[par.ItemID], []string{"review"}) || len(own[zjjOwn.ItemID]) != 5 || len(own) != 2 {
			t.Fatalf("zjj owns %v", own)
		}

		base := func() store.GrantInput {
			return store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w1"), StepKinds: []string{"acceptance", "review"}}
		}
		bad := []struct {
			name  string
			field string
			edit  func(*store.GrantInput)
		}{
			{"a grant to a station", "windowId", func(g *store.GrantInput) { g.WindowID = c.id("st1") }},
			{"a grant to a section", "windowId", func(g *store.GrantInput) { g.WindowID = c.id("zjj-xzsp") }},
			{"a grant to nothing", "windowId", func(g *store.GrantInput) { g.WindowID = "" }},
			{"a step kind the department does not own", "stepKinds[0]", func(g *store.GrantInput) {
				// zjj only reviews fgj's parallel item: it holds no acceptance there.
				g.DepartmentID, g.StepKinds, g.ItemIDs = c.id("zjj"), []string{"acceptance"}, []string{par.ItemID}
			}},
			{"a step kind nobody owns in the items", "stepKinds[1]", func(g *store.GrantInput) {
				g.StepKinds, g.ItemIDs = []string{"acceptance", "certification"}, []string{par.ItemID, imm.ItemID}
			}},
			{"an unknown step kind", "stepKinds[0]", func(g *store.GrantInput) { g.StepKinds = []string{"stamping"} }},
			{"a step kind twice", "stepKinds[1]", func(g *store.GrantInput) { g.StepKinds = []string{"review", "review"} }},
			{"no step kind", "stepKinds", func(g *store.GrantInput) { g.StepKinds = nil }},
			{"an item of another department", "itemIds[0]", func(g *store.GrantInput) { g.ItemIDs = []string{zjjOwn.ItemID} }},
			{"an item that does not exist", "itemIds[0]", func(g *store.GrantInput) { g.ItemIDs = []string{"01jd5q3k8m0000000000000000"} }},
			{"a named user who is not a clerk of the window", "userId", func(g *store.GrantInput) { g.UserID = c.users["clerk2"].ID }},
			{"a department with two sections and none named", "sectionId", func(g *store.GrantInput) { g.DepartmentID = c.id("two") }},
			{"a section of another department", "sectionId", func(g *store.GrantInput) { g.SectionID = c.id("zjj-xzsp") }},
			{"a department that is a section", "departmentId", func(g *store.GrantInput) { g.DepartmentID = c.id("fgj-xzsp") }},
			{"an end before the start", "validUntil", func(g *store.GrantInput) {
				g.ValidFrom = time.Now()
				end := g.ValidFrom.Add(-time.Hour)
				g.ValidUntil = &end
			}},
		}
		for _, tc := range bad {
			in := base()
			tc.edit(&in)
			_, err := c.grant(in)
			var inv *store.InvalidError
			if !errors.As(err, &inv) || inv.Field != tc.field {
				t.Errorf("%s: %v, want an invalid %s", tc.name, err, tc.field)
			}
		}
		if gs, _ := store.ListGrants(ctx, db, store.GrantFilter{}); len(gs) != 0 {
			t.Fatalf("refused grants were stored: %+v", gs)
		}

		// A good one, changed and revoked, every step audited.
		g := c.mustGrant(store.GrantInput{DepartmentID: c.id("zjj"), WindowID: c.id("w1"), UserID: c.users["clerk1"].ID,
			StepKinds: []string{"review", "acceptance"}, Note: "住建局授权一号窗口"})
		if g.SectionCode != "zjj-xzsp" || !reflect.DeepEqual(g.StepKinds, []string{"acceptance", "review"}) || len(g.ItemIDs) != 0 ||
			g.WindowCode != "w1" || !g.ActiveAt(time.Now()) {
			t.Fatalf("grant %+v", g)
		}
		kinds := []string{"review"}
		items := []string{par.ItemID}
		var changed *store.Grant
		err = db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
			changed, err = store.UpdateGrant(ctx, tx, g.ID, store.GrantPatch{StepKinds: &kinds, ItemIDs: &items}, "admin2")
			return err
		})
		if err != nil || !reflect.DeepEqual(changed.ItemIDs, items) || !reflect.DeepEqual(changed.StepKinds, kinds) || changed.UpdatedBy != "admin2" {
			t.Fatalf("changed %+v %v", changed, err)
		}
		kinds = []string{"approval"}
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.UpdateGrant(ctx, tx, g.ID, store.GrantPatch{StepKinds: &kinds}, "admin2")
			return err
		})
		wantInvalid(t, err, "stepKinds[0]")
		revoke := func() (*store.Grant, error) {
			var r *store.Grant
			err := db.Tx(ctx, func(tx *sqlx.Tx) (err error) {
				r, err = store.RevokeGrant(ctx, tx, g.ID, "admin3", "窗口调整")
				return err
			})
			return r, err
		}
		r, err := revoke()
		if err != nil || r.RevokedBy != "admin3" || r.RevokeReason != "窗口调整" || r.ActiveAt(time.Now().Add(time.Second)) {
			t.Fatalf("revoked %+v %v", r, err)
		}
		if _, err := revoke(); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("revoke twice: %v", err)
		}
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.UpdateGrant(ctx, tx, g.ID, store.GrantPatch{Note: new(string)}, "admin")
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("change a revoked grant: %v", err)
		}
		audit, err := store.GrantAudit(ctx, db, g.ID)
		if err != nil || len(audit) != 3 {
			t.Fatalf("audit %+v %v", audit, err)
		}
		var actions, actors []string
		for _, a := range audit {
			actions, actors = append(actions, a.Action), append(actors, a.Actor)
		}
		if strings.Join(actions, ",") != "granted,changed,revoked" || strings.Join(actors, ",") != "admin,admin2,admin3" {
			t.Fatalf("audit %v by %v", actions, actors)
		}
		var last struct {
			Grant  store.Grant `json:"grant"`
			Reason string      `json:"reason"`
		}
		if err := json.Unmarshal(audit[2].Detail, &last); err != nil || last.Reason != "窗口调整" || last.Grant.RevokedAt == nil {
			t.Fatalf("revocation detail %s %v", audit[2].Detail, err)
		}
		// An item named by a grant cannot be deleted (only drafts can, anyway).
		if gs, _ := store.ListGrants(ctx, db, store.GrantFilter{WindowID: c.id("w1"), ActiveAt: time.Now()}); len(gs) != 0 {
			t.Fatalf("active grants after the revocation: %+v", gs)
		}
	})
}

// newCase writes a case and its tasks into the engine's read model, as the
// engine's Apply activity does.
func newCase(t *testing.T, db *store.DB, caseID, itemID string, tasks ...engine.TaskRow) []string {
	t.Helper()
	b := &engine.Batch{CaseID: caseID, Seq: 1, At: time.Now(), Definition: standard.Parallel, Version: 1, Status: "active",
		Vars: map[string]any{"itemId": itemID}}
	var ids []string
	for i, tr := range tasks {
		tr.CaseID, tr.WaitID = caseID, "w"+string(rune('a'+i))
		tr.ID, tr.Element, tr.Name, tr.Created = caseID+"/"+tr.WaitID, tr.StepKind, tr.StepKind, time.Now()
		b.Tasks = append(b.Tasks, tr)
		ids = append(ids, tr.ID)
	}
	if err := (store.Engine{DB: db}).ApplyBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return ids
}

// visible lists the ids of the open tasks user may act on, by Visibility.Clause.
func visible(t *testing.T, db *store.DB, userID string, at time.Time) []string {
	t.Helper()
	ctx := context.Background()
	v, err := store.TaskVisibility(ctx, db, userID, at)
	if err != nil {
		t.Fatal(err)
	}
	where, args := v.Clause("t", store.CaseItemExpr(db, "c"))
	var ids []string
	err = db.SelectContext(ctx, &ids, db.Rebind(`SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.state = 'open' AND `+where+` ORDER BY t.id`), args...)
	if err != nil {
		t.Fatalf("inbox query: %v", err)
	}
	return ids
}

func TestVisibilityAndAuthority(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newCentre(t, db)
		par := c.published("BL-001", "fgj", standard.Parallel)
		other := c.published("XK-002", "fgj", standard.Promised)
		now := time.Now()

		// Case 1 of the parallel item: fgj's acceptance task, and zjj's review.
		ids := newCase(t, db, "C-1", par.ItemID,
			engine.TaskRow{StepKind: "acceptance", CandidateGroups: []string{"fgj-xzsp"}},
			engine.TaskRow{StepKind: "review", CandidateGroups: []string{"zjj-xzsp"}},
			engine.TaskRow{StepKind: "delivery", CandidateGroups: []string{"fgj-xzsp"}, Assignee: c.users["reviewer"].ID},
			engine.TaskRow{StepKind: "delivery", CandidateGroups: []string{"st1"}},
		)
		acc, rev, assigned, handover := ids[0], ids[1], ids[2], ids[3]
		// Case 2 of another fgj item.
		acc2 := newCase(t, db, "C-2", other.ItemID, engine.TaskRow{StepKind: "acceptance", CandidateGroups: []string{"fgj-xzsp"}})[0]

		act := func(user, task string, at time.Time) (*store.Authority, error) {
			return store.CanActOnTask(ctx, db, c.users[user].ID, task, at)
		}
		// Without grants: the section's own reviewer, the assignee, the station's agent.
		if a, err := act("reviewer", acc, now); err != nil || a.Kind != store.AuthorityUnit || a.UnitCode != "fgj-xzsp" {
			t.Fatalf("reviewer on acceptance: %+v %v", a, err)
		}
		if a, err := act("reviewer", assigned, now); err != nil || a.Kind != store.AuthorityAssignee {
			t.Fatalf("assignee: %+v %v", a, err)
		}
		if a, err := act("agent", handover, now); err != nil || a.Kind != store.AuthorityUnit {
			t.Fatalf("agent: %+v %v", a, err)
		}
		if _, err := act("clerk1", acc, now); !errors.Is(err, store.ErrNoAuthority) || !strings.Contains(err.Error(), "fgj-xzsp") {
			t.Fatalf("clerk1 without a grant: %v", err)
		}
		if got := visible(t, db, c.users["clerk1"].ID, now); len(got) != 0 {
			t.Fatalf("clerk1 sees %v without a grant", got)
		}
		if got, want := visible(t, db, c.users["reviewer"].ID, now), []string{acc, assigned, acc2}; !sameSet(got, want) {
			t.Fatalf("reviewer sees %v, want %v", got, want)
		}

		// fgj delegates acceptance of the parallel item to window 1 for a month.
		until := now.Add(30 * 24 * time.Hour)
		g := c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w1"), StepKinds: []string{"acceptance"},
			ItemIDs: []string{par.ItemID}, ValidFrom: now.Add(-time.Hour), ValidUntil: &until})
		for _, clerk := range []string{"clerk1", "clerk3"} { // both clerks of window 1
			a, err := act(clerk, acc, now)
			if err != nil || a.Kind != store.AuthorityDelegation || a.GrantID != g.ID || a.DepartmentID != c.id("fgj") || a.WindowID != c.id("w1") || a.UnitCode != "fgj-xzsp" {
				t.Fatalf("%s on the delegated acceptance: %+v %v", clerk, a, err)
			}
			if got := visible(t, db, c.users[clerk].ID, now); !sameSet(got, []string{acc}) {
				t.Fatalf("%s sees %v, want only the delegated acceptance %s", clerk, got, acc)
			}
		}
		// Not another item's acceptance, not the review, not the assigned task.
		for _, task := range []string{acc2, rev, assigned, handover} {
			if _, err := act("clerk1", task, now); !errors.Is(err, store.ErrNoAuthority) {
				t.Errorf("clerk1 on %s: %v", task, err)
			}
		}
		// Not a clerk of another window, not before or after the validity.
		if _, err := act("clerk2", acc, now); !errors.Is(err, store.ErrNoAuthority) {
			t.Fatalf("clerk2: %v", err)
		}
		if got := visible(t, db, c.users["clerk2"].ID, now); len(got) != 0 {
			t.Fatalf("clerk2 sees %v", got)
		}
		for _, at := range []time.Time{now.Add(-2 * time.Hour), until, until.Add(time.Hour)} {
			if _, err := act("clerk1", acc, at); !errors.Is(err, store.ErrNoAuthority) {
				t.Errorf("clerk1 at %v: %v", at, err)
			}
			if got := visible(t, db, c.users["clerk1"].ID, at); len(got) != 0 {
				t.Errorf("clerk1 sees %v at %v", got, at)
			}
		}

		// A grant of all items to clerk2 by name covers both acceptances.
		c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w2"), UserID: c.users["clerk2"].ID, StepKinds: []string{"acceptance", "delivery"}})
		if got := visible(t, db, c.users["clerk2"].ID, time.Now()); !sameSet(got, []string{acc, acc2}) {
			t.Fatalf("clerk2 sees %v, want both acceptances", got)
		}

		// clerk1 is not named by that grant; clerk2 loses it on leaving window 2.
		if _, err := act("clerk1", acc2, time.Now()); !errors.Is(err, store.ErrNoAuthority) {
			t.Fatalf("clerk1 under clerk2's named grant: %v", err)
		}
		if err := store.RemoveMembership(ctx, db, c.users["clerk2"].ID, c.id("w2"), store.RoleClerk); err != nil {
			t.Fatal(err)
		}
		if got := visible(t, db, c.users["clerk2"].ID, time.Now()); len(got) != 0 {
			t.Fatalf("clerk2 sees %v after leaving the window", got)
		}

		// Revoked: gone at once.
		err := db.Tx(ctx, func(tx *sqlx.Tx) error { _, err := store.RevokeGrant(ctx, tx, g.ID, "admin", ""); return err })
		if err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Second)
		if _, err := act("clerk1", acc, later); !errors.Is(err, store.ErrNoAuthority) {
			t.Fatalf("after revocation: %v", err)
		}
		if got := visible(t, db, c.users["clerk1"].ID, later); len(got) != 0 {
			t.Fatalf("clerk1 sees %v after the revocation", got)
		}
		// Authority as of a time before the revocation still shows the grant.
		if a, err := act("clerk1", acc, now); err != nil || a.GrantID != g.ID {
			t.Fatalf("as of before the revocation: %+v %v", a, err)
		}
		if _, err := store.CanActOnTask(ctx, db, c.users["clerk1"].ID, "C-9/wz", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a missing task: %v", err)
		}
	})
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// The delegation report on a constructed catalogue: fgj has four published
// items (promised, immediate, parallel with fgj as lead and co-reviewer,
// promised) and a draft; zjj reviews fgj's parallel item and has one item.
func TestDelegationReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newCentre(t, db)
		a := c.published("A-PROM", "fgj", standard.Promised)
		b := c.published("B-IMM", "fgj", standard.Immediate)
		cc := c.published("C-PAR", "fgj", standard.Parallel)
		d := c.published("D-PROM", "fgj", standard.Promised)
		if _, err := store.CreateItem(ctx, db, c.content("E-DRAFT", "fgj", standard.Promised), "t"); err != nil {
			t.Fatal(err)
		}
		f := c.published("F-ZJJ", "zjj", standard.Promised)
		t0 := time.Now()
		dayAgo, weekAgo := t0.Add(-24*time.Hour), t0.Add(-7*24*time.Hour)

		// fgj: handling of every item to window 1; approval and certification
		// of A, B and C; D's approval only through a grant that expired and
		// one that was revoked.
		c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w1"), StepKinds: handling, ValidFrom: dayAgo})
		c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w1"), StepKinds: decision,
			ItemIDs: []string{a.ItemID, b.ItemID, cc.ItemID}, ValidFrom: dayAgo})
		expired := dayAgo
		c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w2"), StepKinds: []string{"approval", "certification"},
			ItemIDs: []string{d.ItemID}, ValidFrom: weekAgo, ValidUntil: &expired})
		rg := c.mustGrant(store.GrantInput{DepartmentID: c.id("fgj"), WindowID: c.id("w2"), StepKinds: []string{"approval", "certification"},
			ItemIDs: []string{d.ItemID}, ValidFrom: dayAgo})
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error { _, err := store.RevokeGrant(ctx, tx, rg.ID, "admin", "撤回"); return err }); err != nil {
			t.Fatal(err)
		}
		// zjj: review and acceptance of its items, no decision.
		c.mustGrant(store.GrantInput{DepartmentID: c.id("zjj"), WindowID: c.id("w2"), StepKinds: []string{"acceptance", "review", "delivery"}, ValidFrom: dayAgo})

		now := time.Now().Add(time.Second)
		r, err := store.GetDelegationReport(ctx, db, c.id("fgj"), now)
		if err != nil {
			t.Fatal(err)
		}
		if r.Items != 4 || r.DepartmentCode != "fgj" {
			t.Fatalf("report over %d items (%+v)", r.Items, r.Rows)
		}
		want := store.DelegationShare{StepKinds: handling, Items: 4, Delegated: 4, Share: 1}
		if !reflect.DeepEqual(r.Handling, want) {
			t.Errorf("handling %+v, want %+v", r.Handling, want)
		}
		want = store.DelegationShare{StepKinds: decision, Items: 4, Delegated: 3, Share: 0.75}
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
		z, err := store.GetDelegationReport(ctx, db, c.id("zjj"), now)
		if err != nil {
			t.Fatal(err)
		}
		if z.Items != 2 || !reflect.DeepEqual(z.Handling, store.DelegationShare{StepKinds: handling, Items: 2, Delegated: 2, Share: 1}) ||
			!reflect.DeepEqual(z.Decision, store.DelegationShare{StepKinds: decision, Items: 1, Delegated: 0, Share: 0}) {
			t.Errorf("zjj report %+v / %+v over %d", z.Handling, z.Decision, z.Items)
		}
		_ = f

		// Two days ago nothing of fgj was delegated but D's decision (the
		// grant that has expired since).
		old, err := store.GetDelegationReport(ctx, db, c.id("fgj"), t0.Add(-48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if old.Handling.Delegated != 0 || old.Decision.Delegated != 1 || old.Decision.Share != 0.25 {
			t.Errorf("two days ago: %+v %+v", old.Handling, old.Decision)
		}
		if _, err := store.GetDelegationReport(ctx, db, c.id("w1"), now); err == nil {
			t.Error("a report for a window")
		}
	})
}
