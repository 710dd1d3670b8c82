package app

// Which cases an actor may see. Applicants see the cases they applied for; clerks and agents
// also those submitted at their windows and stations; staff the cases with a step for one of
// their units or under one of their delegation grants, and the cases they acted on; a
// supervisor every case of their org unit's subtree (cases of its departments' items, and
// cases submitted at its windows and stations); an admin every case. A case outside the
// scope looks like no case at all (404).

import (
	"context"
	"fmt"
	"slices"

	"onewindow/store"
)

// caseScope is what actor p may see of the cases.
func (a *App) caseScope(ctx context.Context, p *Actor) (*store.CaseScope, error) {
	if p.HasRole(store.RoleAdmin) {
		return &store.CaseScope{All: true}, nil
	}
	s := &store.CaseScope{UserID: p.UserID, Username: p.Username}
	for _, m := range p.Memberships {
		if !slices.Contains(s.UnitIDs, m.OrgUnitID) {
			s.UnitIDs = append(s.UnitIDs, m.OrgUnitID)
			s.UnitCodes = append(s.UnitCodes, m.OrgUnitCode)
		}
	}
	if p.HasRole(store.RoleSupervisor) {
		units, err := store.UnitsBelow(ctx, a.db, p.UnitsWithRole(store.RoleSupervisor))
		if err != nil {
			return nil, err
		}
		s.Within = units
	}
	if p.HasRole(store.RoleSystem) {
		if err := a.systemScope(ctx, p, s); err != nil {
			return nil, err
		}
	}
	if p.HasRole(store.RoleClerk) {
		v, err := a.visibility(ctx, p.UserID, a.now())
		if err != nil {
			return nil, err
		}
		s.Grants = v.reach().Grants
	}
	return s, nil
}

// maySeeCase reports whether actor p may see case k.
func (a *App) maySeeCase(ctx context.Context, p *Actor, k *store.Case) (bool, error) {
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return false, err
	}
	return store.CanSeeCase(ctx, a.db, scope, k.ID)
}

// caseFor reads case id if actor p may see it; otherwise it answers as if there were none.
func (a *App) caseFor(ctx context.Context, p *Actor, id string) (*store.Case, error) {
	id = internalID(id)
	k, err := store.GetCase(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	ok, err := a.maySeeCase(ctx, p, k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	return k, nil
}

// applicantSide reports whether p applied for case k, submitted it, or follows it from the
// window or station where it was submitted: who may withdraw it, supplement it and read its
// query code.
func applicantSide(p *Actor, k *store.Case) bool {
	if p.UserID == k.Applicant.UserID || p.UserID == k.SubmittedBy || (k.AgentID != "" && p.UserID == k.AgentID) {
		return true
	}
	for _, m := range p.Memberships {
		if (k.WindowID != "" && m.OrgUnitID == k.WindowID && m.Role == store.RoleClerk) ||
			(k.StationID != "" && m.OrgUnitID == k.StationID && m.Role == store.RoleAgent) {
			return true
		}
	}
	return false
}

// CaseFor reads case id, an application or a case the engine started without one (a
// rectification, a complaint, a call activity's case), if the actor may see it; otherwise it
// answers as if there were none (store.ErrNotFound).
func (a *App) CaseFor(ctx context.Context, p *Actor, id string) (*store.Case, error) {
	id = internalID(id)
	k, err := store.GetAnyCase(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	ok, err := a.maySeeCase(ctx, p, k)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	return k, nil
}
