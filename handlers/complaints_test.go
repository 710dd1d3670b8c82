package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/definitions/standard"
	"onewindow/demo"
	"onewindow/store"
)

func fileComplaint(t *testing.T, v *supEnv, token, body string) app.ComplaintView {
	t.Helper()
	var r response
	if token == "" {
		r = v.do("POST", "/api/v1/complaints", body)
	} else {
		r = v.as(token, "POST", "/api/v1/complaints", body)
	}
	if r.Code != http.StatusCreated {
		t.Fatalf("file: %d %s", r.Code, r.Body)
	}
	var cv app.ComplaintView
	r.json(t, &cv)
	return cv
}

func (v *supEnv) complaint(token, id string) app.ComplaintView {
	v.t.Helper()
	r := v.as(token, "GET", "/api/v1/complaints/"+id, "")
	if r.Code != http.StatusOK {
		v.t.Fatalf("get complaint: %d %s", r.Code, r.Body)
	}
	var cv app.ComplaintView
	r.json(v.t, &cv)
	return cv
}

// A member of the public without an account complains about a window: the supervision office
// registers, assigns, handles and replies; the reply goes to the complainant's phone and the
// office records their answer.
func TestPublicComplaintAboutAWindow(t *testing.T) {
	v := newRatingEnv(t)
	v.now = time.Now()
	window := v.unitID("zwzx-02")
	cv := fileComplaint(t, v, "", `{"subject":"window","windowId":"`+window+`","content":"排队一个小时无人受理","contactName":"张三","contactPhone":"139-0000-0000"}`)
	if cv.ComplainantID != nil || deref(cv.WindowID) != window || cv.ProcessCaseID == "" || cv.ContactName != "张三" {
		t.Fatalf("complaint %+v", cv)
	}
	pc := cv.ProcessCaseID
	reg := v.x.OpenTask(pc, "register")
	if g := v.taskGroups(reg); !slices.Equal(g, []string{demo.CountyCode}) {
		t.Fatalf("register offered to %v, want the supervision office of 北流市", g)
	}
	// Supervised like a case: its clock runs against 15 working days.
	row := v.caseRow(pc)
	if row.DefinitionKey != standard.Complaint || row.ClockState != "running" || row.PromisedDays == nil || *row.PromisedDays != 15 || row.DueAt == nil {
		t.Fatalf("complaint case %+v", row)
	}
	sup := v.login("supervisor")
	r := v.as(sup, "GET", "/api/v1/supervision/cases?count=true&definitionKey="+standard.Complaint, "")
	var l app.List[app.SupervisedCase]
	r.json(t, &l)
	if intOf(l.Total) != 1 || l.Items[0].ID != pc || l.Items[0].State != "normal" {
		t.Fatalf("supervision of complaints: %+v", l)
	}
	v.x.Complete(reg, "", nil)
	v.x.Complete(v.x.OpenTask(pc, "assign"), "", nil)
	handle := v.x.OpenTask(pc, "handle")
	if g := v.taskGroups(handle); !slices.Equal(g, []string{demo.CountyCode}) {
		t.Fatalf("a window's conduct is handled by %v, want the supervision office", g)
	}
	v.x.Complete(handle, "", map[string]any{"handling": "已对二号窗口批评教育"})
	v.x.Complete(v.x.OpenTask(pc, "reply"), "", map[string]any{"reply": "经核实，已责令整改，感谢监督"})
	phone := v.x.OpenTask(pc, "confirmByPhone")
	pending, _ := store.PendingNotifications(context.Background(), v.db, 100)
	var sent bool
	for _, n := range pending {
		sent = sent || (n.Recipient == "tel:139-0000-0000" && n.Body == "经核实，已责令整改，感谢监督")
	}
	if !sent {
		t.Fatalf("outbox %+v, want the reply to the complainant's phone", pending)
	}
	if got := v.complaint(sup, cv.ID); got.Status != "active" || !slices.Equal(got.Steps, []string{"电话回访确认"}) || got.Reply == "" {
		t.Fatalf("while confirming: %+v", got)
	}
	v.x.Complete(phone, standard.OutcomeSatisfied, nil)
	v.x.WaitStatus(pc, "completed")
	if got := v.complaint(sup, cv.ID); got.Status != "completed" || got.Result != "satisfied" {
		t.Fatalf("closed: %+v", got)
	}
}

// An applicant complains about their case: the complaint names the case's department, window
// and clerk, the department's section handles it, and the applicant confirms online.
func TestApplicantComplaintAboutACase(t *testing.T) {
	v := newRatingEnv(t)
	applicant := v.userID("applicant1")
	tok := v.login("applicant1")
	caseID := v.servedCase(applicant, true)
	cv := fileComplaint(t, v, tok, `{"subject":"case","caseId":"`+caseID+`","content":"审批超时未告知原因"}`)
	if deref(cv.ComplainantID) != applicant || deref(cv.DepartmentID) != v.unitID("zjj") || deref(cv.WindowID) != v.unitID("zwzx-01") ||
		deref(cv.PersonID) != v.userID("clerk1") || cv.ContactName != "李明" || cv.ContactPhone != "13800000001" {
		t.Fatalf("complaint %+v", cv)
	}
	pc := cv.ProcessCaseID
	v.x.Complete(v.x.OpenTask(pc, "register"), "", nil)
	v.x.Complete(v.x.OpenTask(pc, "assign"), "", nil)
	handle := v.x.OpenTask(pc, "handle")
	if g := v.taskGroups(handle); !slices.Equal(g, []string{"zjj-xzsp"}) {
		t.Fatalf("handle offered to %v, want 住建局's section", g)
	}
	v.x.Complete(handle, "", nil)
	v.x.Complete(v.x.OpenTask(pc, "reply"), "", map[string]any{"reply": "已督促住建局限期办结"})
	confirm := v.x.OpenTask(pc, "confirm")
	if tr, _ := store.GetTask(context.Background(), v.db, confirm); deref(tr.Assignee) != applicant {
		t.Fatalf("confirm assigned to %v, want the applicant", tr.Assignee)
	}
	ns, _ := store.UserNotifications(context.Background(), v.db, applicant, false, 10, 0)
	if len(ns) != 1 || ns[0].Body != "已督促住建局限期办结" || ns[0].Title != "投诉处理答复" {
		t.Fatalf("applicant's notifications %+v", ns)
	}
	if got := v.complaint(tok, cv.ID); !slices.Equal(got.Steps, []string{"投诉人确认"}) {
		t.Fatalf("the applicant's view: %+v", got)
	}
	r := v.as(tok, "GET", "/api/v1/complaints", "")
	var l app.List[store.Complaint]
	r.json(t, &l)
	if len(l.Items) != 1 || l.Items[0].ID != cv.ID {
		t.Fatalf("own complaints: %s", r.Body)
	}
	other := v.otherApplicant()
	expectError(t, v.as(other, "GET", "/api/v1/complaints/"+cv.ID, ""), http.StatusNotFound, codeNotFound)
	r = v.as(other, "GET", "/api/v1/complaints", "")
	r.json(t, &l)
	if len(l.Items) != 0 {
		t.Fatalf("another applicant sees %d complaints", len(l.Items))
	}
	r = v.as(v.login("supervisor"), "GET", "/api/v1/complaints?department="+v.unitID("zjj"), "")
	r.json(t, &l)
	if len(l.Items) != 1 {
		t.Fatalf("supervisor, complaints about 住建局: %s", r.Body)
	}
}

func TestComplaintBadInput(t *testing.T) {
	v := newRatingEnv(t)
	dept := v.unitID("zjj")
	for _, c := range []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"a case that does not exist", `{"subject":"case","caseId":"C-nosuchcase","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusNotFound, app.CodeCaseNotFound, "caseId"},
		{"a window that does not exist", `{"subject":"window","windowId":"01jd5q3k8m0000000000000000","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusNotFound, app.CodeWindowNotFound, "windowId"},
		{"a department that does not exist", `{"subject":"department","departmentId":"01jd5q3k8m0000000000000000","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusNotFound, app.CodeDepartmentNotFound, "departmentId"},
		{"a department named as a window", `{"subject":"window","windowId":"` + dept + `","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "windowId"},
		{"a case complaint without the case", `{"subject":"case","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "caseId"},
		{"no contact without an account", `{"subject":"department","departmentId":"` + dept + `","content":"x"}`,
			http.StatusBadRequest, codeValidation, "contactName"},
		{"a phone that is not one", `{"subject":"department","departmentId":"` + dept + `","content":"x","contactName":"张三","contactPhone":"call me"}`,
			http.StatusBadRequest, codeValidation, "contactPhone"},
		{"no content", `{"subject":"department","departmentId":"` + dept + `","content":"  ","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "content"},
		{"an unknown subject", `{"subject":"weather","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "subject"},
		// Names and ids hold no control or format characters (issue 10, defect 10).
		{"a name with a right-to-left override", `{"subject":"department","departmentId":"` + dept + `","content":"x","contactName":"张\u202e三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "contactName"},
		{"a name with a zero-width space", `{"subject":"department","departmentId":"` + dept + `","content":"x","contactName":"张\u200b三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "contactName"},
		{"a case id with a NUL", `{"subject":"case","caseId":"C-\u0000x","content":"x","contactName":"张三","contactPhone":"13900000000"}`,
			http.StatusBadRequest, codeValidation, "caseId"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := expectError(t, v.do("POST", "/api/v1/complaints", c.body), c.status, c.code)
			if len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Fatalf("error %+v, want field %s", e, c.field)
			}
		})
	}
	expectError(t, v.do("POST", "/api/v1/complaints", `{"subject":"department","departmentId":"`+dept+`","content":"x"}`, "Authorization", "Bearer nonsense"),
		http.StatusUnauthorized, codeInvalidToken)
	if l, _ := store.ListComplaints(context.Background(), v.db, store.ComplaintFilter{}); len(l) != 0 {
		t.Fatalf("refused complaints stored: %d", len(l))
	}
	if !strings.Contains(expectError(t, v.do("POST", "/api/v1/complaints", `{"subject":"case","caseId":"C-x","content":"x","contactName":"a","contactPhone":"13900000000"}`),
		http.StatusNotFound, app.CodeCaseNotFound).Message, "C-x") {
		t.Fatal("the message names the case")
	}
}
