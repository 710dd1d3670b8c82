package store

// Information-disclosure requests (依申请公开): the request as filed, and its extension. The
// request runs as a case of std-disclosure (process_case_id); its rules are app's.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// How a requester wants the information delivered.
const (
	DeliveryOnline = "online" // through the platform (an account's notifications)
	DeliveryEmail  = "email"
	DeliveryPost   = "post"
	DeliveryPickup = "pickup" // collected at the service centre
)

// DisclosureDeliveries lists the ways of delivery.
var DisclosureDeliveries = []string{DeliveryOnline, DeliveryEmail, DeliveryPost, DeliveryPickup}

// DisclosureRequest is a request for government information.
type DisclosureRequest struct {
	ID            string `db:"id" json:"id"`
	ProcessCaseID string `db:"process_case_id" json:"processCaseId"`
	// DepartmentID is the administrative organ asked.
	DepartmentID  string  `db:"department_id" json:"departmentId"`
	RequesterID   *string `db:"requester_id" json:"requesterId,omitempty"`
	RequesterKind string  `db:"requester_kind" json:"requesterKind" enums:"naturalPerson,legalPerson" example:"naturalPerson"`
	// RequesterName, ContactPhone and ContactAddress are the requester's: personal data, shown
	// to the requester and the staff who handle the request only.
	RequesterName  string `db:"requester_name" json:"requesterName" example:"张三"`
	ContactPhone   string `db:"contact_phone" json:"contactPhone" example:"13900000000"`
	ContactAddress string `db:"contact_address" json:"contactAddress,omitempty" example:"广西北流市城南路1号"`
	// Description says what information is asked for; Purpose why (optional).
	Description string    `db:"description" json:"description" example:"2025年北流市城区道路改造工程的招标文件"`
	Purpose     string    `db:"purpose" json:"purpose,omitempty"`
	Delivery    string    `db:"delivery" json:"delivery" enums:"online,email,post,pickup" example:"online"`
	FiledAt     time.Time `db:"filed_at" json:"filedAt"`
	// ExtendedAt, ExtendedBy and ExtensionReason record the one extension of the time limit.
	ExtendedAt      *time.Time `db:"extended_at" json:"extendedAt,omitempty"`
	ExtendedBy      string     `db:"extended_by" json:"extendedBy,omitempty"`
	ExtensionReason string     `db:"extension_reason" json:"extensionReason,omitempty"`
}

const disclosureCols = `id, process_case_id, department_id, requester_id, requester_kind, requester_name, contact_phone, contact_address,
	description, purpose, delivery, filed_at, extended_at, COALESCE(extended_by, '') AS extended_by,
	COALESCE(extension_reason, '') AS extension_reason`

// InsertDisclosure writes a request (ID, ProcessCaseID and FiledAt set by the caller).
func InsertDisclosure(ctx context.Context, q Q, r *DisclosureRequest) error {
	if err := checkPlain("requesterName", r.RequesterName, "contactPhone", r.ContactPhone); err != nil {
		return err
	}
	// The request makes its case count for the department asked in the scorecards' counters.
	err := countCase(ctx, q, nil, r.ProcessCaseID, func() error {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO disclosure_requests (id, process_case_id, department_id, requester_id, requester_kind,
		requester_name, contact_phone, contact_address, description, purpose, delivery, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.ProcessCaseID, r.DepartmentID, r.RequesterID, r.RequesterKind, r.RequesterName, r.ContactPhone, r.ContactAddress,
			r.Description, r.Purpose, r.Delivery, Time(r.FiledAt))
		return err
	})
	return classify(err, "disclosure request %s", r.ID)
}

// GetDisclosure returns request id, or ErrNotFound.
func GetDisclosure(ctx context.Context, q Q, id string) (*DisclosureRequest, error) {
	var r DisclosureRequest
	if err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+disclosureCols+` FROM disclosure_requests WHERE id = ?`), id); err != nil {
		return nil, classify(err, "disclosure request %s", id)
	}
	return &r, nil
}

// DisclosureByCase returns the request whose process is case caseID, or ErrNotFound.
func DisclosureByCase(ctx context.Context, q Q, caseID string) (*DisclosureRequest, error) {
	var r DisclosureRequest
	if err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+disclosureCols+` FROM disclosure_requests WHERE process_case_id = ?`), caseID); err != nil {
		return nil, classify(err, "disclosure request of case %s", caseID)
	}
	return &r, nil
}

// ExtendDisclosure records the one extension of request id; a request extended before is
// ErrConflict.
func ExtendDisclosure(ctx context.Context, q Q, id, by, reason string, at time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE disclosure_requests SET extended_at = ?, extended_by = ?, extension_reason = ?
		WHERE id = ? AND extended_at IS NULL`), Time(at), by, reason, id)
	if err != nil {
		return classify(err, "extend disclosure request %s", id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("disclosure request %s is extended already: %w", id, ErrConflict)
	}
	return nil
}

// DisclosureFilter selects requests, newest first.
type DisclosureFilter struct {
	// Departments, when not nil, keeps the requests to these departments.
	Departments []string
	// RequesterID keeps one requester's.
	RequesterID string
	// Before is the key (filed at, id) of the last row of the page before.
	BeforeAt time.Time
	BeforeID string
	Limit    int
}

// ListDisclosures returns up to f.Limit requests, newest first.
func ListDisclosures(ctx context.Context, q Q, f DisclosureFilter) ([]DisclosureRequest, error) {
	conds, args := []string{`1 = 1`}, []any{}
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return []DisclosureRequest{}, nil
		}
		conds = append(conds, `department_id IN (`+qmarks(len(f.Departments))+`)`)
		for _, d := range f.Departments {
			args = append(args, d)
		}
	}
	if f.RequesterID != "" {
		conds, args = append(conds, `requester_id = ?`), append(args, f.RequesterID)
	}
	if f.BeforeID != "" {
		at := Time(f.BeforeAt)
		conds, args = append(conds, `(filed_at, id) < (?, ?)`), append(args, at, f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out := []DisclosureRequest{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+disclosureCols+` FROM disclosure_requests WHERE `+strings.Join(conds, ` AND `)+
		` ORDER BY filed_at DESC, id DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("disclosure requests: %w", err)
	}
	return out, nil
}
