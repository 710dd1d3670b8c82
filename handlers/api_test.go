package handlers

import (
	"net/http"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestRolesGiveForbiddenNotUnauthorized(t *testing.T) {
	s := newTestServer(t, nil)
	clerk, admin := s.login("clerk1"), s.login("admin")
	county := s.unitID("450981")
	body := `{"parentId":"` + county + `","kind":"department","code":"jyj","name":"北流市教育局"}`
	e := expectError(t, s.as(clerk, "POST", "/api/v1/org-units", body), http.StatusForbidden, codeForbidden)
	if !strings.Contains(e.Message, "admin") {
		t.Errorf("403 message %q should name the needed role", e.Message)
	}
	expectError(t, s.do("POST", "/api/v1/org-units", body), http.StatusUnauthorized, codeUnauthenticated)
	expectError(t, s.as(clerk, "GET", "/api/v1/users", ""), http.StatusForbidden, codeForbidden)
	r := s.as(admin, "POST", "/api/v1/org-units", body)
	if r.Code != http.StatusCreated {
		t.Fatalf("admin create: %d %s", r.Code, r.Body)
	}
	var u store.OrgUnit
	r.json(t, &u)
	if u.ParentID != county || u.Kind != "department" || u.ID == "" {
		t.Errorf("created %+v", u)
	}
	// Reading the tree is open to every signed-in user.
	if r := s.as(clerk, "GET", "/api/v1/org-units/"+u.ID, ""); r.Code != http.StatusOK {
		t.Errorf("clerk reads a unit: %d", r.Code)
	}
}

func TestValidationErrors(t *testing.T) {
	s := newTestServer(t, nil, func(d *testConfig) { d.MaxBodyBytes = 4096 })
	admin := s.login("admin")
	county := s.unitID("450981")
	cases := []struct {
		name, body string
		status     int
		code       string
		field      string
		msg        string
	}{
		{"unknown field", `{"username":"a","password":"b","role":"x"}`, 400, codeInvalidJSON, "role", "not a known field"},
		{"wrong type", `{"username":42,"password":"b"}`, 400, codeInvalidJSON, "username", "must be a string"},
		{"missing field", `{"username":"admin"}`, 400, codeValidation, "password", "is required"},
		{"empty body", ``, 400, codeInvalidJSON, "", "empty"},
		{"not JSON", `username=admin`, 400, codeInvalidJSON, "", "not valid JSON"},
		{"truncated", `{"username":"admin",`, 400, codeInvalidJSON, "", "ends in the middle"},
		{"two values", `{"username":"admin","password":"x"} {}`, 400, codeInvalidJSON, "", "more follows"},
		{"array", `[1,2]`, 400, codeInvalidJSON, "", "must be an object"},
		{"oversize", `{"username":"` + strings.Repeat("a", 5000) + `","password":"x"}`, 413, codeBodyTooLarge, "", "larger than 4096"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := expectError(t, s.do("POST", "/api/v1/auth/login", c.body), c.status, c.code)
			if !strings.Contains(e.Message+" "+fieldsText(e), c.msg) {
				t.Errorf("message %q fields %v, want %q", e.Message, e.Fields, c.msg)
			}
			if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
				t.Errorf("fields %+v, want %s", e.Fields, c.field)
			}
		})
	}

	// Nested paths use json names; rules from the store come back as fields too.
	e := expectError(t, s.as(admin, "POST", "/api/v1/users",
		`{"username":"Bad Name","displayName":"x","kind":"staff","password":"long-enough","memberships":[{"orgUnitId":"`+county+`","role":"king"}]}`),
		400, codeValidation)
	if got := fieldsText(e); !strings.Contains(got, "username:") || !strings.Contains(got, "memberships[0].role:must be one of admin") {
		t.Errorf("fields %s", got)
	}
	e = expectError(t, s.as(admin, "POST", "/api/v1/org-units", `{"parentId":"`+county+`","kind":"window","code":"w9","name":"窗口"}`), 400, codeValidation)
	if len(e.Fields) != 1 || e.Fields[0].Field != "parentId" || !strings.Contains(e.Fields[0].Message, "centre") {
		t.Errorf("window under a government: %+v", e)
	}
	e = expectError(t, s.as(admin, "POST", "/api/v1/org-units", `{"kind":"government","code":"x","name":"x"}`), 400, codeValidation)
	if len(e.Fields) != 1 || e.Fields[0].Field != "level" {
		t.Errorf("government without level: %+v", e)
	}
	e = expectError(t, s.as(admin, "PATCH", "/api/v1/org-units/"+county, `{"name":""}`), 400, codeValidation)
	if len(e.Fields) != 1 || e.Fields[0].Field != "name" {
		t.Errorf("empty name: %+v", e)
	}

	// Bad ids in paths and query parameters.
	expectError(t, s.as(admin, "GET", "/api/v1/org-units/not-an-id", ""), 400, codeInvalidID)
	expectError(t, s.as(admin, "GET", "/api/v1/org-units/"+store.NewID(), ""), 404, codeNotFound)
	expectError(t, s.as(admin, "GET", "/api/v1/org-units?kind=ministry", ""), 400, codeValidation)
	expectError(t, s.as(admin, "GET", "/api/v1/users?limit=201", ""), 400, codeValidation)
	expectError(t, s.as(admin, "GET", "/api/v1/users?limit=ten", ""), 400, codeValidation)
	expectError(t, s.do("GET", "/api/v1/nowhere", ""), 404, codeNotFound)
	expectError(t, s.do("DELETE", "/api/v1/auth/login", ""), 405, "method_not_allowed")
}

func fieldsText(e ErrorBody) string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+":"+f.Message)
	}
	return strings.Join(parts, "; ")
}

func TestUsersDuplicatesAndAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		admin := s.login("admin")
		w := s.unitID("zwzx-04")
		body := `{"username":"clerk3","displayName":"三号","kind":"staff","password":"long-enough","memberships":[{"orgUnitId":"` + w + `","role":"clerk"}]}`
		r := s.as(admin, "POST", "/api/v1/users", body)
		if r.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Code, r.Body)
		}
		var ur app.UserView
		r.json(t, &ur)
		if ur.Username != "clerk3" || len(ur.Memberships) != 1 || ur.Memberships[0].OrgUnitCode != "zwzx-04" {
			t.Fatalf("created %+v", ur)
		}
		expectError(t, s.as(admin, "POST", "/api/v1/users", body), http.StatusConflict, codeConflict)
		if r := s.do("POST", "/api/v1/auth/login", `{"username":"clerk3","password":"long-enough"}`); r.Code != http.StatusOK {
			t.Fatalf("new user cannot sign in: %d %s", r.Code, r.Body)
		}

		// A bad second membership leaves no user behind.
		bad := `{"username":"clerk4","displayName":"四号","kind":"staff","password":"long-enough","memberships":[` +
			`{"orgUnitId":"` + w + `","role":"clerk"},{"orgUnitId":"` + store.NewID() + `","role":"clerk"}]}`
		e := expectError(t, s.as(admin, "POST", "/api/v1/users", bad), http.StatusBadRequest, codeValidation)
		if len(e.Fields) != 1 || e.Fields[0].Field != "memberships[1].orgUnitId" {
			t.Errorf("fields %+v", e.Fields)
		}
		if _, err := store.GetUserByUsername(t.Context(), db, "clerk4"); err == nil {
			t.Fatal("clerk4 was created although a membership failed")
		}

		// Memberships: add, duplicate, remove, remove again.
		sec := s.unitID("fgj-xzsp")
		path := "/api/v1/users/" + ur.ID + "/memberships"
		if r := s.as(admin, "POST", path, `{"orgUnitId":"`+sec+`","role":"reviewer"}`); r.Code != http.StatusCreated {
			t.Fatalf("add membership: %d %s", r.Code, r.Body)
		}
		expectError(t, s.as(admin, "POST", path, `{"orgUnitId":"`+sec+`","role":"reviewer"}`), http.StatusConflict, codeConflict)
		if r := s.as(admin, "DELETE", path+"/"+sec+"/reviewer", ""); r.Code != http.StatusNoContent {
			t.Fatalf("remove membership: %d %s", r.Code, r.Body)
		}
		expectError(t, s.as(admin, "DELETE", path+"/"+sec+"/reviewer", ""), http.StatusNotFound, codeNotFound)
		var ml app.List[store.Membership]
		s.as(admin, "GET", path, "").json(t, &ml)
		if len(ml.Items) != 1 {
			t.Errorf("memberships after remove: %+v", ml.Items)
		}
		var ul app.List[store.User]
		s.as(admin, "GET", "/api/v1/users?role=reviewer&limit=200", "").json(t, &ul)
		if len(ul.Items) != 8 {
			t.Errorf("%d reviewers, want the 8 demo ones", len(ul.Items))
		}
	})
}

func TestAPIKeyAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		admin := s.login("admin")
		sys, _ := store.GetUserByUsername(t.Context(), db, "system-scjgj")
		clerk, _ := store.GetUserByUsername(t.Context(), db, "clerk1")
		expectError(t, s.as(admin, "POST", "/api/v1/users/"+clerk.ID+"/api-keys", `{"name":"x"}`), http.StatusBadRequest, codeValidation)
		// A system without a department has nothing to scope a key to.
		loose := &store.User{Username: "system-loose", DisplayName: "未归属的系统", Kind: store.UserSystem}
		if err := store.CreateUser(t.Context(), db, loose); err != nil {
			t.Fatal(err)
		}
		expectError(t, s.as(admin, "POST", "/api/v1/users/"+loose.ID+"/api-keys", `{"name":"x"}`), http.StatusUnprocessableEntity, "no_department")
		// Only an admin makes keys.
		expectError(t, s.as(s.login("supervisor"), "POST", "/api/v1/users/"+sys.ID+"/api-keys", `{"name":"x"}`), http.StatusForbidden, codeForbidden)
		r := s.as(admin, "POST", "/api/v1/users/"+sys.ID+"/api-keys", `{"name":"result push"}`)
		if r.Code != http.StatusCreated {
			t.Fatalf("create key: %d %s", r.Code, r.Body)
		}
		var kr app.NewAPIKey
		r.json(t, &kr)

		me := s.do("GET", "/api/v1/me", "", "X-API-Key", kr.Key)
		if me.Code != http.StatusOK {
			t.Fatalf("/me with API key: %d %s", me.Code, me.Body)
		}
		var mr app.MeView
		me.json(t, &mr)
		if mr.User.Username != "system-scjgj" || len(mr.Roles) != 1 || mr.Roles[0] != "system" {
			t.Errorf("/me = %+v", mr)
		}
		// A system user's key does not open admin routes.
		expectError(t, s.do("GET", "/api/v1/users", "", "X-API-Key", kr.Key), http.StatusForbidden, codeForbidden)
		expectError(t, s.do("GET", "/api/v1/me", "", "X-API-Key", kr.Key+"x"), http.StatusUnauthorized, codeInvalidToken)

		var kl app.List[store.APIKey]
		s.as(admin, "GET", "/api/v1/users/"+sys.ID+"/api-keys", "").json(t, &kl)
		if len(kl.Items) != 1 || strings.Contains(mustJSON(kl), kr.Key) {
			t.Fatalf("key list %+v must not contain the key", kl)
		}
		if r := s.as(admin, "DELETE", "/api/v1/users/"+sys.ID+"/api-keys/"+kr.APIKey.ID, ""); r.Code != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Code, r.Body)
		}
		expectError(t, s.do("GET", "/api/v1/me", "", "X-API-Key", kr.Key), http.StatusUnauthorized, codeInvalidToken)
		// A revoked key is not rotated; an overlap is at most 720h.
		expectError(t, s.as(admin, "POST", "/api/v1/users/"+sys.ID+"/api-keys/"+kr.APIKey.ID+"/rotate", `{}`), http.StatusConflict, app.CodeKeyRevoked)
		r = s.as(admin, "POST", "/api/v1/users/"+sys.ID+"/api-keys", `{"name":"result push"}`)
		r.json(t, &kr)
		expectError(t, s.as(admin, "POST", "/api/v1/users/"+sys.ID+"/api-keys/"+kr.APIKey.ID+"/rotate", `{"overlap":"721h"}`), http.StatusBadRequest, codeValidation)
	})
}

func TestOrgTreeRoutes(t *testing.T) {
	s := newTestServer(t, nil)
	tok := s.login("agent1")
	station := s.unitID("luozheng-fwz")
	var l app.List[store.OrgUnit]
	r := s.as(tok, "GET", "/api/v1/org-units/"+station+"/ancestors", "")
	r.json(t, &l)
	var codes []string
	for _, u := range l.Items {
		codes = append(codes, u.Code)
	}
	if got := strings.Join(codes, " "); got != "450000 450900 450981 450981101 450981101201" {
		t.Errorf("ancestors of the village station: %s", got)
	}
	s.as(tok, "GET", "/api/v1/org-units/"+s.unitID("450981101")+"/descendants", "").json(t, &l)
	codes = nil
	for _, u := range l.Items {
		codes = append(codes, u.Code)
	}
	if got := strings.Join(codes, " "); got != "450981101201 minle-fwz luozheng-fwz" {
		t.Errorf("descendants of 民乐镇: %s", got)
	}
	s.as(tok, "GET", "/api/v1/org-units?roots=true", "").json(t, &l)
	if len(l.Items) != 1 || l.Items[0].Name != "广西壮族自治区" {
		t.Errorf("roots: %+v", l.Items)
	}
	s.as(tok, "GET", "/api/v1/org-units?kind=section", "").json(t, &l)
	if len(l.Items) != 8 {
		t.Errorf("%d sections, want 8", len(l.Items))
	}
	expectError(t, s.as(tok, "GET", "/api/v1/org-units/"+store.NewID()+"/descendants", ""), http.StatusNotFound, codeNotFound)

	// Moving a unit under its own descendant is refused.
	admin := s.login("admin")
	county := s.unitID("450981")
	e := expectError(t, s.as(admin, "PATCH", "/api/v1/org-units/"+county, `{"parentId":"`+s.unitID("450981101")+`"}`), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "parentId" {
		t.Errorf("cycle: %+v", e)
	}
}

func TestHealthMetricsAndRequestIDs(t *testing.T) {
	s := newTestServer(t, nil)
	if r := s.do("GET", "/healthz", ""); r.Code != 200 || !strings.Contains(r.Body.String(), `"ok"`) {
		t.Fatalf("/healthz: %d %s", r.Code, r.Body)
	}
	if r := s.do("GET", "/readyz", ""); r.Code != 200 {
		t.Fatalf("/readyz: %d %s", r.Code, r.Body)
	}
	r := s.do("GET", "/api/v1/org-units/"+store.NewID(), "", "X-Request-ID", "trace-123")
	if r.Header().Get("X-Request-ID") != "trace-123" {
		t.Errorf("request id not echoed: %q", r.Header().Get("X-Request-ID"))
	}
	if r := s.do("GET", "/healthz", "", "X-Request-ID", "bad id with spaces"); len(r.Header().Get("X-Request-ID")) != 26 {
		t.Errorf("an unusable request id should be replaced, got %q", r.Header().Get("X-Request-ID"))
	}
	s.do("GET", "/no/such/path", "")
	m := s.do("GET", "/metrics", "").Body.String()
	for _, want := range []string{
		`onewindow_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`onewindow_http_requests_total{method="GET",route="/api/v1/org-units/:id",status="401"} 1`,
		`onewindow_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`onewindow_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 2`,
		`onewindow_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"} 1`,
		`# TYPE onewindow_http_request_duration_seconds histogram`,
		`onewindow_build_info{version="test"} 1`,
		"onewindow_outbox_signals_pending 0",
		"onewindow_timers_armed 0",
		`onewindow_alerts_raised_total{kind="overdue"} 0`,
		"onewindow_figures_up 1",
		"go_goroutines ",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s\n%s", want, m)
		}
	}
	if r := s.do("GET", "/swagger/index.html", ""); r.Code != 200 || !strings.Contains(r.Body.String(), "swagger") {
		t.Errorf("/swagger/index.html: %d", r.Code)
	}
	if r := s.do("GET", "/swagger/doc.json", ""); r.Code != 200 || !strings.Contains(r.Body.String(), "/api/v1/auth/login") {
		t.Errorf("/swagger/doc.json: %d", r.Code)
	}
	s.db.Close()
	if r := s.do("GET", "/readyz", ""); r.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed: %d", r.Code)
	}
}
