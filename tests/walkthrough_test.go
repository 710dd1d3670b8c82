package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"onewindow/store/storetest"
)

// The README's first commands and its walkthrough (scripts/walkthrough.sh, also shown in
// docs/cases-and-tasks.md) run against a live demo server, as a new user would run them.
func TestWalkthroughScript(t *testing.T) {
	for _, tool := range []string{"sh", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(storetest.EnvRequire) == "1" {
				t.Fatalf("%s is needed to run scripts/walkthrough.sh: %v", tool, err)
			}
			t.Skipf("%s not found: the walkthrough script is not run", tool)
		}
	}
	bin := buildBinary(t)
	s := startServer(t, bin, "--demo", "--data-dir", t.TempDir())
	// The README's "Then:" block as a reader pastes it, pointed at this server; it runs the
	// walkthrough script, and ends by signing out, after which the token is refused.
	block := readmeThenBlock(t)
	block = strings.ReplaceAll(block, "localhost:8080", strings.TrimPrefix(s.base, "http://")) +
		"\necho; echo \"after logout: $(curl -s -o /dev/null -w '%{http_code}' " + s.base + "/api/v1/me -H \"Authorization: Bearer $TOKEN\")\"\n"
	cmd := exec.Command("sh", "-c", block)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "ONEWINDOW_URL="+s.base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough: %v\n%s", err, out)
	}
	for _, want := range []string{`"username":"clerk1"`, "notice issued", "reviewer-zrzyj agreed", "已办结 (准予)", "walkthrough done", "after logout: 401"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("the README's block and walkthrough lack %q:\n%s", want, out)
		}
	}
	s.stop()
}

// readmeThenBlock is the shell block that follows "Then, in another terminal:" in the README.
func readmeThenBlock(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "Then, in another terminal:\n\n```sh\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed || !strings.Contains(block, "TOKEN=") {
		t.Fatal("the README has no \"Then, in another terminal:\" block that sets TOKEN")
	}
	return block
}
