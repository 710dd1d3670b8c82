package store

import (
	"context"
	"fmt"
	"time"
)

// Membership grants a user a role in an org unit. The OrgUnit fields are filled in on reads.
type Membership struct {
	UserID      string    `db:"user_id" json:"userId"`
	OrgUnitID   string    `db:"org_unit_id" json:"orgUnitId"`
	Role        string    `db:"role" json:"role" example:"clerk"`
	CreatedAt   time.Time `db:"created_at" json:"createdAt"`
	OrgUnitCode string    `db:"org_unit_code" json:"orgUnitCode" example:"zwzx-01"`
	OrgUnitName string    `db:"org_unit_name" json:"orgUnitName" example:"综合受理一号窗口"`
	OrgUnitKind string    `db:"org_unit_kind" json:"orgUnitKind" example:"window"`
}

// AddMembership grants m.Role in m.OrgUnitID to m.UserID and sets m.CreatedAt. A grant that
// exists already is ErrConflict. Which roles a user may hold is app's rule.
func AddMembership(ctx context.Context, q Q, m *Membership) error {
	m.CreatedAt = Now()
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO memberships (user_id, org_unit_id, role, created_at) VALUES (?, ?, ?, ?)`),
		m.UserID, m.OrgUnitID, m.Role, m.CreatedAt)
	return classify(err, "grant %s in %q to user %q", m.Role, m.OrgUnitID, m.UserID)
}

// RemoveMembership revokes role in orgUnitID from userID, or returns ErrNotFound.
func RemoveMembership(ctx context.Context, q Q, userID, orgUnitID, role string) error {
	res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM memberships WHERE user_id = ? AND org_unit_id = ? AND role = ?`),
		userID, orgUnitID, role)
	if err != nil {
		return fmt.Errorf("revoke %s in %q from user %q: %w", role, orgUnitID, userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("membership %s in %q of user %q: %w", role, orgUnitID, userID, ErrNotFound)
	}
	return nil
}

// UserMemberships returns the memberships of userID, ordered by org unit code and role.
func UserMemberships(ctx context.Context, q Q, userID string) ([]Membership, error) {
	return UserMembershipsPage(ctx, q, userID, 0, 0)
}

// UserMembershipsPage returns at most limit (0: all) of the memberships of userID after
// offset, ordered by org unit code and role.
func UserMembershipsPage(ctx context.Context, q Q, userID string, limit, offset int) ([]Membership, error) {
	query, args := pageClause(`
		SELECT m.user_id, m.org_unit_id, m.role, m.created_at, o.code AS org_unit_code, o.name AS org_unit_name, o.kind AS org_unit_kind
		FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE m.user_id = ? ORDER BY o.code, m.role`, []any{userID}, limit, offset)
	ms := []Membership{}
	if err := q.SelectContext(ctx, &ms, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("memberships of user %q: %w", userID, err)
	}
	return ms, nil
}
