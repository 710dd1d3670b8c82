package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
)

// servedXML: acceptance by ${clerk} (a window clerk) for the lead section, then the end.
var servedXML = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn" xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="served" isExecutable="true"><startEvent id="s"/>
  <userTask id="acceptance" name="受理" flowable:candidateGroups="${leadSection}" flowable:assignee="${clerk}" ow:stepKind="acceptance"/>
  <endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="acceptance"/><sequenceFlow id="f2" sourceRef="acceptance" targetRef="e"/></process></definitions>`)

// servedCase starts a case of applicant served by clerk1 for 住建局; finished says whether to
// complete it.
func (v *supEnv) servedCase(applicant string, finished bool) string {
	v.t.Helper()
	id := v.x.StartCase("served", map[string]any{"applicant": applicant, "department": "zjj", "leadSection": "zjj-xzsp",
		"clerk": v.userID("clerk1"), "itemId": "I-9", "itemName": "建筑工程施工许可"})
	task := v.x.OpenTask(id, "acceptance")
	if finished {
		v.x.Complete(task, "", nil)
		v.x.WaitStatus(id, "completed")
	}
	return id
}

func newRatingEnv(t *testing.T) *supEnv {
	v := newSupEnv(t)
	v.x.Deploy("served", servedXML)
	if _, err := store.EnsureSupervisionFlows(context.Background(), v.db, "test"); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRatingAFinishedCase(t *testing.T) {
	v := newRatingEnv(t)
	applicant := v.userID("applicant1")
	tok := v.login("applicant1")
	done := v.servedCase(applicant, true)
	running := v.servedCase(applicant, false)
	path := func(id string) string { return "/api/v1/cases/" + url.PathEscape(id) + "/rating" }

	// Bad input and the wrong case: nothing is stored.
	e := expectError(t, v.as(tok, "POST", path(done), `{"level":"great"}`), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "level" || !strings.Contains(e.Fields[0].Message, "very_dissatisfied") {
		t.Fatalf("a level outside the five: %+v", e)
	}
	expectError(t, v.as(tok, "POST", path(done), `{}`), http.StatusBadRequest, codeValidation)
	expectError(t, v.as(tok, "POST", path(running), `{"level":"satisfied"}`), http.StatusConflict, app.CodeCaseNotFinished)
	expectError(t, v.as(tok, "POST", path("C-nosuchcase"), `{"level":"satisfied"}`), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(v.login("clerk1"), "POST", path(done), `{"level":"satisfied"}`), http.StatusForbidden, codeForbidden)
	other := v.otherApplicant()
	expectError(t, v.as(other, "POST", path(done), `{"level":"very_dissatisfied"}`), http.StatusNotFound, codeNotFound)

	r := v.as(tok, "POST", path(done), `{"level":"satisfied","comment":" 一次办好 "}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Code, r.Body)
	}
	var got store.Rating
	r.json(t, &got)
	if got.Score != 4 || got.Comment != "一次办好" || deref(got.DepartmentID) != v.unitID("zjj") || deref(got.WindowID) != v.unitID("zwzx-01") ||
		deref(got.PersonID) != v.userID("clerk1") || got.RectificationCaseID != nil {
		t.Fatalf("rating %+v", got)
	}
	expectError(t, v.as(tok, "POST", path(done), `{"level":"very_satisfied"}`), http.StatusConflict, app.CodeAlreadyRated)

	if r := v.as(tok, "GET", path(done), ""); r.Code != http.StatusOK {
		t.Fatalf("own rating: %d %s", r.Code, r.Body)
	}
	if r := v.as(v.login("supervisor"), "GET", path(done), ""); r.Code != http.StatusOK {
		t.Fatalf("supervisor reads a rating: %d %s", r.Code, r.Body)
	}
	expectError(t, v.as(other, "GET", path(done), ""), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(tok, "GET", path(running), ""), http.StatusNotFound, codeNotFound)
}

// otherApplicant registers a second applicant and signs them in.
func (v *supEnv) otherApplicant() string {
	v.t.Helper()
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		v.t.Fatal(err)
	}
	u := &store.User{Username: "applicant2", DisplayName: "王芳", Kind: store.UserApplicant, PasswordHash: hash,
		RealName: "王芳", IDCard: "11010519491231002X", Phone: "13800000002"}
	if err := store.CreateUser(context.Background(), v.db, u); err != nil {
		v.t.Fatal(err)
	}
	return v.login("applicant2")
}

func TestPoorRatingOpensARectification(t *testing.T) {
	v := newRatingEnv(t)
	applicant := v.userID("applicant1")
	done := v.servedCase(applicant, true)
	r := v.as(v.login("applicant1"), "POST", "/api/v1/cases/"+url.PathEscape(done)+"/rating", `{"level":"very_dissatisfied","comment":"材料被要求补了三次"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Code, r.Body)
	}
	var got store.Rating
	r.json(t, &got)
	if got.Score != 1 || got.RectificationCaseID == nil {
		t.Fatalf("rating %+v, want a rectification", got)
	}
	rect := *got.RectificationCaseID
	task := v.x.OpenTask(rect, "rectify")
	row := v.caseRow(rect)
	if row.DefinitionKey != standard.Rectification || row.PromisedDays == nil || *row.PromisedDays != 15 || row.DueAt == nil || row.ClockState != "running" {
		t.Fatalf("rectification case %+v, want std-rectification with a running clock of 15 working days", row)
	}
	tr, _ := store.GetTask(context.Background(), v.db, task)
	if tr.LimitDays != 15 || tr.DueAt == nil {
		t.Fatalf("rectify task %+v", tr)
	}
	groups := v.taskGroups(task)
	if !slices.Equal(groups, []string{"zjj-xzsp"}) {
		t.Fatalf("rectify offered to %v, want 住建局's section", groups)
	}
	// The section was told.
	v.x.Eventually("the section's notification", func() bool {
		ns, _ := store.UserNotifications(context.Background(), v.db, v.userID("reviewer-zjj"), false, 10, store.TimeKey{})
		return len(ns) == 1 && ns[0].Title == "差评整改通知" && strings.Contains(ns[0].Body, "材料被要求补了三次")
	})
	v.x.Complete(task, "", map[string]any{"rectification": "已约谈窗口人员"})
	follow := v.x.OpenTask(rect, "followUp")
	if g := v.taskGroups(follow); !slices.Equal(g, []string{demo.CountyCode}) {
		t.Fatalf("followUp offered to %v, want the county's supervisors", g)
	}
	v.x.Complete(follow, standard.OutcomeAccepted, nil)
	v.x.WaitStatus(rect, "completed")
	if s, err := v.app.SweepStarts(context.Background(), store.Now()); err != nil || s != 0 {
		t.Fatalf("sweeper found %d starts to redo (%v), want none", s, err)
	}
}

func (v *supEnv) taskGroups(taskID string) []string {
	v.t.Helper()
	var out []string
	if err := v.db.Select(&out, v.db.Rebind(`SELECT value FROM task_candidates WHERE task_id = ? AND kind = 'group' ORDER BY value`), taskID); err != nil {
		v.t.Fatal(err)
	}
	return out
}

// A case queued in a transaction whose request died before starting it is started by the
// sweeper, once.
func TestSweeperStartsQueuedCases(t *testing.T) {
	v := newRatingEnv(t)
	ctx := context.Background()
	in := &engine.CaseInput{CaseID: "R-" + store.NewID(), Definition: "served", Vars: map[string]any{"leadSection": "zjj-xzsp", "clerk": v.userID("clerk1")}}
	data, _ := json.Marshal(in)
	if err := store.QueueProcessStart(ctx, v.db, in.CaseID, data); err != nil {
		t.Fatal(err)
	}
	if n, err := v.app.SweepStarts(ctx, time.Now().Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("a start younger than the sweep age: %d started (%v), want 0", n, err)
	}
	if n, err := v.app.SweepStarts(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want 1", n, err)
	}
	v.x.OpenTask(in.CaseID, "acceptance")
	if n, err := v.app.SweepStarts(ctx, time.Now().Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("second sweep started %d (%v), want 0", n, err)
	}
}
