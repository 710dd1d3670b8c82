package app

// Completing a task: the outcome and variables are checked against the step's contract
// (definitions.Contract) before anything changes; then the task is taken, the case records
// what the step decided (acceptance, a notice, commitments, a decision), the action is
// logged and the completion signal queued, in one transaction.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// CompleteRequest completes a task.
type CompleteRequest struct {
	// Outcome is one of the step's outcomes (GET /api/v1/tasks/{id} lists them): accept, refuse,
	// notify (acceptance); approve, reject (approval); agree, object (countersign); resolved,
	// rereview (coordination); none for review, certification and delivery.
	Outcome string `json:"outcome,omitempty" validate:"max=64" example:"accept"`
	// Reason fills the variable the outcome needs: refusalReason (refuse), decisionReason
	// (reject), objection (object).
	Reason string `json:"reason,omitempty" validate:"max=2000"`
	// Variables are set on the case; the conditions after the step may read them.
	Variables map[string]any `json:"variables,omitempty" swaggertype:"object"`
	// Comment is the opinion (意见) written with the completion: internal, staff see it.
	Comment string `json:"comment,omitempty" validate:"max=2000" example:"材料齐全，符合法定形式"`
	// Notice is required with outcome notify.
	Notice *NoticeInput `json:"notice,omitempty"`
	// Deficiencies accepts with required materials still missing (容缺受理), with outcome
	// accept only.
	Deficiencies *DeficiencyInput `json:"deficiencies,omitempty"`
}

// CompleteTask completes a task with an outcome and moves the case on. Of two people
// completing one task at once, one succeeds and the other is refused with task_closed.
func (a *App) CompleteTask(ctx context.Context, p *Actor, id string, in CompleteRequest) (*TaskActionResult, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := a.mayAct(ctx, tc); err != nil {
		return nil, err
	}
	vars, reason, err := checkCompletion(tc, &in)
	if err != nil {
		return nil, err
	}
	kind := deref(tc.t.StepKind)
	accepting := kind == definitions.StepAcceptance && in.Outcome == standard.OutcomeAccept
	var deficient []store.Material
	if accepting {
		if deficient, err = a.checkDeficiencies(ctx, tc.k, in.Deficiencies); err != nil {
			return nil, err
		}
	} else if in.Deficiencies != nil {
		return nil, store.Invalid("deficiencies", "deficiencies go with the outcome accept of an acceptance only")
	}
	sig, err := engine.CompleteTask(tc.t.ID, in.Outcome, vars, false)
	if err != nil {
		return nil, err
	}
	now := tc.v.At
	x := tc.action(store.ActionComplete)
	x.Outcome, x.Comment = in.Outcome, strings.TrimSpace(in.Comment)
	x.Detail = map[string]any{}
	if reason != "" {
		x.Detail["reason"] = reason
	}
	if len(vars) > 0 {
		x.Detail["variables"] = anySlice(slices.Sorted(maps.Keys(vars)))
	}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := store.TakeTaskFor(ctx, tx, tc.t.ID, p.holders()); err != nil {
			return err
		}
		switch {
		case in.Outcome == standard.OutcomeNotify:
			n := &store.Notice{CaseID: tc.k.ID, TaskID: tc.t.ID, ItemID: tc.k.ItemID, ItemVersion: tc.k.ItemVersion,
				Materials: in.Notice.Materials, Note: strings.TrimSpace(in.Notice.Note), IssuedBy: p.UserID, IssuedAt: now}
			if err := a.checkNotice(ctx, tx, tc.k, n); err != nil {
				return err
			}
			if err := store.InsertNotice(ctx, tx, n); err != nil {
				return err
			}
			names := make([]any, len(n.Materials))
			for i, m := range n.Materials {
				names[i] = m.Name
			}
			x.Detail["materials"], x.Detail["noticeId"] = names, n.ID
			if err := a.tellApplicant(ctx, tx, tc.k, "notice:"+n.ID, "一次性告知书：请补正申请材料",
				fmt.Sprintf("您申请的《%s》（办件编号 %s）需补正 %d 项材料，详见一次性告知书。补正期间不计入办理时限。", tc.k.ItemName, tc.k.Number, len(n.Materials))); err != nil {
				return err
			}
		case accepting:
			if err := store.SetCaseAccepted(ctx, tx, tc.k.ID, now); err != nil {
				return err
			}
			if len(deficient) > 0 {
				codes := make([]any, len(deficient))
				for i, m := range deficient {
					c := &store.Commitment{CaseID: tc.k.ID, TaskID: tc.t.ID, MaterialCode: m.Code, MaterialName: m.Name,
						PromisedDate: in.Deficiencies.PromisedDate, Reason: strings.TrimSpace(in.Deficiencies.Reason), CreatedBy: p.UserID, CreatedAt: now}
					if err := store.InsertCommitment(ctx, tx, c); err != nil {
						return err
					}
					codes[i] = m.Name
				}
				x.Detail["deficiencies"], x.Detail["promisedDate"] = codes, in.Deficiencies.PromisedDate
			}
		case kind == definitions.StepAcceptance && in.Outcome == standard.OutcomeRefuse:
			if err := store.SetCaseDecision(ctx, tx, tc.k.ID, store.DecisionRefuse, reason, now); err != nil {
				return err
			}
			x.Detail["decision"] = store.DecisionRefuse
		case kind == definitions.StepApproval && (in.Outcome == standard.OutcomeApprove || in.Outcome == standard.OutcomeReject):
			if err := store.SetCaseDecision(ctx, tx, tc.k.ID, in.Outcome, reason, now); err != nil {
				return err
			}
			x.Detail["decision"] = in.Outcome
		}
		if err := store.RecordAction(ctx, tx, x); err != nil {
			return err
		}
		return out.Signal(sig)
	})
	if err != nil {
		a.recordNoticeTwice(ctx, tc, err)
		return nil, err
	}
	return a.result(ctx, tc.t.ID, x)
}

// checkCompletion checks a completion against the step's contract and returns the variables
// to set and the reason given, or an invalid error naming the field.
func checkCompletion(tc *taskCtx, in *CompleteRequest) (map[string]any, string, error) {
	vars := maps.Clone(in.Variables)
	if vars == nil {
		vars = map[string]any{}
	}
	system := store.StartVariableNames()
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if slices.Contains(definitions.EngineVariables, name) || slices.Contains(system, name) || name == definitions.VarInitiator {
			return nil, "", store.Invalid("variables."+name, "is set by the system, not by a completion")
		}
	}
	step := tc.t.Name
	sc := tc.f.contract(tc.t.ElementID)
	o := in.Outcome
	switch {
	case sc.NeedOutcome && o == "":
		return nil, "", store.Invalid("outcome", "step %s completes with one of %s", step, strings.Join(sc.Outcomes, ", "))
	case sc.NeedOutcome && !slices.Contains(sc.Outcomes, o):
		return nil, "", store.Invalid("outcome", "%q is not an outcome of step %s: use one of %s", o, step, strings.Join(sc.Outcomes, ", "))
	case !sc.NeedOutcome && o != "" && !sc.MultiInstance:
		return nil, "", store.Invalid("outcome", "step %s completes without an outcome", step)
	}
	reason := strings.TrimSpace(in.Reason)
	for _, name := range sc.Requires[o] {
		if _, ok := vars[name]; !ok && reason != "" {
			vars[name] = reason
		}
		s, _ := vars[name].(string)
		if strings.TrimSpace(s) == "" {
			return nil, "", store.Invalid("reason", "the outcome %s of step %s needs a reason (reason, or variables.%s)", o, step, name)
		}
		reason = strings.TrimSpace(s)
	}
	if o == standard.OutcomeNotify && (in.Notice == nil || len(in.Notice.Materials) == 0) {
		return nil, "", store.Invalid("notice.materials", "notify once lists every missing or defective material of the application")
	}
	if o != standard.OutcomeNotify && in.Notice != nil {
		return nil, "", store.Invalid("notice", "a notice goes with the outcome notify only")
	}
	have := tc.k.Vars()
	for _, name := range slices.Sorted(maps.Keys(sc.Reads)) {
		if _, ok := vars[name]; ok {
			continue
		}
		if _, ok := have[name]; !ok {
			return nil, "", store.Invalid("variables."+name, "is read by the condition %s after step %s: set it", sc.Reads[name], step)
		}
	}
	return vars, reason, nil
}

// tellApplicant notifies the applicant's account of case k, if it has one, in tx.
func (a *App) tellApplicant(ctx context.Context, tx *sqlx.Tx, k *store.Case, source, title, body string) error {
	if k.Applicant.UserID == "" {
		return nil
	}
	return store.AddNotification(ctx, tx, &store.Notification{Recipient: k.Applicant.UserID, UserID: k.Applicant.UserID, Source: source,
		Kind: "message", CaseID: k.ID, Title: title, Body: body})
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
