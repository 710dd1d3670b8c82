package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onewindow/store"
)

// EnvRequireBrowser set (as CI sets it) makes a missing chromium or web/node_modules fail the
// browser tests instead of skipping them.
const EnvRequireBrowser = "ONEWINDOW_TEST_REQUIRE_BROWSER"

// browserTools finds node, chromium (ONEWINDOW_CHROMIUM, default /usr/bin/chromium) and
// playwright-core in web/node_modules (`npm ci` in web/), or skips the test without them.
func browserTools(t *testing.T) (chromium string) {
	t.Helper()
	chromium = os.Getenv("ONEWINDOW_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (apt-get install -y chromium)")
	}
	if _, err := os.Stat("../web/node_modules/playwright-core/package.json"); err != nil {
		missing = append(missing, "web/node_modules (npm ci in web/)")
	}
	if len(missing) > 0 {
		if os.Getenv(EnvRequireBrowser) != "" {
			t.Fatalf("%s is set but the browser tests lack: %s", EnvRequireBrowser, strings.Join(missing, ", "))
		}
		t.Skipf("browser tests skipped, missing: %s", strings.Join(missing, ", "))
	}
	return chromium
}

// runScript runs a Playwright script of web/e2e against the server at base and returns its
// output; a failure fails the test with the script's steps.
func runScript(t *testing.T, script, base, chromium string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	shots := os.Getenv("ONEWINDOW_SCREENSHOTS")
	if shots == "" {
		shots, _ = filepath.Abs("../docs/screenshots")
	}
	cmd := exec.CommandContext(ctx, "node", filepath.Join("..", "web", "e2e", script))
	cmd.Env = append(os.Environ(), append([]string{"ONEWINDOW_URL=" + base, "ONEWINDOW_CHROMIUM=" + chromium,
		"ONEWINDOW_SCREENSHOTS=" + shots}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	t.Logf("%s:\n%s", script, out)
	return string(out)
}

// makeOverdue gives an open case a past due time, as if its promised limit had run out, and
// records the red alert e-supervision would have raised, attributed to the item's department.
func makeOverdue(t *testing.T, dataDir, caseID string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dataDir, "onewindow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	warn, due := store.Time(now.Add(-72*time.Hour)), store.Time(now.Add(-24*time.Hour))
	for _, q := range []string{`UPDATE cases SET warn_at = ?, due_at = ? WHERE id = ?`,
		`UPDATE tasks SET warn_at = ?, due_at = ? WHERE case_id = ? AND state = 'open'`} {
		if _, err := db.ExecContext(ctx, db.Rebind(q), warn, due, caseID); err != nil {
			t.Fatal(err)
		}
	}
	id := caseID + "/case:overdue"
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO alerts (id, case_id, kind, scope, due_at, fired_at) VALUES (?, ?, 'overdue', 'case', ?, ?)`),
		id, caseID, due, store.Time(now)); err != nil {
		t.Fatal(err)
	}
	dept, err := store.CaseItemDepartment(ctx, db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	k, err := store.GetCase(ctx, db, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetAlertParties(ctx, db, id, store.AlertParties{ItemID: k.ItemID, DepartmentID: dept, WindowID: k.WindowID}, now); err != nil {
		t.Fatal(err)
	}
}

// spreadStepTimes gives the completed steps of the cases the scenarios took through (in
// seconds) the working time real cases spend in them, so that decision support's heatmap and
// slowest steps have something to tell: each closed task now started within the last month and
// lasted its step's days, the countersign longest, varied by row.
func spreadStepTimes(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dataDir, "onewindow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows []struct {
		ID        string `db:"id"`
		ElementID string `db:"element_id"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT id, element_id FROM tasks WHERE state = 'completed' AND closed_at IS NOT NULL ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	days := map[string]float64{"acceptance": 0.5, "countersign": 5, "coordination": 3, "jointDecision": 2, "delivery": 1}
	now := time.Now().UTC()
	for i, r := range rows {
		d, ok := days[r.ElementID]
		if !ok {
			d = 1
		}
		d *= 1 + float64(i%3)/2
		start := now.AddDate(0, 0, -30+i%10)
		end := start.Add(time.Duration(d * float64(24*time.Hour)))
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE tasks SET created_at = ?, closed_at = ? WHERE id = ?`), store.Time(start), store.Time(end), r.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// The workbench in a real browser (issue 12's scenarios), against the binary serving the demo:
// the counter's online and walk-in cases and the wrong department (web/e2e/counter.mjs), the
// inbox's refresh, counts and filters, the task page's other actions and the bad input of the
// issue (web/e2e/counter-actions.mjs), then the supervisor and the reviewer on an overdue case
// (web/e2e/supervision.mjs). Screenshots go to
// docs/screenshots/ (ONEWINDOW_SCREENSHOTS elsewhere).
func TestBrowserWorkbench(t *testing.T) {
	chromium := browserTools(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	s := startServer(t, bin, "--demo", "--data-dir", dir)

	out := runScript(t, "counter.mjs", s.base, chromium)
	m := regexp.MustCompile(`(?m)^WALKIN (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("counter.mjs named no walk-in case:\n%s", out)
	}
	runScript(t, "counter-actions.mjs", s.base, chromium)
	makeOverdue(t, dir, m[1])
	spreadStepTimes(t, dir)
	runScript(t, "supervision.mjs", s.base, chromium, "ONEWINDOW_OVERDUE_CASE="+m[1])
	s.stop()
}
