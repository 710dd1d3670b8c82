package store_test

import (
	"context"
	"testing"
	"time"

	"onewindow/store"
	"onewindow/store/storetest"
)

// TestEventsAndDeliveries: events are written once per source and read in sequence order,
// filtered by type, department and case; deliveries are made once per subscription and event,
// and an attempt of a superseded run changes nothing.
func TestEventsAndDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2025, 11, 3, 1, 0, 0, 0, time.UTC)
		ev := func(typ, caseID, dept, source string) store.Event {
			return store.Event{ID: store.NewID(), Type: typ, CaseID: caseID, DepartmentID: dept, Source: source, Data: store.JSON(`{"n":1}`), OccurredAt: at}
		}
		if err := store.AppendEvents(ctx, db, []store.Event{ev("case.created", "C1", "D1", "s1"), ev("case.accepted", "C1", "D1", "s2"),
			ev("case.created", "C2", "D2", "s3")}); err != nil {
			t.Fatal(err)
		}
		// A hook that runs twice writes its event once.
		if err := store.AppendEvents(ctx, db, []store.Event{ev("case.warning", "C1", "D1", "alert:x"), ev("case.warning", "C1", "D1", "alert:x")}); err != nil {
			t.Fatal(err)
		}
		all, err := store.ListEvents(ctx, db, store.EventFilter{})
		if err != nil || len(all) != 4 {
			t.Fatalf("%d events (%v)", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Fatalf("out of order: %+v", all)
			}
		}
		for _, c := range []struct {
			f    store.EventFilter
			want int
		}{
			{store.EventFilter{Types: []string{"case.created"}}, 2},
			{store.EventFilter{Departments: []string{"D1"}}, 3},
			{store.EventFilter{Departments: []string{}}, 0},
			{store.EventFilter{CaseID: "C2"}, 1},
			{store.EventFilter{After: all[1].Seq}, 2},
			{store.EventFilter{After: all[0].Seq, Limit: 1}, 1},
		} {
			if got, err := store.ListEvents(ctx, db, c.f); err != nil || len(got) != c.want {
				t.Errorf("%+v: %d events (%v), want %d", c.f, len(got), err, c.want)
			}
		}
		if last, err := store.LastEventSeq(ctx, db); err != nil || last != all[3].Seq {
			t.Fatalf("last %d (%v)", last, err)
		}

		owner := &store.User{Username: "sys", DisplayName: "sys", Kind: store.UserSystem}
		if err := store.CreateUser(ctx, db, owner); err != nil {
			t.Fatal(err)
		}
		s := &store.Subscription{OwnerID: owner.ID, URL: "https://example.com/hook", Types: []string{"case.created", "case.warning"},
			Secret: "x", State: store.SubscriptionActive}
		if err := store.CreateSubscription(ctx, db, s); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := store.AddDeliveries(ctx, db, s.ID, all); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.AdvanceSubscription(ctx, db, s.ID, all[3].Seq); err != nil {
			t.Fatal(err)
		}
		got, _ := store.GetSubscription(ctx, db, s.ID)
		if got.Cursor != all[3].Seq || len(got.Types) != 2 {
			t.Fatalf("subscription %+v", got)
		}
		unstarted, err := store.UnstartedDeliveries(ctx, db, 10)
		if err != nil || len(unstarted) != 4 {
			t.Fatalf("%d unstarted (%v)", len(unstarted), err)
		}
		d := unstarted[0]
		if err := store.MarkDeliveryStarted(ctx, db, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := store.RecordAttempt(ctx, db, d.ID, 1, store.Attempt{At: at, Status: 500, Error: "down"}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Redeliver(ctx, db, d.ID); err != nil {
			t.Fatal(err)
		}
		// The first run's late attempt changes nothing; the second run's delivers.
		if err := store.RecordAttempt(ctx, db, d.ID, 1, store.Attempt{At: at, Status: 200, Done: true}); err != nil {
			t.Fatal(err)
		}
		if err := store.RecordAttempt(ctx, db, d.ID, 2, store.Attempt{At: at, Status: 200, Done: true}); err != nil {
			t.Fatal(err)
		}
		got2, _ := store.GetDelivery(ctx, db, d.ID)
		if got2.State != store.DeliveryDelivered || got2.Attempts != 2 || got2.Run != 2 || got2.DeliveredAt == nil {
			t.Fatalf("delivery %+v", got2)
		}
		log, err := store.ListDeliveries(ctx, db, store.DeliveryFilter{SubscriptionID: s.ID, Limit: 2})
		if err != nil || len(log) != 2 || log[0].EventSeq != all[3].Seq {
			t.Fatalf("log %+v (%v)", log, err)
		}
		if more, _ := store.ListDeliveries(ctx, db, store.DeliveryFilter{SubscriptionID: s.ID, Before: log[1].EventSeq}); len(more) != 2 {
			t.Fatalf("next page %+v", more)
		}
		since, err := store.SubscriptionFailing(ctx, db, s.ID, at)
		if err != nil || !since.Equal(at) {
			t.Fatalf("failing since %v (%v)", since, err)
		}
		if since, _ = store.SubscriptionFailing(ctx, db, s.ID, at.Add(time.Hour)); !since.Equal(at) {
			t.Fatalf("failing since moved to %v", since)
		}
	})
}
