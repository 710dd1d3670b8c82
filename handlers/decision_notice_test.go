package handlers

import (
	"net/http"
	"strings"
	"testing"

	"onewindow/store"
)

// TestApplicantIsToldTheDecision: an online applicant gets a notification of the decision
// (结果告知), with the reason when it is not a grant, once per decision.
func TestApplicantIsToldTheDecision(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "refuse", "reason": "不属于本机关职权范围"}), "refuse")
	var nl struct{ Items []store.Notification }
	if r := v.as(v.tok("applicant1"), "GET", "/api/v1/notifications", ""); r.Code != http.StatusOK {
		t.Fatalf("notifications: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &nl)
	}
	var told []store.Notification
	for _, n := range nl.Items {
		if n.CaseID == k.ID && strings.HasPrefix(n.Title, "办件结果") {
			told = append(told, n)
		}
	}
	if len(told) != 1 || told[0].Title != "办件结果：不予受理" || !strings.Contains(told[0].Body, k.Number) ||
		!strings.Contains(told[0].Body, "理由：不属于本机关职权范围") {
		t.Fatalf("the applicant's decision notifications: %+v", told)
	}
	// Nobody else is told: the clerk's own notifications hold none of it.
	var cl struct{ Items []store.Notification }
	v.as(v.tok("clerk1"), "GET", "/api/v1/notifications", "").json(t, &cl)
	for _, n := range cl.Items {
		if n.CaseID == k.ID && strings.HasPrefix(n.Title, "办件结果") {
			t.Fatalf("the clerk got the applicant's decision: %+v", n)
		}
	}
}
