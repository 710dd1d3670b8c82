package store

import (
	"context"
	"fmt"
	"time"
)

// Commitment states.
const (
	CommitmentOpen      = "open"      // the material is still to come
	CommitmentFulfilled = "fulfilled" // a supplement handed it in
	CommitmentWithdrawn = "withdrawn" // the acceptance that made it was undone, or the case ended
)

// Commitment is one material a case was accepted without (容缺受理), to be handed in by a
// promised date.
type Commitment struct {
	ID           string     `db:"id" json:"id"`
	CaseID       string     `db:"case_id" json:"caseId"`
	TaskID       string     `db:"task_id" json:"taskId"`
	MaterialCode string     `db:"material_code" json:"materialCode" example:"M04"`
	MaterialName string     `db:"material_name" json:"materialName" example:"环境影响评价文件"`
	PromisedDate string     `db:"promised_date" json:"promisedDate" example:"2026-12-10"`
	Reason       string     `db:"reason" json:"reason" example:"申请人承诺五个工作日内补齐"`
	State        string     `db:"state" json:"state" example:"open"`
	CreatedBy    string     `db:"created_by" json:"createdBy"`
	CreatedAt    time.Time  `db:"created_at" json:"createdAt"`
	ClosedAt     *time.Time `db:"closed_at" json:"closedAt,omitempty"`
	SupplementID *string    `db:"supplement_id" json:"supplementId,omitempty"`
}

const commitmentCols = `id, case_id, task_id, material_code, material_name, promised_date, reason, state, created_by, created_at, closed_at, supplement_id`

// InsertCommitment writes an open commitment, filling in its id.
func InsertCommitment(ctx context.Context, q Q, c *Commitment) error {
	c.ID, c.State = NewID(), CommitmentOpen
	c.CreatedAt = Time(c.CreatedAt)
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_commitments (`+commitmentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, NULL, NULL)`),
		c.ID, c.CaseID, c.TaskID, c.MaterialCode, c.MaterialName, c.PromisedDate, c.Reason, c.CreatedBy, c.CreatedAt)
	return classify(err, "commitment of case %s", c.CaseID)
}

// CaseCommitments lists a case's commitments, oldest first.
func CaseCommitments(ctx context.Context, q Q, caseID string) ([]Commitment, error) {
	out := []Commitment{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+commitmentCols+` FROM case_commitments WHERE case_id = ? ORDER BY created_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("commitments of case %s: %w", caseID, err)
	}
	return out, nil
}

// CloseCommitments closes the open commitments of a case as state (fulfilled, with the
// supplement that fulfilled them, or withdrawn); codes limits it to those materials (nil:
// all). It returns how many it closed.
func CloseCommitments(ctx context.Context, q Q, caseID, state string, codes []string, supplementID string, at time.Time) (int, error) {
	query := `UPDATE case_commitments SET state = ?, closed_at = ?, supplement_id = ? WHERE case_id = ? AND state = 'open'`
	args := []any{state, Time(at), nullable(supplementID), caseID}
	if codes != nil {
		if len(codes) == 0 {
			return 0, nil
		}
		query += ` AND material_code IN (` + qmarks(len(codes)) + `)`
		args = append(args, anys(codes)...)
	}
	res, err := q.ExecContext(ctx, q.Rebind(query), args...)
	if err != nil {
		return 0, classify(err, "close commitments of case %s", caseID)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// OpenCommitment is an open commitment with its case, for supervision.
type OpenCommitment struct {
	Commitment
	CaseNumber string `db:"case_number" json:"caseNumber"`
	ItemName   string `db:"item_name" json:"itemName"`
}

// CommitmentKey is an open commitment's place in the list: its promised date and id.
type CommitmentKey struct {
	PromisedDate string
	ID           string
}

// ListOpenCommitments lists open commitments by promised date (the most urgent first) of the
// cases scope s may see, up to limit after the key after (case_commitments_open).
func ListOpenCommitments(ctx context.Context, q Q, s *CaseScope, after CommitmentKey, limit int) ([]OpenCommitment, error) {
	clause, args := s.Clause()
	if after.ID != "" {
		clause, args = `(m.promised_date, m.id) > (?, ?) AND `+clause, append([]any{after.PromisedDate, after.ID}, args...)
	}
	out := []OpenCommitment{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT m.id, m.case_id, m.task_id, m.material_code, m.material_name, m.promised_date, m.reason,
		m.state, m.created_by, m.created_at, m.closed_at, m.supplement_id, c.number AS case_number, c.item_name
		FROM case_commitments m JOIN cases c ON c.id = m.case_id WHERE m.state = 'open' AND `+clause+`
		ORDER BY m.promised_date, m.id LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("open commitments: %w", err)
	}
	return out, nil
}
