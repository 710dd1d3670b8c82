package app

import (
	"context"
	"errors"
	"math"
	"testing"

	"onewindow/store"
	"onewindow/store/storetest"
)

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 0.0001 }

// The balanced scorecard of figures worked out by hand (store's TestScorecardsOnAConstructedMonth
// computes these figures from rows).
func TestScore(t *testing.T) {
	a1, a2, a3, a5 := 2+4.5/7, 3+0.5/7, 3+3.0/7, 2+6.5/7
	fgj := store.ScoreFigures{Level: store.LevelDepartment, ID: "fgj", Received: 4, Finished: 4, WithLimit: 4, OnTime: 3, Warnings: 1, Overdue: 1,
		Notices: 3, Complaints: 1, DaysUsed: []float64{a1, a2, a3, a5},
		Ratings: map[string]int{store.RatingVerySatisfied: 1, store.RatingSatisfied: 2, store.RatingDissatisfied: 1}}
	c := score(fgj, DefaultScorecardWeights)
	if !near(c.OnTimeRate, 0.75) || !near(c.AvgDaysUsed, (a1+a2+a3+a5)/4) || !near(c.P90DaysUsed, a3) || !near(c.NoticesPerCase, 0.75) ||
		c.RatingCount != 4 || !near(c.AvgRating, 3.75) {
		t.Errorf("发改局 rates: %+v", c)
	}
	// On time 75; satisfaction (3.75-1)/4 = 68.75; complaints 100 - 2 x 25% = 50; alerts
	// 100 - (0.5 x 1 + 2 x 1) x 100/4 = 37.5: 0.4x75 + 0.3x68.75 + 0.15x50 + 0.15x37.5 = 63.75.
	if !near(c.Score, 63.75) || c.Grade != GradePass {
		t.Errorf("发改局 score %v (%v), grade %s; want 63.75, pass", *c.Score, c.Parts, c.Grade)
	}
	zjj := store.ScoreFigures{Level: store.LevelDepartment, ID: "zjj", Received: 2, Finished: 1, WithLimit: 1, OnTime: 1, Overdue: 1,
		DaysUsed: []float64{2}, Ratings: map[string]int{store.RatingBasicallySatisfied: 1}}
	// 100, 50, 100, 100 - 2 x 100/2 = 0: 40 + 15 + 15 + 0 = 70.
	if c := score(zjj, DefaultScorecardWeights); !near(c.Score, 70) || c.Grade != GradePass || !near(c.NoticesPerCase, 0) {
		t.Errorf("住建局 %+v", c)
	}
	// Other weights change the grade: satisfaction and time only, good from 65.
	w8 := ScorecardWeights{OnTime: 1, Satisfaction: 1, Excellent: 90, Good: 65, Pass: 50}
	if c := score(fgj, w8); !near(c.Score, (75+68.75)/2) || c.Grade != GradeGood {
		t.Errorf("发改局 with other weights: %v %s", *c.Score, c.Grade)
	}
	// Nothing to score: no score, no grade.
	if c := score(store.ScoreFigures{ID: "x"}, DefaultScorecardWeights); c.Score != nil || c.Grade != "" {
		t.Errorf("empty figures scored: %+v", c)
	}
	// A supervisor's subtree: its units, and the people who are members of one of them.
	o := &store.Oversight{Units: []string{"zjj", "w1"}}
	for f, want := range map[*store.ScoreFigures]bool{
		{Level: store.LevelDepartment, ID: "zjj"}:                       true,
		{Level: store.LevelDepartment, ID: "fgj"}:                       false,
		{Level: store.LevelPerson, ID: "u1", MemberOf: []string{"w1"}}:  true,
		{Level: store.LevelPerson, ID: "u2", MemberOf: []string{"w2"}}:  false,
		{Level: store.LevelWindow, ID: "w1", MemberOf: []string{"zjj"}}: true,
	} {
		if got := oversees(o, *f); got != want {
			t.Errorf("oversees %+v: %v, want %v", *f, got, want)
		}
	}
}

func TestScorecardWeights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := storetest.NewCentre(t, db)
		user := func(name string) string { return c.Users["designer"].ID + name } // the weights record no user
		ap := New(Config{DB: db})
		admin := &Actor{UserID: user("admin"), Username: "admin", Kind: store.UserStaff, Roles: []string{store.RoleAdmin}}
		sup := &Actor{UserID: user("supervisor"), Username: "supervisor", Kind: store.UserStaff, Roles: []string{store.RoleSupervisor}}
		w, err := ap.ScorecardWeights(ctx, admin)
		if err != nil || *w != DefaultScorecardWeights {
			t.Fatalf("defaults: %+v %v", w, err)
		}
		for field, bad := range map[string]ScorecardWeights{
			"onTime":         {Excellent: 90, Good: 80, Pass: 60},
			"satisfaction":   {OnTime: 1, Satisfaction: -1, Excellent: 90, Good: 80, Pass: 60},
			"good":           {OnTime: 1, Excellent: 70, Good: 80, Pass: 60},
			"pass":           {OnTime: 1, Excellent: 90, Good: 80, Pass: 85},
			"excellent":      {OnTime: 1, Excellent: 120, Good: 80, Pass: 60},
			"overduePenalty": {OnTime: 1, OverduePenalty: -2, Excellent: 90, Good: 80, Pass: 60},
		} {
			var inv *store.InvalidError
			if _, err := ap.SetScorecardWeights(ctx, admin, bad); !errors.As(err, &inv) || inv.Field != field {
				t.Errorf("%+v: %v, want invalid %s", bad, err, field)
			}
		}
		if _, err := ap.SetScorecardWeights(ctx, sup, DefaultScorecardWeights); !errors.Is(err, &Error{Kind: Forbidden, Code: CodeForbidden}) {
			t.Errorf("a supervisor sets the weights: %v", err)
		}
		w.OnTime, w.Pass = 0.5, 55
		if _, err := ap.SetScorecardWeights(ctx, admin, *w); err != nil {
			t.Fatal(err)
		}
		if got, _ := ap.ScorecardWeights(ctx, sup); *got != *w {
			t.Fatalf("stored %+v, want %+v", *got, *w)
		}
	})
}
