package bench

// Scenario http: the counter at rush hour, measured from outside. A real server on loopback
// (the whole stack of serve: store, use cases, engine, HTTP) with the demo city; --concurrency
// clerks (default 50) of window 1, each signed in with a token of their own, complete the tasks
// they hold, or claim one of the unclaimed tasks of their inbox and complete it (so that two
// clerks rarely reach for the same task, and a lost race is counted apart), while applicants
// submit online applications of the demo's immediate item (acceptance, decision, delivery: all
// at the window). Per-route percentiles, completions per second, CPU per completion.

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
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
	httpItem          = "450981-FGJ-QT-002" // 企业投资项目备案, the demo's immediate item
	httpApplicants    = 4                   // goroutines submitting applications
	httpTasksPerCase  = 3                   // window tasks of a case of httpItem
	httpQueuePerClerk = 4                   // cases waiting per clerk: the morning's queue, kept while the clerks work
	httpPage          = 100                 // the inbox page a clerk reads
	httpDuration      = 20 * time.Second    // the measured window (it stops earlier after --cases completions)
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
	logf(o, "http: %d applications queued, %d clerks", o.Concurrency*httpQueuePerClerk, len(clerks))
	queued := int64(o.Concurrency * httpQueuePerClerk)
	for range queued {
		if err := submit(); err != nil {
			return nil, err
		}
	}
	rec.reset()
	runCtx, cancel := context.WithTimeout(ctx, httpDuration)
	defer cancel()
	var (
		completed, claimConflicts, completeConflicts atomic.Int64
		submitted                                    atomic.Int64
		firstErr                                     error
		errOnce                                      sync.Once
		wg                                           sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	cpu0, err := readCPU(ctx, s)
	if err != nil {
		return nil, err
	}
	load0 := loadAverage()
	start := time.Now()
	for range httpApplicants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				// Applicants come as fast as the counter serves them: the queue stays at the
				// morning's (each case is httpTasksPerCase window tasks). Faster arrivals
				// would only measure a growing queue, and their CPU would count against the
				// clerks'.
				if httpTasksPerCase*(queued+submitted.Load())-completed.Load() > httpTasksPerCase*queued {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				submitted.Add(1)
				if err := submit(); err != nil && runCtx.Err() == nil {
					fail(err)
				}
			}
		}()
	}
	for i, tok := range clerks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil && completed.Load() < int64(o.Cases) {
				outcome, err := clerkStep(runCtx, s, rec, tok, i, len(clerks))
				switch {
				case err != nil && runCtx.Err() == nil:
					fail(err)
				case err != nil:
				case outcome == stepCompleted:
					// The window ends with the --cases'th completion: the applicants stop too,
					// so that the rate is over the time the clerks worked.
					if completed.Add(1) >= int64(o.Cases) {
						cancel()
					}
				case outcome == stepClaimConflict:
					claimConflicts.Add(1)
				case outcome == stepCompleteConflict:
					completeConflicts.Add(1)
				default:
					time.Sleep(100 * time.Millisecond) // nothing of the clerk's on the page: look again shortly
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu1, err := readCPU(ctx, s)
	if err != nil {
		return nil, err
	}
	load1 := loadAverage()
	if firstErr != nil {
		return nil, firstErr
	}
	res := &Result{}
	for _, route := range rec.routes() {
		res.Rows = append(res.Rows, rec.m[route].Row(route, wall))
	}
	n := completed.Load()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	cpuMs := ms(cpu1.self - cpu0.self)
	workersMs, pgMs, redisMs := ms(cpu1.workers-cpu0.workers), ms(cpu1.postgres-cpu0.postgres), ms(cpu1.redis-cpu0.redis)
	row := Row{Name: "completions", N: int(n), PerSec: float64(n) / wall.Seconds(),
		Extra: map[string]float64{"claimConflicts": float64(claimConflicts.Load()), "completeConflicts": float64(completeConflicts.Load()),
			"clerks": float64(len(clerks)), "load1": load1, "workers": float64(len(s.workers))}}
	if n > 0 {
		// The bench's process (clients and server, or role api), its worker processes, and
		// the database servers (their whole CPU: on a shared machine others' share is in it).
		row.Extra["cpuMsPerCompletion"] = cpuMs / float64(n)
		row.Extra["workersCpuMsPerCompletion"] = workersMs / float64(n)
		row.Extra["pgCpuMsPerCompletion"] = pgMs / float64(n)
		row.Extra["pgSessionsPerCompletion"] = float64(cpu1.pgSessions-cpu0.pgSessions) / float64(n)
		row.Extra["redisCpuMsPerCompletion"] = redisMs / float64(n)
	}
	res.Rows = append(res.Rows, row)
	res.Notes = append(res.Notes, fmt.Sprintf("%d clerks completed %d tasks in %.1f s (%.1f/s), %.1f ms of process CPU per completion (%.0f%% of a core); %d claims lost to another clerk, %d completions refused (409); load average %.1f at the start, %.1f at the end",
		len(clerks), n, wall.Seconds(), float64(n)/wall.Seconds(), row.Extra["cpuMsPerCompletion"], 100*cpuMs/float64(wall.Milliseconds()),
		claimConflicts.Load(), completeConflicts.Load(), load0, load1))
	if len(s.workers) > 0 || o.DB != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("CPU per completion: bench process %.1f ms, %d worker processes %.1f ms, postgres %.1f ms, redis-server %.1f ms; %.2f PostgreSQL sessions opened per completion (the servers' figures include anything else they served meanwhile)",
			row.Extra["cpuMsPerCompletion"], len(s.workers), row.Extra["workersCpuMsPerCompletion"], row.Extra["pgCpuMsPerCompletion"], row.Extra["redisCpuMsPerCompletion"], row.Extra["pgSessionsPerCompletion"]))
	}
	return res, nil
}

// clerkStep is one turn of clerk i (of n) at the counter, as a centre works: the clerk reads
// the inbox; a task the clerk holds (claimed before, or handed on to them by the flow) is
// completed first; otherwise the clerk claims one of the unclaimed tasks and completes it. A
// claim that another clerk won first is a claim conflict (409 task_held or task_closed): the
// clerk looks again. It reports a completion, or which conflict happened.
func clerkStep(ctx context.Context, s *stack, rec *routeLatencies, tok string, i, n int) (stepOutcome, error) {
	// One read of the inbox, as the workbench's 待办 shows it: the clerk's own tasks (held)
	// and the unclaimed ones of the window.
	inbox, err := listInbox(ctx, s, rec, tok, httpPage)
	if err != nil || len(inbox) == 0 {
		return stepIdle, err
	}
	var task inboxRow
	var open []inboxRow
	for _, t := range inbox {
		if t.Assignee != "" { // assigned tasks in one's inbox are one's own
			task = t
			break
		}
		open = append(open, t)
	}
	if task.ID == "" {
		// Clerks share the window's tasks out among themselves (each takes those of its
		// own share, by a hash of the id), as a queue-calling system hands out numbers: so
		// two clerks reach for the same task only when a list is stale.
		for _, t := range open {
			if shareOf(t.ID, n) == i {
				task = t
				break
			}
		}
		if task.ID == "" {
			return stepIdle, nil // none of the clerk's share on the page: look again shortly
		}
		t := time.Now()
		err = s.call(ctx, tok, http.MethodPost, "/api/v1/tasks/"+task.ID+"/claim", "", nil)
		rec.add("POST /tasks/{id}/claim", time.Since(t))
		if isConflict(err) {
			return stepClaimConflict, nil
		}
		if err != nil {
			return stepIdle, err
		}
	}
	body := map[string]string{"acceptance": `{"outcome":"accept"}`, "approval": `{"outcome":"approve"}`}[task.StepKind]
	if body == "" {
		body = `{}`
	}
	t := time.Now()
	err = s.call(ctx, tok, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", body, nil)
	rec.add("POST /tasks/{id}/complete", time.Since(t))
	if isConflict(err) {
		return stepCompleteConflict, nil
	}
	if err != nil {
		return stepIdle, err
	}
	return stepCompleted, nil
}

// stepOutcome is what one clerkStep came to.
type stepOutcome int

const (
	stepIdle             stepOutcome = iota // nothing to do: the inbox is empty
	stepCompleted                           // a task completed
	stepClaimConflict                       // another clerk claimed the task first
	stepCompleteConflict                    // the task was closed or taken before the completion
)

// inboxRow is what the bench reads of an inbox task.
type inboxRow struct {
	ID       string `json:"id"`
	StepKind string `json:"stepKind"`
	State    string `json:"state"`
	Assignee string `json:"assignee"`
}

// listInbox reads the first limit tasks of the clerk's inbox.
func listInbox(ctx context.Context, s *stack, rec *routeLatencies, tok string, limit int) ([]inboxRow, error) {
	var inbox struct {
		Items []inboxRow `json:"items"`
	}
	t := time.Now()
	err := s.call(ctx, tok, http.MethodGet, fmt.Sprintf("/api/v1/tasks?limit=%d", limit), "", &inbox)
	rec.add("GET /tasks", time.Since(t))
	return inbox.Items, err
}

// shareOf is the clerk (of n) whose share task id is.
func shareOf(id string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// isConflict reports a 409 answer (task_held, task_closed).
func isConflict(err error) bool {
	return err != nil && (strings.Contains(err.Error(), ": 409 ") || strings.Contains(err.Error(), "task_closed"))
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
	for _, k := range []string{"GET /tasks", "POST /tasks/{id}/claim", "POST /tasks/{id}/complete", "POST /cases"} {
		if _, ok := r.m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
