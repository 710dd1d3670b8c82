package store

// Department systems (部门业务系统对接): rotating their API keys, and the result documents they
// (and clerks) attach to cases. Who may is app's rule.

import (
	"context"
	"fmt"
	"time"
)

// Actions of department systems and disclosure requests, in a case's log.
const (
	ActionAttach = "attach" // attached a step's result documents
	ActionExtend = "extend" // extended the time limit (an information-disclosure request, once)
)

// ExpireAPIKey makes key keyID of userID stop working at at (a rotation's overlap ends); a
// revoked key, or one that expires sooner already, is ErrNotFound or left as is.
func ExpireAPIKey(ctx context.Context, q Q, userID, keyID string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE api_keys SET expires_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > ?)`), Time(at), keyID, userID, Time(at))
	if err != nil {
		return fmt.Errorf("expire API key %q: %w", keyID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := GetAPIKey(ctx, q, userID, keyID); err != nil {
			return err
		}
	}
	return nil
}

// GetAPIKey returns key keyID of userID (revoked or not), or ErrNotFound.
func GetAPIKey(ctx context.Context, q Q, userID, keyID string) (*APIKey, error) {
	var k APIKey
	if err := q.GetContext(ctx, &k, q.Rebind(`SELECT `+apiKeyCols+` FROM api_keys WHERE id = ? AND user_id = ?`), keyID, userID); err != nil {
		return nil, classify(err, "API key %q of user %q", keyID, userID)
	}
	return &k, nil
}

// CaseDocument is a result document of a case's step (a licence, a reply letter).
type CaseDocument struct {
	ID          string    `db:"id" json:"id"`
	CaseID      string    `db:"case_id" json:"caseId"`
	TaskID      string    `db:"task_id" json:"taskId,omitempty"`
	FileID      string    `db:"file_id" json:"fileId"`
	Name        string    `db:"name" json:"name" example:"食品经营许可证（正本）"`
	ContentType string    `db:"content_type" json:"contentType" example:"application/pdf"`
	Size        int64     `db:"size" json:"size" example:"182044"`
	AttachedBy  string    `db:"attached_by" json:"attachedBy"`
	AttachedAt  time.Time `db:"attached_at" json:"attachedAt"`
}

// AttachDocument writes a document of a case (setting ID).
func AttachDocument(ctx context.Context, q Q, d *CaseDocument) error {
	if err := checkPlain("name", d.Name); err != nil {
		return err
	}
	d.ID = NewID()
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_documents (id, case_id, task_id, file_id, name, attached_by, attached_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), d.ID, d.CaseID, nullable(d.TaskID), d.FileID, d.Name, d.AttachedBy, Time(d.AttachedAt))
	return classify(err, "attach file %s to case %s", d.FileID, d.CaseID)
}

// CaseDocuments lists the documents of a case, oldest first.
func CaseDocuments(ctx context.Context, q Q, caseID string) ([]CaseDocument, error) {
	out := []CaseDocument{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT d.id, d.case_id, COALESCE(d.task_id, '') AS task_id, d.file_id, d.name,
		f.content_type, f.size, d.attached_by, d.attached_at
		FROM case_documents d JOIN files f ON f.id = d.file_id WHERE d.case_id = ? ORDER BY d.attached_at, d.id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("documents of case %s: %w", caseID, err)
	}
	return out, nil
}
