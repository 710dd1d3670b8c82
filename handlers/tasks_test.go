package handlers

import (
	"context"
	"net/http"
	"net/url"
	"onewindow/app"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"onewindow/store"
	"onewindow/store/storetest"
)

// taskPath is the path of a task (its id holds a "/", sent as %2F), plus verb.
func taskPath(id, verb string) string {
	p := "/api/v1/tasks/" + url.PathEscape(id)
	if verb != "" {
		p += "/" + verb
	}
	return p
}

// act posts verb on a task as user.
func (v *caseEnv) act(user, taskID, verb string, body any) response {
	v.t.Helper()
	b := ""
	if body != nil {
		b = mustJSON(body)
	}
	return v.as(v.tok(user), "POST", taskPath(taskID, verb), b)
}

// ok202 fails unless r is 202 (or 200/201).
func (v *caseEnv) ok(r response, what string) app.TaskActionResult {
	v.t.Helper()
	if r.Code != http.StatusAccepted && r.Code != http.StatusOK && r.Code != http.StatusCreated {
		v.t.Fatalf("%s: %d %s", what, r.Code, r.Body)
	}
	var out app.TaskActionResult
	r.json(v.t, &out)
	return out
}

// open waits for the open task of element in caseID and returns its id.
func (v *caseEnv) open(caseID, element string) string {
	v.t.Helper()
	return v.x.OpenTask(caseID, element)
}

// openBy waits for n open tasks of element and returns them by candidate group.
func (v *caseEnv) openBy(caseID, element string, n int) map[string]string {
	v.t.Helper()
	out := map[string]string{}
	v.x.Eventually("the open tasks of "+element, func() bool {
		tasks, err := store.CaseTasks(context.Background(), v.db, caseID, "open")
		if err != nil {
			v.t.Fatal(err)
		}
		clear(out)
		for _, t := range tasks {
			if t.ElementID != element {
				continue
			}
			_, groups, _ := store.TaskCandidates(context.Background(), v.db, t.ID)
			out[groups[0]] = t.ID
		}
		return len(out) == n
	})
	return out
}

// waitState waits until a task is in state.
func (v *caseEnv) waitState(taskID, state string) {
	v.t.Helper()
	v.x.Eventually("task "+taskID+" to be "+state, func() bool {
		t, err := store.GetTask(context.Background(), v.db, taskID)
		return err == nil && t.State == state
	})
}

// inbox lists user's inbox with query.
func (v *caseEnv) inbox(user, query string) app.List[store.InboxTask] {
	v.t.Helper()
	r := v.as(v.tok(user), "GET", "/api/v1/tasks"+query, "")
	if r.Code != http.StatusOK {
		v.t.Fatalf("inbox of %s: %d %s", user, r.Code, r.Body)
	}
	var l app.List[store.InboxTask]
	r.json(v.t, &l)
	return l
}

// ids lists the ids of an inbox page as the store keeps them (the API shows "~" for "/").
func ids(l app.List[store.InboxTask]) []string {
	out := []string{}
	for _, t := range l.Items {
		out = append(out, strings.ReplaceAll(t.ID, "~", "/"))
	}
	return out
}

// taskDetail reads a task as user.
func (v *caseEnv) taskDetail(user, id string) app.TaskDetail {
	v.t.Helper()
	r := v.as(v.tok(user), "GET", taskPath(id, ""), "")
	if r.Code != http.StatusOK {
		v.t.Fatalf("task %s as %s: %d %s", id, user, r.Code, r.Body)
	}
	var d app.TaskDetail
	r.json(v.t, &d)
	return d
}

func timelineKinds(d app.CaseDetail) []string {
	var out []string
	for _, e := range d.Timeline {
		out = append(out, e.Kind+":"+e.Text.Zh)
	}
	return out
}

// The whole online path of a parallel approval of the demo catalogue (企业投资项目核准, led by
// 发改局 with 自然资源局 and 住建局): pre-review, one notice, the supplement, acceptance under
// window 1's delegation, three departments countersigning, the joint decision, delivery; with
// the bad inputs on the way.
func TestOnlineParallelApprovalEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v := newCaseEnv(t, db)
		const item = "450981-FGJ-XK-001"
		if iv := v.demoItem(item); iv.Name != "企业投资项目核准" || iv.DefinitionKey != "std-parallel" {
			t.Fatalf("demo item %+v", iv)
		}
		k := v.submitted(v.apply("applicant1", v.onlineApplication(item, "M01")))
		v.waitStage("applicant1", k.ID, app.StagePreReview)
		acc := v.open(k.ID, "acceptance")

		// The acceptance is 发改局's, delegated to window 1 (clerk1); another unit neither
		// sees it nor may act on it.
		if got := ids(v.inbox("clerk1", "?stepKind=acceptance")); !slices.Contains(got, acc) {
			t.Fatalf("clerk1's inbox %v lacks %s", got, acc)
		}
		if got := ids(v.inbox("reviewer-mzj", "")); slices.Contains(got, acc) {
			t.Fatalf("民政局 sees 发改局's acceptance: %v", got)
		}
		expectError(t, v.act("reviewer-mzj", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusForbidden, app.CodeNoAuthority)
		expectError(t, v.as(v.tok("reviewer-mzj"), "GET", taskPath(acc, ""), ""), http.StatusForbidden, app.CodeNoAuthority)
		expectError(t, v.as(v.tok("applicant1"), "GET", "/api/v1/tasks", ""), http.StatusForbidden, codeForbidden)
		d := v.taskDetail("clerk1", acc)
		if d.Authority == nil || d.Authority.Kind != app.AuthorityDelegation || !slices.Equal(d.Outcomes, []string{"accept", "refuse", "notify"}) {
			t.Fatalf("task detail %+v", d)
		}
		if d.Case.Number != k.Number || len(d.Case.Materials) != 1 || d.Units[0] != "北流市发展和改革局行政审批股" {
			t.Fatalf("task's case %+v", d.Case)
		}

		// Bad completions change nothing.
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "approve"}), http.StatusBadRequest, codeValidation)
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "notify"}), http.StatusBadRequest, codeValidation)
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "refuse"}), http.StatusBadRequest, codeValidation)
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept", "variables": map[string]any{"leadSection": "x"}}), http.StatusBadRequest, codeValidation)
		e := expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "notify", "notice": map[string]any{
			"materials": []any{map[string]any{"materialCode": "M09", "problem": "missing"}}}}), http.StatusBadRequest, codeValidation)
		if e.Fields[0].Field != "notice.materials[0].materialCode" {
			t.Fatalf("fields %+v", e.Fields)
		}
		expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement",
			mustJSON(map[string]any{"materials": []any{map[string]any{"code": "M02", "fileIds": []string{v.file("applicant1", "m2.pdf")}}}})), http.StatusConflict, codeNoOpenNotice)

		// Notify once: everything missing in one notice. A notice that leaves out materials the
		// server knows are missing is refused, naming them.
		e = expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "notify", "notice": map[string]any{
			"materials": []any{map[string]any{"materialCode": "M02", "problem": "missing"}}}}), http.StatusBadRequest, codeValidation)
		if e.Fields[0].Field != "notice.materials" || !strings.Contains(e.Message, "M03") || !strings.Contains(e.Message, "YYZZ") {
			t.Fatalf("a notice that omits known missing materials: %+v", e)
		}
		r := v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "notify", "comment": "缺项目申请报告", "notice": map[string]any{
			"materials": []any{map[string]any{"materialCode": "M02", "problem": "missing", "detail": "须加盖编制单位公章"},
				map[string]any{"materialCode": "M01", "problem": "defective", "detail": "缺法定代表人签字"},
				map[string]any{"materialCode": "M03", "problem": "missing"},
				map[string]any{"materialCode": "YYZZ", "problem": "missing"}},
			"note": "请一次性补齐"}}), "notify")
		if r.Task.State != "completing" || r.Action.Authority != app.AuthorityDelegation || r.Action.DepartmentID != v.unitID("fgj") || r.Action.WindowID != v.unitID("zwzx-01") {
			t.Fatalf("notify result %+v", r)
		}
		expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskClosed)
		d2 := v.waitStage("applicant1", k.ID, app.StageAwaitingSupplement)
		if d2.Timeline[len(d2.Timeline)-1].Kind != store.ActionComplete || !strings.Contains(d2.Timeline[len(d2.Timeline)-1].Text.Zh, "一次性告知书") {
			t.Fatalf("timeline %v", timelineKinds(d2))
		}
		for _, e := range d2.Timeline {
			if e.Comment == "缺项目申请报告" {
				t.Fatalf("the applicant sees an internal opinion: %+v", e)
			}
		}
		var nv app.NoticeView
		nr := v.as(v.tok("applicant1"), "GET", "/api/v1/cases/"+k.ID+"/notice", "")
		if nr.json(t, &nv); nr.Code != http.StatusOK || nv.State != store.NoticeOpen || len(nv.Materials) != 4 ||
			!strings.Contains(nv.Letter.Zh, "1. 项目申请报告（未提交）：须加盖编制单位公章") || !strings.Contains(nv.Letter.Zh, "2. 项目核准申请书（不符合要求）") {
			t.Fatalf("notice: %d %s", nr.Code, nr.Body)
		}
		if nv.Unit != "北流市发展和改革局行政审批股" || !strings.Contains(nv.Letter.Zh, k.Number) {
			t.Fatalf("notice letter %+v", nv)
		}

		// The supplement: new versions, back to acceptance; a second one has no notice.
		sup := map[string]any{"note": "已补齐", "materials": []any{
			map[string]any{"code": "M01", "fileIds": []string{v.file("applicant1", "m1-v2.pdf")}},
			map[string]any{"code": "M02", "fileIds": []string{v.file("applicant1", "m2.pdf")}},
			map[string]any{"code": "M03", "fileIds": []string{v.file("applicant1", "m3.pdf")}},
			map[string]any{"code": "YYZZ", "fileIds": []string{v.file("applicant1", "yyzz.pdf")}}}}
		sr := v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(sup))
		if sr.Code != http.StatusAccepted {
			t.Fatalf("supplement: %d %s", sr.Code, sr.Body)
		}
		expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/supplement", mustJSON(sup)), http.StatusConflict, codeNoOpenNotice)
		v.waitStage("applicant1", k.ID, app.StagePreReview)
		acc2 := v.open(k.ID, "acceptance")
		if acc2 == acc {
			t.Fatal("the acceptance did not start again")
		}
		// A second notice about a material not newly supplied: refused, and nothing changes.
		expectError(t, v.act("clerk1", acc2, "complete", map[string]any{"outcome": "notify", "notice": map[string]any{
			"materials": []any{map[string]any{"materialCode": "M03", "problem": "missing"}}}}), http.StatusConflict, app.CodeNotifyOnce)
		if tk, _ := store.GetTask(context.Background(), v.db, acc2); tk.State != "open" {
			t.Fatalf("the refused notice changed the task: %s", tk.State)
		}
		// E-supervision records the attempt as a violation of notify-once.
		if got, _ := store.ListAlerts(context.Background(), v.db, store.AlertFilter{CaseID: k.ID, Rule: store.RuleNoticeTwice}); len(got) != 1 ||
			got[0].Kind != store.AlertViolation || deref(got[0].DepartmentID) != v.unitID("fgj") {
			t.Fatalf("notice-twice alerts %+v, want one violation of 发改局", got)
		}
		v.ok(v.act("clerk1", acc2, "complete", map[string]any{"outcome": "accept", "comment": "材料齐全"}), "accept")
		d3 := v.waitStage("applicant1", k.ID, app.StageInProgress)
		var versions []string
		for _, m := range d3.Materials {
			versions = append(versions, m.Code+"v"+string(rune('0'+m.Version)))
		}
		if !slices.Equal(versions, []string{"M01v1", "M01v2", "M02v1", "M03v1", "YYZZv1"}) {
			t.Fatalf("material versions %v", versions)
		}

		// Three departments countersign; each sees its own task only.
		signers := v.openBy(k.ID, "countersign", 3)
		for _, sec := range []string{"fgj-xzsp", "zjj-xzsp", "zrzyj-xzsp"} {
			if signers[sec] == "" {
				t.Fatalf("no countersign task for %s: %v", sec, signers)
			}
		}
		if got := ids(v.inbox("reviewer-zjj", "")); !slices.Equal(got, []string{signers["zjj-xzsp"]}) {
			t.Fatalf("reviewer-zjj's inbox %v", got)
		}
		expectError(t, v.act("reviewer-zjj", signers["fgj-xzsp"], "complete", map[string]any{"outcome": "agree"}), http.StatusForbidden, app.CodeNoAuthority)
		expectError(t, v.act("reviewer-zjj", signers["zjj-xzsp"], "complete", map[string]any{"outcome": "object"}), http.StatusBadRequest, codeValidation)
		// Staff see the cases their units and delegations deal with.
		for _, u := range []string{"reviewer-zjj", "clerk1", "clerk2", "supervisor"} {
			var l app.List[app.CaseSummary]
			v.as(v.tok(u), "GET", "/api/v1/cases?state=open&count=true", "").json(t, &l)
			if l.Total == nil || *l.Total != 1 || l.Items[0].ID != k.ID {
				t.Fatalf("%s lists %+v", u, l)
			}
		}
		var l app.List[app.CaseSummary]
		if v.as(v.tok("reviewer-mzj"), "GET", "/api/v1/cases?count=true", "").json(t, &l); l.Total == nil || *l.Total != 0 {
			t.Fatalf("民政局 lists %+v", l)
		}
		for _, u := range []string{"fgj", "zjj", "zrzyj"} {
			v.ok(v.act("reviewer-"+u, signers[u+"-xzsp"], "complete", map[string]any{"outcome": "agree", "comment": "同意"}), "agree "+u)
		}
		jd := v.open(k.ID, "jointDecision")
		v.ok(v.act("reviewer-fgj", jd, "complete", map[string]any{"outcome": "approve"}), "approve")
		d4 := v.waitStage("applicant1", k.ID, app.StageDelivering)
		if d4.Decision != store.DecisionApprove || d4.DecisionText.Zh != "准予" {
			t.Fatalf("decided case %+v", d4.CaseSummary)
		}
		del := v.open(k.ID, "delivery")
		expectError(t, v.act("clerk1", del, "complete", map[string]any{"outcome": "approve"}), http.StatusBadRequest, codeValidation)
		v.ok(v.act("clerk1", del, "complete", map[string]any{}), "deliver")
		v.x.WaitStatus(k.ID, "completed")
		d5 := v.getCase("applicant1", k.ID)
		if d5.Stage != app.StageFinished || len(d5.Steps) != 0 || d5.EndedAt == nil {
			t.Fatalf("finished case %+v", d5.CaseSummary)
		}
		last := d5.Timeline[len(d5.Timeline)-1]
		if last.Kind != "ended" || last.Text.Zh != "已办结（准予）" {
			t.Fatalf("timeline %v", timelineKinds(d5))
		}
		var accepted, agreed int
		for _, e := range d5.Timeline {
			if e.Kind == store.ActionComplete && strings.HasPrefix(e.Text.Zh, "申请材料齐全") && strings.Contains(e.Text.Zh, "受北流市发展和改革局行政审批股委托") {
				accepted++
			}
			if strings.Contains(e.Text.Zh, "并联审查」：同意") {
				agreed++
			}
		}
		if accepted != 1 || agreed != 3 {
			t.Fatalf("timeline %v", timelineKinds(d5))
		}
		// Completed tasks take no more actions, and a finished case cannot be withdrawn.
		expectError(t, v.act("clerk1", del, "complete", map[string]any{}), http.StatusConflict, codeTaskClosed)
		expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/withdraw", `{}`), http.StatusConflict, codeCaseDecided)
		var pp app.PublicProgress
		v.do("GET", "/api/v1/public/progress?number="+url.QueryEscape(k.Number)+"&code="+k.QueryCode, "").json(t, &pp)
		if pp.Stage != app.StageFinished || pp.DecisionText == nil || pp.DecisionText.Zh != "准予" {
			t.Fatalf("public progress %+v", pp)
		}
		for _, e := range pp.Timeline {
			if e.Actor != "" {
				t.Fatalf("the public page names %s", e.Actor)
			}
		}
		// The applicant rates the finished case; the rating names who served it: 发改局, and
		// clerk1 who accepted it at window 1 under 发改局's delegation.
		var rt store.Rating
		rr := v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/rating", `{"level":"very_satisfied","comment":"一次办好"}`)
		if rr.json(t, &rt); rr.Code != http.StatusCreated || deref(rt.DepartmentID) != v.unitID("fgj") ||
			deref(rt.WindowID) != v.unitID("zwzx-01") || deref(rt.PersonID) != v.userID("clerk1") {
			t.Fatalf("rating: %d %s", rr.Code, rr.Body)
		}
	})
}

// A walk-in applicant at a window: an immediate item accepted, decided and delivered by the
// same clerk in one visit, under the department's delegation.
func TestCounterImmediateItemInOneVisit(t *testing.T) {
	v := newCaseEnv(t, nil)
	application := map[string]any{"itemId": v.items[itemImmediate].ItemID, "channel": "window",
		"applicant": map[string]any{"name": "北流市某某商行", "kind": "legalPerson", "certNo": "91350100M000100Y43", "phone": "13900000003"},
		"materials": []any{map[string]any{"code": "M01", "fileIds": []string{v.file("clerk1", "scan.pdf")}},
			map[string]any{"code": "M02", "fileIds": []string{v.file("clerk1", "report.pdf")}}}}
	k := v.submitted(v.apply("clerk1", application))
	if k.Channel != "window" || k.ApplicantName != "北流市某某商行" {
		t.Fatalf("answer %+v", k)
	}
	v.waitStage("clerk1", k.ID, app.StageAwaitingAcceptance)
	v.ok(v.act("clerk1", v.open(k.ID, "acceptance"), "complete", map[string]any{"outcome": "accept"}), "accept")
	v.ok(v.act("clerk1", v.open(k.ID, "decision"), "complete", map[string]any{"outcome": "approve"}), "decide")
	v.ok(v.act("clerk1", v.open(k.ID, "delivery"), "complete", nil), "deliver")
	v.x.WaitStatus(k.ID, "completed")
	d := v.getCase("clerk1", k.ID)
	if d.Stage != app.StageFinished || d.Decision != store.DecisionApprove || d.QueryCode == "" {
		t.Fatalf("case %+v", d.CaseSummary)
	}
	// The clerk's window and the applicant's side: another clerk of another window does not see it.
	expectError(t, v.as(v.tok("agent1"), "GET", "/api/v1/cases/"+k.ID, ""), http.StatusNotFound, codeNotFound)
	var l app.List[app.CaseSummary]
	v.as(v.tok("clerk1"), "GET", "/api/v1/cases?channel=window&decision=approve&count=true", "").json(t, &l)
	if l.Total == nil || *l.Total != 1 || l.Items[0].Stage != app.StageFinished {
		t.Fatalf("clerk1's cases %+v", l)
	}
}

// A proxy agent submits at a village station for an applicant with an account; the result
// comes back through the station.
func TestStationProxySubmission(t *testing.T) {
	v := newCaseEnv(t, nil)
	application := map[string]any{"itemId": v.items[itemProxy].ItemID, "channel": "station",
		"applicant": map[string]any{"name": "李明", "kind": "naturalPerson", "certNo": "450981199001011230", "userId": v.userID("applicant1")},
		"materials": []any{map[string]any{"code": "M01", "fileIds": []string{v.file("agent1", "sqs.pdf")}},
			map[string]any{"code": "M02", "fileIds": []string{v.file("agent1", "bg.pdf")}}}}
	expectError(t, v.apply("clerk1", application), http.StatusForbidden, codeForbidden)
	// A proxy application carries the applicant's authorisation (授权委托书).
	if e := expectError(t, v.apply("agent1", application), http.StatusBadRequest, codeValidation); e.Fields[0].Field != "authorization" {
		t.Fatalf("without an authorisation: %+v", e)
	}
	application["authorization"] = map[string]any{"fileIds": []string{v.file("agent1", "wts.pdf")}, "note": "李明本人签字"}
	k := v.submitted(v.apply("agent1", application))
	if d := v.getCase("agent1", k.ID); !slices.ContainsFunc(d.Materials, func(m store.CaseMaterial) bool { return m.Name == app.AuthorizationMaterial }) {
		t.Fatalf("the authorisation is not among the materials: %+v", d.Materials)
	}
	v.waitStage("applicant1", k.ID, app.StageAwaitingAcceptance)
	if d := v.getCase("applicant1", k.ID); d.QueryCode != k.QueryCode || d.Channel != "station" {
		t.Fatalf("the applicant follows the case: %+v", d.CaseSummary)
	}
	for _, step := range []struct{ element, outcome string }{{"acceptance", "accept"}, {"review", ""}, {"approval", "approve"}, {"certification", ""}, {"dispatch", ""}} {
		v.ok(v.act("clerk1", v.open(k.ID, step.element), "complete", map[string]any{"outcome": step.outcome}), step.element)
	}
	ho := v.open(k.ID, "handover")
	if got := ids(v.inbox("agent1", "")); !slices.Equal(got, []string{ho}) {
		t.Fatalf("agent1's inbox %v", got)
	}
	expectError(t, v.act("clerk1", ho, "complete", nil), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("agent1", ho, "complete", nil), "hand over")
	v.x.WaitStatus(k.ID, "completed")
	var l app.List[app.CaseSummary]
	v.as(v.tok("agent1"), "GET", "/api/v1/cases?channel=station&count=true", "").json(t, &l)
	if l.Total == nil || *l.Total != 1 || l.Items[0].Stage != app.StageFinished {
		t.Fatalf("agent1's cases %+v", l)
	}
}

// Returning a case to an earlier step (退回) and recalling one's own completion (撤回).
func TestReturnAndRecall(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemPromised, "M01", "M02")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), "accept")
	v.waitStage("applicant1", k.ID, app.StageInProgress)
	v.open(k.ID, "review")
	// The clerk recalls the acceptance: the case is back at acceptance, and says so (the clock
	// that the acceptance started keeps running).
	v.ok(v.act("clerk1", acc, "recall", nil), "recall the acceptance")
	if d := v.waitStage("applicant1", k.ID, app.StageBackToAcceptance); d.Deadlines.ClockState != "running" || d.StageText.Zh != "已退回受理环节重新审查，办理时限继续计算" {
		t.Fatalf("back at acceptance: %+v %+v", d.StageText, d.Deadlines)
	}
	v.ok(v.act("clerk1", v.open(k.ID, "acceptance"), "complete", map[string]any{"outcome": "accept"}), "accept again")
	rv := v.open(k.ID, "review")
	v.ok(v.act("reviewer-fgj", rv, "claim", nil), "claim")
	v.ok(v.act("reviewer-fgj", rv, "complete", map[string]any{"comment": "审核通过"}), "review")
	ap := v.open(k.ID, "approval")

	// Recall: only who completed it, while the next step is untouched.
	expectError(t, v.act("clerk1", rv, "recall", nil), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("reviewer-fgj", rv, "recall", map[string]any{"reason": "意见填写有误"}), "recall")
	rv2 := v.open(k.ID, "review")
	if rv2 == rv {
		t.Fatal("the review did not start again")
	}
	v.x.Eventually("the approval to be cancelled", func() bool {
		tk, _ := store.GetTask(context.Background(), v.db, ap)
		return tk.State == "cancelled"
	})
	v.ok(v.act("reviewer-fgj", rv2, "complete", nil), "review again")
	ap = v.open(k.ID, "approval")
	v.ok(v.act("reviewer-fgj", ap, "claim", nil), "claim the approval")
	expectError(t, v.act("reviewer-fgj", rv2, "recall", nil), http.StatusConflict, app.CodeNotRecallable)
	expectError(t, v.act("reviewer-fgj", ap, "recall", nil), http.StatusConflict, app.CodeNotRecallable)

	// Return: to a step passed, not to the current one nor to one never reached.
	d := v.taskDetail("reviewer-fgj", ap)
	if !slices.Equal(d.Passed, []string{"acceptance", "review"}) {
		t.Fatalf("passed %v", d.Passed)
	}
	if len(d.PassedNames) != 2 || d.PassedNames["acceptance"] != "受理" || d.PassedNames["review"] != "审核" {
		t.Fatalf("passedNames %v, want the two passed steps named", d.PassedNames)
	}
	expectError(t, v.act("reviewer-fgj", ap, "return", map[string]any{"target": "approval", "reason": "x"}), http.StatusBadRequest, codeValidation)
	expectError(t, v.act("reviewer-fgj", ap, "return", map[string]any{"target": "certification", "reason": "x"}), http.StatusBadRequest, codeValidation)
	expectError(t, v.act("reviewer-fgj", ap, "return", map[string]any{"target": "review"}), http.StatusBadRequest, codeValidation)
	expectError(t, v.act("reviewer-zjj", ap, "return", map[string]any{"target": "review", "reason": "x"}), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("reviewer-fgj", ap, "return", map[string]any{"target": "review", "reason": "可行性研究报告数据需复核"}), "return")
	rv3 := v.open(k.ID, "review")
	v.ok(v.act("reviewer-fgj", rv3, "complete", nil), "review a third time")

	// A decision recalled is undone.
	ap = v.open(k.ID, "approval")
	v.ok(v.act("reviewer-fgj", ap, "complete", map[string]any{"outcome": "reject", "reason": "不符合产业政策"}), "reject")
	v.waitStage("applicant1", k.ID, app.StageDelivering)
	v.open(k.ID, "delivery")
	v.ok(v.act("reviewer-fgj", ap, "recall", nil), "recall the decision")
	d2 := v.waitStage("applicant1", k.ID, app.StageInProgress)
	if d2.Decision != "" {
		t.Fatalf("the recalled decision stays: %+v", d2.CaseSummary)
	}
	v.ok(v.act("reviewer-fgj", v.open(k.ID, "approval"), "complete", map[string]any{"outcome": "approve"}), "approve")
	v.waitStage("applicant1", k.ID, app.StageDelivering)
	// A return from delivery to the decision undoes the decision: the case is in progress again,
	// the public page shows no decision, and the applicant may withdraw.
	v.ok(v.act("reviewer-fgj", v.open(k.ID, "certification"), "complete", nil), "certificate")
	del := v.open(k.ID, "delivery")
	v.ok(v.act("clerk1", del, "return", map[string]any{"target": "approval", "reason": "决定书文号有误，重新作出决定"}), "return to the decision")
	if d := v.waitStage("applicant1", k.ID, app.StageInProgress); d.Decision != "" || d.DecisionText != nil {
		t.Fatalf("the decision stays after a return past it: %+v", d.CaseSummary)
	}
	var pp app.PublicProgress
	if v.do("GET", "/api/v1/public/progress?number="+url.QueryEscape(k.Number)+"&code="+k.QueryCode, "").json(t, &pp); pp.DecisionText != nil || pp.Stage != app.StageInProgress {
		t.Fatalf("public progress after the return: %+v", pp)
	}
	v.ok(v.act("reviewer-fgj", v.open(k.ID, "approval"), "complete", map[string]any{"outcome": "approve"}), "approve again")
	d3 := v.waitStage("applicant1", k.ID, app.StageDelivering)
	var kinds []string
	for _, e := range d3.Timeline {
		if e.Kind == store.ActionReturn || e.Kind == store.ActionRecall {
			kinds = append(kinds, e.Kind+":"+e.Text.Zh)
		}
	}
	want := []string{"recall:撤回了「受理」的办理结果，重新办理", "recall:撤回了「审核」的办理结果，重新办理",
		"return:将案件从「审批」退回至「审核」", "recall:撤回了「审批」的办理结果，重新办理", "return:将案件从「送达」退回至「审批」"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("timeline %q", kinds)
	}
}

// Adding and removing signers of a running countersign (加签/减签).
func TestCountersignSigners(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01", "M02")))
	v.ok(v.act("clerk1", v.open(k.ID, "acceptance"), "complete", map[string]any{"outcome": "accept"}), "accept")
	s := v.openBy(k.ID, "countersign", 3)
	rsj, zjj := v.unitID("rsj-xzsp"), v.unitID("zjj-xzsp")

	expectError(t, v.act("reviewer-zjj", s["zjj-xzsp"], "signers", map[string]any{"sectionId": rsj}), http.StatusForbidden, app.CodeNoAuthority)
	expectError(t, v.act("reviewer-fgj", s["fgj-xzsp"], "signers", map[string]any{"sectionId": zjj}), http.StatusConflict, app.CodeAlreadySigner)
	expectError(t, v.act("reviewer-fgj", s["fgj-xzsp"], "signers", map[string]any{"sectionId": v.unitID("rsj")}), http.StatusBadRequest, codeValidation)
	v.ok(v.act("reviewer-fgj", s["zjj-xzsp"], "signers", map[string]any{"sectionId": rsj, "reason": "涉及农民工工资保障"}), "add rsj")
	s = v.openBy(k.ID, "countersign", 4)
	if got := ids(v.inbox("reviewer-rsj", "")); !slices.Equal(got, []string{s["rsj-xzsp"]}) {
		t.Fatalf("the added signer's inbox %v", got)
	}
	// The lead section (also through window 1's delegation) removes signers; a signer cannot.
	expectError(t, v.act("reviewer-zrzyj", s["zrzyj-xzsp"], "remove-signer", nil), http.StatusForbidden, app.CodeNoAuthority)
	v.ok(v.act("clerk1", s["zrzyj-xzsp"], "remove-signer", map[string]any{"reason": "不涉及用地"}), "remove zrzyj")
	v.ok(v.act("reviewer-fgj", s["rsj-xzsp"], "remove-signer", nil), "remove rsj")
	v.ok(v.act("reviewer-fgj", s["zjj-xzsp"], "remove-signer", nil), "remove zjj")
	expectError(t, v.act("reviewer-fgj", s["fgj-xzsp"], "remove-signer", nil), http.StatusConflict, app.CodeLastSigner)
	for _, sec := range []string{"zrzyj-xzsp", "rsj-xzsp", "zjj-xzsp"} {
		v.waitState(s[sec], "cancelled")
	}
	s = v.openBy(k.ID, "countersign", 1)
	expectError(t, v.act("reviewer-fgj", s["fgj-xzsp"], "remove-signer", nil), http.StatusConflict, app.CodeLastSigner)
	expectError(t, v.act("reviewer-fgj", v.open(k.ID, "countersign"), "signers", map[string]any{"sectionId": v.unitID("fgj")}), http.StatusBadRequest, codeValidation)
	// A task that is not a countersign's.
	v.ok(v.act("reviewer-fgj", s["fgj-xzsp"], "signers", map[string]any{"sectionId": zjj}), "add zjj back")
	s = v.openBy(k.ID, "countersign", 2)
	v.ok(v.act("reviewer-fgj", s["fgj-xzsp"], "complete", map[string]any{"outcome": "agree"}), "fgj agrees")
	v.ok(v.act("reviewer-zjj", s["zjj-xzsp"], "complete", map[string]any{"outcome": "object", "reason": "消防设计不符合规范"}), "zjj objects")
	co := v.open(k.ID, "coordination")
	expectError(t, v.act("reviewer-fgj", co, "signers", map[string]any{"sectionId": rsj}), http.StatusConflict, app.CodeNotCountersign)
	d := v.taskDetail("reviewer-fgj", co)
	var texts []string
	for _, e := range d.Case.Timeline {
		if strings.Contains(e.Text.Zh, "会签部门") || strings.Contains(e.Text.Zh, "异议") {
			texts = append(texts, e.Text.Zh)
		}
	}
	want := []string{"「并联审查」增加会签部门：北流市人力资源和社会保障局行政审批股", "「并联审查」减少会签部门：北流市自然资源局行政审批股",
		"「并联审查」减少会签部门：北流市人力资源和社会保障局行政审批股", "「并联审查」减少会签部门：北流市住房和城乡建设局行政审批股",
		"「并联审查」增加会签部门：北流市住房和城乡建设局行政审批股", "「并联审查」：提出异议：消防设计不符合规范"}
	if !slices.Equal(texts, want) {
		t.Fatalf("timeline\n got %q\nwant %q", texts, want)
	}
}

// Two clerks completing one task at once: one succeeds, the other gets 409, once.
func TestRacingCompletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v := newCaseEnv(t, db)
		k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01", "M02")))
		acc := v.open(k.ID, "acceptance")
		v.tok("clerk1")
		v.tok("clerk2")
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, u := range []string{"clerk1", "clerk2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = v.act(u, acc, "complete", map[string]any{"outcome": "accept"}).Code
			}()
		}
		wg.Wait()
		sort.Ints(codes)
		if codes[0] != http.StatusAccepted || codes[1] != http.StatusConflict {
			t.Fatalf("racing completions answered %v", codes)
		}
		acts, err := store.TaskActions(context.Background(), v.db, acc)
		if err != nil || len(acts) != 1 {
			t.Fatalf("actions %+v %v", acts, err)
		}
		v.openBy(k.ID, "countersign", 3)
	})
}

// Claim, hand over (转办), delegate and get back (委派), comment.
func TestClaimHandOverDelegate(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemParallel, "M01", "M02")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "claim", nil), "claim")
	v.ok(v.act("clerk1", acc, "claim", nil), "claim again")
	expectError(t, v.act("clerk2", acc, "claim", nil), http.StatusConflict, codeTaskHeld)
	// Someone who could act on the task, were it free, is told who holds it (409 task_held);
	// someone who could not is told it is not theirs (403 no_authority).
	if e := expectError(t, v.act("clerk2", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskHeld); !strings.Contains(e.Message, "claimed by") {
		t.Fatalf("task held: %+v", e)
	}
	expectError(t, v.act("reviewer-mzj", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusForbidden, app.CodeNoAuthority)
	if got := ids(v.inbox("clerk2", "")); slices.Contains(got, acc) {
		t.Fatalf("a claimed task stays in another's inbox: %v", got)
	}
	if got := ids(v.inbox("clerk1", "?status=claimed")); !slices.Equal(got, []string{acc}) {
		t.Fatalf("clerk1's claimed tasks %v", got)
	}
	// Hand over: only to someone who may act on it.
	expectError(t, v.act("clerk1", acc, "handover", map[string]any{"userId": v.userID("reviewer-mzj")}), http.StatusBadRequest, codeValidation)
	expectError(t, v.act("clerk1", acc, "handover", map[string]any{"userId": v.userID("applicant2")}), http.StatusBadRequest, codeValidation)
	v.ok(v.act("clerk1", acc, "handover", map[string]any{"userId": v.userID("clerk2"), "reason": "投资项目由并联审批窗口受理"}), "hand over")
	expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskHeld)
	// Delegate (委派): only to someone who may act on the task themselves, as a hand-over: a
	// reviewer of another department gets no access to the case through a delegation.
	e := expectError(t, v.act("clerk2", acc, "delegate", map[string]any{"userId": v.userID("reviewer-scjgj")}), http.StatusBadRequest, codeValidation)
	if e.Fields[0].Field != "userId" {
		t.Fatalf("delegation to another department: %+v", e)
	}
	expectError(t, v.as(v.tok("reviewer-scjgj"), "GET", "/api/v1/cases/"+k.ID, ""), http.StatusNotFound, codeNotFound)
	// The delegate works on it and gives it back; only the owner completes.
	r := v.ok(v.act("clerk2", acc, "delegate", map[string]any{"userId": v.userID("reviewer-fgj"), "reason": "请核对项目代码"}), "delegate")
	if r.Task.Owner != v.userID("clerk2") || r.Task.Delegation != store.DelegationPending {
		t.Fatalf("delegated task %+v", r.Task)
	}
	if got := ids(v.inbox("reviewer-fgj", "?status=delegated")); !slices.Equal(got, []string{acc}) {
		t.Fatalf("the delegate's inbox %v", got)
	}
	expectError(t, v.act("reviewer-fgj", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskHeld)
	expectError(t, v.act("clerk2", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskHeld)
	v.ok(v.act("reviewer-fgj", acc, "comments", map[string]any{"text": "项目代码核对无误"}), "comment")
	v.ok(v.act("reviewer-fgj", acc, "resolve", map[string]any{"text": "已核对"}), "resolve")
	expectError(t, v.act("reviewer-fgj", acc, "resolve", nil), http.StatusConflict, codeTaskHeld)
	// Opinions are internal: there is no "public" comment the applicant would never see.
	expectError(t, v.act("clerk2", acc, "comments", map[string]any{"text": "请携带原件到窗口核验", "public": true}), http.StatusBadRequest, codeInvalidJSON)
	v.ok(v.act("clerk2", acc, "comments", map[string]any{"text": "请携带原件到窗口核验"}), "comment")
	v.ok(v.act("clerk2", acc, "unclaim", nil), "unclaim")
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), "accept")

	staff := v.getCase("clerk2", k.ID)
	applicant := v.getCase("applicant1", k.ID)
	has := func(d app.CaseDetail, text string) bool {
		return slices.ContainsFunc(d.Timeline, func(e app.TimelineEntry) bool { return e.Comment == text })
	}
	if !has(staff, "项目代码核对无误") || has(applicant, "项目代码核对无误") || !has(staff, "请携带原件到窗口核验") || has(applicant, "请携带原件到窗口核验") {
		t.Fatalf("comments: staff %v, applicant %v", timelineKinds(staff), timelineKinds(applicant))
	}
	var kinds []string
	for _, e := range staff.Timeline {
		kinds = append(kinds, e.Kind)
	}
	for _, k := range []string{"claim", "handover", "delegate", "comment", "resolve", "unclaim", "complete"} {
		if !slices.Contains(kinds, k) {
			t.Fatalf("timeline lacks %s: %v", k, kinds)
		}
	}
}

// A refusal with its reason, in plain words for the applicant; bad task ids.
func TestRefusalAndBadTaskInput(t *testing.T) {
	v := newCaseEnv(t, nil)
	k := v.submitted(v.apply("applicant1", v.onlineApplication(itemPromised, "M01")))
	acc := v.open(k.ID, "acceptance")
	v.ok(v.act("clerk1", acc, "complete", map[string]any{"outcome": "refuse", "reason": "申请事项不属于本机关职权范围"}), "refuse")
	v.x.WaitStatus(k.ID, "completed")
	d := v.getCase("applicant1", k.ID)
	if d.Stage != app.StageRefused || d.RefusalReason != "申请事项不属于本机关职权范围" || d.StageText.Zh != "不予受理" {
		t.Fatalf("refused case %+v", d)
	}
	if last := d.Timeline[len(d.Timeline)-1]; last.Text.Zh != "不予受理，办件结束" {
		t.Fatalf("timeline %v", timelineKinds(d))
	}
	expectError(t, v.as(v.tok("applicant1"), "POST", "/api/v1/cases/"+k.ID+"/withdraw", `{}`), http.StatusConflict, codeCaseDecided)
	expectError(t, v.as(v.tok("clerk1"), "GET", taskPath(k.ID+"/w999", ""), ""), http.StatusNotFound, codeNotFound)
	expectError(t, v.act("clerk1", "nope", "claim", nil), http.StatusNotFound, codeNotFound)
	// The refusal says who closed the task and when.
	if e := expectError(t, v.act("clerk1", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusConflict, codeTaskClosed); !strings.Contains(e.Message, "by 一号窗口 王丽 at ") {
		t.Fatalf("task_closed does not say who closed the task: %s", e.Message)
	}
	expectError(t, v.act("reviewer-mzj", acc, "complete", map[string]any{"outcome": "accept"}), http.StatusForbidden, app.CodeNoAuthority)
	expectError(t, v.as(v.tok("clerk1"), "GET", "/api/v1/tasks?status=mine", ""), http.StatusBadRequest, codeValidation)
}
