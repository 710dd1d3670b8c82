package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"onewindow/store/storetest"
)

// The walkthrough of the README and docs/cases-and-tasks.md (scripts/walkthrough.sh) runs
// against a live demo server, as a new user would run it.
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
	cmd := exec.Command("sh", "../scripts/walkthrough.sh")
	cmd.Env = append(os.Environ(), "ONEWINDOW_URL="+s.base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough: %v\n%s", err, out)
	}
	for _, want := range []string{"notice issued", "reviewer-zrzyj agreed", "已办结 (准予)", "walkthrough done"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	s.stop()
}
