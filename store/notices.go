package store

// Notices (一次性告知书) and supplements (补正): the rows. The notify-once rule is the use
// case's (app/notices.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Problems a notice raises about a material.
const (
	NoticeMissing   = "missing"   // not submitted
	NoticeDefective = "defective" // submitted, but incomplete or not in the legal form
)

// Notice states.
const (
	NoticeOpen      = "open"      // waiting for the supplement
	NoticeAnswered  = "answered"  // a supplement answered it
	NoticeWithdrawn = "withdrawn" // the case ended while it was open
)

// ErrNoOpenNotice is wrapped by the refusal of a supplement when no notice waits for one; it
// wraps ErrConflict.
var ErrNoOpenNotice = fmt.Errorf("no notice is waiting for a supplement: %w", ErrConflict)

// NoticeItem is one missing or defective material in a notice.
type NoticeItem struct {
	// MaterialCode is the code of a material of the case's item; "" for
	// something the item does not list, which Name then describes.
	MaterialCode string `json:"materialCode,omitempty" example:"M02"`
	Name         string `json:"name" example:"项目可行性研究报告"`
	// Problem is missing or defective.
	Problem string `json:"problem" example:"defective"`
	// Detail says what is wrong or what to supply.
	Detail string `json:"detail,omitempty" example:"缺少编制单位盖章"`
}

// Notice is a notify-once notice of a case.
type Notice struct {
	ID     string `json:"id"`
	CaseID string `json:"caseId"`
	// Seq numbers the case's notices from 1.
	Seq    int    `json:"seq"`
	TaskID string `json:"taskId"`
	// ItemID and ItemVersion, when set, are the case's item version: the
	// material codes are checked against its materials.
	ItemID      string       `json:"itemId,omitempty"`
	ItemVersion int          `json:"itemVersion,omitempty"`
	Materials   []NoticeItem `json:"materials"`
	Note        string       `json:"note"`
	State       string       `json:"state" example:"open"`
	IssuedBy    string       `json:"issuedBy"`
	IssuedAt    time.Time    `json:"issuedAt"`
	ClosedAt    *time.Time   `json:"closedAt,omitempty"`
}

// Supplement is the applicant's answer to a notice.
type Supplement struct {
	ID       string `json:"id"`
	CaseID   string `json:"caseId"`
	NoticeID string `json:"noticeId"`
	// Materials are the codes of the materials newly supplied.
	Materials  []string  `json:"materials" example:"M02"`
	Note       string    `json:"note"`
	RecordedBy string    `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

type noticeRow struct {
	ID          string     `db:"id"`
	CaseID      string     `db:"case_id"`
	Seq         int        `db:"seq"`
	TaskID      string     `db:"task_id"`
	ItemID      *string    `db:"item_id"`
	ItemVersion *int       `db:"item_version"`
	Materials   JSON       `db:"materials"`
	Note        string     `db:"note"`
	State       string     `db:"state"`
	IssuedBy    string     `db:"issued_by"`
	IssuedAt    time.Time  `db:"issued_at"`
	ClosedAt    *time.Time `db:"closed_at"`
}

const noticeCols = `id, case_id, seq, task_id, item_id, item_version, materials, note, state, issued_by, issued_at, closed_at`

func (r *noticeRow) notice() (*Notice, error) {
	n := &Notice{ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, TaskID: r.TaskID, ItemID: deref(r.ItemID), Note: r.Note, State: r.State,
		IssuedBy: r.IssuedBy, IssuedAt: r.IssuedAt, ClosedAt: r.ClosedAt}
	if r.ItemVersion != nil {
		n.ItemVersion = *r.ItemVersion
	}
	if err := json.Unmarshal(r.Materials, &n.Materials); err != nil {
		return nil, fmt.Errorf("notice %s: %w", r.ID, err)
	}
	return n, nil
}

// CaseNotices lists the notices of a case, oldest first.
func CaseNotices(ctx context.Context, q Q, caseID string) ([]Notice, error) {
	var rows []noticeRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+noticeCols+` FROM notices WHERE case_id = ? ORDER BY seq`), caseID); err != nil {
		return nil, fmt.Errorf("notices of case %s: %w", caseID, err)
	}
	out := make([]Notice, 0, len(rows))
	for i := range rows {
		n, err := rows[i].notice()
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, nil
}

// OpenNotice returns the notice of a case that waits for its supplement, or ErrNotFound.
func OpenNotice(ctx context.Context, q Q, caseID string) (*Notice, error) {
	var r noticeRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+noticeCols+` FROM notices WHERE case_id = ? AND state = 'open'`), caseID)
	if err != nil {
		return nil, classify(err, "open notice of case %s", caseID)
	}
	return r.notice()
}

// itemMaterials returns the materials of item version (itemID, version),
// or nil when itemID is "" (no check).
func itemMaterials(ctx context.Context, q Q, itemID string, version int) ([]Material, error) {
	if itemID == "" {
		return nil, nil
	}
	iv, err := GetItemVersion(ctx, q, itemID, version)
	if errors.Is(err, ErrNotFound) {
		return nil, Invalid("itemVersion", "item %s has no version %d", itemID, version)
	}
	if err != nil {
		return nil, err
	}
	return iv.Materials, nil
}

// InsertNotice stores n as the case's notice no. n.Seq, open, filling in its ID and IssuedAt.
// The notify-once rule is the use case's (app/notices.go); a notice with the same number
// issued at the same moment is ErrConflict.
func InsertNotice(ctx context.Context, q Q, n *Notice) error {
	n.ID, n.State, n.ClosedAt = NewID(), NoticeOpen, nil
	if n.IssuedAt.IsZero() {
		n.IssuedAt = Now()
	}
	n.IssuedAt = Time(n.IssuedAt)
	materials, err := json.Marshal(n.Materials)
	if err != nil {
		return fmt.Errorf("encode notice: %w", err)
	}
	var version any
	if n.ItemID != "" {
		version = n.ItemVersion
	}
	// A notice counts for its case's month of receipt in the scorecards' counters.
	err = countCase(ctx, q, nil, n.CaseID, func() error {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO notices (id, case_id, seq, task_id, item_id, item_version, materials, note, state, issued_by, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`),
			n.ID, n.CaseID, n.Seq, n.TaskID, nullable(n.ItemID), version, string(materials), n.Note, n.IssuedBy, n.IssuedAt)
		return err
	})
	return classify(err, "issue notice on case %s", n.CaseID)
}

// RecordSupplement records the applicant's answer to the case's open
// notice, naming the materials newly supplied (codes of the notice's item
// version when it names one), and closes the notice. Without an open
// notice it wraps ErrNoOpenNotice (and ErrConflict). Run it in the Tx that
// queues the supplement message to the case.
func RecordSupplement(ctx context.Context, q Q, s *Supplement) error {
	if s.CaseID == "" {
		return Invalid("caseId", "is required")
	}
	n, err := OpenNotice(ctx, q, s.CaseID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("case %s: %w", s.CaseID, ErrNoOpenNotice)
	}
	if err != nil {
		return err
	}
	if len(s.Materials) == 0 {
		return Invalid("materials", "name the materials supplied, at least one")
	}
	known, err := itemMaterials(ctx, q, n.ItemID, n.ItemVersion)
	if err != nil {
		return err
	}
	for i, code := range s.Materials {
		f := fmt.Sprintf("materials[%d]", i)
		if strings.TrimSpace(code) == "" {
			return Invalid(f, "is empty: give a material code")
		}
		if slices.Index(s.Materials, code) != i {
			return Invalid(f, "%s is listed twice", code)
		}
		if known != nil && !slices.ContainsFunc(known, func(k Material) bool { return k.Code == code }) {
			return Invalid(f, "item %s v%d has no material %q", n.ItemID, n.ItemVersion, code)
		}
	}
	now := Now()
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE notices SET state = 'answered', closed_at = ? WHERE id = ? AND state = 'open'`), now, n.ID)
	if err != nil {
		return classify(err, "answer notice %s", n.ID)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("case %s: the notice was answered meanwhile: %w", s.CaseID, ErrNoOpenNotice)
	}
	s.ID, s.NoticeID, s.RecordedAt = NewID(), n.ID, now
	materials, _ := json.Marshal(s.Materials)
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO supplements (id, case_id, notice_id, materials, note, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), s.ID, s.CaseID, s.NoticeID, string(materials), s.Note, s.RecordedBy, s.RecordedAt)
	return classify(err, "record supplement of case %s", s.CaseID)
}

// CaseSupplements lists the supplements of a case, oldest first.
func CaseSupplements(ctx context.Context, q Q, caseID string) ([]Supplement, error) {
	var rows []struct {
		ID         string    `db:"id"`
		CaseID     string    `db:"case_id"`
		NoticeID   string    `db:"notice_id"`
		Materials  JSON      `db:"materials"`
		Note       string    `db:"note"`
		RecordedBy string    `db:"recorded_by"`
		RecordedAt time.Time `db:"recorded_at"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT id, case_id, notice_id, materials, note, recorded_by, recorded_at
		FROM supplements WHERE case_id = ? ORDER BY recorded_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("supplements of case %s: %w", caseID, err)
	}
	out := make([]Supplement, 0, len(rows))
	for _, r := range rows {
		s := Supplement{ID: r.ID, CaseID: r.CaseID, NoticeID: r.NoticeID, Note: r.Note, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		if err := json.Unmarshal(r.Materials, &s.Materials); err != nil {
			return nil, fmt.Errorf("supplement %s: %w", r.ID, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// WithdrawNotice closes the open notice of a case that ends without a
// supplement (withdrawn, cancelled); it reports whether there was one.
func WithdrawNotice(ctx context.Context, q Q, caseID string) (bool, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE notices SET state = 'withdrawn', closed_at = ? WHERE case_id = ? AND state = 'open'`), Now(), caseID)
	if err != nil {
		return false, classify(err, "withdraw notice of case %s", caseID)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
