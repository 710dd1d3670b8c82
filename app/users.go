package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// UserView is a user with their memberships.
type UserView struct {
	store.User
	Memberships []store.Membership `json:"memberships"`
}

// UserQuery filters the accounts list.
type UserQuery struct {
	Kind      string // staff, applicant or system
	Role      string // holders of this role
	OrgUnitID string // members of this unit
	Search    string // part of the username, display name or real name
	Page      Page
}

// Users lists the accounts the actor may read (identity.go), by username.
func (a *App) Users(ctx context.Context, p *Actor, q UserQuery) (*List[store.User], error) {
	s, err := a.accountScope(ctx, p)
	if err != nil {
		return nil, err
	}
	f := store.UserFilter{Role: q.Role, OrgUnitID: q.OrgUnitID, Search: q.Search}
	if q.Kind != "" {
		f.Kinds = []string{q.Kind}
	}
	if !s.all { // a supervisor: staff and systems of the subtree, no applicant
		f.Within = s.within
		switch q.Kind {
		case "":
			f.Kinds = []string{store.UserStaff, store.UserSystem}
		case store.UserApplicant:
			f.Within = []string{}
		}
	}
	return readPage(q.Page, func(limit, offset int) ([]store.User, error) {
		f.Limit, f.Offset = limit, offset
		return store.ListUsers(ctx, a.db, f)
	})
}

// User reads an account the actor may read.
func (a *App) User(ctx context.Context, p *Actor, id string) (*UserView, error) {
	u, ms, err := a.accountFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return &UserView{User: *u, Memberships: ms}, nil
}

// UserMemberships lists the memberships of an account the actor may read.
func (a *App) UserMemberships(ctx context.Context, p *Actor, id string, page Page) (*List[store.Membership], error) {
	if _, _, err := a.accountFor(ctx, p, id); err != nil {
		return nil, err
	}
	return readPage(page, func(limit, offset int) ([]store.Membership, error) {
		return store.UserMembershipsPage(ctx, a.db, id, limit, offset)
	})
}

// MembershipRequest grants a role in an org unit.
type MembershipRequest struct {
	OrgUnitID string `json:"orgUnitId" validate:"required,id" example:"01jd5q3k8m0000000000000000"`
	Role      string `json:"role" validate:"required,oneof=admin designer clerk reviewer agent supervisor applicant system" example:"clerk"`
}

// CreateUserRequest creates a staff or system user, with their memberships, all or nothing.
// Staff need a password; system users sign in with API keys and have none.
type CreateUserRequest struct {
	Username    string              `json:"username" validate:"required,username,plaintext" example:"clerk3"`
	DisplayName string              `json:"displayName" validate:"required,max=64,plaintext" example:"窗口工作人员"`
	Kind        string              `json:"kind" validate:"required,oneof=staff system" example:"staff"`
	Password    string              `json:"password" validate:"required_if=Kind staff,excluded_if=Kind system,omitempty,min=8,maxbytes=72" example:"a-long-password"`
	Phone       string              `json:"phone" validate:"omitempty,cnmobile" example:"13800138000"`
	Memberships []MembershipRequest `json:"memberships" validate:"max=50,dive"`
}

// CreateUser creates a staff or system account with its memberships in one transaction
// (admins). Applicants register themselves.
func (a *App) CreateUser(ctx context.Context, p *Actor, in CreateUserRequest) (*UserView, error) {
	if err := needAdmin(p, "creating accounts"); err != nil {
		return nil, err
	}
	u := &store.User{Username: in.Username, DisplayName: in.DisplayName, Kind: in.Kind, Phone: in.Phone}
	switch {
	case in.Kind != store.UserStaff && in.Kind != store.UserSystem:
		return nil, invalidField("kind", "must be staff or system: applicants register themselves")
	case in.Kind == store.UserSystem && in.Password != "":
		return nil, invalidField("password", "a system user signs in with API keys and has no password")
	case in.Kind == store.UserStaff:
		hash, err := hashPassword("password", in.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	v := &UserView{}
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := usernameFree(ctx, tx, u.Username); err != nil {
			return err
		}
		if err := store.CreateUser(ctx, tx, u); err != nil {
			return err
		}
		out.Audit(p, "user.create", "", "user:"+u.ID, v) // the view, without the password
		v.User, v.Memberships = *u, []store.Membership{}
		for i, mr := range in.Memberships {
			m, err := grant(ctx, tx, u, mr)
			if err != nil {
				return onItem(err, "memberships["+strconv.Itoa(i)+"].")
			}
			v.Memberships = append(v.Memberships, *m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// onItem puts prefix before the field of a refusal about one item of a request's list.
func onItem(err error, prefix string) error {
	if e, ok := asError(err); ok && e.Field != "" {
		c := *e
		c.Field = prefix + e.Field
		c.Message = prefix + e.Message
		return &c
	}
	return err
}

// grant gives user u the role in the unit of mr: system users hold only the role system,
// applicants only the role applicant, and nobody else either.
func grant(ctx context.Context, tx *sqlx.Tx, u *store.User, mr MembershipRequest) (*store.Membership, error) {
	if !slices.Contains(store.Roles, mr.Role) {
		return nil, invalidField("role", "must be one of %s", strings.Join(store.Roles, ", "))
	}
	if (mr.Role == store.RoleSystem) != (u.Kind == store.UserSystem) {
		return nil, invalidField("role", "the role system is for system users only, and system users hold only it")
	}
	if (mr.Role == store.RoleApplicant) != (u.Kind == store.UserApplicant) {
		return nil, invalidField("role", "the role applicant is for applicant users only, and applicants hold only it")
	}
	unit, err := existing("orgUnitId", "org unit", mr.OrgUnitID, func() (*store.OrgUnit, error) { return store.GetOrgUnit(ctx, tx, mr.OrgUnitID) })
	if err != nil {
		return nil, err
	}
	m := &store.Membership{UserID: u.ID, OrgUnitID: unit.ID, Role: mr.Role, OrgUnitCode: unit.Code, OrgUnitName: unit.Name, OrgUnitKind: unit.Kind}
	if err := store.AddMembership(ctx, tx, m); errors.Is(err, store.ErrConflict) {
		return nil, refuse(Conflict, codeConflict, "%s is %s of %s already", u.Username, mr.Role, unit.Name)
	} else if err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateUserRequest changes a user; absent fields stay as they are.
type UpdateUserRequest struct {
	DisplayName *string `json:"displayName" validate:"omitempty,min=1,max=64,plaintext" example:"一号窗口 王丽"`
	Password    *string `json:"password" validate:"omitempty,min=8,maxbytes=72" example:"a-new-long-password"`
	Phone       *string `json:"phone" validate:"omitempty,cnmobile" example:"13800138000"`
	Disabled    *bool   `json:"disabled" example:"false"`
}

// UpdateUser changes an account (admins). A new password, or disabling the account, revokes
// every token the user holds.
func (a *App) UpdateUser(ctx context.Context, p *Actor, id string, in UpdateUserRequest) (*store.User, error) {
	if err := needAdmin(p, "changing accounts"); err != nil {
		return nil, err
	}
	patch := store.UserPatch{DisplayName: in.DisplayName, Phone: in.Phone, Disabled: in.Disabled,
		RevokeTokens: in.Password != nil || (in.Disabled != nil && *in.Disabled)}
	if in.Password != nil {
		hash, err := hashPassword("password", *in.Password)
		if err != nil {
			return nil, err
		}
		patch.PasswordHash = &hash
	}
	var u *store.User
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "user.update", "", "user:"+id, map[string]any{"displayName": in.DisplayName, "phone": in.Phone,
			"disabled": in.Disabled, "passwordChanged": in.Password != nil})
		cur, err := store.GetUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Password != nil && cur.Kind == store.UserSystem {
			return invalidField("password", "%s is a system user: it signs in with API keys and has no password", cur.Username)
		}
		u, err = store.UpdateUser(ctx, tx, id, patch)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// AddMembership grants a user a role in an org unit (admins).
func (a *App) AddMembership(ctx context.Context, p *Actor, userID string, in MembershipRequest) (*store.Membership, error) {
	if err := needAdmin(p, "granting roles"); err != nil {
		return nil, err
	}
	var m *store.Membership
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		u, err := store.GetUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		out.Audit(p, "user.grantRole", "", "user:"+userID, in)
		m, err = grant(ctx, tx, u, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveMembership revokes a user's role in an org unit (admins).
func (a *App) RemoveMembership(ctx context.Context, p *Actor, userID, orgUnitID, role string) error {
	if err := needAdmin(p, "revoking roles"); err != nil {
		return err
	}
	return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "user.revokeRole", "", "user:"+userID, map[string]string{"orgUnitId": orgUnitID, "role": role})
		return store.RemoveMembership(ctx, tx, userID, orgUnitID, role)
	})
}
