package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

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

// check reports the first rule the weights break, naming the field: weights and penalties
// are not negative, the weights do not all vanish, and 0 <= pass <= good <= excellent <= 100.
func (w ScorecardWeights) check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"onTime", w.OnTime}, {"satisfaction", w.Satisfaction}, {"complaints", w.Complaints}, {"alerts", w.Alerts},
		{"complaintPenalty", w.ComplaintPenalty}, {"warningPenalty", w.WarningPenalty}, {"overduePenalty", w.OverduePenalty}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return store.Invalid(f.name, "must be a number of 0 or more, not %g", f.v)
		}
	}
	if w.OnTime+w.Satisfaction+w.Complaints+w.Alerts <= 0 {
		return store.Invalid("onTime", "at least one weight must be more than 0")
	}
	switch {
	case w.Pass < 0 || w.Pass > w.Good:
		return store.Invalid("pass", "must be from 0 to good (%g), not %g", w.Good, w.Pass)
	case w.Good > w.Excellent:
		return store.Invalid("good", "must be from pass (%g) to excellent (%g), not %g", w.Pass, w.Excellent, w.Good)
	case w.Excellent > 100:
		return store.Invalid("excellent", "must be at most 100, not %g", w.Excellent)
	}
	return nil
}

// grade grades a score.
func (w ScorecardWeights) grade(score float64) string {
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

// weightsSetting is the server setting that keeps the weights an admin set.
const weightsSetting = "scorecard_weights"

// weights returns the weights an admin set, or DefaultScorecardWeights.
func (a *App) weights(ctx context.Context) (ScorecardWeights, error) {
	v, err := store.GetSetting(ctx, a.db, weightsSetting)
	if errors.Is(err, store.ErrNotFound) {
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

// ScorecardWeights reads the weights and grade thresholds of scorecards.
func (a *App) ScorecardWeights(ctx context.Context, p *Actor) (*ScorecardWeights, error) {
	if _, err := a.supervising(ctx, p); err != nil {
		return nil, err
	}
	w, err := a.weights(ctx)
	return &w, err
}

// SetScorecardWeights checks and sets the weights and grade thresholds of scorecards
// (admins).
func (a *App) SetScorecardWeights(ctx context.Context, p *Actor, w ScorecardWeights) (*ScorecardWeights, error) {
	if !p.HasRole(store.RoleAdmin) {
		return nil, refuse(Forbidden, CodeForbidden, "the scorecard weights are set by an admin; %s has %s", p.Username, describeRoles(p.Roles))
	}
	if err := w.check(); err != nil {
		return nil, err
	}
	data, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode scorecard weights: %w", err)
	}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "scorecard.weights", "", "setting:"+weightsSetting, w)
		return store.PutSetting(ctx, tx, weightsSetting, string(data))
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}
