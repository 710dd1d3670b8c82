package app

// The applicant's evaluation of a finished case (好差评): five levels and an optional
// comment, once per case, recorded with whom it rates (parties.go: servedBy). A poor rating
// (dissatisfied or worse) opens a rectification: a case of std-rectification in which the
// department's section rectifies within 15 working days and the supervisors over the
// department review it.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// Codes of ratings.
const (
	CodeCaseNotFinished = "case_not_finished" // 409: only a finished case is rated
	CodeAlreadyRated    = "already_rated"     // 409: a case is rated once
)

// RectificationDays is the limit of a rectification in working days.
const RectificationDays = 15

// RatingRequest rates a finished case.
type RatingRequest struct {
	Level   string `json:"level" validate:"required,oneof=very_satisfied satisfied basically_satisfied dissatisfied very_dissatisfied" example:"satisfied"`
	Comment string `json:"comment" validate:"max=1000" example:"窗口人员热情周到，一次办好"`
}

// PoorRating reports whether a level opens a rectification: dissatisfied or worse.
func PoorRating(level string) bool {
	s := store.RatingScore(level)
	return s > 0 && s <= 2
}

// RateCase records the actor's rating of their finished case; a poor one starts a
// rectification in the same transaction.
func (a *App) RateCase(ctx context.Context, p *Actor, caseID string, in RatingRequest) (*store.Rating, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	if !p.HasRole(store.RoleApplicant) {
		return nil, refuse(Forbidden, CodeForbidden, "a case is rated by its applicant; %s has %s", p.Username, describeRoles(p.Roles))
	}
	caseID = internalID(caseID)
	if store.RatingScore(in.Level) == 0 {
		return nil, store.Invalid("level", "%q is not a rating level; use one of %s", in.Level, strings.Join(store.RatingLevels, ", "))
	}
	notYours := refuse(NotFound, "not_found", "no case %s of yours", PublicID(caseID))
	row, err := store.GetCaseState(ctx, a.db, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notYours
	}
	if err != nil {
		return nil, err
	}
	if applicant, err := store.CaseApplicant(ctx, a.db, caseID); err != nil {
		return nil, err
	} else if applicant == "" || applicant != p.UserID {
		return nil, notYours
	}
	if row.Status != "completed" {
		return nil, refuse(Conflict, CodeCaseNotFinished, "case %s has not finished (%s): only a finished case can be rated", PublicID(caseID), row.Status)
	}
	r := &store.Rating{CaseID: caseID, ApplicantID: p.UserID, Level: in.Level, Score: store.RatingScore(in.Level),
		Comment: strings.TrimSpace(in.Comment), RatedAt: a.now()}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		served, err := a.servedBy(ctx, tx, caseID)
		if err != nil {
			return err
		}
		r.DepartmentID, r.WindowID, r.PersonID = optional(served.DepartmentID), optional(served.WindowID), optional(served.PersonID)
		r.RectificationCaseID = nil
		if PoorRating(r.Level) {
			start, err := a.rectification(ctx, tx, r, served)
			if err != nil {
				return err
			}
			r.RectificationCaseID = &start.CaseID
			if err := out.Start(*start); err != nil {
				return err
			}
		}
		err = store.InsertRating(ctx, tx, r)
		if errors.Is(err, store.ErrAlreadyRated) {
			return refuse(Conflict, CodeAlreadyRated, "case %s has been rated already: a case is rated once", PublicID(caseID))
		}
		if err != nil {
			return err
		}
		out.Audit(p, "case.rate", caseID, "rating:"+caseID, r)
		return out.event(store.Event{Type: EventCaseRated, CaseID: caseID, DepartmentID: served.DepartmentID, OccurredAt: r.RatedAt},
			map[string]any{"caseId": PublicID(caseID), "level": r.Level, "score": r.Score, "rectification": r.RectificationCaseID != nil})
	})
	if err != nil {
		return nil, err
	}
	r.CaseID = PublicID(r.CaseID)
	return r, nil
}

// Rating reads a case's rating: its applicant's, and the supervisors' who oversee the case
// or the department or window it rates.
func (a *App) Rating(ctx context.Context, p *Actor, caseID string) (*store.Rating, error) {
	caseID = internalID(caseID)
	none := refuse(NotFound, "not_found", "no rating of a case %s of yours", PublicID(caseID))
	r, err := store.GetRating(ctx, a.db, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, none
	}
	if err != nil {
		return nil, err
	}
	if r.ApplicantID != p.UserID {
		o, ok, err := a.oversight(ctx, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, none
		}
		if ok, err = store.Overseen(ctx, a.db, o, caseID, deref(r.DepartmentID), deref(r.WindowID)); err != nil {
			return nil, err
		} else if !ok {
			return nil, none
		}
	}
	r.CaseID = PublicID(r.CaseID)
	return r, nil
}

// rectification is the start of the rectification a poor rating opens: a case of
// std-rectification for the rated department's section, reviewed by the supervisors over it,
// with a limit of RectificationDays working days on the department's calendar.
func (a *App) rectification(ctx context.Context, q store.Q, r *store.Rating, p *parties) (*engine.CaseInput, error) {
	section, err := a.sectionOf(ctx, q, p)
	if err != nil {
		return nil, err
	}
	if section == "" {
		return nil, refuse(Unprocessable, "no_section", "case %s names no department section to rectify a poor rating: record the rating when the case's department is known",
			PublicID(r.CaseID))
	}
	desk, err := a.supervisionDesk(ctx, q, p.DepartmentID)
	if err != nil {
		return nil, err
	}
	level := map[string]string{store.RatingDissatisfied: "不满意", store.RatingVeryDissatisfied: "非常不满意"}[r.Level]
	msg := fmt.Sprintf("办件 %s 收到「%s」评价", r.CaseID, level)
	if r.Comment != "" {
		msg += "：" + r.Comment
	}
	msg += fmt.Sprintf("。请于%d个工作日内整改，并报电子监察复核。", RectificationDays)
	return &engine.CaseInput{
		CaseID:     "R-" + store.NewID(),
		Definition: standard.Rectification,
		Initiator:  r.ApplicantID,
		Vars: map[string]any{
			"ratedCase": r.CaseID, "level": r.Level, "comment": r.Comment, "itemId": p.ItemID, "itemName": varString(p.vars, "itemName"),
			"department": varString(p.vars, "department"), "section": section, "supervisionUnit": desk,
			"notifyGroups": []any{section}, "notifyTitle": "差评整改通知", "notifyMessage": msg,
		},
		Limits:       &engine.Limits{PromisedDays: RectificationDays, StatutoryDays: RectificationDays},
		CalendarUnit: p.DepartmentID,
	}, nil
}

// sectionOf is the section that answers for a case: its lead section, else the first
// section of its department ("" when neither is known).
func (a *App) sectionOf(ctx context.Context, q store.Q, p *parties) (string, error) {
	if s := varString(p.vars, "leadSection"); s != "" || p.DepartmentID == "" {
		return s, nil
	}
	codes, err := store.SectionCodes(ctx, q, p.DepartmentID)
	if err != nil || len(codes) == 0 {
		return "", err
	}
	return codes[0], nil
}

// supervisionDesk is the code of the unit whose supervisors oversee unit (a rectification's
// follow-up, a complaint's desk): the unit itself or its nearest ancestor where someone
// holds the role supervisor; else the first unit with a supervisor; else the unit's root.
func (a *App) supervisionDesk(ctx context.Context, q store.Q, unit string) (string, error) {
	var up []store.UnitUp
	if unit != "" {
		var err error
		if up, err = store.UnitsUp(ctx, q, unit); err != nil {
			return "", err
		}
	}
	for _, u := range up {
		if u.Supervisors > 0 {
			return u.Code, nil
		}
	}
	codes, err := store.SupervisorUnitCodes(ctx, q)
	if err != nil {
		return "", err
	}
	switch {
	case len(codes) > 0:
		return codes[0], nil
	case len(up) > 0:
		return up[len(up)-1].Code, nil
	}
	return "", refuse(Unprocessable, "no_supervisor", "no supervisor reviews a rectification or a complaint here: give someone the role supervisor first")
}
