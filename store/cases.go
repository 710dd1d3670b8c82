package store

// Cases (办件) as applicants and counter staff see them. A case is one application of one
// applicant for one published item version. Its row in the engine's cases table carries, beside
// the engine's columns, the business columns this file writes: the case number, the query code
// of the public progress page, the item version, the channel, the applicant, who submitted it
// where, the form, and what the task API records (acceptance, the decision, a withdrawal).
// CreateCase writes the row (status starting) before the workflow starts; the engine's first
// step upserts only its own columns. Materials keep every version (a supplement adds one), and
// case_actions logs every person's action with the authority they acted under.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"onewindow/engine"
)

// CaseZone is the local time of the service centres: case numbers carry the local date.
var CaseZone = time.FixedZone("CST", 8*3600)

// Decisions recorded on a case.
const (
	DecisionApprove = "approve" // 准予
	DecisionReject  = "reject"  // 不予准予
	DecisionRefuse  = "refuse"  // 不予受理 (at acceptance)
)

// OtherMaterial is the code of a material the item does not list (its name says what it is).
const OtherMaterial = "OTHER"

// Case is a case with its business and engine columns.
type Case struct {
	ID     string `json:"id" example:"01jd5q3k8m0000000000000100"`
	Number string `json:"number" example:"20251126-450981-FGJ-XK-001-0001"`
	// QueryCode opens the public progress page together with the number;
	// shown to the applicant's side only.
	QueryCode   string    `json:"queryCode,omitempty" example:"K7Q4M2XP"`
	ItemID      string    `json:"itemId"`
	ItemVersion int       `json:"itemVersion" example:"1"`
	ItemCode    string    `json:"itemCode" example:"450981-FGJ-XK-001"`
	ItemName    string    `json:"itemName" example:"企业投资项目核准"`
	Channel     string    `json:"channel" example:"online"`
	Applicant   Applicant `json:"applicant"`
	SubmittedBy string    `json:"submittedBy"`
	WindowID    string    `json:"windowId,omitempty"`
	StationID   string    `json:"stationId,omitempty"`
	AgentID     string    `json:"agentId,omitempty"`
	ReceivedAt  time.Time `json:"receivedAt"`
	Form        JSON      `json:"form" swaggertype:"object"`

	AcceptedAt     *time.Time `json:"acceptedAt,omitempty"`
	Decision       string     `json:"decision,omitempty" example:"approve"`
	DecisionReason string     `json:"decisionReason,omitempty"`
	DecidedAt      *time.Time `json:"decidedAt,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawnAt,omitempty"`
	WithdrawReason string     `json:"withdrawReason,omitempty"`

	// Engine columns: what the workflow is doing and the case's clock.
	DefinitionKey     string     `json:"definitionKey" example:"std-parallel"`
	DefinitionVersion int        `json:"definitionVersion" example:"1"`
	Status            string     `json:"status" example:"active"`
	Variables         JSON       `json:"-"`
	StartedAt         time.Time  `json:"startedAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	EndedAt           *time.Time `json:"endedAt,omitempty"`
	ClockState        string     `json:"clockState" example:"running"`
	ClockStartedAt    *time.Time `json:"clockStartedAt,omitempty"`
	PromisedDays      *float64   `json:"promisedDays,omitempty" example:"10"`
	StatutoryDays     *float64   `json:"statutoryDays,omitempty" example:"20"`
	WarnAt            *time.Time `json:"warnAt,omitempty"`
	DueAt             *time.Time `json:"dueAt,omitempty"`
	StatutoryDueAt    *time.Time `json:"statutoryDueAt,omitempty"`
	CalendarUnit      string     `json:"-"`
}

type caseRow struct {
	ID                string     `db:"id"`
	Number            *string    `db:"number"`
	QueryCode         *string    `db:"query_code"`
	ItemID            *string    `db:"item_id"`
	ItemVersion       *int       `db:"item_version"`
	ItemCode          *string    `db:"item_code"`
	ItemName          *string    `db:"item_name"`
	Channel           *string    `db:"channel"`
	ApplicantID       *string    `db:"applicant_id"`
	ApplicantName     *string    `db:"applicant_name"`
	ApplicantKind     *string    `db:"applicant_kind"`
	ApplicantCertType *string    `db:"applicant_cert_type"`
	ApplicantCertNo   *string    `db:"applicant_cert_no"`
	ApplicantPhone    *string    `db:"applicant_phone"`
	SubmittedBy       *string    `db:"submitted_by"`
	WindowID          *string    `db:"window_id"`
	StationID         *string    `db:"station_id"`
	AgentID           *string    `db:"agent_id"`
	ReceivedAt        *time.Time `db:"received_at"`
	Form              JSON       `db:"form"`
	AcceptedAt        *time.Time `db:"accepted_at"`
	Decision          *string    `db:"decision"`
	DecisionReason    *string    `db:"decision_reason"`
	DecidedAt         *time.Time `db:"decided_at"`
	WithdrawnAt       *time.Time `db:"withdrawn_at"`
	WithdrawReason    *string    `db:"withdraw_reason"`
	DefinitionKey     string     `db:"definition_key"`
	DefinitionVersion int        `db:"definition_version"`
	Status            string     `db:"status"`
	Variables         JSON       `db:"variables"`
	StartedAt         time.Time  `db:"started_at"`
	UpdatedAt         time.Time  `db:"updated_at"`
	EndedAt           *time.Time `db:"ended_at"`
	CalendarUnit      *string    `db:"calendar_unit"`
	ClockState        string     `db:"clock_state"`
	ClockStartedAt    *time.Time `db:"clock_started_at"`
	PromisedDays      *float64   `db:"promised_days"`
	StatutoryDays     *float64   `db:"statutory_days"`
	WarnAt            *time.Time `db:"warn_at"`
	DueAt             *time.Time `db:"due_at"`
	StatutoryDueAt    *time.Time `db:"statutory_due_at"`
}

// caseColumns lists the columns of caseRow qualified with alias c.
const caseColumns = `c.id, c.number, c.query_code, c.item_id, c.item_version, c.item_code, c.item_name, c.channel,
	c.applicant_id, c.applicant_name, c.applicant_kind, c.applicant_cert_type, c.applicant_cert_no, c.applicant_phone,
	c.submitted_by, c.window_id, c.station_id, c.agent_id, c.received_at, c.form, c.accepted_at, c.decision,
	c.decision_reason, c.decided_at, c.withdrawn_at, c.withdraw_reason, c.definition_key, c.definition_version,
	c.status, c.variables, c.started_at, c.updated_at, c.ended_at, c.calendar_unit, c.clock_state, c.clock_started_at,
	c.promised_days, c.statutory_days, c.warn_at, c.due_at, c.statutory_due_at`

func (r *caseRow) toCase() *Case {
	c := &Case{ID: r.ID, Number: deref(r.Number), QueryCode: deref(r.QueryCode), ItemID: deref(r.ItemID),
		ItemCode: deref(r.ItemCode), ItemName: deref(r.ItemName), Channel: deref(r.Channel),
		Applicant: Applicant{UserID: deref(r.ApplicantID), Name: deref(r.ApplicantName), Kind: deref(r.ApplicantKind),
			CertType: deref(r.ApplicantCertType), CertNo: deref(r.ApplicantCertNo), Phone: deref(r.ApplicantPhone)},
		SubmittedBy: deref(r.SubmittedBy), WindowID: deref(r.WindowID), StationID: deref(r.StationID), AgentID: deref(r.AgentID),
		Form: r.Form, AcceptedAt: r.AcceptedAt, Decision: deref(r.Decision), DecisionReason: deref(r.DecisionReason),
		DecidedAt: r.DecidedAt, WithdrawnAt: r.WithdrawnAt, WithdrawReason: deref(r.WithdrawReason),
		DefinitionKey: r.DefinitionKey, DefinitionVersion: r.DefinitionVersion, Status: r.Status, Variables: r.Variables,
		StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, EndedAt: r.EndedAt, ClockState: r.ClockState,
		ClockStartedAt: r.ClockStartedAt, PromisedDays: r.PromisedDays, StatutoryDays: r.StatutoryDays,
		WarnAt: r.WarnAt, DueAt: r.DueAt, StatutoryDueAt: r.StatutoryDueAt, CalendarUnit: deref(r.CalendarUnit)}
	if r.ItemVersion != nil {
		c.ItemVersion = *r.ItemVersion
	}
	if r.ReceivedAt != nil {
		c.ReceivedAt = *r.ReceivedAt
	} else {
		c.ReceivedAt = r.StartedAt
	}
	if len(c.Form) == 0 {
		c.Form = JSON("{}")
	}
	return c
}

// Vars decodes the case's process variables.
func (c *Case) Vars() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(c.Variables, &m)
	return m
}

// Decided reports whether the case has a decision (a refusal counts).
func (c *Case) Decided() bool { return c.Decision != "" }

// Ended reports whether the case's workflow has ended.
func (c *Case) Ended() bool { return CaseEnded(c.Status) }

// NewCase is what CreateCase stores.
type NewCase struct {
	Item        *ItemVersion
	Channel     string
	Applicant   Applicant
	SubmittedBy string
	// WindowID is the window of a counter submission, StationID and
	// AgentID the station and agent of a proxy submission.
	WindowID   string
	StationID  string
	AgentID    string
	ReceivedAt time.Time
	Form       JSON
	// Vars are the start variables of the item's flow.
	Vars      map[string]any
	Materials []MaterialInput
	// ActorName is the submitter's name for the action log.
	ActorName string
}

// CreateCase checks the materials of a new case, gives it a number and a query code, and
// writes its row (status starting), its materials (version 1) and a submit action. Run it in
// a Tx, then start the workflow.
func CreateCase(ctx context.Context, q Q, in *NewCase) (*Case, error) {
	iv := in.Item
	if iv == nil {
		return nil, errors.New("create case: no item version")
	}
	if err := checkMaterials(ctx, q, iv, in.Materials, in.SubmittedBy, "materials"); err != nil {
		return nil, err
	}
	received := Time(in.ReceivedAt)
	day := received.In(CaseZone).Format("20060102")
	seq, err := nextCaseSeq(ctx, q, day, iv.Code)
	if err != nil {
		return nil, err
	}
	id := NewID()
	number := FormatCaseNumber(day, iv.Code, seq)
	code := NewQueryCode()
	vars, err := json.Marshal(orEmpty(in.Vars))
	if err != nil {
		return nil, fmt.Errorf("encode start variables: %w", err)
	}
	form := in.Form
	if len(form) == 0 {
		form = JSON("{}")
	}
	a := in.Applicant
	// The case counts as received in the scorecards' counters in the same transaction.
	err = countCase(ctx, q, nil, id, func() error {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq,
		started_at, updated_at, number, query_code, item_id, item_version, item_code, item_name, channel, applicant_id,
		applicant_name, applicant_kind, applicant_cert_type, applicant_cert_no, applicant_phone, submitted_by, window_id,
		station_id, agent_id, received_at, form)
		VALUES (?, ?, ?, 'starting', ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, iv.DefinitionKey, iv.DefinitionVersion, string(vars), received, received, number, code, iv.ItemID, iv.Version,
			iv.Code, iv.Name, in.Channel, nullable(a.UserID), a.Name, a.Kind, a.CertType, a.CertNo, nullable(a.Phone),
			in.SubmittedBy, nullable(in.WindowID), nullable(in.StationID), nullable(in.AgentID), received, string(form))
		return err
	})
	if err != nil {
		return nil, classify(err, "create case %s", number)
	}
	if err := addMaterials(ctx, q, id, in.Materials, "", in.SubmittedBy, received); err != nil {
		return nil, err
	}
	if err := RecordAction(ctx, q, &Action{CaseID: id, Action: ActionSubmit, ActorID: in.SubmittedBy, ActorName: in.ActorName,
		Public: true, At: received, Detail: map[string]any{"channel": in.Channel}}); err != nil {
		return nil, err
	}
	return GetCase(ctx, q, id)
}

// nextCaseSeq takes the next sequence number of item code on day. The upsert locks the row
// until the transaction ends, so concurrent submissions get distinct numbers on both databases.
func nextCaseSeq(ctx context.Context, q Q, day, itemCode string) (int, error) {
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`INSERT INTO case_number_seqs (day, item_code, last) VALUES (?, ?, 1)
		ON CONFLICT (day, item_code) DO UPDATE SET last = case_number_seqs.last + 1 RETURNING last`), day, itemCode)
	if err != nil {
		return 0, fmt.Errorf("next case number of %s on %s: %w", itemCode, day, err)
	}
	return n, nil
}

// FormatCaseNumber returns the case number of the seq-th case of item code on day (YYYYMMDD).
func FormatCaseNumber(day, itemCode string, seq int) string {
	return fmt.Sprintf("%s-%s-%04d", day, strings.ToUpper(itemCode), seq)
}

// queryAlphabet has no 0/O, 1/I/L or U: codes are read aloud and typed from paper.
const queryAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewQueryCode returns a random 8-character query code (about 39 bits).
func NewQueryCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, len(b))
	for i, x := range b {
		// 256 is not a multiple of 30: the slight bias costs well under a bit.
		out[i] = queryAlphabet[int(x)%len(queryAlphabet)]
	}
	return string(out)
}

// GetCase returns the case with id, or ErrNotFound (also for an engine row without business
// columns, such as a call activity's child case).
func GetCase(ctx context.Context, q Q, id string) (*Case, error) {
	var r caseRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ? AND c.number IS NOT NULL`), id)
	if err != nil {
		return nil, classify(err, "case %s", id)
	}
	return r.toCase(), nil
}

// GetAnyCase returns a case, an application or one the engine started without (a call
// activity's case, a rectification, a complaint), or ErrNotFound.
func GetAnyCase(ctx context.Context, q Q, id string) (*Case, error) {
	var r caseRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`), id)
	if err != nil {
		return nil, classify(err, "case %s", id)
	}
	return r.toCase(), nil
}

// GetCaseByNumber returns the case with number, or ErrNotFound.
func GetCaseByNumber(ctx context.Context, q Q, number string) (*Case, error) {
	var r caseRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+caseColumns+` FROM cases c WHERE c.number = ?`), number)
	if err != nil {
		return nil, classify(err, "case number %s", number)
	}
	return r.toCase(), nil
}

// SetCaseAccepted records that the case was accepted at t (the first time only).
func SetCaseAccepted(ctx context.Context, q Q, caseID string, t time.Time) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE cases SET accepted_at = COALESCE(accepted_at, ?) WHERE id = ?`), Time(t), caseID)
	return classify(err, "accept case %s", caseID)
}

// ClearCaseAccepted forgets the acceptance of a case sent back to (or recalled to) acceptance.
func ClearCaseAccepted(ctx context.Context, q Q, caseID string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE cases SET accepted_at = NULL WHERE id = ?`), caseID)
	return classify(err, "clear the acceptance of case %s", caseID)
}

// ErrWithdrawn is wrapped when a case was withdrawn by its applicant; it wraps ErrConflict.
var ErrWithdrawn = fmt.Errorf("the applicant has withdrawn the case: %w", ErrConflict)

// SetCaseDecision records the decision of case caseID (approve, reject or refuse) with its
// reason. A case withdrawn meanwhile is ErrWithdrawn: the update and the withdrawal lock the
// same row, so one of them wins.
func SetCaseDecision(ctx context.Context, q Q, caseID, decision, reason string, t time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE cases SET decision = ?, decision_reason = ?, decided_at = ?
		WHERE id = ? AND withdrawn_at IS NULL`), decision, nullable(reason), Time(t), caseID)
	if err != nil {
		return classify(err, "decide case %s", caseID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("case %s: %w", caseID, ErrWithdrawn)
	}
	return nil
}

// ClearCaseDecision forgets the decision of a case whose deciding step was recalled (撤回).
func ClearCaseDecision(ctx context.Context, q Q, caseID string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE cases SET decision = NULL, decision_reason = NULL, decided_at = NULL WHERE id = ?`), caseID)
	return classify(err, "clear the decision of case %s", caseID)
}

// ErrDecided is wrapped when a case cannot be withdrawn because it has been decided or has
// ended; it wraps ErrConflict.
var ErrDecided = fmt.Errorf("the case has been decided: %w", ErrConflict)

// WithdrawCase records the applicant's withdrawal of an undecided, running case. A decided or
// ended case is ErrDecided, a case withdrawn before ErrWithdrawn.
func WithdrawCase(ctx context.Context, q Q, caseID, reason string, t time.Time) error {
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE cases SET withdrawn_at = ?, withdraw_reason = ?
		WHERE id = ? AND decision IS NULL AND withdrawn_at IS NULL AND ended_at IS NULL`), Time(t), reason, caseID)
	if err != nil {
		return classify(err, "withdraw case %s", caseID)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	c, err := GetCase(ctx, q, caseID)
	if err != nil {
		return err
	}
	if c.WithdrawnAt != nil {
		return fmt.Errorf("case %s: %w", c.Number, ErrWithdrawn)
	}
	if c.Decided() {
		return fmt.Errorf("case %s was decided (%s) on %s and can no longer be withdrawn: %w", c.Number, c.Decision,
			c.DecidedAt.In(CaseZone).Format("2006-01-02"), ErrDecided)
	}
	return fmt.Errorf("case %s has ended (%s): %w", c.Number, c.Status, ErrDecided)
}

// CaseStartInput is the input that starts the workflow of case k: its pinned definition
// version, its start variables, its submitter as initiator, its item version's limits and
// warning, the calendar of the implementing body, and when it was received.
func CaseStartInput(ctx context.Context, q Q, k *Case) (engine.CaseInput, error) {
	iv, err := GetItemVersion(ctx, q, k.ItemID, k.ItemVersion)
	if err != nil {
		return engine.CaseInput{}, err
	}
	unit := iv.ImplementingBodyID
	if unit == "" {
		unit = iv.DepartmentID
	}
	return engine.CaseInput{CaseID: k.ID, Definition: k.DefinitionKey, Version: k.DefinitionVersion, Vars: k.Vars(),
		Initiator: k.SubmittedBy, Limits: &engine.Limits{PromisedDays: iv.PromisedDays, StatutoryDays: iv.StatutoryDays, WarnDays: iv.WarnDays},
		CalendarUnit: unit, ReceivedAt: k.ReceivedAt}, nil
}

// StartingCases lists the ids of cases whose workflow has not started although they were
// received before before: their start was interrupted (see the case API's restart).
func StartingCases(ctx context.Context, q Q, before time.Time) ([]string, error) {
	var ids []string
	err := q.SelectContext(ctx, &ids, q.Rebind(`SELECT id FROM cases WHERE status = 'starting' AND number IS NOT NULL AND received_at < ?
		ORDER BY received_at`), Time(before))
	if err != nil {
		return nil, fmt.Errorf("cases still starting: %w", err)
	}
	return ids, nil
}

// CaseItemID returns the item a case runs: its item column, or for a case the engine started
// without an application (a call activity's case, a test), its start variable itemId.
func CaseItemID(ctx context.Context, q Q, caseID string) (string, error) {
	var item *string
	err := q.GetContext(ctx, &item, q.Rebind(`SELECT COALESCE(c.item_id, `+CaseItemExpr(q, "c")+`) FROM cases c WHERE c.id = ?`), caseID)
	if err != nil {
		return "", classify(err, "case %s", caseID)
	}
	return deref(item), nil
}
