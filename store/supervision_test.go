package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/demo"
	"onewindow/store/storetest"
)

// demoIDs loads the demo organisation into db and returns a lookup of unit ids by code and
// user ids by username.
func demoIDs(t *testing.T, db *store.DB) (units, users func(string) string) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	units = func(code string) string {
		u, err := store.GetOrgUnitByCode(ctx, db, code)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	users = func(name string) string {
		u, err := store.GetUserByUsername(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	return units, users
}

func notificationsOf(t *testing.T, db *store.DB, userID string) []store.Notification {
	t.Helper()
	ns, err := store.UserNotifications(context.Background(), db, userID, false, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestAlertsAreEnrichedAndNotified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demoIDs(t, db)
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		reviewer, clerk, supervisor := user("reviewer-zjj"), user("clerk1"), user("supervisor")
		// A 住建局 case: acceptance held by clerk1 (of window 1) and done, review open and
		// assigned to the 住建局 reviewer, a countersign step of 自然资源局 unassigned.
		applyCase(t, db, &engine.Batch{CaseID: "K", At: t0, Status: "active", Definition: "std-promised", Version: 1,
			Vars: map[string]any{"itemId": "item-1", "department": "zjj", "leadSection": "zjj-xzsp"},
			Tasks: []engine.TaskRow{
				{ID: "K/t1", CaseID: "K", WaitID: "t1", Element: "acceptance", Name: "受理", StepKind: "acceptance", Assignee: clerk, CandidateGroups: []string{"zjj-xzsp"}, Created: t0},
				{ID: "K/t2", CaseID: "K", WaitID: "t2", Element: "review", Name: "审核", StepKind: "review", Assignee: reviewer, CandidateGroups: []string{"zjj-xzsp"}, Created: t0},
				{ID: "K/t3", CaseID: "K", WaitID: "t3", Element: "countersign", Name: "并联审查", StepKind: "review", CandidateGroups: []string{"zrzyj-xzsp"}, Created: t0},
			}})
		applyCase(t, db, &engine.Batch{CaseID: "K", Seq: 2, At: t0.Add(time.Hour), Status: "active",
			Vars:   map[string]any{"itemId": "item-1", "department": "zjj", "leadSection": "zjj-xzsp"},
			Closed: []engine.ClosedWait{{ID: "K/t1", Kind: "task", Reason: "completed"}}})
		eng := store.Engine{DB: db}
		sup := store.Supervision{DB: db}
		fire := func(a engine.Alert) {
			t.Helper()
			a.CaseID = "K"
			if err := eng.RecordAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
			for range 2 { // at least once: a second call changes nothing
				if err := sup.OnAlert(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		at := t0.Add(48 * time.Hour)
		fire(engine.Alert{ID: "K/task:t2:warning", TaskID: "K/t2", Kind: "warning", Scope: "task", Element: "review", StepKind: "review", Due: at, At: at})
		fire(engine.Alert{ID: "K/task:t3:overdue", TaskID: "K/t3", Kind: "overdue", Scope: "task", Element: "countersign", StepKind: "review", Due: at, At: at})
		fire(engine.Alert{ID: "K/case:overdue", Kind: "overdue", Scope: "case", Due: at, At: at})

		list, err := store.ListAlerts(ctx, db, store.AlertFilter{CaseID: "K"})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]store.SupervisedAlert{}
		for _, a := range list {
			byID[a.ID] = a
		}
		w := byID["K/task:t2:warning"]
		if deref(w.DepartmentID) != unit("zjj") || deref(w.PersonID) != reviewer || deref(w.ItemID) != "item-1" ||
			deref(w.WindowID) != unit("zwzx-01") || deref(w.TaskName) != "审核" || deref(w.PersonName) == "" || deref(w.DepartmentName) != "北流市住房和城乡建设局" {
			t.Errorf("review warning: %+v", w)
		}
		o := byID["K/task:t3:overdue"]
		if deref(o.DepartmentID) != unit("zrzyj") || o.PersonID != nil {
			t.Errorf("countersign overdue: department %v person %v, want 自然资源局 and nobody", deref(o.DepartmentID), o.PersonID)
		}
		if c := byID["K/case:overdue"]; deref(c.DepartmentID) != unit("zjj") || deref(c.PersonID) != reviewer {
			t.Errorf("case overdue: %+v", c)
		}
		// The reviewer hears of both alerts about their step and of the case; the staff of
		// 自然资源局's section of the unassigned step; the supervisor of the overdue ones only.
		kinds := func(ns []store.Notification) []string {
			var out []string
			for _, n := range ns {
				out = append(out, n.Kind+":"+strings.TrimPrefix(n.Source, "alert:K/"))
			}
			slices.Sort(out)
			return out
		}
		if got := kinds(notificationsOf(t, db, reviewer)); strings.Join(got, ",") != "overdue:case:overdue,warning:task:t2:warning" {
			t.Errorf("reviewer's notifications %v", got)
		}
		if got := kinds(notificationsOf(t, db, user("reviewer-zrzyj"))); strings.Join(got, ",") != "overdue:task:t3:overdue" {
			t.Errorf("自然资源局 reviewer's notifications %v", got)
		}
		if got := kinds(notificationsOf(t, db, supervisor)); strings.Join(got, ",") != "overdue:case:overdue,overdue:task:t3:overdue" {
			t.Errorf("supervisor's notifications %v", got)
		}
		if ns := notificationsOf(t, db, reviewer); !strings.Contains(ns[len(ns)-1].Title+ns[0].Title, "审核") {
			t.Errorf("titles %q / %q, want the step named", ns[0].Title, ns[len(ns)-1].Title)
		}
		// Filters.
		for _, c := range []struct {
			f    store.AlertFilter
			want int
		}{
			{store.AlertFilter{Kind: "overdue"}, 2},
			{store.AlertFilter{Scope: "task"}, 2},
			{store.AlertFilter{DepartmentID: unit("zjj")}, 2},
			{store.AlertFilter{PersonID: reviewer}, 2},
			{store.AlertFilter{WindowID: unit("zwzx-01")}, 3},
			{store.AlertFilter{From: at, To: at.Add(time.Second)}, 3},
			{store.AlertFilter{From: at.Add(time.Second)}, 0},
			{store.AlertFilter{Units: []string{unit("zrzyj")}}, 1},
			{store.AlertFilter{Units: []string{}}, 0},
		} {
			got, err := store.ListAlerts(ctx, db, c.f)
			if err != nil || len(got) != c.want {
				t.Errorf("filter %+v: %d alerts (%v), want %d", c.f, len(got), err, c.want)
			}
		}
		// Reading marks one's own notification only.
		n := notificationsOf(t, db, reviewer)[0]
		if _, err := store.MarkNotificationRead(ctx, db, supervisor, n.ID); err == nil {
			t.Error("marking another user's notification read: want ErrNotFound")
		}
		if r, err := store.MarkNotificationRead(ctx, db, reviewer, n.ID); err != nil || r.ReadAt == nil {
			t.Errorf("mark read: %+v %v", r, err)
		}
		if unread, _ := store.UserNotifications(ctx, db, reviewer, true, 10, 0); len(unread) != 1 {
			t.Errorf("unread after reading one: %d, want 1", len(unread))
		}
		if pending, _ := store.PendingNotifications(ctx, db, 100); len(pending) != 5 {
			t.Errorf("delivery outbox: %d, want the 5 notifications", len(pending))
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestRuleViolations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demoIDs(t, db)
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		vars := map[string]any{"department": "scjgj", "leadSection": "scjgj-xzsp"}
		sup := store.Supervision{DB: db}
		for _, c := range []struct {
			id, outcome string
			reason      any
			violation   bool
		}{
			{"R1", "refuse", nil, true},
			{"R2", "refuse", "   ", true},
			{"R3", "refuse", "申请事项不属于本机关职权范围", false},
			{"R4", "accept", nil, false},
		} {
			applyCase(t, db, &engine.Batch{CaseID: c.id, At: t0, Status: "active", Vars: vars,
				Tasks: []engine.TaskRow{{ID: c.id + "/w1", CaseID: c.id, WaitID: "w1", Element: "acceptance", Name: "受理", StepKind: "acceptance",
					CandidateGroups: []string{"scjgj-xzsp"}, Created: t0}}})
			v := map[string]any{"department": "scjgj", "leadSection": "scjgj-xzsp"}
			if c.reason != nil {
				v["refusalReason"] = c.reason
			}
			b := &engine.Batch{CaseID: c.id, Seq: 2, At: t0.Add(time.Hour), Status: "completed", Vars: v,
				Closed:  []engine.ClosedWait{{ID: c.id + "/w1", Kind: "task", Reason: "completed"}},
				History: []engine.HistoryRow{{CaseID: c.id, Seq: 2, Index: 0, At: t0.Add(time.Hour), Kind: "completed", Element: "acceptance", Instance: "i1", Detail: c.outcome}}}
			applyCase(t, db, b)
			sup.Observe(ctx, b)
			sup.Observe(ctx, b) // an activity runs at least once
			got, err := store.ListAlerts(ctx, db, store.AlertFilter{CaseID: c.id, Rule: store.RuleRefusalWithoutReason})
			if err != nil {
				t.Fatal(err)
			}
			if c.violation && (len(got) != 1 || got[0].Kind != "violation" || got[0].Scope != "rule" || deref(got[0].DepartmentID) != unit("scjgj") ||
				deref(got[0].TaskID) != c.id+"/w1") {
				t.Errorf("%s (%s, reason %v): alerts %+v, want one violation of 市场监管局", c.id, c.outcome, c.reason, got)
			}
			if !c.violation && len(got) != 0 {
				t.Errorf("%s (%s, reason %v): alerts %+v, want none", c.id, c.outcome, c.reason, got)
			}
		}
		// A notice issued twice, as the task API records it after IssueNotice refused it.
		applyCase(t, db, &engine.Batch{CaseID: "N", At: t0, Status: "active", Vars: vars})
		for range 2 {
			id, err := store.RecordRuleAlert(ctx, db, store.RuleAlert{CaseID: "N", Element: "acceptance", StepKind: "acceptance",
				Rule: store.RuleNoticeTwice, Detail: "a second notice on case N was refused", Key: "attempt-1"})
			if err != nil || id != "N/rule:notice_twice:attempt-1" {
				t.Fatalf("record: %q %v", id, err)
			}
		}
		got, _ := store.ListAlerts(ctx, db, store.AlertFilter{Rule: store.RuleNoticeTwice})
		if len(got) != 1 || deref(got[0].Detail) == "" {
			t.Fatalf("notice twice: %+v, want one alert with its detail", got)
		}
		// Violations go to the supervisors.
		var rules []string
		for _, n := range notificationsOf(t, db, user("supervisor")) {
			if n.Kind == "violation" {
				rules = append(rules, n.Body)
			}
		}
		if len(rules) != 3 || !strings.Contains(strings.Join(rules, "|"), "重复出具一次性告知书") || !strings.Contains(strings.Join(rules, "|"), "不予受理未说明理由") {
			t.Errorf("supervisor's violation notices %q, want R1, R2 and N", rules)
		}
	})
}

func TestNotifyHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, user := demoIDs(t, db)
		sup := store.Supervision{DB: db}
		applicant := user("applicant1")
		call := engine.HandlerCall{CaseID: "X", WaitID: "h1", Element: "notifyApplicant", Handler: "notify",
			Vars: map[string]any{"applicant": applicant, "reply": "您的投诉已办结", "notifyGroups": []any{"zwzx-01"}}}
		for range 2 {
			if _, err := sup.Handlers()[store.NotifyHandler](ctx, call); err != nil {
				t.Fatal(err)
			}
		}
		ns := notificationsOf(t, db, applicant)
		if len(ns) != 1 || ns[0].Body != "您的投诉已办结" || ns[0].Kind != "message" || ns[0].CaseID != "X" {
			t.Fatalf("applicant's notifications %+v", ns)
		}
		if ns := notificationsOf(t, db, user("clerk1")); len(ns) != 1 {
			t.Fatalf("clerk1 of window 1: %d notifications, want 1", len(ns))
		}
		// Someone without an account is told by phone.
		call = engine.HandlerCall{CaseID: "Y", WaitID: "h1", Element: "reply", Vars: map[string]any{"contactPhone": "13900000000", "notifyMessage": "已答复"}}
		if _, err := sup.Notify(ctx, call); err != nil {
			t.Fatal(err)
		}
		pending, _ := store.PendingNotifications(ctx, db, 10)
		var phone *store.Notification
		for i := range pending {
			if pending[i].Recipient == "tel:13900000000" {
				phone = &pending[i]
			}
		}
		if phone == nil || phone.Body != "已答复" || phone.UserID != "" {
			t.Fatalf("outbox %+v, want a message to tel:13900000000", pending)
		}
		if err := store.MarkNotificationDelivered(ctx, db, phone.ID); err != nil {
			t.Fatal(err)
		}
		if pending, _ := store.PendingNotifications(ctx, db, 10); len(pending) != 2 {
			t.Errorf("outbox after one delivery: %d, want 2", len(pending))
		}
	})
}
