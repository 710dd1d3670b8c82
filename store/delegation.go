package store

// Delegation (三集中): a department concentrates its approval functions in one section and
// grants windows of the service centre the authority for chosen step kinds of its items.
//
// Ownership. A section owns step kind K in item I when the section's code is a candidate
// group of a user task with ow:stepKind K in the flow I runs, with I's start variables: the
// task's candidate-group expressions (${leadSection}, ${section} for each element of
// ${coReviewers}, or a literal code) are evaluated with the variables StartVariables gives a
// case of I (see ItemSteps). Items in every state count (a grant may be prepared before the
// item is published); the flow is the item's pinned definition version, or the latest
// published one. A department owns what its sections own. Tasks whose candidate group
// depends on the case (a station) belong to no section.
//
// A grant names the department, its section, a window (optionally one clerk of it), the step
// kinds and the items (none: all of the section's items), and a validity period. It is refused
// for a step kind the section owns in none of the grant's items, for an item in which the
// section holds no step, and for a unit that is not a window. A grant is active at t when
// valid_from <= t < valid_until (no end when NULL) and it was not revoked at or before t.
//
// Who may act on a task under a grant is the use cases' rule (app/authority.go); TaskReach
// turns what it decides into SQL for the inbox and the case lists.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
)

// Step-kind groups of the delegation report (the source reports 100% of
// the first and 80%+ of the second delegated to windows).
var (
	// HandlingStepKinds: acceptance, review, coordination, delivery.
	HandlingStepKinds = []string{definitions.StepAcceptance, definitions.StepReview, definitions.StepCoordination, definitions.StepDelivery}
	// DecisionStepKinds: approval, certification.
	DecisionStepKinds = []string{definitions.StepApproval, definitions.StepCertificate}
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

// covers reports whether the grant covers step kind of item.
func (g *Grant) covers(kind, itemID string) bool {
	return slices.Contains(g.StepKinds, kind) && (len(g.ItemIDs) == 0 || slices.Contains(g.ItemIDs, itemID))
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

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
		sortStepKinds(out[i].StepKinds)
	}
	return out, nil
}

// sortStepKinds orders step kinds the way a case passes them.
func sortStepKinds(kinds []string) {
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
	return loadGrants(ctx, q, query+" ORDER BY g.id DESC", args...)
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

// CreateGrant checks a grant (see the package comment on delegation) and
// stores it with an audit entry. Run it in a Tx.
func CreateGrant(ctx context.Context, q Q, in GrantInput, by string) (*Grant, error) {
	if err := checkGrant(ctx, q, &in); err != nil {
		return nil, err
	}
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

// checkGrant validates and completes a grant's terms.
func checkGrant(ctx context.Context, q Q, in *GrantInput) error {
	dept, err := unitOfKind(ctx, q, "departmentId", in.DepartmentID, KindDepartment)
	if err != nil {
		return err
	}
	if in.SectionID == "" {
		secs, err := ListOrgUnits(ctx, q, OrgUnitFilter{ParentID: dept.ID, Kind: KindSection})
		if err != nil {
			return err
		}
		if len(secs) != 1 {
			return Invalid("sectionId", "%s has %d sections: name the one whose tasks are delegated", dept.Name, len(secs))
		}
		in.SectionID = secs[0].ID
	}
	sec, err := unitOfKind(ctx, q, "sectionId", in.SectionID, KindSection)
	if err != nil {
		return err
	}
	if sec.ParentID != dept.ID {
		return Invalid("sectionId", "%s (%s) is not a section of %s", sec.Name, sec.Code, dept.Name)
	}
	win, err := GetOrgUnit(ctx, q, in.WindowID)
	if errors.Is(err, ErrNotFound) || in.WindowID == "" {
		return Invalid("windowId", "org unit %q does not exist", in.WindowID)
	} else if err != nil {
		return err
	}
	if win.Kind != KindWindow {
		return Invalid("windowId", "%s (%s) is a %s: authority is delegated to a window of a service centre", win.Name, win.Code, win.Kind)
	}
	if in.UserID != "" {
		ms, err := UserMemberships(ctx, q, in.UserID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ms, func(m Membership) bool { return m.OrgUnitID == win.ID && m.Role == RoleClerk }) {
			return Invalid("userId", "user %s is not a clerk of %s", in.UserID, win.Name)
		}
	}
	if in.ValidUntil != nil && !in.ValidFrom.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
		return Invalid("validUntil", "must be after validFrom")
	}
	if in.ValidUntil != nil && in.ValidFrom.IsZero() && !in.ValidUntil.After(Now()) {
		return Invalid("validUntil", "must be in the future")
	}

	// Items: each must hold a step of the section.
	own, err := sectionOwnership(ctx, q, sec.Code, nil)
	if err != nil {
		return err
	}
	for i, id := range in.ItemIDs {
		f := fmt.Sprintf("itemIds[%d]", i)
		it, err := GetItem(ctx, q, id)
		if errors.Is(err, ErrNotFound) {
			return Invalid(f, "item %q does not exist", id)
		} else if err != nil {
			return err
		}
		if slices.Index(in.ItemIDs, id) != i {
			return Invalid(f, "item %s is listed twice", it.Code)
		}
		if len(own[id]) == 0 {
			return Invalid(f, "%s (%s) holds no step of item %s (%s): there is nothing to delegate", sec.Name, sec.Code, it.Code, it.Name)
		}
	}
	// Step kinds: each must be owned in the items the grant covers.
	if len(in.StepKinds) == 0 {
		return Invalid("stepKinds", "name at least one step kind")
	}
	owned := map[string]bool{}
	for id, kinds := range own {
		if len(in.ItemIDs) == 0 || slices.Contains(in.ItemIDs, id) {
			for _, k := range kinds {
				owned[k] = true
			}
		}
	}
	for i, k := range in.StepKinds {
		f := fmt.Sprintf("stepKinds[%d]", i)
		if !slices.Contains(definitions.StepKinds, k) {
			return Invalid(f, "must be one of %s", strings.Join(definitions.StepKinds, ", "))
		}
		if slices.Index(in.StepKinds, k) != i {
			return Invalid(f, "%s is listed twice", k)
		}
		if !owned[k] {
			var has []string
			for _, sk := range definitions.StepKinds {
				if owned[sk] {
					has = append(has, sk)
				}
			}
			scope := "any of its items"
			if len(in.ItemIDs) > 0 {
				scope = "the items of the grant"
			}
			return Invalid(f, "%s (%s) does not own the step kind %s: it is the candidate group of no %s step in %s (it owns: %s)",
				sec.Name, sec.Code, k, k, scope, strings.Join(orNone(has), ", "))
		}
	}
	in.StepKinds = slices.Clone(in.StepKinds)
	sortStepKinds(in.StepKinds)
	return nil
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"nothing"}
	}
	return s
}

// sectionOwnership maps item id → the step kinds in which the section with
// code holds a task, over every item (or the items in states).
func sectionOwnership(ctx context.Context, q Q, code string, states []string) (map[string][]string, error) {
	idx, _, err := ownershipIndex(ctx, q, states)
	if err != nil {
		return nil, err
	}
	if idx[code] == nil {
		return map[string][]string{}, nil
	}
	return idx[code], nil
}

// ownershipIndex evaluates every item's flow once: section code → item id →
// step kinds the section holds, and the items by id.
func ownershipIndex(ctx context.Context, q Q, states []string) (map[string]map[string][]string, map[string]*Item, error) {
	items, err := allItems(ctx, q, states)
	if err != nil {
		return nil, nil, err
	}
	fc := newFlowCache()
	idx := map[string]map[string][]string{}
	byID := map[string]*Item{}
	for i := range items {
		it := &items[i]
		byID[it.ID] = it
		steps, err := itemSteps(ctx, q, fc, &it.ItemContent)
		if err != nil {
			return nil, nil, fmt.Errorf("steps of item %s: %w", it.Code, err)
		}
		for _, s := range steps {
			if s.Kind == "" {
				continue
			}
			for _, g := range s.Groups {
				if idx[g] == nil {
					idx[g] = map[string][]string{}
				}
				if !slices.Contains(idx[g][it.ID], s.Kind) {
					idx[g][it.ID] = append(idx[g][it.ID], s.Kind)
				}
			}
		}
	}
	for _, m := range idx {
		for _, kinds := range m {
			sortStepKinds(kinds)
		}
	}
	return idx, byID, nil
}

// allItems lists every item (in states, when given), ordered by code.
func allItems(ctx context.Context, q Q, states []string) ([]Item, error) {
	query := itemSelect
	var args []any
	if len(states) > 0 {
		var err error
		query, args, err = sqlx.In(query+` WHERE i.state IN (?)`, states)
		if err != nil {
			return nil, err
		}
	}
	var rows []itemRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query+` ORDER BY i.code`), args...); err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	out := make([]Item, 0, len(rows))
	for i := range rows {
		it, err := rows[i].item()
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, nil
}

// SectionOwnership maps item id → the step kinds in which section
// sectionID holds a task (see the ownership rule above), over every item.
func SectionOwnership(ctx context.Context, q Q, sectionID string) (map[string][]string, error) {
	sec, err := GetOrgUnit(ctx, q, sectionID)
	if err != nil {
		return nil, err
	}
	return sectionOwnership(ctx, q, sec.Code, nil)
}

// GrantPatch changes a grant's terms; nil fields stay as they are.
type GrantPatch struct {
	StepKinds *[]string
	ItemIDs   *[]string
	// ValidUntil sets the end of validity; ClearValidUntil removes it.
	ValidUntil      *time.Time
	ClearValidUntil bool
	Note            *string
}

// UpdateGrant changes the terms of an unrevoked grant, checks them as
// CreateGrant does, and audits the change. A revoked grant is ErrConflict.
// Run it in a Tx.
func UpdateGrant(ctx context.Context, q Q, id string, p GrantPatch, by string) (*Grant, error) {
	g, err := GetGrant(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if g.RevokedAt != nil {
		return nil, fmt.Errorf("grant %s was revoked at %s; make a new one: %w", id, g.RevokedAt.Format(time.RFC3339), ErrConflict)
	}
	in := GrantInput{DepartmentID: g.DepartmentID, SectionID: g.SectionID, WindowID: g.WindowID, UserID: g.UserID,
		StepKinds: g.StepKinds, ItemIDs: g.ItemIDs, ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, Note: g.Note}
	if p.StepKinds != nil {
		in.StepKinds = *p.StepKinds
	}
	if p.ItemIDs != nil {
		in.ItemIDs = *p.ItemIDs
	}
	if p.ValidUntil != nil {
		in.ValidUntil = p.ValidUntil
	}
	if p.ClearValidUntil {
		in.ValidUntil = nil
	}
	if p.Note != nil {
		in.Note = *p.Note
	}
	if err := checkGrant(ctx, q, &in); err != nil {
		return nil, err
	}
	now := Now()
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE delegation_grants SET all_items = ?, valid_until = ?, note = ?, updated_by = ?, updated_at = ? WHERE id = ?`),
		len(in.ItemIDs) == 0, timeOrNil(in.ValidUntil), in.Note, by, now, id)
	if err != nil {
		return nil, classify(err, "update grant %s", id)
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

// RevokeGrant ends a grant now, recording who and why. Revoking a revoked
// grant is ErrConflict. Run it in a Tx.
func RevokeGrant(ctx context.Context, q Q, id, by, reason string) (*Grant, error) {
	now := Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE delegation_grants SET revoked_by = ?, revoked_at = ?, revoke_reason = ?, updated_by = ?, updated_at = ?
		WHERE id = ? AND revoked_at IS NULL`), by, now, reason, by, now, id)
	if err != nil {
		return nil, classify(err, "revoke grant %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GetGrant(ctx, q, id); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("grant %s is already revoked: %w", id, ErrConflict)
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

// GrantAudit lists the audit entries of grant id, oldest first.
func GrantAudit(ctx context.Context, q Q, id string) ([]GrantAuditEntry, error) {
	out := []GrantAuditEntry{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT id, grant_id, action, actor, at, detail FROM delegation_audit WHERE grant_id = ? ORDER BY at, id`), id)
	if err != nil {
		return nil, fmt.Errorf("audit of grant %s: %w", id, err)
	}
	return out, nil
}

// TaskReach is whom a task query is for: the tasks assigned to the user; the unassigned ones
// offered to the user or to one of Units; and the unassigned ones a grant in Grants covers.
// The use cases decide what goes in (who may act on what is their rule); the store only turns
// it into SQL.
type TaskReach struct {
	UserID   string
	Username string
	// Units are codes of org units (candidate groups).
	Units  []string
	Grants []GrantReach
}

// GrantReach is what a delegation grant reaches: the tasks of a section's code with one of
// some step kinds, of some items (nil: all).
type GrantReach struct {
	SectionCode string
	StepKinds   []string
	ItemIDs     []string
}

// Clause returns an SQL condition (with ? placeholders, to pass through Rebind) that holds for
// the tasks r reaches: task is the alias of the tasks table, itemExpr an SQL expression giving
// the item id of the task's case.
func (r *TaskReach) Clause(task, itemExpr string) (string, []any) {
	users := []any{r.UserID, r.Username}
	var ors []string
	args := []any{}
	cand := task + `.id`
	userPart := `(vc.kind = 'user' AND vc.value IN (?, ?))`
	args = append(args, users...)
	if len(r.Units) > 0 {
		userPart = `(` + userPart + ` OR (vc.kind = 'group' AND vc.value IN (` + qmarks(len(r.Units)) + `)))`
		for _, u := range r.Units {
			args = append(args, u)
		}
	}
	ors = append(ors, `EXISTS (SELECT 1 FROM task_candidates vc WHERE vc.task_id = `+cand+` AND `+userPart+`)`)
	for _, s := range r.Grants {
		if len(s.StepKinds) == 0 {
			continue
		}
		c := `(` + task + `.step_kind IN (` + qmarks(len(s.StepKinds)) + `) AND EXISTS (SELECT 1 FROM task_candidates vg WHERE vg.task_id = ` +
			cand + ` AND vg.kind = 'group' AND vg.value = ?)`
		for _, k := range s.StepKinds {
			args = append(args, k)
		}
		args = append(args, s.SectionCode)
		if s.ItemIDs != nil {
			c += ` AND ` + itemExpr + ` IN (` + qmarks(len(s.ItemIDs)) + `)`
			for _, it := range s.ItemIDs {
				args = append(args, it)
			}
		}
		ors = append(ors, c+`)`)
	}
	clause := `(` + task + `.assignee IN (?, ?) OR (` + task + `.assignee IS NULL AND (` + strings.Join(ors, ` OR `) + `)))`
	return clause, append(users, args...)
}

func qmarks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// CaseItemExpr is the SQL expression for the item id of a case in the
// engine's cases table (alias cases): its start variable itemId.
func CaseItemExpr(q Q, cases string) string {
	if DialectOf(q) == Postgres {
		return `(` + cases + `.variables->>'itemId')`
	}
	return `json_extract(` + cases + `.variables, '$.itemId')`
}

// DelegationShare is the delegated share of a department's items for one
// group of step kinds.
type DelegationShare struct {
	StepKinds []string `json:"stepKinds"`
	// Items counts the items in which the department holds a step of these kinds.
	Items int `json:"items"`
	// Delegated counts those in which every such step is covered by an active grant.
	Delegated int `json:"delegated"`
	// Share is Delegated/Items, 0 when Items is 0.
	Share float64 `json:"share" example:"1"`
}

// StepDelegation is one step kind of one item in a delegation report.
type StepDelegation struct {
	Kind string `json:"kind"`
	// Sections are the department's sections holding the step.
	Sections []string `json:"sections"`
	// GrantIDs are the active grants covering it.
	GrantIDs  []string `json:"grantIds"`
	Delegated bool     `json:"delegated"`
}

// ItemDelegation is one item in a delegation report.
type ItemDelegation struct {
	ItemID string           `json:"itemId"`
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	Steps  []StepDelegation `json:"steps"`
}

// DelegationReport is a department's delegation rate (三集中授权率) at a time.
type DelegationReport struct {
	DepartmentID   string    `json:"departmentId"`
	DepartmentCode string    `json:"departmentCode"`
	DepartmentName string    `json:"departmentName"`
	At             time.Time `json:"at"`
	// Items counts the published items in which the department's sections hold a step.
	Items int `json:"items"`
	// Handling is the share for acceptance, review, coordination and delivery (the source: 100%).
	Handling DelegationShare `json:"handling"`
	// Decision is the share for approval and certification (the source: 80%+).
	Decision DelegationShare `json:"decision"`
	// Rows details every item.
	Rows []ItemDelegation `json:"rows"`
}

// GetDelegationReport computes the delegation report of department
// departmentID at time at over the published items. An item counts in a
// group's share when the department holds a step of one of the group's
// kinds in it; it is delegated when, for each such kind and each of the
// department's sections holding it, an active grant of that section covers
// the kind for the item.
func GetDelegationReport(ctx context.Context, q Q, departmentID string, at time.Time) (*DelegationReport, error) {
	dept, err := GetOrgUnit(ctx, q, departmentID)
	if err != nil {
		return nil, err
	}
	if dept.Kind != KindDepartment {
		return nil, Invalid("departmentId", "%s (%s) is a %s, not a department", dept.Name, dept.Code, dept.Kind)
	}
	secs, err := ListOrgUnits(ctx, q, OrgUnitFilter{ParentID: dept.ID, Kind: KindSection})
	if err != nil {
		return nil, err
	}
	idx, items, err := ownershipIndex(ctx, q, []string{ItemPublished})
	if err != nil {
		return nil, err
	}
	grants, err := ListGrants(ctx, q, GrantFilter{DepartmentID: dept.ID, ActiveAt: at})
	if err != nil {
		return nil, err
	}
	r := &DelegationReport{DepartmentID: dept.ID, DepartmentCode: dept.Code, DepartmentName: dept.Name, At: Time(at), Rows: []ItemDelegation{},
		Handling: DelegationShare{StepKinds: HandlingStepKinds}, Decision: DelegationShare{StepKinds: DecisionStepKinds}}

	// item id → kind → sections holding it
	held := map[string]map[string][]string{}
	for _, s := range secs {
		for itemID, kinds := range idx[s.Code] {
			if held[itemID] == nil {
				held[itemID] = map[string][]string{}
			}
			for _, k := range kinds {
				held[itemID][k] = append(held[itemID][k], s.Code)
			}
		}
	}
	ids := make([]string, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(items[a].Code, items[b].Code) })
	for _, id := range ids {
		it := items[id]
		row := ItemDelegation{ItemID: id, Code: it.Code, Name: it.Name, Steps: []StepDelegation{}}
		delegated := map[string]bool{}
		for _, k := range definitions.StepKinds {
			sections := held[id][k]
			if len(sections) == 0 {
				continue
			}
			sd := StepDelegation{Kind: k, Sections: sections, GrantIDs: []string{}, Delegated: true}
			for _, sec := range sections {
				covered := false
				for i := range grants {
					if grants[i].SectionCode == sec && grants[i].covers(k, id) {
						sd.GrantIDs = append(sd.GrantIDs, grants[i].ID)
						covered = true
					}
				}
				sd.Delegated = sd.Delegated && covered
			}
			delegated[k] = sd.Delegated
			row.Steps = append(row.Steps, sd)
		}
		for _, sh := range []*DelegationShare{&r.Handling, &r.Decision} {
			holds, all := false, true
			for _, k := range sh.StepKinds {
				if d, ok := delegated[k]; ok {
					holds = true
					all = all && d
				}
			}
			if holds {
				sh.Items++
				if all {
					sh.Delegated++
				}
			}
		}
		r.Rows = append(r.Rows, row)
	}
	r.Items = len(r.Rows)
	for _, sh := range []*DelegationShare{&r.Handling, &r.Decision} {
		if sh.Items > 0 {
			sh.Share = float64(sh.Delegated) / float64(sh.Items)
		}
	}
	return r, nil
}
