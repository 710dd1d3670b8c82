package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"onewindow/engine/calendar"
	"onewindow/store"
)

// supervisionRoutes are e-supervision (电子监察, issue 7): everyone's own notifications, and for
// supervisors the alerts with filters, every open case with its remaining working time, and a
// case's timeline of limits, pauses and alerts.
func (h *api) supervisionRoutes(public, authed *gin.RouterGroup) {
	sup := requireRole(store.RoleSupervisor, store.RoleAdmin)
	authed.GET("/notifications", h.listNotifications)
	authed.POST("/notifications/:id/read", h.readNotification)
	authed.GET("/supervision/alerts", sup, h.listAlerts)
	authed.GET("/supervision/cases", sup, h.supervisedCases)
	authed.GET("/supervision/cases/:id/timeline", sup, h.caseTimeline)
}

// NotificationList is a page of the caller's notifications, newest first.
type NotificationList struct {
	Items []store.Notification `json:"items"`
}

// listNotifications godoc
//
//	@Summary	The caller's notifications, newest first
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		unread	query		bool	false	"only those not read yet"
//	@Param		limit	query		int		false	"page size (1-500, default 100)"
//	@Param		offset	query		int		false	"rows to skip"
//	@Success	200		{object}	NotificationList
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Router		/api/v1/notifications [get]
func (h *api) listNotifications(c *gin.Context) {
	unread, ok := queryOneOf(c, "unread", []string{"true", "false"})
	if !ok {
		return
	}
	limit, ok := queryInt(c, "limit", 100, 1, 500)
	if !ok {
		return
	}
	offset, ok := queryInt(c, "offset", 0, 0, 1<<30)
	if !ok {
		return
	}
	list, err := store.UserNotifications(c.Request.Context(), h.DB, principalOf(c).UserID, unread == "true", limit, offset)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, NotificationList{Items: list})
}

// readNotification godoc
//
//	@Summary	Mark one of the caller's notifications read
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"notification id"
//	@Success	200	{object}	store.Notification
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/notifications/{id}/read [post]
func (h *api) readNotification(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	n, err := store.MarkNotificationRead(c.Request.Context(), h.DB, principalOf(c).UserID, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

// AlertList is a page of alerts, newest first.
type AlertList struct {
	Items []store.SupervisedAlert `json:"items"`
}

// listAlerts godoc
//
//	@Summary		Alerts: warnings, overdue and rule violations (supervisor, admin)
//	@Description	A supervisor sees the alerts of the departments in their part of the org tree
//	@Description	(and those of no department); an admin sees all.
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			kind		query		string	false	"warning (yellow), overdue (red) or violation"	Enums(warning, overdue, violation)
//	@Param			scope		query		string	false	"case (promised limit), statutory, task (a step's limit) or rule"	Enums(case, statutory, task, rule)
//	@Param			rule		query		string	false	"only violations of this rule"	Enums(refusal_without_reason, notice_twice)
//	@Param			caseId		query		string	false	"only this case's"
//	@Param			department	query		string	false	"department id"
//	@Param			window		query		string	false	"window id"
//	@Param			person		query		string	false	"user id of the person concerned"
//	@Param			from		query		string	false	"fired at or after (RFC 3339 or YYYY-MM-DD, China time)"
//	@Param			to			query		string	false	"fired before (RFC 3339 or YYYY-MM-DD, China time)"
//	@Param			limit		query		int		false	"page size (1-500, default 100)"
//	@Param			offset		query		int		false	"rows to skip"
//	@Success		200			{object}	AlertList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Router			/api/v1/supervision/alerts [get]
func (h *api) listAlerts(c *gin.Context) {
	f := store.AlertFilter{CaseID: c.Query("caseId"), DepartmentID: c.Query("department"), WindowID: c.Query("window"), PersonID: c.Query("person")}
	var ok bool
	if f.Kind, ok = queryOneOf(c, "kind", store.AlertKinds); !ok {
		return
	}
	if f.Scope, ok = queryOneOf(c, "scope", store.AlertScopes); !ok {
		return
	}
	if f.Rule, ok = queryOneOf(c, "rule", []string{store.RuleRefusalWithoutReason, store.RuleNoticeTwice}); !ok {
		return
	}
	if f.From, ok = queryTimeOrDate(c, "from"); !ok {
		return
	}
	if f.To, ok = queryTimeOrDate(c, "to"); !ok {
		return
	}
	if f.Limit, ok = queryInt(c, "limit", 100, 1, 500); !ok {
		return
	}
	if f.Offset, ok = queryInt(c, "offset", 0, 0, 1<<30); !ok {
		return
	}
	ctx := c.Request.Context()
	units, err := store.SupervisedUnits(ctx, h.DB, principalOf(c).UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	f.Units = units
	list, err := store.ListAlerts(ctx, h.DB, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, AlertList{Items: list})
}

// queryTimeOrDate reads a time query parameter: RFC 3339, or a date (its midnight in China).
func queryTimeOrDate(c *gin.Context, name string) (time.Time, bool) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if d, err := calendar.ParseDate(s); err == nil {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, calendar.National().Location()), true
	}
	msg := "must be a time (RFC 3339, e.g. 2026-03-02T09:00:00+08:00) or a date (YYYY-MM-DD)"
	writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("query parameter %s %s, got %q", name, msg, s), FieldError{Field: name, Message: msg})
	return time.Time{}, false
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

// SupervisedCaseList is every open case (a page of them), sorted.
type SupervisedCaseList struct {
	Items []SupervisedCase `json:"items"`
	// Total is the number of open cases the filters select.
	Total int `json:"total"`
	// Counts are those cases by state.
	Counts map[string]int `json:"counts"`
}

// supervisedCases godoc
//
//	@Summary		Every open case with its remaining working time (supervisor, admin)
//	@Description	Remaining time counts on each case's calendar with its pauses. Sort by remaining
//	@Description	(default, least first), due, started or alerts; a supervisor sees the cases of
//	@Description	departments in their part of the org tree (and those of none).
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			state			query		string	false	"only cases in this state"	Enums(overdue, warning, normal, paused, none)
//	@Param			department		query		string	false	"department id"
//	@Param			definitionKey	query		string	false	"only cases of this process"
//	@Param			sort			query		string	false	"sort key (default remaining)"	Enums(remaining, due, started, alerts)
//	@Param			order			query		string	false	"asc (default) or desc"	Enums(asc, desc)
//	@Param			limit			query		int		false	"page size (1-1000, default 100)"
//	@Param			offset			query		int		false	"rows to skip"
//	@Success		200				{object}	SupervisedCaseList
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse
//	@Router			/api/v1/supervision/cases [get]
func (h *api) supervisedCases(c *gin.Context) {
	state, ok := queryOneOf(c, "state", []string{"overdue", "warning", "normal", "paused", "none"})
	if !ok {
		return
	}
	sortKey, ok := queryOneOf(c, "sort", []string{"remaining", "due", "started", "alerts"})
	if !ok {
		return
	}
	order, ok := queryOneOf(c, "order", []string{"asc", "desc"})
	if !ok {
		return
	}
	limit, ok := queryInt(c, "limit", 100, 1, 1000)
	if !ok {
		return
	}
	offset, ok := queryInt(c, "offset", 0, 0, 1<<30)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	rows, err := store.OpenCases(ctx, h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	pauses, err := store.OpenCasePauses(ctx, h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	codes, err := store.UnitIDsByCode(ctx, h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	units, err := store.SupervisedUnits(ctx, h.DB, principalOf(c).UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.Now()
	out := SupervisedCaseList{Items: []SupervisedCase{}, Counts: map[string]int{}}
	var all []SupervisedCase
	for i := range rows {
		sc, err := h.supervise(ctx, &rows[i], pauses[rows[i].ID], codes, now)
		if err != nil {
			h.fail(c, err)
			return
		}
		if units != nil && sc.DepartmentID != "" && !slices.Contains(units, sc.DepartmentID) {
			continue
		}
		if d := c.Query("department"); d != "" && sc.DepartmentID != d {
			continue
		}
		if k := c.Query("definitionKey"); k != "" && sc.DefinitionKey != k {
			continue
		}
		out.Counts[sc.State]++
		if state != "" && sc.State != state {
			continue
		}
		all = append(all, sc)
	}
	sortCases(all, sortKey, order == "desc")
	out.Total = len(all)
	if offset < len(all) {
		out.Items = all[offset:min(len(all), offset+limit)]
	}
	c.JSON(http.StatusOK, out)
}

// supervise computes an open case's supervision figures at now.
func (h *api) supervise(ctx context.Context, r *store.SupervisedCase, pauses []store.PauseRow, codes map[string]string, now time.Time) (SupervisedCase, error) {
	var vars map[string]any
	_ = json.Unmarshal(r.Variables, &vars)
	str := func(k string) string { s, _ := vars[k].(string); return s }
	sc := SupervisedCase{ID: r.ID, DefinitionKey: r.DefinitionKey, ParentCaseID: r.ParentCaseID, Status: r.Status,
		ItemID: str("itemId"), ItemName: str("itemName"), Clock: r.ClockState, ClockStartedAt: r.ClockStartedAt, ClockReason: r.ClockReason,
		PromisedDays: r.PromisedDays, StatutoryDays: r.StatutoryDays, WarnAt: r.WarnAt, DueAt: r.DueAt, StatutoryDueAt: r.StatutoryDueAt,
		StartedAt: r.StartedAt, OpenTasks: r.OpenTasks, Warnings: r.Warnings, Overdue: r.Overdue, Violations: r.Violations, State: "none"}
	if id := codes[str("department")]; id != "" {
		sc.DepartmentID = id
	}
	if r.ClockStartedAt == nil || r.ClockState == "none" {
		return sc, nil
	}
	unit := ""
	if r.CalendarUnit != nil {
		unit = *r.CalendarUnit
	}
	cal, err := h.cals.Calendar(ctx, unit)
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
			sc.State = "paused"
		}
	case r.DueAt != nil && !now.Before(*r.DueAt), *sc.RemainingDays <= 0:
		sc.State = "overdue"
	case r.ClockState == "paused":
		sc.State = "paused"
	case r.WarnAt != nil && !now.Before(*r.WarnAt):
		sc.State = "warning"
	default:
		sc.State = "normal"
	}
	return sc, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// sortCases sorts by key (remaining: least working time left first; due: earliest first;
// started: oldest first; alerts: most first), reversed when desc; cases without a value (no
// limit, no due time) come last either way.
func sortCases(cs []SupervisedCase, key string, desc bool) {
	// val returns the sort value; ok is false for a case without one, which sorts last
	// either way.
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

// CaseTimeline is a case's limits, due dates, pauses (with who started them and why) and
// alerts, and its events in time order.
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

// TimelineEvent is one thing that happened to the case's clock or steps.
type TimelineEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind" enums:"started,clockStarted,taskCreated,taskClosed,pauseStarted,pauseEnded,alert,clockStopped,ended" example:"clockStarted"`
	Text string    `json:"text" example:"accepted at 受理 (acceptance)"`
	Ref  string    `json:"ref,omitempty"`
}

// caseTimeline godoc
//
//	@Summary	A case's time limits, due dates, pauses and alerts, in time order (supervisor, admin)
//	@Tags		supervision
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"case id (percent-encode a / as %2F)"
//	@Success	200	{object}	CaseTimeline
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/supervision/cases/{id}/timeline [get]
func (h *api) caseTimeline(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	row, err := store.GetCaseRow(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	tl := CaseTimeline{Tasks: []TimelineTask{}, Pauses: []TimelinePause{}}
	var (
		tasks  []store.TaskRow
		pauses []store.PauseRow
	)
	steps := []func() error{
		func() (err error) { tasks, err = store.CaseTasks(ctx, h.DB, id, ""); return },
		func() (err error) { pauses, err = store.CasePauses(ctx, h.DB, id); return },
		func() (err error) { tl.Procedures, err = store.CaseProcedures(ctx, h.DB, id); return },
		func() (err error) {
			tl.Alerts, err = store.ListAlerts(ctx, h.DB, store.AlertFilter{CaseID: id, Limit: 10000})
			return
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			h.fail(c, err)
			return
		}
	}
	codes, err := store.UnitIDsByCode(ctx, h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	sc := store.SupervisedCase{CaseRow: *row}
	for _, t := range tasks {
		if t.State == "open" {
			sc.OpenTasks++
		}
	}
	for _, a := range tl.Alerts {
		switch a.Kind {
		case store.AlertWarning:
			sc.Warnings++
		case store.AlertOverdue:
			sc.Overdue++
		default:
			sc.Violations++
		}
	}
	now := h.Now()
	if row.EndedAt != nil {
		now = *row.EndedAt
	}
	if tl.Case, err = h.supervise(ctx, &sc, pauses, codes, now); err != nil {
		h.fail(c, err)
		return
	}
	if store.CaseEnded(row.Status) {
		tl.Case.State = "ended"
		if row.DueAt != nil && row.EndedAt != nil && row.EndedAt.After(*row.DueAt) {
			tl.Case.State = "ended_late"
		}
	}
	ev := func(at time.Time, kind, text, ref string) {
		tl.Events = append(tl.Events, TimelineEvent{At: at, Kind: kind, Text: text, Ref: ref})
	}
	ev(row.StartedAt, "started", "case started ("+row.DefinitionKey+")", "")
	if row.ClockStartedAt != nil {
		reason := ""
		if row.ClockReason != nil {
			reason = *row.ClockReason
		}
		ev(*row.ClockStartedAt, "clockStarted", "time-limit clock started: "+reason, "")
	}
	for _, t := range tasks {
		tt := TimelineTask{ID: t.ID, Element: t.ElementID, Name: t.Name, StepKind: t.StepKind, State: t.State, Assignee: t.Assignee,
			LimitDays: t.LimitDays, WarnAt: t.WarnAt, DueAt: t.DueAt, CreatedAt: t.CreatedAt, ClosedAt: t.ClosedAt}
		if t.DueAt != nil {
			end := now
			if t.ClosedAt != nil {
				end = *t.ClosedAt
			}
			tt.Late = end.After(*t.DueAt)
		}
		tl.Tasks = append(tl.Tasks, tt)
		ev(t.CreatedAt, "taskCreated", "step "+label(t.Name, t.ElementID)+" opened", t.ID)
		if t.ClosedAt != nil {
			ev(*t.ClosedAt, "taskClosed", "step "+label(t.Name, t.ElementID)+" "+t.State, t.ID)
		}
	}
	procs := map[string]store.Procedure{}
	for _, p := range tl.Procedures {
		procs[p.PauseHolder()] = p
	}
	for _, p := range pauses {
		tp := TimelinePause{Kind: p.Kind, Reason: p.Reason, From: p.StartedAt, To: p.EndedAt}
		if pr, ok := procs[p.Holder]; ok {
			tp.ProcedureID, tp.StartedBy = pr.ID, pr.StartedBy
			if pr.EndedBy != nil {
				tp.EndedBy = *pr.EndedBy
			}
		}
		tl.Pauses = append(tl.Pauses, tp)
		ev(p.StartedAt, "pauseStarted", "clock paused ("+p.Kind+"): "+p.Reason, tp.ProcedureID)
		if p.EndedAt != nil {
			ev(*p.EndedAt, "pauseEnded", "clock runs again after "+p.Kind, tp.ProcedureID)
		}
	}
	for _, a := range tl.Alerts {
		text := a.Kind + " (" + a.Scope + ")"
		if a.Rule != nil {
			text += ": " + *a.Rule
		}
		ev(a.FiredAt, "alert", text, a.ID)
	}
	if row.ClockStoppedAt != nil {
		ev(*row.ClockStoppedAt, "clockStopped", "time-limit clock stopped", "")
	}
	if row.EndedAt != nil {
		ev(*row.EndedAt, "ended", "case "+row.Status, "")
	}
	sort.SliceStable(tl.Events, func(i, j int) bool { return tl.Events[i].At.Before(tl.Events[j].At) })
	c.JSON(http.StatusOK, tl)
}

func label(name, element string) string {
	if name == "" || strings.EqualFold(name, element) {
		return element
	}
	return name + " (" + element + ")"
}
