package handlers

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/definitions"
	"onewindow/demo"
	"onewindow/store"
	"onewindow/store/storetest"
)

// defXML wraps process elements in a BPMN <definitions>.
func defXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">` + body + `</definitions>`
}

// approvalXML is a small executable process with one unassigned task (a warning).
var approvalXML = defXML(`<process id="approval" name="备案" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" name="受理" flowable:candidateGroups="window" ow:stepKind="acceptance" ow:timeLimit="1"/>
  <exclusiveGateway id="g" default="f4"/>
  <userTask id="approve"/>
  <boundaryEvent id="late" attachedToRef="approve" cancelActivity="false"><timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="e"/>
  <endEvent id="e2"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="g"/>
  <sequenceFlow id="f3" sourceRef="g" targetRef="approve"><conditionExpression>${amount &gt; 100}</conditionExpression></sequenceFlow>
  <sequenceFlow id="f4" sourceRef="g" targetRef="e"/>
  <sequenceFlow id="f5" sourceRef="approve" targetRef="e"/>
  <sequenceFlow id="f6" sourceRef="late" targetRef="e2"/>
</process>`)

// childXML is a process a call activity can start.
var childXML = defXML(`<process id="child" isExecutable="true"><startEvent id="cs"/><userTask id="check" flowable:assignee="clerk1"/><endEvent id="ce"/>
  <sequenceFlow id="c1" sourceRef="cs" targetRef="check"/><sequenceFlow id="c2" sourceRef="check" targetRef="ce"/></process>`)

// parentXML calls child.
var parentXML = defXML(`<process id="parent" isExecutable="true"><startEvent id="ps"/><callActivity id="call" calledElement="child"/><endEvent id="pe"/>
  <sequenceFlow id="p1" sourceRef="ps" targetRef="call"/><sequenceFlow id="p2" sourceRef="call" targetRef="pe"/></process>`)

// send sends a request with a body read from r and the given content type.
func (s *testServer) send(token, method, path, contentType string, r io.Reader) response {
	s.t.Helper()
	req := httptest.NewRequest(method, path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	return response{w}
}

// deployXML deploys one raw XML file.
func (s *testServer) deployXML(token, xml string) response {
	s.t.Helper()
	return s.send(token, "POST", "/api/v1/definitions", "application/xml", strings.NewReader(xml))
}

// multipartBody builds a multipart/form-data body of files (name, content pairs).
func multipartBody(t testing.TB, files ...string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		fw, err := w.CreateFormFile("file", files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &b
}

func (s *testServer) deployFiles(token string, files ...string) response {
	s.t.Helper()
	ct, body := multipartBody(s.t, files...)
	return s.send(token, "POST", "/api/v1/definitions", ct, body)
}

// storedVersions counts the versions deployed through the API: the demo data brings the
// standard flows (std-*) and its own flow and decision, which do not count.
func storedVersions(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, db.Rebind(`SELECT COUNT(*) FROM definitions WHERE definition_key NOT LIKE 'std-%'
		AND definition_key NOT IN (?, ?)`), demo.InvestmentFlow, demo.InvestmentReviewers); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDefinitionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		designer := s.login("designer")

		r := s.send(designer, "POST", "/api/v1/definitions?fileName=approval-v1.bpmn", "text/xml; charset=utf-8", strings.NewReader(approvalXML))
		if r.Code != http.StatusCreated {
			t.Fatalf("deploy: %d %s", r.Code, r.Body)
		}
		var dep app.Deployment
		r.json(t, &dep)
		if len(dep.Definitions) != 1 || dep.DeploymentID == "" {
			t.Fatalf("deploy response %+v", dep)
		}
		v1 := dep.Definitions[0]
		if v1.Key != "approval" || v1.Version != 1 || v1.State != store.DefinitionDraft || !v1.Created || v1.Name != "备案" ||
			v1.FileName != "approval-v1.bpmn" || v1.DeploymentID != dep.DeploymentID || v1.Hash != store.HashXML([]byte(approvalXML)) {
			t.Fatalf("v1 = %+v", v1)
		}
		if len(v1.Warnings) != 1 || v1.Warnings[0].Code != definitions.CodeUnassignedUserTask || v1.Warnings[0].ElementID != "approve" {
			t.Fatalf("warnings %+v, want the unassigned task approve", v1.Warnings)
		}

		// The same bytes again: the existing version, 200.
		r = s.deployXML(designer, approvalXML)
		if r.Code != http.StatusOK {
			t.Fatalf("same content: %d %s", r.Code, r.Body)
		}
		var again app.Deployment
		r.json(t, &again)
		if d := again.Definitions[0]; d.Created || d.Version != 1 || d.DeploymentID != dep.DeploymentID || d.FileName != "approval-v1.bpmn" || again.DeploymentID != "" {
			t.Fatalf("same content gave %+v", d)
		}

		// Changed bytes (one space): version 2.
		changed := strings.Replace(approvalXML, `<endEvent id="e"/>`, `<endEvent id="e" />`, 1)
		r = s.deployXML(designer, changed)
		if r.Code != http.StatusCreated {
			t.Fatalf("changed content: %d %s", r.Code, r.Body)
		}
		var dep2 app.Deployment
		r.json(t, &dep2)
		if d := dep2.Definitions[0]; d.Version != 2 || !d.Created || d.FileName != "approval.bpmn" {
			t.Fatalf("v2 = %+v", d)
		}

		var list app.List[store.DefinitionSummary]
		s.as(designer, "GET", "/api/v1/definitions", "").json(t, &list)
		var mine []store.DefinitionSummary
		for _, it := range list.Items {
			if !strings.HasPrefix(it.Key, "std-") && it.Key != demo.InvestmentFlow && it.Key != demo.InvestmentReviewers { // the demo's
				mine = append(mine, it)
			}
		}
		if len(mine) != 1 || mine[0].LatestVersion != 2 || mine[0].PublishedVersion != 0 || mine[0].Name != "备案" {
			t.Fatalf("list %+v", list)
		}
		var versions app.List[app.DefinitionVersionInfo]
		s.as(designer, "GET", "/api/v1/definitions/approval/versions", "").json(t, &versions)
		if len(versions.Items) != 2 || versions.Items[0].Version != 2 || versions.Items[1].Version != 1 || len(versions.Items[1].Warnings) != 1 {
			t.Fatalf("versions %+v", versions)
		}
		// Who deployed each, by name: a designer may not read accounts (issue 16).
		if v := versions.Items[0]; v.CreatedBy == "" || v.CreatedByName != "流程设计员" || v.PublishedByName != "" {
			t.Errorf("version 2 names its deployer %q (%s) and publisher %q, want 流程设计员 and none", v.CreatedByName, v.CreatedBy, v.PublishedByName)
		}

		// The model summary.
		r = s.as(designer, "GET", "/api/v1/definitions/approval/versions/1", "")
		if r.Code != http.StatusOK {
			t.Fatalf("get version: %d %s", r.Code, r.Body)
		}
		var m app.DefinitionModel
		r.json(t, &m)
		if m.Process.ID != "approval" || m.Process.Name != "备案" || len(m.Nodes) != 7 || len(m.Flows) != 6 || len(m.Warnings) != 1 {
			t.Fatalf("model %+v", m)
		}
		nodes := map[string]app.NodeSummary{}
		for _, n := range m.Nodes {
			nodes[n.ID] = n
		}
		if a := nodes["accept"]; a.Kind != "userTask" || a.Name != "受理" || a.Step == nil || a.Step.Kind != "acceptance" || a.Step.LimitDays != 1 ||
			a.Assignment == nil || len(a.Assignment.CandidateGroups) != 1 || a.Line == 0 {
			t.Errorf("accept = %+v", a)
		}
		if l := nodes["late"]; l.AttachedTo != "approve" || l.CancelActivity == nil || *l.CancelActivity || len(l.Events) != 1 || l.Events[0].TimeDuration != "P2D" {
			t.Errorf("late = %+v", l)
		}
		flows := map[string]app.FlowSummary{}
		for _, f := range m.Flows {
			flows[f.ID] = f
		}
		if f := flows["f3"]; f.Source != "g" || f.Target != "approve" || f.Condition != "${amount > 100}" || f.Default {
			t.Errorf("f3 = %+v", f)
		}
		if !flows["f4"].Default {
			t.Errorf("f4 is the gateway's default flow: %+v", flows["f4"])
		}

		// The original bytes.
		r = s.as(designer, "GET", "/api/v1/definitions/approval/versions/1/xml", "")
		if r.Code != http.StatusOK || r.Body.String() != approvalXML || r.Header().Get("Content-Type") != "application/xml" {
			t.Fatalf("xml: %d %q %q", r.Code, r.Header().Get("Content-Type"), r.Body.String()[:40])
		}
		if cd := r.Header().Get("Content-Disposition"); !strings.Contains(cd, "approval-v1.bpmn") {
			t.Errorf("Content-Disposition %q", cd)
		}

		// Publish version 1, twice: the second changes nothing.
		r = s.as(designer, "POST", "/api/v1/definitions/approval/versions/1/publish", "")
		if r.Code != http.StatusOK {
			t.Fatalf("publish: %d %s", r.Code, r.Body)
		}
		var pub app.DefinitionVersionInfo
		r.json(t, &pub)
		if pub.State != store.DefinitionPublished || pub.PublishedAt == nil || pub.PublishedBy == "" {
			t.Fatalf("published %+v", pub)
		}
		var pub2 app.DefinitionVersionInfo
		s.as(designer, "POST", "/api/v1/definitions/approval/versions/1/publish", "").json(t, &pub2)
		if pub2.State != store.DefinitionPublished || pub2.PublishedAt == nil || !pub2.PublishedAt.Equal(*pub.PublishedAt) {
			t.Fatalf("published again %+v, first %+v", pub2, pub)
		}
		s.as(designer, "GET", "/api/v1/definitions", "").json(t, &list)
		if list.Items[0].PublishedVersion != 1 || list.Items[0].LatestVersion != 2 {
			t.Fatalf("list after publish %+v", list)
		}
		// A published version's bytes deployed again still return it.
		var same app.Deployment
		s.deployXML(designer, approvalXML).json(t, &same)
		if d := same.Definitions[0]; d.Version != 1 || d.State != store.DefinitionPublished || d.Created {
			t.Fatalf("redeploying published bytes: %+v", d)
		}

		// Addressing errors.
		expectError(t, s.as(designer, "GET", "/api/v1/definitions/approval/versions/9", ""), 404, codeNotFound)
		expectError(t, s.as(designer, "GET", "/api/v1/definitions/nosuch/versions", ""), 404, codeNotFound)
		expectError(t, s.as(designer, "GET", "/api/v1/definitions/nosuch/versions/1/xml", ""), 404, codeNotFound)
		expectError(t, s.as(designer, "POST", "/api/v1/definitions/approval/versions/3/publish", ""), 404, codeNotFound)
		e := expectError(t, s.as(designer, "GET", "/api/v1/definitions/approval/versions/one", ""), 400, codeValidation)
		if len(e.Fields) != 1 || e.Fields[0].Field != "version" {
			t.Errorf("bad version: %+v", e)
		}
		expectError(t, s.as(designer, "GET", "/api/v1/definitions/approval/versions/0", ""), 400, codeValidation)
	})
}

func TestDefinitionRoles(t *testing.T) {
	s := newTestServer(t, nil)
	for _, user := range []string{"clerk1", "supervisor", "reviewer-fgj"} {
		tok := s.login(user)
		expectError(t, s.deployXML(tok, approvalXML), http.StatusForbidden, codeForbidden)
		expectError(t, s.as(tok, "GET", "/api/v1/definitions", ""), http.StatusForbidden, codeForbidden)
	}
	expectError(t, s.send("", "POST", "/api/v1/definitions", "application/xml", strings.NewReader(approvalXML)), http.StatusUnauthorized, codeUnauthenticated)
	if n := storedVersions(t, s.db); n != 0 {
		t.Fatalf("%d versions stored by refused requests", n)
	}
	if r := s.deployXML(s.login("admin"), approvalXML); r.Code != http.StatusCreated {
		t.Fatalf("admin deploys: %d %s", r.Code, r.Body)
	}
}

// repeatReader yields n bytes of b repeated, without holding them.
type repeatReader struct {
	b []byte
	n int64
	i int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		p[k] = r.b[r.i%len(r.b)]
		r.i++
		k++
		r.n--
	}
	return k, nil
}

// bigXML streams a BPMN file of about n bytes: a process padded with a long comment.
func bigXML(n int64) io.Reader {
	head := defXML(`<process id="big" isExecutable="true"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="x"/></process>`) + "<!--"
	return io.MultiReader(strings.NewReader(head), &repeatReader{b: []byte("padding "), n: n}, strings.NewReader("-->"))
}

func TestDeployBadInput(t *testing.T) {
	s := newTestServer(t, nil)
	designer := s.login("designer")
	cases := []struct {
		name, xml string
		code      string // the problem code expected
		element   string
	}{
		{"not XML", "hello {", definitions.CodeNotXML, ""},
		{"XML but not BPMN", `<html><body/></html>`, definitions.CodeNotBPMN, ""},
		{"XML bomb", "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n" +
			`<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</definitions>`, definitions.CodeDoctype, ""},
		{"duplicate ids", defXML(`<process id="dup" isExecutable="true"><startEvent id="s"/><userTask id="s"/><endEvent id="e"/>
			<sequenceFlow id="f1" sourceRef="s" targetRef="e"/></process>`), definitions.CodeDuplicateID, "s"},
		{"flow pointing nowhere", defXML(`<process id="nowhere" isExecutable="true"><startEvent id="s"/><endEvent id="e"/>
			<sequenceFlow id="f1" sourceRef="s" targetRef="ghost"/><sequenceFlow id="f2" sourceRef="s" targetRef="e"/></process>`), definitions.CodeFlowTargetMissing, "f1"},
		{"cycle with no way out", defXML(`<process id="loop" isExecutable="true"><startEvent id="s"/><userTask id="a"/><userTask id="b"/>
			<sequenceFlow id="f1" sourceRef="s" targetRef="a"/><sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
			<sequenceFlow id="f3" sourceRef="b" targetRef="a"/></process>`), definitions.CodeNoWayOut, "a"},
		{"no executable process", defXML(`<process id="p1" isExecutable="false"><startEvent id="s"/></process>`), definitions.CodeNoExecutableProcess, ""},
		{"not UTF-8", "<?xml version=\"1.0\" encoding=\"GBK\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"\xb1\xb8\"/></definitions>",
			definitions.CodeUnsupportedEncoding, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.send(designer, "POST", "/api/v1/definitions?fileName=bad.bpmn", "application/xml", strings.NewReader(c.xml))
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", r.Code, r.Body)
			}
			var body DefinitionProblemsResponse
			r.json(t, &body)
			if body.Error.Code != codeInvalidDefinition || !strings.HasPrefix(body.Error.Message, "nothing was deployed: bad.bpmn:") {
				t.Errorf("error %+v", body.Error)
			}
			found := false
			for _, p := range body.Problems {
				if p.File != "bad.bpmn" || p.Message == "" || (p.Severity != "error" && p.Severity != "warning") {
					t.Errorf("problem %+v", p)
				}
				if p.Code == c.code && p.ElementID == c.element && p.Severity == "error" {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s problem on %q in %+v", c.code, c.element, body.Problems)
			}
			if n := storedVersions(t, s.db); n != 0 {
				t.Fatalf("%d versions stored", n)
			}
		})
	}

	t.Run("50 MB raw", func(t *testing.T) {
		r := s.send(designer, "POST", "/api/v1/definitions", "application/xml", bigXML(50<<20))
		e := expectError(t, r, http.StatusRequestEntityTooLarge, codeTooLarge)
		if !strings.Contains(e.Message, "10 MiB") {
			t.Errorf("message %q should give the limit", e.Message)
		}
	})
	t.Run("50 MB multipart", func(t *testing.T) {
		pr, pw := io.Pipe()
		w := multipart.NewWriter(pw)
		go func() {
			fw, _ := w.CreateFormFile("file", "big.bpmn")
			_, err := io.Copy(fw, bigXML(50<<20))
			if err == nil {
				err = w.Close()
			}
			pw.CloseWithError(err)
		}()
		r := s.send(designer, "POST", "/api/v1/definitions", w.FormDataContentType(), pr)
		pr.CloseWithError(io.ErrClosedPipe) // unblock the writer when the server stopped reading
		e := expectError(t, r, http.StatusRequestEntityTooLarge, codeTooLarge)
		if !strings.Contains(e.Message, "big.bpmn") {
			t.Errorf("message %q should name the file", e.Message)
		}
	})
	t.Run("several files above the total", func(t *testing.T) {
		pr, pw := io.Pipe()
		w := multipart.NewWriter(pw)
		go func() {
			var err error
			for i := 0; i < 5 && err == nil; i++ {
				var fw io.Writer
				if fw, err = w.CreateFormFile("file", string(rune('a'+i))+".bpmn"); err == nil {
					_, err = io.Copy(fw, bigXML(8<<20))
				}
			}
			if err == nil {
				err = w.Close()
			}
			pw.CloseWithError(err)
		}()
		r := s.send(designer, "POST", "/api/v1/definitions", w.FormDataContentType(), pr)
		pr.CloseWithError(io.ErrClosedPipe)
		e := expectError(t, r, http.StatusRequestEntityTooLarge, codeTooLarge)
		if !strings.Contains(e.Message, "32 MiB") {
			t.Errorf("message %q should give the total limit", e.Message)
		}
	})
	t.Run("a file just under the limit is read", func(t *testing.T) {
		var b bytes.Buffer
		if _, err := io.Copy(&b, bigXML(definitions.MaxSize-1024)); err != nil {
			t.Fatal(err)
		}
		// It is read and parsed (a long comment), and its flow points nowhere: 422, not 413.
		r := s.send(designer, "POST", "/api/v1/definitions", "application/xml", &b)
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %.200s", r.Code, r.Body)
		}
	})

	requestErrors := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"JSON", "application/json", `{"xml":"<definitions/>"}`, 415, codeUnsupportedMedia},
		{"no content type", "", approvalXML, 415, codeUnsupportedMedia},
		{"empty body", "application/xml", "", 400, codeValidation},
		{"multipart without boundary", "multipart/form-data", "x", 400, codeValidation},
		{"broken multipart", "multipart/form-data; boundary=zz", "--zz\r\nnot a header\r\n", 400, codeValidation},
		{"multipart without files", "multipart/form-data; boundary=zz", "--zz--\r\n", 400, codeValidation},
		{"form field, not a file", "multipart/form-data; boundary=zz",
			"--zz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--zz--\r\n", 400, codeValidation},
	}
	for _, c := range requestErrors {
		t.Run(c.name, func(t *testing.T) {
			expectError(t, s.send(designer, "POST", "/api/v1/definitions", c.contentType, strings.NewReader(c.body)), c.status, c.code)
		})
	}
	t.Run("two files of one name", func(t *testing.T) {
		e := expectError(t, s.deployFiles(designer, "a.bpmn", approvalXML, "a.bpmn", childXML), 400, codeValidation)
		if !strings.Contains(e.Message, "a.bpmn") {
			t.Errorf("message %q", e.Message)
		}
	})
	if n := storedVersions(t, s.db); n != 0 {
		t.Fatalf("%d versions stored by bad requests", n)
	}
}

func TestDeployTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		designer := s.login("designer")

		// The called process is neither deployed along nor published.
		r := s.deployXML(designer, parentXML)
		var bad DefinitionProblemsResponse
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("parent alone: %d %s", r.Code, r.Body)
		}
		r.json(t, &bad)
		if len(bad.Problems) != 1 || bad.Problems[0].Code != app.ProblemCalledMissing || bad.Problems[0].ElementID != "call" ||
			!strings.Contains(bad.Problems[0].Message, `"child"`) || bad.Problems[0].File != "parent.bpmn" || bad.Problems[0].Line == 0 {
			t.Fatalf("problems %+v", bad.Problems)
		}

		// A bad file among good ones: every file's problems, nothing stored.
		broken := defXML(`<process id="broken" isExecutable="true"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="x"/></process>`)
		r = s.deployFiles(designer, "parent.bpmn", parentXML, "broken.bpmn", broken, "approval.bpmn", approvalXML)
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("with a broken file: %d %s", r.Code, r.Body)
		}
		bad = DefinitionProblemsResponse{}
		r.json(t, &bad)
		files := map[string][]string{}
		for _, p := range bad.Problems {
			files[p.File] = append(files[p.File], p.Code)
		}
		if len(files["parent.bpmn"]) != 1 || len(files["broken.bpmn"]) == 0 || strings.Join(files["approval.bpmn"], ",") != definitions.CodeUnassignedUserTask {
			t.Fatalf("problems by file %v", files)
		}
		if !strings.Contains(bad.Error.Message, "more error") {
			t.Errorf("message %q should count the other errors", bad.Error.Message)
		}
		if n := storedVersions(t, s.db); n != 0 {
			t.Fatalf("%d versions stored", n)
		}

		// The same process in two files.
		r = s.deployFiles(designer, "a.bpmn", childXML, "b.bpmn", childXML)
		bad = DefinitionProblemsResponse{}
		r.json(t, &bad)
		if r.Code != 422 || len(bad.Problems) != 1 || bad.Problems[0].Code != app.ProblemDuplicateProcess || bad.Problems[0].File != "b.bpmn" {
			t.Fatalf("duplicate process: %d %+v", r.Code, bad.Problems)
		}

		// Parent and child together: one deployment.
		r = s.deployFiles(designer, "parent.bpmn", parentXML, "child.bpmn", childXML)
		if r.Code != http.StatusCreated {
			t.Fatalf("together: %d %s", r.Code, r.Body)
		}
		var dep app.Deployment
		r.json(t, &dep)
		if len(dep.Definitions) != 2 || dep.Definitions[0].Key != "parent" || dep.Definitions[1].Key != "child" {
			t.Fatalf("deployed %+v", dep.Definitions)
		}
		for _, d := range dep.Definitions {
			if d.DeploymentID != dep.DeploymentID || d.Version != 1 || !d.Created {
				t.Errorf("%+v", d)
			}
		}

		// Once child is published, a new parent version may come alone; the
		// unchanged child deployed along again is not a new version (200 only
		// when nothing at all is new).
		s.as(designer, "POST", "/api/v1/definitions/child/versions/1/publish", "")
		parent2 := strings.Replace(parentXML, `<endEvent id="pe"/>`, `<endEvent id="pe" name="done"/>`, 1)
		if r := s.deployXML(designer, parent2); r.Code != http.StatusCreated {
			t.Fatalf("parent v2 alone: %d %s", r.Code, r.Body)
		}
		r = s.deployFiles(designer, "parent.bpmn", parentXML, "child.bpmn", childXML)
		if r.Code != http.StatusOK {
			t.Fatalf("nothing new: %d %s", r.Code, r.Body)
		}
		if n := storedVersions(t, s.db); n != 3 {
			t.Fatalf("%d versions stored, want parent v1, v2 and child v1", n)
		}
	})
}

func TestDeployConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		designer := s.login("designer")
		const n = 4
		codes := make(chan int, 2*n)
		for i := 0; i < n; i++ {
			// n different contents of one key, and each content twice.
			xml := strings.Replace(approvalXML, `name="备案"`, `name="备案 `+string(rune('A'+i))+`"`, 1)
			for j := 0; j < 2; j++ {
				go func() { codes <- s.deployXML(designer, xml).Code }()
			}
		}
		created := 0
		for i := 0; i < 2*n; i++ {
			switch code := <-codes; code {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("a concurrent deployment answered %d", code)
			}
		}
		var versions app.List[app.DefinitionVersionInfo]
		s.as(designer, "GET", "/api/v1/definitions/approval/versions", "").json(t, &versions)
		if created != n || len(versions.Items) != n || versions.Items[0].Version != n {
			t.Fatalf("%d created, versions %+v; want %d versions numbered 1..%d", created, versions.Items, n, n)
		}
	})
}
