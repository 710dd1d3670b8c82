package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine/calendar"
	"onewindow/store"
)

// TestDisclosureRequestRunsToItsReplyWithTheExtension: someone without an account asks
// 市场监督管理局 for information; the disclosure desk registers and assigns the request, the
// department's system extends the limit once with a reason (the due time moves by 20 working
// days and the requester is told), replies, and the requester is told the reply. The request is
// supervised like a case: the department's scorecard counts it, and its events reach the feed.
func TestDisclosureRequestRunsToItsReplyWithTheExtension(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	ctx := context.Background()
	dept := v.unitID("scjgj")
	base := map[string]any{"departmentId": dept, "description": "2025年全市食品经营许可的发证数量及抽检结果", "delivery": "post",
		"contactAddress": "广西北流市城南路1号"}
	with := func(extra map[string]any) string {
		m := map[string]any{}
		for k, x := range base {
			m[k] = x
		}
		for k, x := range extra {
			m[k] = x
		}
		return mustJSON(m)
	}
	// Without an account, a name and a phone are needed; a department must be one.
	expectError(t, v.do("POST", "/api/v1/disclosure-requests", with(map[string]any{"contactPhone": "13900000000"})), http.StatusBadRequest, codeValidation)
	expectError(t, v.do("POST", "/api/v1/disclosure-requests", with(map[string]any{"requesterName": "王五"})), http.StatusBadRequest, codeValidation)
	expectError(t, v.do("POST", "/api/v1/disclosure-requests", with(map[string]any{"requesterName": "王五", "contactPhone": "13900000000",
		"departmentId": v.unitID("scjgj-xzsp")})), http.StatusNotFound, app.CodeDepartmentNotFound)
	expectError(t, v.do("POST", "/api/v1/disclosure-requests", with(map[string]any{"requesterName": "王五", "contactPhone": "13900000000",
		"delivery": "online"})), http.StatusBadRequest, codeValidation)

	r := v.do("POST", "/api/v1/disclosure-requests", with(map[string]any{"requesterName": "王五", "contactPhone": "13900000000"}))
	if r.Code != http.StatusCreated {
		t.Fatalf("file: %d %s", r.Code, r.Body)
	}
	var req app.DisclosureView
	r.json(t, &req)
	caseID := req.ProcessCaseID
	// The desk (the supervision unit over the department) registers and assigns it.
	for _, step := range []string{"register", "assign"} {
		task := app.PublicID(v.x.OpenTask(caseID, step))
		if r := v.as(v.tok("supervisor"), "POST", "/api/v1/tasks/"+task+"/complete", "{}"); r.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", step, r.Code, r.Body)
		}
	}
	v.x.OpenTask(caseID, "reply")
	row, err := store.GetCaseState(ctx, v.db, caseID)
	if err != nil || row.ClockStartedAt == nil || row.DueAt == nil {
		t.Fatalf("case %+v (%v)", row, err)
	}
	cal := calendar.National()
	if want := store.Time(cal.AddWorkingDays(*row.ClockStartedAt, 20)); !row.DueAt.Equal(want) {
		t.Fatalf("due %v, want 20 working days after %v: %v", row.DueAt, row.ClockStartedAt, want)
	}
	key, _ := v.systemKey()
	path := "/api/v1/disclosure-requests/" + req.ID
	// The department's system deals with the reply step: it may extend; a reviewer of another
	// department does not see the request at all.
	expectError(t, v.as(v.tok("reviewer-fgj"), "POST", path+"/extend", `{"reason":"需要征求第三方意见"}`), http.StatusNotFound, codeNotFound)
	expectError(t, v.withKey(key, "POST", path+"/extend", `{"reason":""}`), http.StatusBadRequest, codeValidation)
	r = v.withKey(key, "POST", path+"/extend", `{"reason":"所需信息涉及第三方，需书面征求其意见"}`)
	if r.Code != http.StatusOK {
		t.Fatalf("extend: %d %s", r.Code, r.Body)
	}
	expectError(t, v.withKey(key, "POST", path+"/extend", `{"reason":"还需要更多时间"}`), http.StatusConflict, app.CodeAlreadyExtended)
	want := store.Time(cal.AddWorkingDays(*row.ClockStartedAt, 40))
	v.x.Eventually("the due time moved by the extension", func() bool {
		row, err = store.GetCaseState(ctx, v.db, caseID)
		return err == nil && row.DueAt != nil && row.DueAt.Equal(want) && row.PromisedDays != nil && *row.PromisedDays == 40
	})
	// The department's system reads the open step and replies; the requester is told.
	var open app.DisclosureView
	if v.withKey(key, "GET", path, "").json(t, &open); len(open.OpenTasks) != 1 || open.OpenTasks[0].Element != "reply" {
		t.Fatalf("open steps %+v", open.OpenTasks)
	}
	task := open.OpenTasks[0].TaskID
	expectError(t, v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", `{"outcome":"later"}`), http.StatusBadRequest, codeValidation)
	if r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", mustJSON(map[string]any{"outcome": "disclose",
		"variables": map[string]any{"reply": "经检索，所申请信息予以公开，详见附件。"}})); r.Code != http.StatusAccepted {
		t.Fatalf("reply: %d %s", r.Code, r.Body)
	}
	v.x.WaitStatus(caseID, "completed")
	var view app.DisclosureView
	v.withKey(key, "GET", path, "").json(t, &view)
	if view.Status != "completed" || view.ReplyType != "disclose" || !strings.Contains(view.Reply, "予以公开") || view.ExtendedAt == nil ||
		!strings.Contains(view.ExtensionReason, "第三方") || view.DueAt == nil || !view.DueAt.Equal(want) {
		t.Fatalf("request %+v", view)
	}
	var tells []string
	if err := v.db.Select(&tells, v.db.Rebind(`SELECT title FROM notifications WHERE recipient = ? ORDER BY created_at`), "tel:13900000000"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tells, ",") != "延期答复告知书,政府信息公开申请答复" {
		t.Fatalf("the requester was told %q", tells)
	}
	// Supervised like a case: the department's scorecard counts it, the feed has its events.
	var cards app.ScorecardReport
	v.as(v.tok("supervisor"), "GET", "/api/v1/scorecards?level=department", "").json(t, &cards)
	counted := false
	for _, c := range cards.Items {
		counted = counted || (c.ID == dept && c.Received == 1 && c.Finished == 1 && c.OnTime == 1)
	}
	if !counted {
		t.Errorf("scorecards %+v: want 市场监督管理局 with the request received and finished on time", cards.Items)
	}
	var feed app.List[store.Event]
	v.x.Eventually("the request's end in the feed", func() bool {
		v.withKey(key, "GET", "/api/v1/events?caseId="+caseID, "").json(t, &feed)
		return len(feed.Items) > 0 && feed.Items[len(feed.Items)-1].Type == app.EventCaseFinished
	})
	var types []string
	for _, e := range feed.Items {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, ","); got != "disclosure.filed,step.completed,step.completed,disclosure.extended,step.completed,case.finished" {
		t.Errorf("events %s", got)
	}
	// The requester has no account; staff of the department list the request.
	var list app.List[store.DisclosureRequest]
	if v.withKey(key, "GET", "/api/v1/disclosure-requests", "").json(t, &list); len(list.Items) != 1 || list.Items[0].ID != req.ID {
		t.Errorf("the system's list %+v", list.Items)
	}
	if v.as(v.tok("reviewer-fgj"), "GET", "/api/v1/disclosure-requests", "").json(t, &list); len(list.Items) != 0 {
		t.Errorf("another department's list %+v", list.Items)
	}
}

// TestDisclosureRequestIsSupervised: a request's 20 working days raise a warning and an
// overdue alert like a case's limit, attributed to the department asked, listed for its
// supervisor, told to the feed and counted by the department's scorecard; the extension moves
// the overdue alert to the new limit, and the request replied after it is finished late.
func TestDisclosureRequestIsSupervised(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	ctx := context.Background()
	dept := v.unitID("scjgj")
	r := v.do("POST", "/api/v1/disclosure-requests", mustJSON(map[string]any{"departmentId": dept, "description": "2025年食品抽检不合格企业名单",
		"delivery": "post", "contactAddress": "广西北流市城南路1号", "requesterName": "王五", "contactPhone": "13900000000"}))
	if r.Code != http.StatusCreated {
		t.Fatalf("file: %d %s", r.Code, r.Body)
	}
	var req app.DisclosureView
	r.json(t, &req)
	caseID := req.ProcessCaseID
	for _, step := range []string{"register", "assign"} {
		task := app.PublicID(v.x.OpenTask(caseID, step))
		if r := v.as(v.tok("supervisor"), "POST", "/api/v1/tasks/"+task+"/complete", "{}"); r.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", step, r.Code, r.Body)
		}
	}
	v.x.OpenTask(caseID, "reply")
	key, _ := v.systemKey()
	row, err := store.GetCaseState(ctx, v.db, caseID)
	if err != nil || row.DueAt == nil {
		t.Fatalf("case %+v (%v)", row, err)
	}
	if due := v.fireClockAlarm(caseID, "case:warning"); !due.Before(*row.DueAt) {
		t.Fatalf("the warning is due %v, not before the limit %v", due, row.DueAt)
	}
	v.caseEvents(key, caseID, app.EventCaseWarning)

	// The extension: the limit grows by 20 working days and the overdue alert with it.
	if r := v.withKey(key, "POST", "/api/v1/disclosure-requests/"+req.ID+"/extend", `{"reason":"需征求第三方意见"}`); r.Code != http.StatusOK {
		t.Fatalf("extend: %d %s", r.Code, r.Body)
	}
	v.x.Eventually("the limit extended", func() bool {
		row, err = store.GetCaseState(ctx, v.db, caseID)
		return err == nil && row.PromisedDays != nil && *row.PromisedDays == 40
	})
	var stale string
	if err := v.db.GetContext(ctx, &stale, v.db.Rebind(`SELECT state FROM alarms WHERE case_id = ? AND channel = 'alarm/case:overdue'`), caseID); err != nil ||
		stale != "cancelled" {
		t.Fatalf("the overdue alarm of the first limit: %q (%v), want cancelled", stale, err)
	}
	if due := v.fireClockAlarm(caseID, "case:overdue:ext1"); !due.Equal(*row.DueAt) {
		t.Fatalf("the extended overdue alarm is due %v, the extended limit %v", due, row.DueAt)
	}
	v.caseEvents(key, caseID, app.EventCaseOverdue)

	// The supervisor over the department sees both alerts, the department's.
	var alerts app.List[store.SupervisedAlert]
	v.as(v.tok("supervisor"), "GET", "/api/v1/supervision/alerts?caseId="+caseID, "").json(t, &alerts)
	kinds := map[string]bool{}
	for _, al := range alerts.Items {
		kinds[al.Kind+"/"+al.Scope] = true
		if deref(al.DepartmentID) != dept {
			t.Errorf("alert %+v: want the department asked", al)
		}
	}
	if len(alerts.Items) != 2 || !kinds["warning/case"] || !kinds["overdue/case"] {
		t.Fatalf("alerts %+v", alerts.Items)
	}
	// Replied after the alert: finished, late, on the department's scorecard.
	var open app.DisclosureView
	v.withKey(key, "GET", "/api/v1/disclosure-requests/"+req.ID, "").json(t, &open)
	if len(open.OpenTasks) != 1 {
		t.Fatalf("open steps %+v", open.OpenTasks)
	}
	if r := v.withKey(key, "POST", "/api/v1/tasks/"+open.OpenTasks[0].TaskID+"/complete", `{"outcome":"notHeld","variables":{"reply":"经检索，本机关未制作该信息。"}}`); r.Code != http.StatusAccepted {
		t.Fatalf("reply: %d %s", r.Code, r.Body)
	}
	v.caseEvents(key, caseID, app.EventCaseFinished)
	var cards app.ScorecardReport
	v.as(v.tok("supervisor"), "GET", "/api/v1/scorecards?level=department", "").json(t, &cards)
	var card *app.Scorecard
	for i := range cards.Items {
		if cards.Items[i].ID == dept {
			card = &cards.Items[i]
		}
	}
	if card == nil || card.Received != 1 || card.Finished != 1 || card.Warnings != 1 || card.Overdue != 1 {
		t.Fatalf("the department's scorecard %+v", card)
	}
}

// TestDisclosureRequestOfAnAccount: a signed-in requester's name and phone come from the
// profile and the reply is delivered online; the request is theirs to read and nobody
// else's; the extension is refused beyond 20 days, to staff who do not deal with it, and
// after the reply.
func TestDisclosureRequestOfAnAccount(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	r := v.as(v.tok("applicant1"), "POST", "/api/v1/disclosure-requests", mustJSON(map[string]any{"departmentId": v.unitID("scjgj"),
		"description": "本人名下食品经营许可的监督检查记录"}))
	if r.Code != http.StatusCreated {
		t.Fatalf("file: %d %s", r.Code, r.Body)
	}
	var req app.DisclosureView
	r.json(t, &req)
	if req.RequesterName != "李明" || req.ContactPhone != "13800000001" || req.Delivery != store.DeliveryOnline || req.RequesterID == nil {
		t.Fatalf("request %+v: want the profile's name and phone, online", req.DisclosureRequest)
	}
	path := "/api/v1/disclosure-requests/" + req.ID
	var mine app.List[store.DisclosureRequest]
	if v.as(v.tok("applicant1"), "GET", "/api/v1/disclosure-requests", "").json(t, &mine); len(mine.Items) != 1 || mine.Items[0].ID != req.ID {
		t.Fatalf("the requester's list %+v", mine.Items)
	}
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateUser(context.Background(), v.db, &store.User{Username: "applicant2", DisplayName: "王芳", Kind: store.UserApplicant,
		PasswordHash: hash, RealName: "王芳", IDCard: "11010519491231002X", Phone: "13800000002"}); err != nil {
		t.Fatal(err)
	}
	other := v.tok("applicant2")
	expectError(t, v.as(other, "GET", path, ""), http.StatusNotFound, codeNotFound)
	if v.as(other, "GET", "/api/v1/disclosure-requests", "").json(t, &mine); len(mine.Items) != 0 {
		t.Fatalf("another applicant's list %+v", mine.Items)
	}
	for _, step := range []string{"register", "assign"} {
		task := app.PublicID(v.x.OpenTask(req.ProcessCaseID, step))
		if r := v.as(v.tok("supervisor"), "POST", "/api/v1/tasks/"+task+"/complete", "{}"); r.Code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", step, r.Code, r.Body)
		}
	}
	reply := app.PublicID(v.x.OpenTask(req.ProcessCaseID, "reply"))
	key, _ := v.systemKey()
	expectError(t, v.withKey(key, "POST", path+"/extend", `{"reason":"需征求第三方意见","days":21}`), http.StatusBadRequest, codeValidation)
	expectError(t, v.as(v.tok("applicant1"), "POST", path+"/extend", `{"reason":"需征求第三方意见"}`), http.StatusForbidden, app.CodeNoAuthority)
	if r := v.withKey(key, "POST", "/api/v1/tasks/"+reply+"/complete", `{"outcome":"withhold","variables":{"reply":"该信息属于执法案卷，依法不予公开。"}}`); r.Code != http.StatusAccepted {
		t.Fatalf("reply: %d %s", r.Code, r.Body)
	}
	v.x.WaitStatus(req.ProcessCaseID, "completed")
	expectError(t, v.withKey(key, "POST", path+"/extend", `{"reason":"需征求第三方意见"}`), http.StatusConflict, app.CodeRequestClosed)
	// The reply reaches the requester's account.
	var view app.DisclosureView
	if v.as(v.tok("applicant1"), "GET", path, "").json(t, &view); view.Status != "completed" || view.ReplyType != "withhold" || !strings.Contains(view.Reply, "不予公开") {
		t.Fatalf("the requester reads %+v", view)
	}
	v.x.Eventually("the reply in the requester's notifications", func() bool {
		ns, err := store.UserNotifications(context.Background(), v.db, v.userID("applicant1"), false, 10, store.TimeKey{})
		return err == nil && len(ns) == 1 && ns[0].Title == "政府信息公开申请答复"
	})
}
