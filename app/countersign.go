package app

// Adding and removing signers of a running countersign (加签, 减签). The lead section of the
// case (as one of its members, or under its delegation) decides who signs.

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// leadOf checks that tc is a signer's task of a running countersign and that the actor acts
// for the case's lead section, who adds and removes signers; it sets tc.auth to that.
func (a *App) leadOf(ctx context.Context, tc *taskCtx) error {
	if tc.t.State != "open" {
		return tc.mayAct()
	}
	if tc.t.BodyID == nil || tc.t.LoopCounter < 0 {
		return refuse(Conflict, CodeNotCountersign, "task %s (%s) is not a signer's task of a countersign", PublicID(tc.t.ID), tc.t.Name)
	}
	lead, _ := tc.k.Vars()["leadSection"].(string)
	au, ok := tc.v.authority(taskInfo{CandidateGroups: []string{lead}, StepKind: tc.info.StepKind, ItemID: tc.k.ItemID})
	if lead == "" || !ok {
		return noAuthority("%s does not act for the lead section %s of case %s, which adds and removes signers", tc.p.Username, lead, tc.k.Number)
	}
	tc.auth = au
	return nil
}

// removing reports whether t is a signer's task whose removal (减签) is on its way to the
// engine: it no longer counts as a signer.
func (a *App) removing(ctx context.Context, t *store.Task) (bool, error) {
	if t.State != "completing" {
		return false, nil
	}
	acts, err := store.TaskActions(ctx, a.db, t.ID)
	if err != nil {
		return false, err
	}
	return len(acts) > 0 && acts[len(acts)-1].Action == store.ActionRemoveSigner, nil
}

// SignerRequest adds a department's section to a running countersign (加签).
type SignerRequest struct {
	SectionID string `json:"sectionId" validate:"required,id" example:"01jd5q3k8m0000000000000020"`
	Reason    string `json:"reason,omitempty" validate:"max=2000" example:"涉及消防审查，增加消防部门会签"`
}

// AddSigner adds a section to the running countersign that task id (any open signer's task)
// belongs to; the section gets its own task.
func (a *App) AddSigner(ctx context.Context, p *Actor, id string, in SignerRequest) (*TaskActionResult, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := a.leadOf(ctx, tc); err != nil {
		return nil, err
	}
	sec, err := store.GetOrgUnit(ctx, a.db, in.SectionID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sec.Kind != store.KindSection) {
		return nil, store.Invalid("sectionId", "%s is not a department's section", in.SectionID)
	}
	if err != nil {
		return nil, err
	}
	all, err := store.CaseTasks(ctx, a.db, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.BodyID == nil || *t.BodyID != *tc.t.BodyID || (t.State != "open" && t.State != "completing") {
			continue
		}
		if gone, err := a.removing(ctx, &t); err != nil || gone {
			if err != nil {
				return nil, err
			}
			continue
		}
		_, groups, err := store.TaskCandidates(ctx, a.db, t.ID)
		if err != nil {
			return nil, err
		}
		if slices.Contains(groups, sec.Code) {
			return nil, refuse(Conflict, CodeAlreadySigner, "%s (%s) signs this countersign already (task %s)", sec.Name, sec.Code, PublicID(t.ID))
		}
	}
	sig := engine.AddSigner(tc.k.ID, *tc.t.BodyID, sec.Code)
	x := tc.action(store.ActionAddSigner)
	x.Target, x.Comment = sec.Code, strings.TrimSpace(in.Reason)
	return a.record(ctx, tc, x, nil, &sig)
}

// RemoveSigner removes the signer of open task id from its countersign (减签). The only
// signer left of a countersign nobody has signed yet cannot be removed.
func (a *App) RemoveSigner(ctx context.Context, p *Actor, id string, in RecallRequest) (*TaskActionResult, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	tc, err := a.loadTask(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := a.leadOf(ctx, tc); err != nil {
		return nil, err
	}
	all, err := store.CaseTasks(ctx, a.db, tc.k.ID, "")
	if err != nil {
		return nil, err
	}
	others, signed := 0, 0
	for _, t := range all {
		if t.ID == tc.t.ID || t.BodyID == nil || *t.BodyID != *tc.t.BodyID {
			continue
		}
		switch t.State {
		case "open":
			others++
		case "completing":
			gone, err := a.removing(ctx, &t)
			if err != nil {
				return nil, err
			}
			if !gone {
				signed++ // a completion on its way
			}
		case "completed":
			signed++
		}
	}
	if others == 0 && signed == 0 {
		return nil, refuse(Conflict, CodeLastSigner, "%s is the only signer of the countersign: it cannot be removed", tc.t.Name)
	}
	sig, err := engine.RemoveSigner(tc.t.ID)
	if err != nil {
		return nil, err
	}
	x := tc.action(store.ActionRemoveSigner)
	x.Comment = strings.TrimSpace(in.Reason)
	if len(tc.info.CandidateGroups) > 0 {
		x.Target = tc.info.CandidateGroups[0]
	}
	return a.record(ctx, tc, x, func(tx *sqlx.Tx) error { return store.TakeTask(ctx, tx, tc.t.ID) }, &sig)
}
