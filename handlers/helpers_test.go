package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/store"
	"onewindow/store/storetest"
)

// testServer is the API over a demo database with a clock the test moves.
type testServer struct {
	t   testing.TB
	db  *store.DB
	h   http.Handler
	app *app.App
	mu  sync.Mutex
	now time.Time
}

// testConfig is what a test may change of the server: the use cases' configuration and the
// HTTP dependencies.
type testConfig struct {
	app.Config
	MaxBodyBytes   int64
	TrustedProxies []string
	// StartEngine, if set, starts an engine with the App's hooks (as serve.go does): the App
	// is built first and then given the engine.
	StartEngine func(app.EngineHooks) *engine.Engine
}

func newTestServer(t testing.TB, db *store.DB, deps ...func(*testConfig)) *testServer {
	t.Helper()
	if db == nil {
		db = storetest.SQLite(t)
	}
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, db: db, now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	d := testConfig{Config: app.Config{
		DB:          db,
		TokenSecret: []byte("test-secret-test-secret-test-secret!"),
		TokenTTL:    time.Hour,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:         s.clock,
	}}
	for _, f := range deps {
		f(&d)
	}
	s.app = app.New(d.Config)
	if d.StartEngine != nil {
		d.Engine = d.StartEngine(s.app.EngineHooks())
		s.app.UseEngine(d.Engine)
	}
	s.h = New(Deps{App: s.app, Logger: d.Logger, Version: "test", MaxBodyBytes: d.MaxBodyBytes, TrustedProxies: d.TrustedProxies})
	return s
}

func (s *testServer) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *testServer) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// response is a recorded answer with its body decoded as far as the test needs.
type response struct {
	*httptest.ResponseRecorder
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body.String(), err)
	}
}

func (r response) apiError(t testing.TB) ErrorBody {
	t.Helper()
	var e ErrorResponse
	r.json(t, &e)
	return e.Error
}

// do sends a request; headers alternate name, value.
func (s *testServer) do(method, path, body string, headers ...string) response {
	s.t.Helper()
	return s.from("192.0.2.1:1234", method, path, body, headers...)
}

// from sends a request from the client address addr (host:port); headers alternate name,
// value.
func (s *testServer) from(addr, method, path, body string, headers ...string) response {
	s.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = addr
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	return response{w}
}

// as sends a request with a bearer token.
func (s *testServer) as(token, method, path, body string) response {
	s.t.Helper()
	return s.do(method, path, body, "Authorization", "Bearer "+token)
}

// login signs in a demo user and returns the token.
func (s *testServer) login(username string) string {
	s.t.Helper()
	r := s.do("POST", "/api/v1/auth/login", `{"username":"`+username+`","password":"`+demo.Password+`"}`)
	if r.Code != http.StatusOK {
		s.t.Fatalf("login %s: %d %s", username, r.Code, r.Body)
	}
	var tr app.TokenView
	r.json(s.t, &tr)
	return tr.Token
}

// unitID returns the id of the demo unit with code.
func (s *testServer) unitID(code string) string {
	s.t.Helper()
	u, err := store.GetOrgUnitByCode(context.Background(), s.db, code)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

func mustJSON(v any) string {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		panic(err)
	}
	return b.String()
}

func expectError(t *testing.T, r response, status int, code string) ErrorBody {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d: %s", r.Code, status, r.Body)
	}
	e := r.apiError(t)
	if e.Code != code || e.Message == "" {
		t.Fatalf("error %+v, want code %q with a message", e, code)
	}
	return e
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// rebuildCounters counts rows a test wrote with plain SQL into the scorecards' counters.
func rebuildCounters(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.Tx(ctx, func(tx *sqlx.Tx) error { return store.RebuildScoreCounters(ctx, tx, &store.Calendars{DB: db}) }); err != nil {
		t.Fatal(err)
	}
}
