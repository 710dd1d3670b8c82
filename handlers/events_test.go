package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/store"
)

// fireClockAlarm makes the armed alarm of caseID's clock alert key (case:warning,
// case:overdue, case:overdue:ext1, ...) due now, as if its time had come: the engine's alarm
// loop fires it. It returns the alarm's due time before the change.
func (v *caseEnv) fireClockAlarm(caseID, key string) time.Time {
	v.t.Helper()
	ctx := context.Background()
	var due time.Time
	v.x.Eventually("the armed alarm "+key+" of "+caseID, func() bool {
		err := v.db.GetContext(ctx, &due, v.db.Rebind(`SELECT due_at FROM alarms WHERE case_id = ? AND channel = ? AND state = 'armed'`),
			caseID, "alarm/"+key)
		return err == nil
	})
	if _, err := v.db.ExecContext(ctx, v.db.Rebind(`UPDATE alarms SET due_at = ? WHERE case_id = ? AND channel = ? AND state = 'armed'`),
		store.Time(time.Now().Add(-time.Second)), caseID, "alarm/"+key); err != nil {
		v.t.Fatal(err)
	}
	return due
}

// caseEvents waits until the last of caseID's events in the feed (read with key) is of type
// last, and returns them all.
func (v *caseEnv) caseEvents(key, caseID, last string) []store.Event {
	v.t.Helper()
	var feed app.List[store.Event]
	v.x.Eventually(last+" of "+caseID+" in the feed", func() bool {
		r := v.withKey(key, "GET", "/api/v1/events?limit=200&caseId="+caseID, "")
		if r.Code != http.StatusOK {
			v.t.Fatalf("feed: %d %s", r.Code, r.Body)
		}
		r.json(v.t, &feed)
		return len(feed.Items) > 0 && feed.Items[len(feed.Items)-1].Type == last
	})
	return feed.Items
}

// eventTypes joins the types of evs.
func eventTypes(evs []store.Event) string {
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	return strings.Join(types, ",")
}

// TestEveryEventOfACase: a case that goes through a notify-once round, a warning and an
// overdue alert, its decision and end, a rating and a complaint writes each event type of the
// issue once, in order, for its department, with no personal data; the actions refused on the
// way (a wrong outcome, a bad supplement, a second rating) write none.
func TestEveryEventOfACase(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	key, _ := v.systemKey()
	k := v.foodApplication()
	material := v.demoItem(itemFood).Materials[0].Code
	complete := func(element, body string) {
		t.Helper()
		task := v.systemTask(key, k.ID, element)
		if r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", body); r.Code != http.StatusAccepted {
			t.Fatalf("complete %s: %d %s", element, r.Code, r.Body)
		}
	}
	// Notify once, after a refused completion.
	expectError(t, v.withKey(key, "POST", "/api/v1/tasks/"+v.systemTask(key, k.ID, "acceptance")+"/complete", `{"outcome":"approve"}`),
		http.StatusBadRequest, codeValidation)
	complete("acceptance", mustJSON(map[string]any{"outcome": "notify", "notice": map[string]any{
		"materials": []any{map[string]any{"materialCode": material, "problem": "defective", "detail": "复印件不清晰"}}}}))
	v.waitStage("applicant1", k.ID, app.StageAwaitingSupplement)
	// The supplement, after a refused one (a material the case does not have).
	supplement := func(code string) response {
		return v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(map[string]any{
			"materials": []any{map[string]any{"code": code, "fileIds": []string{v.file("applicant1", code+"-v2.pdf")}}}}))
	}
	if r := supplement("NOSUCH"); r.Code < 400 || r.Code > 499 {
		t.Fatalf("a supplement of an unknown material: %d %s", r.Code, r.Body)
	}
	if r := supplement(material); r.Code != http.StatusAccepted {
		t.Fatalf("supplement: %d %s", r.Code, r.Body)
	}
	v.waitStage("applicant1", k.ID, app.StagePreReview)
	complete("acceptance", `{"outcome":"accept"}`)
	// The case's warning, then its overdue alert, fire.
	v.fireClockAlarm(k.ID, "case:warning")
	v.caseEvents(key, k.ID, app.EventCaseWarning)
	v.fireClockAlarm(k.ID, "case:overdue")
	v.caseEvents(key, k.ID, app.EventCaseOverdue)
	complete("review", "{}")
	complete("approval", `{"outcome":"approve"}`)
	complete("certification", "{}")
	complete("delivery", "{}")
	v.waitStage("applicant1", k.ID, app.StageFinished)
	v.caseEvents(key, k.ID, app.EventCaseFinished)
	// The rating (a bad one and a second one refused) and a complaint.
	rating := "/api/v1/cases/" + k.ID + "/rating"
	expectError(t, v.as(v.tok("applicant1"), "POST", rating, `{"level":"great"}`), http.StatusBadRequest, codeValidation)
	if r := v.as(v.tok("applicant1"), "POST", rating, `{"level":"satisfied"}`); r.Code != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Code, r.Body)
	}
	expectError(t, v.as(v.tok("applicant1"), "POST", rating, `{"level":"very_satisfied"}`), http.StatusConflict, app.CodeAlreadyRated)
	if r := v.as(v.tok("applicant1"), "POST", "/api/v1/complaints", mustJSON(map[string]any{"subject": "case", "caseId": k.ID,
		"content": "补正材料时窗口没有说清楚要求"})); r.Code != http.StatusCreated {
		t.Fatalf("complaint: %d %s", r.Code, r.Body)
	}
	evs := v.caseEvents(key, k.ID, app.EventComplaintFiled)
	want := "case.created,step.completed,notice.issued,case.supplemented,step.completed,case.accepted,case.warning,case.overdue," +
		"step.completed,step.completed,case.decided,step.completed,step.completed,case.finished,case.rated,complaint.filed"
	if got := eventTypes(evs); got != want {
		t.Fatalf("events %s\nwant   %s", got, want)
	}
	// Each listed type is among them; each event is the department's, once, with no personal data.
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.Type] = true
		if e.DepartmentID != v.unitID("scjgj") || e.CaseID != k.ID || e.ID == "" {
			t.Errorf("event %+v", e)
		}
		for _, personal := range []string{"450981199001011230", "13800000001", "李明"} {
			if strings.Contains(string(e.Data), personal) {
				t.Errorf("event %s holds %q: %s", e.Type, personal, e.Data)
			}
		}
	}
	for _, typ := range []string{app.EventCaseCreated, app.EventCaseAccepted, app.EventNoticeIssued, app.EventCaseSupplemented,
		app.EventStepCompleted, app.EventCaseWarning, app.EventCaseOverdue, app.EventCaseDecided, app.EventCaseFinished,
		app.EventCaseRated, app.EventComplaintFiled} {
		if !seen[typ] {
			t.Errorf("no %s event", typ)
		}
	}
	// Polled a page at a time, the feed gives the same events; at its end the cursor stays
	// where the poller is, so that it polls again with it.
	var polled []store.Event
	after := ""
	for i := 0; ; i++ {
		var page app.List[store.Event]
		v.withKey(key, "GET", "/api/v1/events?limit=5&caseId="+k.ID+"&after="+after, "").json(t, &page)
		polled = append(polled, page.Items...)
		if page.Next == "" || (len(page.Items) == 0 && page.Next != after) || i > 10 {
			t.Fatalf("page %d: next %q after %q with %d events", i, page.Next, after, len(page.Items))
		}
		if len(page.Items) == 0 {
			break
		}
		after = page.Next
	}
	if eventTypes(polled) != want || polled[len(polled)-1].ID != evs[len(evs)-1].ID {
		t.Errorf("polled %s", eventTypes(polled))
	}
	// The types= filter of the feed, and an unknown type refused.
	var only app.List[store.Event]
	v.withKey(key, "GET", "/api/v1/events?caseId="+k.ID+"&types=case.warning,case.overdue", "").json(t, &only)
	if got := eventTypes(only.Items); got != "case.warning,case.overdue" {
		t.Errorf("types filter: %s", got)
	}
	expectError(t, v.withKey(key, "GET", "/api/v1/events?types=case.nothing", ""), http.StatusBadRequest, codeValidation)
}

// TestEventsOfARefusedCase: a case refused at acceptance (不予受理) is decided and finished in
// the feed, and result publicity shows it as 不予受理 with the name masked.
func TestEventsOfARefusedCase(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	key, _ := v.systemKey()
	k := v.foodApplication()
	task := v.systemTask(key, k.ID, "acceptance")
	if r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", `{"outcome":"refuse","reason":"申请人不具备食品经营场所"}`); r.Code != http.StatusAccepted {
		t.Fatalf("refuse: %d %s", r.Code, r.Body)
	}
	evs := v.caseEvents(key, k.ID, app.EventCaseFinished)
	if got := eventTypes(evs); got != "case.created,step.completed,case.decided,case.finished" {
		t.Fatalf("events %s", got)
	}
	for _, e := range evs[2:] {
		if !strings.Contains(string(e.Data), `"decision":"refuse"`) {
			t.Errorf("%s: %s, want the decision refuse", e.Type, e.Data)
		}
	}
	var results app.List[app.PublicResult]
	v.do("GET", "/api/v1/public/results?itemId="+v.demoItem(itemFood).ItemID, "").json(t, &results)
	if len(results.Items) != 1 || results.Items[0].Number != k.Number || results.Items[0].Result != "不予受理" || results.Items[0].Applicant != "李*" {
		t.Fatalf("results %+v", results.Items)
	}
}
