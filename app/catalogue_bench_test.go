package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// BenchmarkCatalogue475 measures the catalogue's rules on a catalogue the
// size of the source's (475 items), on SQLite: the authority check the task
// API makes on every action, the inbox query, a grant (which evaluates every
// item's flow to check ownership) and a department's delegation report.
func BenchmarkCatalogue475(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	c := storetest.NewCentre(b, db)
	ap := New(Config{DB: db})
	flows := []string{standard.Promised, standard.Immediate, standard.Promised, standard.Parallel, standard.Proxy}
	depts := []string{"fgj", "zjj", "zrzyj"}
	var first string
	for i := 0; i < 475; i++ {
		it, err := store.CreateItem(ctx, db, c.Content(fmt.Sprintf("B-%03d", i), depts[i%3], flows[i%5]), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error { _, err := store.PublishItem(ctx, tx, it.ID, "bench"); return err }); err != nil {
			b.Fatal(err)
		}
		if first == "" {
			first = it.ID
		}
	}
	admin := &Actor{UserID: "bench", Username: "bench", Roles: []string{store.RoleAdmin}}
	from := time.Now().Add(-time.Hour)
	grant := func() {
		_, err := ap.CreateGrant(ctx, admin, CreateGrantRequest{DepartmentID: c.Units["fgj"].ID, WindowID: c.Units["w1"].ID,
			StepKinds: []string{"acceptance", "review", "delivery"}, ValidFrom: &from})
		if err != nil {
			b.Fatal(err)
		}
	}
	grant()
	caseID := "C-bench"
	b0 := &engine.Batch{CaseID: caseID, Seq: 1, At: time.Now(), Definition: standard.Promised, Version: 1, Status: "active", Vars: map[string]any{"itemId": first},
		Tasks: []engine.TaskRow{{ID: caseID + "/w1", CaseID: caseID, WaitID: "w1", Element: "acceptance", Name: "受理", StepKind: "acceptance",
			CandidateGroups: []string{"fgj-xzsp"}, Created: time.Now()}}}
	if err := (store.Engine{DB: db}).ApplyBatch(ctx, b0); err != nil {
		b.Fatal(err)
	}
	clerk := c.Users["clerk1"].ID
	b.Run("CanActOnTask", func(b *testing.B) {
		for b.Loop() {
			if _, err := ap.CanActOnTask(ctx, clerk, caseID+"/w1", time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InboxQuery", func(b *testing.B) {
		for b.Loop() {
			v, err := ap.visibility(ctx, clerk, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			r := v.reach()
			where, args := r.Clause("t", store.CaseItemExpr(db, "cs"))
			var ids []string
			if err := db.SelectContext(ctx, &ids, db.Rebind(`SELECT t.id FROM tasks t JOIN cases cs ON cs.id = t.case_id WHERE t.state = 'open' AND `+where), args...); err != nil || len(ids) != 1 {
				b.Fatal(err, ids)
			}
		}
	})
	b.Run("CreateGrant", func(b *testing.B) {
		for b.Loop() {
			grant()
		}
	})
	b.Run("DelegationReport", func(b *testing.B) {
		for b.Loop() {
			r, err := ap.DelegationReport(ctx, admin, c.Units["fgj"].ID, time.Now())
			if err != nil || r.Items == 0 {
				b.Fatal(err)
			}
		}
	})
}
