package app

// Identity: the organisation tree (orgunits.go), user accounts and their memberships
// (users.go), system users' API keys (apikeys.go), and signing in (auth.go, tokens.go,
// throttle.go). Admins manage accounts and the tree. Every signed-in user reads the tree
// (units hold no personal data). Supervisors read, and only read, the accounts of staff and
// systems with a membership in their org unit's subtree; no applicant's.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"onewindow/store"
)

// Codes of the identity use cases besides the shared ones.
const (
	codeValidation = "validation_failed" // 400: a field breaks a rule
	codeConflict   = "conflict"          // 409: a username, code or grant exists already
)

// invalidField refuses the value of request field field.
func invalidField(field, format string, args ...any) *Error {
	return refuse(Invalid, codeValidation, field+": "+format, args...).onField(field)
}

// needAdmin lets admins through.
func needAdmin(p *Actor, what string) error {
	if p.HasRole(store.RoleAdmin) {
		return nil
	}
	return refuse(Forbidden, CodeForbidden, "%s needs the role admin; %s has %s", what, p.Username, describeRoles(p.Roles))
}

// accountScope is which accounts an actor may read: every one (admins), or the staff and
// system users with a membership in one of Within (supervisors: their subtree).
type accountScope struct {
	all    bool
	within []string
}

// accountScope refuses actors who read no accounts.
func (a *App) accountScope(ctx context.Context, p *Actor) (*accountScope, error) {
	if p.HasRole(store.RoleAdmin) {
		return &accountScope{all: true}, nil
	}
	if !p.HasRole(store.RoleSupervisor) {
		return nil, refuse(Forbidden, CodeForbidden, "reading accounts needs the role admin or supervisor; %s has %s", p.Username, describeRoles(p.Roles))
	}
	units, err := store.UnitsBelow(ctx, a.db, p.UnitsWithRole(store.RoleSupervisor))
	if err != nil {
		return nil, err
	}
	return &accountScope{within: units}, nil
}

// accountFor reads user id if actor p may read it, and answers as if there were none
// otherwise.
func (a *App) accountFor(ctx context.Context, p *Actor, id string) (*store.User, []store.Membership, error) {
	s, err := a.accountScope(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	u, err := store.GetUser(ctx, a.db, id)
	if err != nil {
		return nil, nil, err
	}
	ms, err := store.UserMemberships(ctx, a.db, id)
	if err != nil {
		return nil, nil, err
	}
	if s.all {
		return u, ms, nil
	}
	if u.Kind != store.UserApplicant && slices.ContainsFunc(ms, func(m store.Membership) bool { return slices.Contains(s.within, m.OrgUnitID) }) {
		return u, ms, nil
	}
	return nil, nil, fmt.Errorf("user %q: %w", id, store.ErrNotFound)
}

// readPage reads a page of a list with read, given how many rows to read (one more than the
// page, to see whether another follows) and from which row.
func readPage[T any](p Page, read func(limit, offset int) ([]T, error)) (*List[T], error) {
	offset, err := p.offset()
	if err != nil {
		return nil, err
	}
	items, err := read(p.limit()+1, offset)
	if err != nil {
		return nil, err
	}
	return probedPage(items, p, offset), nil
}

// existing reads the row get finds, refusing a missing one as a bad value of field.
func existing[T any](field, what, id string, get func() (*T, error)) (*T, error) {
	v, err := get()
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidField(field, "%s %q does not exist", what, id)
	}
	return v, err
}
