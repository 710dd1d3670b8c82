package handlers

import (
	"net/http"
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
