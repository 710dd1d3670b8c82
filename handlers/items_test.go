package handlers

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"onewindow/app"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// itemBody is a valid parallel-approval item of the demo's 发改局 with 住建局 and 自然资源局.
func itemBody(s *testServer, code string) map[string]any {
	return map[string]any{
		"code": code, "name": "政府投资项目可行性研究报告审批", "kind": "licence", "handlingType": "promised",
		"departmentId": s.unitID("fgj"), "legalBasis": "《政府投资条例》第九条",
		"materials": []map[string]any{
			{"code": "M01", "name": "可行性研究报告审批申请", "form": "original", "count": 1, "requirement": "required"},
			{"code": "M02", "name": "可行性研究报告", "form": "original", "count": 2, "requirement": "required"},
		},
		"fees": []any{}, "statutoryDays": 20, "promisedDays": 12, "specialProcedures": []any{}, "onSiteVisits": 1,
		"channels": []string{"window", "online"}, "enquiry": map[string]any{"phone": "0775-6810001"},
		"complaint": map[string]any{"phone": "0775-6812345"}, "definitionKey": standard.Parallel, "definitionVersion": 0,
		"leadSectionId":        s.unitID("fgj-xzsp"),
		"coReviewerSectionIds": []string{s.unitID("fgj-xzsp"), s.unitID("zjj-xzsp"), s.unitID("zrzyj-xzsp")},
		"stepLimits":           map[string]any{"countersign": 4},
	}
}

func TestItemsAPI(t *testing.T) {
	s := newTestServer(t, nil)
	ctx := context.Background()
	designer, clerk, applicant := s.login("designer"), s.login("clerk1"), s.login("applicant1")
	before, _ := store.ListItems(ctx, s.db, store.ItemFilter{Limit: 500})

	// Roles.
	expectError(t, s.as(clerk, "POST", "/api/v1/items", mustJSON(itemBody(s, "T-1"))), http.StatusForbidden, codeForbidden)
	expectError(t, s.as(applicant, "GET", "/api/v1/items", ""), http.StatusForbidden, codeForbidden)
	expectError(t, s.do("GET", "/api/v1/items", ""), http.StatusUnauthorized, codeUnauthenticated)

	// Bad input: each refused with the field named, nothing stored.
	draftDef := []byte(strings.ReplaceAll(mustStandard(t, standard.Promised), `id="std-promised"`, `id="custom-unpublished"`))
	if _, err := store.DeployDefinition(ctx, s.db, &store.DefinitionVersion{Key: "custom-unpublished", Name: "x", XML: draftDef,
		FileName: "x.bpmn", DeploymentID: store.NewID(), CreatedBy: "t"}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"a definition that is not published", "definitionKey", func(b map[string]any) { b["definitionKey"] = "custom-unpublished" }},
		{"duplicate material codes", "materials[1].code", func(b map[string]any) {
			b["materials"].([]map[string]any)[1]["code"] = "M01"
		}},
		{"a promised limit above the statutory one", "promisedDays", func(b map[string]any) { b["promisedDays"] = 30 }},
		{"a material without a name", "materials[0].name", func(b map[string]any) { delete(b["materials"].([]map[string]any)[0], "name") }},
		{"an unknown channel", "channels[1]", func(b map[string]any) { b["channels"] = []string{"window", "fax"} }},
		{"a step limit of 0", "stepLimits[countersign]", func(b map[string]any) { b["stepLimits"] = map[string]any{"countersign": 0} }},
		{"one co-reviewer", "coReviewerSectionIds", func(b map[string]any) { b["coReviewerSectionIds"] = []string{s.unitID("zjj-xzsp")} }},
	}
	for _, tc := range bad {
		b := itemBody(s, "T-BAD")
		tc.edit(b)
		r := s.as(designer, "POST", "/api/v1/items", mustJSON(b))
		e := expectError(t, r, http.StatusBadRequest, codeValidation)
		if len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: fields %+v, want %s", tc.name, e.Fields, tc.field)
		}
	}
	expectError(t, s.as(designer, "POST", "/api/v1/items", `{"code":"X","colour":"red"}`), http.StatusBadRequest, codeInvalidJSON)
	if after, _ := store.ListItems(ctx, s.db, store.ItemFilter{Limit: 500}); len(after) != len(before) {
		t.Fatalf("refused requests stored items: %d → %d", len(before), len(after))
	}

	// Create, read, steps, publish, unpublish.
	r := s.as(designer, "POST", "/api/v1/items", mustJSON(itemBody(s, "T-1")))
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	var it store.Item
	r.json(t, &it)
	if it.State != store.ItemDraft || it.Code != "T-1" || it.StepLimits["countersign"] != 4 {
		t.Fatalf("created %+v", it)
	}
	expectError(t, s.as(designer, "POST", "/api/v1/items", mustJSON(itemBody(s, "T-1"))), http.StatusConflict, codeConflict)
	var steps app.List[app.ItemStep]
	s.as(clerk, "GET", "/api/v1/items/"+it.ID+"/steps", "").json(t, &steps)
	if len(steps.Items) != 5 || strings.Join(steps.Items[1].Groups, ",") != "fgj-xzsp,zjj-xzsp,zrzyj-xzsp" || steps.Items[1].LimitDays != 4 {
		t.Fatalf("steps %+v", steps.Items)
	}
	expectError(t, s.as(designer, "POST", "/api/v1/items/"+it.ID+"/publish", `{"definitionVersion":99}`), http.StatusBadRequest, codeValidation)
	r = s.as(designer, "POST", "/api/v1/items/"+it.ID+"/publish", "")
	if r.Code != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Code, r.Body)
	}
	var v store.ItemVersion
	r.json(t, &v)
	if v.Version != 1 || v.DefinitionVersion != 1 || v.DefinitionKey != standard.Parallel {
		t.Fatalf("published %+v", v)
	}
	r = s.as(designer, "POST", "/api/v1/items/"+it.ID+"/publish", `{"definitionVersion":1}`)
	if r.Code != http.StatusOK {
		t.Fatalf("publish pinned: %d %s", r.Code, r.Body)
	}
	if r.json(t, &v); v.Version != 1 {
		t.Fatalf("publishing the same content made version %d", v.Version)
	}
	var versions app.List[store.ItemVersion]
	s.as(clerk, "GET", "/api/v1/items/"+it.ID+"/versions", "").json(t, &versions)
	if len(versions.Items) != 1 {
		t.Fatalf("versions %+v", versions)
	}
	if r := s.as(clerk, "GET", "/api/v1/items/"+it.ID+"/versions/1", ""); r.Code != http.StatusOK {
		t.Fatalf("version 1: %d", r.Code)
	}
	expectError(t, s.as(clerk, "GET", "/api/v1/items/"+it.ID+"/versions/one", ""), http.StatusBadRequest, codeInvalidID)
	expectError(t, s.as(clerk, "GET", "/api/v1/items/"+it.ID+"/versions/7", ""), http.StatusNotFound, codeNotFound)
	expectError(t, s.as(designer, "DELETE", "/api/v1/items/"+it.ID, ""), http.StatusConflict, codeConflict)
	if r := s.as(designer, "POST", "/api/v1/items/"+it.ID+"/unpublish", ""); r.Code != http.StatusOK {
		t.Fatalf("unpublish: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(designer, "POST", "/api/v1/items/"+it.ID+"/unpublish", ""), http.StatusConflict, codeConflict)

	// Update a draft and delete it.
	r = s.as(designer, "POST", "/api/v1/items", mustJSON(itemBody(s, "T-2")))
	var draft store.Item
	r.json(t, &draft)
	b := itemBody(s, "T-2")
	b["name"] = "改名"
	if r := s.as(designer, "PUT", "/api/v1/items/"+draft.ID, mustJSON(b)); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "改名") {
		t.Fatalf("update: %d %s", r.Code, r.Body)
	}
	b["promisedDays"] = 40
	expectError(t, s.as(designer, "PUT", "/api/v1/items/"+draft.ID, mustJSON(b)), http.StatusBadRequest, codeValidation)
	if r := s.as(designer, "DELETE", "/api/v1/items/"+draft.ID, ""); r.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(designer, "GET", "/api/v1/items/"+draft.ID, ""), http.StatusNotFound, codeNotFound)

	// Lists.
	var list app.List[store.Item]
	s.as(clerk, "GET", "/api/v1/items?departmentId="+s.unitID("fgj")+"&state=published", "").json(t, &list)
	if len(list.Items) != 4 {
		t.Fatalf("fgj's published items: %d", len(list.Items))
	}
	expectError(t, s.as(clerk, "GET", "/api/v1/items?state=open", ""), http.StatusBadRequest, codeValidation)
	var flows app.List[app.StandardFlow]
	s.as(clerk, "GET", "/api/v1/standard-flows", "").json(t, &flows)
	if len(flows.Items) != 4 || flows.Items[2].Key != standard.Parallel || flows.Items[2].PublishedVersion != 1 || len(flows.Items[2].Steps) != 5 {
		t.Fatalf("standard flows %+v", flows)
	}
}

func mustStandard(t *testing.T, key string) string {
	t.Helper()
	b, err := standard.XML(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGrantsAPI(t *testing.T) {
	s := newTestServer(t, nil)
	admin, designer, supervisor, clerk := s.login("admin"), s.login("designer"), s.login("supervisor"), s.login("clerk2")
	grant := func(body map[string]any) response { return s.as(admin, "POST", "/api/v1/grants", mustJSON(body)) }

	// Bad grants.
	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"to a village station", "windowId", map[string]any{"departmentId": s.unitID("fgj"), "windowId": s.unitID("luozheng-fwz"), "stepKinds": []string{"acceptance"}}},
		{"to a section", "windowId", map[string]any{"departmentId": s.unitID("fgj"), "windowId": s.unitID("zjj-xzsp"), "stepKinds": []string{"acceptance"}}},
		{"coordination, which 公安局 does not own", "stepKinds[1]", map[string]any{"departmentId": s.unitID("gaj"), "windowId": s.unitID("zwzx-02"),
			"stepKinds": []string{"acceptance", "coordination"}}},
		{"an unknown step kind", "stepKinds[0]", map[string]any{"departmentId": s.unitID("gaj"), "windowId": s.unitID("zwzx-02"), "stepKinds": []string{"stamping"}}},
		{"a clerk of another window", "userId", map[string]any{"departmentId": s.unitID("gaj"), "windowId": s.unitID("zwzx-05"),
			"stepKinds": []string{"acceptance"}, "userId": userID(t, s, "clerk1")}},
	} {
		e := expectError(t, grant(tc.body), http.StatusBadRequest, codeValidation)
		if len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: %+v, want field %s", tc.name, e, tc.field)
		}
	}
	body := map[string]any{"departmentId": s.unitID("gaj"), "windowId": s.unitID("zwzx-02"), "stepKinds": []string{"acceptance", "delivery"}, "note": "试行"}
	expectError(t, s.as(designer, "POST", "/api/v1/grants", mustJSON(body)), http.StatusForbidden, codeForbidden)

	// Grant, change, revoke; every step audited.
	r := grant(body)
	if r.Code != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.Code, r.Body)
	}
	var g store.Grant
	r.json(t, &g)
	if g.SectionCode != "gaj-xzsp" || g.WindowCode != "zwzx-02" || len(g.ItemIDs) != 0 {
		t.Fatalf("grant %+v", g)
	}
	if r := s.as(admin, "PATCH", "/api/v1/grants/"+g.ID, `{"stepKinds":["acceptance","review","delivery"],"validUntil":"2025-12-31T17:30:00+08:00"}`); r.Code != http.StatusOK {
		t.Fatalf("change: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(admin, "PATCH", "/api/v1/grants/"+g.ID, `{"stepKinds":["coordination"]}`), http.StatusBadRequest, codeValidation)
	expectError(t, s.as(admin, "POST", "/api/v1/grants/"+g.ID+"/revoke", `{}`), http.StatusBadRequest, codeValidation)
	if r := s.as(admin, "POST", "/api/v1/grants/"+g.ID+"/revoke", `{"reason":"窗口调整"}`); r.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.Code, r.Body)
	}
	expectError(t, s.as(admin, "POST", "/api/v1/grants/"+g.ID+"/revoke", `{"reason":"again"}`), http.StatusConflict, codeConflict)
	var audit app.List[store.GrantAuditEntry]
	s.as(supervisor, "GET", "/api/v1/grants/"+g.ID+"/audit", "").json(t, &audit)
	if len(audit.Items) != 3 || audit.Items[2].Action != "revoked" {
		t.Fatalf("audit %+v", audit)
	}
	var list app.List[store.Grant]
	s.as(clerk, "GET", "/api/v1/grants?windowId="+s.unitID("zwzx-02"), "").json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("grants to window 2: %+v", list)
	}
	s.as(clerk, "GET", "/api/v1/grants?windowId="+s.unitID("zwzx-03")+"&activeAt=2025-03-03T09:00:00Z", "").json(t, &list)
	if len(list.Items) != 6 { // 发改局, 住建局, 自然资源局: handling and decision each
		t.Fatalf("active grants to window 3: %d", len(list.Items))
	}
	expectError(t, s.as(clerk, "GET", "/api/v1/grants?activeAt=yesterday", ""), http.StatusBadRequest, codeValidation)

	// The delegation report of 发改局: five items (its four and the parallel
	// item of 自然资源局 it reviews); handling all delegated, decisions of three
	// of its four items (it decides the investment approval itself).
	r = s.as(supervisor, "GET", "/api/v1/departments/"+s.unitID("fgj")+"/delegation-report", "")
	if r.Code != http.StatusOK {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	var rep app.DelegationReport
	r.json(t, &rep)
	if rep.Items != 5 || rep.Handling.Items != 5 || rep.Handling.Share != 1 || rep.Decision.Items != 4 || rep.Decision.Delegated != 3 {
		t.Fatalf("report %+v %+v over %d", rep.Handling, rep.Decision, rep.Items)
	}
	expectError(t, s.as(clerk, "GET", "/api/v1/departments/"+s.unitID("fgj")+"/delegation-report", ""), http.StatusForbidden, codeForbidden)
	expectError(t, s.as(admin, "GET", "/api/v1/departments/"+s.unitID("zwzx-01")+"/delegation-report", ""), http.StatusBadRequest, codeValidation)
	expectError(t, s.as(admin, "GET", "/api/v1/departments/"+s.unitID("fgj")+"/delegation-report?at=now", ""), http.StatusBadRequest, codeValidation)
	// Before the demo's grants (the test clock is 2025-03-03; the grants start at load time).
	s.as(admin, "GET", "/api/v1/departments/"+s.unitID("fgj")+"/delegation-report?at=2020-01-01T00:00:00Z", "").json(t, &rep)
	if rep.Handling.Delegated != 0 {
		t.Fatalf("report of 2020 %+v", rep.Handling)
	}
}

func userID(t *testing.T, s *testServer, username string) string {
	t.Helper()
	u, err := store.GetUserByUsername(context.Background(), s.db, username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Codes and names of the catalogue refuse control and invisible formatting characters (NUL,
// right-to-left overrides, zero-width spaces) with 400 naming the field, and store nothing;
// a process whose name holds one is not deployed (issue 10, defect 10).
func TestCatalogueNamesArePlainText(t *testing.T) {
	s := newTestServer(t, nil)
	ctx := context.Background()
	designer, admin := s.login("designer"), s.login("admin")
	before, _ := store.ListItems(ctx, s.db, store.ItemFilter{Limit: 500})
	for _, tc := range []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"a right-to-left override in the name", "name", func(b map[string]any) { b["name"] = "可行性研究\u202e告报" }},
		{"a NUL in the code", "code", func(b map[string]any) { b["code"] = "T-\x00" }},
		{"a zero-width space in a material's name", "materials[0].name", func(b map[string]any) {
			b["materials"].([]map[string]any)[0]["name"] = "申请\u200b书"
		}},
		{"a zero-width joiner in a material's code", "materials[1].code", func(b map[string]any) {
			b["materials"].([]map[string]any)[1]["code"] = "M\u200d02"
		}},
		{"a byte-order mark in a fee's name", "fees[0].name", func(b map[string]any) {
			b["fees"] = []map[string]any{{"name": "\ufeff工本费", "standard": "每证10元"}}
		}},
	} {
		body := itemBody(s, "PLAIN-1")
		tc.edit(body)
		e := expectError(t, s.as(designer, "POST", "/api/v1/items", mustJSON(body)), http.StatusBadRequest, codeValidation)
		if len(e.Fields) == 0 || e.Fields[0].Field != tc.field || !strings.Contains(e.Fields[0].Message, "control or invisible formatting") {
			t.Errorf("%s: %+v, want field %s refused for its characters", tc.name, e, tc.field)
		}
	}
	if after, _ := store.ListItems(ctx, s.db, store.ItemFilter{Limit: 500}); len(after) != len(before) {
		t.Fatalf("refused items were stored: %d items, %d before", len(after), len(before))
	}

	grant := map[string]any{"departmentId": s.unitID("gaj"), "windowId": s.unitID("zwzx-02"), "stepKinds": []string{"acceptance"}, "note": "试行\u202e"}
	e := expectError(t, s.as(admin, "POST", "/api/v1/grants", mustJSON(grant)), http.StatusBadRequest, codeValidation)
	if len(e.Fields) == 0 || e.Fields[0].Field != "note" {
		t.Errorf("grant note: %+v", e)
	}

	e = expectError(t, s.as(admin, "PUT", "/api/v1/calendars/national/days?year=2027", `{"days":[{"date":"2027-10-08","kind":"holiday","name":"国庆\u200b"}]}`),
		http.StatusBadRequest, codeValidation)
	if len(e.Fields) == 0 || e.Fields[0].Field != "days[0].name" {
		t.Errorf("calendar day name: %+v", e)
	}

	// A process named with a right-to-left override: 422 naming the process, nothing stored.
	xml := strings.Replace(approvalXML, `name="备案"`, `name="备`+"\u202e"+`案"`, 1)
	r := s.deployXML(designer, xml)
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body.String(), app.ProblemNameNotPlain) {
		t.Fatalf("a process name with an override: %d %s", r.Code, r.Body)
	}
	if _, err := store.GetDefinition(ctx, s.db, "approval", 1); err == nil {
		t.Fatal("the refused process was stored")
	}
	r = s.send(designer, "POST", "/api/v1/definitions?fileName="+"a%E2%80%8Bb.bpmn", "application/xml", strings.NewReader(approvalXML))
	if e := expectError(t, r, http.StatusBadRequest, codeValidation); len(e.Fields) == 0 || e.Fields[0].Field != "fileName" {
		t.Errorf("a file name with a zero-width space: %+v", e)
	}
}
