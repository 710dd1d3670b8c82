package handlers

import (
	"net/http"
	"testing"
)

// TestCatalogueIsRevalidated: the public catalogue carries an ETag and asks clients to
// revalidate on every use (an applicant must see an item published a moment ago); a matching
// If-None-Match is 304 without a body, another ETag gets the whole answer.
func TestCatalogueIsRevalidated(t *testing.T) {
	v := newLiveEnv(t, false, nil)
	for _, path := range []string{"/api/v1/public/items", "/api/v1/public/items/" + v.demoItem(itemFood).ItemID} {
		r := v.do("GET", path, "")
		etag := r.Header().Get("ETag")
		if r.Code != http.StatusOK || etag == "" || r.Header().Get("Cache-Control") != "public, no-cache" {
			t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", path, r.Code, etag, r.Header().Get("Cache-Control"))
		}
		if r2 := v.do("GET", path, "", "If-None-Match", etag); r2.Code != http.StatusNotModified || r2.Body.Len() != 0 {
			t.Fatalf("GET %s with its ETag: %d %q", path, r2.Code, r2.Body)
		}
		if r3 := v.do("GET", path, "", "If-None-Match", `"stale"`); r3.Code != http.StatusOK || r3.Body.String() != r.Body.String() {
			t.Fatalf("GET %s with another ETag: %d", path, r3.Code)
		}
	}
	// Each page is its own answer: a filter that changes the list changes the ETag.
	a := v.do("GET", "/api/v1/public/items?limit=1", "").Header().Get("ETag")
	b := v.do("GET", "/api/v1/public/items?limit=2", "").Header().Get("ETag")
	if a == b {
		t.Fatalf("two different pages share the ETag %s", a)
	}
}
