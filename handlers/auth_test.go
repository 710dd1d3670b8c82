package handlers

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/store"
	"onewindow/store/storetest"
)

func TestLoginMeAndTokenExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		r := s.do("POST", "/api/v1/auth/login", `{"username":"Clerk1","password":"onewindow-demo"}`)
		if r.Code != http.StatusOK {
			t.Fatalf("login: %d %s", r.Code, r.Body)
		}
		var tr app.TokenView
		r.json(t, &tr)
		if tr.Token == "" || tr.User.Username != "clerk1" || !tr.ExpiresAt.Equal(s.clock().Add(time.Hour)) {
			t.Fatalf("login answer %+v", tr)
		}
		if strings.Contains(r.Body.String(), "passwordHash") || strings.Contains(r.Body.String(), "$2a$") {
			t.Fatal("login answer leaks the password hash")
		}

		me := s.as(tr.Token, "GET", "/api/v1/me", "")
		if me.Code != http.StatusOK {
			t.Fatalf("/me: %d %s", me.Code, me.Body)
		}
		var mr app.MeView
		me.json(t, &mr)
		if mr.User.Username != "clerk1" || !slices.Equal(mr.Roles, []string{"clerk"}) || len(mr.Memberships) != 1 || mr.Memberships[0].OrgUnitCode != "zwzx-01" {
			t.Fatalf("/me = %+v", mr)
		}

		// Still valid a second before expiry, refused a second after.
		s.advance(time.Hour - time.Second)
		if r := s.as(tr.Token, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
			t.Fatalf("just before expiry: %d", r.Code)
		}
		s.advance(2 * time.Second)
		e := expectError(t, s.as(tr.Token, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
		if !strings.Contains(e.Message, "expired") {
			t.Errorf("expired token message %q should say so", e.Message)
		}
	})
}

func TestUnauthenticatedAndBadTokens(t *testing.T) {
	s := newTestServer(t, nil)
	r := s.do("GET", "/api/v1/me", "")
	expectError(t, r, http.StatusUnauthorized, codeUnauthenticated)
	if r.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	expectError(t, s.do("GET", "/api/v1/me", "", "Authorization", "Basic YWRtaW46eA=="), http.StatusUnauthorized, codeInvalidToken)
	expectError(t, s.as("not.a.jwt", "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)

	// A token signed with another secret is refused.
	other := newTestServer(t, nil, func(d *testConfig) { d.TokenSecret = []byte("another-secret-another-secret-another") })
	tok := other.login("admin")
	expectError(t, s.as(tok, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)

	// A disabled user's token stops working at once.
	tok = s.login("clerk2")
	admin := s.login("admin")
	u, _ := store.GetUserByUsername(t.Context(), s.db, "clerk2")
	if r := s.as(admin, "PATCH", "/api/v1/users/"+u.ID, `{"disabled":true}`); r.Code != http.StatusOK {
		t.Fatalf("disable: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(tok, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
	// ... and the user cannot sign in, with the same answer as a wrong password.
	e := expectError(t, s.do("POST", "/api/v1/auth/login", `{"username":"clerk2","password":"onewindow-demo"}`), http.StatusUnauthorized, codeBadCredentials)
	if e.Message != "wrong username or password" {
		t.Errorf("disabled user message %q", e.Message)
	}
}

func TestWrongPasswordGivesNoHint(t *testing.T) {
	s := newTestServer(t, nil)
	wrongPw := s.do("POST", "/api/v1/auth/login", `{"username":"admin","password":"nope"}`)
	noUser := s.do("POST", "/api/v1/auth/login", `{"username":"nobody","password":"nope"}`)
	system := s.do("POST", "/api/v1/auth/login", `{"username":"system-scjgj","password":""}`)
	a := expectError(t, wrongPw, http.StatusUnauthorized, codeBadCredentials)
	b := expectError(t, noUser, http.StatusUnauthorized, codeBadCredentials)
	if a.Message != b.Message || len(a.Fields) != 0 || len(b.Fields) != 0 {
		t.Errorf("wrong password %+v and unknown user %+v answer differently", a, b)
	}
	// An empty password is a validation error, not a sign-in attempt.
	expectError(t, system, http.StatusBadRequest, codeValidation)
	// A system user (no password) cannot sign in with any password.
	expectError(t, s.do("POST", "/api/v1/auth/login", `{"username":"system-scjgj","password":"x"}`), http.StatusUnauthorized, codeBadCredentials)
}

func TestRepeatedFailuresAreSlowed(t *testing.T) {
	s := newTestServer(t, nil)
	wrong := `{"username":"admin","password":"guess"}`
	right := `{"username":"admin","password":"` + demo.Password + `"}`
	for range 5 {
		expectError(t, s.do("POST", "/api/v1/auth/login", wrong), http.StatusUnauthorized, codeBadCredentials)
	}
	// Five failures under a username from an address: the next attempt from there, even with
	// the right password, waits a minute.
	r := s.do("POST", "/api/v1/auth/login", right)
	e := expectError(t, r, http.StatusTooManyRequests, codeTooManyAttempts)
	if r.Header().Get("Retry-After") != "60" || !strings.Contains(e.Message, "for this username from your address") {
		t.Errorf("Retry-After %q, message %q; want 60 and the reason", r.Header().Get("Retry-After"), e.Message)
	}
	// Other usernames are not affected.
	if r := s.do("POST", "/api/v1/auth/login", `{"username":"clerk1","password":"onewindow-demo"}`); r.Code != http.StatusOK {
		t.Fatalf("clerk1 while admin is throttled: %d", r.Code)
	}
	// A minute later, one more attempt.
	s.advance(time.Minute)
	expectError(t, s.do("POST", "/api/v1/auth/login", wrong), http.StatusUnauthorized, codeBadCredentials)
	expectError(t, s.do("POST", "/api/v1/auth/login", right), http.StatusTooManyRequests, codeTooManyAttempts)
	s.advance(time.Minute)
	if r := s.do("POST", "/api/v1/auth/login", right); r.Code != http.StatusOK {
		t.Fatalf("after waiting: %d %s", r.Code, r.Body)
	}
	// Successful sign-ins do not count.
	for range 10 {
		s.tokenOf(t, "198.51.100.3:1", "clerk2", demo.Password)
	}
	// Throttling also covers usernames that do not exist, so 429 tells nothing about existence.
	for range 5 {
		s.do("POST", "/api/v1/auth/login", `{"username":"ghost","password":"x"}`)
	}
	expectError(t, s.do("POST", "/api/v1/auth/login", `{"username":"ghost","password":"x"}`), http.StatusTooManyRequests, codeTooManyAttempts)

	// One address trying many usernames is stopped at its own allowance.
	addr := "203.0.113.50:1"
	for i := range 20 {
		expectError(t, s.from(addr, "POST", "/api/v1/auth/login", `{"username":"user`+strconv.Itoa(i)+`","password":"x"}`), http.StatusUnauthorized, codeBadCredentials)
	}
	e = expectError(t, s.from(addr, "POST", "/api/v1/auth/login", `{"username":"admin","password":"x"}`), http.StatusTooManyRequests, codeTooManyAttempts)
	if !strings.Contains(e.Message, "from your address") {
		t.Errorf("message %q should say the address is throttled", e.Message)
	}
}

func TestRegisterApplicant(t *testing.T) {
	s := newTestServer(t, nil)
	body := `{"username":"wangwu","password":"long-enough","realName":"王五","idCard":"450981198506150020","phone":"13912345678"}`
	r := s.do("POST", "/api/v1/auth/register", body)
	if r.Code != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Code, r.Body)
	}
	var tr app.TokenView
	r.json(t, &tr)
	if tr.User.Kind != store.UserApplicant || tr.User.DisplayName != "王五" || tr.Token == "" {
		t.Fatalf("register answer %+v", tr)
	}
	var mr app.MeView
	me := s.as(tr.Token, "GET", "/api/v1/me", "")
	me.json(t, &mr)
	if !slices.Equal(mr.Roles, []string{"applicant"}) {
		t.Errorf("applicant roles %v", mr.Roles)
	}
	expectError(t, s.do("POST", "/api/v1/auth/register", body), http.StatusConflict, codeConflict)

	e := expectError(t, s.do("POST", "/api/v1/auth/register",
		`{"username":"zhaoliu","password":"long-enough","realName":"赵六","idCard":"450981198506150021","phone":"12345"}`),
		http.StatusBadRequest, codeValidation)
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Field] = f.Message
	}
	if !strings.Contains(fields["idCard"], "check character") || fields["phone"] == "" || len(fields) != 2 {
		t.Errorf("fields %v, want idCard (check character) and phone", fields)
	}
	// Registered applicants cannot reach admin routes.
	expectError(t, s.as(tr.Token, "GET", "/api/v1/users", ""), http.StatusForbidden, codeForbidden)
}
