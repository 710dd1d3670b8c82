package store

// Result publicity (办件结果公示): the finished cases of the items that publish their results,
// newest first, read through the index on (item, status, end) or (status, end). What is shown
// of a case (masked names) is app's rule.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// FinishedCase is what result publicity reads of a finished case.
type FinishedCase struct {
	ID            string     `db:"id"`
	Number        string     `db:"number"`
	ItemID        string     `db:"item_id"`
	ItemCode      string     `db:"item_code"`
	ItemName      string     `db:"item_name"`
	DepartmentID  string     `db:"department_id"`
	ApplicantName string     `db:"applicant_name"`
	ApplicantKind string     `db:"applicant_kind"`
	Decision      string     `db:"decision"`
	DecidedAt     *time.Time `db:"decided_at"`
	EndedAt       time.Time  `db:"ended_at"`
}

// FinishedFilter selects finished cases.
type FinishedFilter struct {
	// ItemIDs are the items whose cases to read (none: nothing).
	ItemIDs []string
	// From and To bound the end: From <= ended < To (zero: unbounded).
	From, To time.Time
	// BeforeAt and BeforeID are the key of the last row of the page before.
	BeforeAt time.Time
	BeforeID string
	Limit    int
}

// FinishedCases returns up to f.Limit completed and decided cases of f.ItemIDs, the most
// recently finished first.
func FinishedCases(ctx context.Context, q Q, f FinishedFilter) ([]FinishedCase, error) {
	out := []FinishedCase{}
	if len(f.ItemIDs) == 0 {
		return out, nil
	}
	conds := []string{`c.status = 'completed'`, `c.number IS NOT NULL`, `c.decision IS NOT NULL`, `c.ended_at IS NOT NULL`,
		`c.item_id IN (` + qmarks(len(f.ItemIDs)) + `)`}
	var args []any
	for _, id := range f.ItemIDs {
		args = append(args, id)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, `c.ended_at >= ?`), append(args, Time(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, `c.ended_at < ?`), append(args, Time(f.To))
	}
	if f.BeforeID != "" {
		at := Time(f.BeforeAt)
		conds, args = append(conds, `(c.ended_at, c.id) < (?, ?)`), append(args, at, f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT c.id, c.number, c.item_id, COALESCE(c.item_code, '') AS item_code,
		COALESCE(c.item_name, '') AS item_name, i.department_id, COALESCE(c.applicant_name, '') AS applicant_name,
		COALESCE(c.applicant_kind, '') AS applicant_kind, c.decision, c.decided_at, c.ended_at
		FROM cases c JOIN items i ON i.id = c.item_id WHERE `+strings.Join(conds, ` AND `)+
		` ORDER BY c.ended_at DESC, c.id DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("finished cases: %w", err)
	}
	return out, nil
}

// PublishingItems returns the ids of the items whose current published version publishes its
// results, of department departmentID ("" every department), by id.
func PublishingItems(ctx context.Context, q Q, departmentID string) ([]string, error) {
	query, args := `SELECT i.id FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.current_version
		WHERE v.publish_results = TRUE`, []any{}
	if departmentID != "" {
		query, args = query+` AND i.department_id = ?`, append(args, departmentID)
	}
	var ids []string
	if err := q.SelectContext(ctx, &ids, q.Rebind(query+` ORDER BY i.id`), args...); err != nil {
		return nil, fmt.Errorf("items that publish results: %w", err)
	}
	return ids, nil
}

// ItemDepartments maps every item to its competent department.
func ItemDepartments(ctx context.Context, q Q) (map[string]string, error) {
	var rows []struct {
		ID   string `db:"id"`
		Dept string `db:"department_id"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT id, department_id FROM items`); err != nil {
		return nil, fmt.Errorf("departments of items: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Dept
	}
	return out, nil
}
