package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/engine"
	"onewindow/engine/enginetest"
	"onewindow/engine/outbound"
	"onewindow/store"
	"onewindow/store/storetest"
)

// The demo item every integration test runs: 食品经营许可 of 市场监督管理局 (std-promised),
// whose department system is system-scjgj; and an item of another department.
const (
	itemFood      = "450981-SCJGJ-XK-002"
	itemOtherDept = "450981-FGJ-XK-003"
)

// newLiveEnv is the API over the demo city with an engine that calls the App's hooks (as
// serve.go builds it), the supervision processes published, and, with deliveries, the outbound
// runner on a go-workflows store of its own.
func newLiveEnv(t *testing.T, deliveries bool, tune func(*testConfig)) *caseEnv {
	t.Helper()
	db := storetest.SQLite(t)
	var x *enginetest.Env
	s := newTestServer(t, db, func(d *testConfig) {
		d.Now = time.Now
		d.DataDir = t.TempDir()
		d.StartEngine = func(h app.EngineHooks) *engine.Engine {
			x = enginetest.Start(t, db, enginetest.Options{Observer: h.Observer, OnAlert: h.OnAlert, Handlers: h.Handlers})
			return x.Engine
		}
		if tune != nil {
			tune(d)
		}
	})
	if _, err := store.EnsureSupervisionFlows(context.Background(), db, "test"); err != nil {
		t.Fatal(err)
	}
	v := &caseEnv{testServer: s, x: x, items: map[string]*store.ItemVersion{}, toks: map[string]string{}}
	if deliveries {
		b, err := engine.OpenBackend("sqlite:"+filepath.Join(t.TempDir(), "outbound.db"), engine.BackendOptions{WorkerName: "test-outbound"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := outbound.New(outbound.Config{Backend: b, Attempt: s.app.AttemptDelivery, GiveUp: s.app.GiveUpDelivery, PollInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		s.app.UseOutbound(r)
		ctx, cancel := context.WithCancel(context.Background())
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { defer close(done); s.app.RunOutbound(ctx, 50*time.Millisecond) }()
		t.Cleanup(func() { cancel(); <-done; _ = r.Wait(); _ = b.Close() })
	}
	return v
}

// systemKey makes an API key for system-scjgj as admin and returns it with its id.
func (v *caseEnv) systemKey() (string, string) {
	v.t.Helper()
	r := v.as(v.tok("admin"), "POST", "/api/v1/users/"+v.userID("system-scjgj")+"/api-keys", `{"name":"业务系统对接"}`)
	if r.Code != http.StatusCreated {
		v.t.Fatalf("make key: %d %s", r.Code, r.Body)
	}
	var k app.NewAPIKey
	r.json(v.t, &k)
	return k.Key, k.APIKey.ID
}

// uploadWithKey uploads a PDF named name with an API key.
func (v *caseEnv) uploadWithKey(key, name string) store.FileInfo {
	v.t.Helper()
	ct, body := multipartBody(v.t, name, string(pdfBytes))
	req := httptest.NewRequest("POST", "/api/v1/files", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-API-Key", key)
	w := httptest.NewRecorder()
	v.h.ServeHTTP(w, req)
	if r := (response{w}); r.Code != http.StatusCreated {
		v.t.Fatalf("upload as the system: %d %s", r.Code, r.Body)
	}
	var f store.FileInfo
	response{w}.json(v.t, &f)
	return f
}

// withKey sends a request with an API key.
func (v *caseEnv) withKey(key, method, path, body string) response {
	v.t.Helper()
	return v.do(method, path, body, "X-API-Key", key)
}

// foodApplication is applicant1's complete online application for 食品经营许可.
func (v *caseEnv) foodApplication() app.CaseSubmitted {
	v.t.Helper()
	iv := v.demoItem(itemFood)
	ms := []map[string]any{}
	for _, m := range iv.Materials {
		ms = append(ms, map[string]any{"code": m.Code, "fileIds": []string{v.file("applicant1", m.Code+".pdf")}})
	}
	return v.submitted(v.apply("applicant1", map[string]any{"itemId": iv.ItemID, "channel": "online", "materials": ms}))
}

// openTask waits for the open task of element of case caseID, as a system's inbox lists it.
func (v *caseEnv) systemTask(key, caseID, element string) string {
	v.t.Helper()
	var id string
	v.x.Eventually("task "+element+" in the system's inbox", func() bool {
		r := v.withKey(key, "GET", "/api/v1/tasks?limit=200", "")
		if r.Code != http.StatusOK {
			v.t.Fatalf("inbox: %d %s", r.Code, r.Body)
		}
		var l app.List[store.InboxTask]
		r.json(v.t, &l)
		for _, t := range l.Items {
			if t.CaseID == caseID && t.ElementID == element {
				id = t.ID
				return true
			}
		}
		return false
	})
	return id
}

// TestDepartmentSystemWorksTasksWithItsKey: a department system reads its department's tasks
// and cases with its API key, claims and completes every step of a case through the task use
// cases while the case moves, and attaches the licence; a revoked or wrong key is 401, a task
// of another department 403; a rotated key works during its overlap only.
func TestDepartmentSystemWorksTasksWithItsKey(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	key, keyID := v.systemKey()
	k := v.foodApplication()
	stages := []string{}
	for _, step := range []struct{ element, outcome, stage string }{
		{"acceptance", "accept", app.StageInProgress},
		{"review", "", app.StageInProgress},
		{"approval", "approve", app.StageDelivering},
		{"certification", "", app.StageDelivering},
		{"delivery", "", app.StageFinished},
	} {
		task := v.systemTask(key, k.ID, step.element)
		if r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/claim", ""); r.Code != http.StatusOK {
			t.Fatalf("claim %s: %d %s", step.element, r.Code, r.Body)
		}
		if step.element == "certification" {
			// The system attaches the licence it produced to the step, not a file of someone
			// else's; the applicant attaches nothing.
			f := v.uploadWithKey(key, "食品经营许可证.pdf")
			expectError(t, v.withKey(key, "POST", "/api/v1/cases/"+k.ID+"/documents", mustJSON(map[string]any{"taskId": task,
				"fileIds": []string{v.file("applicant1", "x.pdf")}})), http.StatusNotFound, codeNotFound)
			expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/documents", mustJSON(map[string]any{"taskId": task,
				"fileIds": []string{f.ID}})), http.StatusForbidden, codeForbidden)
			r := v.withKey(key, "POST", "/api/v1/cases/"+k.ID+"/documents", mustJSON(map[string]any{"taskId": task, "fileIds": []string{f.ID}}))
			if r.Code != http.StatusCreated || !strings.Contains(r.Body.String(), "食品经营许可证.pdf") {
				t.Fatalf("attach: %d %s", r.Code, r.Body)
			}
			// The applicant reads the document of their case.
			if r := v.as(v.tok("applicant1"), "GET", "/api/v1/files/"+f.ID, ""); r.Code != http.StatusOK {
				t.Fatalf("the applicant downloads the licence: %d %s", r.Code, r.Body)
			}
		}
		body := "{}"
		if step.outcome != "" {
			body = `{"outcome":"` + step.outcome + `"}`
		}
		r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", body)
		if r.Code != http.StatusAccepted {
			t.Fatalf("complete %s: %d %s", step.element, r.Code, r.Body)
		}
		var res app.TaskActionResult
		if r.json(t, &res); res.Action.Authority != app.AuthorityAssignee || res.Action.UnitCode != "scjgj-xzsp" || res.Action.ActorName != "市场监督管理局业务系统" {
			t.Fatalf("completion logged %+v, want the system, as the claimant, for the section", res.Action)
		}
		stages = append(stages, v.waitStage("applicant1", k.ID, step.stage).Stage)
	}
	if got := strings.Join(stages, ","); got != "inProgress,inProgress,delivering,delivering,finished" {
		t.Fatalf("stages %s", got)
	}
	// The system reads its department's cases, and the case's timeline shows its steps.
	r := v.withKey(key, "GET", "/api/v1/cases/"+k.ID, "")
	if r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "市场监督管理局业务系统") {
		t.Fatalf("the system reads its case: %d %s", r.Code, r.Body)
	}

	// Another department's task: 403; another department's case: none.
	other := v.demoItem(itemOtherDept)
	ms := []map[string]any{}
	for _, m := range other.Materials {
		ms = append(ms, map[string]any{"code": m.Code, "fileIds": []string{v.file("applicant1", m.Code+".pdf")}})
	}
	o := v.submitted(v.apply("applicant1", map[string]any{"itemId": other.ItemID, "channel": "online", "materials": ms}))
	otherTask := v.x.OpenTask(o.ID, "acceptance")
	expectError(t, v.withKey(key, "POST", "/api/v1/tasks/"+app.PublicID(otherTask)+"/claim", ""), http.StatusForbidden, app.CodeNoAuthority)
	expectError(t, v.withKey(key, "POST", "/api/v1/tasks/"+app.PublicID(otherTask)+"/complete", `{"outcome":"accept"}`), http.StatusForbidden, app.CodeNoAuthority)
	expectError(t, v.withKey(key, "GET", "/api/v1/cases/"+o.ID, ""), http.StatusNotFound, codeNotFound)
	// Nor does it attach documents to another department's case.
	doc := v.uploadWithKey(key, "不相干的文书.pdf")
	expectError(t, v.withKey(key, "POST", "/api/v1/cases/"+o.ID+"/documents", mustJSON(map[string]any{"taskId": app.PublicID(otherTask),
		"fileIds": []string{doc.ID}})), http.StatusForbidden, app.CodeNoAuthority)

	// Rotation: the old key works during the overlap, the new one at once.
	r = v.as(v.tok("admin"), "POST", "/api/v1/users/"+v.userID("system-scjgj")+"/api-keys/"+keyID+"/rotate", `{"overlap":"1h"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("rotate: %d %s", r.Code, r.Body)
	}
	var rot app.RotatedAPIKey
	r.json(t, &rot)
	if rot.Previous.ExpiresAt == nil || rot.Key == key {
		t.Fatalf("rotation %+v", rot)
	}
	for _, k := range []string{key, rot.Key} {
		if r := v.withKey(k, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
			t.Fatalf("a key during the overlap: %d %s", r.Code, r.Body)
		}
	}
	// Past the overlap (an expiry in the past) the old key is refused.
	if _, err := v.db.Exec(v.db.Rebind(`UPDATE api_keys SET expires_at = ? WHERE id = ?`), store.Now().Add(-time.Second), keyID); err != nil {
		t.Fatal(err)
	}
	expectError(t, v.withKey(key, "GET", "/api/v1/tasks", ""), http.StatusUnauthorized, app.CodeInvalidToken)
	// A revoked key and a wrong key: 401.
	if r := v.as(v.tok("admin"), "DELETE", "/api/v1/users/"+v.userID("system-scjgj")+"/api-keys/"+rot.APIKey.ID, ""); r.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.Code, r.Body)
	}
	expectError(t, v.withKey(rot.Key, "GET", "/api/v1/tasks", ""), http.StatusUnauthorized, app.CodeInvalidToken)
	expectError(t, v.withKey("owk_notakeyatall", "GET", "/api/v1/tasks", ""), http.StatusUnauthorized, app.CodeInvalidToken)
}

// receiver is an httptest webhook receiver: it checks each request's signature, fails the
// first failFirst requests with 500, and keeps the events it accepted by id.
type receiver struct {
	t         *testing.T
	secret    string
	failFirst int
	mu        sync.Mutex
	requests  int
	bad       int                        // requests with a wrong signature
	byID      map[string]app.WebhookBody // accepted, deduplicated on the event id
	accepted  map[string]int             // how often each id was accepted
	srv       *httptest.Server
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	rc := &receiver{t: t, failFirst: failFirst, byID: map[string]app.WebhookBody{}, accepted: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if app.Sign(rc.secret, r.Header.Get(app.HeaderTimestamp), body) != r.Header.Get(app.HeaderSignature) {
		rc.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.requests <= rc.failFirst {
		http.Error(w, "try again later", http.StatusInternalServerError)
		return
	}
	var ev app.WebhookBody
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != r.Header.Get(app.HeaderEventID) {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rc.byID[ev.ID] = ev
	rc.accepted[ev.ID]++
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhookGetsEveryEventOfACaseOnce: a department system's subscription receives every
// event of a case, verified by its signature, after the receiver failed the first three
// attempts; the feed lists the same events; the delivery log says how each went.
func TestWebhookGetsEveryEventOfACaseOnce(t *testing.T) {
	v := newLiveEnv(t, true, func(d *testConfig) {
		d.Outbound = app.OutboundConfig{RetryFirst: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}
	})
	rc := newReceiver(t, 3)
	key, _ := v.systemKey()
	// The system may not point its webhook at this machine; an admin may, for a test setup.
	expectError(t, v.withKey(key, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": rc.srv.URL})), http.StatusBadRequest, app.CodeWebhookURL)
	expectError(t, v.withKey(key, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": rc.srv.URL, "allowLoopback": true})), http.StatusForbidden, codeForbidden)
	r := v.as(v.tok("admin"), "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": rc.srv.URL, "allowLoopback": true, "departmentId": v.unitID("scjgj")}))
	if r.Code != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", r.Code, r.Body)
	}
	var sub app.NewSubscription
	r.json(t, &sub)
	rc.secret = sub.Secret

	k := v.foodApplication()
	for _, step := range []struct{ element, outcome string }{{"acceptance", "accept"}, {"review", ""}, {"approval", "approve"}, {"certification", ""}, {"delivery", ""}} {
		task := v.systemTask(key, k.ID, step.element)
		body := "{}"
		if step.outcome != "" {
			body = `{"outcome":"` + step.outcome + `"}`
		}
		if r := v.withKey(key, "POST", "/api/v1/tasks/"+task+"/complete", body); r.Code != http.StatusAccepted {
			t.Fatalf("complete %s: %d %s", step.element, r.Code, r.Body)
		}
	}
	v.waitStage("applicant1", k.ID, app.StageFinished)
	// The feed: the case's events in order, as the system reads them.
	var feed app.List[store.Event]
	v.x.Eventually("the case's end in the feed", func() bool {
		r := v.withKey(key, "GET", "/api/v1/events?caseId="+k.ID+"&limit=200", "")
		if r.Code != http.StatusOK {
			t.Fatalf("feed: %d %s", r.Code, r.Body)
		}
		r.json(t, &feed)
		return len(feed.Items) > 0 && feed.Items[len(feed.Items)-1].Type == app.EventCaseFinished
	})
	var types []string
	for _, e := range feed.Items {
		types = append(types, e.Type)
	}
	want := "case.created,step.completed,case.accepted,step.completed,step.completed,case.decided,step.completed,step.completed,case.finished"
	if got := strings.Join(types, ","); got != want {
		t.Fatalf("events %s\nwant   %s", got, want)
	}
	v.x.Eventually("every event received", func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.byID) == len(feed.Items)
	})
	rc.mu.Lock()
	for _, e := range feed.Items {
		got, ok := rc.byID[e.ID]
		if !ok || got.Type != e.Type || got.Seq != e.Seq || got.CaseID != k.ID {
			t.Errorf("event %s (%s): received %+v", e.ID, e.Type, got)
		}
		if rc.accepted[e.ID] != 1 {
			t.Errorf("event %s accepted %d times", e.ID, rc.accepted[e.ID])
		}
	}
	if rc.bad != 0 || rc.requests < len(feed.Items)+3 {
		t.Errorf("%d requests, %d with a bad signature", rc.requests, rc.bad)
	}
	rc.mu.Unlock()
	// The delivery log: every delivery delivered (recorded just after the receiver answered),
	// the first ones after failed attempts.
	var log app.List[store.Delivery]
	v.x.Eventually("every delivery recorded as delivered", func() bool {
		v.as(v.tok("admin"), "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?limit=200", "").json(t, &log)
		for _, d := range log.Items {
			if d.State != store.DeliveryDelivered {
				return false
			}
		}
		return true
	})
	attempts := 0
	for _, d := range log.Items {
		if d.State != store.DeliveryDelivered {
			t.Errorf("delivery %+v", d)
		}
		attempts += d.Attempts
	}
	if len(log.Items) != len(feed.Items) || attempts != len(feed.Items)+3 {
		t.Errorf("%d deliveries with %d attempts, want %d with %d", len(log.Items), attempts, len(feed.Items), len(feed.Items)+3)
	}
	// The log filtered by state.
	var failed, delivered app.List[store.Delivery]
	v.as(v.tok("admin"), "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?state=failed", "").json(t, &failed)
	v.as(v.tok("admin"), "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?state=delivered&limit=200", "").json(t, &delivered)
	if len(failed.Items) != 0 || len(delivered.Items) != len(feed.Items) {
		t.Errorf("%d failed, %d delivered deliveries", len(failed.Items), len(delivered.Items))
	}
	expectError(t, v.as(v.tok("admin"), "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?state=lost", ""), http.StatusBadRequest, codeValidation)
	// A manual redelivery sends an event again (the receiver deduplicates on its id).
	r = v.as(v.tok("admin"), "POST", "/api/v1/webhooks/"+sub.ID+"/deliveries/"+log.Items[0].ID+"/redeliver", "")
	if r.Code != http.StatusAccepted {
		t.Fatalf("redeliver: %d %s", r.Code, r.Body)
	}
	v.x.Eventually("the redelivery", func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return rc.accepted[log.Items[0].EventID] == 2
	})
	// Cursors: a garbage cursor is 400; another department's events are refused to the system.
	expectError(t, v.withKey(key, "GET", "/api/v1/events?after=garbage", ""), http.StatusBadRequest, codeValidation)
	expectError(t, v.withKey(key, "GET", "/api/v1/events?departmentId="+v.unitID("fgj"), ""), http.StatusForbidden, codeForbidden)
	expectError(t, v.as(v.tok("clerk1"), "GET", "/api/v1/events", ""), http.StatusForbidden, codeForbidden)
}

// TestWebhookReceiverThatHangs: a receiver that never answers fails its attempts by the
// timeout, and another subscription's deliveries go on meanwhile.
func TestWebhookReceiverThatHangs(t *testing.T) {
	v := newLiveEnv(t, true, func(d *testConfig) {
		d.Outbound = app.OutboundConfig{WebhookTimeout: 200 * time.Millisecond, RetryFirst: time.Hour}
	})
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); hang.Close() })
	good := newReceiver(t, 0)
	var subs []app.NewSubscription
	for _, url := range []string{hang.URL, good.srv.URL} {
		r := v.as(v.tok("admin"), "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": url, "allowLoopback": true, "types": []string{"complaint.filed"}}))
		var s app.NewSubscription
		r.json(t, &s)
		subs = append(subs, s)
	}
	good.secret = subs[1].Secret
	started := time.Now()
	for i := 0; i < 3; i++ {
		r := v.do("POST", "/api/v1/complaints", mustJSON(map[string]any{"subject": "department", "departmentId": v.unitID("scjgj"),
			"content": "窗口排队时间过长", "contactName": "王五", "contactPhone": "13900000000"}))
		if r.Code != http.StatusCreated {
			t.Fatalf("complaint: %d %s", r.Code, r.Body)
		}
	}
	v.x.Eventually("the good receiver's three events", func() bool {
		good.mu.Lock()
		defer good.mu.Unlock()
		return len(good.byID) == 3
	})
	var log app.List[store.Delivery]
	v.x.Eventually("the hanging receiver's attempts to time out", func() bool {
		v.as(v.tok("admin"), "GET", "/api/v1/webhooks/"+subs[0].ID+"/deliveries", "").json(t, &log)
		for _, d := range log.Items {
			if d.Attempts == 0 {
				return false
			}
		}
		return len(log.Items) == 3
	})
	for _, d := range log.Items {
		if d.State != store.DeliveryPending || d.LastStatus != nil || !strings.Contains(d.LastError, "no answer") {
			t.Errorf("delivery to the hanging receiver %+v", d)
		}
	}
	t.Logf("3 deliveries to a hanging receiver timed out and 3 to a good one arrived in %v", time.Since(started).Round(time.Millisecond))
}

// TestWebhookURLs: what a webhook may point at.
func TestWebhookURLs(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	admin := v.tok("admin")
	for _, url := range []string{"ftp://example.com/x", "example.com/hook", "http://localhost:9000/x", "http://127.0.0.1/x",
		"http://[::1]:8080/x", "http://169.254.169.254/latest/meta-data", "http://user:pw@example.com/x"} {
		expectError(t, v.as(admin, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": url})), http.StatusBadRequest, app.CodeWebhookURL)
	}
	expectError(t, v.as(admin, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": "https://example.com/x", "types": []string{"case.nothing"}})),
		http.StatusBadRequest, codeValidation)
	r := v.as(admin, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": "https://scjg.example.gov.cn/hook", "types": []string{"case.finished"}}))
	if r.Code != http.StatusCreated || !strings.Contains(r.Body.String(), `"secret":"whsec_`) {
		t.Fatalf("subscribe: %d %s", r.Code, r.Body)
	}
	var s app.NewSubscription
	r.json(t, &s)
	// The secret is shown once: reading the subscription does not show it.
	if r := v.as(admin, "GET", "/api/v1/webhooks/"+s.ID, ""); r.Code != http.StatusOK || strings.Contains(r.Body.String(), "whsec_") {
		t.Fatalf("read: %d %s", r.Code, r.Body)
	}
	// Staff who are neither a system nor an admin make none.
	expectError(t, v.as(v.tok("clerk1"), "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": "https://example.com/x"})), http.StatusForbidden, codeForbidden)
	var body bytes.Buffer
	_ = json.NewEncoder(&body).Encode(map[string]any{"state": "disabled"})
	if r := v.as(admin, "PATCH", "/api/v1/webhooks/"+s.ID, body.String()); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), `"state":"disabled"`) {
		t.Fatalf("disable: %d %s", r.Code, r.Body)
	}
	// A department system subscribes with its key to its own department's events, not another's.
	key, _ := v.systemKey()
	r = v.withKey(key, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": "https://scjg.example.gov.cn/onewindow/events"}))
	var own app.NewSubscription
	if r.json(t, &own); r.Code != http.StatusCreated || own.DepartmentID != v.unitID("scjgj") || !strings.HasPrefix(own.Secret, "whsec_") {
		t.Fatalf("the system's subscription: %d %s", r.Code, r.Body)
	}
	expectError(t, v.withKey(key, "POST", "/api/v1/webhooks", mustJSON(map[string]any{"url": "https://scjg.example.gov.cn/x", "departmentId": v.unitID("fgj")})),
		http.StatusForbidden, codeForbidden)
	var mine app.List[store.Subscription]
	if v.withKey(key, "GET", "/api/v1/webhooks", "").json(t, &mine); len(mine.Items) != 1 || mine.Items[0].ID != own.ID {
		t.Fatalf("the system lists %+v, want its own subscription only", mine.Items)
	}
}
