package store

import (
	"context"
	"errors"
	"time"
)

// TaskScene is what an action on a task reads, in one call: the task with its candidates and
// actions, its case, the acting user with their memberships and the grants to their windows
// in force, and for an acceptance the item's materials, the case's materials, notices and
// supplements. The use cases decide from it (who may act, what the step needs) before they
// write anything.
type TaskScene struct {
	Task            Task
	CandidateUsers  []string
	CandidateGroups []string
	// Actions are the actions on the task, in order.
	Actions []Action
	// Case is the task's case: an application, or a case the engine started without one
	// (no number).
	Case Case
	// ItemID is the item the case runs (see CaseItemID).
	ItemID string
	// HolderName is the display name of the task's assignee ("" when unassigned).
	HolderName string
	// User is the acting user, Memberships their memberships, WindowGrants the grants in
	// force at the scene's time to the windows where they are a clerk.
	User         User
	Memberships  []Membership
	WindowGrants []Grant
	// Acceptance holds what an acceptance decides on; nil for other steps.
	Acceptance *AcceptanceFacts
}

// AcceptanceFacts are what an acceptance decides on: the materials the item asks for, those
// the case has, and its notices and supplements.
type AcceptanceFacts struct {
	ItemMaterials []Material
	CaseMaterials []CaseMaterial
	Notices       []Notice
	Supplements   []Supplement
}

// LoadTaskScene reads the scene of an action by user userID on task taskID at time at.
func LoadTaskScene(ctx context.Context, q Q, taskID, userID string, at time.Time) (*TaskScene, error) {
	t, err := GetTask(ctx, q, taskID)
	if err != nil {
		return nil, err
	}
	s := &TaskScene{Task: *t}
	if s.CandidateUsers, s.CandidateGroups, err = TaskCandidates(ctx, q, t.ID); err != nil {
		return nil, err
	}
	if s.Actions, err = TaskActions(ctx, q, t.ID); err != nil {
		return nil, err
	}
	if s.ItemID, err = CaseItemID(ctx, q, t.CaseID); err != nil {
		return nil, err
	}
	k, err := GetAnyCase(ctx, q, t.CaseID)
	if err != nil {
		return nil, err
	}
	s.Case = *k
	if s.Case.ItemID == "" {
		s.Case.ItemID = s.ItemID
	}
	if t.Assignee != nil {
		if u, err := userByIDOrName(ctx, q, *t.Assignee); err == nil {
			s.HolderName = u.DisplayName
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	u, err := GetUser(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	s.User = *u
	if s.Memberships, err = UserMemberships(ctx, q, userID); err != nil {
		return nil, err
	}
	for _, m := range s.Memberships {
		if m.Role != RoleClerk || m.OrgUnitKind != KindWindow {
			continue
		}
		gs, err := ListGrants(ctx, q, GrantFilter{WindowID: m.OrgUnitID, ActiveAt: at})
		if err != nil {
			return nil, err
		}
		s.WindowGrants = append(s.WindowGrants, gs...)
	}
	if deref(t.StepKind) == "acceptance" && s.Case.Number != "" {
		a := &AcceptanceFacts{}
		iv, err := GetItemVersion(ctx, q, s.Case.ItemID, s.Case.ItemVersion)
		if err != nil {
			return nil, err
		}
		a.ItemMaterials = iv.Materials
		if a.CaseMaterials, err = CaseMaterials(ctx, q, s.Case.ID); err != nil {
			return nil, err
		}
		if a.Notices, err = CaseNotices(ctx, q, s.Case.ID); err != nil {
			return nil, err
		}
		if a.Supplements, err = CaseSupplements(ctx, q, s.Case.ID); err != nil {
			return nil, err
		}
		s.Acceptance = a
	}
	return s, nil
}

// userByIDOrName reads a user by id, or by username (task assignees hold either).
func userByIDOrName(ctx context.Context, q Q, s string) (*User, error) {
	u, err := GetUser(ctx, q, s)
	if errors.Is(err, ErrNotFound) {
		return GetUserByUsername(ctx, q, s)
	}
	return u, err
}
