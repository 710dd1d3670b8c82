package app

// Information-disclosure requests (依申请公开): anyone, with an account or without, asks an
// administrative organ (a department) for government information. The request runs as a case
// of std-disclosure, supervised like any case (warnings, overdue, scorecards): the disclosure
// desk (the supervision unit over the department) registers and assigns it, the department's
// section replies within 20 working days from receipt, and the requester is told. Who deals
// with the request may extend the limit once by up to 20 working days with a reason (政府信息
// 公开条例 §33); the requester is told of the extension.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// Time limits of a disclosure request in working days.
const (
	DisclosureDays    = 20 // the reply is due 20 working days after receipt
	DisclosureExtend  = 20 // extendable once by up to 20 more
	DisclosureWarnDay = 3  // the yellow warning fires 3 working days before
)

// Codes of disclosure requests.
const (
	CodeAlreadyExtended = "already_extended" // 409: the limit was extended once already
	CodeRequestClosed   = "request_closed"   // 409: the request has been replied to
)

// DisclosureInput files an information-disclosure request. Without an account, requesterName
// and contactPhone are required; a signed-in requester's default to their profile.
type DisclosureInput struct {
	// DepartmentID is the administrative organ asked (an org unit of kind department).
	DepartmentID  string `json:"departmentId" validate:"required,id"`
	RequesterKind string `json:"requesterKind,omitempty" validate:"omitempty,oneof=naturalPerson legalPerson" example:"naturalPerson"`
	RequesterName string `json:"requesterName,omitempty" validate:"max=200,plaintext" example:"张三"`
	ContactPhone  string `json:"contactPhone,omitempty" validate:"max=32,plaintext" example:"13900000000"`
	// ContactAddress is the postal address or email for delivery by post or email.
	ContactAddress string `json:"contactAddress,omitempty" validate:"max=500" example:"广西北流市城南路1号"`
	Description    string `json:"description" validate:"required,max=4000" example:"2025年北流市城区道路改造工程的招标文件"`
	Purpose        string `json:"purpose,omitempty" validate:"max=1000"`
	// Delivery is how to receive the information: online (an account's notifications), email,
	// post or pickup; default online with an account, post without.
	Delivery string `json:"delivery,omitempty" validate:"omitempty,oneof=online email post pickup" example:"online"`
}

// DisclosureView is a request with the state of its handling.
type DisclosureView struct {
	store.DisclosureRequest
	// Status is the request's process status: starting, active, completed.
	Status string `json:"status" example:"active"`
	// Steps are the steps open now (申请登记, 交办, 答复申请人); OpenTasks the same with their
	// task ids, for staff and systems (the inbox lists applications only).
	Steps     []string   `json:"steps"`
	OpenTasks []OpenStep `json:"openTasks,omitempty"`
	// DueAt is when the reply is due (moved by an extension); PromisedDays the limit.
	DueAt        *time.Time `json:"dueAt,omitempty"`
	PromisedDays *float64   `json:"promisedDays,omitempty" example:"20"`
	// ReplyType is the reply's outcome (disclose, partial, withhold, notHeld, notOurs) and
	// Reply its text, once replied.
	ReplyType string `json:"replyType,omitempty" example:"disclose"`
	Reply     string `json:"reply,omitempty"`
}

// OpenStep is an open step of a request's case.
type OpenStep struct {
	TaskID  string `json:"taskId"`
	Element string `json:"element" example:"reply"`
	Name    string `json:"name" example:"答复申请人"`
}

// FileDisclosure files a request for the actor (nil: someone without an account) and starts
// its handling in the same transaction.
func (a *App) FileDisclosure(ctx context.Context, p *Actor, in DisclosureInput) (*DisclosureView, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	r := &store.DisclosureRequest{DepartmentID: in.DepartmentID, RequesterKind: firstOf(in.RequesterKind, store.ObjectNaturalPerson),
		RequesterName: strings.TrimSpace(in.RequesterName), ContactPhone: strings.TrimSpace(in.ContactPhone),
		ContactAddress: strings.TrimSpace(in.ContactAddress), Description: strings.TrimSpace(in.Description),
		Purpose: strings.TrimSpace(in.Purpose), Delivery: in.Delivery}
	if p != nil {
		r.RequesterID = &p.UserID
		if u, err := store.GetUser(ctx, a.db, p.UserID); err == nil {
			r.RequesterName = firstOf(r.RequesterName, u.RealName, u.DisplayName)
			r.ContactPhone = firstOf(r.ContactPhone, u.Phone)
		}
	}
	if r.Delivery == "" {
		r.Delivery = store.DeliveryPost
		if p != nil {
			r.Delivery = store.DeliveryOnline
		}
	}
	switch {
	case r.Description == "":
		return nil, store.Invalid("description", "is required: describe the information asked for")
	case r.RequesterName == "":
		return nil, store.Invalid("requesterName", "is required without an account: who asks")
	case r.ContactPhone == "":
		return nil, store.Invalid("contactPhone", "is required without an account: how to reach the requester")
	case !phoneRE.MatchString(r.ContactPhone):
		return nil, store.Invalid("contactPhone", "must be a telephone number, not %q", r.ContactPhone)
	case r.Delivery == store.DeliveryOnline && p == nil:
		return nil, store.Invalid("delivery", "online delivery needs an account: sign in, or choose email, post or pickup")
	case (r.Delivery == store.DeliveryEmail || r.Delivery == store.DeliveryPost) && r.ContactAddress == "":
		return nil, store.Invalid("contactAddress", "is required for delivery by %s", r.Delivery)
	}
	r.ID, r.ProcessCaseID, r.FiledAt = store.NewID(), "D-"+store.NewID(), a.now()
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		start, err := a.disclosureStart(ctx, tx, r)
		if err != nil {
			return err
		}
		if err := store.InsertDisclosure(ctx, tx, r); err != nil {
			return err
		}
		out.Audit(orAnyone(p), "disclosure.file", r.ProcessCaseID, "disclosure:"+r.ID, map[string]any{"department": r.DepartmentID, "delivery": r.Delivery})
		if err := out.event(store.Event{Type: EventDisclosureFiled, CaseID: r.ProcessCaseID, DepartmentID: r.DepartmentID, OccurredAt: r.FiledAt},
			map[string]any{"requestId": r.ID, "caseId": r.ProcessCaseID, "delivery": r.Delivery}); err != nil {
			return err
		}
		return out.Start(*start)
	})
	if err != nil {
		return nil, err
	}
	a.log.Info("information-disclosure request filed", "request", r.ID, "department", r.DepartmentID, "case", r.ProcessCaseID)
	return &DisclosureView{DisclosureRequest: *r, Status: "starting", Steps: []string{}}, nil
}

// disclosureStart checks the department asked and returns the start of the request's case.
func (a *App) disclosureStart(ctx context.Context, q store.Q, r *store.DisclosureRequest) (*engine.CaseInput, error) {
	u, err := store.GetOrgUnit(ctx, q, r.DepartmentID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Kind != store.KindDepartment) {
		return nil, refuse(NotFound, CodeDepartmentNotFound, "no department %s to ask: the request names an administrative organ (an org unit of kind department)",
			r.DepartmentID).onField("departmentId")
	}
	if err != nil {
		return nil, err
	}
	desk, err := a.supervisionDesk(ctx, q, r.DepartmentID)
	if err != nil {
		return nil, err
	}
	handler := desk
	if codes, err := store.SectionCodes(ctx, q, r.DepartmentID); err != nil {
		return nil, err
	} else if len(codes) > 0 {
		handler = codes[0]
	}
	vars := map[string]any{"requestId": r.ID, "disclosureDesk": desk, "handler": handler, "department": u.Code,
		"requester": deref(r.RequesterID), "contactPhone": r.ContactPhone, "notifyTitle": "政府信息公开申请答复"}
	if r.RequesterID != nil {
		vars["notifyTo"] = *r.RequesterID
	}
	return &engine.CaseInput{CaseID: r.ProcessCaseID, Definition: standard.Disclosure, Initiator: deref(r.RequesterID), Vars: vars,
		Limits:       &engine.Limits{PromisedDays: DisclosureDays, StatutoryDays: DisclosureDays + DisclosureExtend, WarnDays: DisclosureWarnDay},
		CalendarUnit: r.DepartmentID, ReceivedAt: r.FiledAt}, nil
}

// disclosureScope is whose requests actor p reads: every one (nil, all true) for an admin;
// the departments a supervisor oversees, a system's own, a member's units' departments; and
// always the actor's own requests.
func (a *App) disclosureScope(ctx context.Context, p *Actor) (depts []string, all bool, err error) {
	o, supervisor, err := a.oversight(ctx, p)
	if err != nil {
		return nil, false, err
	}
	if supervisor && o == nil {
		return nil, true, nil
	}
	if o != nil {
		depts = append(depts, o.Units...)
	}
	for _, m := range p.Memberships {
		if m.Role == store.RoleApplicant {
			continue
		}
		d, err := departmentOfCode(ctx, a.db, m.OrgUnitCode)
		if err != nil {
			return nil, false, err
		}
		if d != "" {
			depts = append(depts, d)
		}
	}
	return depts, false, nil
}

// disclosureFor reads request id if actor p may: its requester, or staff of its department.
func (a *App) disclosureFor(ctx context.Context, p *Actor, id string) (*store.DisclosureRequest, error) {
	none := refuse(NotFound, "not_found", "no information-disclosure request %s of yours", id)
	r, err := store.GetDisclosure(ctx, a.db, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, none
	}
	if err != nil {
		return nil, err
	}
	if deref(r.RequesterID) == p.UserID {
		return r, nil
	}
	depts, all, err := a.disclosureScope(ctx, p)
	if err != nil {
		return nil, err
	}
	if !all && !slices.Contains(depts, r.DepartmentID) {
		return nil, none
	}
	return r, nil
}

// Disclosure reads a request and the state of its handling.
func (a *App) Disclosure(ctx context.Context, p *Actor, id string) (*DisclosureView, error) {
	r, err := a.disclosureFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v, err := a.disclosureView(ctx, r)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() {
		v.OpenTasks = nil
	}
	return v, nil
}

func (a *App) disclosureView(ctx context.Context, r *store.DisclosureRequest) (*DisclosureView, error) {
	v := &DisclosureView{DisclosureRequest: *r, Status: "starting", Steps: []string{}}
	row, err := store.GetCaseState(ctx, a.db, r.ProcessCaseID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v, nil // not started yet
	case err != nil:
		return nil, err
	}
	v.Status, v.DueAt, v.PromisedDays = row.Status, row.DueAt, row.PromisedDays
	tasks, err := store.CaseTasks(ctx, a.db, r.ProcessCaseID, "open")
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		v.Steps = append(v.Steps, t.Name)
		v.OpenTasks = append(v.OpenTasks, OpenStep{TaskID: PublicID(t.ID), Element: t.ElementID, Name: t.Name})
	}
	if store.CaseEnded(row.Status) {
		k, err := store.GetAnyCase(ctx, a.db, r.ProcessCaseID)
		if err != nil {
			return nil, err
		}
		vars := k.Vars()
		v.ReplyType, v.Reply = varString(vars, definitions.VarOutcome), varString(vars, "reply")
	}
	return v, nil
}

// DisclosureQuery selects requests.
type DisclosureQuery struct {
	DepartmentID string
	Page         Page
}

// Disclosures lists the requests the actor may read, newest first: an admin's every one, a
// supervisor's those of the departments they oversee, staff and systems their departments',
// and anyone's own.
func (a *App) Disclosures(ctx context.Context, p *Actor, q DisclosureQuery) (*List[store.DisclosureRequest], error) {
	f := store.DisclosureFilter{Limit: q.Page.limit() + 1}
	depts, all, err := a.disclosureScope(ctx, p)
	if err != nil {
		return nil, err
	}
	switch {
	case all && q.DepartmentID != "":
		f.Departments = []string{q.DepartmentID}
	case all:
	case len(depts) == 0:
		f.RequesterID = p.UserID
	case q.DepartmentID != "" && !slices.Contains(depts, q.DepartmentID):
		return nil, refuse(Forbidden, CodeForbidden, "%s reads the requests to its own departments only", p.Username).onField("departmentId")
	case q.DepartmentID != "":
		f.Departments = []string{q.DepartmentID}
	default:
		f.Departments = depts
	}
	if f.BeforeAt, f.BeforeID, err = keysetTimeID(q.Page); err != nil {
		return nil, err
	}
	rs, err := store.ListDisclosures(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	return keysetPage(rs, q.Page, func(r store.DisclosureRequest) []string { return timeIDKey(r.FiledAt, r.ID) }), nil
}

// ExtendRequest extends a request's limit with the reason the requester is told.
type ExtendRequest struct {
	Reason string `json:"reason" validate:"required,max=1000" example:"所需信息涉及多个部门，需征求第三方意见"`
	// Days is the extension in working days (1 to 20, default 20).
	Days float64 `json:"days,omitempty" validate:"omitempty,min=1,max=20" example:"20"`
}

// ExtendDisclosure extends the limit of a request once, by up to 20 working days with a
// reason: who may act on its open step (or a supervisor over its department) extends it, the
// requester is told, and the reply's due time moves.
func (a *App) ExtendDisclosure(ctx context.Context, p *Actor, id string, in ExtendRequest) (*DisclosureView, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	r, err := a.disclosureFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(in.Reason)
	if len([]rune(reason)) < 4 {
		return nil, store.Invalid("reason", "say why the reply needs more time: the requester is told")
	}
	days := in.Days
	if days == 0 {
		days = DisclosureExtend
	}
	if r.ExtendedAt != nil {
		return nil, refuse(Conflict, CodeAlreadyExtended, "the limit of request %s was extended on %s already: it is extended once",
			r.ID, r.ExtendedAt.In(store.CaseZone).Format("2006-01-02"))
	}
	row, err := store.GetCaseState(ctx, a.db, r.ProcessCaseID)
	if err != nil {
		return nil, err
	}
	if store.CaseEnded(row.Status) {
		return nil, refuse(Conflict, CodeRequestClosed, "request %s has been replied to: there is nothing to extend", r.ID)
	}
	if err := a.mayExtend(ctx, p, r); err != nil {
		return nil, err
	}
	now := a.now()
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		err := store.ExtendDisclosure(ctx, tx, r.ID, p.UserID, reason, now)
		out.Audit(p, "disclosure.extend", r.ProcessCaseID, "disclosure:"+r.ID, map[string]any{"reason": reason, "days": days})
		if errors.Is(err, store.ErrConflict) {
			return refuse(Conflict, CodeAlreadyExtended, "the limit of request %s was extended already: it is extended once", r.ID)
		}
		if err != nil {
			return err
		}
		if err := store.RecordAction(ctx, tx, &store.Action{CaseID: r.ProcessCaseID, Action: store.ActionExtend, ActorID: p.UserID,
			ActorName: p.DisplayName, Comment: reason, Public: true, At: now, Detail: map[string]any{"reason": reason, "days": days}}); err != nil {
			return err
		}
		body := "您的政府信息公开申请（" + r.ID + "）因" + reason + "，答复期限延长" + strconv.FormatFloat(days, 'f', -1, 64) + "个工作日。"
		note := &store.Notification{Source: "extend:" + r.ID, Kind: "message", CaseID: r.ProcessCaseID, Title: "延期答复告知书", Body: body}
		if r.RequesterID != nil {
			note.Recipient, note.UserID = *r.RequesterID, *r.RequesterID
		} else {
			note.Recipient = "tel:" + r.ContactPhone
		}
		if err := store.AddNotification(ctx, tx, note); err != nil {
			return err
		}
		if err := out.event(store.Event{Type: EventDisclosureExtended, CaseID: r.ProcessCaseID, DepartmentID: r.DepartmentID, OccurredAt: now},
			map[string]any{"requestId": r.ID, "caseId": r.ProcessCaseID, "days": days, "reason": reason}); err != nil {
			return err
		}
		return out.Signal(engine.ExtendClock(r.ProcessCaseID, "extension:"+r.ID, days, reason))
	})
	if err != nil {
		return nil, err
	}
	r.ExtendedAt, r.ExtendedBy, r.ExtensionReason = &now, p.UserID, reason
	return a.disclosureView(ctx, r)
}

// mayExtend lets through who may act on an open step of the request, and the supervisors
// over its department (and admins).
func (a *App) mayExtend(ctx context.Context, p *Actor, r *store.DisclosureRequest) error {
	if ok, err := a.hasRoleOver(ctx, p, store.RoleSupervisor, r.DepartmentID); err != nil || ok || p.HasRole(store.RoleAdmin) {
		return err
	}
	tasks, err := store.CaseTasks(ctx, a.db, r.ProcessCaseID, "open")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if _, err := a.CanActOnTask(ctx, p.UserID, t.ID, a.now()); err == nil {
			return nil
		} else if !errors.Is(err, ErrNoAuthority) {
			return err
		}
	}
	return noAuthority("%s may not extend request %s: only who deals with its open step, or a supervisor over its department, extends it", p.Username, r.ID)
}
