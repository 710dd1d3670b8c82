package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/store"
)

// TestPublicEndpointsLeakNoPersonalData: a finished case of an item that publishes its results
// is listed without an account, the applicant's name masked; the statistics, the flowchart and
// the process answer too; none of them holds the applicant's name, ID-card number or phone.
// Answers carry an ETag (If-None-Match: 304) and are throttled per address.
func TestPublicEndpointsLeakNoPersonalData(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	k := v.finishedFoodCase()
	item := v.demoItem(itemFood)
	month := time.Now().In(store.CaseZone).Format("2006-01")

	var all strings.Builder
	get := func(path string) response {
		t.Helper()
		r := v.do("GET", path, "")
		if r.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Code, r.Body)
		}
		if r.Header().Get("ETag") == "" || r.Header().Get("Cache-Control") != "public, max-age=60" {
			t.Fatalf("GET %s: ETag %q, Cache-Control %q", path, r.Header().Get("ETag"), r.Header().Get("Cache-Control"))
		}
		all.WriteString(r.Body.String())
		return r
	}
	r := get("/api/v1/public/results?month=" + month)
	var results app.List[app.PublicResult]
	r.json(t, &results)
	if len(results.Items) != 1 || results.Items[0].Number != k.Number || results.Items[0].Applicant != "李*" ||
		results.Items[0].Decision != store.DecisionApprove || results.Items[0].Result != "准予" || results.Items[0].DecidedAt == nil {
		t.Fatalf("results %+v", results.Items)
	}
	// If-None-Match with the ETag: 304, no body.
	if r2 := v.do("GET", "/api/v1/public/results?month="+month, "", "If-None-Match", r.Header().Get("ETag")); r2.Code != http.StatusNotModified || r2.Body.Len() != 0 {
		t.Fatalf("If-None-Match: %d %q", r2.Code, r2.Body)
	}
	// Filters: by item, by department, by month.
	for path, n := range map[string]int{
		"/api/v1/public/results?itemId=" + item.ItemID:             1,
		"/api/v1/public/results?departmentId=" + v.unitID("scjgj"): 1,
		"/api/v1/public/results?departmentId=" + v.unitID("fgj"):   0,
		"/api/v1/public/results?month=2020-01":                     0,
	} {
		var l app.List[app.PublicResult]
		if get(path).json(t, &l); len(l.Items) != n {
			t.Errorf("%s: %d results, want %d", path, len(l.Items), n)
		}
	}
	expectError(t, v.do("GET", "/api/v1/public/results?after=nonsense", ""), http.StatusBadRequest, codeValidation)
	expectError(t, v.do("GET", "/api/v1/public/results?month=2025-13", ""), http.StatusBadRequest, codeValidation)

	var stats app.StatisticsReport
	get("/api/v1/public/statistics?by=department").json(t, &stats)
	found := false
	for _, row := range stats.Rows {
		if row.ID == v.unitID("scjgj") {
			found = row.Received == 1 && row.Finished == 1 && row.OnTimeRate != nil && *row.OnTimeRate == 1
		}
	}
	if !found {
		t.Fatalf("statistics %+v: want 市场监督管理局 with one case received and finished on time", stats.Rows)
	}
	r = get("/api/v1/public/statistics?by=item&format=csv")
	if ct := r.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("CSV content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(r.Body.String())).ReadAll()
	if err != nil || len(recs) != 2 || !reflect.DeepEqual(recs[0], app.StatisticsColumns) || recs[1][1] != item.ItemID || recs[1][4] != "1" {
		t.Fatalf("CSV %q (%v)", recs, err)
	}
	expectError(t, v.do("GET", "/api/v1/public/statistics?by=department&from=2015-01&to=2025-12", ""), http.StatusBadRequest, codeValidation)
	expectError(t, v.do("GET", "/api/v1/public/statistics?by=person", ""), http.StatusBadRequest, codeValidation)

	r = get("/api/v1/public/items/" + item.ItemID + "/flowchart")
	if !strings.Contains(r.Body.String(), `<bpmn:process id="std-promised"`) || !strings.Contains(r.Body.String(), "BPMNDiagram") ||
		!strings.HasPrefix(r.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("flowchart %s", r.Body.String()[:200])
	}
	var proc app.ItemProcess
	get("/api/v1/public/items/"+item.ItemID+"/process").json(t, &proc)
	var steps []string
	for _, s := range proc.Steps {
		steps = append(steps, s.Element+":"+s.StepKind)
		if len(s.Units) != 1 || s.Units[0].Code != "scjgj-xzsp" {
			t.Errorf("step %s worked by %+v", s.Element, s.Units)
		}
	}
	if got := strings.Join(steps, ","); got != "acceptance:acceptance,review:review,approval:approval,certification:certification,delivery:delivery" ||
		proc.PromisedDays != 10 || proc.StatutoryDays != 20 {
		t.Fatalf("process %s, %v/%v days", got, proc.PromisedDays, proc.StatutoryDays)
	}
	expectError(t, v.do("GET", "/api/v1/public/items/"+store.NewID()+"/process", ""), http.StatusNotFound, codeNotFound)

	// Nothing personal in any of it.
	for _, secret := range []string{"450981199001011230", "13800000001", "李明"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("the public answers hold %q", secret)
		}
	}
}

// finishedFoodCase is an online food-licence case of applicant1 (李明) approved and delivered
// through a department system's API key: a finished case whose result is published.
func (v *caseEnv) finishedFoodCase() app.CaseSubmitted {
	v.t.Helper()
	key, _ := v.systemKey()
	k := v.foodApplication()
	for _, step := range []struct{ element, outcome string }{{"acceptance", "accept"}, {"review", ""}, {"approval", "approve"}, {"certification", ""}, {"delivery", ""}} {
		body := "{}"
		if step.outcome != "" {
			body = `{"outcome":"` + step.outcome + `"}`
		}
		if r := v.withKey(key, "POST", "/api/v1/tasks/"+v.systemTask(key, k.ID, step.element)+"/complete", body); r.Code != http.StatusAccepted {
			v.t.Fatalf("complete %s: %d %s", step.element, r.Code, r.Body)
		}
	}
	v.waitStage("applicant1", k.ID, app.StageFinished)
	return k
}

// TestPublicReadsAreThrottled: past its allowance an address gets 429 with Retry-After; another
// address still reads.
func TestPublicReadsAreThrottled(t *testing.T) {
	v := newTestServer(t, nil, func(d *testConfig) { d.Limits.PublicReads = app.Limit{Burst: 3, Every: time.Hour} })
	for i := 0; i < 3; i++ {
		if r := v.from("203.0.113.9:1", "GET", "/api/v1/public/results", ""); r.Code != http.StatusOK {
			t.Fatalf("read %d: %d %s", i, r.Code, r.Body)
		}
	}
	over := v.from("203.0.113.9:1", "GET", "/api/v1/public/statistics?by=department", "")
	r := expectError(t, over, http.StatusTooManyRequests, app.CodeTooManyAttempts)
	if r.Message == "" {
		t.Fatal("no message")
	}
	if ra, err := strconv.Atoi(over.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After %q, want whole seconds", over.Header().Get("Retry-After"))
	}
	// The plain pages draw on the same allowance, and say so as a page.
	page := v.from("203.0.113.9:1", "GET", "/public/results", "")
	if page.Code != http.StatusTooManyRequests || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(page.Body.String(), "请稍后再试") || page.Header().Get("Retry-After") == "" {
		t.Fatalf("a throttled plain page: %d %s %q", page.Code, page.Header().Get("Content-Type"), page.Body)
	}
	if r := v.from("203.0.113.10:1", "GET", "/api/v1/public/results", ""); r.Code != http.StatusOK {
		t.Fatalf("another address: %d", r.Code)
	}
}

// TestStatisticsAreTheScorecards: on a constructed November, the public statistics per
// department hold the very figures and rates of the department scorecards, and the figures
// worked out by hand.
func TestStatisticsAreTheScorecards(t *testing.T) {
	v := newTestServer(t, nil)
	ctx := context.Background()
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := v.db.ExecContext(ctx, v.db.Rebind(query), args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	cst := store.CaseZone
	at := func(m time.Month, d, h int) time.Time { return time.Date(2025, m, d, h, 0, 0, 0, cst) }
	now := store.Now()
	for _, it := range [][2]string{{"IA", "fgj"}, {"IB", "zjj"}} {
		exec(`INSERT INTO items (id, code, name, kind, handling_type, department_id, definition_key, content, state, current_version,
			created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, 'licence', 'promised', ?, 'std-promised', '{}', 'published', 1, 'test', ?, 'test', ?)`,
			it[0], "ST-"+it[0], "事项"+it[0], v.unitID(it[1]), now, now)
	}
	// IA: received 3 Nov, 10 Nov, 17 Nov, 30 Oct (finished 4 Nov); IB: received 5 Nov, still open.
	for _, k := range []struct {
		id, item, status  string
		received, ended   time.Time
		accepted, due     time.Time
		promised          float64
		clock, stoppedSet string
	}{
		{"S1", "IA", "completed", at(11, 3, 9), at(11, 6, 16), at(11, 3, 10), at(11, 10, 17), 5, "stopped", "y"},
		{"S2", "IA", "completed", at(11, 10, 9), at(11, 14, 10), at(11, 10, 10), at(11, 13, 17), 3, "stopped", "y"},
		{"S3", "IA", "completed", at(11, 17, 9), at(11, 25, 12), at(11, 17, 10), at(11, 26, 17), 5, "stopped", "y"},
		{"S4", "IA", "completed", at(10, 30, 9), at(11, 4, 17), at(10, 30, 10), at(11, 6, 17), 5, "stopped", "y"},
		{"S5", "IB", "active", at(11, 5, 9), time.Time{}, at(11, 5, 10), at(11, 7, 17), 2, "running", ""},
	} {
		var ended, stopped any
		if !k.ended.IsZero() {
			ended, stopped = store.Time(k.ended), store.Time(k.ended)
		}
		exec(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq, started_at, updated_at, ended_at,
			clock_state, clock_started_at, clock_stopped_at, promised_days, due_at, item_id, received_at)
			VALUES (?, 'std-promised', 1, ?, '{}', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.id, k.status, store.Time(k.received), store.Time(k.received), ended, k.clock, store.Time(k.accepted), stopped, k.promised,
			store.Time(k.due), k.item, store.Time(k.received))
	}
	for _, r := range []struct {
		caseID, level string
		score         int
		at            time.Time
	}{{"S1", "very_satisfied", 5, at(11, 7, 9)}, {"S2", "dissatisfied", 2, at(11, 14, 11)}, {"S3", "satisfied", 4, at(11, 25, 15)}, {"S4", "satisfied", 4, at(11, 5, 9)}} {
		exec(`INSERT INTO ratings (case_id, applicant_id, level, score, comment, department_id, rated_at) VALUES (?, ?, ?, ?, '', ?, ?)`,
			r.caseID, v.userIDOf("applicant1"), r.level, r.score, v.unitID("fgj"), store.Time(r.at))
	}
	exec(`INSERT INTO complaints (id, subject, case_id, department_id, contact_name, contact_phone, content, process_case_id, filed_at)
		VALUES ('K1', 'case', 'S2', ?, '李明', '13800000001', '超时', 'T-1', ?)`, v.unitID("fgj"), store.Time(at(11, 15, 9)))
	exec(`INSERT INTO alerts (id, case_id, kind, scope, due_at, fired_at, department_id, item_id) VALUES ('S2/case:overdue', 'S2', 'overdue', 'case', ?, ?, ?, 'IA')`,
		store.Time(at(11, 13, 17)), store.Time(at(11, 13, 17)), v.unitID("fgj"))
	rebuildCounters(t, v.db) // the rows above were written past the store's functions

	var stats app.StatisticsReport
	r := v.do("GET", "/api/v1/public/statistics?by=department&from=2025-10&to=2025-11", "")
	if r.Code != http.StatusOK {
		t.Fatalf("statistics: %d %s", r.Code, r.Body)
	}
	r.json(t, &stats)
	var cards app.ScorecardReport
	r = v.as(v.login("supervisor"), "GET", "/api/v1/scorecards?level=department&from=2025-11-01&to=2025-12-01", "")
	if r.Code != http.StatusOK {
		t.Fatalf("scorecards: %d %s", r.Code, r.Body)
	}
	r.json(t, &cards)
	november := map[string]app.StatisticsRow{}
	for _, row := range stats.Rows {
		if row.Month == "2025-11" {
			november[row.ID] = row
		}
	}
	if len(cards.Items) != 2 || len(november) != 2 {
		t.Fatalf("%d scorecards, %d rows for November", len(cards.Items), len(november))
	}
	for _, c := range cards.Items {
		row := november[c.ID]
		if row.Received != c.Received || row.Finished != c.Finished || !reflect.DeepEqual(row.OnTimeRate, c.OnTimeRate) ||
			!reflect.DeepEqual(row.AvgWorkingDays, c.AvgDaysUsed) || !reflect.DeepEqual(row.Satisfaction, c.AvgRating) ||
			row.Ratings != c.RatingCount || row.Complaints != c.Complaints || row.Overdue != c.Overdue || row.Warnings != c.Warnings {
			t.Errorf("%s: statistics %+v, scorecard %+v", c.Name, row, c)
		}
	}
	fgj := november[v.unitID("fgj")]
	if fgj.Received != 3 || fgj.Finished != 4 || *fgj.OnTimeRate != 0.75 || *fgj.Satisfaction != 3.75 || fgj.Ratings != 4 ||
		fgj.Complaints != 1 || fgj.Overdue != 1 {
		t.Errorf("发改局 in November: %+v (on time %v, satisfaction %v)", fgj, *fgj.OnTimeRate, *fgj.Satisfaction)
	}
	zjj := november[v.unitID("zjj")]
	if zjj.Received != 1 || zjj.Finished != 0 || zjj.OnTimeRate != nil {
		t.Errorf("住建局 in November: %+v", zjj)
	}
	// October holds the case received then: one received, none finished.
	for _, row := range stats.Rows {
		if row.Month == "2025-10" && (row.ID != v.unitID("fgj") || row.Received != 1 || row.Finished != 0) {
			t.Errorf("October: %+v", row)
		}
	}
	// Per item, the same cases.
	r = v.do("GET", "/api/v1/public/statistics?by=item&from=2025-11&departmentId="+v.unitID("fgj"), "")
	var items app.StatisticsReport
	if r.json(t, &items); len(items.Rows) != 1 || items.Rows[0].ID != "IA" || items.Rows[0].Finished != 4 || items.Rows[0].Complaints != 1 ||
		items.Rows[0].Overdue != 1 || items.Rows[0].DepartmentID != v.unitID("fgj") {
		t.Errorf("per item: %+v", items.Rows)
	}
}

// userIDOf returns the id of a demo user.
func (s *testServer) userIDOf(username string) string {
	s.t.Helper()
	u, err := store.GetUserByUsername(context.Background(), s.db, username)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}
