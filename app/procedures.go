package app

// Special procedures (特别程序: hearing, expert review, on-site survey, public notice): time
// they take does not count against a case's limits (行政许可法 §45). Who deals with the case
// now starts one with a reason, and ends it: staff with authority over one of its open steps,
// or a clerk of the window it was submitted at. The case's clock pauses until the procedure
// ends, and the due dates move by the paused working time. The procedure is written with the
// engine's signal in one transaction.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Codes of special procedures.
const (
	CodeProcedureNotOpen = "procedure_not_open" // 409: the procedure has ended already
)

// ProcedureRequest starts a special procedure.
type ProcedureRequest struct {
	Kind   string `json:"kind" validate:"required,oneof=hearing expert_review on_site_survey public_notice" example:"hearing"`
	Reason string `json:"reason" validate:"required,max=1000" example:"申请人要求听证"`
}

// EndProcedureRequest ends a special procedure; the note is optional.
type EndProcedureRequest struct {
	Note string `json:"note" validate:"max=1000" example:"听证会已举行，笔录附卷"`
}

// StartProcedure starts a special procedure on a case: its clock pauses.
func (a *App) StartProcedure(ctx context.Context, p *Actor, caseID string, in ProcedureRequest) (*store.Procedure, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	caseID = internalID(caseID)
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, refuse(Invalid, "validation_failed", "the request is not valid: reason is required: say why the case's clock pauses").onField("reason")
	}
	if err := a.mayPause(ctx, p, caseID); err != nil {
		return nil, err
	}
	pr := &store.Procedure{CaseID: caseID, Kind: in.Kind, Reason: reason, StartedBy: p.UserID}
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if _, err := runningCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := store.StartProcedure(ctx, tx, pr); err != nil {
			return err
		}
		out.Audit(p, "procedure.start", caseID, "procedure:"+pr.ID, in)
		return out.Signal(engine.PauseClock(caseID, pr.ID, pr.Kind, pr.Reason))
	})
	if err != nil {
		return nil, err
	}
	pr.CaseID = PublicID(pr.CaseID)
	return pr, nil
}

// EndProcedure ends a special procedure of a case: its clock runs again.
func (a *App) EndProcedure(ctx context.Context, p *Actor, caseID, id string, in EndProcedureRequest) (*store.Procedure, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	caseID = internalID(caseID)
	if err := a.mayPause(ctx, p, caseID); err != nil {
		return nil, err
	}
	var pr *store.Procedure
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if _, err := runningCase(ctx, tx, caseID); err != nil {
			return err
		}
		var err error
		pr, err = store.EndProcedure(ctx, tx, caseID, id, p.UserID, strings.TrimSpace(in.Note))
		if errors.Is(err, store.ErrProcedureNotOpen) {
			return refuse(Conflict, CodeProcedureNotOpen, "the %s procedure %s of case %s is not open: it ended at %s", pr.Kind, id, PublicID(caseID),
				pr.EndedAt.In(store.CaseZone).Format("2006-01-02 15:04:05"))
		}
		if err != nil {
			return err
		}
		out.Audit(p, "procedure.end", caseID, "procedure:"+pr.ID, in)
		return out.Signal(engine.ResumeClock(caseID, pr.ID))
	})
	if err != nil {
		return nil, err
	}
	pr.CaseID = PublicID(pr.CaseID)
	return pr, nil
}

// Procedures lists a case's special procedures, oldest first: for the staff who see the case
// and the supervisors who oversee it.
func (a *App) Procedures(ctx context.Context, p *Actor, caseID string) (*List[store.Procedure], error) {
	caseID = internalID(caseID)
	if !p.IsStaff() {
		return nil, refuse(Forbidden, CodeForbidden, "special procedures are listed for staff; the applicant reads them on the case's timeline")
	}
	if err := a.staffSees(ctx, p, caseID); err != nil {
		return nil, err
	}
	items, err := store.CaseProcedures(ctx, a.db, caseID)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].CaseID = PublicID(items[i].CaseID)
	}
	return pageOf(items, len(items), Page{Limit: MaxPageSize}, 0), nil
}

// staffSees answers as if there were no case caseID unless the actor's case scope covers it
// or, for a supervisor, their oversight.
func (a *App) staffSees(ctx context.Context, p *Actor, caseID string) error {
	if _, err := store.GetCaseState(ctx, a.db, caseID); err != nil {
		return err
	}
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return err
	}
	ok, err := store.CanSeeCase(ctx, a.db, scope, caseID)
	if err != nil || ok {
		return err
	}
	if o, supervisor, err := a.oversight(ctx, p); err != nil {
		return err
	} else if supervisor {
		if ok, err = store.Oversees(ctx, a.db, o, caseID); err != nil || ok {
			return err
		}
	}
	return fmt.Errorf("case %s: %w", PublicID(caseID), store.ErrNotFound)
}

// mayPause lets through the actor's start or end of a special procedure on a case: they
// must see the case (anyone else finds no case), the case must still run, and they must be
// staff with authority over one of its open steps or a clerk of the window it was submitted
// at.
func (a *App) mayPause(ctx context.Context, p *Actor, caseID string) error {
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return err
	}
	if _, err := store.GetCaseState(ctx, a.db, caseID); err != nil {
		return err
	}
	if ok, err := store.CanSeeCase(ctx, a.db, scope, caseID); err != nil || !ok {
		if err != nil {
			return err
		}
		return fmt.Errorf("case %s: %w", PublicID(caseID), store.ErrNotFound)
	}
	if _, err := runningCase(ctx, a.db, caseID); err != nil {
		return err
	}
	if !p.IsStaff() || p.Kind == store.UserSystem {
		return refuse(Forbidden, CodeForbidden, "special procedures are started and ended by the staff who deal with the case")
	}
	window, _, err := store.CaseCounter(ctx, a.db, caseID)
	if err != nil {
		return err
	}
	if window != "" && slices.ContainsFunc(p.Memberships, func(m store.Membership) bool { return m.OrgUnitID == window && m.Role == store.RoleClerk }) {
		return nil
	}
	v, err := a.visibility(ctx, p.UserID, a.now())
	if err != nil {
		return err
	}
	tasks, err := store.CaseTasks(ctx, a.db, caseID, "open")
	if err != nil {
		return err
	}
	item, err := store.CaseItemID(ctx, a.db, caseID)
	if err != nil {
		return err
	}
	var steps []string
	for i := range tasks {
		users, groups, err := store.TaskCandidates(ctx, a.db, tasks[i].ID)
		if err != nil {
			return err
		}
		info := taskInfo{Assignee: deref(tasks[i].Assignee), CandidateUsers: users, CandidateGroups: groups, StepKind: deref(tasks[i].StepKind), ItemID: item}
		if _, ok := v.authority(info); ok {
			return nil
		}
		steps = append(steps, tasks[i].Name)
	}
	now := strings.Join(steps, "、")
	if now == "" {
		now = "none open"
	}
	return noAuthority("%s may not start or end special procedures on case %s: that is for who may act on its current step (%s) or a clerk of the window it was submitted at",
		p.Username, PublicID(caseID), now)
}
