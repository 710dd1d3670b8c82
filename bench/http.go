package bench

// Scenario http: the counter at rush hour, measured from outside. A real server on loopback
// (the whole stack of serve: store, use cases, engine, HTTP) with the demo city; --concurrency
// clerks (default 50) of window 1, each signed in with a token of their own, list their inbox
// and complete the first task they find, while applicants submit online applications of the
// demo's immediate item (acceptance, decision, delivery: all at the window). Per-route
// percentiles, and completions per second.

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/demo"
	"onewindow/store"
)

func init() {
	Register(Scenario{Name: "http", Doc: "--concurrency clerks with real tokens list their inbox and complete tasks over HTTP while applicants submit", Run: runHTTP})
}

// Bounds of the http scenario.
const (
	httpItem       = "450981-FGJ-QT-002" // 企业投资项目备案, the demo's immediate item
	httpApplicants = 4                   // goroutines submitting applications
	httpDuration   = 30 * time.Second    // the measured window (it stops earlier after --cases completions)
)

func runHTTP(ctx context.Context, o Options) (*Result, error) {
	s, err := startStack(ctx, o)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	clerks, err := benchClerks(ctx, s, o.Concurrency)
	if err != nil {
		return nil, err
	}
	applicant, err := s.token(ctx, "applicant1")
	if err != nil {
		return nil, err
	}
	body, err := applicationBody(ctx, s, applicant)
	if err != nil {
		return nil, err
	}
	rec := &routeLatencies{m: map[string]Latencies{}}
	submit := func() error {
		t := time.Now()
		err := s.call(ctx, applicant, http.MethodPost, "/api/v1/cases", body, nil)
		rec.add("POST /cases", time.Since(t))
		return err
	}
	// Work waiting before the clerks arrive: a morning's queue.
	logf(o, "http: %d applications queued, %d clerks", o.Concurrency*2, len(clerks))
	for range o.Concurrency * 2 {
		if err := submit(); err != nil {
			return nil, err
		}
	}
	rec.reset()
	runCtx, cancel := context.WithTimeout(ctx, httpDuration)
	defer cancel()
	var (
		completed, conflicts atomic.Int64
		firstErr             error
		errOnce              sync.Once
		wg                   sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	start := time.Now()
	for range httpApplicants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				if err := submit(); err != nil && runCtx.Err() == nil {
					fail(err)
				}
				time.Sleep(20 * time.Millisecond) // applicants pause between applications
			}
		}()
	}
	for i, tok := range clerks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil && completed.Load() < int64(o.Cases) {
				done, conflict, err := clerkStep(runCtx, s, rec, tok, i)
				switch {
				case err != nil && runCtx.Err() == nil:
					fail(err)
				case conflict:
					conflicts.Add(1)
				case done:
					completed.Add(1)
				default:
					time.Sleep(50 * time.Millisecond) // an empty inbox: look again shortly
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return nil, firstErr
	}
	res := &Result{}
	for _, route := range rec.routes() {
		res.Rows = append(res.Rows, rec.m[route].Row(route, wall))
	}
	res.Rows = append(res.Rows, Row{Name: "completions", N: int(completed.Load()), PerSec: float64(completed.Load()) / wall.Seconds(),
		Extra: map[string]float64{"conflicts": float64(conflicts.Load()), "clerks": float64(len(clerks))}})
	res.Notes = append(res.Notes, fmt.Sprintf("%d clerks completed %d tasks in %.1f s (%.1f/s); %d completions lost a race for a task another clerk took",
		len(clerks), completed.Load(), wall.Seconds(), float64(completed.Load())/wall.Seconds(), conflicts.Load()))
	return res, nil
}

// clerkStep lists clerk i's inbox and completes one of its first tasks (clerks start at
// different places, as people pick different rows). It reports a completion, or a conflict
// when another clerk took the task first.
func clerkStep(ctx context.Context, s *stack, rec *routeLatencies, tok string, i int) (bool, bool, error) {
	var inbox struct {
		Items []struct {
			ID       string `json:"id"`
			StepKind string `json:"stepKind"`
			State    string `json:"state"`
		} `json:"items"`
	}
	t := time.Now()
	err := s.call(ctx, tok, http.MethodGet, "/api/v1/tasks?limit=50", "", &inbox)
	rec.add("GET /tasks", time.Since(t))
	if err != nil || len(inbox.Items) == 0 {
		return false, false, err
	}
	task := inbox.Items[i%len(inbox.Items)]
	body := map[string]string{"acceptance": `{"outcome":"accept"}`, "approval": `{"outcome":"approve"}`}[task.StepKind]
	if body == "" {
		body = `{}`
	}
	t = time.Now()
	err = s.call(ctx, tok, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", body, nil)
	rec.add("POST /tasks/{id}/complete", time.Since(t))
	if err != nil && (strings.Contains(err.Error(), ": 409 ") || strings.Contains(err.Error(), "task_closed")) {
		return false, true, nil
	}
	return err == nil, false, err
}

// benchClerks makes n clerks of window 1 (bench-clerk-NN, the demo password) and signs each in.
func benchClerks(ctx context.Context, s *stack, n int) ([]string, error) {
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		return nil, err
	}
	window, err := store.GetOrgUnitByCode(ctx, s.db, "zwzx-01")
	if err != nil {
		return nil, err
	}
	names := make([]string, n)
	err = s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for i := range n {
			names[i] = fmt.Sprintf("bench-clerk-%02d", i+1)
			u := &store.User{Username: names[i], DisplayName: fmt.Sprintf("一号窗口 %02d", i+1), Kind: store.UserStaff, PasswordHash: hash}
			if err := store.CreateUser(ctx, tx, u); err != nil {
				return err
			}
			if err := store.AddMembership(ctx, tx, &store.Membership{UserID: u.ID, OrgUnitID: window.ID, Role: store.RoleClerk}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench clerks: %w", err)
	}
	toks := make([]string, n)
	for i, name := range names {
		if toks[i], err = s.token(ctx, name); err != nil {
			return nil, err
		}
	}
	return toks, nil
}

// applicationBody uploads the materials of the immediate item as applicant (tok) and answers
// the JSON of an online application with them, which every submission reuses.
func applicationBody(ctx context.Context, s *stack, tok string) (string, error) {
	var l struct {
		Items []struct {
			ItemID string `json:"itemId"`
		} `json:"items"`
	}
	if err := s.call(ctx, "", http.MethodGet, "/api/v1/public/items?q="+httpItem, "", &l); err != nil {
		return "", err
	}
	if len(l.Items) == 0 {
		return "", fmt.Errorf("the demo has no item %s", httpItem)
	}
	var files []string
	for _, code := range []string{"M01", "YYZZ"} {
		id, err := s.upload(ctx, tok, code+".pdf")
		if err != nil {
			return "", err
		}
		files = append(files, fmt.Sprintf(`{"code":%q,"fileIds":[%q]}`, code, id))
	}
	return fmt.Sprintf(`{"itemId":%q,"channel":"online","form":{"projectName":"压力测试项目"},"materials":[%s]}`,
		l.Items[0].ItemID, strings.Join(files, ",")), nil
}

// upload sends a small PDF as a multipart upload and answers its file id.
func (s *stack) upload(ctx context.Context, tok, name string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		return "", err
	}
	_, _ = part.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.srv.URL+"/api/v1/files", &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := s.srv.Client().Do(req)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	defer res.Body.Close()
	var f struct {
		ID string `json:"id"`
	}
	if err := decodeJSON(res, &f); err != nil || f.ID == "" {
		return "", fmt.Errorf("upload %s: %d %v", name, res.StatusCode, err)
	}
	return f.ID, nil
}

// routeLatencies collects latencies per route from many goroutines.
type routeLatencies struct {
	mu sync.Mutex
	m  map[string]Latencies
}

func (r *routeLatencies) add(route string, d time.Duration) {
	r.mu.Lock()
	r.m[route] = append(r.m[route], d)
	r.mu.Unlock()
}

func (r *routeLatencies) reset() {
	r.mu.Lock()
	r.m = map[string]Latencies{}
	r.mu.Unlock()
}

// routes lists the routes seen, in a fixed order.
func (r *routeLatencies) routes() []string {
	var out []string
	for _, k := range []string{"GET /tasks", "POST /tasks/{id}/complete", "POST /cases"} {
		if _, ok := r.m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
