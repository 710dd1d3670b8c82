package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
)

// ScorecardLevels lists the levels.
var ScorecardLevels = []string{LevelDepartment, LevelWindow, LevelPerson}

// Grades of a scorecard, best first.
const (
	GradeExcellent = "excellent" // 优秀
	GradeGood      = "good"      // 良好
	GradePass      = "pass"      // 合格
	GradeFail      = "fail"      // 不合格
)

// ScorecardWeights weigh the four parts of a balanced scorecard (平衡计分卡) into a score of 0
// to 100 and grade it. Each part scores 0 to 100: on time (the share of finished cases with a
// limit that ended by their due time), satisfaction (the average rating, 5 → 100, 1 → 0),
// complaints (100 less ComplaintPenalty points per percent of cases complained about) and
// alerts (100 less WarningPenalty per warning and OverduePenalty per overdue alert per 100
// cases). A part without data (no finished case with a limit, no rating) is left out and the
// other weights count in proportion.
type ScorecardWeights struct {
	OnTime       float64 `json:"onTime" example:"0.4"`
	Satisfaction float64 `json:"satisfaction" example:"0.3"`
	Complaints   float64 `json:"complaints" example:"0.15"`
	Alerts       float64 `json:"alerts" example:"0.15"`
	// ComplaintPenalty: points off per percent of cases complained about.
	ComplaintPenalty float64 `json:"complaintPenalty" example:"2"`
	// WarningPenalty and OverduePenalty: points off per alert per 100 cases.
	WarningPenalty float64 `json:"warningPenalty" example:"0.5"`
	OverduePenalty float64 `json:"overduePenalty" example:"2"`
	// Excellent, Good and Pass are the lowest scores of those grades; below Pass is fail.
	Excellent float64 `json:"excellent" example:"90"`
	Good      float64 `json:"good" example:"80"`
	Pass      float64 `json:"pass" example:"60"`
}

// DefaultScorecardWeights are the weights until an admin sets others.
var DefaultScorecardWeights = ScorecardWeights{OnTime: 0.4, Satisfaction: 0.3, Complaints: 0.15, Alerts: 0.15,
	ComplaintPenalty: 2, WarningPenalty: 0.5, OverduePenalty: 2, Excellent: 90, Good: 80, Pass: 60}

// Check reports the first rule the weights break as an *InvalidError: weights and penalties
// are not negative, the weights do not all vanish, and 0 <= pass <= good <= excellent <= 100.
func (w ScorecardWeights) Check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"onTime", w.OnTime}, {"satisfaction", w.Satisfaction}, {"complaints", w.Complaints}, {"alerts", w.Alerts},
		{"complaintPenalty", w.ComplaintPenalty}, {"warningPenalty", w.WarningPenalty}, {"overduePenalty", w.OverduePenalty}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return Invalid(f.name, "must be a number of 0 or more, not %g", f.v)
		}
	}
	if w.OnTime+w.Satisfaction+w.Complaints+w.Alerts <= 0 {
		return Invalid("onTime", "at least one weight must be more than 0")
	}
	switch {
	case w.Pass < 0 || w.Pass > w.Good:
		return Invalid("pass", "must be from 0 to good (%g), not %g", w.Good, w.Pass)
	case w.Good > w.Excellent:
		return Invalid("good", "must be from pass (%g) to excellent (%g), not %g", w.Pass, w.Excellent, w.Good)
	case w.Excellent > 100:
		return Invalid("excellent", "must be at most 100, not %g", w.Excellent)
	}
	return nil
}

// Grade grades a score.
func (w ScorecardWeights) Grade(score float64) string {
	switch {
	case score >= w.Excellent:
		return GradeExcellent
	case score >= w.Good:
		return GradeGood
	case score >= w.Pass:
		return GradePass
	}
	return GradeFail
}

const weightsSetting = "scorecard_weights"

// GetScorecardWeights returns the weights an admin set, or DefaultScorecardWeights.
func GetScorecardWeights(ctx context.Context, q Q) (ScorecardWeights, error) {
	v, err := GetSetting(ctx, q, weightsSetting)
	if errors.Is(err, ErrNotFound) {
		return DefaultScorecardWeights, nil
	}
	if err != nil {
		return ScorecardWeights{}, err
	}
	w := DefaultScorecardWeights
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return ScorecardWeights{}, fmt.Errorf("decode scorecard weights: %w", err)
	}
	return w, nil
}

// PutScorecardWeights checks and stores the weights.
func PutScorecardWeights(ctx context.Context, q Q, w ScorecardWeights) error {
	if err := w.Check(); err != nil {
		return err
	}
	data, _ := json.Marshal(w)
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`), weightsSetting, string(data), Now())
	return classify(err, "store scorecard weights")
}

// Scorecard is the performance of one department, window or person over a period.
type Scorecard struct {
	Level string `json:"level" enums:"department,window,person" example:"department"`
	// ID is the org unit id (department, window) or the user id (person).
	ID   string `json:"id"`
	Name string `json:"name" example:"北流市发展和改革局"`
	// Received counts the cases received in the period; Finished those that ended (completed)
	// in it; OnTime those of them that ended by their due time, out of WithLimit that had one.
	Received   int      `json:"received" example:"120"`
	Finished   int      `json:"finished" example:"110"`
	WithLimit  int      `json:"withLimit" example:"100"`
	OnTime     int      `json:"onTime" example:"98"`
	OnTimeRate *float64 `json:"onTimeRate,omitempty" example:"0.98"`
	// AvgDaysUsed and P90DaysUsed are the working days the finished cases used, pauses left out
	// (90th percentile by nearest rank).
	AvgDaysUsed *float64 `json:"avgDaysUsed,omitempty" example:"3.2"`
	P90DaysUsed *float64 `json:"p90DaysUsed,omitempty" example:"5.5"`
	// Warnings and Overdue count the alerts fired in the period.
	Warnings int `json:"warnings" example:"4"`
	Overdue  int `json:"overdue" example:"1"`
	// Notices counts the notify-once notices of the cases received in the period.
	Notices        int      `json:"notices" example:"30"`
	NoticesPerCase *float64 `json:"noticesPerCase,omitempty" example:"0.25"`
	// Ratings counts the ratings given in the period by level; AvgRating is their mean score.
	Ratings     map[string]int `json:"ratings"`
	RatingCount int            `json:"ratingCount" example:"80"`
	AvgRating   *float64       `json:"avgRating,omitempty" example:"4.6"`
	Complaints  int            `json:"complaints" example:"0"`
	// Parts are the four parts' scores (0 to 100; a part without data is absent), Score their
	// weighted mean, Grade its grade.
	Parts map[string]float64 `json:"parts"`
	Score *float64           `json:"score,omitempty" example:"93.5"`
	Grade string             `json:"grade,omitempty" enums:"excellent,good,pass,fail" example:"excellent"`
}

// ScorecardFilter selects scorecards.
type ScorecardFilter struct {
	Level string
	// From and To bound the period: From <= t < To.
	From, To time.Time
	// Units, when not nil, limits department and window scorecards to those units and person
	// scorecards to people who are members of one of them: a supervisor's subtree.
	Units []string
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
	SubmitWindow   *string    `db:"window_id"`
	AcceptWindow   *string    `db:"accept_window"`
	AcceptPerson   *string    `db:"accept_person"`
	Notices        int        `db:"notices"`
}

// Scorecards computes the scorecards of f.Level over [f.From, f.To), one per department,
// window or person with any figure in the period, best score first. Cases count when they
// belong to a catalogue item (rectifications and complaints do not); a case is the
// department's of its item, the window's that accepted it (under a department's delegation;
// else the window of the clerk who accepted it; else where it was submitted), and the person's
// who accepted it. Alerts, ratings and complaints count where they were attributed when they
// were recorded. Working days used count on each case's calendar with its pauses.
func Scorecards(ctx context.Context, q Q, cals engine.Calendars, f ScorecardFilter, w ScorecardWeights) ([]Scorecard, error) {
	if !slices.Contains(ScorecardLevels, f.Level) {
		return nil, Invalid("level", "%q is not a level; use one of %s", f.Level, strings.Join(ScorecardLevels, ", "))
	}
	from, to := Time(f.From), Time(f.To)
	var cases []scoredCase
	err := q.SelectContext(ctx, &cases, q.Rebind(`SELECT c.id, c.status, c.received_at, c.started_at, c.ended_at,
		c.due_at, c.clock_started_at, c.clock_stopped_at, c.calendar_unit, i.department_id, c.window_id,
		(SELECT a.window_id FROM case_actions a WHERE a.case_id = c.id AND a.step_kind = 'acceptance' AND a.action = 'complete'
			AND a.window_id IS NOT NULL ORDER BY a.at DESC LIMIT 1) AS accept_window,
		(SELECT a.actor_id FROM case_actions a WHERE a.case_id = c.id AND a.step_kind = 'acceptance' AND a.action = 'complete'
			ORDER BY a.at DESC LIMIT 1) AS accept_person,
		(SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id) AS notices
		FROM cases c JOIN items i ON i.id = c.item_id
		WHERE (COALESCE(c.received_at, c.started_at) >= ? AND COALESCE(c.received_at, c.started_at) < ?) OR (c.ended_at >= ? AND c.ended_at < ?)
		ORDER BY c.id`), from, to, from, to)
	if err != nil {
		return nil, fmt.Errorf("cases of the period: %w", err)
	}
	windows, err := userWindows(ctx, q)
	if err != nil {
		return nil, err
	}
	pauses, err := pausesOf(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	cards := map[string]*Scorecard{}
	card := func(id string) *Scorecard {
		c := cards[id]
		if c == nil {
			c = &Scorecard{Level: f.Level, ID: id, Ratings: map[string]int{}, Parts: map[string]float64{}}
			for _, l := range RatingLevels {
				c.Ratings[l] = 0
			}
			cards[id] = c
		}
		return c
	}
	used := map[string][]float64{}
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
		}
		if key == "" {
			continue
		}
		c := card(key)
		received := k.StartedAt
		if k.ReceivedAt != nil {
			received = *k.ReceivedAt
		}
		if !received.Before(from) && received.Before(to) {
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
			used[key] = append(used[key], cal.Used(*k.ClockStartedAt, end, pauses[k.ID]))
		}
	}
	col := map[string]string{LevelDepartment: "department_id", LevelWindow: "window_id", LevelPerson: "person_id"}[f.Level]
	var alerts []struct {
		Key  string `db:"k"`
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &alerts, q.Rebind(`SELECT `+col+` AS k, kind, COUNT(*) AS n FROM alerts
		WHERE `+col+` IS NOT NULL AND fired_at >= ? AND fired_at < ? AND kind IN ('warning', 'overdue') GROUP BY `+col+`, kind`), from, to); err != nil {
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
	if err := q.SelectContext(ctx, &ratings, q.Rebind(`SELECT `+col+` AS k, level, COUNT(*) AS n FROM ratings
		WHERE `+col+` IS NOT NULL AND rated_at >= ? AND rated_at < ? GROUP BY `+col+`, level`), from, to); err != nil {
		return nil, fmt.Errorf("ratings of the period: %w", err)
	}
	for _, r := range ratings {
		card(r.Key).Ratings[r.Level] += r.N
	}
	var complaints []struct {
		Key string `db:"k"`
		N   int    `db:"n"`
	}
	if err := q.SelectContext(ctx, &complaints, q.Rebind(`SELECT `+col+` AS k, COUNT(*) AS n FROM complaints
		WHERE `+col+` IS NOT NULL AND filed_at >= ? AND filed_at < ? GROUP BY `+col), from, to); err != nil {
		return nil, fmt.Errorf("complaints of the period: %w", err)
	}
	for _, c := range complaints {
		card(c.Key).Complaints += c.N
	}
	names, members, err := scorecardNames(ctx, q, f.Level)
	if err != nil {
		return nil, err
	}
	out := make([]Scorecard, 0, len(cards))
	for id, c := range cards {
		if f.Units != nil && !inScope(f, id, members[id]) {
			continue
		}
		c.Name = names[id]
		c.finish(used[id], w)
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Score, out[j].Score
		switch {
		case (a == nil) != (b == nil):
			return a != nil
		case a != nil && *a != *b:
			return *a > *b
		}
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].ID < out[j].ID)
	})
	return out, nil
}

func inScope(f ScorecardFilter, id string, memberOf []string) bool {
	if f.Level != LevelPerson {
		return slices.Contains(f.Units, id)
	}
	for _, u := range memberOf {
		if slices.Contains(f.Units, u) {
			return true
		}
	}
	return false
}

// finish computes the rates, the parts, the score and the grade.
func (c *Scorecard) finish(used []float64, w ScorecardWeights) {
	round := func(x float64) *float64 { r := math.Round(x*10000) / 10000; return &r }
	if c.WithLimit > 0 {
		c.OnTimeRate = round(float64(c.OnTime) / float64(c.WithLimit))
		c.Parts["onTime"] = *c.OnTimeRate * 100
	}
	if len(used) > 0 {
		slices.Sort(used)
		sum := 0.0
		for _, u := range used {
			sum += u
		}
		c.AvgDaysUsed = round(sum / float64(len(used)))
		c.P90DaysUsed = round(used[int(math.Ceil(0.9*float64(len(used))))-1])
	}
	if c.Received > 0 {
		c.NoticesPerCase = round(float64(c.Notices) / float64(c.Received))
	}
	total := 0
	for _, l := range RatingLevels {
		c.RatingCount += c.Ratings[l]
		total += c.Ratings[l] * RatingScore(l)
	}
	if c.RatingCount > 0 {
		c.AvgRating = round(float64(total) / float64(c.RatingCount))
		c.Parts["satisfaction"] = (*c.AvgRating - 1) / 4 * 100
	}
	base := float64(max(c.Received, c.Finished))
	if base == 0 && (c.Complaints > 0 || c.Warnings > 0 || c.Overdue > 0) {
		base = 1
	}
	if base > 0 {
		c.Parts["complaints"] = math.Max(0, 100-w.ComplaintPenalty*float64(c.Complaints)*100/base)
		c.Parts["alerts"] = math.Max(0, 100-(w.WarningPenalty*float64(c.Warnings)+w.OverduePenalty*float64(c.Overdue))*100/base)
	}
	weights := map[string]float64{"onTime": w.OnTime, "satisfaction": w.Satisfaction, "complaints": w.Complaints, "alerts": w.Alerts}
	var sum, weight float64
	for part, v := range c.Parts {
		c.Parts[part] = *round(v)
		sum += weights[part] * v
		weight += weights[part]
	}
	if weight > 0 {
		c.Score = round(sum / weight)
		c.Grade = w.Grade(*c.Score)
	}
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
	var rows []struct {
		CaseID string     `db:"case_id"`
		From   time.Time  `db:"started_at"`
		To     *time.Time `db:"ended_at"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT p.case_id, p.started_at, p.ended_at FROM case_pauses p JOIN cases c ON c.id = p.case_id
		WHERE c.ended_at >= ? AND c.ended_at < ? ORDER BY p.case_id, p.idx`), from, to)
	if err != nil {
		return nil, fmt.Errorf("pauses of the period: %w", err)
	}
	out := map[string][]calendar.Pause{}
	for _, r := range rows {
		p := calendar.Pause{From: r.From}
		if r.To != nil {
			p.To = *r.To
		}
		out[r.CaseID] = append(out[r.CaseID], p)
	}
	return out, nil
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
	if level == LevelPerson {
		query = `SELECT id, display_name AS name FROM users`
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
