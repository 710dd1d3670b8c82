package handlers

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"onewindow/app"
	"onewindow/store"
	"onewindow/store/storetest"
)

// diagramOf reads a case's diagram as user and returns its element states by element.
func (v *caseEnv) diagramOf(user, caseID string) map[string]app.DiagramElement {
	v.t.Helper()
	r := v.as(v.tok(user), "GET", "/api/v1/cases/"+caseID+"/diagram", "")
	if r.Code != http.StatusOK {
		v.t.Fatalf("diagram: %d %s", r.Code, r.Body)
	}
	var d app.CaseDiagram
	r.json(v.t, &d)
	if d.DefinitionKey != "std-parallel" || len(d.XML) < 100 {
		v.t.Fatalf("diagram of %s: %s v%d, %d bytes of XML", caseID, d.DefinitionKey, d.DefinitionVersion, len(d.XML))
	}
	out := map[string]app.DiagramElement{}
	for _, e := range d.Elements {
		out[e.ElementID] = e
	}
	return out
}

// The workbench's endpoints over one parallel-approval case: the diagram's states as the case
// moves (done acceptance, a countersign with its signers), the done lists of a person and a
// window, decision support on the finished case, and acknowledging an alert once.
func TestWorkbenchEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { workbenchEndpoints(t, db) })
}

func workbenchEndpoints(t *testing.T, db *store.DB) {
	v := newCaseEnv(t, db)
	const item = "450981-FGJ-XK-001"
	v.demoItem(item)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(item, "M01", "M02", "M03", "YYZZ")))
	acc := v.open(k.ID, "acceptance")
	if el := v.diagramOf("clerk1", k.ID)["acceptance"]; el.State != app.ElementCurrent || el.Open != 1 {
		t.Fatalf("acceptance before it is done: %+v", el)
	}
	expectError(t, v.as(v.tok("reviewer-mzj"), "GET", "/api/v1/cases/"+k.ID+"/diagram", ""), http.StatusNotFound, "not_found")
	// Whom clerk1 may hand the acceptance to: 发改局's section and window 1, not clerk1.
	var people []store.Colleague
	if r := v.as(v.tok("clerk1"), "GET", taskPath(acc, "colleagues"), ""); r.Code != http.StatusOK {
		t.Fatalf("colleagues: %d %s", r.Code, r.Body)
	} else {
		r.json(t, &people)
	}
	names := map[string]bool{}
	for _, p := range people {
		names[p.Username] = true
	}
	if !names["reviewer-fgj"] || names["clerk1"] || names["reviewer-zjj"] {
		t.Fatalf("clerk1's colleagues for the acceptance: %+v", people)
	}
	expectError(t, v.as(v.tok("reviewer-mzj"), "GET", taskPath(acc, "colleagues"), ""), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), "accept")
	signers := v.openBy(k.ID, "countersign", 3)
	d := v.diagramOf("applicant1", k.ID)
	if d["submitted"].State != app.ElementDone || d["acceptance"].State != app.ElementDone || d["countersign"].State != app.ElementCountersign || d["countersign"].Open != 3 {
		t.Fatalf("diagram during the countersign: %+v", d)
	}
	v.ok(v.act("reviewer-zjj", signers["zjj-xzsp"], "complete", map[string]any{"outcome": "agree"}), "agree zjj")
	v.waitState(signers["zjj-xzsp"], "completed")
	v.x.Eventually("one signer signed on the diagram", func() bool {
		c := v.diagramOf("supervisor", k.ID)["countersign"]
		return c.State == app.ElementCountersign && c.Open == 2 && c.Completed == 1
	})

	// Done lists: clerk1's own, window 1's, and none for someone at no window.
	var done app.List[store.DoneTask]
	v.as(v.tok("clerk1"), "GET", "/api/v1/done-tasks", "").json(t, &done)
	if len(done.Items) != 1 || done.Items[0].CaseID != k.ID || *done.Items[0].Outcome != "accept" || *done.Items[0].StepName != "受理" {
		t.Fatalf("clerk1's done list %+v", done)
	}
	v.as(v.tok("clerk1"), "GET", "/api/v1/done-tasks?scope=window", "").json(t, &done)
	if len(done.Items) != 1 || done.Items[0].ActorName != "一号窗口 王丽" {
		t.Fatalf("window 1's done list %+v", done)
	}
	if v.as(v.tok("clerk2"), "GET", "/api/v1/done-tasks?scope=window", "").json(t, &done); len(done.Items) != 0 {
		t.Fatalf("window 2 shows window 1's work: %+v", done)
	}
	v.as(v.tok("reviewer-zjj"), "GET", "/api/v1/done-tasks", "").json(t, &done)
	if len(done.Items) != 1 || *done.Items[0].Outcome != "agree" {
		t.Fatalf("reviewer-zjj's done list %+v", done)
	}
	expectError(t, v.as(v.tok("reviewer-zjj"), "GET", "/api/v1/done-tasks?scope=window", ""), http.StatusBadRequest, "no_window")
	expectError(t, v.as(v.tok("applicant1"), "GET", "/api/v1/done-tasks", ""), http.StatusForbidden, codeForbidden)

	// Decision support: the steps completed so far, for supervisors only.
	var ds app.DecisionSupport
	r := v.as(v.tok("supervisor"), "GET", "/api/v1/supervision/decisions?itemId="+v.items[item].ItemID, "")
	if r.json(t, &ds); r.Code != http.StatusOK || ds.XML == "" || len(ds.Steps) != 2 || len(ds.Units) == 0 {
		t.Fatalf("decision support: %d %s", r.Code, r.Body)
	}
	for _, s := range ds.Steps {
		if s.Count != 1 || s.Median < 0 || s.P90 < s.Median || (s.ElementID != "acceptance" && s.ElementID != "countersign") {
			t.Errorf("step figures %+v", s)
		}
	}
	expectError(t, v.as(v.tok("clerk1"), "GET", "/api/v1/supervision/decisions?itemId="+v.items[item].ItemID, ""), http.StatusForbidden, codeForbidden)
	expectError(t, v.as(v.tok("supervisor"), "GET", "/api/v1/supervision/decisions", ""), http.StatusBadRequest, codeValidation)

	// An alert on the case, acknowledged once.
	ctx := context.Background()
	id, err := store.RecordRuleAlert(ctx, v.db, store.RuleAlert{CaseID: k.ID, Rule: store.RuleNoticeTwice, Detail: "test", Key: "1"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/supervision/alerts/" + url.PathEscape(app.PublicID(id)) + "/ack"
	expectError(t, v.as(v.tok("clerk1"), "POST", path, `{}`), http.StatusForbidden, codeForbidden)
	if r := v.as(v.tok("supervisor"), "POST", path, `{"note":"已督办"}`); r.Code != http.StatusOK {
		t.Fatalf("ack: %d %s", r.Code, r.Body)
	}
	e := expectError(t, v.as(v.tok("supervisor"), "POST", path, ``), http.StatusConflict, "already_acknowledged")
	if e.Message == "" {
		t.Fatal("the conflict does not say who acknowledged")
	}
	var alerts app.List[store.SupervisedAlert]
	v.as(v.tok("supervisor"), "GET", "/api/v1/supervision/alerts?acknowledged=yes", "").json(t, &alerts)
	if len(alerts.Items) != 1 || alerts.Items[0].AckedBy == nil || alerts.Items[0].AckedAt == nil {
		t.Fatalf("acknowledged alerts %+v", alerts)
	}
	v.as(v.tok("supervisor"), "GET", "/api/v1/supervision/alerts?acknowledged=no&caseId="+k.ID, "").json(t, &alerts)
	for _, a := range alerts.Items {
		if a.ID == app.PublicID(id) {
			t.Fatalf("the acknowledged alert is listed as not acknowledged")
		}
	}
}
