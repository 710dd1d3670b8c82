package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
	"onewindow/store/storetest"
)

// BenchmarkFinishedCases pages result publicity over 20,000 finished cases of 10 items: the
// first page and a page 19,000 rows deep cost the same, read through the index on (status,
// ended_at, id) with a keyset instead of an offset. It also times one event append and a feed
// page 19,000 events deep.
func BenchmarkFinishedCases(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	const n, items = 20000, 10
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		dept := &store.OrgUnit{Code: "d", Name: "d", Kind: store.KindDepartment}
		if err := store.CreateOrgUnit(ctx, tx, dept); err != nil {
			return err
		}
		for i := range items {
			id := fmt.Sprintf("I%02d", i)
			ids = append(ids, id)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content, state,
				current_version, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, 'licence', 'promised', ?, 'p', '{}', 'published', 1, 't', ?, 't', ?)`),
				id, "C"+id, "N"+id, dept.ID, at, at); err != nil {
				return err
			}
		}
		var evs []store.Event
		for i := range n {
			ended := at.Add(time.Duration(i) * time.Minute)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq, started_at,
				updated_at, ended_at, clock_state, number, item_id, applicant_name, applicant_kind, decision, decided_at)
				VALUES (?, 'p', 1, 'completed', '{}', 1, ?, ?, ?, 'stopped', ?, ?, '张小三', 'naturalPerson', 'approve', ?)`),
				fmt.Sprintf("K%05d", i), at, ended, ended, fmt.Sprintf("N%05d", i), ids[i%items], ended); err != nil {
				return err
			}
			evs = append(evs, store.Event{ID: store.NewID(), Type: "case.finished", CaseID: fmt.Sprintf("K%05d", i), DepartmentID: dept.ID,
				Source: fmt.Sprintf("end:%d", i), Data: store.JSON(`{}`), OccurredAt: ended})
		}
		return store.AppendEvents(ctx, tx, evs)
	})
	if err != nil {
		b.Fatal(err)
	}
	deep, err := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: ids, Limit: 19000})
	if err != nil {
		b.Fatal(err)
	}
	last := deep[len(deep)-1]
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			if rows, err := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: ids, Limit: 51}); err != nil || len(rows) != 51 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("page-19000-deep", func(b *testing.B) {
		for b.Loop() {
			if rows, err := store.FinishedCases(ctx, db, store.FinishedFilter{ItemIDs: ids, BeforeAt: last.EndedAt, BeforeID: last.ID, Limit: 51}); err != nil || len(rows) != 51 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("feed-19000-deep", func(b *testing.B) {
		for b.Loop() {
			if evs, err := store.ListEvents(ctx, db, store.EventFilter{After: 19000, Limit: 200}); err != nil || len(evs) != 200 {
				b.Fatal(len(evs), err)
			}
		}
	})
	b.Run("append-event", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if err := store.AppendEvents(ctx, db, []store.Event{{ID: store.NewID(), Type: "case.created", Source: fmt.Sprintf("b:%d", i),
				Data: store.JSON(`{}`), OccurredAt: at}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
