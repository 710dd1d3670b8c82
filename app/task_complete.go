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
	tc, err := a.openTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	vars, reason, err := checkCompletion(tc, &in)
	if err != nil {
		return nil, err
	}
	kind := deref(tc.t.StepKind)
	now := tc.v.At
	accepting := kind == definitions.StepAcceptance && in.Outcome == standard.OutcomeAccept
	var (
		deficient []store.Material
		notice    *store.Notice
	)
	switch {
	case accepting:
		if deficient, err = checkDeficiencies(tc.k, tc.scene.Acceptance, in.Deficiencies, now); err != nil {
			return nil, err
		}
	case in.Deficiencies != nil:
		return nil, store.Invalid("deficiencies", "deficiencies go with the outcome accept of an acceptance only")
	case in.Outcome == standard.OutcomeNotify:
		notice = &store.Notice{CaseID: tc.k.ID, TaskID: tc.t.ID, ItemID: tc.k.ItemID, ItemVersion: tc.k.ItemVersion,
			Materials: in.Notice.Materials, Note: strings.TrimSpace(in.Notice.Note), IssuedBy: p.UserID, IssuedAt: now}
		if err := checkNotice(tc.k, tc.scene.Acceptance, notice); err != nil {
			a.recordNoticeTwice(ctx, tc, err)
			return nil, err
		}
	}
	sig, err := engine.CompleteTask(tc.t.ID, in.Outcome, vars, false)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionComplete)
	x.Outcome, x.Comment = in.Outcome, strings.TrimSpace(in.Comment)
	x.Detail = completionDetail(reason, vars, notice, deficient, in.Deficiencies)
	if decision := decisionOf(kind, in.Outcome); decision != "" {
		x.Detail["decision"] = decision
	}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := store.TakeTaskFor(ctx, tx, tc.t.ID, p.holders()); err != nil {
			return err
		}
		if notice != nil {
			// The notice's number is unique per case: a notice issued at the same moment fails here.
			if err := store.InsertNotice(ctx, tx, notice); err != nil {
				return err
			}
			x.Detail["noticeId"] = notice.ID
			if k := tc.k; k.Applicant.UserID != "" {
				if err := store.AddNotification(ctx, tx, &store.Notification{Recipient: k.Applicant.UserID, UserID: k.Applicant.UserID,
					Source: "notice:" + notice.ID, Kind: "message", CaseID: k.ID, Title: "一次性告知书：请补正申请材料",
					Body: fmt.Sprintf("您申请的《%s》（办件编号 %s）需补正 %d 项材料，详见一次性告知书。补正期间不计入办理时限。", k.ItemName, k.Number, len(notice.Materials))}); err != nil {
					return err
				}
			}
		}
		if accepting {
			if err := store.SetCaseAccepted(ctx, tx, tc.k.ID, now); err != nil {
				return err
			}
		}
		for _, m := range deficient {
			if err := store.InsertCommitment(ctx, tx, &store.Commitment{CaseID: tc.k.ID, TaskID: tc.t.ID, MaterialCode: m.Code, MaterialName: m.Name,
				PromisedDate: in.Deficiencies.PromisedDate, Reason: strings.TrimSpace(in.Deficiencies.Reason), CreatedBy: p.UserID, CreatedAt: now}); err != nil {
				return err
			}
		}
		if d, _ := x.Detail["decision"].(string); d != "" {
			if err := store.SetCaseDecision(ctx, tx, tc.k.ID, d, reason, now); err != nil {
				return err
			}
			if err := notifyDecision(ctx, tx, tc.k, tc.t.ID, d, reason); err != nil {
				return err
			}
		}
		if err := out.Act(p, x); err != nil {
			return err
		}
		if err := out.completionEvents(tc, x, notice, accepting); err != nil {
			return err
		}
		return out.Signal(sig)
	})
	if err != nil {
		return nil, err
	}
	t := *tc.t
	t.State = "completing" // until the engine closes it
	x.TaskID, x.CaseID = PublicID(x.TaskID), PublicID(x.CaseID)
	return &TaskActionResult{Action: *x, Task: publicTask(t)}, nil
}

// decisionOf is the decision a completion with outcome at a step of kind makes on the case:
// a refusal at acceptance, a grant or rejection at approval; "" for none.
func decisionOf(kind, outcome string) string {
	switch {
	case kind == definitions.StepAcceptance && outcome == standard.OutcomeRefuse:
		return store.DecisionRefuse
	case kind == definitions.StepApproval && (outcome == standard.OutcomeApprove || outcome == standard.OutcomeReject):
		return outcome
	}
	return ""
}

// completionDetail is what the action log keeps of a completion: the reason, the variables
// set, the materials of a notice, and the deficiencies an acceptance was made with.
func completionDetail(reason string, vars map[string]any, n *store.Notice, deficient []store.Material, d *DeficiencyInput) map[string]any {
	detail := map[string]any{}
	if reason != "" {
		detail["reason"] = reason
	}
	if len(vars) > 0 {
		detail["variables"] = anySlice(slices.Sorted(maps.Keys(vars)))
	}
	if n != nil {
		names := make([]any, len(n.Materials))
		for i, m := range n.Materials {
			names[i] = m.Name
		}
		detail["materials"] = names
	}
	if len(deficient) > 0 {
		names := make([]any, len(deficient))
		for i, m := range deficient {
			names[i] = m.Name
		}
		detail["deficiencies"], detail["promisedDate"] = names, d.PromisedDate
	}
	return detail
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

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
