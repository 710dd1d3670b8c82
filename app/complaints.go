package app

// Complaints (投诉): anyone, signed in or not, complains about a case, a window or a
// department. A complaint runs as a case of std-complaint with a limit of 15 working days,
// supervised like any case: the supervision office over the department (its desk) registers
// and assigns it, the department's section handles it (a window's conduct: the desk itself),
// the desk replies, and the complainant confirms.

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// Codes of complaints: the subject complained about does not exist.
const (
	CodeCaseNotFound       = "case_not_found"       // 404
	CodeWindowNotFound     = "window_not_found"     // 404
	CodeDepartmentNotFound = "department_not_found" // 404
)

// ComplaintDays is the time limit of a complaint in working days.
const ComplaintDays = 15

var phoneRE = regexp.MustCompile(`^[0-9+][0-9 ()+-]{4,31}$`)

// ComplaintRequest files a complaint. The subject names what it is about and which id field
// identifies it. Without an account, contactName and contactPhone are required; a signed-in
// complainant's default to their profile.
type ComplaintRequest struct {
	Subject      string `json:"subject" validate:"required,oneof=case window department" example:"case"`
	CaseID       string `json:"caseId,omitempty" validate:"max=512,plaintext" example:"C-01jd5q3k8m0000000000000000"`
	WindowID     string `json:"windowId,omitempty" validate:"omitempty,id"`
	DepartmentID string `json:"departmentId,omitempty" validate:"omitempty,id"`
	Content      string `json:"content" validate:"required,max=4000" example:"窗口工作人员态度冷淡，多次让我来回跑"`
	ContactName  string `json:"contactName,omitempty" validate:"max=64,plaintext" example:"张三"`
	ContactPhone string `json:"contactPhone,omitempty" validate:"max=32,plaintext" example:"13900000000"`
}

// ComplaintView is a complaint with the state of its handling.
type ComplaintView struct {
	store.Complaint
	// Status is the complaint process's status: starting, active while it is handled,
	// completed once closed.
	Status string `json:"status" example:"active"`
	// Steps are the steps open now (登记, 交办, 调查处理, 答复投诉人, 投诉人确认, ...).
	Steps []string   `json:"steps"`
	DueAt *time.Time `json:"dueAt,omitempty"`
	// Reply is the answer given to the complainant, once given; Result how it ended
	// (satisfied, unsatisfied, or deemedSatisfied when the complainant did not answer).
	Reply  string `json:"reply,omitempty"`
	Result string `json:"result,omitempty"`
}

// FileComplaint files a complaint for the actor (nil: someone without an account) and starts
// its handling in the same transaction.
func (a *App) FileComplaint(ctx context.Context, p *Actor, in ComplaintRequest) (*ComplaintView, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	c := &store.Complaint{Subject: in.Subject, Content: strings.TrimSpace(in.Content),
		ContactName: strings.TrimSpace(in.ContactName), ContactPhone: strings.TrimSpace(in.ContactPhone)}
	if p != nil {
		c.ComplainantID = &p.UserID
		if u, err := store.GetUser(ctx, a.db, p.UserID); err == nil {
			c.ContactName = firstOf(c.ContactName, u.RealName, u.DisplayName)
			c.ContactPhone = firstOf(c.ContactPhone, u.Phone)
		}
	}
	switch {
	case c.Content == "":
		return nil, store.Invalid("content", "is required: say what went wrong")
	case p == nil && c.ContactName == "":
		return nil, store.Invalid("contactName", "is required without an account: whom to answer")
	case p == nil && c.ContactPhone == "":
		return nil, store.Invalid("contactPhone", "is required without an account: how to answer")
	case c.ContactPhone != "" && !phoneRE.MatchString(c.ContactPhone):
		return nil, store.Invalid("contactPhone", "must be a telephone number, not %q", c.ContactPhone)
	}
	c.CaseID, c.WindowID, c.DepartmentID = optional(internalID(in.CaseID)), optional(in.WindowID), optional(in.DepartmentID)
	c.ID, c.ProcessCaseID, c.FiledAt = store.NewID(), "T-"+store.NewID(), a.now()
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		start, err := a.complaintStart(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := store.InsertComplaint(ctx, tx, c); err != nil {
			return err
		}
		out.Audit(orAnyone(p), "complaint.file", deref(c.CaseID), "complaint:"+c.ID, map[string]any{"subject": c.Subject, "processCase": c.ProcessCaseID})
		d := map[string]any{"complaintId": c.ID, "subject": c.Subject, "processCaseId": c.ProcessCaseID}
		if c.CaseID != nil {
			d["caseId"] = PublicID(*c.CaseID)
		}
		if err := out.event(store.Event{Type: EventComplaintFiled, CaseID: deref(c.CaseID), DepartmentID: deref(c.DepartmentID), OccurredAt: c.FiledAt}, d); err != nil {
			return err
		}
		return out.Start(*start)
	})
	if err != nil {
		return nil, err
	}
	a.log.Info("complaint filed", "complaint", c.ID, "subject", c.Subject, "case", c.ProcessCaseID)
	v := &ComplaintView{Complaint: *c, Status: "starting", Steps: []string{}}
	publicComplaint(&v.Complaint)
	return v, nil
}

// complaintStart checks the subject of complaint c, records whom it concerns, and returns
// the start of its std-complaint case.
func (a *App) complaintStart(ctx context.Context, q store.Q, c *store.Complaint) (*engine.CaseInput, error) {
	p := &parties{vars: map[string]any{}}
	switch c.Subject {
	case store.ComplaintAboutCase:
		if c.CaseID == nil {
			return nil, store.Invalid("caseId", "is required for a complaint about a case")
		}
		_, err := store.GetCaseState(ctx, q, *c.CaseID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, refuse(NotFound, CodeCaseNotFound, "the complaint is about case %s, which does not exist: check the case id on the receipt",
				PublicID(*c.CaseID)).onField("caseId")
		}
		if err != nil {
			return nil, err
		}
		if p, err = a.servedBy(ctx, q, *c.CaseID); err != nil {
			return nil, err
		}
		c.DepartmentID, c.WindowID, c.PersonID = optional(p.DepartmentID), optional(p.WindowID), optional(p.PersonID)
	case store.ComplaintAboutWindow:
		if err := complaintUnit(ctx, q, "windowId", c.WindowID, store.KindWindow, CodeWindowNotFound); err != nil {
			return nil, err
		}
	case store.ComplaintAboutDepartment:
		if err := complaintUnit(ctx, q, "departmentId", c.DepartmentID, store.KindDepartment, CodeDepartmentNotFound); err != nil {
			return nil, err
		}
		p.DepartmentID = *c.DepartmentID
	default:
		return nil, store.Invalid("subject", "%q is not a subject; use one of %s", c.Subject, strings.Join(store.ComplaintSubjects, ", "))
	}
	section, err := a.sectionOf(ctx, q, p)
	if err != nil {
		return nil, err
	}
	desk, err := a.supervisionDesk(ctx, q, firstOf(p.DepartmentID, deref(c.WindowID)))
	if err != nil {
		return nil, err
	}
	if section == "" {
		// A window's conduct (or a complaint of no department) is handled by the desk itself.
		section = desk
	}
	subjectID, calendarUnit := firstOf(deref(c.CaseID), deref(c.WindowID), deref(c.DepartmentID)), firstOf(deref(c.DepartmentID), deref(c.WindowID))
	return &engine.CaseInput{
		CaseID:     c.ProcessCaseID,
		Definition: standard.Complaint,
		Initiator:  deref(c.ComplainantID),
		Vars: map[string]any{
			"complaintId": c.ID, "subject": c.Subject, "subjectId": subjectID, "complainedCase": deref(c.CaseID),
			"complaintDesk": desk, "handler": section, "complainant": deref(c.ComplainantID),
			"contactName": c.ContactName, "contactPhone": c.ContactPhone, "content": c.Content,
			"notifyTitle": "投诉处理答复",
		},
		Limits:       &engine.Limits{PromisedDays: ComplaintDays, StatutoryDays: ComplaintDays},
		CalendarUnit: calendarUnit,
		ReceivedAt:   c.FiledAt,
	}, nil
}

// complaintUnit checks that a complaint's window or department exists and is of kind.
func complaintUnit(ctx context.Context, q store.Q, field string, id *string, kind, notFound string) error {
	if id == nil {
		return store.Invalid(field, "is required for a complaint about a %s", kind)
	}
	u, err := store.GetOrgUnit(ctx, q, *id)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(NotFound, notFound, "the complaint is about a %s that does not exist: no %s %q", kind, kind, *id).onField(field)
	}
	if err != nil {
		return err
	}
	if u.Kind != kind {
		return store.Invalid(field, "%s (%s) is a %s, not a %s", u.Name, *id, u.Kind, kind)
	}
	return nil
}

// ComplaintQuery filters complaints; zero fields do not filter.
type ComplaintQuery struct {
	Subject      string
	CaseID       string
	WindowID     string
	DepartmentID string
	From, To     time.Time // filed at From <= t < To
	Page         Page
}

// Complaints lists complaints, newest first: those a supervisor oversees (every one for an
// admin), and one's own for anyone else.
func (a *App) Complaints(ctx context.Context, p *Actor, q ComplaintQuery) (*List[store.Complaint], error) {
	f := store.ComplaintFilter{Subject: q.Subject, CaseID: internalID(q.CaseID), WindowID: q.WindowID, DepartmentID: q.DepartmentID,
		From: q.From, To: q.To, Limit: q.Page.limit() + 1}
	var err error
	if f.BeforeAt, f.BeforeID, err = keysetTimeID(q.Page); err != nil {
		return nil, err
	}
	o, supervisor, err := a.oversight(ctx, p)
	if err != nil {
		return nil, err
	}
	if supervisor {
		f.Oversight = o
	} else {
		f.ComplainantID = p.UserID
	}
	items, err := store.ListComplaints(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	for i := range items {
		publicComplaint(&items[i])
	}
	return keysetPage(items, q.Page, func(k store.Complaint) []string { return timeIDKey(k.FiledAt, k.ID) }), nil
}

// Complaint reads a complaint and the state of its handling: its complainant's, and the
// supervisors' who oversee it.
func (a *App) Complaint(ctx context.Context, p *Actor, id string) (*ComplaintView, error) {
	none := refuse(NotFound, "not_found", "no complaint %s of yours", id)
	c, err := store.GetComplaint(ctx, a.db, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, none
	}
	if err != nil {
		return nil, err
	}
	if deref(c.ComplainantID) != p.UserID {
		o, supervisor, err := a.oversight(ctx, p)
		if err != nil {
			return nil, err
		}
		if !supervisor {
			return nil, none
		}
		if ok, err := store.Overseen(ctx, a.db, o, deref(c.CaseID), deref(c.DepartmentID), deref(c.WindowID)); err != nil {
			return nil, err
		} else if !ok {
			return nil, none
		}
	}
	v := &ComplaintView{Complaint: *c, Status: "starting", Steps: []string{}}
	publicComplaint(&v.Complaint)
	row, err := store.GetCaseState(ctx, a.db, c.ProcessCaseID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v, nil // not started yet
	case err != nil:
		return nil, err
	}
	v.Status, v.DueAt = row.Status, row.DueAt
	var vars map[string]any
	_ = json.Unmarshal(row.Variables, &vars)
	v.Reply = varString(vars, "reply")
	tasks, err := store.CaseTasks(ctx, a.db, c.ProcessCaseID, "open")
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		v.Steps = append(v.Steps, t.Name)
	}
	if store.CaseEnded(row.Status) {
		v.Result = varString(vars, definitions.VarOutcome)
		hist, err := store.CaseHistory(ctx, a.db, c.ProcessCaseID)
		if err != nil {
			return nil, err
		}
		for _, e := range hist {
			if e.Kind == "entered" && e.ElementID == "deemedSatisfied" {
				v.Result = "deemedSatisfied"
			}
		}
	}
	return v, nil
}

// publicComplaint shows the ids of a complaint as the API does.
func publicComplaint(c *store.Complaint) {
	if c.CaseID != nil {
		id := PublicID(*c.CaseID)
		c.CaseID = &id
	}
}

// firstOf returns the first of ss that is not "".
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
