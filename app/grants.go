package app

// Delegation grants (三集中): admins grant, change and revoke them; staff read them and their
// audit trail. The rules are in grant_rules.go.

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// GrantQuery filters grants; zero fields match everything.
type GrantQuery struct {
	DepartmentID string
	WindowID     string
	UserID       string
	// ActiveAt keeps the grants in force at that time; zero lists revoked and expired ones too.
	ActiveAt time.Time
	Page     Page
}

// Grants lists delegation grants, newest first.
func (a *App) Grants(ctx context.Context, p *Actor, q GrantQuery) (*List[store.Grant], error) {
	if err := allowRoles(p, "the delegation grants", StaffRoles...); err != nil {
		return nil, err
	}
	offset, err := q.Page.offset()
	if err != nil {
		return nil, err
	}
	gs, err := store.ListGrants(ctx, a.db, store.GrantFilter{DepartmentID: q.DepartmentID, WindowID: q.WindowID, UserID: q.UserID,
		ActiveAt: q.ActiveAt, Limit: q.Page.limit() + 1, Offset: offset})
	if err != nil {
		return nil, err
	}
	return probedPage(gs, q.Page, offset), nil
}

// Grant reads grant id.
func (a *App) Grant(ctx context.Context, p *Actor, id string) (*store.Grant, error) {
	if err := allowRoles(p, "the delegation grants", StaffRoles...); err != nil {
		return nil, err
	}
	return store.GetGrant(ctx, a.db, id)
}

// GrantAudit lists who granted, changed and revoked grant id, and when, oldest first.
func (a *App) GrantAudit(ctx context.Context, p *Actor, id string, page Page) (*List[store.GrantAuditEntry], error) {
	if _, err := a.Grant(ctx, p, id); err != nil {
		return nil, err
	}
	offset, err := page.offset()
	if err != nil {
		return nil, err
	}
	entries, err := store.GrantAudit(ctx, a.db, id, page.limit()+1, offset)
	if err != nil {
		return nil, err
	}
	return probedPage(entries, page, offset), nil
}

// CreateGrantRequest delegates a department's authority for some step kinds of some (or all) of
// its items to a window, or to one clerk of a window.
type CreateGrantRequest struct {
	DepartmentID string `json:"departmentId" validate:"required,id" example:"01jd5q3k8m0000000000000000"`
	// SectionID is the department's section whose tasks are delegated; it may be left out when
	// the department has exactly one.
	SectionID string `json:"sectionId" validate:"omitempty,id"`
	WindowID  string `json:"windowId" validate:"required,id" example:"01jd5q3k8m0000000000000002"`
	// UserID names one clerk of the window; absent grants every clerk of it.
	UserID    string   `json:"userId" validate:"omitempty,id"`
	StepKinds []string `json:"stepKinds" validate:"required,min=1,max=6,dive,oneof=acceptance review coordination approval certification delivery" example:"acceptance,review,coordination,delivery"`
	// ItemIDs limits the grant to these items; absent or empty covers all the section's items.
	ItemIDs []string `json:"itemIds" validate:"max=1000,dive,id"`
	// ValidFrom defaults to now; ValidUntil absent means until revoked.
	ValidFrom  *time.Time `json:"validFrom" example:"2025-01-01T00:00:00+08:00"`
	ValidUntil *time.Time `json:"validUntil" example:"2025-12-31T23:59:59+08:00"`
	Note       string     `json:"note" validate:"max=500,plaintext" example:"发改局授权综合受理一号窗口"`
}

// CreateGrant checks a grant by the delegation rules and stores it, audited.
func (a *App) CreateGrant(ctx context.Context, p *Actor, req CreateGrantRequest) (*store.Grant, error) {
	if err := allowRoles(p, "delegating authority", store.RoleAdmin); err != nil {
		return nil, err
	}
	in := store.GrantInput{DepartmentID: req.DepartmentID, SectionID: req.SectionID, WindowID: req.WindowID, UserID: req.UserID,
		StepKinds: req.StepKinds, ItemIDs: req.ItemIDs, ValidFrom: a.now(), ValidUntil: req.ValidUntil, Note: req.Note}
	if req.ValidFrom != nil {
		in.ValidFrom = *req.ValidFrom
	}
	var g *store.Grant
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		if g, err = a.insertGrant(ctx, tx, in, p.UserID); err != nil {
			return err
		}
		out.Audit(p, "grant.create", "", "grant:"+g.ID, g)
		return nil
	})
	return g, err
}

// LoadGrant checks grant in by the delegation rules and stores it through q, a transaction
// the caller holds: for loaders (the demo) that build an organisation in one.
func (a *App) LoadGrant(ctx context.Context, q store.Q, in store.GrantInput, by string) (*store.Grant, error) {
	return a.insertGrant(ctx, q, in, by)
}

func (a *App) insertGrant(ctx context.Context, q store.Q, in store.GrantInput, by string) (*store.Grant, error) {
	if err := a.checkGrant(ctx, q, &in); err != nil {
		return nil, err
	}
	return store.InsertGrant(ctx, q, in, by)
}

// UpdateGrantRequest changes a grant's terms; absent fields stay as they are.
type UpdateGrantRequest struct {
	StepKinds *[]string `json:"stepKinds" validate:"omitempty,min=1,max=6,dive,oneof=acceptance review coordination approval certification delivery"`
	// ItemIDs replaces the grant's items; an empty list covers all the section's items.
	ItemIDs    *[]string  `json:"itemIds" validate:"omitempty,max=1000,dive,id"`
	ValidUntil *time.Time `json:"validUntil"`
	// ClearValidUntil removes the end of validity.
	ClearValidUntil bool    `json:"clearValidUntil"`
	Note            *string `json:"note" validate:"omitempty,max=500,plaintext"`
}

// UpdateGrant changes the terms of an unrevoked grant, checks them as on creation, and audits
// the change. A revoked grant is a conflict: make a new one.
func (a *App) UpdateGrant(ctx context.Context, p *Actor, id string, req UpdateGrantRequest) (*store.Grant, error) {
	if err := allowRoles(p, "delegating authority", store.RoleAdmin); err != nil {
		return nil, err
	}
	if req.ClearValidUntil && req.ValidUntil != nil {
		return nil, store.Invalid("clearValidUntil", "give validUntil or clearValidUntil, not both")
	}
	var g *store.Grant
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		cur, err := store.GetGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.RevokedAt != nil {
			return fmt.Errorf("grant %s was revoked on %s; make a new one: %w", id, cur.RevokedAt.In(store.CaseZone).Format("2006-01-02 15:04"), store.ErrConflict)
		}
		in := store.GrantInput{DepartmentID: cur.DepartmentID, SectionID: cur.SectionID, WindowID: cur.WindowID, UserID: cur.UserID,
			StepKinds: cur.StepKinds, ItemIDs: cur.ItemIDs, ValidFrom: cur.ValidFrom, ValidUntil: cur.ValidUntil, Note: cur.Note}
		if req.StepKinds != nil {
			in.StepKinds = *req.StepKinds
		}
		if req.ItemIDs != nil {
			in.ItemIDs = *req.ItemIDs
		}
		if req.ValidUntil != nil {
			in.ValidUntil = req.ValidUntil
		}
		if req.ClearValidUntil {
			in.ValidUntil = nil
		}
		if req.Note != nil {
			in.Note = *req.Note
		}
		if err := a.checkGrant(ctx, tx, &in); err != nil {
			return err
		}
		if g, err = store.UpdateGrant(ctx, tx, id, in, p.UserID); err != nil {
			return err
		}
		out.Audit(p, "grant.update", "", "grant:"+id, g)
		return nil
	})
	return g, err
}

// RevokeGrantRequest says why a grant ends.
type RevokeGrantRequest struct {
	Reason string `json:"reason" validate:"required,max=500,plaintext" example:"窗口调整"`
}

// RevokeGrant ends grant id now, recording who and why. A grant revoked already is a conflict.
func (a *App) RevokeGrant(ctx context.Context, p *Actor, id string, req RevokeGrantRequest) (*store.Grant, error) {
	if err := allowRoles(p, "delegating authority", store.RoleAdmin); err != nil {
		return nil, err
	}
	var g *store.Grant
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) (err error) {
		if g, err = store.RevokeGrant(ctx, tx, id, p.UserID, req.Reason); err != nil {
			return err
		}
		out.Audit(p, "grant.revoke", "", "grant:"+id, req)
		return nil
	})
	return g, err
}
