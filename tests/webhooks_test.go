package tests

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"onewindow/app"
)

// hookReceiver is a department system's webhook endpoint on loopback: it verifies each
// request's signature, fails the first failFirst requests with 500, and keeps what it accepted,
// deduplicated on the event id as a receiver must.
type hookReceiver struct {
	mu        sync.Mutex
	secret    string
	failFirst int
	requests  int
	badSig    int
	byID      map[string]app.WebhookBody
	times     map[string]int
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if rc.secret == "" || app.Sign(rc.secret, r.Header.Get(app.HeaderTimestamp), body) != r.Header.Get(app.HeaderSignature) {
		rc.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.requests <= rc.failFirst {
		http.Error(w, "receiver starting up", http.StatusInternalServerError)
		return
	}
	var ev app.WebhookBody
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.ID != r.Header.Get(app.HeaderEventID) {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	rc.byID[ev.ID] = ev
	rc.times[ev.ID]++
	w.WriteHeader(http.StatusNoContent)
}

func (rc *hookReceiver) snapshot() (requests, accepted, dup, bad int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.times {
		dup += n - 1
	}
	return rc.requests, len(rc.byID), dup, rc.badSig
}

// hookClient speaks to a running server as one user or system.
type hookClient struct {
	t      *testing.T
	s      *server
	token  string
	apiKey string
}

func (c *hookClient) do(method, path, contentType string, body io.Reader) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.s.base+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.apiKey != "" {
		req.Header.Set("X-API-Key", c.apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// call sends JSON and decodes the answer into out, failing the test unless the status is want.
func (c *hookClient) call(method, path string, in any, want int, out any) {
	c.t.Helper()
	var body io.Reader
	ct := ""
	if in != nil {
		b, _ := json.Marshal(in)
		body, ct = bytes.NewReader(b), "application/json"
	}
	code, b := c.do(method, path, ct, body)
	if code != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

func login(t *testing.T, s *server, username string) *hookClient {
	t.Helper()
	c := &hookClient{t: t, s: s}
	var tv app.TokenView
	c.call("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": "onewindow-demo"}, http.StatusOK, &tv)
	c.token = tv.Token
	return c
}

// upload uploads a small PDF and returns its id.
func (c *hookClient) upload(name string) string {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	w.Close()
	code, body := c.do("POST", "/api/v1/files", w.FormDataContentType(), &b)
	if code != http.StatusCreated {
		c.t.Fatalf("upload: %d %s", code, body)
	}
	var f struct{ ID string }
	json.Unmarshal(body, &f)
	return f.ID
}

// until polls cond for up to a minute: a bounded wait for the server's workers.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestWebhooksSurviveKillAndRestart runs `onewindow serve` on loopback with a department
// system's webhook to a receiver that fails its first three requests. The system works a case
// with its API key; the server is killed with SIGKILL while deliveries are being retried and
// started again on the same files; the case goes on to its end. The receiver gets every event
// of the case, each verified by its signature and at least once (counted once by event id);
// nothing it got is missing from the event feed, and the delivery log holds one delivery per
// event, each delivered.
func TestWebhooksSurviveKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	args := []string{"--demo", "--data-dir", dir, "--worker-name", "webhooks-test", "--webhook-retry", "300ms", "--webhook-retry-max", "2s"}
	s := startServer(t, bin, args...)

	rc := &hookReceiver{failFirst: 3, byID: map[string]app.WebhookBody{}, times: map[string]int{}}
	recv := httptest.NewServer(rc)
	defer recv.Close()

	admin := login(t, s, "admin")
	var users app.List[struct{ ID, Username string }]
	admin.call("GET", "/api/v1/users?kind=system&q=system-scjgj", nil, http.StatusOK, &users)
	if len(users.Items) != 1 {
		t.Fatalf("system users %+v", users.Items)
	}
	var key app.NewAPIKey
	admin.call("POST", "/api/v1/users/"+users.Items[0].ID+"/api-keys", map[string]string{"name": "对接测试"}, http.StatusCreated, &key)
	sys := &hookClient{t: t, s: s, apiKey: key.Key}
	// A department system may not point its webhook at this machine; an admin allows it for
	// this test setup, for the system's department.
	code, body := sys.do("POST", "/api/v1/webhooks", "application/json", strings.NewReader(`{"url":"`+recv.URL+`"}`))
	if code != http.StatusBadRequest || !strings.Contains(string(body), app.CodeWebhookURL) {
		t.Fatalf("a system's loopback webhook: %d %s", code, body)
	}
	var me struct {
		Memberships []struct{ OrgUnitID string }
	}
	sys.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	var sub app.NewSubscription
	admin.call("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "allowLoopback": true, "departmentId": me.Memberships[0].OrgUnitID},
		http.StatusCreated, &sub)
	rc.mu.Lock()
	rc.secret = sub.Secret
	rc.mu.Unlock()

	// applicant1 applies online for 食品经营许可 with every material.
	var guides app.List[app.ServiceGuide]
	admin.call("GET", "/api/v1/public/items?q="+url.QueryEscape("食品经营许可"), nil, http.StatusOK, &guides)
	if len(guides.Items) != 1 {
		t.Fatalf("guides %d", len(guides.Items))
	}
	applicant := login(t, s, "applicant1")
	var ms []map[string]any
	for _, m := range guides.Items[0].Materials {
		ms = append(ms, map[string]any{"code": m.Code, "fileIds": []string{applicant.upload(m.Code + ".pdf")}})
	}
	var k app.CaseSubmitted
	applicant.call("POST", "/api/v1/cases", map[string]any{"itemId": guides.Items[0].ItemID, "channel": "online", "materials": ms}, http.StatusCreated, &k)

	complete := func(c *hookClient, element, outcome string) {
		t.Helper()
		var id string
		until(t, "task "+element, func() bool {
			var inbox app.List[struct{ ID, CaseID, ElementID string }]
			c.call("GET", "/api/v1/tasks?limit=200", nil, http.StatusOK, &inbox)
			for _, x := range inbox.Items {
				if x.CaseID == k.ID && x.ElementID == element {
					id = x.ID
					return true
				}
			}
			return false
		})
		in := map[string]any{}
		if outcome != "" {
			in["outcome"] = outcome
		}
		c.call("POST", "/api/v1/tasks/"+id+"/complete", in, http.StatusAccepted, nil)
	}
	complete(sys, "acceptance", "accept")
	complete(sys, "review", "")
	// Kill the server while the receiver is failing and deliveries wait for their retry.
	until(t, "the receiver's first failures", func() bool { n, _, _, _ := rc.snapshot(); return n >= 2 })
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
	reqBefore, accBefore, _, _ := rc.snapshot()
	t.Logf("killed with %d requests received, %d events accepted", reqBefore, accBefore)
	if accBefore >= 4 {
		t.Fatalf("all %d events of the first two steps were delivered before the kill: it tests nothing", accBefore)
	}

	s = startServer(t, bin, args...)
	admin.s, applicant.s, sys.s = s, s, s
	complete(sys, "approval", "approve")
	complete(sys, "certification", "")
	complete(sys, "delivery", "")

	var feed app.List[struct {
		ID, Type string
		Seq      int64
	}]
	until(t, "the case's end in the feed", func() bool {
		sys.call("GET", "/api/v1/events?limit=200&caseId="+k.ID, nil, http.StatusOK, &feed)
		return len(feed.Items) > 0 && feed.Items[len(feed.Items)-1].Type == app.EventCaseFinished
	})
	until(t, "every event at the receiver", func() bool {
		_, n, _, _ := rc.snapshot()
		return n >= len(feed.Items)
	})
	requests, accepted, dup, bad := rc.snapshot()
	rc.mu.Lock()
	var types []string
	for _, e := range feed.Items {
		got, ok := rc.byID[e.ID]
		if !ok || got.Type != e.Type || got.Seq != e.Seq || got.CaseID != k.ID {
			t.Errorf("event %d %s: received %+v", e.Seq, e.Type, got)
		}
		types = append(types, e.Type)
	}
	if accepted != len(feed.Items) {
		t.Errorf("the receiver accepted %d distinct events, the case has %d: none may be invented", accepted, len(feed.Items))
	}
	rc.mu.Unlock()
	want := "case.created,step.completed,case.accepted,step.completed,step.completed,case.decided,step.completed,step.completed,case.finished"
	if got := strings.Join(types, ","); got != want {
		t.Errorf("events %s\nwant   %s", got, want)
	}
	if bad != 0 {
		t.Errorf("%d requests with a bad signature", bad)
	}
	var log app.List[struct {
		EventID  string
		State    string
		Attempts int
	}]
	admin = login(t, s, "admin")
	until(t, "every delivery recorded as delivered", func() bool {
		admin.call("GET", "/api/v1/webhooks/"+sub.ID+"/deliveries?limit=200", nil, http.StatusOK, &log)
		for _, d := range log.Items {
			if d.State != "delivered" {
				return false
			}
		}
		return true
	})
	seen := map[string]bool{}
	for _, d := range log.Items {
		if d.State != "delivered" || seen[d.EventID] {
			t.Errorf("delivery %+v (seen before: %v)", d, seen[d.EventID])
		}
		seen[d.EventID] = true
	}
	if len(log.Items) != len(feed.Items) {
		t.Errorf("%d deliveries for %d events", len(log.Items), len(feed.Items))
	}
	t.Logf("%d events, %d requests (3 failed on purpose), %d accepted again after the kill (at-least-once, deduplicated by id)",
		len(feed.Items), requests, dup)
	s.stop()
}
