package handlers

import (
	"encoding/base64"
	"net/http"
	"testing"
)

// TestListPagingRefusals: every large list refuses the old offset form, a cursor that is not
// one of its own (garbage, another list's) and a page over the cap, each with a 400 naming the
// parameter.
func TestListPagingRefusals(t *testing.T) {
	s := newTestServer(t, nil)
	sup := s.login("supervisor")
	clerk := s.login("clerk1")
	foreign := base64.RawURLEncoding.EncodeToString([]byte(`k1.["5"]`)) // an events cursor: one value, not a case's two
	position := base64.RawURLEncoding.EncodeToString([]byte(`o1.50`))   // a catalogue list's position cursor
	for _, x := range []struct {
		tok, path, field string
	}{
		{clerk, "/api/v1/cases?offset=50", "offset"},
		{clerk, "/api/v1/cases?after=garbage", "after"},
		{clerk, "/api/v1/cases?after=" + foreign, "after"},
		{clerk, "/api/v1/cases?limit=201", "limit"},
		{clerk, "/api/v1/cases?count=maybe", "count"},
		{clerk, "/api/v1/tasks?offset=10", "offset"},
		{clerk, "/api/v1/tasks?after=" + foreign, "after"},
		{clerk, "/api/v1/tasks?limit=1000", "limit"},
		{sup, "/api/v1/supervision/cases?after=" + foreign, "after"},
		{sup, "/api/v1/supervision/cases?offset=1", "offset"},
		{sup, "/api/v1/supervision/alerts?after=garbage", "after"},
		{sup, "/api/v1/complaints?after=garbage", "after"},
		{clerk, "/api/v1/notifications?after=garbage", "after"},
		// The lists that paged by position page by key now: a position cursor of before is foreign.
		{sup, "/api/v1/complaints?after=" + foreign, "after"},
		{sup, "/api/v1/complaints?after=" + position, "after"},
		{clerk, "/api/v1/commitments?after=" + foreign, "after"},
		{clerk, "/api/v1/commitments?after=" + position, "after"},
		{sup, "/api/v1/incidents?after=" + foreign, "after"},
		{sup, "/api/v1/incidents?after=" + position, "after"},
		{clerk, "/api/v1/done-tasks?after=" + foreign, "after"},
		{clerk, "/api/v1/done-tasks?after=" + position, "after"},
	} {
		e := expectError(t, s.as(x.tok, "GET", x.path, ""), http.StatusBadRequest, codeValidation)
		if len(e.Fields) != 1 || e.Fields[0].Field != x.field {
			t.Errorf("%s: fields %+v, want %s", x.path, e.Fields, x.field)
		}
	}
	// count=true answers a total; without it none is counted.
	var l struct {
		Total *int `json:"total"`
	}
	if s.as(clerk, "GET", "/api/v1/cases?count=true", "").json(t, &l); l.Total == nil || *l.Total != 0 {
		t.Errorf("count=true: total %v, want 0", l.Total)
	}
	l.Total = nil
	if s.as(clerk, "GET", "/api/v1/cases", "").json(t, &l); l.Total != nil {
		t.Errorf("no count asked, total %d", *l.Total)
	}
}
