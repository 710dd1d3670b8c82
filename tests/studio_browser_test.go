package tests

import (
	"regexp"
	"testing"
)

// The designer's studio and the public portal in a real browser (issue 16's scenarios), against
// the binary serving the demo: the designer changes, breaks, fixes, dry-runs, publishes and binds
// the parallel-approval flow to a new item (web/e2e/studio.mjs); a Camunda Modeler file keeps its
// attributes through the modeller (studio-roundtrip.mjs); a member of the public applies for the
// new item on a phone, follows and rates it, and finds it in the result publicity and statistics
// (portal.mjs). Screenshots go to docs/screenshots/ (ONEWINDOW_SCREENSHOTS elsewhere).
func TestBrowserStudioAndPortal(t *testing.T) {
	chromium := browserTools(t)
	bin := buildBinary(t)
	s := startServer(t, bin, "--demo", "--data-dir", t.TempDir())

	out := runScript(t, "studio.mjs", s.base, chromium)
	m := regexp.MustCompile(`(?m)^ITEM (\S+) (.+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("studio.mjs named no item:\n%s", out)
	}
	runScript(t, "studio-roundtrip.mjs", s.base, chromium)
	runScript(t, "portal.mjs", s.base, chromium, "ONEWINDOW_ITEM_NAME="+m[2])
	s.stop()
}
