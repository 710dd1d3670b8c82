package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"onewindow/store"
)

// CaseTimeline is a case's limits, due dates, pauses (with who started them and why), special
// procedures and alerts, and its events in time order.
type CaseTimeline struct {
	Case       SupervisedCase          `json:"case"`
	Tasks      []TimelineTask          `json:"tasks"`
	Pauses     []TimelinePause         `json:"pauses"`
	Procedures []store.Procedure       `json:"procedures"`
	Alerts     []store.SupervisedAlert `json:"alerts"`
	Events     []TimelineEvent         `json:"events"`
}

// TimelineTask is a step of the case with its own limit and due times.
type TimelineTask struct {
	ID        string     `json:"id"`
	Element   string     `json:"element" example:"review"`
	Name      string     `json:"name" example:"审核"`
	StepKind  *string    `json:"stepKind,omitempty" example:"review"`
	State     string     `json:"state" example:"completed"`
	Assignee  *string    `json:"assignee,omitempty"`
	LimitDays float64    `json:"limitDays,omitempty" example:"3"`
	WarnAt    *time.Time `json:"warnAt,omitempty"`
	DueAt     *time.Time `json:"dueAt,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	ClosedAt  *time.Time `json:"closedAt,omitempty"`
	// Late says the step closed after (or is still open past) its own due time.
	Late bool `json:"late"`
}

// TimelinePause is a stretch of time that did not count.
type TimelinePause struct {
	// Kind is supplement wait's node id, or a special procedure's kind.
	Kind        string     `json:"kind" example:"hearing"`
	Reason      string     `json:"reason" example:"申请人要求听证"`
	From        time.Time  `json:"from"`
	To          *time.Time `json:"to,omitempty"`
	ProcedureID string     `json:"procedureId,omitempty"`
	StartedBy   string     `json:"startedBy,omitempty"`
	EndedBy     string     `json:"endedBy,omitempty"`
}

// Kinds of timeline events.
const (
	EventStarted          = "started"
	EventClockStarted     = "clockStarted"
	EventTaskCreated      = "taskCreated"
	EventTaskClosed       = "taskClosed"
	EventPauseStarted     = "pauseStarted"
	EventPauseEnded       = "pauseEnded"
	EventProcedureStarted = "procedureStarted"
	EventProcedureEnded   = "procedureEnded"
	EventAlert            = "alert"
	EventClockStopped     = "clockStopped"
	EventEnded            = "ended"
)

// TimelineEvent is one thing that happened to the case's clock or steps.
type TimelineEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind" enums:"started,clockStarted,taskCreated,taskClosed,pauseStarted,pauseEnded,procedureStarted,procedureEnded,alert,clockStopped,ended" example:"clockStarted"`
	Text string    `json:"text" example:"accepted at 受理 (acceptance)"`
	Ref  string    `json:"ref,omitempty"`
}

// CaseTimeline reads a case the actor oversees as e-supervision sees it: its clock (started
// when and why), each step with its limit and whether it was late, each pause and special
// procedure with who started it and why, its alerts, and the events in time order. A case
// the actor does not oversee is no case at all.
func (a *App) CaseTimeline(ctx context.Context, p *Actor, id string) (*CaseTimeline, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	id = internalID(id)
	row, err := store.GetCaseState(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	if ok, err := store.Oversees(ctx, a.db, o, id); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	tl := &CaseTimeline{Tasks: []TimelineTask{}, Pauses: []TimelinePause{}}
	tasks, err := store.CaseTasks(ctx, a.db, id, "")
	if err != nil {
		return nil, err
	}
	pauses, err := store.CasePauses(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	if tl.Procedures, err = store.CaseProcedures(ctx, a.db, id); err != nil {
		return nil, err
	}
	if tl.Alerts, err = store.ListAlerts(ctx, a.db, store.AlertFilter{CaseID: id, Limit: 10000}); err != nil {
		return nil, err
	}
	if tl.Case, err = a.timelineCase(ctx, row, tasks, pauses, tl.Alerts); err != nil {
		return nil, err
	}
	now := a.now()
	if row.EndedAt != nil {
		now = *row.EndedAt
	}
	ev := func(at time.Time, kind, text, ref string) {
		tl.Events = append(tl.Events, TimelineEvent{At: at, Kind: kind, Text: text, Ref: ref})
	}
	ev(row.StartedAt, EventStarted, "case started ("+row.DefinitionKey+")", "")
	if row.ClockStartedAt != nil {
		ev(*row.ClockStartedAt, EventClockStarted, "time-limit clock started: "+deref(row.ClockReason), "")
	}
	for _, t := range tasks {
		tt := TimelineTask{ID: PublicID(t.ID), Element: t.ElementID, Name: t.Name, StepKind: t.StepKind, State: t.State, Assignee: t.Assignee,
			LimitDays: t.LimitDays, WarnAt: t.WarnAt, DueAt: t.DueAt, CreatedAt: t.CreatedAt, ClosedAt: t.ClosedAt}
		if t.DueAt != nil {
			end := now
			if t.ClosedAt != nil {
				end = *t.ClosedAt
			}
			tt.Late = end.After(*t.DueAt)
		}
		tl.Tasks = append(tl.Tasks, tt)
		ev(t.CreatedAt, EventTaskCreated, "step "+stepLabel(t.Name, t.ElementID)+" opened", tt.ID)
		if t.ClosedAt != nil {
			ev(*t.ClosedAt, EventTaskClosed, "step "+stepLabel(t.Name, t.ElementID)+" "+t.State, tt.ID)
		}
	}
	procs := map[string]store.Procedure{}
	names := a.namer(ctx)
	for _, pr := range tl.Procedures {
		procs[pr.PauseHolder()] = pr
		kind := procedureWords[pr.Kind]
		if kind.En == "" {
			kind = Words{pr.Kind, pr.Kind}
		}
		ev(pr.StartedAt, EventProcedureStarted, fmt.Sprintf("special procedure (%s) started by %s, the clock paused: %s",
			kind.En, names.user(pr.StartedBy), pr.Reason), pr.ID)
		if pr.EndedAt != nil {
			text := fmt.Sprintf("special procedure (%s) ended by %s, the clock runs again", kind.En, names.user(deref(pr.EndedBy)))
			if note := deref(pr.EndNote); note != "" {
				text += ": " + note
			}
			ev(*pr.EndedAt, EventProcedureEnded, text, pr.ID)
		}
	}
	for _, ps := range pauses {
		tp := TimelinePause{Kind: ps.Kind, Reason: ps.Reason, From: ps.StartedAt, To: ps.EndedAt}
		if pr, ok := procs[ps.Holder]; ok {
			// The procedure's own events say who paused the clock and why.
			tp.ProcedureID, tp.StartedBy, tp.EndedBy = pr.ID, pr.StartedBy, deref(pr.EndedBy)
			tl.Pauses = append(tl.Pauses, tp)
			continue
		}
		tl.Pauses = append(tl.Pauses, tp)
		ev(ps.StartedAt, EventPauseStarted, "clock paused ("+ps.Kind+"): "+ps.Reason, "")
		if ps.EndedAt != nil {
			ev(*ps.EndedAt, EventPauseEnded, "clock runs again after "+ps.Kind, "")
		}
	}
	for _, al := range tl.Alerts {
		text := al.Kind + " (" + al.Scope + ")"
		if al.Rule != nil {
			text += ": " + *al.Rule
		}
		ev(al.FiredAt, EventAlert, text, al.ID)
	}
	publicAlerts(tl.Alerts)
	for i := range tl.Procedures {
		tl.Procedures[i].CaseID = PublicID(tl.Procedures[i].CaseID)
	}
	if row.ClockStoppedAt != nil {
		ev(*row.ClockStoppedAt, EventClockStopped, "time-limit clock stopped", "")
	}
	if row.EndedAt != nil {
		ev(*row.EndedAt, EventEnded, "case "+row.Status, "")
	}
	sort.SliceStable(tl.Events, func(i, j int) bool { return tl.Events[i].At.Before(tl.Events[j].At) })
	return tl, nil
}

// timelineCase computes the supervision figures of a case, open or ended, for its timeline.
func (a *App) timelineCase(ctx context.Context, row *store.CaseState, tasks []store.Task, pauses []store.Pause,
	alerts []store.SupervisedAlert) (SupervisedCase, error) {
	oc := store.OpenCase{CaseState: *row}
	var err error
	if oc.ItemDepartmentID, err = store.CaseItemDepartment(ctx, a.db, row.ID); err != nil {
		return SupervisedCase{}, err
	}
	for _, t := range tasks {
		if t.State == "open" {
			oc.OpenTasks++
		}
	}
	for _, al := range alerts {
		switch al.Kind {
		case store.AlertWarning:
			oc.Warnings++
		case store.AlertOverdue:
			oc.Overdue++
		default:
			oc.Violations++
		}
	}
	codes, err := store.UnitIDsByCode(ctx, a.db)
	if err != nil {
		return SupervisedCase{}, err
	}
	now := a.now()
	if row.EndedAt != nil {
		now = *row.EndedAt
	}
	sc, err := a.supervise(ctx, &oc, pauses, codes, now)
	if err != nil || !store.CaseEnded(row.Status) {
		return sc, err
	}
	sc.State = StateEnded
	if row.DueAt != nil && row.EndedAt != nil && row.EndedAt.After(*row.DueAt) {
		sc.State = StateEndedLate
	}
	return sc, nil
}

func stepLabel(name, element string) string {
	if name == "" || strings.EqualFold(name, element) {
		return element
	}
	return name + " (" + element + ")"
}
