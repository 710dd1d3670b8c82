package app

// Delegation (三集中): a department concentrates its approval functions in one section and
// grants windows of the service centre the authority for chosen step kinds of its items.
//
// Ownership. A section owns step kind K in item I when the section's code is a candidate
// group of a user task with ow:stepKind K in the flow I runs, with I's start variables: the
// task's candidate-group expressions (${leadSection}, ${section} for each element of
// ${coReviewers}, or a literal code) are evaluated with the variables a case of I starts with
// (see ItemSteps). Items in every state count (a grant may be prepared before the item is
// published); the flow is the item's pinned definition version, or the latest published one.
// A department owns what its sections own. Tasks whose candidate group depends on the case
// (a station) belong to no section.
//
// A grant names the department, its section, a window (optionally one clerk of it), the step
// kinds and the items (none: all of the section's items), and a validity period. It is refused
// for a step kind the section owns in none of the grant's items, for an item in which the
// section holds no step, and for a unit that is not a window. Who may act on a task under a
// grant is authority.go's rule.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"onewindow/definitions"
	"onewindow/store"
)

// checkGrant checks a grant's terms by the rules above and completes them: the section when
// the department has only one, the step kinds in the order a case passes them. A broken rule
// is a *store.InvalidError naming the request's field.
func (a *App) checkGrant(ctx context.Context, q store.Q, in *store.GrantInput) error {
	dept, err := store.UnitOfKind(ctx, q, "departmentId", in.DepartmentID, store.KindDepartment)
	if err != nil {
		return err
	}
	if in.SectionID == "" {
		secs, err := store.ListOrgUnits(ctx, q, store.OrgUnitFilter{ParentID: dept.ID, Kind: store.KindSection})
		if err != nil {
			return err
		}
		if len(secs) != 1 {
			return store.Invalid("sectionId", "%s has %d sections: name the one whose tasks are delegated", dept.Name, len(secs))
		}
		in.SectionID = secs[0].ID
	}
	sec, err := store.UnitOfKind(ctx, q, "sectionId", in.SectionID, store.KindSection)
	if err != nil {
		return err
	}
	if sec.ParentID != dept.ID {
		return store.Invalid("sectionId", "%s (%s) is not a section of %s", sec.Name, sec.Code, dept.Name)
	}
	win, err := store.GetOrgUnit(ctx, q, in.WindowID)
	if errors.Is(err, store.ErrNotFound) || in.WindowID == "" {
		return store.Invalid("windowId", "org unit %q does not exist", in.WindowID)
	} else if err != nil {
		return err
	}
	if win.Kind != store.KindWindow {
		return store.Invalid("windowId", "%s (%s) is a %s: authority is delegated to a window of a service centre", win.Name, win.Code, win.Kind)
	}
	if in.UserID != "" {
		ms, err := store.UserMemberships(ctx, q, in.UserID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ms, func(m store.Membership) bool { return m.OrgUnitID == win.ID && m.Role == store.RoleClerk }) {
			return store.Invalid("userId", "user %s is not a clerk of %s", in.UserID, win.Name)
		}
	}
	if in.ValidUntil != nil && !in.ValidFrom.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
		return store.Invalid("validUntil", "must be after validFrom")
	}
	if in.ValidUntil != nil && in.ValidFrom.IsZero() && !in.ValidUntil.After(a.now()) {
		return store.Invalid("validUntil", "must be in the future")
	}

	// Items: each must hold a step of the section.
	own, err := a.sectionOwnership(ctx, q, sec.Code, nil)
	if err != nil {
		return err
	}
	for i, id := range in.ItemIDs {
		f := fmt.Sprintf("itemIds[%d]", i)
		it, err := store.GetItem(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) {
			return store.Invalid(f, "item %q does not exist", id)
		} else if err != nil {
			return err
		}
		if slices.Index(in.ItemIDs, id) != i {
			return store.Invalid(f, "item %s is listed twice", it.Code)
		}
		if len(own[id]) == 0 {
			return store.Invalid(f, "%s (%s) holds no step of item %s (%s): there is nothing to delegate", sec.Name, sec.Code, it.Code, it.Name)
		}
	}
	// Step kinds: each must be owned in the items the grant covers.
	if len(in.StepKinds) == 0 {
		return store.Invalid("stepKinds", "name at least one step kind")
	}
	owned := map[string]bool{}
	for id, kinds := range own {
		if len(in.ItemIDs) == 0 || slices.Contains(in.ItemIDs, id) {
			for _, k := range kinds {
				owned[k] = true
			}
		}
	}
	for i, k := range in.StepKinds {
		f := fmt.Sprintf("stepKinds[%d]", i)
		if !slices.Contains(definitions.StepKinds, k) {
			return store.Invalid(f, "must be one of %s", strings.Join(definitions.StepKinds, ", "))
		}
		if slices.Index(in.StepKinds, k) != i {
			return store.Invalid(f, "%s is listed twice", k)
		}
		if !owned[k] {
			var has []string
			for _, sk := range definitions.StepKinds {
				if owned[sk] {
					has = append(has, sk)
				}
			}
			scope := "any of its items"
			if len(in.ItemIDs) > 0 {
				scope = "the items of the grant"
			}
			return store.Invalid(f, "%s (%s) does not own the step kind %s: it is the candidate group of no %s step in %s (it owns: %s)",
				sec.Name, sec.Code, k, k, scope, strings.Join(orNone(has), ", "))
		}
	}
	in.StepKinds = slices.Clone(in.StepKinds)
	store.SortStepKinds(in.StepKinds)
	return nil
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"nothing"}
	}
	return s
}

// sectionOwnership maps item id → the step kinds in which the section with
// code holds a task, over every item (or the items in states).
func (a *App) sectionOwnership(ctx context.Context, q store.Q, code string, states []string) (map[string][]string, error) {
	idx, _, err := a.ownershipIndex(ctx, q, states)
	if err != nil {
		return nil, err
	}
	if idx[code] == nil {
		return map[string][]string{}, nil
	}
	return idx[code], nil
}

// ownershipIndex evaluates every item's flow once: section code → item id →
// step kinds the section holds, and the items by id.
func (a *App) ownershipIndex(ctx context.Context, q store.Q, states []string) (map[string]map[string][]string, map[string]*store.Item, error) {
	items, err := store.AllItems(ctx, q, states)
	if err != nil {
		return nil, nil, err
	}
	r := a.stepReader(q)
	idx := map[string]map[string][]string{}
	byID := map[string]*store.Item{}
	for i := range items {
		it := &items[i]
		byID[it.ID] = it
		steps, err := r.steps(ctx, &it.ItemContent)
		if err != nil {
			return nil, nil, fmt.Errorf("steps of item %s: %w", it.Code, err)
		}
		for _, s := range steps {
			if s.Kind == "" {
				continue
			}
			for _, g := range s.Groups {
				if idx[g] == nil {
					idx[g] = map[string][]string{}
				}
				if !slices.Contains(idx[g][it.ID], s.Kind) {
					idx[g][it.ID] = append(idx[g][it.ID], s.Kind)
				}
			}
		}
	}
	for _, m := range idx {
		for _, kinds := range m {
			store.SortStepKinds(kinds)
		}
	}
	return idx, byID, nil
}

// SectionOwnership maps item id → the step kinds in which section sectionID holds a task (see
// the ownership rule above), over every item, reading through q: for loaders that build
// grants in their own transaction (the demo).
func (a *App) SectionOwnership(ctx context.Context, q store.Q, sectionID string) (map[string][]string, error) {
	sec, err := store.GetOrgUnit(ctx, q, sectionID)
	if err != nil {
		return nil, err
	}
	return a.sectionOwnership(ctx, q, sec.Code, nil)
}
