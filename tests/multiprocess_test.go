package tests

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

// The multi-process kill test runs a split deployment on loopback: one api process and two
// worker processes (serve --role) against one PostgreSQL schema and one Redis key prefix of
// its own. Eight clients drive cases of 食品经营许可 over HTTP (the applicant applies, the
// market regulator's department system works the five steps with its API key) while workers
// are killed with SIGKILL and restarted under their names at random moments, and the api
// process once. A department system's webhook and the notification sender's webhook record
// what they receive. At the end every case has finished, each task was completed exactly once
// (by the database and by the clients' ledger), each event is in the feed once and reached the
// receiver, each notification was written once and sent. It reports the kills and the time
// cases took to move on after the last worker kill.

// mpSteps are the steps of 食品经营许可 in order, with the outcome the system gives.
var mpSteps = []struct{ kind, outcome string }{
	{"acceptance", "accept"}, {"review", ""}, {"approval", "approve"}, {"certification", ""}, {"delivery", ""},
}

// mpEvents are the events of one case in feed order.
const mpEvents = "case.created,step.completed,case.accepted,step.completed,step.completed,case.decided,step.completed,step.completed,case.finished"

// mpEventsNotified are the events of a case notified once before it was accepted.
const mpEventsNotified = "case.created,step.completed,notice.issued,case.supplemented,step.completed,case.accepted,step.completed,step.completed,case.decided,step.completed,step.completed,case.finished"

func TestMultiProcessKill(t *testing.T) {
	// A few hundred cases, as the issue asks (about 70 s of driving on a loaded 2-core
	// machine), and a kill every 1.5-4 s for the first half of it.
	cases, kills := 200, 12
	if testing.Short() {
		cases, kills = 30, 2
	}
	if n, err := strconv.Atoi(os.Getenv("ONEWINDOW_MP_CASES")); err == nil && n > 0 {
		cases = n
	}
	dsn, redisURL := mpStores(t)
	bin := buildBinary(t)

	hooks := &idReceiver{times: map[string]int{}}
	notes := &idReceiver{times: map[string]int{}}
	hookSrv, noteSrv := httptest.NewServer(hooks), httptest.NewServer(notes)
	defer hookSrv.Close()
	defer noteSrv.Close()
	apiAddr := freeAddr(t)
	// The uploaded files are shared by the processes, as a deployment shares them (NFS or the
	// like): an application names files that another api process took.
	common := []string{"--data-dir", t.TempDir(), "--db", dsn, "--engine-store", redisURL, "--token-secret", "multiprocess-test-secret-0123456789abcdef",
		"--webhook-retry", "300ms", "--webhook-retry-max", "2s", "--notify-sender", "webhook", "--notify-webhook-url", noteSrv.URL,
		"--notify-webhook-secret", "notes"}
	startAPI := func() *server {
		return startServer(t, bin, append(common, "--role", "api", "--worker-name", "api-1", "--addr", apiAddr, "--demo")...)
	}
	api := startAPI()
	workers := make([]*server, 2)
	startWorker := func(i int) *server {
		return startServer(t, bin, append(common, "--role", "worker", "--worker-name", fmt.Sprintf("worker-%d", i+1))...)
	}
	for i := range workers {
		workers[i] = startWorker(i)
	}
	base := "http://" + apiAddr

	// The admin gives the market regulator's system an API key and a webhook to the receiver;
	// eight clients drive the cases through it; a ledger keeps what each did.
	f := mpSetUp(t, base)
	var sub app.NewSubscription
	f.admin.must("POST", "/api/v1/webhooks", map[string]any{"url": hookSrv.URL, "allowLoopback": true, "departmentId": f.deptID},
		http.StatusCreated, &sub)
	drivingFrom := time.Now()
	led := &ledger{cases: map[string]int{}, completed: map[string]int{}}
	stop := make(chan struct{})
	var killing atomic.Bool // the clients go on past cases until every kill is done
	killing.Store(true)
	wait := mpDrive(t, base, f, cases, killing.Load, led)
	// The killer: workers at random moments, the api process once, a bounded number of times.
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 14))
	t.Logf("kill schedule seed %d", seed)
	killed, apiKills := 0, 0
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		defer killing.Store(false)
		apiKilled := false
		for killed < kills {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(1500+rng.IntN(2500)) * time.Millisecond): // a random kill point
			}
			if !apiKilled && killed == kills/2 {
				api.kill()
				api = startAPI()
				apiKilled = true
				apiKills++
				continue
			}
			w := rng.IntN(len(workers))
			workers[w].kill()
			kt := time.Now()
			time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond) // down for a moment
			workers[w] = startWorker(w)
			led.mu.Lock()
			led.kills = append(led.kills, [2]time.Time{kt, time.Now()})
			led.mu.Unlock()
			killed++
		}
	}()
	cases, ok := wait()
	driving := time.Since(drivingFrom)
	close(stop)
	<-killerDone
	if !ok {
		t.FailNow()
	}
	if killed != kills || apiKills != 1 {
		t.Errorf("%d worker kills and %d api kills happened, want %d and 1", killed, apiKills, kills)
	}

	// Every case finished; each task completed once; events and notifications once each.
	db := mpOpen(t, dsn)
	evs := mpCheckOnce(t, db, cases, led)
	notified := mpNotified(cases)
	until(t, "every event at the webhook receiver", func() bool { return hooks.distinct() >= len(evs) })
	var noteIDs []string
	until(t, "every notification sent", func() bool {
		var backlog int
		_ = db.Get(&backlog, `SELECT COUNT(*) FROM notifications WHERE delivery_state = 'pending'`)
		return backlog == 0
	})
	if err := db.Select(&noteIDs, `SELECT id FROM notifications WHERE delivery_state = 'delivered'`); err != nil {
		t.Fatal(err)
	}
	var dupNotes int
	_ = db.Get(&dupNotes, `SELECT COUNT(*) FROM (SELECT recipient, source FROM notifications GROUP BY recipient, source HAVING COUNT(*) > 1) d`)
	if len(noteIDs) < notified {
		t.Errorf("%d notifications sent, want at least one per notice (%d)", len(noteIDs), notified)
	}
	if dupNotes != 0 {
		t.Errorf("%d notifications written more than once", dupNotes)
	}
	hooks.mu.Lock()
	for _, e := range evs {
		if hooks.times[e.ID] == 0 {
			t.Errorf("event %s (%s) never reached the receiver", e.ID, e.Type)
		}
	}
	if len(hooks.times) != len(evs) {
		t.Errorf("the receiver got %d distinct events, the feed has %d", len(hooks.times), len(evs))
	}
	hookDup := hooks.dups()
	hooks.mu.Unlock()
	until(t, "every notification at its receiver", func() bool { return notes.distinct() >= len(noteIDs) })
	notes.mu.Lock()
	for _, id := range noteIDs {
		if notes.times[id] == 0 {
			t.Errorf("notification %s never reached the receiver", id)
		}
	}
	noteDup := notes.dups()
	notes.mu.Unlock()

	// A worker answers health and metrics, not the API; it counts the tasks it processed.
	for i, w := range workers {
		if code, _ := w.request("GET", "/readyz", "", ""); code != http.StatusOK {
			t.Errorf("worker %d /readyz: %d", i+1, code)
		}
		if code, _ := w.request("GET", "/api/v1/me", "", ""); code != http.StatusNotFound {
			t.Errorf("worker %d serves the API: %d", i+1, code)
		}
	}
	until(t, "a worker's count of tasks processed", func() bool {
		_, body := workers[0].request("GET", "/metrics", "", "")
		return mpMetric(body, `onewindow_engine_tasks_processed_total{kind="workflow"}`) > 0 &&
			mpMetric(body, `onewindow_engine_tasks_processed_total{kind="activity"}`) > 0
	})
	if _, body := api.request("GET", "/metrics", "", ""); mpMetric(body, "onewindow_webhook_backlog") != 0 || !strings.Contains(body, "onewindow_notification_backlog 0") {
		t.Errorf("the backlog after every delivery: %v", mpMetric(body, "onewindow_webhook_backlog"))
	}
	last, stall, worst := led.recovery()
	t.Logf("1 api + 2 worker processes, %d cases by 8 clients, %d worker kills + %d api kill; lost or doubled cases, tasks, events, notifications: 0; "+
		"%d events (%d sent again after a kill, deduplicated by id), %d notifications (%d again); median wait for the next step %v, slowest %v; driving took %v; "+
		"after the last worker kill the waiting cases moved on %s; longest wait past a worker's restart %v",
		cases, killed, apiKills, len(evs), hookDup, len(noteIDs), noteDup, led.median().Round(time.Millisecond), worst.Round(time.Millisecond),
		driving.Round(time.Second), last, stall.Round(time.Millisecond))
	// Without taking its own pending tasks back at start a restarted worker left them for the
	// lock timeout (20 s); the target is under 2 s, the bound leaves room for a loaded machine.
	if stall > 8*time.Second {
		t.Errorf("a step waited %v past its worker's restart: the restarted worker did not take its tasks back", stall)
	}
	api.stop()
	for _, w := range workers {
		w.stop()
	}
}

// mpClient speaks to the api process as one user or system, retrying while the api process
// is down (a refused connection, a request cut off, or 503).
type mpClient struct {
	t      *testing.T
	base   string
	token  string
	apiKey string
	// retried says that the last call was sent more than once.
	retried bool
}

var mpHTTP = &http.Client{Timeout: 30 * time.Second}

// call sends in as JSON (or a multipart body, see upload) with headers (name, value pairs).
func (c *mpClient) call(method, path string, in any, headers ...string) (int, []byte, error) {
	var b []byte
	if in != nil {
		b, _ = json.Marshal(in)
	}
	return c.send(method, path, "application/json", b, headers...)
}

func (c *mpClient) send(method, path, contentType string, body []byte, headers ...string) (int, []byte, error) {
	c.retried = false
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
		if body != nil {
			req.Header.Set("Content-Type", contentType)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.apiKey != "" {
			req.Header.Set("X-API-Key", c.apiKey)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := mpHTTP.Do(req)
		if err == nil {
			out, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode != http.StatusServiceUnavailable {
				return resp.StatusCode, out, nil
			}
			err = errors.Join(rerr, fmt.Errorf("%d %s", resp.StatusCode, out))
		}
		if time.Now().After(deadline) {
			return 0, nil, fmt.Errorf("%s %s: no answer for a minute: %w", method, path, err)
		}
		c.retried = true
	}
}

// must calls and decodes, failing the test unless the status is want.
func (c *mpClient) must(method, path string, in any, want int, out any) {
	c.t.Helper()
	code, b, err := c.call(method, path, in)
	if err != nil || code != want {
		c.t.Fatalf("%s %s: %d %s %v, want %d", method, path, code, b, err, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

func (c *mpClient) login(username string) {
	c.t.Helper()
	var tv app.TokenView
	c.must("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": "onewindow-demo"}, http.StatusOK, &tv)
	c.token = tv.Token
}

// upload uploads a small PDF and returns its id; a file whose answer was lost is uploaded again.
func (c *mpClient) upload(name string) (string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	w.Close()
	code, body, err := c.send("POST", "/api/v1/files", w.FormDataContentType(), b.Bytes())
	if err != nil || code != http.StatusCreated {
		return "", fmt.Errorf("upload: %d %s %v", code, body, err)
	}
	var f struct{ ID string }
	return f.ID, json.Unmarshal(body, &f)
}

// idReceiver is a webhook endpoint that counts what it receives by id (the X-Event-Id header
// of a department system's webhook, the id of a notification).
type idReceiver struct {
	mu    sync.Mutex
	times map[string]int
}

func (rc *idReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(app.HeaderEventID)
	if id == "" {
		var m struct{ ID string }
		_ = json.Unmarshal(body, &m)
		id = m.ID
	}
	if id == "" {
		http.Error(w, "no id", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.times[id]++
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *idReceiver) distinct() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.times)
}

// dups counts the requests beyond the first per id (call with mu held).
func (rc *idReceiver) dups() int {
	n := 0
	for _, k := range rc.times {
		n += k - 1
	}
	return n
}

// kill stops the process with SIGKILL.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

// mpStores makes a PostgreSQL schema and a Redis key prefix of the test's own, removed at its
// end, and returns the DSN and the engine store URL that name them.
func mpStores(t *testing.T) (string, string) {
	dsn := mpSchema(t)
	addr := storetest.RedisAddr(t)
	prefix := "mp" + store.NewID()
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		ctx := context.Background()
		for iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator(); iter.Next(ctx); {
			rdb.Del(ctx, iter.Val())
		}
	})
	return dsn, "redis://" + addr + "/0?prefix=" + prefix
}

// mpSchema makes a PostgreSQL schema of the test's own, dropped at its end, and returns the
// DSN that names it.
func mpSchema(t *testing.T) string {
	pg := storetest.PostgresDSN(t)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	schema := "mp_" + strings.ToLower(store.NewID())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// freeAddr returns a loopback address nothing listens on, for a process restarted on it.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// mpMetric reads a sample's value from a Prometheus text page (-1 if absent).
func mpMetric(page, sample string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// mpOpen opens the test's schema for the checks at the end.
func mpOpen(t *testing.T, dsn string) *store.DB {
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
