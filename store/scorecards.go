package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"onewindow/engine"
	"onewindow/engine/calendar"
)

// Scorecard levels: whom the figures of a scorecard (绩效考评) are about.
const (
	LevelDepartment = "department" // the competent department of the case's item
	LevelWindow     = "window"     // the window that accepted the case (else where it was submitted)
	LevelPerson     = "person"     // the clerk who accepted the case (首问负责)
	LevelItem       = "item"       // the case's item (the public statistics per item)
)

// ScorecardLevels lists the levels.
var ScorecardLevels = []string{LevelDepartment, LevelWindow, LevelPerson, LevelItem}

// ScoreFigures are the figures of one department, window or person over a period, from which
// e-supervision scores it (app: the balanced scorecard).
type ScoreFigures struct {
	Level string `json:"level" enums:"department,window,person" example:"department"`
	// ID is the org unit id (department, window) or the user id (person).
	ID   string `json:"id"`
	Name string `json:"name" example:"北流市发展和改革局"`
	// Received counts the cases received in the period; Finished those that ended (completed)
	// in it; OnTime those of them that ended by their due time, out of WithLimit that had one.
	Received  int `json:"received" example:"120"`
	Finished  int `json:"finished" example:"110"`
	WithLimit int `json:"withLimit" example:"100"`
	OnTime    int `json:"onTime" example:"98"`
	// Warnings and Overdue count the alerts fired in the period.
	Warnings int `json:"warnings" example:"4"`
	Overdue  int `json:"overdue" example:"1"`
	// Notices counts the notify-once notices of the cases received in the period.
	Notices int `json:"notices" example:"30"`
	// Ratings counts the ratings given in the period by level.
	Ratings    map[string]int `json:"ratings"`
	Complaints int            `json:"complaints" example:"0"`
	// DaysUsed are the working days each finished case used, pauses left out.
	DaysUsed []float64 `json:"-"`
	// MemberOf are the org units a person is a member of (person level).
	MemberOf []string `json:"-"`
}

// ScorecardFilter selects scorecards.
type ScorecardFilter struct {
	Level string
	// From and To bound the period: From <= t < To.
	From, To time.Time
}

// scoredCase is an item case with whom it is attributed to.
type scoredCase struct {
	ID             string     `db:"id"`
	Status         string     `db:"status"`
	ReceivedAt     *time.Time `db:"received_at"`
	StartedAt      time.Time  `db:"started_at"`
	EndedAt        *time.Time `db:"ended_at"`
	DueAt          *time.Time `db:"due_at"`
	ClockStartedAt *time.Time `db:"clock_started_at"`
	ClockStoppedAt *time.Time `db:"clock_stopped_at"`
	CalendarUnit   *string    `db:"calendar_unit"`
	DepartmentID   *string    `db:"department_id"`
	ItemID         *string    `db:"item_id"`
	SubmitWindow   *string    `db:"window_id"`
	AcceptWindow   *string    `db:"accept_window"`
	AcceptPerson   *string    `db:"accept_person"`
	Notices        int        `db:"notices"`
}

// Scorecards computes the figures of f.Level over [f.From, f.To), one per department, window,
// person or item with any figure in the period, by id. A period of whole months (Beijing time:
// the statistics' months, the scorecards' quarters) is read from the maintained counters
// (score_counters.go); any other from the base tables (Recount), with the same rules. Cases count
// when they belong to a catalogue item or are information-disclosure requests (rectifications
// and complaints do not); a case is the department's of its item (a request's, of the
// department asked), the item's, the window's that accepted it (under a department's
// delegation; else the window of the clerk who accepted it; else where it was submitted), and
// the person's who accepted it. Alerts, ratings and complaints count where they were attributed
// when they were recorded. Working days used count on each case's calendar with its pauses, to
// 1/10,000 of a day.
func Scorecards(ctx context.Context, q Q, cals engine.Calendars, f ScorecardFilter) ([]ScoreFigures, error) {
	if !slices.Contains(ScorecardLevels, f.Level) {
		return nil, Invalid("level", "%q is not a level; use one of %s", f.Level, strings.Join(ScorecardLevels, ", "))
	}
	if !monthAligned(f.From) || !monthAligned(f.To) {
		return Recount(ctx, q, cals, f)
	}
	cards, err := countedScorecards(ctx, q, f.Level, f.From, f.To)
	if err != nil {
		return nil, err
	}
	return namedScorecards(ctx, q, f.Level, cards)
}

// Recount computes Scorecards from the base tables (cases, actions, notices, pauses, alerts,
// ratings, complaints): for a period that is not whole months, and to check the counters.
func Recount(ctx context.Context, q Q, cals engine.Calendars, f ScorecardFilter) ([]ScoreFigures, error) {
	if !slices.Contains(ScorecardLevels, f.Level) {
		return nil, Invalid("level", "%q is not a level; use one of %s", f.Level, strings.Join(ScorecardLevels, ", "))
	}
	from, to := Time(f.From), Time(f.To)
	// At the department and item levels the cases received in the period are counted by the
	// database (one row per department or item), and only the cases that finished in it are
	// read, for their working days; the window and person levels attribute each case by who
	// accepted it, and read every case of the period.
	aggregated := f.Level == LevelDepartment || f.Level == LevelItem
	accept := `NULL AS accept_window, NULL AS accept_person`
	if !aggregated {
		accept = acceptColumns
	}
	// The period is ranges of receipt, start and end, each served by an index (migration 0025).
	receivedIn := `((c.received_at >= ? AND c.received_at < ?) OR (c.received_at IS NULL AND c.started_at >= ? AND c.started_at < ?))`
	period, args := `(`+receivedIn+` OR (c.ended_at >= ? AND c.ended_at < ?))`, []any{from, to, from, to, from, to}
	if aggregated {
		period, args = `c.status = 'completed' AND c.ended_at >= ? AND c.ended_at < ?`, []any{from, to}
	}
	var cases []scoredCase
	err := q.SelectContext(ctx, &cases, q.Rebind(`SELECT c.id, c.status, c.received_at, c.started_at, c.ended_at,
		c.due_at, c.clock_started_at, c.clock_stopped_at, c.calendar_unit, COALESCE(i.department_id, d.department_id) AS department_id,
		i.id AS item_id, c.window_id, `+accept+`,
		(SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id) AS notices
		FROM cases c LEFT JOIN items i ON i.id = c.item_id LEFT JOIN disclosure_requests d ON d.process_case_id = c.id
		WHERE (i.id IS NOT NULL OR d.id IS NOT NULL) AND `+period+`
		ORDER BY c.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("cases of the period: %w", err)
	}
	var receipts []struct {
		Key     string `db:"k"`
		N       int    `db:"n"`
		Notices int    `db:"notices"`
	}
	if aggregated {
		key := `COALESCE(i.department_id, d.department_id)`
		if f.Level == LevelItem {
			key = `i.id`
		}
		err := q.SelectContext(ctx, &receipts, q.Rebind(`SELECT `+key+` AS k, COUNT(*) AS n,
			COALESCE(SUM((SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id)), 0) AS notices
			FROM cases c LEFT JOIN items i ON i.id = c.item_id LEFT JOIN disclosure_requests d ON d.process_case_id = c.id
			WHERE (i.id IS NOT NULL OR d.id IS NOT NULL) AND `+key+` IS NOT NULL AND `+receivedIn+` GROUP BY 1`), from, to, from, to)
		if err != nil {
			return nil, fmt.Errorf("cases received in the period: %w", err)
		}
	}
	windows, err := userWindows(ctx, q)
	if err != nil {
		return nil, err
	}
	pauses, err := pausesOf(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	cards := map[string]*ScoreFigures{}
	card := func(id string) *ScoreFigures {
		c := cards[id]
		if c == nil {
			c = &ScoreFigures{Level: f.Level, ID: id, Ratings: map[string]int{}}
			for _, l := range RatingLevels {
				c.Ratings[l] = 0
			}
			cards[id] = c
		}
		return c
	}
	for _, k := range cases {
		key := ""
		switch f.Level {
		case LevelDepartment:
			key = deref(k.DepartmentID)
		case LevelWindow:
			key = deref(k.AcceptWindow)
			if key == "" && k.AcceptPerson != nil {
				key = windows[*k.AcceptPerson]
			}
			if key == "" {
				key = deref(k.SubmitWindow)
			}
		case LevelPerson:
			key = deref(k.AcceptPerson)
		case LevelItem:
			key = deref(k.ItemID)
		}
		if key == "" {
			continue
		}
		c := card(key)
		received := k.StartedAt
		if k.ReceivedAt != nil {
			received = *k.ReceivedAt
		}
		if !aggregated && !received.Before(from) && received.Before(to) {
			c.Received++
			c.Notices += k.Notices
		}
		if k.Status != "completed" || k.EndedAt == nil || k.EndedAt.Before(from) || !k.EndedAt.Before(to) {
			continue
		}
		c.Finished++
		if k.DueAt != nil {
			c.WithLimit++
			if !k.EndedAt.After(*k.DueAt) {
				c.OnTime++
			}
		}
		if k.ClockStartedAt != nil {
			cal, err := cals.Calendar(ctx, deref(k.CalendarUnit))
			if err != nil {
				return nil, err
			}
			end := *k.EndedAt
			if k.ClockStoppedAt != nil {
				end = *k.ClockStoppedAt
			}
			c.DaysUsed = append(c.DaysUsed, float64(daysUnits(cal.Used(*k.ClockStartedAt, end, pauses[k.ID])))/1e4)
		}
	}
	for _, r := range receipts {
		c := card(r.Key)
		c.Received += r.N
		c.Notices += r.Notices
	}
	// col is the column (an expression, per item) of a record's department, window, person or item.
	col := func(table string) string {
		if f.Level == LevelItem {
			if table == "alerts" {
				return "alerts.item_id"
			}
			return `(SELECT c.item_id FROM cases c WHERE c.id = ` + table + `.case_id)`
		}
		return table + "." + map[string]string{LevelDepartment: "department_id", LevelWindow: "window_id", LevelPerson: "person_id"}[f.Level]
	}
	var alerts []struct {
		Key  string `db:"k"`
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &alerts, q.Rebind(`SELECT `+col("alerts")+` AS k, kind, COUNT(*) AS n FROM alerts
		WHERE `+col("alerts")+` IS NOT NULL AND fired_at >= ? AND fired_at < ? AND kind IN ('warning', 'overdue') GROUP BY 1, 2`), from, to); err != nil {
		return nil, fmt.Errorf("alerts of the period: %w", err)
	}
	for _, a := range alerts {
		if a.Kind == AlertWarning {
			card(a.Key).Warnings += a.N
		} else {
			card(a.Key).Overdue += a.N
		}
	}
	var ratings []struct {
		Key   string `db:"k"`
		Level string `db:"level"`
		N     int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &ratings, q.Rebind(`SELECT `+col("ratings")+` AS k, level, COUNT(*) AS n FROM ratings
		WHERE `+col("ratings")+` IS NOT NULL AND rated_at >= ? AND rated_at < ? GROUP BY 1, 2`), from, to); err != nil {
		return nil, fmt.Errorf("ratings of the period: %w", err)
	}
	for _, r := range ratings {
		card(r.Key).Ratings[r.Level] += r.N
	}
	var complaints []struct {
		Key string `db:"k"`
		N   int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &complaints, q.Rebind(`SELECT `+col("complaints")+` AS k, COUNT(*) AS n FROM complaints
		WHERE `+col("complaints")+` IS NOT NULL AND filed_at >= ? AND filed_at < ? GROUP BY 1`), from, to); err != nil {
		return nil, fmt.Errorf("complaints of the period: %w", err)
	}
	for _, c := range complaints {
		card(c.Key).Complaints += c.N
	}
	return namedScorecards(ctx, q, f.Level, cards)
}

// namedScorecards names the cards (and a person's units) and orders them by id.
func namedScorecards(ctx context.Context, q Q, level string, cards map[string]*ScoreFigures) ([]ScoreFigures, error) {
	names, members, err := scorecardNames(ctx, q, level)
	if err != nil {
		return nil, err
	}
	out := make([]ScoreFigures, 0, len(cards))
	for id, c := range cards {
		c.Name, c.MemberOf = names[id], members[id]
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// userWindows maps each user to their first window (by code).
func userWindows(ctx context.Context, q Q) (map[string]string, error) {
	var rows []struct {
		UserID string `db:"user_id"`
		Window string `db:"window_id"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT m.user_id, o.id AS window_id FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE o.kind = 'window' ORDER BY m.user_id, o.code`); err != nil {
		return nil, fmt.Errorf("windows of users: %w", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		if _, ok := out[r.UserID]; !ok {
			out[r.UserID] = r.Window
		}
	}
	return out, nil
}

// pausesOf returns the pauses of the cases that ended in [from, to), by case.
func pausesOf(ctx context.Context, q Q, from, to time.Time) (map[string][]calendar.Pause, error) {
	return pausesWhere(ctx, q, `c.ended_at >= ? AND c.ended_at < ?`, from, to)
}

// scorecardNames returns the names of the units (or people) of a level and, for people, the
// units they are members of.
func scorecardNames(ctx context.Context, q Q, level string) (map[string]string, map[string][]string, error) {
	names := map[string]string{}
	members := map[string][]string{}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	query := `SELECT id, name FROM org_units`
	switch level {
	case LevelPerson:
		query = `SELECT id, display_name AS name FROM users`
	case LevelItem:
		query = `SELECT id, name FROM items`
	}
	if err := q.SelectContext(ctx, &rows, query); err != nil {
		return nil, nil, fmt.Errorf("names: %w", err)
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	if level == LevelPerson {
		var ms []struct {
			UserID string `db:"user_id"`
			UnitID string `db:"org_unit_id"`
		}
		if err := q.SelectContext(ctx, &ms, `SELECT user_id, org_unit_id FROM memberships`); err != nil {
			return nil, nil, fmt.Errorf("memberships: %w", err)
		}
		for _, m := range ms {
			members[m.UserID] = append(members[m.UserID], m.UnitID)
		}
	}
	return names, members, nil
}
