package app_test

import (
	"context"
	"onewindow/app"
	"onewindow/demo/demotest"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// notified lists a user's notifications as kind:source (without "alert:<case>/"), sorted.
func notified(t *testing.T, db *store.DB, userID string) []string {
	t.Helper()
	ns, err := store.UserNotifications(context.Background(), db, userID, false, 100, store.TimeKey{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		_, src, _ := strings.Cut(strings.TrimPrefix(n.Source, "alert:"), "/")
		out = append(out, n.Kind+":"+src)
	}
	slices.Sort(out)
	return out
}

func TestAlertsAreAttributedAndTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demotest.Demo(t, db)
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		reviewer, clerk := user("reviewer-zjj"), user("clerk1")
		// A 住建局 case: acceptance held by clerk1 (of window 1) and done, review open and
		// assigned to the 住建局 reviewer, a countersign step of 自然资源局 unassigned.
		storetest.Apply(t, db, &engine.Batch{CaseID: "K", At: t0, Status: "active", Definition: "std-promised", Version: 1,
			Vars: map[string]any{"itemId": "item-1", "department": "zjj", "leadSection": "zjj-xzsp"},
			Tasks: []engine.TaskRow{
				{ID: "K/t1", CaseID: "K", WaitID: "t1", Element: "acceptance", Name: "受理", StepKind: "acceptance", Assignee: clerk, CandidateGroups: []string{"zjj-xzsp"}, Created: t0},
				{ID: "K/t2", CaseID: "K", WaitID: "t2", Element: "review", Name: "审核", StepKind: "review", Assignee: reviewer, CandidateGroups: []string{"zjj-xzsp"}, Created: t0},
				{ID: "K/t3", CaseID: "K", WaitID: "t3", Element: "countersign", Name: "并联审查", StepKind: "review", CandidateGroups: []string{"zrzyj-xzsp"}, Created: t0},
			}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "K", Seq: 2, At: t0.Add(time.Hour), Status: "active",
			Vars:   map[string]any{"itemId": "item-1", "department": "zjj", "leadSection": "zjj-xzsp"},
			Closed: []engine.ClosedWait{{ID: "K/t1", Kind: "task", Reason: "completed"}}})
		hooks := app.New(app.Config{DB: db}).EngineHooks()
		fire := func(a engine.Alert) {
			t.Helper()
			a.CaseID = "K"
			if err := (store.Engine{DB: db}).RecordAlert(ctx, a); err != nil {
				t.Fatal(err)
			}
			for range 2 { // at least once: a second call changes nothing
				if err := hooks.OnAlert(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		at := t0.Add(48 * time.Hour)
		fire(engine.Alert{ID: "K/task:t2:warning", TaskID: "K/t2", Kind: "warning", Scope: "task", Element: "review", StepKind: "review", Due: at, At: at})
		fire(engine.Alert{ID: "K/task:t3:overdue", TaskID: "K/t3", Kind: "overdue", Scope: "task", Element: "countersign", StepKind: "review", Due: at, At: at})
		fire(engine.Alert{ID: "K/case:overdue", Kind: "overdue", Scope: "case", Due: at, At: at})

		get := func(id string) *store.SupervisedAlert {
			t.Helper()
			a, err := store.GetAlert(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		if w := get("K/task:t2:warning"); deref(w.DepartmentID) != unit("zjj") || deref(w.PersonID) != reviewer || deref(w.ItemID) != "item-1" ||
			deref(w.WindowID) != unit("zwzx-01") {
			t.Errorf("review warning: %+v", w)
		}
		if o := get("K/task:t3:overdue"); deref(o.DepartmentID) != unit("zrzyj") || o.PersonID != nil {
			t.Errorf("countersign overdue: department %v person %v, want 自然资源局 and nobody", deref(o.DepartmentID), o.PersonID)
		}
		if c := get("K/case:overdue"); deref(c.DepartmentID) != unit("zjj") || deref(c.PersonID) != reviewer {
			t.Errorf("case overdue: %+v", c)
		}
		// The reviewer hears of both alerts about their step and of the case; the staff of
		// 自然资源局's section of the unassigned step; the supervisor of the overdue ones only.
		if got := notified(t, db, reviewer); strings.Join(got, ",") != "overdue:case:overdue,warning:task:t2:warning" {
			t.Errorf("reviewer's notifications %v", got)
		}
		if got := notified(t, db, user("reviewer-zrzyj")); strings.Join(got, ",") != "overdue:task:t3:overdue" {
			t.Errorf("自然资源局 reviewer's notifications %v", got)
		}
		if got := notified(t, db, user("supervisor")); strings.Join(got, ",") != "overdue:case:overdue,overdue:task:t3:overdue" {
			t.Errorf("supervisor's notifications %v", got)
		}
		ns, _ := store.UserNotifications(ctx, db, reviewer, false, 10, store.TimeKey{})
		if len(ns) != 2 || !strings.Contains(ns[0].Title+ns[1].Title, "审核") || !strings.Contains(ns[0].Body+ns[1].Body, "2025-11-05 10:00") {
			t.Errorf("notifications %+v, want the step named and the due time in Beijing time", ns)
		}
		if pending, _ := store.PendingNotifications(ctx, db, 100); len(pending) != 5 {
			t.Errorf("delivery outbox: %d, want the 5 notifications", len(pending))
		}
	})
}

func TestRuleViolationsAreRecordedAndTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demotest.Demo(t, db)
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		vars := map[string]any{"department": "scjgj", "leadSection": "scjgj-xzsp"}
		ap := app.New(app.Config{DB: db})
		hooks := ap.EngineHooks()
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
			storetest.Apply(t, db, &engine.Batch{CaseID: c.id, At: t0, Status: "active", Vars: vars,
				Tasks: []engine.TaskRow{{ID: c.id + "/w1", CaseID: c.id, WaitID: "w1", Element: "acceptance", Name: "受理", StepKind: "acceptance",
					CandidateGroups: []string{"scjgj-xzsp"}, Created: t0}}})
			v := map[string]any{"department": "scjgj", "leadSection": "scjgj-xzsp"}
			if c.reason != nil {
				v["refusalReason"] = c.reason
			}
			b := &engine.Batch{CaseID: c.id, Seq: 2, At: t0.Add(time.Hour), Status: "completed", Vars: v,
				Closed:  []engine.ClosedWait{{ID: c.id + "/w1", Kind: "task", Reason: "completed"}},
				History: []engine.HistoryRow{{CaseID: c.id, Seq: 2, Index: 0, At: t0.Add(time.Hour), Kind: "completed", Element: "acceptance", Instance: "i1", Detail: c.outcome}}}
			storetest.Apply(t, db, b)
			for range 2 { // an activity runs at least once
				if err := hooks.Observer(ctx, b); err != nil {
					t.Fatalf("%s: observe: %v", c.id, err)
				}
			}
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
		// A notice issued twice, as the task use case records it after refusing the notice.
		storetest.Apply(t, db, &engine.Batch{CaseID: "N", At: t0, Status: "active", Vars: vars})
		for range 2 {
			id, err := ap.RecordRuleAlert(ctx, store.RuleAlert{CaseID: "N", Element: "acceptance", StepKind: "acceptance",
				Rule: store.RuleNoticeTwice, Detail: "a second notice on case N was refused", Key: "attempt-1"})
			if err != nil || id != "N/rule:notice_twice:attempt-1" {
				t.Fatalf("record: %q %v", id, err)
			}
		}
		// Violations go to the supervisors over the department.
		var rules []string
		ns, _ := store.UserNotifications(ctx, db, user("supervisor"), false, 100, store.TimeKey{})
		for _, n := range ns {
			if n.Kind == store.AlertViolation {
				rules = append(rules, n.Body)
			}
		}
		if len(rules) != 3 || !strings.Contains(strings.Join(rules, "|"), "重复出具一次性告知书") || !strings.Contains(strings.Join(rules, "|"), "不予受理未说明理由") {
			t.Errorf("supervisor's violation notices %q, want R1, R2 and N", rules)
		}
	})
}

// A supervisor hears only of what lies in their part of the org tree: a violation on a case
// of no department and no window reaches no supervisor (before, it reached every one).
func TestViolationsReachOnlyTheSupervisorsOverThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unit, user := demotest.Demo(t, db)
		township := addSupervisor(t, db, "sup-minle", unit(demo.Township1))
		ap := app.New(app.Config{DB: db})
		t0 := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
		storetest.Apply(t, db, &engine.Batch{CaseID: "X", At: t0, Status: "active", Vars: map[string]any{}})
		storetest.Apply(t, db, &engine.Batch{CaseID: "Z", At: t0, Status: "active", Vars: map[string]any{"department": "zjj"}})
		for _, c := range []string{"X", "Z"} {
			if _, err := ap.RecordRuleAlert(ctx, store.RuleAlert{CaseID: c, Rule: store.RuleNoticeTwice, Detail: "x", Key: "1"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := notified(t, db, township); len(got) != 0 {
			t.Errorf("民乐镇's supervisor was told of %v, cases outside the township", got)
		}
		if got := notified(t, db, user("supervisor")); strings.Join(got, ",") != "violation:rule:notice_twice:1" {
			t.Errorf("the county's supervisor: %v, want the 住建局 case's violation only", got)
		}
	})
}

// addSupervisor creates a staff user who supervises the unit unitID and returns their id.
func addSupervisor(t *testing.T, db *store.DB, username, unitID string) string {
	t.Helper()
	ctx := context.Background()
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: username, DisplayName: username, Kind: store.UserStaff, PasswordHash: hash}
	if err := store.CreateUser(ctx, db, u); err != nil {
		t.Fatal(err)
	}
	if err := store.AddMembership(ctx, db, &store.Membership{UserID: u.ID, OrgUnitID: unitID, Role: store.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestNotifyHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, user := demotest.Demo(t, db)
		notify := app.New(app.Config{DB: db}).EngineHooks().Handlers[app.NotifyHandler]
		applicant := user("applicant1")
		call := engine.HandlerCall{CaseID: "X", WaitID: "h1", Element: "notifyApplicant", Handler: app.NotifyHandler,
			Vars: map[string]any{"applicant": applicant, "reply": "您的投诉已办结", "notifyGroups": []any{"zwzx-01"}}}
		for range 2 {
			if _, err := notify(ctx, call); err != nil {
				t.Fatal(err)
			}
		}
		ns, _ := store.UserNotifications(ctx, db, applicant, false, 10, store.TimeKey{})
		if len(ns) != 1 || ns[0].Body != "您的投诉已办结" || ns[0].Kind != "message" || ns[0].CaseID != "X" {
			t.Fatalf("applicant's notifications %+v", ns)
		}
		if got := notified(t, db, user("clerk1")); len(got) != 1 {
			t.Fatalf("clerk1 of window 1: %v, want one notification", got)
		}
		// Someone without an account is told by phone; a user deleted since is skipped.
		call = engine.HandlerCall{CaseID: "Y", WaitID: "h1", Element: "reply", Vars: map[string]any{"notifyTo": "gone",
			"contactPhone": "13900000000", "notifyMessage": "已答复"}}
		if _, err := notify(ctx, call); err != nil {
			t.Fatal(err)
		}
		pending, _ := store.PendingNotifications(ctx, db, 10)
		var phone *store.Notification
		for i := range pending {
			if pending[i].Recipient == "tel:13900000000" {
				phone = &pending[i]
			}
		}
		if phone == nil || phone.Body != "已答复" || phone.UserID != "" || len(pending) != 3 {
			t.Fatalf("outbox %+v, want a message to tel:13900000000", pending)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
