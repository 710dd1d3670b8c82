package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"onewindow/definitions/standard"
	"onewindow/engine"
)

// Subjects of a complaint.
const (
	ComplaintAboutCase       = "case"
	ComplaintAboutWindow     = "window"
	ComplaintAboutDepartment = "department"
)

// ComplaintSubjects lists what a complaint may be about.
var ComplaintSubjects = []string{ComplaintAboutCase, ComplaintAboutWindow, ComplaintAboutDepartment}

// ComplaintDays is the time limit of a complaint in working days.
const ComplaintDays = 15

// ErrComplaintSubject reports a complaint about a case, window or department that does not
// exist; it wraps ErrNotFound and its message names the field.
var ErrComplaintSubject = fmt.Errorf("the complaint's subject does not exist: %w", ErrNotFound)

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

// FileComplaint records a complaint (setting ID, whom it concerns, ProcessCaseID and
// FiledAt) and queues its std-complaint case with a limit of ComplaintDays working days; the
// caller starts it after commit with StartQueued. A subject that does not exist wraps
// ErrComplaintSubject (an *InvalidError names the field of a subject of the wrong kind).
func FileComplaint(ctx context.Context, q Q, c *Complaint) (*engine.CaseInput, error) {
	var section string
	switch c.Subject {
	case ComplaintAboutCase:
		if c.CaseID == nil || *c.CaseID == "" {
			return nil, Invalid("caseId", "is required for a complaint about a case")
		}
		if _, err := GetCaseRow(ctx, q, *c.CaseID); err != nil {
			if isNotFound(err) {
				return nil, fmt.Errorf("caseId: no case %q: %w", *c.CaseID, ErrComplaintSubject)
			}
			return nil, err
		}
		p, err := ServedBy(ctx, q, *c.CaseID)
		if err != nil {
			return nil, err
		}
		c.DepartmentID, c.WindowID, c.PersonID = optional(p.DepartmentID), optional(p.WindowID), optional(p.PersonID)
		var raw JSON
		if err := q.GetContext(ctx, &raw, q.Rebind(`SELECT variables FROM cases WHERE id = ?`), *c.CaseID); err != nil {
			return nil, classify(err, "case %s", *c.CaseID)
		}
		var vars map[string]any
		_ = json.Unmarshal(raw, &vars)
		section = str(vars["leadSection"])
	case ComplaintAboutWindow:
		if err := complaintUnit(ctx, q, "windowId", c.WindowID, KindWindow); err != nil {
			return nil, err
		}
	case ComplaintAboutDepartment:
		if err := complaintUnit(ctx, q, "departmentId", c.DepartmentID, KindDepartment); err != nil {
			return nil, err
		}
	default:
		return nil, Invalid("subject", "%q is not a subject; use one of %v", c.Subject, ComplaintSubjects)
	}
	if section == "" && c.DepartmentID != nil {
		var codes []string
		if err := q.SelectContext(ctx, &codes, q.Rebind(`SELECT code FROM org_units WHERE parent_id = ? AND kind = 'section' ORDER BY code`), *c.DepartmentID); err != nil {
			return nil, fmt.Errorf("sections of %s: %w", *c.DepartmentID, err)
		}
		if len(codes) > 0 {
			section = codes[0]
		}
	}
	deptID := ""
	if c.DepartmentID != nil {
		deptID = *c.DepartmentID
	}
	desk, err := supervisionUnitOver(ctx, q, deptID)
	if err != nil {
		return nil, err
	}
	if section == "" {
		// A complaint about a window's conduct (or one without a department) is handled by
		// the supervision office itself.
		section = desk
	}
	c.ID, c.ProcessCaseID, c.FiledAt = NewID(), "T-"+NewID(), Now()
	complainant := ""
	if c.ComplainantID != nil {
		complainant = *c.ComplainantID
	}
	subjectID := ""
	for _, s := range []*string{c.CaseID, c.WindowID, c.DepartmentID} {
		if s != nil && subjectID == "" {
			subjectID = *s
		}
	}
	calendarUnit := deptID
	if calendarUnit == "" && c.WindowID != nil {
		calendarUnit = *c.WindowID
	}
	in := &engine.CaseInput{
		CaseID:     c.ProcessCaseID,
		Definition: standard.Complaint,
		Initiator:  complainant,
		Vars: map[string]any{
			"complaintId": c.ID, "subject": c.Subject, "subjectId": subjectID, "complainedCase": deref(c.CaseID),
			"complaintDesk": desk, "handler": section, "complainant": complainant,
			"contactName": c.ContactName, "contactPhone": c.ContactPhone, "content": c.Content,
			"notifyTitle": "投诉处理答复",
		},
		Limits:       &engine.Limits{PromisedDays: ComplaintDays, StatutoryDays: ComplaintDays},
		CalendarUnit: calendarUnit,
		ReceivedAt:   c.FiledAt,
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO complaints (`+complaintCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.Subject, c.CaseID, c.WindowID, c.DepartmentID, c.PersonID, c.ComplainantID, c.ContactName, c.ContactPhone, c.Content,
		c.ProcessCaseID, c.FiledAt)
	if err != nil {
		return nil, classify(err, "file complaint")
	}
	if err := queueCaseInput(ctx, q, in); err != nil {
		return nil, err
	}
	return in, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// complaintUnit checks that a complaint's window or department exists and is of kind.
func complaintUnit(ctx context.Context, q Q, field string, id *string, kind string) error {
	if id == nil || *id == "" {
		return Invalid(field, "is required for a complaint about a %s", kind)
	}
	u, err := GetOrgUnit(ctx, q, *id)
	if isNotFound(err) {
		return fmt.Errorf("%s: no %s %q: %w", field, kind, *id, ErrComplaintSubject)
	}
	if err != nil {
		return err
	}
	if u.Kind != kind {
		return Invalid(field, "%s (%s) is a %s, not a %s", u.Name, *id, u.Kind, kind)
	}
	return nil
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
	From, To      time.Time // filed at From <= t < To
	Limit, Offset int
}

// ListComplaints lists complaints, newest first.
func ListComplaints(ctx context.Context, q Q, f ComplaintFilter) ([]Complaint, error) {
	query := `SELECT ` + complaintCols + ` FROM complaints`
	var where []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			where, args = append(where, col+" = ?"), append(args, v)
		}
	}
	eq("subject", f.Subject)
	eq("case_id", f.CaseID)
	eq("window_id", f.WindowID)
	eq("department_id", f.DepartmentID)
	eq("complainant_id", f.ComplainantID)
	if !f.From.IsZero() {
		where, args = append(where, "filed_at >= ?"), append(args, Time(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "filed_at < ?"), append(args, Time(f.To))
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit, f.Offset)
	out := []Complaint{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY filed_at DESC, id LIMIT ? OFFSET ?`), args...); err != nil {
		return nil, fmt.Errorf("list complaints: %w", err)
	}
	return out, nil
}
