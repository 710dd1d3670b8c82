package handlers

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/demo"
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
	sup := store.Supervision{DB: db}
	o := enginetest.Options{Calendars: &store.Calendars{DB: db}, OnAlert: sup.OnAlert, Observer: sup.Observe, Handlers: sup.Handlers()}
	for _, f := range opts {
		f(&o)
	}
	x := enginetest.Start(t, db, o)
	s := newTestServer(t, db, func(d *testConfig) { d.Engine = x.Engine })
	return &supEnv{testServer: s, x: x}
}

// startLimited starts a case of the receipt process received at received, with limits.
func (v *supEnv) startLimited(received time.Time, limits *engine.Limits) string {
	v.t.Helper()
	caseID := "C-" + store.NewID()
	if err := v.x.Engine.StartCase(context.Background(), engine.CaseInput{CaseID: caseID, Definition: "receipt", ReceivedAt: received, Limits: limits,
		CalendarUnit: v.unitID(demo.CountyCode)}); err != nil {
		v.t.Fatal(err)
	}
	v.x.OpenTask(caseID, "work")
	return caseID
}

func (v *supEnv) caseRow(caseID string) *store.CaseRow {
	v.t.Helper()
	c, err := store.GetCaseRow(context.Background(), v.db, caseID)
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
	expectError(t, v.as(v.login("applicant1"), "POST", path, `{"kind":"hearing","reason":"x"}`), http.StatusForbidden, codeForbidden)
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
	e = expectError(t, v.as(clerk, "POST", end, ""), http.StatusConflict, codeProcedureNotOpen)
	if e.Message == "" {
		t.Fatal("no message")
	}
	expectError(t, v.as(clerk, "POST", path+"/"+store.NewID()+"/end", ""), http.StatusNotFound, codeNotFound)

	r = v.as(v.login("supervisor"), "GET", path, "")
	var list ProcedureList
	r.json(t, &list)
	if r.Code != http.StatusOK || len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Fatalf("list: %d %s", r.Code, r.Body)
	}

	// A case that has ended takes no procedure.
	v.x.Complete(v.x.OpenTask(caseID, "work"), "", nil)
	v.x.WaitStatus(caseID, "completed")
	expectError(t, v.as(clerk, "POST", path, `{"kind":"expert_review","reason":"x"}`), http.StatusConflict, codeCaseEnded)
}
