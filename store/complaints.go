package store

import (
	"context"
	"fmt"
	"time"
)

// Subjects of a complaint.
const (
	ComplaintAboutCase       = "case"
	ComplaintAboutWindow     = "window"
	ComplaintAboutDepartment = "department"
)

// ComplaintSubjects lists what a complaint may be about.
var ComplaintSubjects = []string{ComplaintAboutCase, ComplaintAboutWindow, ComplaintAboutDepartment}

// Complaint is a complaint about a case, a window or a department, from an applicant or from
// the public, handled as a case of the std-complaint process.
type Complaint struct {
	ID      string `db:"id" json:"id"`
	Subject string `db:"subject" json:"subject" enums:"case,window,department" example:"case"`
	// The case, window and department concerned: the subject, and what follows from it (a
	// case's department and window).
	CaseID        *string   `db:"case_id" json:"caseId,omitempty"`
	WindowID      *string   `db:"window_id" json:"windowId,omitempty"`
	DepartmentID  *string   `db:"department_id" json:"departmentId,omitempty"`
	PersonID      *string   `db:"person_id" json:"personId,omitempty"`
	ComplainantID *string   `db:"complainant_id" json:"complainantId,omitempty"`
	ContactName   string    `db:"contact_name" json:"contactName" example:"张三"`
	ContactPhone  string    `db:"contact_phone" json:"contactPhone" example:"13900000000"`
	Content       string    `db:"content" json:"content" example:"窗口工作人员态度冷淡，多次让我来回跑"`
	ProcessCaseID string    `db:"process_case_id" json:"processCaseId" example:"T-01jd5q3k8m0000000000000000"`
	FiledAt       time.Time `db:"filed_at" json:"filedAt"`
}

const complaintCols = `id, subject, case_id, window_id, department_id, person_id, complainant_id, contact_name, contact_phone, content, process_case_id, filed_at`

// InsertComplaint writes a complaint.
func InsertComplaint(ctx context.Context, q Q, c *Complaint) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO complaints (`+complaintCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.Subject, c.CaseID, c.WindowID, c.DepartmentID, c.PersonID, c.ComplainantID, c.ContactName, c.ContactPhone, c.Content,
		c.ProcessCaseID, Time(c.FiledAt))
	if err != nil {
		return classify(err, "file complaint")
	}
	item, err := caseItem(ctx, q, c.CaseID)
	if err != nil {
		return err
	}
	return countEvent(ctx, q, c.FiledAt, eventUnits(&item, c.DepartmentID, c.WindowID, c.PersonID), func(c *scoreCount) { c.Complaints++ })
}

// GetComplaint returns a complaint, or ErrNotFound.
func GetComplaint(ctx context.Context, q Q, id string) (*Complaint, error) {
	var c Complaint
	if err := q.GetContext(ctx, &c, q.Rebind(`SELECT `+complaintCols+` FROM complaints WHERE id = ?`), id); err != nil {
		return nil, classify(err, "complaint %s", id)
	}
	return &c, nil
}

// ComplaintFilter selects complaints; zero fields do not filter.
type ComplaintFilter struct {
	Subject       string
	CaseID        string
	WindowID      string
	DepartmentID  string
	ComplainantID string
	// Oversight, when not nil, limits complaints to what a supervisor oversees.
	Oversight *Oversight
	From, To  time.Time // filed at From <= t < To
	// BeforeAt and BeforeID are the key (filed at, id) of the last row of the page before.
	BeforeAt time.Time
	BeforeID string
	Limit    int
}

// ListComplaints lists complaints, newest first (complaints_filed), after f's key.
func ListComplaints(ctx context.Context, q Q, f ComplaintFilter) ([]Complaint, error) {
	var c conds
	c.eq("k.subject", f.Subject)
	c.eq("k.case_id", f.CaseID)
	c.eq("k.window_id", f.WindowID)
	c.eq("k.department_id", f.DepartmentID)
	c.eq("k.complainant_id", f.ComplainantID)
	c.within("k.filed_at", f.From, f.To)
	if f.Oversight != nil {
		cl, args := f.Oversight.RecordClause("k")
		c.add(cl, args...)
	}
	if f.BeforeID != "" {
		c.add(`(k.filed_at, k.id) < (?, ?)`, Time(f.BeforeAt), f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out := []Complaint{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+complaintCols+` FROM complaints k`+c.sql()+` ORDER BY k.filed_at DESC, k.id DESC LIMIT ?`),
		append(c.args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list complaints: %w", err)
	}
	return out, nil
}
