package handlers

// Regression tests of issue 10's identity defects: sign-in throttling (6), token revocation
// (7), bcrypt's byte limit (8), invisible characters in names (10), and a supervisor's scope on
// the identity endpoints.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"onewindow/demo"
)

// tokenOf signs in username with password from addr and returns the token.
func (s *testServer) tokenOf(t *testing.T, addr, username, password string) string {
	t.Helper()
	r := s.from(addr, "POST", "/api/v1/auth/login", `{"username":"`+username+`","password":"`+password+`"}`)
	if r.Code != http.StatusOK {
		t.Fatalf("login %s from %s: %d %s", username, addr, r.Code, r.Body)
	}
	var tr struct {
		Token string `json:"token"`
	}
	r.json(t, &tr)
	return tr.Token
}

// Defect 6: parallel wrong passwords were all checked. Each attempt is counted before its
// password is checked, so only the allowance is checked, however many come at once.
func TestParallelWrongPasswordsAreCountedAtOnce(t *testing.T) {
	s := newTestServer(t, nil)
	const n = 30
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.from("203.0.113.7:4000", "POST", "/api/v1/auth/login", `{"username":"admin","password":"guess-`+strconv.Itoa(i)+`"}`).Code
		}()
	}
	wg.Wait()
	checked, refused := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("answer %d to a wrong password", c)
		}
	}
	if checked > 5 || refused < n-5 {
		t.Fatalf("%d of %d parallel wrong passwords were checked, %d refused; want at most 5 checked", checked, n, refused)
	}
}

// Defect 6: 25 anonymous wrong passwords locked the real admin out. A burst from one address
// is stopped at that address; the owner signs in from another.
func TestBurstFromOneAddressDoesNotLockOutTheOwner(t *testing.T) {
	s := newTestServer(t, nil)
	attacker, owner := "203.0.113.7:4000", "198.51.100.9:5000"
	var last response
	for i := range 25 {
		last = s.from(attacker, "POST", "/api/v1/auth/login", `{"username":"admin","password":"guess-`+strconv.Itoa(i)+`"}`)
	}
	e := expectError(t, last, http.StatusTooManyRequests, codeTooManyAttempts)
	if ra, err := strconv.Atoi(last.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds", last.Header().Get("Retry-After"))
	}
	if !strings.Contains(e.Message, "seconds") {
		t.Errorf("429 message %q should say when to try again", e.Message)
	}
	// The right password from the attacker's address is still refused: the limit holds.
	expectError(t, s.from(attacker, "POST", "/api/v1/auth/login", `{"username":"admin","password":"`+demo.Password+`"}`),
		http.StatusTooManyRequests, codeTooManyAttempts)
	// The owner, elsewhere, is not locked out.
	s.tokenOf(t, owner, "admin", demo.Password)

	// A spoofed X-Forwarded-For does not make the attacker a new client: no proxy is trusted.
	expectError(t, s.from(attacker, "POST", "/api/v1/auth/login", `{"username":"admin","password":"x"}`, "X-Forwarded-For", "192.0.2.200"),
		http.StatusTooManyRequests, codeTooManyAttempts)
}

// With a trusted proxy, the client address is the one the proxy reports.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	s := newTestServer(t, nil, func(d *testConfig) { d.TrustedProxies = []string{"10.0.0.1"} })
	proxy := "10.0.0.1:7000"
	for i := range 25 {
		s.from(proxy, "POST", "/api/v1/auth/login", `{"username":"admin","password":"guess-`+strconv.Itoa(i)+`"}`, "X-Forwarded-For", "203.0.113.7")
	}
	expectError(t, s.from(proxy, "POST", "/api/v1/auth/login", `{"username":"admin","password":"x"}`, "X-Forwarded-For", "203.0.113.7"),
		http.StatusTooManyRequests, codeTooManyAttempts)
	// Another client behind the same proxy signs in.
	s.tokenOf(t, proxy, "admin", demo.Password)
	req := s.from(proxy, "POST", "/api/v1/auth/login", `{"username":"admin","password":"`+demo.Password+`"}`, "X-Forwarded-For", "198.51.100.9")
	if req.Code != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d %s", req.Code, req.Body)
	}
}

// Defect 6: the public write endpoints are limited per client address.
func TestPublicWritesAreRateLimitedPerAddress(t *testing.T) {
	s := newTestServer(t, nil)
	for _, c := range []struct {
		name, method, path string
		body               func(i int) string
	}{
		{"registration", "POST", "/api/v1/auth/register", func(i int) string {
			return `{"username":"flood` + strconv.Itoa(i) + `","password":"long-enough","realName":"王五","idCard":"450981198506150020","phone":"13912345678"}`
		}},
		{"complaints", "POST", "/api/v1/complaints", func(int) string {
			return `{"subject":"department","departmentId":"` + s.unitID("zjj") + `","content":"x","contactName":"张三","contactPhone":"13900000000"}`
		}},
		{"progress lookup", "GET", "/api/v1/public/progress?number=20251126-XZXK-9999&code=ABCDEF", func(int) string { return "" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := "203.0.113." + strconv.Itoa(len(c.name)) + ":4000"
			var last response
			for i := range 200 {
				if last = s.from(addr, c.method, c.path, c.body(i)); last.Code == http.StatusTooManyRequests {
					break
				}
			}
			expectError(t, last, http.StatusTooManyRequests, codeTooManyAttempts)
			if last.Header().Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			// Another address is not affected.
			if r := s.from("198.51.100.77:1", c.method, c.path, c.body(1000)); r.Code == http.StatusTooManyRequests {
				t.Fatalf("another address refused: %s", r.Body)
			}
		})
	}
}

// Defect 7: an old token stops working when the password changes, and on logout.
func TestPasswordChangeAndLogoutRevokeTokens(t *testing.T) {
	s := newTestServer(t, nil)
	addr := "198.51.100.9:5000"
	admin := s.tokenOf(t, addr, "admin", demo.Password)
	old := s.tokenOf(t, addr, "clerk1", demo.Password)
	other := s.tokenOf(t, addr, "clerk1", demo.Password)

	// Logout revokes the token it is sent with, and no other.
	if r := s.as(other, "POST", "/api/v1/auth/logout", ""); r.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(other, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
	if r := s.as(old, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
		t.Fatalf("another session after logout: %d %s", r.Code, r.Body)
	}

	// An admin sets a new password: the old token is refused, a new sign-in works.
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	s.as(old, "GET", "/api/v1/me", "").json(t, &me)
	if r := s.as(admin, "PATCH", "/api/v1/users/"+me.User.ID, `{"password":"a-new-password"}`); r.Code != http.StatusOK {
		t.Fatalf("set password: %d %s", r.Code, r.Body)
	}
	e := expectError(t, s.as(old, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
	if !strings.Contains(e.Message, "sign in again") {
		t.Errorf("revoked token message %q should say to sign in again", e.Message)
	}
	fresh := s.tokenOf(t, addr, "clerk1", "a-new-password")
	if r := s.as(fresh, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
		t.Fatalf("new token: %d %s", r.Code, r.Body)
	}

	// The user changes their own password: the answer carries a new token; the one used
	// to ask is revoked.
	r := s.from(addr, "POST", "/api/v1/auth/password", `{"currentPassword":"a-new-password","newPassword":"yet-another-one"}`, "Authorization", "Bearer "+fresh)
	if r.Code != http.StatusOK {
		t.Fatalf("change own password: %d %s", r.Code, r.Body)
	}
	var tr struct {
		Token string `json:"token"`
	}
	r.json(t, &tr)
	expectError(t, s.as(fresh, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
	if r := s.as(tr.Token, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
		t.Fatalf("token from the password change: %d %s", r.Code, r.Body)
	}
	// A wrong current password changes nothing (and is 403: the token is fine).
	expectError(t, s.from(addr, "POST", "/api/v1/auth/password", `{"currentPassword":"wrong-one","newPassword":"whatever-else"}`, "Authorization", "Bearer "+tr.Token),
		http.StatusForbidden, codeBadCredentials)
	s.tokenOf(t, addr, "clerk1", "yet-another-one")

	// Disabling the user revokes their tokens for good: enabling them again does not bring
	// the old token back.
	if r := s.as(admin, "PATCH", "/api/v1/users/"+me.User.ID, `{"disabled":true}`); r.Code != http.StatusOK {
		t.Fatalf("disable: %d %s", r.Code, r.Body)
	}
	if r := s.as(admin, "PATCH", "/api/v1/users/"+me.User.ID, `{"disabled":false}`); r.Code != http.StatusOK {
		t.Fatalf("enable: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(tr.Token, "GET", "/api/v1/me", ""), http.StatusUnauthorized, codeInvalidToken)
}

// Defect 8: a password of fewer than 72 characters but more than 72 bytes was a 500.
func TestPasswordOverBcryptsByteLimitIs400(t *testing.T) {
	s := newTestServer(t, nil)
	long := strings.Repeat("密", 30) // 30 characters, 90 bytes
	admin := s.login("admin")
	clerk := s.login("clerk1")
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	s.as(clerk, "GET", "/api/v1/me", "").json(t, &me)
	for _, c := range []struct {
		name, token, method, path, body, field string
	}{
		{"registration", "", "POST", "/api/v1/auth/register",
			`{"username":"wangwu","password":"` + long + `","realName":"王五","idCard":"450981198506150020","phone":"13912345678"}`, "password"},
		{"user creation", admin, "POST", "/api/v1/users", `{"username":"clerk9","displayName":"九号","kind":"staff","password":"` + long + `"}`, "password"},
		{"password set by an admin", admin, "PATCH", "/api/v1/users/" + me.User.ID, `{"password":"` + long + `"}`, "password"},
		{"own password change", clerk, "POST", "/api/v1/auth/password", `{"currentPassword":"` + demo.Password + `","newPassword":"` + long + `"}`, "newPassword"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r response
			if c.token == "" {
				r = s.do(c.method, c.path, c.body)
			} else {
				r = s.as(c.token, c.method, c.path, c.body)
			}
			e := expectError(t, r, http.StatusBadRequest, codeValidation)
			if len(e.Fields) == 0 || e.Fields[0].Field != c.field || !strings.Contains(e.Fields[0].Message, "72 bytes") {
				t.Fatalf("error %+v, want field %s naming the limit of 72 bytes", e, c.field)
			}
		})
	}
	if r := s.as(clerk, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
		t.Fatalf("the refused password change revoked the token: %d", r.Code)
	}
}

// Defect 10: codes, usernames and names refuse control and format characters.
func TestNamesRefuseInvisibleCharacters(t *testing.T) {
	s := newTestServer(t, nil)
	admin := s.login("admin")
	county, clerkID := s.unitID("450981"), ""
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	s.as(s.login("clerk1"), "GET", "/api/v1/me", "").json(t, &me)
	clerkID = me.User.ID
	var sys struct {
		ID string `json:"id"`
	}
	if r := s.as(admin, "POST", "/api/v1/users", `{"username":"sys-x","displayName":"系统","kind":"system"}`); r.Code != http.StatusCreated {
		t.Fatalf("system user: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &sys)
	}
	for _, bad := range []string{"\\u0000", "\\u202e", "\\u200b", "\\u0007"} {
		for _, c := range []struct {
			name, token, method, path, body, field string
		}{
			{"registration displayName", "", "POST", "/api/v1/auth/register",
				`{"username":"wangwu","password":"long-enough","displayName":"王` + bad + `五","realName":"王五","idCard":"450981198506150020","phone":"13912345678"}`, "displayName"},
			{"registration realName", "", "POST", "/api/v1/auth/register",
				`{"username":"wangwu","password":"long-enough","realName":"王` + bad + `五","idCard":"450981198506150020","phone":"13912345678"}`, "realName"},
			{"user displayName", admin, "POST", "/api/v1/users", `{"username":"clerk9","displayName":"九` + bad + `号","kind":"staff","password":"long-enough"}`, "displayName"},
			{"user rename", admin, "PATCH", "/api/v1/users/" + clerkID, `{"displayName":"王` + bad + `丽"}`, "displayName"},
			{"org unit code", admin, "POST", "/api/v1/org-units", `{"parentId":"` + county + `","kind":"department","code":"jyj` + bad + `","name":"教育局"}`, "code"},
			{"org unit name", admin, "POST", "/api/v1/org-units", `{"parentId":"` + county + `","kind":"department","code":"jyj","name":"教育` + bad + `局"}`, "name"},
			{"org unit recode", admin, "PATCH", "/api/v1/org-units/" + county, `{"code":"450981` + bad + `"}`, "code"},
			{"org unit rename", admin, "PATCH", "/api/v1/org-units/" + county, `{"name":"北流` + bad + `市"}`, "name"},
			{"API key name", admin, "POST", "/api/v1/users/" + sys.ID + "/api-keys", `{"name":"push` + bad + `"}`, "name"},
			{"login username", "", "POST", "/api/v1/auth/login", `{"username":"admin` + bad + `","password":"x"}`, "username"},
		} {
			t.Run(c.name+" "+bad, func(t *testing.T) {
				var r response
				if c.token == "" {
					r = s.from("198.51.100."+strconv.Itoa(len(c.name))+":1", c.method, c.path, c.body)
				} else {
					r = s.as(c.token, c.method, c.path, c.body)
				}
				e := expectError(t, r, http.StatusBadRequest, codeValidation)
				if len(e.Fields) == 0 || e.Fields[0].Field != c.field {
					t.Fatalf("error %+v, want field %s", e, c.field)
				}
			})
		}
	}
}

// A township's supervisor sees, on the identity endpoints, the staff of their subtree only,
// and no applicant.
func TestTownshipSupervisorSeesOnlyTheirSubtree(t *testing.T) {
	s := newTestServer(t, nil)
	admin := s.login("admin")
	township := s.unitID(demo.Township1)
	body := `{"username":"sup-minle","displayName":"民乐镇监察员","kind":"staff","password":"long-enough","memberships":[{"orgUnitId":"` + township + `","role":"supervisor"}]}`
	if r := s.as(admin, "POST", "/api/v1/users", body); r.Code != http.StatusCreated {
		t.Fatalf("create supervisor: %d %s", r.Code, r.Body)
	}
	sup := s.tokenOf(t, "198.51.100.9:1", "sup-minle", "long-enough")
	ids := map[string]string{}
	var all struct {
		Items []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"items"`
	}
	s.as(admin, "GET", "/api/v1/users?limit=200", "").json(t, &all)
	for _, u := range all.Items {
		ids[u.Username] = u.ID
	}
	r := s.as(sup, "GET", "/api/v1/users?limit=200", "")
	if r.Code != http.StatusOK {
		t.Fatalf("supervisor lists users: %d %s", r.Code, r.Body)
	}
	var seen struct {
		Items []struct {
			Username string `json:"username"`
		} `json:"items"`
	}
	r.json(t, &seen)
	var names []string
	for _, u := range seen.Items {
		names = append(names, u.Username)
	}
	if got := strings.Join(names, " "); got != "agent1 sup-minle" {
		t.Fatalf("a supervisor of 民乐镇 sees %q, want the staff of its subtree: agent1 sup-minle", got)
	}
	if r := s.as(sup, "GET", "/api/v1/users/"+ids["agent1"], ""); r.Code != http.StatusOK {
		t.Fatalf("agent1 of the subtree: %d %s", r.Code, r.Body)
	}
	for _, other := range []string{"clerk1", "applicant1", "supervisor"} {
		expectError(t, s.as(sup, "GET", "/api/v1/users/"+ids[other], ""), http.StatusNotFound, codeNotFound)
		expectError(t, s.as(sup, "GET", "/api/v1/users/"+ids[other]+"/memberships", ""), http.StatusNotFound, codeNotFound)
	}
	var found struct {
		Items []any `json:"items"`
	}
	s.as(sup, "GET", "/api/v1/users?q="+url.QueryEscape("李明"), "").json(t, &found)
	if len(found.Items) != 0 {
		t.Fatalf("a supervisor finds the applicant 李明: %v", found.Items)
	}
	// Reading is all: no changes, no keys.
	expectError(t, s.as(sup, "PATCH", "/api/v1/users/"+ids["agent1"], `{"displayName":"x"}`), http.StatusForbidden, codeForbidden)
	expectError(t, s.as(sup, "GET", "/api/v1/users/"+ids["system-scjgj"]+"/api-keys", ""), http.StatusForbidden, codeForbidden)
	// The county's supervisor sees the county's staff.
	var county struct {
		Items []struct {
			Username string `json:"username"`
		} `json:"items"`
	}
	s.as(s.login("supervisor"), "GET", "/api/v1/users?limit=200", "").json(t, &county)
	if len(county.Items) < 10 {
		t.Fatalf("the county's supervisor sees %d users", len(county.Items))
	}
	for _, u := range county.Items {
		if u.Username == "applicant1" {
			t.Fatal("a supervisor sees an applicant")
		}
	}
}
