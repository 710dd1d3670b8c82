package app

// E-supervision's views (电子监察): everyone's own notifications, and for supervisors (their
// part of the org tree, oversight.go) and admins the alerts, every open case with the working
// time it has left, and a case's timeline (supervision_timeline.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/calendar"
	"onewindow/store"
)

// Supervision states of a case (SupervisedCase.State).
const (
	StateOverdue   = "overdue"    // past the promised limit (red)
	StateWarning   = "warning"    // past the warning time (yellow)
	StateNormal    = "normal"     // within the limit
	StatePaused    = "paused"     // the clock stands (a supplement wait, a special procedure), within the limit
	StateNone      = "none"       // no limit, or no clock yet
	StateEnded     = "ended"      // (timelines) ended by its due time
	StateEndedLate = "ended_late" // (timelines) ended after its due time
)

// NotificationQuery selects the actor's notifications.
type NotificationQuery struct {
	Unread bool
	Page   Page
}

// Notifications lists the actor's own notifications, newest first.
func (a *App) Notifications(ctx context.Context, p *Actor, q NotificationQuery) (*List[store.Notification], error) {
	at, id, err := keysetTimeID(q.Page)
	if err != nil {
		return nil, err
	}
	items, err := store.UserNotifications(ctx, a.db, p.UserID, q.Unread, q.Page.limit()+1, store.TimeKey{At: at, ID: id})
	if err != nil {
		return nil, err
	}
	l := keysetPage(items, q.Page, func(n store.Notification) []string { return timeIDKey(n.CreatedAt, n.ID) })
	for i := range l.Items {
		l.Items[i].CaseID, l.Items[i].TaskID = PublicID(l.Items[i].CaseID), PublicID(l.Items[i].TaskID)
	}
	return l, nil
}

// ReadNotification marks one of the actor's notifications read; another's is no
// notification at all.
func (a *App) ReadNotification(ctx context.Context, p *Actor, id string) (*store.Notification, error) {
	var n *store.Notification
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		out.Audit(p, "notification.read", "", "notification:"+id, nil)
		n, err = store.MarkNotificationRead(ctx, tx, p.UserID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	n.CaseID, n.TaskID = PublicID(n.CaseID), PublicID(n.TaskID)
	return n, nil
}

// AlertQuery filters the alerts; zero fields do not filter.
type AlertQuery struct {
	Kind, Scope, Rule string
	CaseID            string
	DepartmentID      string
	WindowID          string
	PersonID          string
	// From and To bound the time the alert fired: From <= fired at < To.
	From, To time.Time
	// Acknowledged keeps the acknowledged alerts ("yes") or the others ("no"); "": both.
	Acknowledged string
	Page         Page
}

// Alerts lists the alerts the actor oversees, newest first: warnings, overdue alerts and
// violations of the published rules, with whom they concern.
func (a *App) Alerts(ctx context.Context, p *Actor, q AlertQuery) (*List[store.SupervisedAlert], error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	at, id, err := keysetTimeID(q.Page)
	if err != nil {
		return nil, err
	}
	items, err := store.ListAlerts(ctx, a.db, store.AlertFilter{Kind: q.Kind, Scope: q.Scope, Rule: q.Rule, CaseID: internalID(q.CaseID),
		DepartmentID: q.DepartmentID, WindowID: q.WindowID, PersonID: q.PersonID, From: q.From, To: q.To, Acknowledged: q.Acknowledged, Oversight: o,
		Limit: q.Page.limit() + 1, After: store.TimeKey{At: at, ID: id}})
	if err != nil {
		return nil, err
	}
	l := keysetPage(items, q.Page, func(a store.SupervisedAlert) []string { return timeIDKey(a.FiredAt, a.ID) })
	publicAlerts(l.Items)
	return l, nil
}

func publicAlerts(items []store.SupervisedAlert) {
	for i := range items {
		items[i].CaseID = PublicID(items[i].CaseID)
		if items[i].TaskID != nil {
			id := PublicID(*items[i].TaskID)
			items[i].TaskID = &id
		}
	}
}

// SupervisedCase is an open case as e-supervision sees it: its limits, due dates and the
// working time left.
type SupervisedCase struct {
	ID            string  `json:"id" example:"C-01jd5q3k8m0000000000000000"`
	DefinitionKey string  `json:"definitionKey" example:"std-promised"`
	ParentCaseID  *string `json:"parentCaseId,omitempty"`
	Status        string  `json:"status" example:"active"`
	ItemID        string  `json:"itemId,omitempty"`
	ItemName      string  `json:"itemName,omitempty" example:"建设工程规划许可"`
	DepartmentID  string  `json:"departmentId,omitempty"`
	// Clock is the time-limit clock: none (not accepted yet), running, paused or stopped.
	Clock          string     `json:"clock" example:"running"`
	ClockStartedAt *time.Time `json:"clockStartedAt,omitempty"`
	ClockReason    *string    `json:"clockReason,omitempty"`
	PromisedDays   *float64   `json:"promisedDays,omitempty" example:"10"`
	StatutoryDays  *float64   `json:"statutoryDays,omitempty" example:"20"`
	WarnAt         *time.Time `json:"warnAt,omitempty"`
	DueAt          *time.Time `json:"dueAt,omitempty"`
	StatutoryDueAt *time.Time `json:"statutoryDueAt,omitempty"`
	// UsedDays are the working days of the limit used so far (pauses excluded).
	UsedDays *float64 `json:"usedDays,omitempty" example:"3.5"`
	// RemainingDays are the working days left before the promised limit (negative: overdue by
	// that much); StatutoryRemainingDays before the statutory one.
	RemainingDays          *float64 `json:"remainingDays,omitempty" example:"6.5"`
	StatutoryRemainingDays *float64 `json:"statutoryRemainingDays,omitempty" example:"16.5"`
	// State is overdue (red), warning (yellow), normal, paused (the clock stands, within the
	// limit) or none (no limit or no clock yet); in a timeline, ended or ended_late for a case
	// that has ended (after its due time).
	State      string    `json:"state" enums:"overdue,warning,normal,paused,none,ended,ended_late" example:"normal"`
	StartedAt  time.Time `json:"startedAt"`
	OpenTasks  int       `json:"openTasks"`
	Warnings   int       `json:"warnings"`
	Overdue    int       `json:"overdue"`
	Violations int       `json:"violations"`
}

// SupervisedCaseQuery filters and sorts the open cases.
type SupervisedCaseQuery struct {
	// State keeps the cases in this state (overdue, warning, normal, paused, none).
	State         string
	DepartmentID  string
	DefinitionKey string
	// Sort is remaining (default: least working time left first), due (earliest first),
	// started (oldest first) or alerts (most first); Desc reverses it.
	Sort string
	Desc bool
	Page Page
}

// CaseCounts are the open cases the actor oversees by state.
type CaseCounts struct {
	Overdue int `json:"overdue" example:"1"`
	Warning int `json:"warning" example:"2"`
	Normal  int `json:"normal" example:"40"`
	Paused  int `json:"paused" example:"3"`
	None    int `json:"none" example:"5"`
	Total   int `json:"total" example:"51"`
	// AsOf is when the cases were counted: the counts depend on the clock and are kept up to
	// a minute (the server's CountsMaxAge), so they may be that much behind the list.
	AsOf time.Time `json:"asOf"`
}

// SupervisedCases lists the open cases the actor oversees with their remaining working time,
// a page at a time: by due time (remaining and due: a running clock's due time is when its
// working days run out), or by start; cases without a due time last. The page is read through
// an index in that order; the state filter is computed in the query (store.SupervisedPage).
// Sort alerts (most alerts first) has no index and reads every open case.
func (a *App) SupervisedCases(ctx context.Context, p *Actor, q SupervisedCaseQuery) (*List[SupervisedCase], error) {
	if q.Sort == "alerts" {
		return a.supervisedByAlerts(ctx, p, q)
	}
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	sortKey := store.SortRemaining
	if q.Sort == store.SortStarted || q.Sort == store.SortDue {
		sortKey = q.Sort
	}
	after, err := supervisionAfter(q.Page)
	if err != nil {
		return nil, err
	}
	now := a.now()
	f := store.SupervisionFilter{Oversight: o, State: q.State, DepartmentID: q.DepartmentID, DefinitionKey: q.DefinitionKey,
		Now: now, Sort: sortKey, Desc: q.Desc, After: after, Limit: q.Page.limit() + 1}
	rows, err := store.SupervisedPage(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	keys := make(map[string][]string, len(rows))
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
		k := rows[i].Key(sortKey)
		part := "t"
		if k.NoTime {
			part = "n"
		}
		keys[PublicID(rows[i].ID)] = []string{part, k.At.UTC().Format(time.RFC3339Nano), k.ID}
	}
	pauses, err := store.PausesOf(ctx, a.db, ids)
	if err != nil {
		return nil, err
	}
	items, err := a.superviseAll(ctx, rows, pauses, now)
	if err != nil {
		return nil, err
	}
	l := keysetPage(items, q.Page, func(sc SupervisedCase) []string { return keys[sc.ID] })
	return l.withTotal(q.Page, func(most int) (int, error) {
		counts, err := store.CountOpenCasesByState(ctx, a.db, f)
		if err != nil {
			return 0, err
		}
		if q.State != "" {
			return counts[q.State], nil
		}
		n := 0
		for _, c := range counts {
			n += c
		}
		return n, nil
	})
}

// supervisionAfter reads a supervision list cursor.
func supervisionAfter(p Page) (store.SupervisionKey, error) {
	vals, err := keysetAfter(p, 3)
	if err != nil || vals == nil {
		return store.SupervisionKey{}, err
	}
	at, terr := time.Parse(time.RFC3339Nano, vals[1])
	if (vals[0] != "t" && vals[0] != "n") || terr != nil || vals[2] == "" {
		return store.SupervisionKey{}, badCursor(p)
	}
	return store.SupervisionKey{NoTime: vals[0] == "n", At: at, ID: vals[2]}, nil
}

// superviseAll computes the figures of rows, with their pauses, at now.
func (a *App) superviseAll(ctx context.Context, rows []store.OpenCase, pauses map[string][]store.Pause, now time.Time) ([]SupervisedCase, error) {
	codes, err := store.UnitIDsByCode(ctx, a.db)
	if err != nil {
		return nil, err
	}
	out := make([]SupervisedCase, 0, len(rows))
	for i := range rows {
		sc, err := a.supervise(ctx, &rows[i], pauses[rows[i].ID], codes, now)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// supervisedByAlerts is SupervisedCases sorted by alerts: every open case is read and sorted
// (no index orders cases by their count of alerts); the cursor holds the position.
func (a *App) supervisedByAlerts(ctx context.Context, p *Actor, q SupervisedCaseQuery) (*List[SupervisedCase], error) {
	offset, err := q.Page.offset()
	if err != nil {
		return nil, err
	}
	all, err := a.openCases(ctx, p, q.DepartmentID, q.DefinitionKey)
	if err != nil {
		return nil, err
	}
	var kept []SupervisedCase
	for _, sc := range all {
		if q.State == "" || sc.State == q.State {
			kept = append(kept, sc)
		}
	}
	sortCases(kept, q.Sort, q.Desc)
	var page []SupervisedCase
	if offset < len(kept) {
		page = kept[offset:min(len(kept), offset+q.Page.limit())]
	}
	l := pageOf(page, len(kept), q.Page, offset)
	if !q.Page.Count {
		l.Total = nil
	}
	return l, nil
}

// SupervisedCaseCounts counts the open cases the actor oversees by state, of a department
// and a process when given, in one query (the state computed in SQL, store.CountOpenCasesByState).
func (a *App) SupervisedCaseCounts(ctx context.Context, p *Actor, departmentID, definitionKey string) (*CaseCounts, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	count := func(ctx context.Context) (*CaseCounts, error) {
		now := a.now()
		m, err := store.CountOpenCasesByState(ctx, a.db, store.SupervisionFilter{Oversight: o, DepartmentID: departmentID,
			DefinitionKey: definitionKey, Now: now})
		if err != nil {
			return nil, err
		}
		c := &CaseCounts{Overdue: m[StateOverdue], Warning: m[StateWarning], Normal: m[StateNormal], Paused: m[StatePaused], None: m[StateNone],
			AsOf: now}
		c.Total = c.Overdue + c.Warning + c.Normal + c.Paused + c.None
		return c, nil
	}
	// The counts are kept by what they count: the oversight's clause, department and process.
	key := "all"
	if o != nil {
		cl, args := o.CaseClause()
		key = fmt.Sprintf("%s %q", cl, args)
	}
	return a.counts.get(ctx, fmt.Sprintf("%s|%s|%s", key, departmentID, definitionKey), a.now, count)
}

// openCases computes the figures of the open cases the actor oversees, of a department and a
// process when given: every one of them (sort by alerts only).
func (a *App) openCases(ctx context.Context, p *Actor, departmentID, definitionKey string) ([]SupervisedCase, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := store.OpenCases(ctx, a.db, o)
	if err != nil {
		return nil, err
	}
	pauses, err := store.OpenCasePauses(ctx, a.db)
	if err != nil {
		return nil, err
	}
	all, err := a.superviseAll(ctx, rows, pauses, a.now())
	if err != nil {
		return nil, err
	}
	var out []SupervisedCase
	for _, sc := range all {
		if (departmentID != "" && sc.DepartmentID != departmentID) || (definitionKey != "" && sc.DefinitionKey != definitionKey) {
			continue
		}
		out = append(out, sc)
	}
	return out, nil
}

// supervise computes an open case's supervision figures at now.
func (a *App) supervise(ctx context.Context, r *store.OpenCase, pauses []store.Pause, codes map[string]string, now time.Time) (SupervisedCase, error) {
	var vars map[string]any
	_ = json.Unmarshal(r.Variables, &vars)
	sc := SupervisedCase{ID: PublicID(r.ID), DefinitionKey: r.DefinitionKey, Status: r.Status,
		ItemID: varString(vars, "itemId"), ItemName: varString(vars, "itemName"), Clock: r.ClockState, ClockStartedAt: r.ClockStartedAt,
		ClockReason: r.ClockReason, PromisedDays: r.PromisedDays, StatutoryDays: r.StatutoryDays, WarnAt: r.WarnAt, DueAt: r.DueAt,
		StatutoryDueAt: r.StatutoryDueAt, StartedAt: r.StartedAt, OpenTasks: r.OpenTasks, Warnings: r.Warnings, Overdue: r.Overdue,
		Violations: r.Violations, State: StateNone, DepartmentID: r.ItemDepartmentID}
	if r.ParentCaseID != nil {
		parent := PublicID(*r.ParentCaseID)
		sc.ParentCaseID = &parent
	}
	if sc.DepartmentID == "" {
		sc.DepartmentID = codes[varString(vars, "department")]
	}
	if r.ClockStartedAt == nil || r.ClockState == "none" {
		return sc, nil
	}
	cal, err := a.cals.Calendar(ctx, deref(r.CalendarUnit))
	if err != nil {
		return sc, err
	}
	ps := make([]calendar.Pause, len(pauses))
	for i, p := range pauses {
		ps[i] = calendar.Pause{From: p.StartedAt}
		if p.EndedAt != nil {
			ps[i].To = *p.EndedAt
		}
	}
	used := round2(cal.Used(*r.ClockStartedAt, now, ps))
	sc.UsedDays = &used
	if r.PromisedDays != nil && *r.PromisedDays > 0 {
		rem := round2(*r.PromisedDays - used)
		sc.RemainingDays = &rem
	}
	if r.StatutoryDays != nil && *r.StatutoryDays > 0 {
		rem := round2(*r.StatutoryDays - used)
		sc.StatutoryRemainingDays = &rem
	}
	switch {
	case sc.RemainingDays == nil:
		if r.ClockState == "paused" {
			sc.State = StatePaused
		}
	case r.DueAt != nil && !now.Before(*r.DueAt), *sc.RemainingDays <= 0:
		sc.State = StateOverdue
	case r.ClockState == "paused":
		sc.State = StatePaused
	case r.WarnAt != nil && !now.Before(*r.WarnAt):
		sc.State = StateWarning
	default:
		sc.State = StateNormal
	}
	return sc, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// sortCases sorts by key (remaining: least working time left first; due: earliest first;
// started: oldest first; alerts: most first), reversed when desc; cases without a value (no
// limit, no due time) come last either way.
func sortCases(cs []SupervisedCase, key string, desc bool) {
	val := func(c *SupervisedCase) (float64, bool) {
		switch key {
		case "due":
			if c.DueAt == nil {
				return 0, false
			}
			return float64(c.DueAt.UnixNano()), true
		case "started":
			return float64(c.StartedAt.UnixNano()), true
		case "alerts":
			return -float64(c.Warnings + c.Overdue + c.Violations), true
		}
		if c.RemainingDays == nil {
			return 0, false
		}
		return *c.RemainingDays, true
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, okA := val(&cs[i])
		b, okB := val(&cs[j])
		switch {
		case okA != okB:
			return okA
		case desc:
			return a > b
		}
		return a < b
	})
}
