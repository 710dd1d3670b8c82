package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// The organisation tree: five levels of government (region → city → county → township →
// village), their departments and service centres, the departments' approval sections, the
// centres' windows and the townships' and villages' service stations. Every signed-in user
// reads it; admins change it.

// OrgUnitQuery filters the org unit list.
type OrgUnitQuery struct {
	ParentID string // children of this unit
	Roots    bool   // only units without a parent
	Kind     string
	Level    string
	Page     Page
}

// OrgUnits lists org units by code.
func (a *App) OrgUnits(ctx context.Context, p *Actor, q OrgUnitQuery) (*List[store.OrgUnit], error) {
	return readPage(q.Page, func(limit, offset int) ([]store.OrgUnit, error) {
		return store.ListOrgUnits(ctx, a.db, store.OrgUnitFilter{ParentID: q.ParentID, Roots: q.Roots, Kind: q.Kind, Level: q.Level,
			Limit: limit, Offset: offset})
	})
}

// OrgUnit reads an org unit.
func (a *App) OrgUnit(ctx context.Context, p *Actor, id string) (*store.OrgUnit, error) {
	return store.GetOrgUnit(ctx, a.db, id)
}

// OrgUnitAncestors lists the units above one, from the root down to its parent (at most four).
func (a *App) OrgUnitAncestors(ctx context.Context, p *Actor, id string) (*List[store.OrgUnit], error) {
	units, err := store.OrgUnitAncestors(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	return pageOf(units, len(units), Page{Limit: MaxPageSize}, 0), nil
}

// OrgUnitDescendants lists the units below one, breadth first.
func (a *App) OrgUnitDescendants(ctx context.Context, p *Actor, id string, page Page) (*List[store.OrgUnit], error) {
	return readPage(page, func(limit, offset int) ([]store.OrgUnit, error) {
		return store.OrgUnitDescendants(ctx, a.db, id, limit, offset)
	})
}

// CreateOrgUnitRequest creates an org unit. A region government is the root; every other unit
// names its parent: city under region, county under city, township under county, village under
// township; department and centre under a government; section under a department; window under
// a centre; station under a township or village.
type CreateOrgUnitRequest struct {
	ParentID string `json:"parentId" validate:"omitempty,id" example:"01jd5q3k8m0000000000000000"`
	Kind     string `json:"kind" validate:"required,oneof=government department section centre window station" example:"department"`
	Level    string `json:"level" validate:"required_if=Kind government,omitempty,oneof=region city county township village" example:""`
	Code     string `json:"code" validate:"required,max=64,plaintext" example:"bl-fgj"`
	Name     string `json:"name" validate:"required,max=128,plaintext" example:"北流市发展和改革局"`
}

// CreateOrgUnit adds a unit to the tree where its kind fits (admins).
func (a *App) CreateOrgUnit(ctx context.Context, p *Actor, in CreateOrgUnitRequest) (*store.OrgUnit, error) {
	if err := needAdmin(p, "changing the organisation tree"); err != nil {
		return nil, err
	}
	u := &store.OrgUnit{ParentID: in.ParentID, Kind: in.Kind, Level: in.Level, Code: in.Code, Name: in.Name}
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		var parent *store.OrgUnit
		if u.ParentID != "" {
			var err error
			if parent, err = existing("parentId", "org unit", u.ParentID, func() (*store.OrgUnit, error) { return store.GetOrgUnit(ctx, tx, u.ParentID) }); err != nil {
				return err
			}
		}
		if err := checkPlacement(u.Kind, u.Level, parent); err != nil {
			return err
		}
		if err := codeFree(store.CreateOrgUnit(ctx, tx, u), u.Code); err != nil {
			return err
		}
		out.Audit(p, "orgunit.create", "", "orgunit:"+u.ID, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// codeFree turns a duplicate code into a refusal naming it.
func codeFree(err error, code string) error {
	if errors.Is(err, store.ErrConflict) {
		return refuse(Conflict, codeConflict, "the code %s is used by another org unit", code).onField("code")
	}
	return err
}

// UpdateOrgUnitRequest changes an org unit; absent fields stay as they are. parentId moves the
// unit (its kind must fit under the new parent, and not below itself).
type UpdateOrgUnitRequest struct {
	Code     *string `json:"code" validate:"omitempty,min=1,max=64,plaintext" example:"bl-fgj"`
	Name     *string `json:"name" validate:"omitempty,min=1,max=128,plaintext" example:"北流市发展和改革局"`
	ParentID *string `json:"parentId" validate:"omitempty,id" example:"01jd5q3k8m0000000000000000"`
}

// UpdateOrgUnit renames, recodes or moves a unit (admins). A move keeps the tree's shape:
// the unit's kind must fit under the new parent, which may not be the unit or below it.
func (a *App) UpdateOrgUnit(ctx context.Context, p *Actor, id string, in UpdateOrgUnitRequest) (*store.OrgUnit, error) {
	if err := needAdmin(p, "changing the organisation tree"); err != nil {
		return nil, err
	}
	var u *store.OrgUnit
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "orgunit.update", "", "orgunit:"+id, in)
		cur, err := store.GetOrgUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.ParentID != nil && *in.ParentID != cur.ParentID {
			if err := a.checkMove(ctx, tx, cur, *in.ParentID); err != nil {
				return err
			}
		}
		code := cur.Code
		if in.Code != nil {
			code = *in.Code
		}
		u, err = store.UpdateOrgUnit(ctx, tx, id, store.OrgUnitPatch{Code: in.Code, Name: in.Name, ParentID: in.ParentID})
		return codeFree(err, code)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// checkMove checks that unit u may move under parentID ("" for the root).
func (a *App) checkMove(ctx context.Context, tx *sqlx.Tx, u *store.OrgUnit, parentID string) error {
	var parent *store.OrgUnit
	if parentID != "" {
		var err error
		if parent, err = existing("parentId", "org unit", parentID, func() (*store.OrgUnit, error) { return store.GetOrgUnit(ctx, tx, parentID) }); err != nil {
			return err
		}
		inside, err := store.IsWithin(ctx, tx, parent.ID, u.ID)
		if err != nil {
			return err
		}
		if inside {
			return invalidField("parentId", "cannot move a unit under itself or one of its descendants")
		}
	}
	return checkPlacement(u.Kind, u.Level, parent)
}

// checkPlacement refuses a unit of kind and level under parent (nil for a root) unless a
// region is the root; each government level sits under the one above; departments and
// centres under a government; sections under a department; windows under a centre; stations
// under a township or village government.
func checkPlacement(kind, level string, parent *store.OrgUnit) error {
	if !slices.Contains(store.OrgKinds, kind) {
		return invalidField("kind", "must be one of %s", strings.Join(store.OrgKinds, ", "))
	}
	if kind == store.KindGovernment {
		i := slices.Index(store.Levels, level)
		switch {
		case i < 0:
			return invalidField("level", "a government needs a level, one of %s", strings.Join(store.Levels, ", "))
		case i == 0 && parent != nil:
			return invalidField("parentId", "a region government is a root and has no parent")
		case i == 0:
			return nil
		case parent == nil || parent.Kind != store.KindGovernment || parent.Level != store.Levels[i-1]:
			return invalidField("parentId", "a %s government must sit under a %s government", level, store.Levels[i-1])
		}
		return nil
	}
	if level != "" {
		return invalidField("level", "only a government has a level")
	}
	if parent == nil {
		return invalidField("parentId", "a %s needs a parent", kind)
	}
	ok, want := false, ""
	switch kind {
	case store.KindDepartment, store.KindCentre:
		ok, want = parent.Kind == store.KindGovernment, "a government"
	case store.KindSection:
		ok, want = parent.Kind == store.KindDepartment, "a department"
	case store.KindWindow:
		ok, want = parent.Kind == store.KindCentre, "a centre"
	case store.KindStation:
		ok = parent.Kind == store.KindGovernment && (parent.Level == store.LevelTownship || parent.Level == store.LevelVillage)
		want = "a township or village government"
	}
	if !ok {
		return invalidField("parentId", "a %s must sit under %s", kind, want)
	}
	return nil
}
