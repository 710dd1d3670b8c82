package app

// Events out: what happened to cases, for department systems and other subscribers. The use
// cases record their events through the outbox (Outbox.Event) in the transaction of the
// change, and what the engine does (warnings, overdue, the end of a case) comes through the
// App's engine hooks under a source of its own, once however often the hook runs. Systems
// read them from the feed (Events) or receive them as webhooks (webhooks.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// Event types.
const (
	EventCaseCreated        = "case.created"        // an application was submitted
	EventCaseAccepted       = "case.accepted"       // its acceptance completed with accept (受理)
	EventNoticeIssued       = "notice.issued"       // a notify-once notice was issued (一次性告知)
	EventCaseSupplemented   = "case.supplemented"   // the applicant handed in a supplement (补正)
	EventStepCompleted      = "step.completed"      // someone completed a step (a task)
	EventCaseWarning        = "case.warning"        // a yellow warning fired (预警)
	EventCaseOverdue        = "case.overdue"        // a red overdue alert fired (超时)
	EventCaseDecided        = "case.decided"        // a decision was made (准予, 不予准予, 不予受理)
	EventCaseFinished       = "case.finished"       // the case ended
	EventCaseRated          = "case.rated"          // the applicant rated it (好差评)
	EventComplaintFiled     = "complaint.filed"     // a complaint was filed (投诉)
	EventDisclosureFiled    = "disclosure.filed"    // an information-disclosure request was filed (依申请公开)
	EventDisclosureExtended = "disclosure.extended" // its time limit was extended
	EventWebhookDisabled    = "webhook.disabled"    // a subscription was disabled after a day of failures
)

// EventTypes lists the event types.
var EventTypes = []string{EventCaseCreated, EventCaseAccepted, EventNoticeIssued, EventCaseSupplemented, EventStepCompleted,
	EventCaseWarning, EventCaseOverdue, EventCaseDecided, EventCaseFinished, EventCaseRated, EventComplaintFiled,
	EventDisclosureFiled, EventDisclosureExtended, EventWebhookDisabled}

// caseEvent records an event of case k at time at: its data are the case's public ids and
// numbers and data, never the applicant's personal data (a receiver reads the case through
// the API with its own authority).
func (o *Outbox) caseEvent(typ string, k *store.Case, at time.Time, data map[string]any) error {
	dept, err := o.departmentOf(k.ID)
	if err != nil {
		return fmt.Errorf("event %s of case %s: %w", typ, k.ID, err)
	}
	d := map[string]any{"caseId": PublicID(k.ID)}
	if k.Number != "" {
		d["number"], d["itemId"], d["itemCode"], d["itemName"] = k.Number, k.ItemID, k.ItemCode, k.ItemName
	}
	for key, v := range data {
		d[key] = v
	}
	return o.event(store.Event{Type: typ, CaseID: k.ID, DepartmentID: dept, OccurredAt: at}, d)
}

// departmentOf is the department a case's events concern: its item's, or for an
// information-disclosure request the department asked ("" for other cases).
func (o *Outbox) departmentOf(caseID string) (string, error) {
	dept, err := store.CaseItemDepartment(o.ctx, o.tx, caseID)
	if err != nil || dept != "" {
		return dept, err
	}
	r, err := store.DisclosureByCase(o.ctx, o.tx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return r.DepartmentID, nil
}

// event records e with data d.
func (o *Outbox) event(e store.Event, d map[string]any) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", e.Type, err)
	}
	e.Data = raw
	o.Event(e)
	return nil
}

// completionEvents records what a task's completion did: the step, and the acceptance, notice
// or decision it made.
func (o *Outbox) completionEvents(tc *taskCtx, x *store.Action, notice *store.Notice, accepting bool) error {
	step := map[string]any{"taskId": PublicID(tc.t.ID), "element": tc.t.ElementID, "step": tc.t.Name, "stepKind": deref(tc.t.StepKind),
		"outcome": x.Outcome, "by": tc.p.Username, "authority": x.Authority, "unitCode": x.UnitCode}
	if err := o.caseEvent(EventStepCompleted, tc.k, x.At, step); err != nil {
		return err
	}
	if accepting {
		if err := o.caseEvent(EventCaseAccepted, tc.k, x.At, nil); err != nil {
			return err
		}
	}
	if notice != nil {
		names := make([]string, len(notice.Materials))
		for i, m := range notice.Materials {
			names[i] = m.Name
		}
		if err := o.caseEvent(EventNoticeIssued, tc.k, x.At, map[string]any{"noticeId": notice.ID, "materials": names}); err != nil {
			return err
		}
	}
	if d, _ := x.Detail["decision"].(string); d != "" {
		return o.caseEvent(EventCaseDecided, tc.k, x.At, map[string]any{"decision": d, "stepKind": deref(tc.t.StepKind)})
	}
	return nil
}

// alertEvent records the warning or overdue alert alertID the engine raised, once per alert;
// a rule violation is no event.
func (o *Outbox) alertEvent(alertID string) error {
	al, err := store.GetAlert(o.ctx, o.tx, alertID)
	if err != nil {
		return err
	}
	typ := map[string]string{store.AlertWarning: EventCaseWarning, store.AlertOverdue: EventCaseOverdue}[al.Kind]
	if typ == "" {
		return nil
	}
	d := map[string]any{"caseId": PublicID(al.CaseID), "alertId": PublicID(al.ID), "scope": al.Scope, "due": al.DueAt}
	if al.TaskID != nil {
		d["taskId"], d["element"], d["stepKind"] = PublicID(*al.TaskID), deref(al.ElementID), deref(al.StepKind)
	}
	if k, err := store.GetAnyCase(o.ctx, o.tx, al.CaseID); err == nil && k.Number != "" {
		d["number"] = k.Number
	}
	return o.event(store.Event{Type: typ, CaseID: al.CaseID, DepartmentID: deref(al.DepartmentID), Source: "alert:" + al.ID,
		OccurredAt: al.FiredAt}, d)
}

// endEvent records the end of an application or a disclosure request (once per case).
func (o *Outbox) endEvent(caseID, status string, at time.Time) error {
	k, err := store.GetAnyCase(o.ctx, o.tx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // no case row to describe (the batch that ended it writes one): nothing to tell, and nothing to retry
	}
	if err != nil {
		return err
	}
	d := map[string]any{"caseId": PublicID(caseID), "status": status}
	switch {
	case k.Number != "":
		d["number"], d["itemId"], d["itemCode"], d["decision"] = k.Number, k.ItemID, k.ItemCode, k.Decision
	case k.DefinitionKey == standard.Disclosure:
		d["kind"], d["replyType"] = "disclosure", varString(k.Vars(), definitions.VarOutcome)
	default:
		return nil // a complaint, a rectification, a child case: not a case of its own to other systems
	}
	dept, err := o.departmentOf(caseID)
	if err != nil {
		return err
	}
	return o.event(store.Event{Type: EventCaseFinished, CaseID: caseID, DepartmentID: dept, Source: "end:" + caseID, OccurredAt: at}, d)
}

// EventQuery selects events of the feed.
type EventQuery struct {
	Types        []string
	DepartmentID string
	CaseID       string
	Page         Page
}

// Events reads the event feed after the page's cursor, oldest first: a department system its
// department's events, an admin every event (or one department's). The last page has no next
// cursor: poll again with the cursor of the last event read.
func (a *App) Events(ctx context.Context, p *Actor, q EventQuery) (*List[store.Event], error) {
	depts, err := a.eventScope(ctx, p, q.DepartmentID)
	if err != nil {
		return nil, err
	}
	types, err := checkEventTypes("types", q.Types)
	if err != nil {
		return nil, err
	}
	seq, err := keysetSeq(q.Page)
	if err != nil {
		return nil, err
	}
	evs, err := store.ListEvents(ctx, a.db, store.EventFilter{After: seq, Types: types, Departments: depts, CaseID: internalID(q.CaseID),
		Limit: q.Page.limit() + 1})
	if err != nil {
		return nil, err
	}
	for i := range evs {
		evs[i].CaseID = PublicID(evs[i].CaseID)
	}
	l := keysetPage(evs, q.Page, func(e store.Event) []string { return seqKey(e.Seq) })
	if l.Next == "" && len(l.Items) > 0 {
		// The end of the feed for now: the cursor to poll with next time.
		l.Next = keysetCursor(seqKey(l.Items[len(l.Items)-1].Seq)...)
	} else if l.Next == "" {
		l.Next = q.Page.After
	}
	return l, nil
}

// eventScope is the departments whose events actor p reads (nil: every department): a
// system's own departments, or for an admin every department or the one asked for.
func (a *App) eventScope(ctx context.Context, p *Actor, department string) ([]string, error) {
	switch {
	case p.HasRole(store.RoleAdmin):
		if department != "" {
			return []string{department}, nil
		}
		return nil, nil
	case p.Kind == store.UserSystem:
		depts := systemDepartments(p)
		if department != "" {
			if !slices.Contains(depts, department) {
				return nil, refuse(Forbidden, CodeForbidden, "%s reads the events of its own department only", p.Username).onField("departmentId")
			}
			return []string{department}, nil
		}
		if len(depts) == 0 {
			return nil, refuse(Forbidden, CodeForbidden, "%s is a system of no department: an admin gives it the role system in its department", p.Username)
		}
		return depts, nil
	}
	return nil, refuse(Forbidden, CodeForbidden, "the event feed is for department systems and admins; %s has %s", p.Username, describeRoles(p.Roles))
}

// checkEventTypes checks a list of event types (field names the request field).
func checkEventTypes(field string, types []string) ([]string, error) {
	var out []string
	for _, t := range types {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !slices.Contains(EventTypes, t) {
			return nil, store.Invalid(field, "%q is not an event type; use some of %s", t, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}
