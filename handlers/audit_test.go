package handlers

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
)

// Supervisors read the audit trail of the cases and the users of their part of the org tree,
// page by page; others are refused or find nothing.
func TestAuditOfCaseAndUser(t *testing.T) {
	v := newRatingEnv(t)
	applicant := v.login("applicant1")
	served := v.servedCase(v.userID("applicant1"), true)
	if r := v.as(applicant, "POST", "/api/v1/cases/"+served+"/rating", `{"level":"satisfied"}`); r.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Code, r.Body)
	}
	// A case the county oversees (it counts on 住建局's calendar) and 民乐镇 does not.
	v.x.Deploy("receipt", receiptXML)
	overseen := "C-" + store.NewID()
	if err := v.x.Engine.StartCase(context.Background(), engine.CaseInput{CaseID: overseen, Definition: "receipt", ReceivedAt: time.Now(),
		Limits: &engine.Limits{PromisedDays: 5}, CalendarUnit: v.unitID("zjj")}); err != nil {
		t.Fatal(err)
	}
	v.x.OpenTask(overseen, "work")
	v.login("clerk1")
	county := v.login("supervisor")
	minle := v.addUser("sup-minle", demo.Township1, store.RoleSupervisor)

	// every reads a whole list two rows a page.
	every := func(token, path string) []store.AuditRow {
		t.Helper()
		var rows []store.AuditRow
		after := ""
		for pages := 0; pages < 50; pages++ {
			r := v.as(token, "GET", path+"?limit=2&after="+after, "")
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.Code, r.Body)
			}
			var l app.List[store.AuditRow]
			r.json(t, &l)
			rows = append(rows, l.Items...)
			if after = l.Next; after == "" {
				return rows
			}
		}
		t.Fatalf("%s: more than 50 pages", path)
		return nil
	}
	actions := func(rows []store.AuditRow) []string {
		var out []string
		for i, r := range rows {
			if i > 0 && r.Seq <= rows[i-1].Seq {
				t.Errorf("rows out of order: %d after %d", r.Seq, rows[i-1].Seq)
			}
			out = append(out, r.Action+" by "+r.ActorName)
		}
		return out
	}
	if got := actions(every(county, "/api/v1/supervision/cases/"+overseen+"/audit")); len(got) == 0 || got[0] != "case.step by engine" {
		t.Fatalf("the case's audit: %v", got)
	}
	if got := actions(every(v.login("admin"), "/api/v1/supervision/cases/"+served+"/audit")); !slices.Contains(got, "case.step by engine") ||
		!slices.Contains(got, "case.rate by applicant1") {
		t.Fatalf("the rated case's audit: %v", got)
	}
	expectError(t, v.as(minle, "GET", "/api/v1/supervision/cases/"+overseen+"/audit", ""), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(applicant, "GET", "/api/v1/supervision/cases/"+served+"/audit", ""), http.StatusForbidden, codeForbidden)
	expectError(t, v.as(county, "GET", "/api/v1/supervision/cases/"+overseen+"/audit?after=bogus", ""), http.StatusBadRequest, codeValidation)

	// A user's audit: the county's supervisor reads its clerks, no applicant; an admin anyone.
	if got := actions(every(county, "/api/v1/supervision/users/"+v.userID("clerk1")+"/audit")); !slices.Contains(got, "auth.login by clerk1") {
		t.Fatalf("clerk1's audit: %v", got)
	}
	expectError(t, v.as(county, "GET", "/api/v1/supervision/users/"+v.userID("applicant1")+"/audit", ""), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(minle, "GET", "/api/v1/supervision/users/"+v.userID("clerk1")+"/audit", ""), http.StatusNotFound, codeNotFound)
	got := actions(every(v.login("admin"), "/api/v1/supervision/users/"+v.userID("applicant1")+"/audit"))
	if !slices.Contains(got, "auth.login by applicant1") || !slices.Contains(got, "case.rate by applicant1") {
		t.Fatalf("applicant1's audit as the admin reads it: %v", got)
	}
}
