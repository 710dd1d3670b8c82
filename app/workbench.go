package app

// Use cases the workbench (issue 12) needs beyond the other areas: a case's flowchart with the
// state of each element, the done list (已办), the time an item's cases spent in each step
// (决策参考), and acknowledging alerts.

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// Element states on a case's diagram.
const (
	ElementDone        = "done"        // completed at least once and not active now
	ElementCurrent     = "current"     // active now
	ElementCountersign = "countersign" // a countersign (multi-instance step) active now
)

// DiagramElement is the state of one BPMN element of a case.
type DiagramElement struct {
	ElementID string `json:"elementId" example:"review"`
	State     string `json:"state" enums:"done,current,countersign" example:"countersign"`
	// Open and Completed count the element's instances active now and completed; for a
	// countersign, the signers still to sign and those who signed.
	Open      int `json:"open" example:"2"`
	Completed int `json:"completed" example:"1"`
}

// CaseDiagram is the flowchart (BPMN 2.0 XML with its diagram) of the process version a case
// runs, with the state of each element the case has reached, for a viewer to colour.
type CaseDiagram struct {
	CaseID            string           `json:"caseId"`
	DefinitionKey     string           `json:"definitionKey" example:"std-parallel"`
	DefinitionVersion int              `json:"definitionVersion" example:"1"`
	XML               string           `json:"xml"`
	Elements          []DiagramElement `json:"elements"`
}

// CaseDiagram returns the flowchart of a case with its done steps, current steps and running
// countersigns, for whoever may see the case.
func (a *App) CaseDiagram(ctx context.Context, p *Actor, id string) (*CaseDiagram, error) {
	k, err := a.caseFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	def, err := store.GetDefinition(ctx, a.db, k.DefinitionKey, k.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	hist, err := store.CaseHistory(ctx, a.db, k.ID)
	if err != nil {
		return nil, err
	}
	tasks, err := store.CaseTasks(ctx, a.db, k.ID, "")
	if err != nil {
		return nil, err
	}
	waits, err := store.CaseSubscriptions(ctx, a.db, k.ID, "open")
	if err != nil {
		return nil, err
	}
	return &CaseDiagram{CaseID: PublicID(k.ID), DefinitionKey: def.Key, DefinitionVersion: def.Version, XML: string(def.XML),
		Elements: elementStates(hist, tasks, waits)}, nil
}

// elementStates says where a case is: an element is current while one of its tasks is open (a
// countersign when the task is one of several instances) or the case waits at it for a message
// or signal; done when the case passed it (entered it in its history) and is not there now.
func elementStates(hist []store.ElementEvent, tasks []store.Task, waits []store.MessageWait) []DiagramElement {
	type counts struct {
		open, completed int
		multi           bool
	}
	by := map[string]*counts{}
	var order []string
	get := func(el string) *counts {
		c := by[el]
		if c == nil {
			c = &counts{}
			by[el] = c
			order = append(order, el)
		}
		return c
	}
	for _, h := range hist {
		if h.ElementID != "" {
			c := get(h.ElementID)
			if h.Kind == "completed" {
				c.completed++
			}
		}
	}
	for _, t := range tasks {
		c := get(t.ElementID)
		c.multi = c.multi || t.LoopCounter >= 0
		if t.State == "open" || t.State == "completing" {
			c.open++
		}
	}
	for _, w := range waits {
		get(w.ElementID).open++
	}
	out := []DiagramElement{}
	for _, el := range order {
		c := by[el]
		e := DiagramElement{ElementID: el, Open: c.open, Completed: c.completed}
		switch {
		case c.open > 0 && c.multi:
			e.State = ElementCountersign
		case c.open > 0:
			e.State = ElementCurrent
		default:
			e.State = ElementDone
		}
		out = append(out, e)
	}
	return out
}

// DoneQuery selects the done list: the caller's own completions, or their window's.
type DoneQuery struct {
	// Scope is mine (default) or window.
	Scope string
	Page  Page
}

// DoneTasks lists the tasks the actor (or anyone at the actor's window) completed, newest
// first (已办).
func (a *App) DoneTasks(ctx context.Context, p *Actor, q DoneQuery) (*List[store.DoneTask], error) {
	f := store.DoneFilter{ActorID: p.UserID, Limit: q.Page.limit() + 1}
	var err error
	if f.BeforeAt, f.BeforeID, err = keysetTimeID(q.Page); err != nil {
		return nil, err
	}
	if q.Scope == "window" {
		f.ActorID = ""
		for _, m := range p.Memberships {
			if m.OrgUnitKind == "window" {
				f.WindowID = m.OrgUnitID
				break
			}
		}
		if f.WindowID == "" {
			return nil, refuse(Invalid, "no_window", "%s works at no window: there is no window's done list to show", p.Username).onField("scope")
		}
	}
	items, err := store.DoneTasks(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].CaseID = PublicID(items[i].CaseID)
		if items[i].TaskID != nil {
			id := PublicID(*items[i].TaskID)
			items[i].TaskID = &id
		}
	}
	return keysetPage(items, q.Page, func(d store.DoneTask) []string { return timeIDKey(d.At, d.ActionID) }), nil
}

// StepTime is how long an item's cases spent in one step (or at one unit), in working days.
type StepTime struct {
	// ElementID and Name name the step (empty for a unit's row); UnitCode and UnitName the unit.
	ElementID string  `json:"elementId,omitempty" example:"review"`
	Name      string  `json:"name" example:"部门审查"`
	StepKind  string  `json:"stepKind,omitempty" example:"review"`
	UnitCode  string  `json:"unitCode,omitempty" example:"fgj-xzsp"`
	Count     int     `json:"count" example:"12"`
	Median    float64 `json:"medianDays" example:"1.5"`
	P90       float64 `json:"p90Days" example:"3.2"`
	Max       float64 `json:"maxDays" example:"4"`
	TotalDays float64 `json:"totalDays" example:"20.5"`
}

// DecisionSupport is the 决策参考 of an item over a period: the working time its cases spent in
// each step (for a heatmap on its flowchart) and at each unit, the slowest first.
type DecisionSupport struct {
	ItemID            string `json:"itemId"`
	ItemName          string `json:"itemName" example:"企业投资项目核准"`
	DefinitionKey     string `json:"definitionKey" example:"std-parallel"`
	DefinitionVersion int    `json:"definitionVersion" example:"1"`
	// XML is the flowchart of the item's current published version (BPMN 2.0 with its
	// diagram), "" for an item never published.
	XML   string     `json:"xml"`
	From  time.Time  `json:"from"`
	To    time.Time  `json:"to"`
	Steps []StepTime `json:"steps"`
	Units []StepTime `json:"units"`
}

// DecisionQuery selects an item and a period (default: the last 90 days to now).
type DecisionQuery struct {
	ItemID   string
	From, To time.Time
}

// DecisionSupport measures the steps of an item's cases completed in the period, for the
// supervisors who oversee them: median and p90 working days per step and per unit.
func (a *App) DecisionSupport(ctx context.Context, p *Actor, q DecisionQuery) (*DecisionSupport, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	it, err := store.GetItem(ctx, a.db, q.ItemID)
	if err != nil {
		return nil, err
	}
	if q.To.IsZero() {
		q.To = a.now()
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -90)
	}
	if !q.From.Before(q.To) {
		return nil, refuse(Invalid, "invalid_period", "the period is empty: from %s is not before to %s",
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly)).onField("from")
	}
	spans, err := store.ItemStepSpans(ctx, a.db, it.ID, q.From, q.To, o)
	if err != nil {
		return nil, err
	}
	steps, units := map[string]*StepTime{}, map[string]*StepTime{}
	days := map[*StepTime][]float64{}
	for _, s := range spans {
		cal, err := a.cals.Calendar(ctx, deref(s.CalendarUnit))
		if err != nil {
			return nil, err
		}
		d := math.Max(0, cal.WorkingDaysBetween(s.CreatedAt, s.ClosedAt))
		st := steps[s.ElementID]
		if st == nil {
			st = &StepTime{ElementID: s.ElementID, Name: s.Name, StepKind: deref(s.StepKind)}
			steps[s.ElementID] = st
		}
		days[st] = append(days[st], d)
		if s.UnitCode != nil {
			ut := units[*s.UnitCode]
			if ut == nil {
				ut = &StepTime{UnitCode: *s.UnitCode, Name: cmp.Or(deref(s.UnitName), *s.UnitCode)}
				units[*s.UnitCode] = ut
			}
			days[ut] = append(days[ut], d)
		}
	}
	out := &DecisionSupport{ItemID: it.ID, ItemName: it.Name, DefinitionKey: it.DefinitionKey, From: q.From, To: q.To,
		DefinitionVersion: it.DefinitionVersion, Steps: summarise(steps, days), Units: summarise(units, days)}
	if it.CurrentVersion > 0 {
		v, err := store.GetItemVersion(ctx, a.db, it.ID, it.CurrentVersion)
		if err != nil {
			return nil, err
		}
		def, err := store.GetDefinition(ctx, a.db, v.DefinitionKey, v.DefinitionVersion)
		if err != nil {
			return nil, err
		}
		out.DefinitionKey, out.DefinitionVersion, out.XML = def.Key, def.Version, string(def.XML)
	}
	return out, nil
}

// summarise fills each row's figures from its durations and sorts the slowest (by p90, then
// median) first.
func summarise(rows map[string]*StepTime, days map[*StepTime][]float64) []StepTime {
	out := make([]StepTime, 0, len(rows))
	for _, r := range rows {
		ds := days[r]
		sort.Float64s(ds)
		r.Count = len(ds)
		r.Median, r.P90, r.Max = round2(quantile(ds, 0.5)), round2(quantile(ds, 0.9)), round2(ds[len(ds)-1])
		for _, d := range ds {
			r.TotalDays += d
		}
		r.TotalDays = round2(r.TotalDays)
		out = append(out, *r)
	}
	slices.SortFunc(out, func(x, y StepTime) int {
		return cmp.Or(cmp.Compare(y.P90, x.P90), cmp.Compare(y.Median, x.Median), cmp.Compare(x.ElementID+x.UnitCode, y.ElementID+y.UnitCode))
	})
	return out
}

// quantile is the q-quantile of sorted ds by linear interpolation (0 for none).
func quantile(ds []float64, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	pos := q * float64(len(ds)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(ds)-1)
	return ds[lo] + (ds[hi]-ds[lo])*(pos-float64(lo))
}

// chinaTime is Beijing time, in which people read the times in messages.
var chinaTime = time.FixedZone("CST", 8*3600)

// AckRequest acknowledges an alert, with an optional note.
type AckRequest struct {
	Note string `json:"note" validate:"max=500,plaintext" example:"已电话督办窗口负责人"`
}

// AckAlert records that a supervisor who oversees an alert has seen it (已知悉); once per
// alert: a second acknowledgement is a conflict naming who acknowledged it.
func (a *App) AckAlert(ctx context.Context, p *Actor, id string, in AckRequest) (*store.AlertAck, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	alertID := internalID(id)
	al, err := store.GetAlert(ctx, a.db, alertID)
	if err != nil {
		return nil, err
	}
	if o != nil {
		ok, err := store.Overseen(ctx, a.db, o, al.CaseID, deref(al.DepartmentID), deref(al.WindowID))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, refuse(NotFound, "not_found", "no alert %s among those %s oversees", id, p.Username)
		}
	}
	ack := &store.AlertAck{AlertID: alertID, UserID: p.UserID, UserName: p.DisplayName, Note: strings.TrimSpace(in.Note), At: a.now()}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := store.AckAlert(ctx, tx, ack); err != nil {
			if prev, e := store.GetAlertAck(ctx, tx, alertID); e == nil {
				return refuse(Conflict, "already_acknowledged", "%s acknowledged this alert at %s", prev.UserName,
					prev.At.In(chinaTime).Format("2006-01-02 15:04"))
			}
			return err
		}
		out.Audit(p, "alert.acknowledge", al.CaseID, "alert:"+alertID, ack)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ack.AlertID = PublicID(ack.AlertID)
	return ack, nil
}

// Colleagues lists the people a task may be handed over (转办) or delegated (委派) to, for a
// picker: the staff of the units it is offered to and, when the actor acts under a window's
// delegation, of the actor's windows. The hand-over itself checks the person again.
func (a *App) Colleagues(ctx context.Context, p *Actor, taskID string) ([]store.Colleague, error) {
	d, err := a.Task(ctx, p, taskID)
	if err != nil {
		return nil, err
	}
	var windows []string
	if d.Authority != nil && d.Authority.WindowID != "" {
		windows = append(windows, d.Authority.WindowID)
	}
	return store.StaffOfUnits(ctx, a.db, d.CandidateGroups, windows, p.UserID)
}
