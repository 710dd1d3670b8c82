package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestPostgresConnectionsCut runs a server on PostgreSQL and Redis and closes its database
// connections from the server side (pg_terminate_backend, what a PostgreSQL restart does to
// them) again and again while applications come in: every answer is a success or 503
// unavailable (never a 500), the server recovers without a restart, an application refused
// with 503 and sent again with its Idempotency-Key is stored once, and the audit chain, which
// every change appends to in its transaction, verifies: nothing was half-written. The server
// warns at start when Redis runs without its append-only file.
func TestPostgresConnectionsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	dsn, redisURL := mpStores(t)
	appName := "ow_faults_" + strings.ToLower(store.NewID())
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()
	dsn = u.String()
	bin := buildBinary(t)
	s := startServer(t, bin, "--data-dir", t.TempDir(), "--db", dsn, "--engine-store", redisURL, "--demo", "--worker-name", "faults-1")

	// Redis's persistence as the server saw it at start.
	rdb := redis.NewClient(&redis.Options{Addr: storetest.RedisAddr(t)})
	defer rdb.Close()
	aof, err := rdb.ConfigGet(context.Background(), "appendonly").Result()
	if err != nil {
		t.Fatal(err)
	}
	warned := strings.Contains(strings.Join(s.log, "\n"), "without its append-only file")
	if off := aof["appendonly"] != "yes"; warned != off {
		t.Errorf("Redis appendonly=%q; the server warned: %v", aof["appendonly"], warned)
	}

	applicant := &mpClient{t: t, base: s.base}
	applicant.login("applicant1")
	var guides app.List[app.ServiceGuide]
	applicant.must("GET", "/api/v1/public/items?q="+url.QueryEscape("食品经营许可"), nil, http.StatusOK, &guides)
	if len(guides.Items) != 1 {
		t.Fatalf("guides %d", len(guides.Items))
	}
	guide := guides.Items[0]
	var ms []map[string]any
	for _, m := range guide.Materials {
		id, err := applicant.upload(m.Code + ".pdf")
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, map[string]any{"code": m.Code, "fileIds": []string{id}})
	}

	admin := mpOpen(t, strings.Replace(dsn, appName, appName+"_check", 1))
	cut := func() int {
		var n int
		if err := admin.Get(&n, `SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) x`, appName); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// One try per request: mpClient retries 503s, this test wants to see them.
	once := func(method, path string, body []byte, headers ...string) int {
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+applicant.token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := mpHTTP.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	statuses := map[int]int{}
	const rounds = 12
	cutConns := 0
	for r := range rounds {
		cutConns += cut()
		key := fmt.Sprintf("faults-%d", r)
		body := fmt.Sprintf(`{"itemId":%q,"channel":"online","materials":%s}`, guide.ItemID, mustJSON(ms))
		code := once("POST", "/api/v1/cases", []byte(body), "Idempotency-Key", key)
		statuses[code]++
		if code != http.StatusCreated && code != http.StatusServiceUnavailable {
			t.Errorf("round %d: an application answered %d, want 201 or 503", r, code)
		}
		statuses[once("GET", "/api/v1/me", nil)]++
		// The server recovers by itself: the application sent again is stored (once).
		until(t, "the server answering again", func() bool {
			return once("POST", "/api/v1/cases", []byte(body), "Idempotency-Key", key) == http.StatusCreated
		})
	}
	for code := range statuses {
		if code != http.StatusOK && code != http.StatusCreated && code != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d", statuses[code], code)
		}
	}
	var cases int
	if err := admin.Get(&cases, `SELECT COUNT(*) FROM cases`); err != nil {
		t.Fatal(err)
	}
	if cases != rounds {
		t.Errorf("%d cases stored for %d applications", cases, rounds)
	}
	out, err := exec.Command(bin, "audit", "verify", "--db", dsn).CombinedOutput()
	if err != nil {
		t.Errorf("audit verify after the cuts: %v\n%s", err, out)
	}
	t.Logf("%d rounds, %d server connections cut; answers by status %v; %d cases, audit chain intact", rounds, cutConns, statuses, cases)
	s.stop()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
