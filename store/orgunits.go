package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OrgUnit is a node of the organisation tree.
type OrgUnit struct {
	ID        string    `db:"id" json:"id"`
	ParentID  string    `db:"parent_id" json:"parentId,omitempty"` // "" for the root
	Kind      string    `db:"kind" json:"kind" example:"department"`
	Level     string    `db:"level" json:"level,omitempty"` // governments only
	Code      string    `db:"code" json:"code" example:"fgj"`
	Name      string    `db:"name" json:"name" example:"北流市发展和改革局"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

// orgUnitColumns lists the columns of OrgUnit, qualified with table alias t when t is not "".
func orgUnitColumns(t string) string {
	if t != "" {
		t += "."
	}
	return strings.NewReplacer("%", t).Replace(
		`%id, COALESCE(%parent_id, '') AS parent_id, %kind, COALESCE(%level, '') AS level, %code, %name, %created_at, %updated_at`)
}

var orgUnitCols = orgUnitColumns("")

// CreateOrgUnit inserts u, filling in ID (if empty) and the timestamps. A duplicate code is
// ErrConflict. Where the unit may sit in the tree is app's rule, checked before.
func CreateOrgUnit(ctx context.Context, q Q, u *OrgUnit) error {
	if err := checkPlain("code", u.Code, "name", u.Name); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	u.CreatedAt = Now()
	u.UpdatedAt = u.CreatedAt
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO org_units (id, parent_id, kind, level, code, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, nullable(u.ParentID), u.Kind, nullable(u.Level), u.Code, u.Name, u.CreatedAt, u.UpdatedAt)
	return classify(err, "create org unit %q", u.Code)
}

// GetOrgUnit returns the unit with the given id, or ErrNotFound.
func GetOrgUnit(ctx context.Context, q Q, id string) (*OrgUnit, error) {
	var u OrgUnit
	err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+orgUnitCols+` FROM org_units WHERE id = ?`), id)
	if err != nil {
		return nil, classify(err, "org unit %q", id)
	}
	return &u, nil
}

// GetOrgUnitByCode returns the unit with the given code, or ErrNotFound.
func GetOrgUnitByCode(ctx context.Context, q Q, code string) (*OrgUnit, error) {
	var u OrgUnit
	err := q.GetContext(ctx, &u, q.Rebind(`SELECT `+orgUnitCols+` FROM org_units WHERE code = ?`), code)
	if err != nil {
		return nil, classify(err, "org unit with code %q", code)
	}
	return &u, nil
}

// OrgUnitFilter selects org units; zero fields match everything.
type OrgUnitFilter struct {
	ParentID string // children of this unit
	Roots    bool   // only units without a parent
	Kind     string
	Level    string
	Limit    int // at most this many rows (0: no limit)
	Offset   int
}

// ListOrgUnits returns the units matching f, ordered by code (unique: the index of the
// column serves the order and the page).
func ListOrgUnits(ctx context.Context, q Q, f OrgUnitFilter) ([]OrgUnit, error) {
	var where []string
	var args []any
	if f.ParentID != "" {
		where, args = append(where, "parent_id = ?"), append(args, f.ParentID)
	}
	if f.Roots {
		where = append(where, "parent_id IS NULL")
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Level != "" {
		where, args = append(where, "level = ?"), append(args, f.Level)
	}
	query := `SELECT ` + orgUnitCols + ` FROM org_units`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query, args = pageClause(query+" ORDER BY code", args, f.Limit, f.Offset)
	units := []OrgUnit{}
	if err := q.SelectContext(ctx, &units, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("list org units: %w", err)
	}
	return units, nil
}

// pageClause appends LIMIT and OFFSET to query when limit is positive.
func pageClause(query string, args []any, limit, offset int) (string, []any) {
	if limit <= 0 {
		return query, args
	}
	return query + " LIMIT ? OFFSET ?", append(args, limit, offset)
}

// OrgUnitPatch holds the fields UpdateOrgUnit changes; nil fields stay as they are.
type OrgUnitPatch struct {
	Code     *string
	Name     *string
	ParentID *string // "" makes the unit a root
}

// UpdateOrgUnit applies p to the unit id and returns the result. A move is checked by app
// (placement, no cycle) in the same transaction.
func UpdateOrgUnit(ctx context.Context, q Q, id string, p OrgUnitPatch) (*OrgUnit, error) {
	u, err := GetOrgUnit(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if p.Code != nil {
		u.Code = *p.Code
		if err := checkPlain("code", u.Code); err != nil {
			return nil, err
		}
	}
	if p.Name != nil {
		u.Name = *p.Name
		if err := checkPlain("name", u.Name); err != nil {
			return nil, err
		}
	}
	if p.ParentID != nil {
		u.ParentID = *p.ParentID
	}
	u.UpdatedAt = Now()
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE org_units SET code = ?, name = ?, parent_id = ?, updated_at = ? WHERE id = ?`),
		u.Code, u.Name, nullable(u.ParentID), u.UpdatedAt, id)
	if err != nil {
		return nil, classify(err, "update org unit %q", id)
	}
	return u, nil
}

// OrgUnitAncestors returns the units above id, from the root down to its parent (empty for a
// root), or ErrNotFound if id does not exist.
func OrgUnitAncestors(ctx context.Context, q Q, id string) ([]OrgUnit, error) {
	if _, err := GetOrgUnit(ctx, q, id); err != nil {
		return nil, err
	}
	units := []OrgUnit{}
	err := q.SelectContext(ctx, &units, q.Rebind(`
		WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id
		)
		SELECT `+orgUnitColumns("o")+` FROM org_units o JOIN up ON o.id = up.id
		WHERE up.depth > 0 ORDER BY up.depth DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("ancestors of org unit %q: %w", id, err)
	}
	return units, nil
}

// OrgUnitDescendants returns the units below id, breadth first (children, then grandchildren,
// ...; by code within a depth), at most limit of them (0: all) after offset, or ErrNotFound if
// id does not exist.
func OrgUnitDescendants(ctx context.Context, q Q, id string, limit, offset int) ([]OrgUnit, error) {
	if _, err := GetOrgUnit(ctx, q, id); err != nil {
		return nil, err
	}
	query, args := pageClause(`
		WITH RECURSIVE down (id, depth) AS (
			SELECT id, 0 FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, down.depth + 1 FROM org_units o JOIN down ON o.parent_id = down.id
		)
		SELECT `+orgUnitColumns("o")+` FROM org_units o JOIN down ON o.id = down.id
		WHERE down.depth > 0 ORDER BY down.depth, o.code`, []any{id}, limit, offset)
	units := []OrgUnit{}
	if err := q.SelectContext(ctx, &units, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("descendants of org unit %q: %w", id, err)
	}
	return units, nil
}

// IsWithin reports whether unit id is ancestorID itself or lies below it, for scoping a role
// held in ancestorID to a subtree.
func IsWithin(ctx context.Context, q Q, id, ancestorID string) (bool, error) {
	if id == ancestorID {
		return true, nil
	}
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`
		WITH RECURSIVE up (id, parent_id) AS (
			SELECT id, parent_id FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id FROM org_units o JOIN up ON o.id = up.parent_id
		)
		SELECT COUNT(*) FROM up WHERE id = ?`), id, ancestorID)
	if err != nil {
		return false, fmt.Errorf("is %q within %q: %w", id, ancestorID, err)
	}
	return n > 0, nil
}
