package app

// What a supervisor oversees: exactly the subtree of their org units, on every supervision
// view (alerts, supervised cases, timelines, ratings, complaints, scorecards). A case is
// theirs when their case scope covers it (scope.go: cases of their departments' items, cases
// submitted at their windows and stations, cases they deal with) or when it counts on the
// calendar of a unit of their subtree (e-supervision's own rectifications and complaints);
// a record (an alert, a rating, a complaint) is theirs when it is attributed to a department
// or window of their subtree, or is about a case of theirs. An admin oversees everything.

import (
	"context"

	"onewindow/store"
)

// oversight is what actor p oversees: nil (everything) for an admin, their subtree for a
// supervisor; ok is false for anyone else.
func (a *App) oversight(ctx context.Context, p *Actor) (o *store.Oversight, ok bool, err error) {
	switch {
	case p.HasRole(store.RoleAdmin):
		return nil, true, nil
	case !p.HasRole(store.RoleSupervisor):
		return nil, false, nil
	}
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return nil, false, err
	}
	// The case scope of a supervisor carries their subtree (scope.Within).
	return &store.Oversight{Scope: scope, Units: scope.Within}, true, nil
}

// supervising is what a supervision view's actor oversees; anyone but a supervisor or admin
// is refused.
func (a *App) supervising(ctx context.Context, p *Actor) (*store.Oversight, error) {
	o, ok, err := a.oversight(ctx, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(Forbidden, CodeForbidden, "e-supervision is for supervisors and admins; %s has %s", p.Username, describeRoles(p.Roles))
	}
	return o, nil
}
