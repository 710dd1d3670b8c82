package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/store"
)

// The parts the multi-process tests share (the kill test, the Redis restart): a department
// system that works 食品经营许可 over HTTP with its API key, eight clients driving cases through
// it, and the end checks that nothing was lost or done twice.

// mpFixture is what the drivers need: the admin's session, the market regulator's system (its
// API key and department) and the item's service guide.
type mpFixture struct {
	admin  *mpClient
	key    string
	deptID string
	guide  app.ServiceGuide
}

// mpSetUp signs the admin in on the api process at base, gives the market regulator's system
// an API key and finds 食品经营许可.
func mpSetUp(t *testing.T, base string) *mpFixture {
	t.Helper()
	f := &mpFixture{admin: &mpClient{t: t, base: base}}
	f.admin.login("admin")
	var users app.List[struct{ ID, Username string }]
	f.admin.must("GET", "/api/v1/users?kind=system&q=system-scjgj", nil, http.StatusOK, &users)
	if len(users.Items) != 1 {
		t.Fatalf("system users %+v", users.Items)
	}
	var key app.NewAPIKey
	f.admin.must("POST", "/api/v1/users/"+users.Items[0].ID+"/api-keys", map[string]string{"name": "多进程测试"}, http.StatusCreated, &key)
	f.key = key.Key
	sys := &mpClient{t: t, base: base, apiKey: key.Key}
	var me struct{ Memberships []struct{ OrgUnitID string } }
	sys.must("GET", "/api/v1/me", nil, http.StatusOK, &me)
	f.deptID = me.Memberships[0].OrgUnitID
	var guides app.List[app.ServiceGuide]
	f.admin.must("GET", "/api/v1/public/items?q="+url.QueryEscape("食品经营许可"), nil, http.StatusOK, &guides)
	if len(guides.Items) != 1 {
		t.Fatalf("guides %d", len(guides.Items))
	}
	f.guide = guides.Items[0]
	return f
}

// mpDrive starts eight clients on the api process at base, each (one applicant session, one
// system key) working three cases at a time as a window clerk has several open, until at least
// cases have been driven and more (if not nil) answers false: a fault schedule keeps the
// clients busy until it has run whatever the machine's speed. Every fourth case is notified
// once and supplemented. It returns a function that waits for the clients and returns how many
// cases they drove and whether every one went through (a failure is reported on t).
func mpDrive(t *testing.T, base string, f *mpFixture, cases int, more func() bool, led *ledger) (wait func() (int, bool)) {
	// One sign-in for all eight: sign-ins from one address are throttled.
	applicant1 := &mpClient{t: t, base: base}
	applicant1.login("applicant1")
	var next, driven atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for c := range 8 {
		applicant := &mpClient{t: t, base: base, token: applicant1.token}
		sys := &mpClient{t: t, base: base, apiKey: f.key}
		for range 3 {
			wg.Go(func() {
				applicant, sys := *applicant, *sys
				for !failed.Load() {
					i := int(next.Add(1)) - 1
					if i >= cases && (more == nil || !more()) {
						return
					}
					driven.Add(1)
					if err := driveCase(&applicant, &sys, f.guide, fmt.Sprintf("mp-%d-%d", c, i), i%4 == 0, led); err != nil {
						t.Errorf("case %d: %v", i, err)
						failed.Store(true)
						return
					}
				}
			})
		}
	}
	return func() (int, bool) {
		wg.Wait()
		return int(driven.Load()), !failed.Load()
	}
}

// mpEvent is an event of the feed.
type mpEvent struct {
	ID     string `db:"id"`
	Type   string `db:"type"`
	CaseID string `db:"case_id"`
}

// mpCheckOnce checks the end state of a run of mpDrive: every case completed; each step of
// each case has one task (acceptance two where the case was notified once), completed; the
// clients completed each task once and the ledger holds every case and task; each case's
// events are in the feed once, in order. It returns the feed's case events.
func mpCheckOnce(t *testing.T, db *store.DB, cases int, led *ledger) []mpEvent {
	t.Helper()
	var statuses []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.Select(&statuses, `SELECT status, COUNT(*) AS n FROM cases GROUP BY status`); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 1 || statuses[0].Status != "completed" || statuses[0].N != cases {
		t.Errorf("cases by status %+v, want %d completed", statuses, cases)
	}
	var badTasks []struct {
		CaseID  string `db:"case_id"`
		Element string `db:"element_id"`
		N       int    `db:"n"`
		Done    int    `db:"done"`
	}
	if err := db.Select(&badTasks, `SELECT case_id, element_id, COUNT(*) AS n, SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) AS done
		FROM tasks GROUP BY case_id, element_id
		HAVING COUNT(*) > CASE WHEN element_id = 'acceptance' THEN 2 ELSE 1 END OR SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) <> COUNT(*)`); err != nil {
		t.Fatal(err)
	}
	for _, b := range badTasks {
		t.Errorf("case %s: %d %s tasks, %d completed", b.CaseID, b.N, b.Element, b.Done)
	}
	var tasks int
	if err := db.Get(&tasks, `SELECT COUNT(*) FROM tasks`); err != nil {
		t.Fatal(err)
	}
	wantTasks := cases*len(mpSteps) + mpNotified(cases)
	if tasks != wantTasks {
		t.Errorf("%d tasks, want %d", tasks, wantTasks)
	}
	led.mu.Lock()
	for id, n := range led.completed {
		if n != 1 {
			t.Errorf("the clients completed task %s %d times", id, n)
		}
	}
	if len(led.completed) != wantTasks || len(led.cases) != cases {
		t.Errorf("the ledger holds %d cases and %d completions, want %d and %d", len(led.cases), len(led.completed), cases, wantTasks)
	}
	led.mu.Unlock()

	// A case's end event is written just after the batch that completed it, in the step's Apply
	// activity, which is retried until it is written (engine.Config.Observer): a case can read
	// completed a moment before its end event is in the feed, longer when that Apply is retried
	// after a fault. Wait for every end event (bounded), then check that nothing is missing or
	// doubled.
	start := time.Now()
	until(t, "every case's end event in the feed", func() bool {
		var n int
		return db.Get(&n, `SELECT COUNT(DISTINCT case_id) FROM events WHERE type = 'case.finished'`) == nil && n >= cases
	})
	if w := time.Since(start); w > time.Second {
		t.Logf("the last end event came %v after the last case read completed", w.Round(time.Millisecond))
	}
	var evs []mpEvent
	if err := db.Select(&evs, `SELECT id, type, case_id FROM events WHERE case_id IS NOT NULL ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	perCase := map[string][]string{}
	for _, e := range evs {
		perCase[e.CaseID] = append(perCase[e.CaseID], e.Type)
	}
	if len(perCase) != cases {
		t.Errorf("events of %d cases in the feed, want %d", len(perCase), cases)
	}
	for id, types := range perCase {
		if got := strings.Join(types, ","); got != mpEvents && got != mpEventsNotified {
			t.Errorf("case %s events %s\nwant %s\n  or %s", id, got, mpEvents, mpEventsNotified)
		}
	}
	return evs
}

// mpNotified is how many of cases mpDrive notifies once (every fourth, from the first).
func mpNotified(cases int) int { return (cases + 3) / 4 }

// driveCase applies for the item as the applicant and works the five steps as the system,
// recording in the ledger when each step's task appeared and was completed, and waits for the
// case to finish. With notify the acceptance first notifies once (a notification to the
// applicant), and the applicant supplements.
func driveCase(applicant, sys *mpClient, guide app.ServiceGuide, marker string, notify bool, led *ledger) error {
	id, err := driveCaseTo(applicant, sys, guide, marker, notify, len(mpSteps), led)
	if err != nil {
		return err
	}
	return resumeCase(sys, id, len(mpSteps), led)
}

// driveCaseTo applies as driveCase does and works the first steps of the five; it returns the
// case's id.
func driveCaseTo(applicant, sys *mpClient, guide app.ServiceGuide, marker string, notify bool, steps int, led *ledger) (string, error) {
	var ms []map[string]any
	for _, m := range guide.Materials {
		id, err := applicant.upload(m.Code + ".pdf")
		if err != nil {
			return "", err
		}
		ms = append(ms, map[string]any{"code": m.Code, "fileIds": []string{id}})
	}
	var k app.CaseSubmitted
	in := map[string]any{"itemId": guide.ItemID, "channel": "online", "materials": ms, "form": map[string]any{"marker": marker}}
	code, body, err := applicant.call("POST", "/api/v1/cases", in, "Idempotency-Key", marker)
	if err != nil || code != http.StatusCreated {
		return "", fmt.Errorf("submit: %d %s %v", code, body, err)
	}
	if err := json.Unmarshal(body, &k); err != nil {
		return "", err
	}
	led.mu.Lock()
	led.cases[k.ID]++
	led.mu.Unlock()
	var doneAt time.Time
	if notify {
		taskID, err := waitForStep(sys, k.ID, "acceptance")
		if err != nil {
			return "", err
		}
		m := guide.Materials[0].Code
		in := map[string]any{"outcome": "notify", "notice": map[string]any{"materials": []map[string]any{{"materialCode": m, "problem": "missing", "detail": "请补正"}}}}
		if err := complete(sys, taskID, in, led); err != nil {
			return "", fmt.Errorf("notify once: %w", err)
		}
		doneAt = time.Now()
		id, err := applicant.upload(m + "-补正.pdf")
		if err != nil {
			return "", err
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			code, body, err := applicant.call("POST", "/api/v1/cases/"+url.PathEscape(k.ID)+"/supplement",
				map[string]any{"materials": []map[string]any{{"code": m, "fileIds": []string{id}}}}, "Idempotency-Key", marker+"-supplement")
			if err != nil {
				return "", err
			}
			if code < 300 || (applicant.retried && strings.Contains(string(body), "no_open_notice")) {
				break
			}
			if code != http.StatusConflict || time.Now().After(deadline) { // 409 no_open_notice: the notice is not out yet
				return "", fmt.Errorf("supplement: %d %s", code, body)
			}
		}
	}
	for _, step := range mpSteps[:steps] {
		taskID, err := waitForStep(sys, k.ID, step.kind)
		if err != nil {
			return "", err
		}
		appeared := time.Now()
		if !doneAt.IsZero() {
			led.step(doneAt, appeared)
		}
		if err := completeStep(sys, taskID, step.outcome, led); err != nil {
			return "", fmt.Errorf("%s: %w", step.kind, err)
		}
		doneAt = time.Now()
	}
	return k.ID, nil
}

// resumeCase works case id's steps after the first done as the system and waits for the case
// to finish.
func resumeCase(sys *mpClient, id string, done int, led *ledger) error {
	for _, step := range mpSteps[done:] {
		taskID, err := waitForStep(sys, id, step.kind)
		if err != nil {
			return err
		}
		if err := completeStep(sys, taskID, step.outcome, led); err != nil {
			return fmt.Errorf("%s: %w", step.kind, err)
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var d app.CaseDetail
		code, body, err := sys.call("GET", "/api/v1/cases/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
		if code == http.StatusOK && json.Unmarshal(body, &d) == nil && d.Stage == "finished" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("case %s not finished a minute after its last step: %d %.300s", id, code, body)
		}
	}
}

// completeStep completes a step's task with outcome ("" for none).
func completeStep(sys *mpClient, taskID, outcome string, led *ledger) error {
	in := map[string]any{}
	if outcome != "" {
		in["outcome"] = outcome
	}
	return complete(sys, taskID, in, led)
}

// complete completes a task as the system and counts it in the ledger.
func complete(sys *mpClient, taskID string, in map[string]any, led *ledger) error {
	code, body, err := sys.call("POST", "/api/v1/tasks/"+url.PathEscape(taskID)+"/complete", in)
	switch {
	case err != nil:
		return err
	case code == http.StatusAccepted:
	case code == http.StatusConflict && sys.retried && strings.Contains(string(body), "task_closed"):
		// The first attempt went through before the api process died; the retry finds the
		// task closed. The ledger counts the completion once.
	default:
		return fmt.Errorf("complete %s: %d %s", taskID, code, body)
	}
	led.mu.Lock()
	led.completed[taskID]++
	led.mu.Unlock()
	return nil
}

// waitForStep polls the case as the system until a task of kind is open, and returns its id.
// It waits up to two minutes: a step in flight when Redis is killed moves on only after
// go-workflows' 20 s lock timeout (docs/deployment.md), a case can be caught by both of
// TestRedisRestartedMidRun's restarts, and CI runs it beside other packages' tests (once,
// on a loaded machine, a step took over a minute).
func waitForStep(sys *mpClient, caseID, kind string) (string, error) {
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var d app.CaseDetail
		code, body, err := sys.call("GET", "/api/v1/cases/"+url.PathEscape(caseID), nil)
		if err != nil {
			return "", err
		}
		if code != http.StatusOK {
			return "", fmt.Errorf("case %s: %d %s", caseID, code, body)
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return "", err
		}
		for _, s := range d.Steps {
			if s.StepKind == kind && s.TaskID != "" {
				return s.TaskID, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("case %s: no %s task within two minutes (steps %+v)", caseID, kind, d.Steps)
		}
	}
}

// ledger is what the clients did: cases submitted, tasks completed, and how long each case
// waited between completing a step and seeing the next.
type ledger struct {
	mu        sync.Mutex
	cases     map[string]int
	completed map[string]int
	waits     [][2]time.Time // [completed, next step appeared]
	kills     [][2]time.Time // a worker's [kill, restarted]
}

func (l *ledger) step(done, appeared time.Time) {
	l.mu.Lock()
	l.waits = append(l.waits, [2]time.Time{done, appeared})
	l.mu.Unlock()
}

// median is the median wait between a step and the next.
func (l *ledger) median() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	ds := make([]time.Duration, 0, len(l.waits))
	for _, w := range l.waits {
		ds = append(ds, w[1].Sub(w[0]))
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// recovery reports, for the last worker kill, how long after the restart the steps waiting at
// the kill moved on; the longest such wait past a restart over all worker kills; and the
// longest wait of all.
func (l *ledger) recovery() (last string, stall, worst time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.waits {
		worst = max(worst, w[1].Sub(w[0]))
	}
	last = "(no worker was killed)"
	for i, k := range l.kills {
		var rec time.Duration
		waiting := 0
		for _, w := range l.waits {
			if w[0].Before(k[0]) && w[1].After(k[0]) {
				waiting++
				rec = max(rec, w[1].Sub(k[1]))
			}
		}
		stall = max(stall, rec)
		if i == len(l.kills)-1 {
			last = fmt.Sprintf("within %v of its restart (%d steps were waiting)", rec.Round(time.Millisecond), waiting)
			if waiting == 0 {
				last = "at once (no step was waiting at that kill)"
			}
		}
	}
	return last, stall, worst
}
