package app

// Authority over tasks. A user may act on a task when it is assigned to them; or, when it is
// unassigned, when they are one of its candidate users, when one of its candidate groups is
// the code of one of their org units ("unit"), or when an active delegation grant covers it
// (三集中): the task's candidate group is the grant's section code, its step kind is one of
// the grant's, its case's item is one of the grant's (or the grant covers all items), and the
// user is the grant's named clerk or (for a grant without one) a clerk of the grant's window.
// A disabled user acts under no grant. The same rule, as SQL, selects the inbox
// (store.TaskReach).

import (
	"context"
	"slices"
	"strings"
	"time"

	"onewindow/store"
)

// Kinds of authority.
const (
	AuthorityAssignee      = "assignee"      // the task is assigned to the user
	AuthorityCandidateUser = "candidateUser" // the user is a candidate user of the task
	AuthorityUnit          = "unit"          // a candidate group is one of the user's units
	AuthorityDelegation    = "delegation"    // a delegation grant covers the task
)

// Authority is why a user may act on a task: what an action records ("acted under
// department X's delegation").
type Authority struct {
	Kind string `json:"kind" example:"delegation"`
	// UnitCode is the unit acted for: the user's own unit, or the delegating department's
	// section.
	UnitCode string `json:"unitCode,omitempty" example:"fgj-xzsp"`
	// GrantID, DepartmentID and WindowID are set for a delegation.
	GrantID      string `json:"grantId,omitempty"`
	DepartmentID string `json:"departmentId,omitempty"`
	WindowID     string `json:"windowId,omitempty"`
}

// DelegationScope is what one active grant lets a user act on.
type DelegationScope struct {
	GrantID      string   `json:"grantId"`
	DepartmentID string   `json:"departmentId"`
	SectionID    string   `json:"sectionId"`
	SectionCode  string   `json:"sectionCode"`
	WindowID     string   `json:"windowId"`
	WindowCode   string   `json:"windowCode"`
	StepKinds    []string `json:"stepKinds"`
	// ItemIDs limits the scope to these items; nil covers every item.
	ItemIDs []string `json:"itemIds,omitempty"`
}

// Visibility is what a user may act on at a time.
type Visibility struct {
	UserID   string    `json:"userId"`
	Username string    `json:"username"`
	At       time.Time `json:"at"`
	// Units are the codes of the user's org units (any role): tasks with one of them as
	// candidate group are the user's own.
	Units []string `json:"units"`
	// Grants are the delegations the user acts under at At, by grant id.
	Grants []DelegationScope `json:"grants"`
}

// taskInfo is what Authority needs to know of a task.
type taskInfo struct {
	Assignee        string
	CandidateUsers  []string
	CandidateGroups []string
	StepKind        string
	// ItemID is the item of the task's case.
	ItemID string
}

// visibility returns what user userID may act on at time at.
func (a *App) visibility(ctx context.Context, userID string, at time.Time) (*Visibility, error) {
	u, err := store.GetUser(ctx, a.db, userID)
	if err != nil {
		return nil, err
	}
	ms, err := store.UserMemberships(ctx, a.db, userID)
	if err != nil {
		return nil, err
	}
	if ms, err = a.withSystemSections(ctx, a.db, ms); err != nil {
		return nil, err
	}
	var gs []store.Grant
	for _, m := range ms {
		if m.Role == store.RoleClerk && m.OrgUnitKind == store.KindWindow {
			more, err := store.ListGrants(ctx, a.db, store.GrantFilter{WindowID: m.OrgUnitID, ActiveAt: at})
			if err != nil {
				return nil, err
			}
			gs = append(gs, more...)
		}
	}
	return visibilityOf(u, ms, gs, at), nil
}

// visibilityOf is what user u may act on at time at: their units, and of the grants in force
// to the windows where they are a clerk (windowGrants), those that name no clerk or name them.
// A disabled user acts under no grant.
func visibilityOf(u *store.User, ms []store.Membership, windowGrants []store.Grant, at time.Time) *Visibility {
	v := &Visibility{UserID: u.ID, Username: u.Username, At: store.Time(at), Units: []string{}, Grants: []DelegationScope{}}
	for _, m := range ms {
		if !slices.Contains(v.Units, m.OrgUnitCode) {
			v.Units = append(v.Units, m.OrgUnitCode)
		}
	}
	if u.Disabled {
		return v
	}
	for _, g := range windowGrants {
		// A grant reaches the clerks of its window, or the one it names while they are a
		// clerk there.
		if g.UserID != "" && g.UserID != u.ID {
			continue
		}
		s := DelegationScope{GrantID: g.ID, DepartmentID: g.DepartmentID, SectionID: g.SectionID, SectionCode: g.SectionCode,
			WindowID: g.WindowID, WindowCode: g.WindowCode, StepKinds: g.StepKinds}
		if len(g.ItemIDs) > 0 {
			s.ItemIDs = g.ItemIDs
		}
		v.Grants = append(v.Grants, s)
	}
	slices.SortFunc(v.Grants, func(a, b DelegationScope) int { return strings.Compare(a.GrantID, b.GrantID) })
	return v
}

// authority tells whether the visibility's user may act on task t, and why. An assigned task
// is its assignee's alone; otherwise a candidate user, a unit of the user, and then a grant
// (the oldest that covers it) count.
func (v *Visibility) authority(t taskInfo) (*Authority, bool) {
	if t.Assignee != "" {
		if t.Assignee == v.UserID || t.Assignee == v.Username {
			return &Authority{Kind: AuthorityAssignee}, true
		}
		return nil, false
	}
	if slices.Contains(t.CandidateUsers, v.UserID) || slices.Contains(t.CandidateUsers, v.Username) {
		return &Authority{Kind: AuthorityCandidateUser}, true
	}
	for _, g := range t.CandidateGroups {
		if slices.Contains(v.Units, g) {
			return &Authority{Kind: AuthorityUnit, UnitCode: g}, true
		}
	}
	for _, s := range v.Grants {
		if !slices.Contains(t.CandidateGroups, s.SectionCode) || !slices.Contains(s.StepKinds, t.StepKind) {
			continue
		}
		if s.ItemIDs != nil && !slices.Contains(s.ItemIDs, t.ItemID) {
			continue
		}
		return &Authority{Kind: AuthorityDelegation, UnitCode: s.SectionCode, GrantID: s.GrantID, DepartmentID: s.DepartmentID, WindowID: s.WindowID}, true
	}
	return nil, false
}

// reach is the visibility as a task query's filter.
func (v *Visibility) reach() store.TaskReach {
	r := store.TaskReach{UserID: v.UserID, Username: v.Username, Units: v.Units}
	for _, g := range v.Grants {
		r.Grants = append(r.Grants, store.GrantReach{SectionCode: g.SectionCode, StepKinds: g.StepKinds, ItemIDs: g.ItemIDs})
	}
	return r
}

// infoOf is what authority needs to know of the task of scene s.
func infoOf(s *store.TaskScene) taskInfo {
	return taskInfo{Assignee: deref(s.Task.Assignee), CandidateUsers: s.CandidateUsers, CandidateGroups: s.CandidateGroups,
		StepKind: deref(s.Task.StepKind), ItemID: s.ItemID}
}

// CanActOnTask tells whether user userID may act on task taskID at time at and under which
// authority. A task that does not exist is store.ErrNotFound; one the user may not act on is
// ErrNoAuthority with a message saying whose it is. It does not look at the task's state.
func (a *App) CanActOnTask(ctx context.Context, userID, taskID string, at time.Time) (*Authority, error) {
	s, err := store.LoadTaskScene(ctx, a.db, internalID(taskID), userID, at)
	if err != nil {
		return nil, err
	}
	if s.Memberships, err = a.withSystemSections(ctx, a.db, s.Memberships); err != nil {
		return nil, err
	}
	info := infoOf(s)
	v := visibilityOf(&s.User, s.Memberships, s.WindowGrants, at)
	if au, ok := v.authority(info); ok {
		return au, nil
	}
	return nil, whoseTask(v.Username, &s.Task, info)
}

// whoseTask refuses user an action on task t for lack of authority, saying whose it is.
func whoseTask(username string, t *store.Task, info taskInfo) error {
	if info.Assignee != "" {
		return noAuthority("task %s (%s) is assigned to %s, not to %s", t.ID, t.Name, info.Assignee, username)
	}
	kind := "an unnamed"
	if info.StepKind != "" {
		kind = "a " + info.StepKind
	}
	groups := info.CandidateGroups
	if len(groups) == 0 {
		groups = []string{"none"}
	}
	return noAuthority("%s may not act on task %s (%s, %s step of %s): none of %s's units is a candidate, and no delegation grant to them covers it",
		username, t.ID, t.Name, kind, strings.Join(groups, ", "), username)
}
