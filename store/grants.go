package store

// Delegation grants (三集中): a department's grant to a window of the authority for some step
// kinds of some (or all) of its items, for a period, with the audit trail of every change.
// Which grants the rules allow (ownership of step kinds by sections, the items a grant may
// name) is the use cases' (app/grant_rules.go); these functions store and read grants that
// passed them. A grant is active at t when valid_from <= t < valid_until (no end when NULL) and
// it was not revoked at or before t.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
)

// Grant is a department's delegation to a window.
type Grant struct {
	ID             string `json:"id"`
	DepartmentID   string `json:"departmentId"`
	DepartmentName string `json:"departmentName"`
	// SectionID is the department's section whose tasks the window may act
	// on; SectionCode is the candidate group those tasks carry.
	SectionID   string `json:"sectionId"`
	SectionCode string `json:"sectionCode" example:"fgj-xzsp"`
	WindowID    string `json:"windowId"`
	WindowCode  string `json:"windowCode" example:"zwzx-01"`
	WindowName  string `json:"windowName" example:"综合受理一号窗口"`
	// UserID names one clerk of the window; "" grants every clerk of it.
	UserID    string   `json:"userId,omitempty"`
	StepKinds []string `json:"stepKinds" example:"acceptance,review"`
	// ItemIDs limits the grant to these items; empty covers every item of the section.
	ItemIDs      []string   `json:"itemIds"`
	ValidFrom    time.Time  `json:"validFrom"`
	ValidUntil   *time.Time `json:"validUntil,omitempty"`
	Note         string     `json:"note"`
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedBy    string     `json:"updatedBy"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	RevokedBy    string     `json:"revokedBy,omitempty"`
	RevokedAt    *time.Time `json:"revokedAt,omitempty"`
	RevokeReason string     `json:"revokeReason,omitempty"`
}

// ActiveAt reports whether the grant is in force at t.
func (g *Grant) ActiveAt(t time.Time) bool {
	return !t.Before(g.ValidFrom) && (g.ValidUntil == nil || t.Before(*g.ValidUntil)) && (g.RevokedAt == nil || t.Before(*g.RevokedAt))
}

type grantRow struct {
	ID             string     `db:"id"`
	DepartmentID   string     `db:"department_id"`
	DepartmentName string     `db:"department_name"`
	SectionID      string     `db:"section_id"`
	SectionCode    string     `db:"section_code"`
	WindowID       string     `db:"window_id"`
	WindowCode     string     `db:"window_code"`
	WindowName     string     `db:"window_name"`
	UserID         *string    `db:"user_id"`
	AllItems       bool       `db:"all_items"`
	ValidFrom      time.Time  `db:"valid_from"`
	ValidUntil     *time.Time `db:"valid_until"`
	Note           string     `db:"note"`
	CreatedBy      string     `db:"created_by"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedBy      string     `db:"updated_by"`
	UpdatedAt      time.Time  `db:"updated_at"`
	RevokedBy      *string    `db:"revoked_by"`
	RevokedAt      *time.Time `db:"revoked_at"`
	RevokeReason   *string    `db:"revoke_reason"`
}

const grantSelect = `SELECT g.id, g.department_id, d.name AS department_name, g.section_id, s.code AS section_code,
	g.window_id, w.code AS window_code, w.name AS window_name, g.user_id, g.all_items, g.valid_from, g.valid_until, g.note,
	g.created_by, g.created_at, g.updated_by, g.updated_at, g.revoked_by, g.revoked_at, g.revoke_reason
	FROM delegation_grants g JOIN org_units d ON d.id = g.department_id JOIN org_units s ON s.id = g.section_id
	JOIN org_units w ON w.id = g.window_id`

// loadGrants runs a grant query and fills in each grant's step kinds and items.
func loadGrants(ctx context.Context, q Q, query string, args ...any) ([]Grant, error) {
	var rows []grantRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	out := make([]Grant, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	idx := map[string]int{}
	for i, r := range rows {
		ids[i], idx[r.ID] = r.ID, i
		out[i] = Grant{ID: r.ID, DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName, SectionID: r.SectionID,
			SectionCode: r.SectionCode, WindowID: r.WindowID, WindowCode: r.WindowCode, WindowName: r.WindowName,
			UserID: deref(r.UserID), StepKinds: []string{}, ItemIDs: []string{}, ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil,
			Note: r.Note, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt,
			RevokedBy: deref(r.RevokedBy), RevokedAt: r.RevokedAt, RevokeReason: deref(r.RevokeReason)}
	}
	for _, part := range []struct{ table, col string }{{"delegation_grant_steps", "step_kind"}, {"delegation_grant_items", "item_id"}} {
		query, args, err := sqlx.In(`SELECT grant_id, `+part.col+` AS value FROM `+part.table+` WHERE grant_id IN (?) ORDER BY grant_id, `+part.col, ids)
		if err != nil {
			return nil, err
		}
		var vals []struct {
			GrantID string `db:"grant_id"`
			Value   string `db:"value"`
		}
		if err := q.SelectContext(ctx, &vals, q.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("grants: %s: %w", part.table, err)
		}
		for _, v := range vals {
			g := &out[idx[v.GrantID]]
			if part.col == "step_kind" {
				g.StepKinds = append(g.StepKinds, v.Value)
			} else {
				g.ItemIDs = append(g.ItemIDs, v.Value)
			}
		}
	}
	for i := range out {
		SortStepKinds(out[i].StepKinds)
	}
	return out, nil
}

// SortStepKinds orders step kinds the way a case passes them.
func SortStepKinds(kinds []string) {
	slices.SortFunc(kinds, func(a, b string) int {
		return slices.Index(definitions.StepKinds, a) - slices.Index(definitions.StepKinds, b)
	})
}

// GetGrant returns the grant with id, or ErrNotFound.
func GetGrant(ctx context.Context, q Q, id string) (*Grant, error) {
	gs, err := loadGrants(ctx, q, grantSelect+` WHERE g.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("grant %s: %w", id, ErrNotFound)
	}
	return &gs[0], nil
}

// GrantFilter selects grants; zero fields match everything.
type GrantFilter struct {
	DepartmentID string
	SectionID    string
	WindowID     string
	UserID       string
	// ActiveAt keeps the grants in force at that time.
	ActiveAt time.Time
	// Limit is the most grants listed (0: all), from Offset.
	Limit  int
	Offset int
}

// ListGrants returns the grants matching f, newest first, revoked ones included unless ActiveAt is set.
func ListGrants(ctx context.Context, q Q, f GrantFilter) ([]Grant, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, v string }{
		{"g.department_id", f.DepartmentID}, {"g.section_id", f.SectionID}, {"g.window_id", f.WindowID}, {"g.user_id", f.UserID},
	} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if !f.ActiveAt.IsZero() {
		at := Time(f.ActiveAt)
		where = append(where, "g.valid_from <= ? AND (g.valid_until IS NULL OR g.valid_until > ?) AND (g.revoked_at IS NULL OR g.revoked_at > ?)")
		args = append(args, at, at, at)
	}
	query := grantSelect
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY g.id DESC"
	if f.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	return loadGrants(ctx, q, query, args...)
}

// GrantInput is a new grant, or (for UpdateGrant) a grant's new terms.
type GrantInput struct {
	DepartmentID string
	// SectionID may be empty when the department has exactly one section.
	SectionID string
	WindowID  string
	// UserID names one clerk of the window; "" grants every clerk of it.
	UserID    string
	StepKinds []string
	// ItemIDs limits the grant to these items; empty covers all of the section's items.
	ItemIDs []string
	// ValidFrom defaults to now; ValidUntil nil means until revoked.
	ValidFrom  time.Time
	ValidUntil *time.Time
	Note       string
}

// InsertGrant stores grant in (checked by the use cases; a ValidFrom of zero is now) with its
// audit entry. Run it in a Tx.
func InsertGrant(ctx context.Context, q Q, in GrantInput, by string) (*Grant, error) {
	id, now := NewID(), Now()
	if in.ValidFrom.IsZero() {
		in.ValidFrom = now
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO delegation_grants (id, department_id, section_id, window_id, user_id, all_items,
		valid_from, valid_until, note, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		id, in.DepartmentID, in.SectionID, in.WindowID, nullable(in.UserID), len(in.ItemIDs) == 0, Time(in.ValidFrom),
		timeOrNil(in.ValidUntil), in.Note, by, now, by, now)
	if err != nil {
		return nil, classify(err, "create grant")
	}
	if err := writeGrantTerms(ctx, q, id, in); err != nil {
		return nil, err
	}
	return auditGrant(ctx, q, id, "granted", by, now, "")
}

// UpdateGrant gives the unrevoked grant id the terms of in (checked by the use cases: its
// step kinds, items, end of validity and note; the rest of a grant never changes) and audits
// the change. A grant revoked meanwhile is ErrConflict. Run it in a Tx.
func UpdateGrant(ctx context.Context, q Q, id string, in GrantInput, by string) (*Grant, error) {
	now := Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE delegation_grants SET all_items = ?, valid_until = ?, note = ?, updated_by = ?, updated_at = ?
		WHERE id = ? AND revoked_at IS NULL`), len(in.ItemIDs) == 0, timeOrNil(in.ValidUntil), in.Note, by, now, id)
	if err != nil {
		return nil, classify(err, "update grant %s", id)
	}
	if err := changedUnrevoked(ctx, q, res, id, "revoked"); err != nil {
		return nil, err
	}
	for _, t := range []string{"delegation_grant_steps", "delegation_grant_items"} {
		if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM `+t+` WHERE grant_id = ?`), id); err != nil {
			return nil, classify(err, "update grant %s", id)
		}
	}
	if err := writeGrantTerms(ctx, q, id, in); err != nil {
		return nil, err
	}
	return auditGrant(ctx, q, id, "changed", by, now, "")
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return Time(*t)
}

func writeGrantTerms(ctx context.Context, q Q, id string, in GrantInput) error {
	for _, k := range in.StepKinds {
		if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO delegation_grant_steps (grant_id, step_kind) VALUES (?, ?)`), id, k); err != nil {
			return classify(err, "grant %s: step kind %s", id, k)
		}
	}
	for _, it := range in.ItemIDs {
		if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO delegation_grant_items (grant_id, item_id) VALUES (?, ?)`), id, it); err != nil {
			return classify(err, "grant %s: item %s", id, it)
		}
	}
	return nil
}

// auditGrant appends an audit entry holding the grant as it now is, and returns it.
func auditGrant(ctx context.Context, q Q, id, action, by string, at time.Time, reason string) (*Grant, error) {
	g, err := GetGrant(ctx, q, id)
	if err != nil {
		return nil, err
	}
	detail, _ := json.Marshal(struct {
		Grant  *Grant `json:"grant"`
		Reason string `json:"reason,omitempty"`
	}{g, reason})
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO delegation_audit (id, grant_id, action, actor, at, detail) VALUES (?, ?, ?, ?, ?, ?)`),
		NewID(), id, action, by, at, string(detail))
	if err != nil {
		return nil, classify(err, "audit grant %s", id)
	}
	return g, nil
}

// RevokeGrant ends a grant now, recording who and why. Revoking a revoked
// grant is ErrConflict. Run it in a Tx.
func RevokeGrant(ctx context.Context, q Q, id, by, reason string) (*Grant, error) {
	now := Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE delegation_grants SET revoked_by = ?, revoked_at = ?, revoke_reason = ?, updated_by = ?, updated_at = ?
		WHERE id = ? AND revoked_at IS NULL`), by, now, reason, by, now, id)
	if err != nil {
		return nil, classify(err, "revoke grant %s", id)
	}
	if err := changedUnrevoked(ctx, q, res, id, "already revoked"); err != nil {
		return nil, err
	}
	return auditGrant(ctx, q, id, "revoked", by, now, reason)
}

// GrantAuditEntry is one audited change of a grant.
type GrantAuditEntry struct {
	ID      string    `db:"id" json:"id"`
	GrantID string    `db:"grant_id" json:"grantId"`
	Action  string    `db:"action" json:"action" example:"granted"`
	Actor   string    `db:"actor" json:"actor"`
	At      time.Time `db:"at" json:"at"`
	// Detail holds the grant as it was after the change, and a revocation's reason.
	Detail JSON `db:"detail" json:"detail" swaggertype:"object"`
}

// GrantAudit lists up to limit audit entries of grant id from offset, oldest first (the
// delegation_audit_grant index).
func GrantAudit(ctx context.Context, q Q, id string, limit, offset int) ([]GrantAuditEntry, error) {
	out := []GrantAuditEntry{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT id, grant_id, action, actor, at, detail FROM delegation_audit WHERE grant_id = ?
		ORDER BY at, id LIMIT ? OFFSET ?`), id, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("audit of grant %s: %w", id, err)
	}
	return out, nil
}

// changedUnrevoked says why an update of unrevoked grant id changed no row: there is no
// such grant (ErrNotFound), or it is revoked (ErrConflict, the grant being what).
func changedUnrevoked(ctx context.Context, q Q, res sql.Result, id, what string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := GetGrant(ctx, q, id); err != nil {
		return err
	}
	return fmt.Errorf("grant %s is %s: %w", id, what, ErrConflict)
}
