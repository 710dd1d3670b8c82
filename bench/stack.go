package bench

// The stack the read-side scenarios (http, scale) measure: onewindow as serve builds it (store,
// use cases, engine, HTTP handlers) on the scenario's own files or on a PostgreSQL database it
// was given, with the demo city loaded.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/engine"
	"onewindow/handlers"
	"onewindow/store"
)

// stack is a running onewindow: its database, use cases, engine and an HTTP server on loopback.
type stack struct {
	db     *store.DB
	app    *app.App
	eng    *engine.Engine
	srv    *httptest.Server
	dbPath string // the SQLite file, "" on PostgreSQL
	engDir string // where the engine's SQLite store lives, "" on Redis
	// workers are the worker processes of --workers (none: this process runs the cases).
	workers []*workerProc
	// pgApp is the application_name of the run's PostgreSQL connections ("" on SQLite).
	pgApp string
	close []func()
}

// benchRequestTimeout bounds each request the bench sends.
const benchRequestTimeout = 30 * time.Second

// benchSecret signs the bench's tokens (in its own process and its workers).
const benchSecret = "bench-secret-bench-secret-bench-secret"

// ErrLiveDatabase refuses a bench run pointed at a database that already holds a centre.
var ErrLiveDatabase = errors.New("the database already holds org units or users (a live centre?): the bench works on its own files or an empty database it may fill")

// startStack opens (or creates) the scenario's database, refuses one that holds a live centre,
// migrates it, loads the demo and starts the engine and an HTTP server on loopback.
func startStack(ctx context.Context, o Options) (*stack, error) {
	s := &stack{}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dsn := o.DB
	if dsn == "" {
		s.dbPath = filepath.Join(o.Dir, "onewindow.db")
		dsn = "sqlite:" + s.dbPath
	} else if err := refuseLive(ctx, dsn); err != nil {
		return nil, err
	} else {
		// A schema of the run's own: runs on one database (interleaved A/B) never meet,
		// and nothing is left behind.
		schemaDSN, appName, drop, err := benchSchema(ctx, dsn)
		if err != nil {
			return nil, err
		}
		s.pgApp = appName
		s.close = append(s.close, drop)
		dsn = schemaDSN
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s.db = db
	s.close = append(s.close, func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if _, err := store.EnsureStandardFlows(ctx, db, "bench"); err != nil {
		return nil, err
	}
	if _, err := store.EnsureSupervisionFlows(ctx, db, "bench"); err != nil {
		return nil, err
	}
	if _, err := demo.Load(ctx, db); err != nil {
		return nil, err
	}
	s.app = app.New(app.Config{DB: db, Logger: log, DataDir: filepath.Join(o.Dir, "data"),
		TokenSecret: []byte(benchSecret), TokenTTL: 12 * time.Hour,
		Limits: benchLimits(), CountsMaxAge: time.Minute})
	engDSN, prefix := o.EngineStore, ""
	if engDSN == "" {
		s.engDir = o.Dir
		engDSN = "sqlite:" + filepath.Join(o.Dir, "engine.db")
	} else {
		// Keys under a prefix of the run's own, deleted at its end: a shared Redis is
		// never flushed.
		if engDSN, prefix, err = benchPrefix(engDSN); err != nil {
			return nil, err
		}
		s.close = append(s.close, func() { deletePrefix(engDSN, prefix) })
	}
	b, err := engine.OpenBackend(engDSN, engine.BackendOptions{WorkerName: "bench", KeyPrefix: prefix, Logger: log})
	if err != nil {
		return nil, err
	}
	hooks := s.app.EngineHooks()
	cals := &store.Calendars{DB: db, Logger: log}
	e, err := engine.New(engine.Config{Backend: b, Store: store.Engine{DB: db, Calendars: cals}, Calendars: cals,
		OnAlert: hooks.OnAlert, Observer: hooks.Observer, Handlers: hooks.Handlers, Logger: log})
	if err != nil {
		b.Close()
		return nil, err
	}
	if o.Workers > 0 {
		// Role api: this process only uses the engine's client; the cases run in the
		// worker processes (started last: each migrates the schema this one has made).
		s.close = append(s.close, func() { b.Close() })
		ws, err := startWorkers(ctx, o, o.Workers, dsn, withPrefix(engDSN, prefix))
		if err != nil {
			return nil, err
		}
		s.workers = ws
		s.close = append(s.close, func() { stopWorkers(ws) })
	} else {
		ectx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if err := e.Start(ectx); err != nil {
			cancel()
			b.Close()
			return nil, err
		}
		s.close = append(s.close, func() { cancel(); _ = e.Wait(); b.Close() })
	}
	s.eng = e
	s.app.UseEngine(e)
	h := handlers.New(handlers.Deps{App: s.app, Logger: log, Version: "bench"})
	s.srv = httptest.NewServer(h)
	// Every request is bounded: a server that stops answering fails the run instead of
	// hanging it (the bench stops by itself).
	s.srv.Client().Timeout = benchRequestTimeout
	s.close = append(s.close, s.srv.Close)
	ok = true
	return s, nil
}

// stop closes what startStack opened, last first.
func (s *stack) stop() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
	s.close = nil
}

// refuseLive refuses a PostgreSQL database that already holds org units or users.
func refuseLive(ctx context.Context, dsn string) error {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return fmt.Errorf("--db %q: give a postgres:// DSN, or nothing for SQLite files of the bench's own", redact(dsn))
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM org_units) + (SELECT COUNT(*) FROM users)`).Scan(&n)
	if err == nil && n > 0 {
		return fmt.Errorf("--db %s: %w", redact(dsn), ErrLiveDatabase)
	}
	return nil // no tables yet (or empty): the bench may fill it
}

// redact hides a DSN's password.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return u.Redacted()
	}
	return "(unparsable DSN)"
}

// token signs user in and answers their bearer token.
func (s *stack) token(ctx context.Context, username string) (string, error) {
	tv, err := s.app.Login(ctx, "bench-"+username, app.LoginRequest{Username: username, Password: demo.Password})
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", username, err)
	}
	return tv.Token, nil
}

// get sends GET path with a bearer token (none if tok is "") and fails on any status but 200.
func (s *stack) get(ctx context.Context, tok, path string) error {
	return s.call(ctx, tok, http.MethodGet, path, "", nil)
}

// benchLimits lets the bench's clients (all on one loopback address) read and sign in as
// often as they like: the throttles protect the public, not a benchmark.
func benchLimits() app.Limits {
	free := app.Limit{Burst: 1 << 30, Every: time.Nanosecond}
	return app.Limits{SignInAddress: free, SignInAccount: free, SignInUsername: free, Register: free,
		Complaints: free, Progress: free, PublicReads: free, Disclosures: free}
}

// call sends a request with a bearer token (none if tok is "") and a JSON body (none if ""),
// decodes the answer into out (if not nil) and fails on a status other than 2xx.
func (s *stack) call(ctx context.Context, tok, method, path, body string, out any) error {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.srv.URL+path, r)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, truncate(string(b), 300))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// decodeJSON decodes a response body into out, failing on a status other than 2xx.
func decodeJSON(res *http.Response, out any) error {
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("%d %s", res.StatusCode, truncate(string(b), 300))
	}
	return json.NewDecoder(res.Body).Decode(out)
}
