package store

import (
	"context"
	"fmt"
	"time"
)

// Kinds of special procedure (特别程序): time they take does not count against a case's limits
// (行政许可法 §45).
const (
	ProcedureHearing      = "hearing"        // 听证
	ProcedureExpertReview = "expert_review"  // 专家评审
	ProcedureSurvey       = "on_site_survey" // 现场勘查
	ProcedurePublicNotice = "public_notice"  // 公示
)

// ProcedureKinds lists the kinds of special procedure.
var ProcedureKinds = []string{ProcedureHearing, ProcedureExpertReview, ProcedureSurvey, ProcedurePublicNotice}

// ErrProcedureNotOpen is returned when ending a special procedure that has already ended; it
// wraps ErrConflict.
var ErrProcedureNotOpen = fmt.Errorf("special procedure is not open: %w", ErrConflict)

// Procedure is a special procedure a clerk started on a case: who, when and why, and who ended
// it when.
type Procedure struct {
	ID        string     `db:"id" json:"id"`
	CaseID    string     `db:"case_id" json:"caseId"`
	Kind      string     `db:"kind" json:"kind" enums:"hearing,expert_review,on_site_survey,public_notice" example:"hearing"`
	Reason    string     `db:"reason" json:"reason" example:"申请人要求听证"`
	State     string     `db:"state" json:"state" enums:"open,ended"`
	StartedBy string     `db:"started_by" json:"startedBy"`
	StartedAt time.Time  `db:"started_at" json:"startedAt"`
	EndedBy   *string    `db:"ended_by" json:"endedBy,omitempty"`
	EndedAt   *time.Time `db:"ended_at" json:"endedAt,omitempty"`
	EndNote   *string    `db:"end_note" json:"endNote,omitempty"`
}

// PauseHolder is the holder of a procedure's pause in the engine's case_pauses.
func (p *Procedure) PauseHolder() string { return "procedure:" + p.ID }

const procedureCols = `id, case_id, kind, reason, state, started_by, started_at, ended_by, ended_at, end_note`

// StartProcedure records a special procedure (setting its ID, State and StartedAt); the caller
// queues engine.PauseClock in the same transaction.
func StartProcedure(ctx context.Context, q Q, p *Procedure) error {
	if p.Reason == "" {
		return Invalid("reason", "is required: say why the procedure pauses the case's clock")
	}
	p.ID, p.State, p.StartedAt = NewID(), "open", Now()
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO procedures (`+procedureCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)`),
		p.ID, p.CaseID, p.Kind, p.Reason, p.State, p.StartedBy, p.StartedAt)
	return classify(err, "start %s procedure on case %s", p.Kind, p.CaseID)
}

// GetProcedure returns a case's procedure, or ErrNotFound.
func GetProcedure(ctx context.Context, q Q, caseID, id string) (*Procedure, error) {
	var p Procedure
	err := q.GetContext(ctx, &p, q.Rebind(`SELECT `+procedureCols+` FROM procedures WHERE id = ? AND case_id = ?`), id, caseID)
	if err != nil {
		return nil, classify(err, "procedure %s of case %s", id, caseID)
	}
	return &p, nil
}

// EndProcedure ends an open procedure of a case: ErrNotFound when the case has no such
// procedure, ErrProcedureNotOpen when it has ended already. The caller queues
// engine.ResumeClock in the same transaction.
func EndProcedure(ctx context.Context, q Q, caseID, id, by, note string) (*Procedure, error) {
	now := Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE procedures SET state = 'ended', ended_by = ?, ended_at = ?, end_note = ?
		WHERE id = ? AND case_id = ? AND state = 'open'`), by, now, nullable(note), id, caseID)
	if err != nil {
		return nil, classify(err, "end procedure %s", id)
	}
	p, err := GetProcedure(ctx, q, caseID, id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p, fmt.Errorf("procedure %s of case %s ended at %s: %w", id, caseID, p.EndedAt.Format(time.RFC3339), ErrProcedureNotOpen)
	}
	return p, nil
}

// CaseProcedures lists a case's special procedures, oldest first.
func CaseProcedures(ctx context.Context, q Q, caseID string) ([]Procedure, error) {
	out := []Procedure{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+procedureCols+` FROM procedures WHERE case_id = ? ORDER BY started_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("procedures of case %s: %w", caseID, err)
	}
	return out, nil
}

// EndOpenProcedures ends the procedures of a case still open, as the system at at with note
// (the case ended without them being ended), and returns how many it ended.
func EndOpenProcedures(ctx context.Context, q Q, caseID, note string, at time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE procedures SET state = 'ended', ended_by = 'system', ended_at = ?, end_note = ?
		WHERE case_id = ? AND state = 'open'`), Time(at), note, caseID)
	if err != nil {
		return 0, classify(err, "end the procedures of case %s", caseID)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
