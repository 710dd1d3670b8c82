package app

// The engine's operations: a case as the engine sees it and the incidents across cases, for
// admins and for supervisors within their org unit's subtree; and the repairs only admins
// make (retry an incident, set variables, cancel, deliver a message, broadcast a signal).
// Ids holding "/" (incidents, waits, a call activity's case) are shown with "~" (PublicID)
// and accepted in either form.

import (
	"context"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Codes of the engine operations.
const (
	CodeCaseEnded        = "case_ended"        // 409: the case has ended
	CodeChildCase        = "child_case"        // 409: a call activity's case is cancelled with its parent
	CodeIncidentResolved = "incident_resolved" // 409: the incident was already resolved
	CodeNoWait           = "no_wait"           // 409: the case does not wait for that message
)

// engineReaders read the engine's view of cases; engineRepairers repair them.
var (
	engineReaders   = []string{store.RoleAdmin, store.RoleSupervisor}
	engineRepairers = []string{store.RoleAdmin}
)

// CaseEngineView is a case as the engine's read model shows it: its row, the cases its call
// activities started, every task, timer, message or signal wait and incident, open or closed,
// and its element history.
type CaseEngineView struct {
	Case          store.CaseState      `json:"case"`
	Children      []store.CaseState    `json:"children"`
	Tasks         []store.Task         `json:"tasks"`
	Timers        []store.Timer        `json:"timers"`
	Subscriptions []store.MessageWait  `json:"subscriptions"`
	Incidents     []store.Incident     `json:"incidents"`
	History       []store.ElementEvent `json:"history"`
}

// engineCase returns the internal id of case id if actor p may read it as the engine sees
// it: an admin any case, a supervisor a case in the scope of their org unit's subtree (a
// call activity's case by its root case). Any other case looks like none.
func (a *App) engineCase(ctx context.Context, p *Actor, id string) (string, error) {
	if err := allowRoles(p, "the engine's view of cases", engineReaders...); err != nil {
		return "", err
	}
	id = internalID(id)
	if p.HasRole(store.RoleAdmin) {
		return id, nil
	}
	root, _, _ := strings.Cut(id, "/")
	if _, err := a.caseFor(ctx, p, root); err != nil {
		return "", err
	}
	return id, nil
}

// CaseEngine reads case id as the engine sees it, variables included.
func (a *App) CaseEngine(ctx context.Context, p *Actor, id string) (*CaseEngineView, error) {
	id, err := a.engineCase(ctx, p, id)
	if err != nil {
		return nil, err
	}
	row, err := store.GetCaseState(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	v := &CaseEngineView{Case: *row}
	reads := []func() error{
		func() (err error) { v.Children, err = store.ChildCases(ctx, a.db, id); return },
		func() (err error) { v.Tasks, err = store.CaseTasks(ctx, a.db, id, ""); return },
		func() (err error) { v.Timers, err = store.CaseTimers(ctx, a.db, id, ""); return },
		func() (err error) { v.Subscriptions, err = store.CaseSubscriptions(ctx, a.db, id, ""); return },
		func() (err error) { v.Incidents, err = store.CaseIncidents(ctx, a.db, id, ""); return },
		func() (err error) { v.History, err = store.CaseHistory(ctx, a.db, id); return },
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return nil, err
		}
	}
	publicCaseState(&v.Case)
	for i := range v.Children {
		publicCaseState(&v.Children[i])
	}
	for i := range v.Tasks {
		v.Tasks[i].ID, v.Tasks[i].CaseID = PublicID(v.Tasks[i].ID), PublicID(v.Tasks[i].CaseID)
	}
	for i := range v.Timers {
		v.Timers[i].ID = PublicID(v.Timers[i].ID)
	}
	for i := range v.Subscriptions {
		v.Subscriptions[i].ID = PublicID(v.Subscriptions[i].ID)
	}
	for i := range v.Incidents {
		publicIncident(&v.Incidents[i])
	}
	for i := range v.History {
		v.History[i].InstanceID = PublicID(v.History[i].InstanceID)
	}
	return v, nil
}

func publicCaseState(r *store.CaseState) {
	r.ID = PublicID(r.ID)
	if r.ParentCaseID != nil {
		p := PublicID(*r.ParentCaseID)
		r.ParentCaseID = &p
	}
}

func publicIncident(x *store.Incident) { x.ID, x.CaseID = PublicID(x.ID), PublicID(x.CaseID) }

// IncidentQuery filters incidents; zero fields match everything.
type IncidentQuery struct {
	State         string
	CaseID        string
	DefinitionKey string
	Page          Page
}

// Incidents lists incidents across cases, oldest first: an admin's of every case, a
// supervisor's of the cases in their scope.
func (a *App) Incidents(ctx context.Context, p *Actor, q IncidentQuery) (*List[store.Incident], error) {
	if err := allowRoles(p, "the incidents", engineReaders...); err != nil {
		return nil, err
	}
	f := store.IncidentFilter{State: q.State, CaseID: internalID(q.CaseID), DefinitionKey: q.DefinitionKey, Limit: q.Page.limit() + 1}
	var err error
	if f.AfterAt, f.AfterID, err = keysetTimeID(q.Page); err != nil {
		return nil, err
	}
	if !p.HasRole(store.RoleAdmin) {
		if f.Scope, err = a.caseScope(ctx, p); err != nil {
			return nil, err
		}
	}
	list, err := store.ListIncidents(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		publicIncident(&list[i])
	}
	return keysetPage(list, q.Page, func(x store.Incident) []string { return timeIDKey(x.CreatedAt, internalID(x.ID)) }), nil
}

// Variables are process variables (JSON values by name) an operation sets on a case.
type Variables struct {
	Variables map[string]any `json:"variables" validate:"omitempty,dive,keys,min=1,max=128,endkeys"`
}

// SetVariablesRequest sets process variables; variables it does not name keep their values.
type SetVariablesRequest struct {
	Variables map[string]any `json:"variables" validate:"required,min=1,dive,keys,min=1,max=128,endkeys"`
}

// OperationAccepted says that an operation was handed to the case: the engine carries it
// out asynchronously (watch GET /api/v1/cases/{id}/engine).
type OperationAccepted struct {
	CaseID    string `json:"caseId" example:"C-01jd5q3k8m0000000000000000"`
	Operation string `json:"operation" enums:"retry,setVariables,cancel,message" example:"retry"`
	// Target is the incident retried or the wait the message went to.
	Target string `json:"target,omitempty" example:"C-01jd5q3k8m0000000000000000~x1"`
}

// operate runs an admin's repair of a case: build checks it in a transaction and returns the
// signal that carries it, which goes through the outbox with that transaction.
func (a *App) operate(ctx context.Context, p *Actor, build func(tx *sqlx.Tx) (engine.OutboxSignal, *OperationAccepted, error)) (*OperationAccepted, error) {
	if err := allowRoles(p, "repairing cases", engineRepairers...); err != nil {
		return nil, err
	}
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	var done *OperationAccepted
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		sig, acc, err := build(tx)
		if err != nil {
			return err
		}
		done = acc
		out.Audit(p, "operation."+acc.Operation, acc.CaseID, "case:"+acc.CaseID, sig.Signal)
		return out.Signal(sig)
	})
	if err != nil {
		return nil, err
	}
	done.CaseID, done.Target = PublicID(done.CaseID), PublicID(done.Target)
	return done, nil
}

// RetryIncident sets vars on the incident's case and runs its element again.
func (a *App) RetryIncident(ctx context.Context, p *Actor, id string, in Variables) (*OperationAccepted, error) {
	id = internalID(id)
	return a.operate(ctx, p, func(tx *sqlx.Tx) (engine.OutboxSignal, *OperationAccepted, error) {
		x, err := store.GetIncident(ctx, tx, id)
		if err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		if x.State != store.IncidentOpen {
			return engine.OutboxSignal{}, nil, refuse(Conflict, CodeIncidentResolved, "incident %s is %s: nothing to retry", PublicID(id), x.State)
		}
		sig, err := engine.RetryIncident(x.ID, in.Variables)
		return sig, &OperationAccepted{CaseID: x.CaseID, Operation: "retry", Target: id}, err
	})
}

// SetCaseVariables sets variables on running case id; those it does not name keep their
// values.
func (a *App) SetCaseVariables(ctx context.Context, p *Actor, id string, in SetVariablesRequest) (*OperationAccepted, error) {
	id = internalID(id)
	return a.operate(ctx, p, func(tx *sqlx.Tx) (engine.OutboxSignal, *OperationAccepted, error) {
		if _, err := runningCase(ctx, tx, id); err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		return engine.SetVariables(id, in.Variables), &OperationAccepted{CaseID: id, Operation: "setVariables"}, nil
	})
}

// CancelCase cancels running case id: its tasks, timers and child cases end. A case started
// by a call activity is cancelled with its parent.
func (a *App) CancelCase(ctx context.Context, p *Actor, id string) (*OperationAccepted, error) {
	id = internalID(id)
	return a.operate(ctx, p, func(tx *sqlx.Tx) (engine.OutboxSignal, *OperationAccepted, error) {
		row, err := runningCase(ctx, tx, id)
		if err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		if row.ParentCaseID != nil {
			// The parent's call activity would wait for a child that no longer runs.
			return engine.OutboxSignal{}, nil, refuse(Conflict, CodeChildCase, "case %s was started by a call activity of case %s: cancel that case",
				PublicID(id), PublicID(*row.ParentCaseID))
		}
		return engine.CancelCase(id), &OperationAccepted{CaseID: id, Operation: "cancel"}, nil
	})
}

// DeliverMessage delivers message name to case id's oldest open wait for it (a message catch
// event, receive task or message boundary event), setting in's variables on the case.
func (a *App) DeliverMessage(ctx context.Context, p *Actor, id, name string, in Variables) (*OperationAccepted, error) {
	id = internalID(id)
	return a.operate(ctx, p, func(tx *sqlx.Tx) (engine.OutboxSignal, *OperationAccepted, error) {
		if _, err := runningCase(ctx, tx, id); err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		w, err := store.CaseMessageWait(ctx, tx, id, name)
		if errors.Is(err, store.ErrNotFound) {
			return engine.OutboxSignal{}, nil, refuse(Conflict, CodeNoWait, "case %s does not wait for message %q", PublicID(id), name)
		}
		if err != nil {
			return engine.OutboxSignal{}, nil, err
		}
		sig, err := engine.DeliverMessage(w.ID, name, in.Variables)
		return sig, &OperationAccepted{CaseID: id, Operation: "message", Target: w.ID}, err
	})
}

// SignalBroadcast reports how many waits a signal reached.
type SignalBroadcast struct {
	Name      string `json:"name" example:"policyChanged"`
	Delivered int    `json:"delivered" example:"3"`
}

// BroadcastSignal broadcasts BPMN signal name to every case waiting for it, setting in's
// variables on each: one signal per open wait, through the outbox.
func (a *App) BroadcastSignal(ctx context.Context, p *Actor, name string, in Variables) (*SignalBroadcast, error) {
	if err := allowRoles(p, "repairing cases", engineRepairers...); err != nil {
		return nil, err
	}
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	// A wait that opens after this read hears no signal sent before it, as in BPMN.
	subs, err := store.Engine{DB: a.db}.SignalSubscriptions(ctx, name, "")
	if err != nil {
		return nil, err
	}
	err = a.change(ctx, func(_ *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "operation.broadcast", "", "signal:"+name, map[string]any{"variables": in.Variables, "waits": len(subs)})
		for _, s := range subs {
			sig := engine.OutboxSignal{CaseID: s.CaseID, Channel: s.WaitID, Signal: engine.Signal{Kind: engine.SignalBroadcast, Name: name, Vars: in.Variables}}
			if err := out.Signal(sig); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SignalBroadcast{Name: name, Delivered: len(subs)}, nil
}

// runningCase returns the case's row, not found, or a case_ended refusal.
func runningCase(ctx context.Context, q store.Q, id string) (*store.CaseState, error) {
	row, err := store.GetCaseState(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if store.CaseEnded(row.Status) {
		return nil, refuse(Conflict, CodeCaseEnded, "case %s has ended (%s)", PublicID(id), row.Status)
	}
	return row, nil
}
