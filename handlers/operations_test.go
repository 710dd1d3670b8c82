package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/engine/enginetest"
	"onewindow/store"
	"onewindow/store/storetest"
)

// Processes the operations tests run.
var (
	gateXML = defXML(`<process id="gate" isExecutable="true"><startEvent id="s"/><exclusiveGateway id="g"/>
	  <userTask id="big"/><userTask id="small"/><endEvent id="e1"/><endEvent id="e2"/>
	  <sequenceFlow id="x1" sourceRef="s" targetRef="g"/>
	  <sequenceFlow id="x2" sourceRef="g" targetRef="big"><conditionExpression>${amount &gt; 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x3" sourceRef="g" targetRef="small"><conditionExpression>${amount &lt;= 100}</conditionExpression></sequenceFlow>
	  <sequenceFlow id="x4" sourceRef="big" targetRef="e1"/><sequenceFlow id="x5" sourceRef="small" targetRef="e2"/></process>`)
	waitXML = defXML(`<message id="m" name="paid"/><process id="wait" isExecutable="true"><startEvent id="s"/>
	  <intermediateCatchEvent id="pay"><messageEventDefinition messageRef="m"/></intermediateCatchEvent><endEvent id="e"/>
	  <sequenceFlow id="w1" sourceRef="s" targetRef="pay"/><sequenceFlow id="w2" sourceRef="pay" targetRef="e"/></process>`)
	signalXML = defXML(`<signal id="sg" name="policyChanged"/><process id="sig" isExecutable="true"><startEvent id="s"/>
	  <intermediateCatchEvent id="hear"><signalEventDefinition signalRef="sg"/></intermediateCatchEvent><endEvent id="e"/>
	  <sequenceFlow id="g1" sourceRef="s" targetRef="hear"/><sequenceFlow id="g2" sourceRef="hear" targetRef="e"/></process>`)
)

// opsEnv is the API over a demo database with a running engine.
type opsEnv struct {
	*testServer
	x *enginetest.Env
}

// in returns the environment for subtest t: helpers fail t, not the parent.
func (v *opsEnv) in(t *testing.T) *opsEnv {
	x := *v.x
	x.T = t
	return &opsEnv{testServer: &testServer{t: t, db: v.db, h: v.h}, x: &x}
}

func newOpsEnv(t *testing.T) *opsEnv {
	db := storetest.SQLite(t)
	x := enginetest.Start(t, db, enginetest.Options{})
	s := newTestServer(t, db, func(d *testConfig) { d.Engine = x.Engine })
	for key, xml := range map[string]string{"gate": gateXML, "wait": waitXML, "sig": signalXML, "child": childXML, "parent": parentXML} {
		x.Deploy(key, []byte(xml))
	}
	return &opsEnv{testServer: s, x: x}
}

// caseVars reads a case's variables from the read model.
func (v *opsEnv) caseVars(caseID string) map[string]any {
	c, err := store.GetCaseState(context.Background(), v.db, caseID)
	if err != nil {
		v.t.Fatal(err)
	}
	var vars map[string]any
	if err := json.Unmarshal(c.Variables, &vars); err != nil {
		v.t.Fatal(err)
	}
	return vars
}

// waitFor waits until caseID has an open subscription.
func (v *opsEnv) waitFor(caseID string) {
	v.x.Eventually("a wait of case "+caseID, func() bool {
		subs, _ := store.CaseSubscriptions(context.Background(), v.db, caseID, "open")
		return len(subs) > 0
	})
}

func accepted(t *testing.T, r response, op string) app.OperationAccepted {
	t.Helper()
	if r.Code != http.StatusAccepted {
		t.Fatalf("status %d, want 202: %s", r.Code, r.Body)
	}
	var a app.OperationAccepted
	r.json(t, &a)
	if a.Operation != op || a.CaseID == "" {
		t.Fatalf("accepted %+v, want operation %s", a, op)
	}
	return a
}

func TestEngineOperations(t *testing.T) {
	v := newOpsEnv(t)
	admin, supervisor, clerk := v.login("admin"), v.login("supervisor"), v.login("clerk1")

	t.Run("incident: list, read, set variables and retry", func(t *testing.T) {
		v := v.in(t)
		caseID := v.x.StartCase("gate", nil)
		v.x.WaitStatus(caseID, "incident")

		// The case runs without a case of the catalogue (no item, no window): it is in no
		// supervisor's subtree, so only admins see it and its incidents.
		var list app.List[store.Incident]
		v.as(supervisor, "GET", "/api/v1/incidents?state=open&caseId="+url.QueryEscape(caseID), "").json(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("a supervisor lists the incidents of a case outside their subtree: %+v", list.Items)
		}
		expectError(t, v.as(supervisor, "GET", "/api/v1/cases/"+url.PathEscape(caseID)+"/engine", ""), http.StatusNotFound, codeNotFound)
		r := v.as(admin, "GET", "/api/v1/incidents?state=open&caseId="+url.QueryEscape(caseID), "")
		if r.Code != http.StatusOK {
			t.Fatalf("list: %d %s", r.Code, r.Body)
		}
		r.json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ElementID != "g" || list.Items[0].CaseID != caseID || list.Items[0].Message == "" {
			t.Fatalf("open incidents %+v", list.Items)
		}
		incident := list.Items[0].ID
		v.as(admin, "GET", "/api/v1/incidents?definitionKey=gate&limit=1", "").json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != incident {
			t.Fatalf("by process %+v", list.Items)
		}

		if strings.Contains(incident, "/") || !strings.HasPrefix(incident, caseID+"~") {
			t.Fatalf("incident id %q is not shown with ~ for /", incident)
		}
		var view app.CaseEngineView
		r = v.as(admin, "GET", "/api/v1/cases/"+url.PathEscape(caseID)+"/engine", "")
		if r.Code != http.StatusOK {
			t.Fatalf("engine view: %d %s", r.Code, r.Body)
		}
		r.json(t, &view)
		if view.Case.ID != caseID || view.Case.Status != "incident" || view.Case.DefinitionKey != "gate" || len(view.Incidents) != 1 || len(view.History) == 0 {
			t.Fatalf("view %+v", view)
		}

		// An admin sets a variable on the stuck case, then retries with the missing one.
		// (The engine writes variables set on their own to the read model with the case's
		// next step, so the note shows once the retry has run.)
		accepted(t, v.as(admin, "PUT", "/api/v1/cases/"+url.PathEscape(caseID)+"/variables", `{"variables":{"note":"checked by admin"}}`), "setVariables")

		a := accepted(t, v.as(admin, "POST", "/api/v1/incidents/"+url.PathEscape(incident)+"/retry", `{"variables":{"amount":500}}`), "retry")
		if a.CaseID != caseID || a.Target != incident {
			t.Fatalf("accepted %+v", a)
		}
		v.x.Complete(v.x.OpenTask(caseID, "big"), "", nil)
		v.x.WaitStatus(caseID, "completed")
		if vars := v.caseVars(caseID); vars["amount"] != float64(500) || vars["note"] != "checked by admin" {
			t.Fatalf("variables %v", vars)
		}
		v.as(admin, "GET", "/api/v1/incidents?state=resolved&caseId="+url.QueryEscape(caseID), "").json(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != incident {
			t.Fatalf("resolved %+v", list.Items)
		}
		expectError(t, v.as(admin, "POST", "/api/v1/incidents/"+url.PathEscape(incident)+"/retry", ""), http.StatusConflict, codeIncidentResolved)
		expectError(t, v.as(admin, "POST", "/api/v1/incidents/nosuch%2Fx1/retry", ""), http.StatusNotFound, codeNotFound)
		expectError(t, v.as(admin, "PUT", "/api/v1/cases/"+url.PathEscape(caseID)+"/variables", `{"variables":{"x":1}}`), http.StatusConflict, codeCaseEnded)
	})

	t.Run("bad requests", func(t *testing.T) {
		v := v.in(t)
		caseID := v.x.StartCase("wait", nil)
		v.waitFor(caseID)
		path := "/api/v1/cases/" + url.PathEscape(caseID)
		expectError(t, v.as(admin, "PUT", path+"/variables", `{"variables":{}}`), 400, codeValidation)
		expectError(t, v.as(admin, "PUT", path+"/variables", ``), 400, codeInvalidJSON)
		expectError(t, v.as(admin, "PUT", path+"/variables", `{"variables":{"":1}}`), 400, codeValidation)
		expectError(t, v.as(admin, "PUT", path+"/variables", `{"vars":{"a":1}}`), 400, codeInvalidJSON)
		expectError(t, v.as(admin, "POST", path+"/messages/paid", `{"variables":[1]}`), 400, codeInvalidJSON)
		expectError(t, v.as(admin, "GET", "/api/v1/incidents?state=closed", ""), 400, codeValidation)
		expectError(t, v.as(admin, "GET", "/api/v1/incidents?limit=201", ""), 400, codeValidation)
		expectError(t, v.as(admin, "GET", "/api/v1/cases/nosuch/engine", ""), 404, codeNotFound)
		expectError(t, v.as(admin, "PUT", "/api/v1/cases/nosuch/variables", `{"variables":{"a":1}}`), 404, codeNotFound)
		expectError(t, v.as(admin, "GET", "/api/v1/cases/a%01b/engine", ""), 400, codeInvalidID)
		v.as(admin, "POST", path+"/cancel", "")
	})

	t.Run("message", func(t *testing.T) {
		v := v.in(t)
		caseID := v.x.StartCase("wait", nil)
		v.waitFor(caseID)
		path := "/api/v1/cases/" + url.PathEscape(caseID) + "/messages/"
		e := expectError(t, v.as(admin, "POST", path+"refunded", `{"variables":{"a":1}}`), http.StatusConflict, codeNoWait)
		if !strings.Contains(e.Message, `"refunded"`) {
			t.Errorf("message %q should name the message", e.Message)
		}
		a := accepted(t, v.as(admin, "POST", path+"paid", `{"variables":{"amount":12}}`), "message")
		if !strings.HasPrefix(a.Target, caseID+"~") {
			t.Errorf("target %q is not a wait of the case", a.Target)
		}
		v.x.WaitStatus(caseID, "completed")
		if v.caseVars(caseID)["amount"] != float64(12) {
			t.Fatalf("variables %v", v.caseVars(caseID))
		}
		expectError(t, v.as(admin, "POST", path+"paid", ""), http.StatusConflict, codeCaseEnded)
		expectError(t, v.as(admin, "POST", "/api/v1/cases/nosuch/messages/paid", ""), http.StatusNotFound, codeNotFound)
	})

	t.Run("signal", func(t *testing.T) {
		v := v.in(t)
		a, b := v.x.StartCase("sig", nil), v.x.StartCase("sig", nil)
		v.waitFor(a)
		v.waitFor(b)
		r := v.as(admin, "POST", "/api/v1/signals/policyChanged", `{"variables":{"policy":"2025"}}`)
		if r.Code != http.StatusOK {
			t.Fatalf("signal: %d %s", r.Code, r.Body)
		}
		var sb app.SignalBroadcast
		r.json(t, &sb)
		if sb.Name != "policyChanged" || sb.Delivered != 2 {
			t.Fatalf("broadcast %+v, want 2 deliveries", sb)
		}
		v.x.WaitStatus(a, "completed")
		v.x.WaitStatus(b, "completed")
		if v.caseVars(a)["policy"] != "2025" {
			t.Errorf("variables %v", v.caseVars(a))
		}
		// Nobody waits any more; no body at all is fine.
		r = v.as(admin, "POST", "/api/v1/signals/policyChanged", "")
		r.json(t, &sb)
		if r.Code != http.StatusOK || sb.Delivered != 0 {
			t.Fatalf("second broadcast: %d %+v", r.Code, sb)
		}
	})

	t.Run("cancel, and child cases by escaped id", func(t *testing.T) {
		v := v.in(t)
		parent := v.x.StartCase("parent", nil)
		var child string
		v.x.Eventually("the child case", func() bool {
			kids, _ := store.ChildCases(context.Background(), v.db, parent)
			if len(kids) == 1 {
				child = kids[0].ID
			}
			return child != ""
		})
		if !strings.Contains(child, "/") {
			t.Fatalf("child case id %q holds no /: this test wants one", child)
		}
		v.x.OpenTask(child, "check")
		// Shown with ~ for /, and read in either form.
		shown := app.PublicID(child)
		for _, id := range []string{url.PathEscape(child), shown} {
			var view app.CaseEngineView
			r := v.as(admin, "GET", "/api/v1/cases/"+id+"/engine", "")
			if r.Code != http.StatusOK {
				t.Fatalf("child view: %d %s", r.Code, r.Body)
			}
			r.json(t, &view)
			if view.Case.ID != shown || view.Case.ParentCaseID == nil || *view.Case.ParentCaseID != parent || len(view.Tasks) != 1 ||
				view.Tasks[0].State != "open" || strings.Contains(view.Tasks[0].ID, "/") {
				t.Fatalf("child view %+v", view)
			}
		}
		expectError(t, v.as(supervisor, "GET", "/api/v1/cases/"+shown+"/engine", ""), http.StatusNotFound, codeNotFound)
		var view app.CaseEngineView
		v.as(admin, "GET", "/api/v1/cases/"+url.PathEscape(parent)+"/engine", "").json(t, &view)
		if len(view.Children) != 1 || view.Children[0].ID != shown {
			t.Fatalf("parent's children %+v", view.Children)
		}

		expectError(t, v.as(admin, "POST", "/api/v1/cases/"+shown+"/cancel", ""), http.StatusConflict, codeChildCase)
		accepted(t, v.as(admin, "POST", "/api/v1/cases/"+url.PathEscape(parent)+"/cancel", ""), "cancel")
		v.x.WaitStatus(parent, "cancelled")
		v.x.Eventually("the child's task cancelled", func() bool {
			tasks, _ := store.CaseTasks(context.Background(), v.db, child, "")
			return len(tasks) == 1 && tasks[0].State == "cancelled"
		})
		expectError(t, v.as(admin, "POST", "/api/v1/cases/"+url.PathEscape(parent)+"/cancel", ""), http.StatusConflict, codeCaseEnded)
		expectError(t, v.as(admin, "POST", "/api/v1/cases/nosuch/cancel", ""), http.StatusNotFound, codeNotFound)
	})

	t.Run("roles", func(t *testing.T) {
		v := v.in(t)
		caseID := v.x.StartCase("wait", nil)
		v.waitFor(caseID)
		path := "/api/v1/cases/" + url.PathEscape(caseID)
		for _, tok := range []string{clerk, v.login("designer")} {
			expectError(t, v.as(tok, "GET", "/api/v1/incidents", ""), http.StatusForbidden, codeForbidden)
			expectError(t, v.as(tok, "GET", path+"/engine", ""), http.StatusForbidden, codeForbidden)
		}
		// Supervisors read but do not repair.
		for _, req := range [][3]string{
			{"POST", path + "/cancel", ""},
			{"PUT", path + "/variables", `{"variables":{"a":1}}`},
			{"POST", path + "/messages/paid", ""},
			{"POST", "/api/v1/signals/policyChanged", ""},
			{"POST", "/api/v1/incidents/x%2Fy/retry", ""},
		} {
			e := expectError(t, v.as(supervisor, req[0], req[1], req[2]), http.StatusForbidden, codeForbidden)
			if !strings.Contains(e.Message, "admin") {
				t.Errorf("%s %s: %q should name the role", req[0], req[1], e.Message)
			}
		}
		expectError(t, v.do("GET", "/api/v1/incidents", ""), http.StatusUnauthorized, codeUnauthenticated)
		if v.x.Status(caseID) != "active" {
			t.Fatalf("refused requests changed the case: %s", v.x.Status(caseID))
		}
	})
}

func TestEngineOperationsWithoutEngine(t *testing.T) {
	s := newTestServer(t, nil)
	admin := s.login("admin")
	for _, req := range [][3]string{
		{"POST", "/api/v1/cases/C-1/cancel", ""},
		{"PUT", "/api/v1/cases/C-1/variables", `{"variables":{"a":1}}`},
		{"POST", "/api/v1/cases/C-1/messages/paid", ""},
		{"POST", "/api/v1/signals/go", ""},
		{"POST", "/api/v1/incidents/C-1%2Fx1/retry", ""},
	} {
		expectError(t, s.as(admin, req[0], req[1], req[2]), http.StatusServiceUnavailable, codeEngineUnavailable)
	}
	// Reading the read model needs no engine.
	var list app.List[store.Incident]
	r := s.as(admin, "GET", "/api/v1/incidents", "")
	r.json(t, &list)
	if r.Code != http.StatusOK || list.Items == nil || len(list.Items) != 0 {
		t.Fatalf("incidents without engine: %d %s", r.Code, r.Body)
	}
}
