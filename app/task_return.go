package app

// Ways back: returning a case to an earlier step (退回) and recalling one's own completion
// (撤回), including a signer's opinion in a running countersign (撤回意见). Every way back
// past a step undoes what that step recorded on the case: an acceptance (and the
// commitments made with it) and a decision.

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// ReturnRequest sends a case back to an earlier step (退回).
type ReturnRequest struct {
	// Target is the element id of a step the case has passed (GET /api/v1/tasks/{id} lists them in passed).
	Target string `json:"target" validate:"required,max=128" example:"acceptance"`
	Reason string `json:"reason" validate:"required,max=2000" example:"申请书签字不全，退回受理环节重新核对"`
}

// ReturnTask ends the task and starts target, a step the case has completed before, again.
// From a countersign the whole countersign ends.
func (a *App) ReturnTask(ctx context.Context, p *Actor, id string, in ReturnRequest) (*TaskActionResult, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	all, err := store.CaseTasks(ctx, a.db, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	passed := passedSteps(all, tc.t.ElementID)
	target := strings.TrimSpace(in.Target)
	switch {
	case target == tc.t.ElementID:
		return nil, store.Invalid("target", "the case is at step %s now: return it to an earlier step (%s)", target, strings.Join(orNoStep(passed), ", "))
	case !slices.Contains(passed, target):
		return nil, store.Invalid("target", "the case has not passed a step %q: it may go back to %s", target, strings.Join(orNoStep(passed), ", "))
	case tc.f.node(target).Parent != tc.f.node(tc.t.ElementID).Parent:
		return nil, store.Invalid("target", "step %s lies in another sub-process", target)
	}
	sig, err := engine.MoveTask(tc.t.ID, target)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionReturn)
	x.Target, x.Comment = target, strings.TrimSpace(in.Reason)
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error {
		if err := store.TakeTaskFor(ctx, tx, tc.t.ID, p.holders()); err != nil {
			return err
		}
		return a.undoSince(ctx, tx, tc.k.ID, target, "", tc.v.At)
	}, &sig)
}

// undoSince undoes on case caseID what the completions since the last completion of step
// target recorded (that one included; with taskID set, the completion of that task and
// after): an acceptance with its open commitments, and a decision.
func (a *App) undoSince(ctx context.Context, tx *sqlx.Tx, caseID, target, taskID string, at time.Time) error {
	acts, err := store.CaseActions(ctx, tx, caseID, false)
	if err != nil {
		return err
	}
	from := -1
	for i, x := range acts {
		if x.Action == store.ActionComplete && ((taskID == "" && x.ElementID == target) || (taskID != "" && x.TaskID == taskID)) {
			from = i
		}
	}
	if from < 0 {
		return nil
	}
	accepted, decided := false, false
	for _, x := range acts[from:] {
		if x.Action != store.ActionComplete {
			continue
		}
		if x.Outcome == standard.OutcomeAccept && x.StepKind == "acceptance" {
			accepted = true
		}
		if x.Detail["decision"] != nil {
			decided = true
		}
	}
	if accepted {
		if err := store.ClearCaseAccepted(ctx, tx, caseID); err != nil {
			return err
		}
		if _, err := store.CloseCommitments(ctx, tx, caseID, store.CommitmentWithdrawn, nil, "", at); err != nil {
			return err
		}
	}
	if decided {
		return store.ClearCaseDecision(ctx, tx, caseID)
	}
	return nil
}

func orNoStep(s []string) []string {
	if len(s) == 0 {
		return []string{"no step (it has passed none)"}
	}
	return s
}

// RecallRequest takes back one's own completion (撤回).
type RecallRequest struct {
	Reason string `json:"reason,omitempty" validate:"max=2000" example:"结果填写有误"`
}

// RecallTask takes back the actor's own completion of a task while the next step has not
// started: every open task of the case came after it and nobody has claimed or acted on
// them; the step starts again for the actor's units. A signer's opinion in a countersign may
// be recalled while the countersign is still open (other signers have not all signed): the
// signer's step starts again.
func (a *App) RecallTask(ctx context.Context, p *Actor, id string, in RecallRequest) (*TaskActionResult, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	acts := tc.scene.Actions
	var done *store.Action
	recalled := false
	for i := range acts {
		switch acts[i].Action {
		case store.ActionComplete:
			done, recalled = &acts[i], false
		case store.ActionRecall:
			recalled = done != nil
		}
	}
	if done == nil || done.ActorID != p.UserID {
		if tc.t.State == "open" && tc.auth != nil {
			return nil, refuse(Conflict, CodeNotRecallable, "task %s is still open: there is nothing to recall", PublicID(tc.t.ID))
		}
		return nil, noAuthority("only who completed task %s (%s) may recall it", PublicID(tc.t.ID), tc.t.Name)
	}
	switch {
	case recalled:
		return nil, refuse(Conflict, CodeNotRecallable, "the completion of task %s was recalled already", PublicID(tc.t.ID))
	case tc.t.State != "completed":
		return nil, refuse(Conflict, CodeNotRecallable, "task %s is %s, not completed yet: try again in a moment", PublicID(tc.t.ID), tc.t.State)
	case tc.k.Ended() || tc.k.WithdrawnAt != nil:
		return nil, refuse(Conflict, CodeNotRecallable, "case %s has ended", tc.k.Number)
	}
	all, err := store.CaseTasks(ctx, a.db, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	if tc.t.BodyID != nil && tc.t.LoopCounter >= 0 {
		return a.recallOpinion(ctx, tc, done, all, in)
	}
	var open []store.Task
	for _, t := range all {
		switch {
		case t.ID == tc.t.ID:
		case t.State == "completed" && t.ClosedAt != nil && t.ClosedAt.After(*tc.t.ClosedAt):
			return nil, refuse(Conflict, CodeNotRecallable, "the next step %s has been completed already", t.Name)
		case t.State == "open" || t.State == "completing":
			if t.State == "completing" || t.CreatedAt.Before(*tc.t.ClosedAt) || t.Assignee != nil {
				return nil, refuse(Conflict, CodeNotRecallable, "the next step %s has started (it is claimed or being completed)", t.Name)
			}
			if len(open) > 0 && open[0].ElementID != t.ElementID {
				return nil, refuse(Conflict, CodeNotRecallable, "the case went on to several steps at once (%s, %s)", open[0].Name, t.Name)
			}
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		return nil, refuse(Conflict, CodeNotRecallable, "the case does not wait at a step after task %s (it may wait for the applicant's supplement)", PublicID(tc.t.ID))
	}
	for _, t := range open {
		ta, err := store.TaskActions(ctx, a.db, t.ID)
		if err != nil {
			return nil, err
		}
		if len(ta) > 0 {
			return nil, refuse(Conflict, CodeNotRecallable, "someone has acted on the next step %s already", t.Name)
		}
	}
	sig, err := engine.MoveTask(open[0].ID, tc.t.ElementID)
	if err != nil {
		return nil, err
	}
	tc.auth, _ = tc.freeAuthority()
	x := tc.action(store.ActionRecall)
	x.Comment, x.Target = strings.TrimSpace(in.Reason), open[0].ElementID
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error {
		for _, t := range open {
			if err := store.TakeTaskFor(ctx, tx, t.ID, p.holders()); err != nil {
				return refuse(Conflict, CodeNotRecallable, "the next step %s has started meanwhile", t.Name)
			}
		}
		return a.undoSince(ctx, tx, tc.k.ID, "", tc.t.ID, tc.v.At)
	}, &sig)
}

// recallOpinion takes back a signer's opinion while the countersign is open: the signer's
// step starts again (a new task), and their opinion no longer counts.
func (a *App) recallOpinion(ctx context.Context, tc *taskCtx, done *store.Action, all []store.Task, in RecallRequest) (*TaskActionResult, error) {
	body := *tc.t.BodyID
	running := false
	for _, t := range all {
		if t.BodyID == nil || *t.BodyID != body || t.ID == tc.t.ID {
			continue
		}
		if t.LoopCounter == tc.t.LoopCounter && t.CreatedAt.After(tc.t.CreatedAt) {
			return nil, refuse(Conflict, CodeNotRecallable, "the opinion of task %s was recalled already (task %s took its place)", PublicID(tc.t.ID), PublicID(t.ID))
		}
		if t.State == "open" {
			running = true
		}
	}
	if !running {
		return nil, refuse(Conflict, CodeNotRecallable, "the countersign %s has closed (every signer has signed, or it was decided): the opinion of task %s stands",
			tc.t.Name, PublicID(tc.t.ID))
	}
	sig := engine.ReopenSigner(tc.k.ID, body, tc.t.LoopCounter, done.Outcome)
	tc.auth, _ = tc.freeAuthority()
	x := tc.action(store.ActionRecall)
	x.Comment, x.Target = strings.TrimSpace(in.Reason), tc.t.ElementID
	return a.record(ctx, tc, x, nil, &sig)
}
