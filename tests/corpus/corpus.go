// Package corpus finds the shared BPMN corpus (../shared/bpmn-corpus beside
// the repository, or $ONEWINDOW_BPMN_CORPUS) for conformance tests. The
// files are used as they are; nothing is copied into the repository.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus directory. Without it the test is skipped, except
// in CI (ONEWINDOW_TEST_REQUIRE_SERVICES=1), where a missing corpus fails.
func Dir(t testing.TB) string {
	t.Helper()
	return Shared(t, "bpmn-corpus", "ONEWINDOW_BPMN_CORPUS")
}

// Shared returns the directory shared/NAME beside the repository (looked up from the working
// directory upwards), or $ENV when set. Without it the test is skipped, except in CI
// (ONEWINDOW_TEST_REQUIRE_SERVICES=1), where it fails.
func Shared(t testing.TB, name, env string) string {
	t.Helper()
	if d := os.Getenv(env); d != "" {
		if isDir(d) {
			return d
		}
		t.Fatalf("%s=%s is not a directory", env, d)
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if c := filepath.Join(dir, "shared", name); isDir(c) {
				return c
			}
			if c := filepath.Join(dir, "..", "shared", name); isDir(c) {
				return c
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if os.Getenv("ONEWINDOW_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("shared/%s not found: set %s to its directory", name, env)
	}
	t.Skipf("shared/%s not found (../shared/%s or $%s): conformance test skipped", name, name, env)
	return ""
}

// File returns the path of a corpus file, e.g. "flowable-engine/x.bpmn20.xml".
func File(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(name))
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
