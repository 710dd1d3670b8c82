package app

// The task actions that change who works on a task, and opinions: claim, unclaim, hand over
// (转办), delegate (委派) and resolve, comment.

import (
	"context"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// ClaimTask makes an open task the actor's alone. Claiming one's own claim changes nothing.
func (a *App) ClaimTask(ctx context.Context, p *Actor, id string) (*TaskActionResult, error) {
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionClaim)
	if p.isMe(tc.info.Assignee) {
		return a.result(ctx, tc.t.ID, x) // claimed already: nothing changes
	}
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error { return store.ClaimTask(ctx, tx, tc.t.ID, p.UserID, tc.v.At) }, nil)
}

// UnclaimTask gives a task the actor claimed back to its units.
func (a *App) UnclaimTask(ctx context.Context, p *Actor, id string) (*TaskActionResult, error) {
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionUnclaim)
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error { return store.UnclaimTask(ctx, tx, tc.t.ID, p.holders()) }, nil)
}

// PersonRequest names the person a task goes to.
type PersonRequest struct {
	UserID string `json:"userId" validate:"required,id" example:"01jd5q3k8m0000000000000010"`
	Reason string `json:"reason,omitempty" validate:"max=2000" example:"该申请涉及专业审查，转由专人办理"`
}

// colleague checks the person a task is handed over or delegated to: an enabled staff member
// other than the actor who may act on the task themselves (one of its units, or a delegation
// that covers it).
func (a *App) colleague(ctx context.Context, tc *taskCtx, id string) (*store.User, error) {
	u, err := store.GetUser(ctx, a.db, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Invalid("userId", "user %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case u.ID == tc.p.UserID:
		return nil, store.Invalid("userId", "that is you")
	case u.Kind != store.UserStaff || u.Disabled:
		return nil, store.Invalid("userId", "%s is not an active staff member", u.Username)
	}
	v, err := a.visibility(ctx, u.ID, tc.v.At)
	if err != nil {
		return nil, err
	}
	free := tc.info
	free.Assignee = ""
	if _, ok := v.authority(free); !ok {
		return nil, store.Invalid("userId", "%s may not act on this task: none of their units is one of %s and no delegation covers it",
			u.Username, strings.Join(tc.info.CandidateGroups, ", "))
	}
	return u, nil
}

// HandOverTask hands a task over to another person for good (转办); they must be able to act
// on it themselves.
func (a *App) HandOverTask(ctx context.Context, p *Actor, id string, in PersonRequest) (*TaskActionResult, error) {
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	u, err := a.colleague(ctx, tc, in.UserID)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionHandover)
	x.TargetUser, x.Comment = u.ID, strings.TrimSpace(in.Reason)
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error { return store.HandOverTask(ctx, tx, tc.t.ID, p.holders(), u.ID, tc.v.At) }, nil)
}

// DelegateTask asks another person to work on a task and give it back (委派): the actor
// stays its owner and completes it after. The delegate must be able to act on the task
// themselves, as for a hand-over: a delegation opens no case to anyone who could not see it
// before.
func (a *App) DelegateTask(ctx context.Context, p *Actor, id string, in PersonRequest) (*TaskActionResult, error) {
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	u, err := a.colleague(ctx, tc, in.UserID)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionDelegate)
	x.TargetUser, x.Comment = u.ID, strings.TrimSpace(in.Reason)
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error {
		return store.DelegateTask(ctx, tx, tc.t.ID, p.holders(), p.UserID, u.ID, tc.v.At)
	}, nil)
}

// CommentRequest is an opinion (意见) on a task. Opinions are internal (内部意见): staff who
// deal with the case read them, the applicant does not.
type CommentRequest struct {
	Text string `json:"text" validate:"required,max=4000" example:"已核对原件，与复印件一致"`
}

// ResolveTask gives a delegated task back to its owner (委派归还); the owner may take it back too.
func (a *App) ResolveTask(ctx context.Context, p *Actor, id string, in CommentRequest) (*TaskActionResult, error) {
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.isMe(tc.info.Assignee) && !p.isMe(tc.t.Owner) {
		if err := tc.mayAct(); err != nil {
			return nil, err
		}
		return nil, noAuthority("only the delegate or the owner of task %s resolves it", PublicID(tc.t.ID))
	}
	x := tc.action(store.ActionResolve)
	x.TargetUser, x.Comment, x.Public = tc.t.Owner, strings.TrimSpace(in.Text), false
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error { return store.ResolveTask(ctx, tx, tc.t.ID, tc.v.At) }, nil)
}

// CommentTask writes an internal opinion (意见) on a task: staff dealing with the case see it
// in its timeline; the applicant does not.
func (a *App) CommentTask(ctx context.Context, p *Actor, id string, in CommentRequest) (*TaskActionResult, error) {
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !tc.mayKnow() {
		return nil, tc.noAuthority()
	}
	x := tc.action(store.ActionComment)
	x.Comment, x.Public = strings.TrimSpace(in.Text), false
	return a.record(ctx, tc, x, nil, nil)
}
