package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"onewindow/app"
)

// danglingXML is approvalXML with a flow whose target does not exist: a model-level error on
// the flow.
var danglingXML = strings.Replace(approvalXML, `<sequenceFlow id="f6" sourceRef="late" targetRef="e2"/>`,
	`<sequenceFlow id="f6" sourceRef="late" targetRef="e2"/><sequenceFlow id="dangling" sourceRef="approve" targetRef="nowhere"/>`, 1)

func TestStudioCheck(t *testing.T) {
	s := newTestServer(t, nil)
	designer := s.login("designer")

	r := s.send(designer, "POST", "/api/v1/studio/check", "application/xml", strings.NewReader(approvalXML))
	if r.Code != http.StatusOK {
		t.Fatalf("check: %d %s", r.Code, r.Body)
	}
	var ok app.DrawingCheck
	r.json(t, &ok)
	if !ok.Deployable || ok.Errors != 0 || ok.ProcessID != "approval" || ok.Warnings == 0 {
		t.Errorf("a valid diagram with an unassigned task: %+v", ok)
	}

	r = s.send(designer, "POST", "/api/v1/studio/check", "application/xml", strings.NewReader(danglingXML))
	var bad app.DrawingCheck
	r.json(t, &bad)
	if bad.Deployable || bad.Errors == 0 {
		t.Fatalf("a dangling flow is deployable: %+v", bad)
	}
	found := false
	for _, p := range bad.Problems {
		if p.ElementID == "dangling" && p.Code == "flow-target-missing" && p.Level == app.LevelModel {
			found = true
		}
	}
	if !found {
		t.Errorf("the dangling flow is not marked at its element: %+v", bad.Problems)
	}

	r = s.send(designer, "POST", "/api/v1/studio/check", "application/xml", strings.NewReader("<html>no</html>"))
	var notBPMN app.DrawingCheck
	r.json(t, &notBPMN)
	if r.Code != http.StatusOK || len(notBPMN.Problems) != 1 || notBPMN.Problems[0].Code != "not-bpmn" {
		t.Errorf("not BPMN: %d %s", r.Code, r.Body)
	}

	clerk := s.login("clerk1")
	r = s.send(clerk, "POST", "/api/v1/studio/check", "application/xml", strings.NewReader(approvalXML))
	expectError(t, r, http.StatusForbidden, "forbidden")
}

func TestStudioDryRun(t *testing.T) {
	s := newTestServer(t, nil)
	designer := s.login("designer")
	script := `{"variables":{"amount":500},"steps":[{"complete":"accept","outcome":"accept"},{"complete":"approve"}]}`
	r := s.as(designer, "POST", "/api/v1/studio/dry-run", `{"xml":`+mustJSON(approvalXML)+`,"script":`+script+`}`)
	if r.Code != http.StatusOK {
		t.Fatalf("dry run: %d %s", r.Code, r.Body)
	}
	var run app.DryRun
	r.json(t, &run)
	if run.Result == nil || run.Result.State != "completed" || run.StepError != "" {
		t.Fatalf("the run did not complete: %s", r.Body)
	}
	if got := strings.Join(run.Result.Entered, ","); got != "s,accept,g,approve,e" {
		t.Errorf("token path %s", got)
	}

	// A step naming nothing waiting stops there with the state before it.
	r = s.as(designer, "POST", "/api/v1/studio/dry-run", `{"xml":`+mustJSON(approvalXML)+`,"script":{"steps":[{"complete":"approve"}]}}`)
	run = app.DryRun{}
	r.json(t, &run)
	if run.StepError == "" || run.Result == nil || run.Result.State != "active" || len(run.OpenTasks) != 1 || run.OpenTasks[0] != "accept" {
		t.Errorf("a step on nothing waiting: %s", r.Body)
	}

	// A diagram with errors runs nothing and says why.
	r = s.as(designer, "POST", "/api/v1/studio/dry-run", `{"xml":`+mustJSON(danglingXML)+`}`)
	var broken app.DryRun
	r.json(t, &broken)
	if broken.Result != nil || len(broken.Problems) == 0 {
		t.Errorf("a broken diagram ran: %s", r.Body)
	}
}

func TestStudioPublishConflict(t *testing.T) {
	s := newTestServer(t, nil)
	designer := s.login("designer")
	admin := s.login("admin")
	deploy := func(token, xml string) int {
		r := s.send(token, "POST", "/api/v1/definitions?fileName=approval.bpmn", "application/xml", strings.NewReader(xml))
		if r.Code != http.StatusCreated {
			t.Fatalf("deploy: %d %s", r.Code, r.Body)
		}
		var d app.Deployment
		r.json(t, &d)
		return d.Definitions[0].Version
	}
	v1 := deploy(designer, approvalXML)
	if r := s.as(designer, "POST", "/api/v1/studio/definitions/approval/versions/1/publish", `{"basedOn":0}`); r.Code != http.StatusOK {
		t.Fatalf("publish v1: %d %s", r.Code, r.Body)
	}
	// Both open v1; the admin publishes v2 first, the designer's v3 is refused naming v2.
	v2 := deploy(admin, strings.Replace(approvalXML, `name="备案"`, `name="备案二"`, 1))
	v3 := deploy(designer, strings.Replace(approvalXML, `name="备案"`, `name="备案三"`, 1))
	if r := s.as(admin, "POST", "/api/v1/studio/definitions/approval/versions/"+strconv.Itoa(v2)+"/publish", `{"basedOn":`+strconv.Itoa(v1)+`}`); r.Code != http.StatusOK {
		t.Fatalf("publish v2: %d %s", r.Code, r.Body)
	}
	r := s.as(designer, "POST", "/api/v1/studio/definitions/approval/versions/"+strconv.Itoa(v3)+"/publish", `{"basedOn":`+strconv.Itoa(v1)+`}`)
	e := expectError(t, r, http.StatusConflict, app.PublishedVersionConflict)
	if !strings.Contains(e.Message, "version 2") || !strings.Contains(e.Message, "admin") {
		t.Errorf("the conflict does not name the other's version and publisher: %s", e.Message)
	}
	// Drawn from v2, it publishes.
	if r := s.as(designer, "POST", "/api/v1/studio/definitions/approval/versions/"+strconv.Itoa(v3)+"/publish", `{"basedOn":2}`); r.Code != http.StatusOK {
		t.Errorf("publish v3 based on v2: %d %s", r.Code, r.Body)
	}
}
