package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// The maintained counters equal a recount from the base tables after a mixed workload written
// through the store's own functions (cases received at windows and online, accepted, accepted
// again elsewhere, given notices, paused, finished early and late, rated, complained about,
// alerted; a disclosure request), for every level, every month and the quarter; and a rebuild
// from the base tables changes nothing.
func TestScoreCountersMatchRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		items := []*store.ItemVersion{c.Published("SC-001", "fgj", standard.Promised), c.Published("SC-002", "zjj", standard.Promised)}
		cals := &store.Calendars{DB: db}
		es := store.Engine{DB: db, Calendars: cals}
		rnd := rand.New(rand.NewPCG(11, 11))
		clerks := []string{"clerk1", "clerk2", "clerk3", "reviewer"}
		windows := []string{"", "w1", "w2"}
		base := time.Date(2025, 10, 6, 9, 0, 0, 0, cst)
		tx := func(fn func(tx *sqlx.Tx) error) {
			t.Helper()
			if err := db.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		const n = 48
		for i := range n {
			received := base.Add(time.Duration(rnd.IntN(80*24)) * time.Hour)
			iv := items[i%2]
			var k *store.Case
			tx(func(tx *sqlx.Tx) (err error) {
				k, err = store.CreateCase(ctx, tx, &store.NewCase{Item: iv, Channel: store.ChannelWindow,
					Applicant:   store.Applicant{Name: "李明", Kind: store.ObjectNaturalPerson, CertType: store.CertIDCard, CertNo: "450981199001011230"},
					SubmittedBy: c.Users["clerk1"].ID, WindowID: unitOr(c.ID, windows[i%3]), ReceivedAt: received,
					Vars: map[string]any{"itemId": iv.ItemID}, ActorName: "clerk1"})
				return err
			})
			start, due := received.Add(time.Hour), received.Add(time.Duration(3+rnd.IntN(10))*24*time.Hour)
			seq := 1
			step := func(b engine.Batch) {
				t.Helper()
				b.CaseID, b.Seq, b.Definition, b.Version = k.ID, seq, iv.DefinitionKey, iv.DefinitionVersion
				if b.Status == "" {
					b.Status = "active"
				}
				seq++
				if err := es.ApplyBatch(ctx, &b); err != nil {
					t.Fatal(err)
				}
			}
			step(engine.Batch{At: start, Clock: &engine.ClockRow{State: "running", Start: start, PromisedDays: 5, Due: due, Warn: due.Add(-24 * time.Hour)}})
			accept := func(who, window string, at time.Time) {
				tx(func(tx *sqlx.Tx) error {
					return store.RecordAction(ctx, tx, &store.Action{CaseID: k.ID, TaskID: k.ID + "/acc", ElementID: "acceptance", StepKind: "acceptance",
						Action: store.ActionComplete, Outcome: "accept", ActorID: c.Users[who].ID, ActorName: who, WindowID: unitOr(c.ID, window), At: at})
				})
			}
			if i%5 != 4 {
				accept(clerks[rnd.IntN(len(clerks))], windows[rnd.IntN(3)], start)
			}
			if i%7 == 3 { // returned and accepted again by another clerk
				accept(clerks[rnd.IntN(len(clerks))], windows[rnd.IntN(3)], start.Add(2*time.Hour))
			}
			if i%3 != 0 { // one open notice at a time
				tx(func(tx *sqlx.Tx) error {
					return store.InsertNotice(ctx, tx, &store.Notice{CaseID: k.ID, Seq: 1, TaskID: k.ID + "/acc", IssuedBy: c.Users["clerk1"].ID,
						IssuedAt: start.Add(time.Minute)})
				})
			}
			if i%4 == 1 { // a supplement wait of a day and a half
				from := start.Add(24 * time.Hour)
				step(engine.Batch{At: from, Pauses: []engine.PauseRow{{Idx: 0, Holder: "h", Kind: "supplement", From: from, To: from.Add(36 * time.Hour)}}})
			}
			alert := func(kind string, at time.Time) {
				a := engine.Alert{ID: fmt.Sprintf("%s/case:%s", k.ID, kind), CaseID: k.ID, Kind: kind, Scope: "case", Due: due, At: at}
				if err := es.RecordAlert(ctx, a); err != nil {
					t.Fatal(err)
				}
				tx(func(tx *sqlx.Tx) error {
					_, err := store.SetAlertParties(ctx, tx, a.ID, store.AlertParties{ItemID: iv.ItemID, DepartmentID: c.ID([]string{"fgj", "zjj"}[i%2]),
						WindowID: unitOr(c.ID, windows[i%3]), PersonID: c.Users[clerks[i%4]].ID}, at)
					return err
				})
			}
			if i%3 == 0 {
				alert(store.AlertWarning, due.Add(-24*time.Hour))
			}
			if i%6 == 0 {
				alert(store.AlertOverdue, due)
			}
			if i%8 == 7 {
				continue // still open
			}
			end := due.Add(time.Duration(rnd.IntN(96)-72) * time.Hour) // early or late
			status := "completed"
			if i%9 == 5 {
				status = "terminated"
			}
			step(engine.Batch{At: end, Status: status, Clock: &engine.ClockRow{State: "stopped", Start: start, Stopped: end, PromisedDays: 5, Due: due}})
			if i%2 == 0 {
				level := store.RatingLevels[rnd.IntN(5)]
				tx(func(tx *sqlx.Tx) error {
					return store.InsertRating(ctx, tx, &store.Rating{CaseID: k.ID, ApplicantID: c.Users["clerk3"].ID, Level: level, Score: store.RatingScore(level),
						DepartmentID: ptr(c.ID("fgj")), WindowID: ptr(c.ID("w1")), PersonID: ptr(c.Users[clerks[i%4]].ID), RatedAt: end.Add(time.Hour)})
				})
			}
			if i%5 == 2 {
				tx(func(tx *sqlx.Tx) error {
					return store.InsertComplaint(ctx, tx, &store.Complaint{ID: store.NewID(), Subject: "case", CaseID: &k.ID, WindowID: ptr(c.ID("w2")),
						DepartmentID: ptr(c.ID("zjj")), ContactName: "李明", ContactPhone: "13800000001", Content: "慢", ProcessCaseID: "T-" + k.ID,
						FiledAt: end.Add(2 * time.Hour)})
				})
			}
		}
		// An information-disclosure request: its case has no item and counts for the department asked.
		at := time.Date(2025, 11, 12, 10, 0, 0, 0, cst)
		if err := es.ApplyBatch(ctx, &engine.Batch{CaseID: "D1", Seq: 1, At: at, Status: "active", Definition: "std-disclosure", Version: 1}); err != nil {
			t.Fatal(err)
		}
		tx(func(tx *sqlx.Tx) error {
			return store.InsertDisclosure(ctx, tx, &store.DisclosureRequest{ID: "R1", ProcessCaseID: "D1", DepartmentID: c.ID("zrzyj"),
				RequesterKind: "naturalPerson", RequesterName: "张三", ContactPhone: "13900000000", Description: "文件", Delivery: store.DeliveryOnline, FiledAt: at})
		})

		compare := func(when string) int {
			t.Helper()
			received := 0
			periods := [][2]time.Time{}
			for m := 9; m <= 12; m++ {
				from := time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, cst)
				periods = append(periods, [2]time.Time{from, from.AddDate(0, 1, 0)})
			}
			periods = append(periods, [2]time.Time{time.Date(2025, 10, 1, 0, 0, 0, 0, cst), time.Date(2026, 1, 1, 0, 0, 0, 0, cst)})
			for _, level := range store.ScorecardLevels {
				for pi, p := range periods {
					f := store.ScorecardFilter{Level: level, From: p[0], To: p[1]}
					counted, err := store.Scorecards(ctx, db, cals, f)
					if err != nil {
						t.Fatal(err)
					}
					recounted, err := store.Recount(ctx, db, cals, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, l := range [][]store.ScoreFigures{counted, recounted} {
						for i := range l {
							slices.Sort(l[i].DaysUsed)
						}
					}
					if !reflect.DeepEqual(counted, recounted) {
						t.Errorf("%s: %s %s: counters\n%+v\nrecount\n%+v", when, level, p[0].Format("2006-01"), counted, recounted)
					}
					if level == store.LevelDepartment && pi == len(periods)-1 {
						for _, x := range counted {
							received += x.Received
						}
					}
				}
			}
			return received
		}
		if got := compare("maintained"); got != n+1 {
			t.Errorf("the quarter's departments received %d cases, want %d", got, n+1)
		}
		tx(func(tx *sqlx.Tx) error { return store.RebuildScoreCounters(ctx, tx, cals) })
		compare("rebuilt")
	})
}

func ptr(s string) *string { return &s }
