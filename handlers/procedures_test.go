package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// supEnv is the API over a demo database with a running engine that counts on the database's
// calendars.
type supEnv struct {
	*testServer
	x *enginetest.Env
}

func newSupEnv(t *testing.T, opts ...func(*enginetest.Options)) *supEnv {
	db := storetest.SQLite(t)
	var x *enginetest.Env
	s := newTestServer(t, db, func(d *testConfig) {
		d.StartEngine = func(h app.EngineHooks) *engine.Engine {
			o := enginetest.Options{Calendars: &store.Calendars{DB: db}, OnAlert: h.OnAlert, Observer: h.Observer, Handlers: h.Handlers}
			for _, f := range opts {
				f(&o)
			}
			x = enginetest.Start(t, db, o)
			return x.Engine
		}
	})
	s.now = time.Now() // the engine runs on the wall clock: so does the App
	return &supEnv{testServer: s, x: x}
}

// startLimited starts a case of the receipt process received at received, with limits.
func (v *supEnv) startLimited(received time.Time, limits *engine.Limits) string {
	v.t.Helper()
	caseID := "C-" + store.NewID()
	// Window 1's case (the receipt's step is window 1's), counted on the window's calendar.
	in := engine.CaseInput{CaseID: caseID, Definition: "receipt", ReceivedAt: received, Limits: limits, CalendarUnit: v.unitID("zwzx-01")}
	if err := v.x.Engine.StartCase(context.Background(), in); err != nil {
		v.t.Fatal(err)
	}
	v.x.OpenTask(caseID, "work")
	return caseID
}

func (v *supEnv) caseRow(caseID string) *store.CaseState {
	v.t.Helper()
	c, err := store.GetCaseState(context.Background(), v.db, caseID)
	if err != nil {
		v.t.Fatal(err)
	}
	return c
}

func TestSpecialProcedurePausesTheClock(t *testing.T) {
	v := newSupEnv(t)
	v.x.Deploy("receipt", receiptXML)
	caseID := v.startLimited(time.Now(), &engine.Limits{PromisedDays: 10, StatutoryDays: 20})
	path := "/api/v1/cases/" + url.PathEscape(caseID) + "/procedures"
	clerk := v.login("clerk1")
	v.x.Eventually("the clock to run", func() bool { return v.caseRow(caseID).ClockState == "running" })
	dueBefore := *v.caseRow(caseID).DueAt

	// Bad input first: nothing is stored and the clock keeps running.
	for _, body := range []string{`{"kind":"hearing"}`, `{"kind":"hearing","reason":"   "}`} {
		e := expectError(t, v.as(clerk, "POST", path, body), http.StatusBadRequest, codeValidation)
		if len(e.Fields) != 1 || e.Fields[0].Field != "reason" {
			t.Fatalf("a pause without a reason: %+v, want the field reason named", e)
		}
	}
	e := expectError(t, v.as(clerk, "POST", path, `{"kind":"holiday","reason":"x"}`), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "kind" {
		t.Fatalf("unknown kind: %+v", e)
	}
	// An applicant who is not the case's finds no case.
	expectError(t, v.as(v.login("applicant1"), "POST", path, `{"kind":"hearing","reason":"x"}`), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(clerk, "POST", "/api/v1/cases/C-nosuchcase/procedures", `{"kind":"hearing","reason":"x"}`), http.StatusNotFound, codeNotFound)
	// A reviewer of another department does not deal with the case: it looks like no case.
	expectError(t, v.as(v.login("reviewer-mzj"), "POST", path, `{"kind":"hearing","reason":"x"}`), http.StatusNotFound, codeNotFound)

	r := v.as(clerk, "POST", path, `{"kind":"hearing","reason":"申请人要求听证"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Code, r.Body)
	}
	var p store.Procedure
	r.json(t, &p)
	if p.State != "open" || p.Kind != "hearing" || p.Reason != "申请人要求听证" || p.StartedBy == "" {
		t.Fatalf("procedure %+v", p)
	}
	v.x.Eventually("the clock to pause", func() bool {
		c := v.caseRow(caseID)
		return c.ClockState == "paused" && c.DueAt == nil
	})
	pauses, _ := store.CasePauses(context.Background(), v.db, caseID)
	if len(pauses) != 1 || pauses[0].Holder != p.PauseHolder() || pauses[0].Kind != "hearing" || pauses[0].Reason != "申请人要求听证" {
		t.Fatalf("pauses %+v, want the hearing's with its reason", pauses)
	}

	end := path + "/" + p.ID + "/end"
	r = v.as(clerk, "POST", end, `{"note":"听证会已举行"}`)
	if r.Code != http.StatusOK {
		t.Fatalf("end: %d %s", r.Code, r.Body)
	}
	r.json(t, &p)
	if p.State != "ended" || p.EndedAt == nil || p.EndNote == nil || *p.EndNote != "听证会已举行" {
		t.Fatalf("ended procedure %+v", p)
	}
	v.x.Eventually("the clock to run again", func() bool {
		c := v.caseRow(caseID)
		return c.ClockState == "running" && c.DueAt != nil
	})
	if after := *v.caseRow(caseID).DueAt; after.Before(dueBefore) {
		t.Fatalf("due %v after the pause, before %v: a pause never brings the due date forward", after, dueBefore)
	}
	e = expectError(t, v.as(clerk, "POST", end, ""), http.StatusConflict, app.CodeProcedureNotOpen)
	if e.Message == "" {
		t.Fatal("no message")
	}
	expectError(t, v.as(clerk, "POST", path+"/"+store.NewID()+"/end", ""), http.StatusNotFound, codeNotFound)

	r = v.as(v.login("supervisor"), "GET", path, "")
	var list app.List[store.Procedure]
	r.json(t, &list)
	if r.Code != http.StatusOK || len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Fatalf("list: %d %s", r.Code, r.Body)
	}

	// A case that has ended takes no procedure.
	v.x.Complete(v.x.OpenTask(caseID, "work"), "", nil)
	v.x.WaitStatus(caseID, "completed")
	expectError(t, v.as(clerk, "POST", path, `{"kind":"expert_review","reason":"x"}`), http.StatusConflict, codeCaseEnded)
}

// handoffXML: a step of 卫健局's section, then one of 市场监管局's (of no step kind, so that
// no delegation grant covers it), then the end.
var handoffXML = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn" targetNamespace="t">
<process id="handoff" isExecutable="true"><startEvent id="s"/>
  <userTask id="first" name="会商" flowable:candidateGroups="wjj-xzsp"/><userTask id="second" name="审查" flowable:candidateGroups="scjgj-xzsp"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="first"/><sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
  <sequenceFlow id="f3" sourceRef="second" targetRef="e"/></process></definitions>`)

// Special procedures are for who deals with the case now (issue 10, defect 3): staff with
// authority over its current step, or a clerk of the window it was submitted at. A 卫健局
// reviewer who sees a 市场监管局 case (their section worked on an earlier step) may not pause
// its clock; neither may a supervisor or an admin, who see every case of theirs.
func TestProcedureAuthority(t *testing.T) {
	v := newSupEnv(t)
	v.x.Deploy("handoff", handoffXML)
	ctx := context.Background()
	caseID := "C-" + store.NewID()
	if err := v.x.Engine.StartCase(ctx, engine.CaseInput{CaseID: caseID, Definition: "handoff", CalendarUnit: v.unitID("scjgj")}); err != nil {
		t.Fatal(err)
	}
	first := v.x.OpenTask(caseID, "first")
	// A case submitted at window 2.
	if _, err := v.db.ExecContext(ctx, v.db.Rebind(`UPDATE cases SET number = ?, window_id = ? WHERE id = ?`), "T-"+caseID, v.unitID("zwzx-02"), caseID); err != nil {
		t.Fatal(err)
	}
	v.x.Complete(first, "", nil)
	v.x.OpenTask(caseID, "second")
	path := "/api/v1/cases/" + caseID + "/procedures"
	body := `{"kind":"on_site_survey","reason":"现场勘查经营场所"}`

	wjj := v.login("reviewer-wjj")
	if r := v.as(wjj, "GET", "/api/v1/cases/"+caseID, ""); r.Code != http.StatusOK {
		t.Fatalf("卫健局's reviewer sees the case: %d %s", r.Code, r.Body)
	}
	e := expectError(t, v.as(wjj, "POST", path, body), http.StatusForbidden, app.CodeNoAuthority)
	if !strings.Contains(e.Message, "审查") {
		t.Errorf("message %q, want the current step named", e.Message)
	}
	for _, who := range []string{"supervisor", "admin"} {
		expectError(t, v.as(v.login(who), "POST", path, body), http.StatusForbidden, app.CodeNoAuthority)
	}
	expectError(t, v.as(v.login("reviewer-mzj"), "POST", path, body), http.StatusNotFound, codeNotFound)
	if ps, _ := store.CaseProcedures(ctx, v.db, caseID); len(ps) != 0 {
		t.Fatalf("refused procedures stored: %+v", ps)
	}

	// 市场监管局's reviewer, whose section holds the current step, starts it.
	r := v.as(v.login("reviewer-scjgj"), "POST", path, body)
	if r.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Code, r.Body)
	}
	var p store.Procedure
	r.json(t, &p)
	end := path + "/" + p.ID + "/end"
	expectError(t, v.as(wjj, "POST", end, ""), http.StatusForbidden, app.CodeNoAuthority)
	// A clerk of the window the case was submitted at ends it.
	if r := v.as(v.login("clerk2"), "POST", end, `{"note":"勘查完毕"}`); r.Code != http.StatusOK {
		t.Fatalf("end by window 2's clerk: %d %s", r.Code, r.Body)
	}
}

// The supervision timeline shows the special procedures: who started one and why, and its
// end (issue 10, 17).
func TestSupervisionTimelineShowsProcedures(t *testing.T) {
	v := newSupEnv(t)
	v.x.Deploy("receipt", receiptXML)
	caseID := v.startLimited(time.Now(), &engine.Limits{PromisedDays: 10, StatutoryDays: 20})
	clerk := v.login("clerk1")
	r := v.as(clerk, "POST", "/api/v1/cases/"+caseID+"/procedures", `{"kind":"hearing","reason":"申请人要求听证"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Code, r.Body)
	}
	var p store.Procedure
	r.json(t, &p)
	if r := v.as(clerk, "POST", "/api/v1/cases/"+caseID+"/procedures/"+p.ID+"/end", `{"note":"听证会已举行"}`); r.Code != http.StatusOK {
		t.Fatalf("end: %d %s", r.Code, r.Body)
	}
	r = v.as(v.login("supervisor"), "GET", "/api/v1/supervision/cases/"+caseID+"/timeline", "")
	if r.Code != http.StatusOK {
		t.Fatalf("timeline: %d %s", r.Code, r.Body)
	}
	var tl app.CaseTimeline
	r.json(t, &tl)
	var started, ended *app.TimelineEvent
	for i, e := range tl.Events {
		switch e.Kind {
		case app.EventProcedureStarted:
			started = &tl.Events[i]
		case app.EventProcedureEnded:
			ended = &tl.Events[i]
		}
	}
	if started == nil || started.Ref != p.ID || !strings.Contains(started.Text, "申请人要求听证") || !strings.Contains(started.Text, "一号窗口 王丽") {
		t.Errorf("the procedure's start: %+v in %+v, want who and why", started, tl.Events)
	}
	if ended == nil || ended.Ref != p.ID || !strings.Contains(ended.Text, "听证会已举行") || ended.At.Before(started.At) {
		t.Errorf("the procedure's end: %+v", ended)
	}
}
