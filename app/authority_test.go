package app

import (
	"context"
	"errors"
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

// visible lists the ids of the open tasks user may act on, by the inbox's filter.
func visible(t *testing.T, a *App, userID string, at time.Time) []string {
	t.Helper()
	ctx := context.Background()
	db := a.db
	v, err := a.visibility(ctx, userID, at)
	if err != nil {
		t.Fatal(err)
	}
	r := v.reach()
	where, args := r.Clause("t", store.CaseItemExpr(db, "c"))
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
		c := storetest.NewCentre(t, db)
		ap := New(Config{DB: db})
		par := c.Published("BL-001", "fgj", standard.Parallel)
		other := c.Published("XK-002", "fgj", standard.Promised)
		now := time.Now()

		// Case 1 of the parallel item: fgj's acceptance task, and zjj's review.
		ids := newCase(t, db, "C-1", par.ItemID,
			engine.TaskRow{StepKind: "acceptance", CandidateGroups: []string{"fgj-xzsp"}},
			engine.TaskRow{StepKind: "review", CandidateGroups: []string{"zjj-xzsp"}},
			engine.TaskRow{StepKind: "delivery", CandidateGroups: []string{"fgj-xzsp"}, Assignee: c.Users["reviewer"].ID},
			engine.TaskRow{StepKind: "delivery", CandidateGroups: []string{"st1"}},
		)
		acc, rev, assigned, handover := ids[0], ids[1], ids[2], ids[3]
		// Case 2 of another fgj item.
		acc2 := newCase(t, db, "C-2", other.ItemID, engine.TaskRow{StepKind: "acceptance", CandidateGroups: []string{"fgj-xzsp"}})[0]

		act := func(user, task string, at time.Time) (*Authority, error) {
			return ap.CanActOnTask(ctx, c.Users[user].ID, task, at)
		}
		// Without grants: the section's own reviewer, the assignee, the station's agent.
		if a, err := act("reviewer", acc, now); err != nil || a.Kind != AuthorityUnit || a.UnitCode != "fgj-xzsp" {
			t.Fatalf("reviewer on acceptance: %+v %v", a, err)
		}
		if a, err := act("reviewer", assigned, now); err != nil || a.Kind != AuthorityAssignee {
			t.Fatalf("assignee: %+v %v", a, err)
		}
		if a, err := act("agent", handover, now); err != nil || a.Kind != AuthorityUnit {
			t.Fatalf("agent: %+v %v", a, err)
		}
		if _, err := act("clerk1", acc, now); !errors.Is(err, ErrNoAuthority) || !strings.Contains(err.Error(), "fgj-xzsp") {
			t.Fatalf("clerk1 without a grant: %v", err)
		}
		if got := visible(t, ap, c.Users["clerk1"].ID, now); len(got) != 0 {
			t.Fatalf("clerk1 sees %v without a grant", got)
		}
		if got, want := visible(t, ap, c.Users["reviewer"].ID, now), []string{acc, assigned, acc2}; !sameSet(got, want) {
			t.Fatalf("reviewer sees %v, want %v", got, want)
		}

		// fgj delegates acceptance of the parallel item to window 1 for a month.
		until := now.Add(30 * 24 * time.Hour)
		g := c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w1"), StepKinds: []string{"acceptance"},
			ItemIDs: []string{par.ItemID}, ValidFrom: now.Add(-time.Hour), ValidUntil: &until})
		for _, clerk := range []string{"clerk1", "clerk3"} { // both clerks of window 1
			a, err := act(clerk, acc, now)
			if err != nil || a.Kind != AuthorityDelegation || a.GrantID != g.ID || a.DepartmentID != c.ID("fgj") || a.WindowID != c.ID("w1") || a.UnitCode != "fgj-xzsp" {
				t.Fatalf("%s on the delegated acceptance: %+v %v", clerk, a, err)
			}
			if got := visible(t, ap, c.Users[clerk].ID, now); !sameSet(got, []string{acc}) {
				t.Fatalf("%s sees %v, want only the delegated acceptance %s", clerk, got, acc)
			}
		}
		// Not another item's acceptance, not the review, not the assigned task.
		for _, task := range []string{acc2, rev, assigned, handover} {
			if _, err := act("clerk1", task, now); !errors.Is(err, ErrNoAuthority) {
				t.Errorf("clerk1 on %s: %v", task, err)
			}
		}
		// Not a clerk of another window, not before or after the validity.
		if _, err := act("clerk2", acc, now); !errors.Is(err, ErrNoAuthority) {
			t.Fatalf("clerk2: %v", err)
		}
		if got := visible(t, ap, c.Users["clerk2"].ID, now); len(got) != 0 {
			t.Fatalf("clerk2 sees %v", got)
		}
		for _, at := range []time.Time{now.Add(-2 * time.Hour), until, until.Add(time.Hour)} {
			if _, err := act("clerk1", acc, at); !errors.Is(err, ErrNoAuthority) {
				t.Errorf("clerk1 at %v: %v", at, err)
			}
			if got := visible(t, ap, c.Users["clerk1"].ID, at); len(got) != 0 {
				t.Errorf("clerk1 sees %v at %v", got, at)
			}
		}

		// A grant of all items to clerk2 by name covers both acceptances.
		c.MustGrant(store.GrantInput{DepartmentID: c.ID("fgj"), WindowID: c.ID("w2"), UserID: c.Users["clerk2"].ID, StepKinds: []string{"acceptance", "delivery"}})
		if got := visible(t, ap, c.Users["clerk2"].ID, time.Now()); !sameSet(got, []string{acc, acc2}) {
			t.Fatalf("clerk2 sees %v, want both acceptances", got)
		}

		// clerk1 is not named by that grant; clerk2 loses it on leaving window 2.
		if _, err := act("clerk1", acc2, time.Now()); !errors.Is(err, ErrNoAuthority) {
			t.Fatalf("clerk1 under clerk2's named grant: %v", err)
		}
		if err := store.RemoveMembership(ctx, db, c.Users["clerk2"].ID, c.ID("w2"), store.RoleClerk); err != nil {
			t.Fatal(err)
		}
		if got := visible(t, ap, c.Users["clerk2"].ID, time.Now()); len(got) != 0 {
			t.Fatalf("clerk2 sees %v after leaving the window", got)
		}

		// Revoked: gone at once.
		err := db.Tx(ctx, func(tx *sqlx.Tx) error { _, err := store.RevokeGrant(ctx, tx, g.ID, "admin", ""); return err })
		if err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Second)
		if _, err := act("clerk1", acc, later); !errors.Is(err, ErrNoAuthority) {
			t.Fatalf("after revocation: %v", err)
		}
		if got := visible(t, ap, c.Users["clerk1"].ID, later); len(got) != 0 {
			t.Fatalf("clerk1 sees %v after the revocation", got)
		}
		// Authority as of a time before the revocation still shows the grant.
		if a, err := act("clerk1", acc, now); err != nil || a.GrantID != g.ID {
			t.Fatalf("as of before the revocation: %+v %v", a, err)
		}
		if _, err := ap.CanActOnTask(ctx, c.Users["clerk1"].ID, "C-9/wz", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a missing task: %v", err)
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
