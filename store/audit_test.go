package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// appendN appends n rows, one transaction each, at at.
func appendN(t *testing.T, db *store.DB, n int, at time.Time, actor string) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
			return store.AppendAudit(context.Background(), tx, at, store.AuditEntry{ActorID: actor, ActorName: actor, Action: "test.act",
				CaseID: fmt.Sprintf("C%d", i%3), Subject: fmt.Sprintf("thing:%d", i), Detail: map[string]any{"i": i, "text": "办件"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *store.DB, from string, published []store.AuditDayHead) *store.AuditCheck {
	t.Helper()
	c, err := store.VerifyAudit(context.Background(), db, from, published)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuditChainVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day1 := time.Date(2025, 11, 25, 15, 0, 0, 0, time.UTC) // 23:00 in Beijing
		day2 := day1.Add(2 * time.Hour)                        // the next day in Beijing
		appendN(t, db, 5, day1, "u1")
		appendN(t, db, 4, day2, "u2")
		// An engine step is audited in the step's own transaction, at the time it is written.
		storetest.Apply(t, db, &engine.Batch{CaseID: "K", Seq: 1, At: day2, Status: "active", Definition: "d", Version: 1,
			Tasks: []engine.TaskRow{{ID: "K/t1", CaseID: "K", Element: "accept", Created: day2}}})
		c := verify(t, db, "", nil)
		if c.Broken != nil || c.Rows != 10 || c.Head.Seq != 10 || c.Last.Hash != c.Head.Hash {
			t.Fatalf("a sound chain: %+v (break %v)", c, c.Broken)
		}
		heads, err := store.AuditHeads(ctx, db, "", "")
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(store.CaseZone).Format("2006-01-02")
		if len(heads) != 3 || heads[0].Day != "2025-11-25" || heads[0].Seq != 5 || heads[1].Day != "2025-11-26" || heads[1].Seq != 9 ||
			heads[2].Day != today || heads[2].Seq != 10 {
			t.Fatalf("day heads: %v", heads)
		}
		if c := verify(t, db, "2025-11-26", heads); c.Broken != nil || c.Rows != 5 || c.First != 6 || c.Heads != 2 {
			t.Fatalf("from the second day: %+v (break %v)", c, c.Broken)
		}
		rows, err := store.AuditOfCase(ctx, db, "K", 0, 10)
		if err != nil || len(rows) != 1 || rows[0].Action != "case.step" || rows[0].ActorID != store.AuditEngine ||
			!strings.Contains(string(rows[0].Detail), `"taskCreated"`) {
			t.Fatalf("the engine step's row: %+v %v", rows, err)
		}
		// A clock that runs behind another process's does not take the chain's day back.
		appendN(t, db, 1, day1, "late")
		if h, _ := store.GetAuditHead(ctx, db); h.Day != today {
			t.Fatalf("the chain went back to day %s", h.Day)
		}
	})
}

func TestAuditVerifyFindsAnEditedRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 8, time.Date(2025, 11, 26, 2, 0, 0, 0, time.UTC), "clerk1")
		// Someone with SQL access changes what row 4 says.
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET detail = '{"i":3,"text":"改过"}' WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		c := verify(t, db, "", nil)
		if c.Broken == nil || c.Broken.Seq != 4 || !strings.Contains(c.Broken.Error(), "does not match its content") {
			t.Fatalf("an edited row: %+v", c.Broken)
		}
		// ... and recomputes its hash to cover it: the next row no longer links to it.
		var r store.AuditRow
		if err := db.GetContext(ctx, &r, `SELECT seq, day, at, actor_id, actor_name, action, case_id, subject, detail, prev_hash, hash FROM audit_log WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE audit_log SET hash = ? WHERE seq = 4`), r.ComputeHash()); err != nil {
			t.Fatal(err)
		}
		c = verify(t, db, "", nil)
		if c.Broken == nil || c.Broken.Seq != 5 || !strings.Contains(c.Broken.Error(), "row 4 was changed") {
			t.Fatalf("an edited row with its hash recomputed: %+v", c.Broken)
		}
		if c.Broken.Action != "test.act" || c.Broken.Actor != "clerk1" {
			t.Fatalf("the break names the row: %+v", c.Broken)
		}
	})
}

func TestAuditVerifyFindsATruncatedTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 6, time.Date(2025, 11, 25, 2, 0, 0, 0, time.UTC), "u")
		published, err := store.AuditHeads(ctx, db, "", "") // handed to the auditor: 2025-11-25 6 ...
		if err != nil {
			t.Fatal(err)
		}
		appendN(t, db, 6, time.Date(2025, 11, 26, 2, 0, 0, 0, time.UTC), "u")
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq > 9`); err != nil {
			t.Fatal(err)
		}
		c := verify(t, db, "", nil)
		if c.Broken == nil || c.Broken.Seq != 10 || !strings.Contains(c.Broken.Error(), "cut off the end") {
			t.Fatalf("a cut tail: %+v", c.Broken)
		}
		// The head moved back to match: only the published head tells.
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE seq > 4`); err != nil {
			t.Fatal(err)
		}
		var h store.AuditRow
		if err := db.GetContext(ctx, &h, `SELECT seq, day, at, actor_id, actor_name, action, case_id, subject, detail, prev_hash, hash FROM audit_log WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE audit_head SET seq = 4, hash = ? WHERE id = 1`), h.Hash); err != nil {
			t.Fatal(err)
		}
		if c := verify(t, db, "", nil); c.Broken != nil {
			t.Fatalf("without a published head a consistent cut is not seen, but verify says %v", c.Broken)
		}
		c = verify(t, db, "", published)
		if c.Broken == nil || c.Broken.Seq != 6 || !strings.Contains(c.Broken.Error(), "published as the head of 2025-11-25") {
			t.Fatalf("a cut found by a published head: %+v", c.Broken)
		}
		// A removed row in the middle.
		db2 := storetest.SQLite(t)
		appendN(t, db2, 5, time.Date(2025, 11, 25, 2, 0, 0, 0, time.UTC), "u")
		if _, err := db2.ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		if c := verify(t, db2, "", nil); c.Broken == nil || c.Broken.Seq != 3 || !strings.Contains(c.Broken.Error(), "jumps from row 2 to row 4") {
			t.Fatalf("a removed row: %+v", c.Broken)
		}
	})
}

// Writers appending at once never fork the chain: each append locks the head.
func TestAuditConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
						return store.AppendAudit(context.Background(), tx, time.Now(),
							store.AuditEntry{ActorID: fmt.Sprint("w", w), ActorName: "w", Action: "a", Subject: fmt.Sprint(i)},
							store.AuditEntry{ActorID: fmt.Sprint("w", w), ActorName: "w", Action: "b", Subject: fmt.Sprint(i)})
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		c := verify(t, db, "", nil)
		if c.Broken != nil || c.Rows != writers*each*2 {
			t.Fatalf("after concurrent appends: %d rows, break %v", c.Rows, c.Broken)
		}
	})
}

// A check run while a server goes on appending sees one moment of the chain: the head it
// reads and the rows it walks agree (CI once saw "rows were added around the head" here).
func TestAuditVerifyWhileAppending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const rows = 150
		done := make(chan error, 1)
		go func() {
			for i := 0; i < rows; i++ {
				err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
					return store.AppendAudit(context.Background(), tx, time.Now(),
						store.AuditEntry{ActorID: "w", ActorName: "w", Action: "a", Subject: fmt.Sprint(i)})
				})
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		checks := 0
		for finished := false; !finished; checks++ {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				finished = true
			default:
			}
			if c := verify(t, db, "", nil); c.Broken != nil {
				t.Fatalf("check %d, with %d rows, while appending: %v", checks, c.Rows, c.Broken)
			}
		}
		if c := verify(t, db, "", nil); c.Broken != nil || c.Rows != rows {
			t.Fatalf("after appending: %d rows, break %v", c.Rows, c.Broken)
		}
		t.Logf("%d checks while %d rows were appended", checks, rows)
	})
}

func TestReadAuditHeads(t *testing.T) {
	heads, err := store.ReadAuditHeads(strings.NewReader("# published\n2025-11-25 6 " + strings.Repeat("ab", 32) + "\n\n"))
	if err != nil || len(heads) != 1 || heads[0].Seq != 6 || heads[0].String() != "2025-11-25 6 "+strings.Repeat("ab", 32) {
		t.Fatalf("%v %v", heads, err)
	}
	for _, bad := range []string{"2025-11-25 6", "2025-13-01 6 " + strings.Repeat("ab", 32), "2025-11-25 x " + strings.Repeat("ab", 32), "2025-11-25 6 abc"} {
		if _, err := store.ReadAuditHeads(strings.NewReader(bad)); err == nil {
			t.Errorf("%q read without error", bad)
		}
	}
}

// BenchmarkAuditAppend appends one row per transaction from parallel writers: how fast the
// chain's head, locked by each append until commit, lets writers through.
func BenchmarkAuditAppend(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			d := db.open(b)
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := d.Tx(context.Background(), func(tx *sqlx.Tx) error {
						return store.AppendAudit(context.Background(), tx, time.Now(), store.AuditEntry{ActorID: "u", ActorName: "u",
							Action: "bench", Subject: "x", Detail: map[string]any{"k": "v"}})
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}
