package handlers

import (
	"context"
	"net/http"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/store"
)

func TestScorecardAPI(t *testing.T) {
	s := newTestServer(t, nil)
	ctx := context.Background()
	sup, admin := s.login("supervisor"), s.login("admin")
	// One 发改局 case in the fourth quarter of 2025, accepted at window 1 by clerk1 under
	// delegation and finished on time, rated satisfied.
	clerk, _ := store.GetUserByUsername(ctx, s.db, "clerk1")
	applicant, _ := store.GetUserByUsername(ctx, s.db, "applicant1")
	at := time.Date(2025, 11, 3, 2, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content, state, current_version, created_by, created_at, updated_by, updated_at)
		VALUES ('I1', 'SC-I1', '事项', 'licence', 'promised', ?, 'std-promised', '{}', 'published', 1, 't', ?, 't', ?)`, s.unitID("fgj"), at, at)
	exec(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq, started_at, updated_at, ended_at, clock_state,
		clock_started_at, clock_stopped_at, promised_days, due_at, item_id, received_at) VALUES ('K1', 'std-promised', 1, 'completed', '{}', 1, ?, ?, ?, 'stopped', ?, ?, 5, ?, 'I1', ?)`,
		at, at, at.Add(48*time.Hour), at, at.Add(48*time.Hour), at.Add(7*24*time.Hour), at)
	if err := store.RecordAction(ctx, s.db, &store.Action{CaseID: "K1", StepKind: "acceptance", Action: store.ActionComplete, ActorID: clerk.ID,
		ActorName: clerk.DisplayName, Authority: "delegation", WindowID: s.unitID("zwzx-01"), At: at}); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO ratings (case_id, applicant_id, level, score, comment, department_id, window_id, person_id, rated_at)
		VALUES ('K1', ?, 'satisfied', 4, '', ?, ?, ?, ?)`, applicant.ID, s.unitID("fgj"), s.unitID("zwzx-01"), clerk.ID, at.Add(72*time.Hour))
	rebuildCounters(t, s.db) // the rows above were written past the store's functions

	get := func(query string) app.ScorecardReport {
		t.Helper()
		r := s.as(sup, "GET", "/api/v1/scorecards?"+query, "")
		if r.Code != http.StatusOK {
			t.Fatalf("scorecards?%s: %d %s", query, r.Code, r.Body)
		}
		var rep app.ScorecardReport
		r.json(t, &rep)
		return rep
	}
	rep := get("level=window&quarter=2025Q4")
	if len(rep.Items) != 1 || rep.Items[0].ID != s.unitID("zwzx-01") || rep.Items[0].Finished != 1 || rep.Items[0].OnTime != 1 ||
		rep.Items[0].RatingCount != 1 || rep.Items[0].Grade != app.GradeExcellent {
		t.Fatalf("window scorecards %+v", rep.Items)
	}
	if rep.From.In(cst).Format("2006-01-02") != "2025-10-01" || rep.To.In(cst).Format("2006-01-02") != "2026-01-01" {
		t.Fatalf("period %v to %v", rep.From, rep.To)
	}
	if rep := get("level=person&from=2025-11-01&to=2025-12-01"); len(rep.Items) != 1 || rep.Items[0].ID != clerk.ID {
		t.Fatalf("person scorecards %+v", rep.Items)
	}
	if rep := get("level=department&quarter=2025Q3"); len(rep.Items) != 0 {
		t.Fatalf("another quarter: %+v", rep.Items)
	}
	// Bad input.
	for _, q := range []string{"", "level=team", "level=window&quarter=2025Q5", "level=window&from=2025-11-01", "level=window&from=2025-12-01&to=2025-11-01"} {
		expectError(t, s.as(sup, "GET", "/api/v1/scorecards?"+q, ""), http.StatusBadRequest, codeValidation)
	}
	expectError(t, s.as(s.login("clerk1"), "GET", "/api/v1/scorecards?level=window", ""), http.StatusForbidden, codeForbidden)

	// Weights: supervisors read, admins write; a stricter pass mark fails the window.
	var w app.ScorecardWeights
	s.as(sup, "GET", "/api/v1/scorecards/weights", "").json(t, &w)
	if w != app.DefaultScorecardWeights {
		t.Fatalf("weights %+v", w)
	}
	e := expectError(t, s.as(admin, "PUT", "/api/v1/scorecards/weights", `{"onTime":1,"excellent":80,"good":90,"pass":60}`), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "good" {
		t.Fatalf("error %+v", e)
	}
	expectError(t, s.as(sup, "PUT", "/api/v1/scorecards/weights", `{"onTime":1,"excellent":100,"good":100,"pass":100}`), http.StatusForbidden, codeForbidden)
	if r := s.as(admin, "PUT", "/api/v1/scorecards/weights", `{"onTime":0,"satisfaction":1,"excellent":100,"good":100,"pass":100}`); r.Code != http.StatusOK {
		t.Fatalf("put weights: %d %s", r.Code, r.Body)
	}
	if rep := get("level=window&quarter=2025Q4"); rep.Items[0].Grade != app.GradeFail || rep.Weights.Pass != 100 {
		t.Fatalf("with a pass mark of 100 and satisfaction only (75): %+v", rep.Items[0])
	}
}
