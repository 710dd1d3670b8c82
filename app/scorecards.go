package app

// Performance scorecards (绩效考评) per department, window and person over a period, graded
// from the weights an admin sets; a supervisor reads those of their part of the org tree.

import (
	"context"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"onewindow/store"
)

// ScorecardQuery selects the scorecards of a level over a period: a quarter ("2025Q4"), or
// From and To; neither is this quarter (Beijing time).
type ScorecardQuery struct {
	Level    string
	Quarter  string
	From, To time.Time
}

// ScorecardReport is the scorecards of one level over a period, best score first.
type ScorecardReport struct {
	Level string `json:"level" example:"department"`
	// From and To bound the period: From <= t < To.
	From    time.Time        `json:"from"`
	To      time.Time        `json:"to"`
	Weights ScorecardWeights `json:"weights"`
	Items   []Scorecard      `json:"items"`
}

// Scorecard is the performance of one department, window or person over a period: its
// figures, the rates drawn from them, and its score and grade.
type Scorecard struct {
	store.ScoreFigures
	OnTimeRate *float64 `json:"onTimeRate,omitempty" example:"0.98"`
	// AvgDaysUsed and P90DaysUsed are the working days the finished cases used, pauses left out
	// (90th percentile by nearest rank).
	AvgDaysUsed    *float64 `json:"avgDaysUsed,omitempty" example:"3.2"`
	P90DaysUsed    *float64 `json:"p90DaysUsed,omitempty" example:"5.5"`
	NoticesPerCase *float64 `json:"noticesPerCase,omitempty" example:"0.25"`
	// RatingCount counts the ratings, AvgRating is their mean score.
	RatingCount int      `json:"ratingCount" example:"80"`
	AvgRating   *float64 `json:"avgRating,omitempty" example:"4.6"`
	// Parts are the four parts' scores (0 to 100; a part without data is absent), Score their
	// weighted mean, Grade its grade.
	Parts map[string]float64 `json:"parts"`
	Score *float64           `json:"score,omitempty" example:"93.5"`
	Grade string             `json:"grade,omitempty" enums:"excellent,good,pass,fail" example:"excellent"`
}

var quarterRE = regexp.MustCompile(`^([0-9]{4})Q([1-4])$`)

// Scorecards computes the scorecards of a level over a period, of the units (and their
// people) the actor oversees.
func (a *App) Scorecards(ctx context.Context, p *Actor, q ScorecardQuery) (*ScorecardReport, error) {
	o, err := a.supervising(ctx, p)
	if err != nil {
		return nil, err
	}
	if q.Level == "" {
		return nil, store.Invalid("level", "is required: department, window or person")
	}
	from, to, err := a.period(q)
	if err != nil {
		return nil, err
	}
	w, err := a.weights(ctx)
	if err != nil {
		return nil, err
	}
	figures, err := store.Scorecards(ctx, a.db, a.cals, store.ScorecardFilter{Level: q.Level, From: from, To: to})
	if err != nil {
		return nil, err
	}
	items := []Scorecard{}
	for _, f := range figures {
		if o == nil || oversees(o, f) {
			items = append(items, score(f, w))
		}
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].Score, items[j].Score
		switch {
		case (a == nil) != (b == nil):
			return a != nil
		case a != nil && *a != *b:
			return *a > *b
		}
		return items[i].Name < items[j].Name || (items[i].Name == items[j].Name && items[i].ID < items[j].ID)
	})
	return &ScorecardReport{Level: q.Level, From: from, To: to, Weights: w, Items: items}, nil
}

// oversees reports whether a supervisor's oversight covers a scorecard: a department or
// window of their subtree, a person who is a member of one of its units.
func oversees(o *store.Oversight, f store.ScoreFigures) bool {
	if f.Level != store.LevelPerson {
		return slices.Contains(o.Units, f.ID)
	}
	return slices.ContainsFunc(f.MemberOf, func(u string) bool { return slices.Contains(o.Units, u) })
}

// score computes a scorecard's rates, parts, score and grade from its figures.
func score(f store.ScoreFigures, w ScorecardWeights) Scorecard {
	c := Scorecard{ScoreFigures: f, Parts: map[string]float64{}}
	round := func(x float64) *float64 { r := math.Round(x*10000) / 10000; return &r }
	if c.WithLimit > 0 {
		c.OnTimeRate = round(float64(c.OnTime) / float64(c.WithLimit))
		c.Parts["onTime"] = *c.OnTimeRate * 100
	}
	if used := slices.Sorted(slices.Values(f.DaysUsed)); len(used) > 0 {
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
	for _, l := range store.RatingLevels {
		c.RatingCount += c.Ratings[l]
		total += c.Ratings[l] * store.RatingScore(l)
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
	for _, part := range []string{"onTime", "satisfaction", "complaints", "alerts"} {
		v, ok := c.Parts[part]
		if !ok {
			continue
		}
		c.Parts[part] = *round(v)
		sum += weights[part] * v
		weight += weights[part]
	}
	if weight > 0 {
		c.Score = round(sum / weight)
		c.Grade = w.grade(*c.Score)
	}
	return c
}

// period is the period a scorecard query asks for.
func (a *App) period(q ScorecardQuery) (time.Time, time.Time, error) {
	quarter := func(y, n int) (time.Time, time.Time) {
		from := time.Date(y, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, store.CaseZone)
		return from, from.AddDate(0, 3, 0)
	}
	if q.Quarter != "" {
		m := quarterRE.FindStringSubmatch(q.Quarter)
		if m == nil {
			return time.Time{}, time.Time{}, store.Invalid("quarter", "must be a quarter such as 2025Q4, not %q", q.Quarter)
		}
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		from, to := quarter(y, n)
		return from, to, nil
	}
	if q.From.IsZero() && q.To.IsZero() {
		now := a.now().In(store.CaseZone)
		from, to := quarter(now.Year(), (int(now.Month())-1)/3+1)
		return from, to, nil
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		return time.Time{}, time.Time{}, store.Invalid("to", "from and to are both needed, to after from")
	}
	return q.From, q.To, nil
}
