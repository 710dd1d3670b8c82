package app

import (
	"context"
	"slices"

	"onewindow/store"
)

// Actor is who a use case acts for: a signed-in user with the roles of their memberships, or
// a department system through its API key.
type Actor struct {
	UserID      string             `json:"userId"`
	Username    string             `json:"username"`
	DisplayName string             `json:"displayName"`
	Kind        string             `json:"kind"`  // staff, applicant or system
	Roles       []string           `json:"roles"` // distinct roles over all memberships, sorted; applicants have "applicant"
	Memberships []store.Membership `json:"memberships"`
	Via         string             `json:"via"` // "token" or "apiKey"
	// token is the access token the actor signed in with (auth.go): what signing out revokes.
	token *tokenClaims
}

// HasRole reports whether the actor holds any of roles in some org unit.
func (p *Actor) HasRole(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// UnitsWithRole returns the ids of the org units where the actor holds role.
func (p *Actor) UnitsWithRole(role string) []string {
	var ids []string
	for _, m := range p.Memberships {
		if m.Role == role && !slices.Contains(ids, m.OrgUnitID) {
			ids = append(ids, m.OrgUnitID)
		}
	}
	return ids
}

// IsStaff reports whether the actor works for the centre or a department (staff and systems):
// who sees holders, task ids and internal opinions.
func (p *Actor) IsStaff() bool { return p.Kind == store.UserStaff || p.Kind == store.UserSystem }

// isMe reports whether s names the actor by id or username.
func (p *Actor) isMe(s string) bool { return s != "" && (s == p.UserID || s == p.Username) }

// holders are the values a task's assignee column holds for the actor.
func (p *Actor) holders() []string { return []string{p.UserID, p.Username} }

// LoadActor builds the actor of user u (who must be enabled), signed in via "token" or
// "apiKey".
func (a *App) LoadActor(ctx context.Context, u *store.User, via string) (*Actor, error) {
	ms, err := store.UserMemberships(ctx, a.db, u.ID)
	if err != nil {
		return nil, err
	}
	p := &Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Kind: u.Kind, Memberships: ms, Via: via, Roles: []string{}}
	if u.Kind == store.UserApplicant {
		p.Roles = append(p.Roles, store.RoleApplicant)
	}
	for _, m := range ms {
		if !slices.Contains(p.Roles, m.Role) {
			p.Roles = append(p.Roles, m.Role)
		}
	}
	slices.Sort(p.Roles)
	return p, nil
}

// hasRoleOver reports whether the actor holds role in orgUnitID or in a unit above it, e.g.
// a supervisor of a county over a township's station.
func (a *App) hasRoleOver(ctx context.Context, p *Actor, role, orgUnitID string) (bool, error) {
	for _, id := range p.UnitsWithRole(role) {
		ok, err := store.IsWithin(ctx, a.db, orgUnitID, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
