package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"onewindow/definitions/standard"
	"onewindow/engine"
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

// PoorRating reports whether a level opens a rectification: dissatisfied or worse.
func PoorRating(level string) bool { return RatingScore(level) > 0 && RatingScore(level) <= 2 }

// RectificationDays is the limit of a rectification in working days.
const RectificationDays = 15

// Errors of rating a case; both wrap ErrConflict.
var (
	ErrCaseNotFinished = fmt.Errorf("the case has not finished: %w", ErrConflict)
	ErrAlreadyRated    = fmt.Errorf("the case has been rated already: %w", ErrConflict)
)

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
	return str(vars["applicant"]), nil
}

// RateCase records applicant's rating of a finished case (setting Score, whom it rates and
// RatedAt). A case that does not exist or is not the applicant's is ErrNotFound; one that has
// not finished ErrCaseNotFinished; a second rating ErrAlreadyRated; a level outside the five an
// *InvalidError. A poor rating (dissatisfied or worse) queues a rectification case of the
// std-rectification process for the department (QueueProcessStart) and returns its input: the
// caller starts it after commit with StartQueued.
func RateCase(ctx context.Context, q Q, r *Rating) (*engine.CaseInput, error) {
	if RatingScore(r.Level) == 0 {
		return nil, Invalid("level", "%q is not a rating level; use one of %v", r.Level, RatingLevels)
	}
	row, err := GetCaseRow(ctx, q, r.CaseID)
	if err != nil {
		return nil, err
	}
	applicant, err := CaseApplicant(ctx, q, r.CaseID)
	if err != nil {
		return nil, err
	}
	if applicant == "" || applicant != r.ApplicantID {
		return nil, fmt.Errorf("case %s of applicant %s: %w", r.CaseID, r.ApplicantID, ErrNotFound)
	}
	if row.Status != "completed" {
		return nil, fmt.Errorf("case %s is %s: %w", r.CaseID, row.Status, ErrCaseNotFinished)
	}
	p, err := ServedBy(ctx, q, r.CaseID)
	if err != nil {
		return nil, err
	}
	r.Score, r.RatedAt = RatingScore(r.Level), Now()
	r.DepartmentID, r.WindowID, r.PersonID = optional(p.DepartmentID), optional(p.WindowID), optional(p.PersonID)
	var start *engine.CaseInput
	if PoorRating(r.Level) {
		start, err = rectificationInput(ctx, q, r, p)
		if err != nil {
			return nil, err
		}
		r.RectificationCaseID = &start.CaseID
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO ratings (`+ratingCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.CaseID, r.ApplicantID, r.Level, r.Score, r.Comment, r.DepartmentID, r.WindowID, r.PersonID, r.RectificationCaseID, r.RatedAt)
	if IsUniqueViolation(err) {
		return nil, fmt.Errorf("case %s: %w", r.CaseID, ErrAlreadyRated)
	}
	if err != nil {
		return nil, classify(err, "rate case %s", r.CaseID)
	}
	if start != nil {
		if err := queueCaseInput(ctx, q, start); err != nil {
			return nil, err
		}
	}
	return start, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// GetRating returns a case's rating, or ErrNotFound.
func GetRating(ctx context.Context, q Q, caseID string) (*Rating, error) {
	var r Rating
	if err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+ratingCols+` FROM ratings WHERE case_id = ?`), caseID); err != nil {
		return nil, classify(err, "rating of case %s", caseID)
	}
	return &r, nil
}

// ServedBy returns whom a case concerns for its evaluation (a rating, a complaint): its item,
// its competent department, the window that accepted it, and the clerk responsible for it: who
// completed its acceptance (首问负责), else who holds or held its acceptance, else the last
// person who held one of its tasks.
func ServedBy(ctx context.Context, q Q, caseID string) (*CaseParties, error) {
	p, err := Parties(ctx, q, caseID, "")
	if err != nil {
		return nil, err
	}
	var people []string
	err = q.SelectContext(ctx, &people, q.Rebind(`SELECT actor_id FROM case_actions WHERE case_id = ? AND step_kind = 'acceptance'
		AND action = 'complete' ORDER BY at DESC, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("acceptance of case %s: %w", caseID, err)
	}
	var holders []string
	err = q.SelectContext(ctx, &holders, q.Rebind(`SELECT assignee FROM tasks WHERE case_id = ? AND assignee IS NOT NULL
		ORDER BY CASE WHEN step_kind = 'acceptance' THEN 0 ELSE 1 END, created_at DESC, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("people of case %s: %w", caseID, err)
	}
	if people = append(people, holders...); len(people) > 0 {
		p.PersonID = people[0]
	}
	if p.WindowID == "" && p.PersonID != "" {
		if p.WindowID, err = caseWindow(ctx, q, caseID, p.PersonID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// rectificationInput builds the start of the rectification a poor rating opens: a case of
// std-rectification for the rated department's section, reviewed by the supervisors over it,
// with a limit of 15 working days on the department's calendar.
func rectificationInput(ctx context.Context, q Q, r *Rating, p *CaseParties) (*engine.CaseInput, error) {
	var raw JSON
	if err := q.GetContext(ctx, &raw, q.Rebind(`SELECT variables FROM cases WHERE id = ?`), r.CaseID); err != nil {
		return nil, classify(err, "case %s", r.CaseID)
	}
	var vars map[string]any
	_ = json.Unmarshal(raw, &vars)
	section := str(vars["leadSection"])
	if section == "" && p.DepartmentID != "" {
		var codes []string
		if err := q.SelectContext(ctx, &codes, q.Rebind(`SELECT code FROM org_units WHERE parent_id = ? AND kind = 'section' ORDER BY code`), p.DepartmentID); err != nil {
			return nil, fmt.Errorf("sections of %s: %w", p.DepartmentID, err)
		}
		if len(codes) > 0 {
			section = codes[0]
		}
	}
	if section == "" {
		return nil, fmt.Errorf("case %s names no department section to rectify: %w", r.CaseID, ErrInvalid)
	}
	desk, err := supervisionUnitOver(ctx, q, p.DepartmentID)
	if err != nil {
		return nil, err
	}
	level := map[string]string{RatingDissatisfied: "不满意", RatingVeryDissatisfied: "非常不满意"}[r.Level]
	msg := fmt.Sprintf("办件 %s 收到「%s」评价", r.CaseID, level)
	if r.Comment != "" {
		msg += "：" + r.Comment
	}
	msg += fmt.Sprintf("。请于%d个工作日内整改，并报电子监察复核。", RectificationDays)
	return &engine.CaseInput{
		CaseID:     "R-" + NewID(),
		Definition: standard.Rectification,
		Initiator:  r.ApplicantID,
		Vars: map[string]any{
			"ratedCase": r.CaseID, "level": r.Level, "comment": r.Comment, "itemId": p.ItemID, "itemName": str(vars["itemName"]),
			"department": str(vars["department"]), "section": section, "supervisionUnit": desk,
			"notifyGroups": []any{section}, "notifyTitle": "差评整改通知", "notifyMessage": msg,
		},
		Limits:       &engine.Limits{PromisedDays: RectificationDays, StatutoryDays: RectificationDays},
		CalendarUnit: p.DepartmentID,
	}, nil
}

// supervisionUnitOver returns the code of the unit whose supervisors oversee unit: the unit
// itself or its nearest ancestor where someone holds the role supervisor, else the root.
func supervisionUnitOver(ctx context.Context, q Q, unit string) (string, error) {
	var rows []struct {
		Code  string `db:"code"`
		Depth int    `db:"depth"`
		Sup   int    `db:"sup"`
	}
	if unit != "" {
		err := q.SelectContext(ctx, &rows, q.Rebind(`WITH RECURSIVE up (id, parent_id, depth) AS (
				SELECT id, parent_id, 0 FROM org_units WHERE id = ?
				UNION ALL
				SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id)
			SELECT o.code, up.depth, (SELECT COUNT(*) FROM memberships m WHERE m.org_unit_id = o.id AND m.role = 'supervisor') AS sup
			FROM up JOIN org_units o ON o.id = up.id ORDER BY up.depth`), unit)
		if err != nil {
			return "", fmt.Errorf("units above %s: %w", unit, err)
		}
	}
	for _, r := range rows {
		if r.Sup > 0 {
			return r.Code, nil
		}
	}
	// No supervisor above the unit: the supervisors' first unit, else the unit's root.
	var code string
	err := q.GetContext(ctx, &code, `SELECT o.code FROM memberships m JOIN org_units o ON o.id = m.org_unit_id WHERE m.role = 'supervisor' ORDER BY o.code LIMIT 1`)
	if err == nil {
		return code, nil
	}
	if len(rows) > 0 {
		return rows[len(rows)-1].Code, nil
	}
	return "", fmt.Errorf("no supervisor to review a rectification: %w", ErrInvalid)
}

// QueueProcessStart writes the start of a case (its engine input, encoded) in the caller's
// transaction; the use case starts it after commit, and MarkProcessStarted records that.
func QueueProcessStart(ctx context.Context, q Q, caseID string, input []byte) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO process_starts (case_id, input, created_at) VALUES (?, ?, ?)`), caseID, string(input), Now())
	return classify(err, "queue start of %s", caseID)
}

// MarkProcessStarted records that the queued start of caseID was handed to the engine.
func MarkProcessStarted(ctx context.Context, q Q, caseID string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE process_starts SET started_at = ? WHERE case_id = ? AND started_at IS NULL`), Now(), caseID)
	return classify(err, "mark %s started", caseID)
}

// ProcessStart is a queued case start.
type ProcessStart struct {
	CaseID string `db:"case_id"`
	Input  JSON   `db:"input"`
}

// PendingProcessStarts lists up to limit queued starts written before before and not marked
// started, oldest first.
func PendingProcessStarts(ctx context.Context, q Q, before time.Time, limit int) ([]ProcessStart, error) {
	var rows []ProcessStart
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT case_id, input FROM process_starts WHERE started_at IS NULL AND created_at < ?
		ORDER BY created_at LIMIT ?`), Time(before), limit)
	if err != nil {
		return nil, fmt.Errorf("pending process starts: %w", err)
	}
	return rows, nil
}

// queueCaseInput queues the start of in (see QueueProcessStart).
func queueCaseInput(ctx context.Context, q Q, in *engine.CaseInput) error {
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode start of %s: %w", in.CaseID, err)
	}
	return QueueProcessStart(ctx, q, in.CaseID, data)
}
