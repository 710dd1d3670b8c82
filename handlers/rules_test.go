package handlers

// Regression tests of the rule and security defects of issue 10 that the case and task use
// cases fix (the numbers are the issue's).

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo"
	"onewindow/store"
)

// 1. Notify-once is enforced: acceptance with a required material missing is refused unless
// the clerk accepts with deficiencies (容缺受理); the commitments are tracked and fulfilled.
func TestAcceptanceWithDeficiencies(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemPromised, "M01")))
	if len(k.MissingMaterials) != 1 || k.MissingMaterials[0].Code != "M02" {
		t.Fatalf("missing materials %+v", k.MissingMaterials)
	}
	acc := v.open(k.ID, "acceptance")
	e := expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, app.CodeMaterialsMissing)
	if !strings.Contains(e.Message, "M02") {
		t.Fatalf("the refusal does not name the missing material: %s", e.Message)
	}
	for _, bad := range []map[string]any{
		{"materials": []string{"M03"}, "promisedDate": "2099-01-01", "reason": "r"}, // not a missing material
		{"materials": []string{"M02"}, "promisedDate": "2020-01-01", "reason": "r"}, // in the past
		{"materials": []string{"M02"}, "promisedDate": "2099-01-01"},                // no reason
	} {
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept", "deficiencies": bad}), http.StatusBadRequest, codeValidation)
	}
	promised := time.Now().In(store.CaseZone).AddDate(0, 0, 7).Format(time.DateOnly)
	r := v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept", "deficiencies": map[string]any{
		"materials": []string{"M02"}, "promisedDate": promised, "reason": "主要材料齐全，申请人承诺一周内补齐可行性研究报告"}}), "accept with deficiencies")
	if r.Action.Detail["promisedDate"] != promised {
		t.Fatalf("action %+v", r.Action)
	}
	d := v.waitStage("applicant1", k.ID, app.StageInProgress)
	if len(d.Commitments) != 1 || d.Commitments[0].State != store.CommitmentOpen || d.Commitments[0].MaterialCode != "M02" || d.Commitments[0].PromisedDate != promised {
		t.Fatalf("the applicant's case shows commitments %+v", d.Commitments)
	}
	if !slices.ContainsFunc(d.Timeline, func(x app.TimelineEntry) bool {
		return strings.HasPrefix(x.Text.Zh, "容缺受理：可行性研究报告 待补")
	}) {
		t.Fatalf("timeline %v", timelineKinds(d))
	}
	// Supervision lists the open commitment.
	var l app.List[store.OpenCommitment]
	if v.as(v.tok("supervisor"), "GET", "/api/v1/commitments", "").json(t, &l); len(l.Items) != 1 || l.Items[0].CaseNumber != k.Number {
		t.Fatalf("supervision's commitments %+v", l)
	}
	// The applicant hands the material in: no notice is open, the commitment is fulfilled.
	sup := map[string]any{"materials": []any{map[string]any{"code": "M02", "fileIds": []string{v.file("applicant1", "m2.pdf")}}}}
	var sa app.SupplementAccepted
	sr := v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(sup))
	if sr.json(t, &sa); sr.Code != http.StatusAccepted || sa.Fulfilled != 1 {
		t.Fatalf("handing in the missing material: %d %s", sr.Code, sr.Body)
	}
	if d := v.getCase("applicant1", k.ID); d.Commitments[0].State != store.CommitmentFulfilled || d.Stage != app.StageInProgress {
		t.Fatalf("after the supplement: %+v %s", d.Commitments, d.Stage)
	}
	if v.as(v.tok("supervisor"), "GET", "/api/v1/commitments", "").json(t, &l); len(l.Items) != 0 {
		t.Fatalf("a fulfilled commitment is still listed: %+v", l)
	}
	expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(sup)), http.StatusConflict, codeNoOpenNotice)
}

// 1 and 13. After a notice and its supplement, a material still missing cannot be added by a
// second notice, nor accepted as complete; the applicant is notified of the notice.
func TestNotifyOnceAfterSupplement(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "notify", "notice": map[string]any{
		"materials": []any{map[string]any{"materialCode": "M02", "problem": "missing"}}}}), "notify")
	var nl struct{ Items []store.Notification }
	if v.as(v.tok("applicant1"), "GET", "/api/v1/notifications", "").json(t, &nl); !slices.ContainsFunc(nl.Items, func(n store.Notification) bool {
		return n.CaseID == k.ID && strings.Contains(n.Title, "一次性告知书")
	}) {
		t.Fatalf("the applicant was not told of the notice: %+v", nl.Items)
	}
	// The applicant hands in only a file of M01 again, not M02.
	v.waitStage("applicant1", k.ID, app.StageAwaitingSupplement)
	sup := map[string]any{"materials": []any{map[string]any{"code": "M01", "fileIds": []string{v.file("applicant1", "m1-v2.pdf")}}}}
	if r := v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(sup)); r.Code != http.StatusAccepted {
		t.Fatalf("supplement: %d %s", r.Code, r.Body)
	}
	acc2 := v.open(k.ID, "acceptance")
	if acc2 == acc {
		acc2 = v.open(k.ID, "acceptance")
	}
	e := expectError(t, v.act("clerk1", acc2, "complete", map[string]any{"outcome": "notify", "notice": map[string]any{
		"materials": []any{map[string]any{"materialCode": "M02", "problem": "missing"}}}}), http.StatusConflict, app.CodeNotifyOnce)
	if strings.Contains(e.Message, "already exists") || strings.Contains(e.Message, "notify-once:") {
		t.Fatalf("the refusal reads %q", e.Message)
	}
	expectError(t, v.act("clerk1", acc2, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, app.CodeMaterialsMissing)
}

// 5. An online application is in the account's own verified name.
func TestOnlineApplicationInOwnName(t *testing.T) {
	v := newCaseEnv(t, nil)
	application := v.onlineApplication(itemPromised, "M01", "M02")
	application["applicant"] = map[string]any{"name": "张华", "kind": "naturalPerson", "certNo": "11010519491231002X"}
	e := expectError(t, v.apply("applicant1", application), http.StatusForbidden, app.CodeNotOwnName)
	if e.Fields[0].Field != "applicant" || !strings.Contains(e.Message, "代办") {
		t.Fatalf("refusal %+v", e)
	}
	// Their own name, given explicitly, or an organisation, are fine.
	application["applicant"] = map[string]any{"name": "李明", "kind": "naturalPerson", "certNo": "450981199001011230"}
	v.submitted(v.apply("applicant1", application))
	application["applicant"] = map[string]any{"name": "北流市某某实业有限公司", "kind": "legalPerson", "certType": "creditCode", "certNo": "91350100M000100Y43"}
	k := v.submitted(v.apply("applicant1", application))
	if k.ApplicantName != "北流市某某实业有限公司" {
		t.Fatalf("applied for an organisation: %+v", k)
	}
}

// 9 and 17. The public progress page names no person; opinions are internal, and special
// procedures show on the case's timeline.
func TestWhatTheApplicantAndThePublicRead(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01", "M02")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "claim", nil), "claim")
	v.ok(v.act("clerk1", acc, "handover", map[string]any{"userId": v.userID("clerk2")}), "hand over")
	v.ok(v.act("clerk2", acc, "complete", map[string]any{"outcome": "accept", "comment": "材料齐全"}), "accept")
	s := v.openBy(k.ID, "countersign", 3)
	v.ok(v.act("reviewer-zjj", s["zjj-xzsp"], "complete", map[string]any{"outcome": "object", "reason": "消防设计不符合规范（内部意见）"}), "object")
	co := v.open(k.ID, "coordination")
	if r := v.as(v.tok("clerk1"), "POST", "/api/v1/cases/"+k.ID+"/procedures", `{"kind":"expert_review","reason":"组织专家论证消防方案"}`); r.Code != http.StatusCreated {
		t.Fatalf("start a procedure: %d %s", r.Code, r.Body)
	}
	_ = co
	names := []string{"王丽", "陈刚", "审核员"}
	check := func(who string, tl []app.TimelineEntry) {
		t.Helper()
		for _, e := range tl {
			for _, n := range names {
				if strings.Contains(e.Actor+e.Text.Zh+e.Text.En+e.Comment, n) {
					t.Fatalf("%s reads a person's name in %+v", who, e)
				}
			}
			if strings.Contains(e.Text.Zh+e.Comment, "内部意见") || e.Comment == "材料齐全" {
				t.Fatalf("%s reads an internal opinion in %+v", who, e)
			}
		}
	}
	v.x.Eventually("the procedure on the timeline", func() bool {
		d := v.getCase("applicant1", k.ID)
		return slices.ContainsFunc(d.Timeline, func(e app.TimelineEntry) bool {
			return e.Kind == "procedureStarted" && strings.Contains(e.Text.Zh, "组织专家论证消防方案")
		})
	})
	check("the applicant", v.getCase("applicant1", k.ID).Timeline)
	var pp app.PublicProgress
	v.do("GET", "/api/v1/public/progress?number="+url.QueryEscape(k.Number)+"&code="+k.QueryCode, "").json(t, &pp)
	check("the public", pp.Timeline)
	for _, st := range pp.Steps {
		if st.Assignee != "" || st.TaskID != "" {
			t.Fatalf("the public reads a step's holder: %+v", st)
		}
	}
	// Staff read all of it.
	staff := v.getCase("clerk1", k.ID)
	if !slices.ContainsFunc(staff.Timeline, func(e app.TimelineEntry) bool { return strings.Contains(e.Text.Zh, "内部意见") }) {
		t.Fatalf("staff do not read the objection: %v", timelineKinds(staff))
	}
}

// 11. Task ids are URL-safe: an id pasted from the inbox works in a path; the older form with
// %2F still does.
func TestTaskIDsInPaths(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemPromised, "M01", "M02")))
	acc := v.open(k.ID, "acceptance")
	var pasted string
	for _, it := range v.inbox("clerk1", "").Items {
		if strings.ReplaceAll(it.ID, "~", "/") == acc {
			pasted = it.ID
		}
	}
	if pasted == "" || strings.Contains(pasted, "/") {
		t.Fatalf("the inbox shows %q for %s", pasted, acc)
	}
	if r := v.as(v.tok("clerk1"), "GET", "/api/v1/tasks/"+pasted, ""); r.Code != http.StatusOK {
		t.Fatalf("GET with the pasted id: %d %s", r.Code, r.Body)
	}
	if r := v.as(v.tok("clerk1"), "POST", "/api/v1/tasks/"+pasted+"/claim", ""); r.Code != http.StatusOK {
		t.Fatalf("claim with the pasted id: %d %s", r.Code, r.Body)
	}
	if r := v.as(v.tok("clerk1"), "GET", "/api/v1/tasks/"+url.PathEscape(acc), ""); r.Code != http.StatusOK {
		t.Fatalf("GET with %%2F: %d %s", r.Code, r.Body)
	}
}

// 15. A signer recalls their own opinion while the countersign is open; after it closes the
// opinion stands.
func TestRecallCountersignOpinion(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01", "M02")))
	v.ok(v.act("clerk1", v.open(k.ID, "acceptance"), "complete", map[string]any{"outcome": "accept"}), "accept")
	s := v.openBy(k.ID, "countersign", 3)
	v.ok(v.act("reviewer-zjj", s["zjj-xzsp"], "complete", map[string]any{"outcome": "agree"}), "zjj agrees")
	v.waitState(s["zjj-xzsp"], "completed")
	expectError(t, v.act("reviewer-fgj", s["zjj-xzsp"], "recall", nil), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("reviewer-zjj", s["zjj-xzsp"], "recall", map[string]any{"reason": "意见需补充"}), "zjj recalls")
	expectError(t, v.act("reviewer-zjj", s["zjj-xzsp"], "recall", nil), http.StatusConflict, app.CodeNotRecallable)
	var again string
	v.x.Eventually("zjj's step to start again", func() bool {
		for sec, id := range v.openBy(k.ID, "countersign", 3) {
			if sec == "zjj-xzsp" && id != s["zjj-xzsp"] {
				again = id
			}
		}
		return again != ""
	})
	v.ok(v.act("reviewer-zjj", again, "complete", map[string]any{"outcome": "agree"}), "zjj agrees again")
	v.ok(v.act("reviewer-fgj", s["fgj-xzsp"], "complete", map[string]any{"outcome": "agree"}), "fgj agrees")
	v.ok(v.act("reviewer-zrzyj", s["zrzyj-xzsp"], "complete", map[string]any{"outcome": "agree"}), "zrzyj agrees")
	v.open(k.ID, "jointDecision") // all three agreed: the recalled opinion was not counted twice
	e := expectError(t, v.act("reviewer-zrzyj", s["zrzyj-xzsp"], "recall", nil), http.StatusConflict, app.CodeNotRecallable)
	if !strings.Contains(e.Message, "closed") {
		t.Fatalf("recall after the countersign closed: %s", e.Message)
	}
}

// 13. The progress lookup names the parameter that is missing.
func TestProgressLookupNamesTheMissingParameter(t *testing.T) {
	v := newTestServer(t, nil)
	e := expectError(t, v.do("GET", "/api/v1/public/progress?number=20250303-X-0001", ""), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "code" || e.Fields[0].Message != "is required" {
		t.Fatalf("fields %+v", e.Fields)
	}
}

// 4. A supervisor reads the files of their subtree's cases only: 民乐镇's supervisor can
// neither read a county department's case nor download its materials; the county's can.
func TestSupervisorFilesFollowTheirSubtree(t *testing.T) {
	v := newCaseEnv(t, nil)
	ctx := context.Background()
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemPromised, "M01")))
	hash, err := store.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	town, err := store.GetOrgUnitByCode(ctx, v.db, demo.Township1)
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "sup-minle", DisplayName: "民乐镇监察员", Kind: store.UserStaff, PasswordHash: hash}
	if err := store.CreateUser(ctx, v.db, u); err != nil {
		t.Fatal(err)
	}
	if err := store.AddMembership(ctx, v.db, &store.Membership{UserID: u.ID, OrgUnitID: town.ID, Role: store.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	d := v.getCase("supervisor", k.ID)
	if len(d.Materials) == 0 || len(d.Materials[0].Files) == 0 {
		t.Fatalf("the case's materials %+v", d.Materials)
	}
	file := "/api/v1/files/" + d.Materials[0].Files[0].ID
	if r := v.as(v.tok("supervisor"), "GET", file, ""); r.Code != http.StatusOK {
		t.Fatalf("the county's supervisor downloads the material: %d %s", r.Code, r.Body)
	}
	expectError(t, v.as(v.tok("sup-minle"), "GET", "/api/v1/cases/"+k.ID, ""), http.StatusNotFound, codeNotFound)
	expectError(t, v.as(v.tok("sup-minle"), "GET", file, ""), http.StatusNotFound, codeNotFound)
}
