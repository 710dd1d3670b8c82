package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// client is a demo user of a running server.
type client struct {
	t     *testing.T
	base  string
	token string
}

func signIn(t *testing.T, base, username string) *client {
	t.Helper()
	c := &client{t: t, base: base}
	var out struct {
		Token string `json:"token"`
	}
	if code := c.call("POST", "/api/v1/auth/login", `{"username":"`+username+`","password":"onewindow-demo"}`, &out); code != 200 || out.Token == "" {
		t.Fatalf("sign in %s: %d", username, code)
	}
	c.token = out.Token
	return c
}

// call sends a JSON request and decodes the answer into out (if not nil); it returns the
// status, or 0 when the server did not answer.
func (c *client) call(method, path, body string, out any) int {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

// upload stores a small PDF and returns its file id ("" when it failed, which it reports).
func (c *client) upload(name string) string {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	part.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	w.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/files", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("upload: %v", err)
		return ""
	}
	defer resp.Body.Close()
	var f struct {
		ID string `json:"id"`
	}
	json.NewDecoder(resp.Body).Decode(&f)
	if resp.StatusCode != 201 || f.ID == "" {
		c.t.Errorf("upload: %d", resp.StatusCode)
	}
	return f.ID
}

// immediateItem is the demo's 企业投资项目备案 (即办件): acceptance, decision, delivery, all
// at window 1 under 发改局's delegation.
const immediateItem = "450981-FGJ-QT-002"

// apply submits an online application of the immediate item and returns the case id ("" when
// it failed, which it reports).
func apply(c *client, itemID string) string {
	var k struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"itemId":%q,"channel":"online","form":{"projectName":"备份测试项目"},"materials":[{"code":"M01","fileIds":[%q]},{"code":"YYZZ","fileIds":[%q]}]}`,
		itemID, c.upload("M01.pdf"), c.upload("YYZZ.pdf"))
	if code := c.call("POST", "/api/v1/cases", body, &k); code != 201 || k.ID == "" {
		c.t.Errorf("apply: %d", code)
	}
	return k.ID
}

// step moves case id one step on and reports whether it has finished, or that its applicant
// does not find it: clerk1 completes the case's open task in their inbox, if one is there yet.
func step(applicant, clerk *client, id string) (finished, missing bool) {
	var k struct {
		Stage string `json:"stage"`
	}
	if code := applicant.call("GET", "/api/v1/cases/"+id, "", &k); code != 200 {
		return false, code == 404
	}
	if k.Stage == "finished" {
		return true, false
	}
	var inbox struct {
		Items []struct {
			ID       string `json:"id"`
			CaseID   string `json:"caseId"`
			StepKind string `json:"stepKind"`
			State    string `json:"state"`
		} `json:"items"`
	}
	clerk.call("GET", "/api/v1/tasks?limit=200", "", &inbox)
	for _, t := range inbox.Items {
		if t.CaseID != id || t.State == "completing" {
			continue
		}
		body := map[string]string{"acceptance": `{"outcome":"accept"}`, "approval": `{"outcome":"approve"}`}[t.StepKind]
		if body == "" {
			body = `{}`
		}
		clerk.call("POST", "/api/v1/tasks/"+t.ID+"/complete", body, nil)
	}
	return false, false
}

// TestBackupWhileServingAndRestore backs a demo server up while clients drive cases, restores
// the backup into a new directory, serves it, and takes every case the backup holds to its
// end: the application and engine databases were copied as of one moment.
func TestBackupWhileServingAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	s := startServer(t, bin, "--demo", "--data-dir", dataDir)
	var itemID string
	{
		var l struct {
			Items []struct {
				ItemID string `json:"itemId"`
			} `json:"items"`
		}
		(&client{t: t, base: s.base}).call("GET", "/api/v1/public/items?q="+immediateItem, "", &l)
		if len(l.Items) == 0 {
			t.Fatalf("the demo has no item %s", immediateItem)
		}
		itemID = l.Items[0].ItemID
	}

	// Four applicants' clients apply and clerk1 works the cases, until told to stop.
	const drivers, perDriver = 4, 6
	var (
		mu      sync.Mutex
		created []string
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	for d := 0; d < drivers; d++ {
		applicant, clerk := signIn(t, s.base, "applicant1"), signIn(t, s.base, "clerk1")
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []string
			for i := 0; i < perDriver && !stop.Load(); i++ {
				id := apply(applicant, itemID)
				if id == "" {
					return
				}
				mu.Lock()
				created = append(created, id)
				mu.Unlock()
				mine = append(mine, id)
				for _, id := range mine {
					step(applicant, clerk, id)
				}
			}
		}()
	}
	// Back up once some cases exist and while the others are being driven.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(created)
		mu.Unlock()
		if n >= drivers*2 || time.Now().After(deadline) {
			break
		}
	}
	mu.Lock()
	before := slices.Clone(created) // every case whose application was answered before the backup began
	mu.Unlock()
	archive := filepath.Join(t.TempDir(), "centre.backup")
	out, err := exec.Command(bin, "backup", "--data-dir", dataDir, "--out", archive).CombinedOutput()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
	stop.Store(true)
	wg.Wait()
	s.stop()

	// A fresh directory: refused when not empty, restored when empty.
	restored := t.TempDir()
	if out, err := exec.Command(bin, "restore", archive, "--data-dir", dataDir).CombinedOutput(); err == nil || !strings.Contains(string(out), "--force") {
		t.Fatalf("restore over the live data directory: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "restore", archive, "--data-dir", restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	r := startServer(t, bin, "--data-dir", restored)
	applicant, clerk := signIn(t, r.base, "applicant1"), signIn(t, r.base, "clerk1")
	open := slices.Clone(before)
	for deadline := time.Now().Add(90 * time.Second); len(open) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d cases of the backup did not finish on the restored server: %v", len(open), len(before), open)
		}
		open = slices.DeleteFunc(open, func(id string) bool {
			finished, missing := step(applicant, clerk, id)
			if missing {
				t.Fatalf("case %s, answered before the backup began, is not in the restored data", id)
			}
			return finished
		})
	}
	// The audit trail came back whole too.
	if out, err := exec.Command(bin, "audit", "verify", "--data-dir", restored).CombinedOutput(); err != nil {
		t.Fatalf("audit verify on the restored data: %v\n%s", err, out)
	}
	r.stop()
	t.Logf("%d cases at backup time (of %d created) all finished after the restore", len(before), len(created))
}
