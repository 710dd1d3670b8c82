package app

// Performance scorecards (绩效考评) per department, window and person over a period, graded
// from the weights an admin sets; a supervisor reads those of their part of the org tree.

import (
	"context"
	"regexp"
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
	From    time.Time              `json:"from"`
	To      time.Time              `json:"to"`
	Weights store.ScorecardWeights `json:"weights"`
	Items   []store.Scorecard      `json:"items"`
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
	w, err := store.GetScorecardWeights(ctx, a.db)
	if err != nil {
		return nil, err
	}
	f := store.ScorecardFilter{Level: q.Level, From: from, To: to}
	if o != nil {
		f.Units = o.Units
		if f.Units == nil {
			f.Units = []string{}
		}
	}
	items, err := store.Scorecards(ctx, a.db, a.cals, f, w)
	if err != nil {
		return nil, err
	}
	return &ScorecardReport{Level: q.Level, From: from, To: to, Weights: w, Items: items}, nil
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

// ScorecardWeights reads the weights and grade thresholds of scorecards.
func (a *App) ScorecardWeights(ctx context.Context, p *Actor) (*store.ScorecardWeights, error) {
	if _, err := a.supervising(ctx, p); err != nil {
		return nil, err
	}
	w, err := store.GetScorecardWeights(ctx, a.db)
	return &w, err
}

// SetScorecardWeights sets the weights and grade thresholds of scorecards (admins).
func (a *App) SetScorecardWeights(ctx context.Context, p *Actor, w store.ScorecardWeights) (*store.ScorecardWeights, error) {
	if !p.HasRole(store.RoleAdmin) {
		return nil, refuse(Forbidden, CodeForbidden, "the scorecard weights are set by an admin; %s has %s", p.Username, describeRoles(p.Roles))
	}
	if err := store.PutScorecardWeights(ctx, a.db, w); err != nil {
		return nil, err
	}
	return &w, nil
}
