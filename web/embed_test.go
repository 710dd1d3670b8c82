package web

import (
	"io/fs"
	"testing"
)

// TestDistIsCurrent fails when web/dist was built from other sources than those in web/src
// (and the build configuration and package-lock.json): run `make web` and commit web/dist.
func TestDistIsCurrent(t *testing.T) {
	want, err := SourceHash(".")
	if err != nil {
		t.Fatal(err)
	}
	got, err := BuiltHash()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("web/dist is stale: built from sources %s, the sources now hash to %s; run `make web` and commit web/dist", got, want)
	}
}

// TestDistHasTheApplication checks that the embedded build has its entry page and assets.
func TestDistHasTheApplication(t *testing.T) {
	d := Dist()
	b, err := fs.ReadFile(d, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		t.Fatal("index.html is empty")
	}
	assets, err := fs.ReadDir(d, "assets")
	if err != nil {
		t.Fatal(err)
	}
	if len(assets) == 0 {
		t.Fatal("dist/assets is empty")
	}
}
