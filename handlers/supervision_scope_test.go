package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
)

// addUser creates a staff user with role in the unit with code, and signs them in.
func (v *supEnv) addUser(username, code, role string) string {
	v.t.Helper()
	ctx := context.Background()
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		v.t.Fatal(err)
	}
	u := &store.User{Username: username, DisplayName: username, Kind: store.UserStaff, PasswordHash: hash}
	if err := store.CreateUser(ctx, v.db, u); err != nil {
		v.t.Fatal(err)
	}
	if err := store.AddMembership(ctx, v.db, &store.Membership{UserID: u.ID, OrgUnitID: v.unitID(code), Role: role}); err != nil {
		v.t.Fatal(err)
	}
	return v.login(username)
}

// A supervisor of 民乐镇 sees exactly the township's part of the org tree on every
// supervision view (issue 10, defect 4): not the county's cases, their alerts, timelines,
// ratings and complaints (with the complainant's phone), nor notifications about them. The
// county's supervisor sees the township's as well as the county's.
func TestSupervisorSeesTheirSubtree(t *testing.T) {
	v := newRatingEnv(t)
	v.x.Deploy("limited", limitedXML)
	v.x.Deploy("receipt", receiptXML)
	ctx := context.Background()
	longAgo := time.Now().AddDate(0, -2, 0)
	limits := &engine.Limits{PromisedDays: 5, StatutoryDays: 20}
	start := func(def, calendarUnit, wait string, vars map[string]any) string {
		t.Helper()
		id := "C-" + store.NewID()
		if err := v.x.Engine.StartCase(ctx, engine.CaseInput{CaseID: id, Definition: def, ReceivedAt: longAgo, Limits: limits,
			CalendarUnit: v.unitID(calendarUnit), Vars: vars}); err != nil {
			t.Fatal(err)
		}
		v.x.OpenTask(id, wait)
		return id
	}
	// The county's: a 住建局 case and a case of no department, both overdue; the township's:
	// a case of its village station, overdue too.
	county := start("limited", "zjj", "review", map[string]any{"department": "zjj", "leadSection": "zjj-xzsp", "reviewer": v.userID("reviewer-zjj")})
	nodept := start("receipt", "zwzx-01", "work", nil)
	local := start("receipt", demo.VillageStation, "work", nil)
	for _, id := range []string{county, nodept, local} {
		v.x.Eventually("the overdue alerts of "+id+", attributed", func() bool {
			list, _ := store.ListAlerts(ctx, v.db, store.AlertFilter{CaseID: id, Kind: store.AlertOverdue})
			return len(list) >= 2 && !slices.ContainsFunc(list, func(a store.SupervisedAlert) bool { return a.EnrichedAt == nil })
		})
	}
	// A finished county case, rated and complained about by its applicant.
	applicant := v.login("applicant1")
	served := v.servedCase(v.userID("applicant1"), true)
	if r := v.as(applicant, "POST", "/api/v1/cases/"+served+"/rating", `{"level":"satisfied"}`); r.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Code, r.Body)
	}
	complaint := fileComplaint(t, v, applicant, `{"subject":"case","caseId":"`+served+`","content":"审批超时未告知原因"}`)

	minle := v.addUser("sup-minle", demo.Township1, store.RoleSupervisor)
	countySup := v.login("supervisor")
	caseIDs := func(token, path string) []string {
		t.Helper()
		r := v.as(token, "GET", path, "")
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.Code, r.Body)
		}
		var l app.List[struct {
			ID     string `json:"id"`
			CaseID string `json:"caseId"`
		}]
		r.json(t, &l)
		var out []string
		for _, x := range l.Items {
			id := x.CaseID
			if strings.HasPrefix(path, "/api/v1/supervision/cases") {
				id = x.ID
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}

	// The township's supervisor: their station's case, nothing of the county's.
	if got := caseIDs(minle, "/api/v1/supervision/alerts?limit=200"); !slices.Equal(got, []string{local}) {
		t.Errorf("民乐镇's alerts are about %v, want %s only", got, local)
	}
	if got := caseIDs(minle, "/api/v1/supervision/cases?limit=200"); !slices.Equal(got, []string{local}) {
		t.Errorf("民乐镇's supervised cases %v, want %s only", got, local)
	}
	var counts app.CaseCounts
	v.as(minle, "GET", "/api/v1/supervision/counts", "").json(t, &counts)
	if counts.Total != 1 {
		t.Errorf("民乐镇's counts %+v, want its one case", counts)
	}
	for _, id := range []string{county, nodept, served} {
		expectError(t, v.as(minle, "GET", "/api/v1/supervision/cases/"+id+"/timeline", ""), http.StatusNotFound, codeNotFound)
	}
	if r := v.as(minle, "GET", "/api/v1/supervision/cases/"+local+"/timeline", ""); r.Code != http.StatusOK {
		t.Errorf("民乐镇's own case's timeline: %d %s", r.Code, r.Body)
	}
	expectError(t, v.as(minle, "GET", "/api/v1/cases/"+served+"/rating", ""), http.StatusNotFound, codeNotFound)
	if got := caseIDs(minle, "/api/v1/complaints"); len(got) != 0 {
		t.Errorf("民乐镇 lists complaints about %v", got)
	}
	r := v.as(minle, "GET", "/api/v1/complaints/"+complaint.ID, "")
	expectError(t, r, http.StatusNotFound, codeNotFound)
	if strings.Contains(r.Body.String(), "13800000001") {
		t.Error("the complainant's phone leaked")
	}
	var sc app.ScorecardReport
	v.as(minle, "GET", "/api/v1/scorecards?level=department", "").json(t, &sc)
	if len(sc.Items) != 0 {
		t.Errorf("民乐镇 reads the scorecards of %+v", sc.Items)
	}
	var ns app.List[store.Notification]
	v.as(minle, "GET", "/api/v1/notifications", "").json(t, &ns)
	if len(ns.Items) != 0 {
		t.Errorf("民乐镇's supervisor was told of %+v", ns.Items)
	}

	// The county's supervisor: all of it.
	if got := caseIDs(countySup, "/api/v1/supervision/alerts?limit=200"); !slices.Contains(got, county) || !slices.Contains(got, nodept) || !slices.Contains(got, local) {
		t.Errorf("the county's alerts are about %v", got)
	}
	if got := caseIDs(countySup, "/api/v1/supervision/cases?limit=200"); !slices.Contains(got, local) || !slices.Contains(got, county) {
		t.Errorf("the county's supervised cases %v", got)
	}
	if r := v.as(countySup, "GET", "/api/v1/cases/"+served+"/rating", ""); r.Code != http.StatusOK {
		t.Errorf("the county reads the rating: %d %s", r.Code, r.Body)
	}
	if got := v.complaint(countySup, complaint.ID); got.ContactPhone != "13800000001" {
		t.Errorf("the county's complaint %+v", got)
	}
}
