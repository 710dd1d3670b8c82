package store_test

import (
	"context"
	"onewindow/demo/demotest"
	"testing"
	"time"

	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

func notificationsOf(t *testing.T, db *store.DB, userID string) []store.Notification {
	t.Helper()
	ns, err := store.UserNotifications(context.Background(), db, userID, false, 100, store.TimeKey{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The alerts' SQL: parties recorded once, the filters, a supervisor's oversight, rule alerts
// recorded once; and notifications read and delivered.
func TestAlertsAndNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demotest.Demo(t, db)
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		reviewer := user("reviewer-zjj")
		storetest.Apply(t, db, &engine.Batch{CaseID: "K", At: t0, Status: "active", Definition: "std-promised", Version: 1,
			Vars: map[string]any{"department": "zjj"},
			Tasks: []engine.TaskRow{
				{ID: "K/t2", CaseID: "K", WaitID: "t2", Element: "review", Name: "审核", StepKind: "review", Assignee: reviewer, CandidateGroups: []string{"zjj-xzsp"}, Created: t0},
			}})
		eng := store.Engine{DB: db}
		at := t0.Add(48 * time.Hour)
		for _, a := range []engine.Alert{
			{ID: "K/task:t2:warning", TaskID: "K/t2", Kind: "warning", Scope: "task", Element: "review", StepKind: "review", Due: at, At: at},
			{ID: "K/task:t2:overdue", TaskID: "K/t2", Kind: "overdue", Scope: "task", Element: "review", StepKind: "review", Due: at, At: at},
			{ID: "K/case:overdue", Kind: "overdue", Scope: "case", Due: at, At: at},
		} {
			a.CaseID = "K"
			if err := eng.RecordAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		set := func(id string, p store.AlertParties) {
			t.Helper()
			for i, want := range []bool{true, false} { // the second time changes nothing
				p := p
				if i == 1 {
					p.PersonID = user("clerk1")
				}
				if first, err := store.SetAlertParties(ctx, db, id, p, at); err != nil || first != want {
					t.Fatalf("set parties of %s (%d): %v %v", id, i, first, err)
				}
			}
		}
		set("K/task:t2:warning", store.AlertParties{ItemID: "item-1", DepartmentID: unit("zjj"), WindowID: unit("zwzx-01"), PersonID: reviewer})
		set("K/task:t2:overdue", store.AlertParties{DepartmentID: unit("zrzyj"), WindowID: unit("zwzx-01")})
		set("K/case:overdue", store.AlertParties{DepartmentID: unit("zjj"), PersonID: reviewer})

		w, err := store.GetAlert(ctx, db, "K/task:t2:warning")
		if err != nil || w.EnrichedAt == nil || deref(w.PersonID) != reviewer || deref(w.TaskName) != "审核" || deref(w.PersonName) == "" ||
			deref(w.DepartmentName) != "北流市住房和城乡建设局" || deref(w.WindowName) == "" {
			t.Errorf("warning %+v %v", w, err)
		}
		nobody := &store.CaseScope{UserID: "nobody", Username: "nobody"}
		for _, c := range []struct {
			f    store.AlertFilter
			want int
		}{
			{store.AlertFilter{Kind: "overdue"}, 2},
			{store.AlertFilter{Scope: "task"}, 2},
			{store.AlertFilter{DepartmentID: unit("zjj")}, 2},
			{store.AlertFilter{PersonID: reviewer}, 2},
			{store.AlertFilter{WindowID: unit("zwzx-01")}, 2},
			{store.AlertFilter{From: at, To: at.Add(time.Second)}, 3},
			{store.AlertFilter{From: at.Add(time.Second)}, 0},
			{store.AlertFilter{Oversight: &store.Oversight{Scope: nobody, Units: []string{unit("zrzyj")}}}, 1},
			{store.AlertFilter{Oversight: &store.Oversight{Scope: nobody, Units: []string{unit("zwzx-01")}}}, 2},
			{store.AlertFilter{Oversight: &store.Oversight{Scope: nobody}}, 0},
			// A case the scope covers brings its alerts, whomever they concern.
			{store.AlertFilter{Oversight: &store.Oversight{Scope: &store.CaseScope{UserID: reviewer}}}, 3},
		} {
			got, err := store.ListAlerts(ctx, db, c.f)
			if err != nil || len(got) != c.want {
				t.Errorf("filter %+v: %d alerts (%v), want %d", c.f, len(got), err, c.want)
			}
		}
		for range 2 {
			id, err := store.RecordRuleAlert(ctx, db, store.RuleAlert{CaseID: "K", Element: "acceptance", StepKind: "acceptance",
				Rule: store.RuleNoticeTwice, Detail: "a second notice on case K was refused", Key: "attempt-1"})
			if err != nil || id != "K/rule:notice_twice:attempt-1" {
				t.Fatalf("record: %q %v", id, err)
			}
		}
		if got, _ := store.ListAlerts(ctx, db, store.AlertFilter{Rule: store.RuleNoticeTwice}); len(got) != 1 || deref(got[0].Detail) == "" || got[0].EnrichedAt != nil {
			t.Fatalf("notice twice: %+v, want one alert with its detail, not enriched yet", got)
		}

		// Notifications: one per source and recipient; read by their recipient only.
		for range 2 {
			if err := store.AddNotification(ctx, db, &store.Notification{Recipient: reviewer, UserID: reviewer, Source: "alert:K/case:overdue",
				Kind: "overdue", CaseID: "K", Title: "红牌超时", Body: "…"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.AddNotification(ctx, db, &store.Notification{Recipient: "tel:13900000000", Source: "handler:K/h1", Kind: "message",
			CaseID: "K", Title: "t", Body: "b"}); err != nil {
			t.Fatal(err)
		}
		ns := notificationsOf(t, db, reviewer)
		if len(ns) != 1 {
			t.Fatalf("reviewer's notifications %+v", ns)
		}
		if _, err := store.MarkNotificationRead(ctx, db, user("supervisor"), ns[0].ID); err == nil {
			t.Error("marking another user's notification read: want ErrNotFound")
		}
		if r, err := store.MarkNotificationRead(ctx, db, reviewer, ns[0].ID); err != nil || r.ReadAt == nil {
			t.Errorf("mark read: %+v %v", r, err)
		}
		if unread, _ := store.UserNotifications(ctx, db, reviewer, true, 10, store.TimeKey{}); len(unread) != 0 {
			t.Errorf("unread after reading it: %d", len(unread))
		}
		pending, _ := store.PendingNotifications(ctx, db, 10)
		if len(pending) != 2 {
			t.Fatalf("delivery outbox: %d, want 2", len(pending))
		}
		if err := store.MarkNotificationDelivered(ctx, db, pending[1].ID); err != nil {
			t.Fatal(err)
		}
		if pending, _ := store.PendingNotifications(ctx, db, 10); len(pending) != 1 {
			t.Errorf("outbox after one delivery: %d, want 1", len(pending))
		}
		// Whom to tell: the staff of units, the supervisors over a unit.
		if staff, err := store.MembersOfUnits(ctx, db, []string{"zjj-xzsp", "zwzx-01"}, []string{store.RoleReviewer}); err != nil || len(staff) != 1 || staff[0] != reviewer {
			t.Errorf("reviewers of 住建局's section and window 1: %v %v", staff, err)
		}
		if sup, err := store.SupervisorsOver(ctx, db, unit(demo.VillageStation)); err != nil || len(sup) != 1 || sup[0] != user("supervisor") {
			t.Errorf("supervisors over a village station: %v %v", sup, err)
		}
	})
}
