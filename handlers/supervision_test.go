package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/store"
)

// limitedXML: received (the clock starts as of receipt) → review by the lead section, assigned
// to ${reviewer}, with a step limit of 2 working days → end.
var limitedXML = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="limited" isExecutable="true"><startEvent id="s"/>
  <intermediateThrowEvent id="deemed" ow:clock="startAtReceipt"/>
  <userTask id="review" name="审核" flowable:candidateGroups="${leadSection}" flowable:assignee="${reviewer}" ow:stepKind="review" ow:timeLimit="2"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="deemed"/><sequenceFlow id="f2" sourceRef="deemed" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="e"/></process></definitions>`)

func (v *supEnv) userID(name string) string {
	v.t.Helper()
	u, err := store.GetUserByUsername(context.Background(), v.db, name)
	if err != nil {
		v.t.Fatal(err)
	}
	return u.ID
}

func TestSupervisionViews(t *testing.T) {
	v := newSupEnv(t)
	v.now = time.Now() // the views count working time up to the server's now
	v.x.Deploy("limited", limitedXML)
	v.x.Deploy("receipt", receiptXML)
	ctx := context.Background()
	reviewer := v.userID("reviewer-zjj")
	zjj := v.unitID("zjj")
	start := func(received time.Time, limits *engine.Limits) string {
		t.Helper()
		id := "C-" + store.NewID()
		err := v.x.Engine.StartCase(ctx, engine.CaseInput{CaseID: id, Definition: "limited", ReceivedAt: received, Limits: limits, CalendarUnit: zjj,
			Vars: map[string]any{"department": "zjj", "leadSection": "zjj-xzsp", "reviewer": reviewer, "itemId": "I-1", "itemName": "建设工程规划许可"}})
		if err != nil {
			t.Fatal(err)
		}
		v.x.OpenTask(id, "review")
		return id
	}
	late := start(time.Now().AddDate(0, -2, 0), &engine.Limits{PromisedDays: 5, StatutoryDays: 20})
	fresh := start(time.Now(), &engine.Limits{PromisedDays: 10, StatutoryDays: 20})
	paused := start(time.Now(), &engine.Limits{PromisedDays: 10, StatutoryDays: 20})
	none := "C-" + store.NewID()
	if err := v.x.Engine.StartCase(ctx, engine.CaseInput{CaseID: none, Definition: "receipt", CalendarUnit: v.unitID("fgj")}); err != nil {
		t.Fatal(err)
	}
	v.x.OpenTask(none, "work")
	clerk := v.login("clerk1")
	// The reviewer the step is assigned to pauses the clock.
	rev := v.login("reviewer-zjj")
	if r := v.as(rev, "POST", "/api/v1/cases/"+paused+"/procedures", `{"kind":"expert_review","reason":"组织专家评审"}`); r.Code != http.StatusCreated {
		t.Fatalf("procedure: %d %s", r.Code, r.Body)
	}
	v.x.Eventually("the late case's three alerts, enriched", func() bool {
		list, _ := store.ListAlerts(ctx, v.db, store.AlertFilter{CaseID: late})
		n := 0
		for _, a := range list {
			if a.DepartmentID != nil && a.PersonID != nil {
				n++
			}
		}
		return n == 3
	})
	v.x.Eventually("the paused clock", func() bool { return v.caseRow(paused).ClockState == "paused" })

	sup := v.login("supervisor")
	alerts := func(query string) []store.SupervisedAlert {
		t.Helper()
		r := v.as(sup, "GET", "/api/v1/supervision/alerts?"+query, "")
		if r.Code != http.StatusOK {
			t.Fatalf("alerts?%s: %d %s", query, r.Code, r.Body)
		}
		var l app.List[store.SupervisedAlert]
		r.json(t, &l)
		return l.Items
	}
	if got := alerts("kind=overdue&department=" + zjj + "&person=" + reviewer); len(got) != 2 {
		t.Errorf("overdue alerts of 住建局's reviewer: %d, want the case and statutory ones", len(got))
	}
	if got := alerts("scope=statutory"); len(got) != 1 || got[0].CaseID != late || deref(got[0].DepartmentName) != "北流市住房和城乡建设局" {
		t.Errorf("statutory alerts: %+v", got)
	}
	today := time.Now().In(cst).Format("2006-01-02")
	if got := alerts("from=" + today + "&kind=warning"); len(got) != 1 {
		t.Errorf("warnings since today: %d, want 1", len(got))
	}
	if got := alerts("to=2000-01-01"); len(got) != 0 {
		t.Errorf("alerts before 2000: %d", len(got))
	}
	expectError(t, v.as(sup, "GET", "/api/v1/supervision/alerts?kind=red", ""), http.StatusBadRequest, codeValidation)
	expectError(t, v.as(sup, "GET", "/api/v1/supervision/alerts?from=yesterday", ""), http.StatusBadRequest, codeValidation)
	expectError(t, v.as(v.login("applicant1"), "GET", "/api/v1/supervision/alerts", ""), http.StatusForbidden, codeForbidden)
	expectError(t, v.as(clerk, "GET", "/api/v1/supervision/cases", ""), http.StatusForbidden, codeForbidden)

	// Every open case with the working time it has left.
	cases := func(query string) app.List[app.SupervisedCase] {
		t.Helper()
		r := v.as(sup, "GET", "/api/v1/supervision/cases?count=true&"+query, "")
		if r.Code != http.StatusOK {
			t.Fatalf("cases?%s: %d %s", query, r.Code, r.Body)
		}
		var l app.List[app.SupervisedCase]
		r.json(t, &l)
		return l
	}
	var counts app.CaseCounts
	v.as(sup, "GET", "/api/v1/supervision/counts", "").json(t, &counts)
	l := cases("")
	if intOf(l.Total) != 4 || counts.Total != 4 || counts.Overdue != 1 || counts.Paused != 1 || counts.None != 1 || counts.Normal+counts.Warning != 1 {
		t.Fatalf("open cases: total %d, counts %+v", intOf(l.Total), counts)
	}
	if l.Items[0].ID != late || *l.Items[0].RemainingDays >= 0 || l.Items[0].Overdue != 2 || l.Items[0].DepartmentID != zjj || l.Items[0].ItemName != "建设工程规划许可" {
		t.Errorf("first by remaining time: %+v, want the late case, overdue", l.Items[0])
	}
	if last := l.Items[3]; last.ID != none || last.RemainingDays != nil {
		t.Errorf("last: %+v, want the case without limits", last)
	}
	if l.Items[1].ID != fresh || *l.Items[1].RemainingDays > 10 || *l.Items[1].RemainingDays < 9 {
		t.Errorf("second: %+v, want the fresh case with 10 days left or a little less", l.Items[1])
	}
	if l := cases("sort=remaining&order=desc"); l.Items[0].ID == late || l.Items[3].ID != none {
		t.Errorf("descending: %v first, %v last", l.Items[0].ID, l.Items[3].ID)
	}
	if l := cases("state=overdue"); intOf(l.Total) != 1 || l.Items[0].ID != late {
		t.Errorf("overdue: %+v", l.Items)
	}
	if l := cases("state=paused"); intOf(l.Total) != 1 || l.Items[0].ID != paused || l.Items[0].Clock != "paused" {
		t.Errorf("paused: %+v", l.Items)
	}
	if l := cases("sort=alerts&limit=1"); len(l.Items) != 1 || l.Items[0].ID != late || intOf(l.Total) != 4 || l.Next == "" {
		t.Errorf("by alerts, one page: %+v", l)
	}
	if l := cases("department=" + zjj); intOf(l.Total) != 3 {
		t.Errorf("住建局's cases: %d, want 3", intOf(l.Total))
	}
	if l := cases("sort=alerts&limit=1&after=" + cases("sort=alerts&limit=1").Next); len(l.Items) != 1 || l.Items[0].ID == late {
		t.Errorf("the second page by alerts: %+v", l.Items)
	}

	// The late case's timeline: deemed received two months ago, its alerts and its step.
	r := v.as(sup, "GET", "/api/v1/supervision/cases/"+url.PathEscape(late)+"/timeline", "")
	if r.Code != http.StatusOK {
		t.Fatalf("timeline: %d %s", r.Code, r.Body)
	}
	var tl app.CaseTimeline
	r.json(t, &tl)
	if tl.Case.State != "overdue" || tl.Case.ClockReason == nil || !strings.Contains(*tl.Case.ClockReason, "§32") || len(tl.Alerts) != 3 {
		t.Errorf("timeline case %+v, %d alerts", tl.Case, len(tl.Alerts))
	}
	if len(tl.Tasks) != 1 || tl.Tasks[0].DueAt == nil || tl.Tasks[0].LimitDays != 2 || tl.Tasks[0].Late {
		t.Errorf("timeline tasks %+v", tl.Tasks)
	}
	if len(tl.Events) < 5 || tl.Events[0].Kind != "clockStarted" || tl.Events[1].Kind != "started" {
		t.Errorf("events %+v, want the clock started as of receipt, before the case started", tl.Events)
	}
	r = v.as(sup, "GET", "/api/v1/supervision/cases/"+url.PathEscape(paused)+"/timeline", "")
	r.json(t, &tl)
	if len(tl.Pauses) != 1 || tl.Pauses[0].Kind != "expert_review" || tl.Pauses[0].Reason != "组织专家评审" || tl.Pauses[0].StartedBy != reviewer || tl.Pauses[0].ProcedureID == "" {
		t.Errorf("paused case's pauses %+v, want the expert review with who and why", tl.Pauses)
	}
	expectError(t, v.as(sup, "GET", "/api/v1/supervision/cases/C-none/timeline", ""), http.StatusNotFound, codeNotFound)

	// The reviewer reads their notifications and marks one read.
	r = v.as(rev, "GET", "/api/v1/notifications", "")
	var nl app.List[store.Notification]
	r.json(t, &nl)
	if r.Code != http.StatusOK || len(nl.Items) != 3 {
		t.Fatalf("reviewer's notifications: %d %s", r.Code, r.Body)
	}
	if r := v.as(rev, "POST", "/api/v1/notifications/"+nl.Items[0].ID+"/read", ""); r.Code != http.StatusOK {
		t.Fatalf("read: %d %s", r.Code, r.Body)
	}
	r = v.as(rev, "GET", "/api/v1/notifications?unread=true", "")
	r.json(t, &nl)
	if len(nl.Items) != 2 {
		t.Errorf("unread after reading one: %d", len(nl.Items))
	}
	expectError(t, v.as(sup, "POST", "/api/v1/notifications/"+nl.Items[0].ID+"/read", ""), http.StatusNotFound, codeNotFound)
}

func intOf(n *int) int {
	if n == nil {
		return -1
	}
	return *n
}
