package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Rating levels of the applicant's evaluation (好差评), best first.
const (
	RatingVerySatisfied      = "very_satisfied"      // 非常满意
	RatingSatisfied          = "satisfied"           // 满意
	RatingBasicallySatisfied = "basically_satisfied" // 基本满意
	RatingDissatisfied       = "dissatisfied"        // 不满意
	RatingVeryDissatisfied   = "very_dissatisfied"   // 非常不满意
)

// RatingLevels lists the five levels, best first.
var RatingLevels = []string{RatingVerySatisfied, RatingSatisfied, RatingBasicallySatisfied, RatingDissatisfied, RatingVeryDissatisfied}

// RatingScore is a level's score: 5 (very satisfied) to 1 (very dissatisfied); 0 for no level.
func RatingScore(level string) int {
	if i := slices.Index(RatingLevels, level); i >= 0 {
		return 5 - i
	}
	return 0
}

// ErrAlreadyRated: a case is rated once; it wraps ErrConflict.
var ErrAlreadyRated = fmt.Errorf("the case has been rated already: %w", ErrConflict)

// Rating is an applicant's rating of a finished case, with whom it rates and the
// rectification a poor one opened.
type Rating struct {
	CaseID              string    `db:"case_id" json:"caseId"`
	ApplicantID         string    `db:"applicant_id" json:"applicantId"`
	Level               string    `db:"level" json:"level" enums:"very_satisfied,satisfied,basically_satisfied,dissatisfied,very_dissatisfied" example:"satisfied"`
	Score               int       `db:"score" json:"score" example:"4"`
	Comment             string    `db:"comment" json:"comment,omitempty" example:"窗口人员热情周到"`
	DepartmentID        *string   `db:"department_id" json:"departmentId,omitempty"`
	WindowID            *string   `db:"window_id" json:"windowId,omitempty"`
	PersonID            *string   `db:"person_id" json:"personId,omitempty"`
	RectificationCaseID *string   `db:"rectification_case_id" json:"rectificationCaseId,omitempty"`
	RatedAt             time.Time `db:"rated_at" json:"ratedAt"`
}

const ratingCols = `case_id, applicant_id, level, score, comment, department_id, window_id, person_id, rectification_case_id, rated_at`

// CaseApplicant returns the user id of a case's applicant ("" for a walk-in without an
// account), or ErrNotFound when the case does not exist.
func CaseApplicant(ctx context.Context, q Q, caseID string) (string, error) {
	var row struct {
		Variables   JSON    `db:"variables"`
		ApplicantID *string `db:"applicant_id"`
	}
	if err := q.GetContext(ctx, &row, q.Rebind(`SELECT variables, applicant_id FROM cases WHERE id = ?`), caseID); err != nil {
		return "", classify(err, "case %s", caseID)
	}
	if row.ApplicantID != nil && *row.ApplicantID != "" {
		return *row.ApplicantID, nil
	}
	var vars map[string]any
	_ = json.Unmarshal(row.Variables, &vars)
	s, _ := vars["applicant"].(string)
	return s, nil
}

// InsertRating writes a rating; a second rating of the case is ErrAlreadyRated.
func InsertRating(ctx context.Context, q Q, r *Rating) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO ratings (`+ratingCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.CaseID, r.ApplicantID, r.Level, r.Score, r.Comment, r.DepartmentID, r.WindowID, r.PersonID, r.RectificationCaseID, Time(r.RatedAt))
	if IsUniqueViolation(err) {
		return fmt.Errorf("case %s: %w", r.CaseID, ErrAlreadyRated)
	}
	if err != nil {
		return classify(err, "rate case %s", r.CaseID)
	}
	item, err := caseItem(ctx, q, &r.CaseID)
	if err != nil {
		return err
	}
	i := ratingIndex(r.Level)
	return countEvent(ctx, q, r.RatedAt, eventUnits(&item, r.DepartmentID, r.WindowID, r.PersonID), func(c *scoreCount) {
		if i >= 0 {
			c.Ratings[i]++
		}
	})
}

// GetRating returns a case's rating, or ErrNotFound.
func GetRating(ctx context.Context, q Q, caseID string) (*Rating, error) {
	var r Rating
	if err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+ratingCols+` FROM ratings WHERE case_id = ?`), caseID); err != nil {
		return nil, classify(err, "rating of case %s", caseID)
	}
	return &r, nil
}
