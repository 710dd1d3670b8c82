package handlers

import (
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkAuthenticatedRequest measures GET /api/v1/me with a bearer token on SQLite: token
// check, principal loading (user and memberships) and JSON, the floor of every API call.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	s := newTestServer(b, nil)
	tok := s.login("clerk1")
	for b.Loop() {
		if r := s.as(tok, "GET", "/api/v1/me", ""); r.Code != http.StatusOK {
			b.Fatalf("status %d", r.Code)
		}
	}
}

// BenchmarkPublicCatalogue compares the catalogue's JSON (GET /api/v1/public/items, the first
// page of 50) with its plain HTML page (GET /public/items, the same page, plus the departments
// of the published items for its select and the template) on SQLite with the demo's 23 items.
// Each request comes from its own address, so that the throttle does not answer 429.
func BenchmarkPublicCatalogue(b *testing.B) {
	s := newTestServer(b, nil)
	for name, path := range map[string]string{"json": "/api/v1/public/items", "plain": "/public/items"} {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				if r := s.from("10.1."+strconv.Itoa(i/250%250)+"."+strconv.Itoa(i%250)+":40000", "GET", path, ""); r.Code != http.StatusOK {
					b.Fatalf("%s: status %d", path, r.Code)
				}
			}
		})
	}
}
