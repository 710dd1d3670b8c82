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
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onewindow/engine"
)

// CaseZone is the local time of the service centres: case numbers carry the local date.
var CaseZone = time.FixedZone("CST", 8*3600)

// Applicant kinds and certificate types.
const (
	CertIDCard     = "idCard"     // 居民身份证 (natural persons)
	CertCreditCode = "creditCode" // 统一社会信用代码 (legal persons and other organisations)
)

// Decisions recorded on a case.
const (
	DecisionApprove = "approve" // 准予
	DecisionReject  = "reject"  // 不予准予
	DecisionRefuse  = "refuse"  // 不予受理 (at acceptance)
)

// OtherMaterial is the code of a material the item does not list (its name says what it is).
const OtherMaterial = "OTHER"

// Applicant is who applies: a natural person or an organisation.
type Applicant struct {
	// UserID is the applicant's account, "" for a walk-in without one.
	UserID string `json:"userId,omitempty"`
	Name   string `json:"name" example:"李明"`
	// Kind is naturalPerson or legalPerson.
	Kind string `json:"kind" example:"naturalPerson"`
	// CertType is idCard (natural persons) or creditCode (organisations); CertNo the number.
	CertType string `json:"certType" example:"idCard"`
	CertNo   string `json:"certNo" example:"450981199001011230"`
	Phone    string `json:"phone,omitempty" example:"13800000001"`
}

// Check validates the applicant's kind and certificate; field prefixes the field names.
func (a *Applicant) Check(field string) error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return Invalid(field+"name", "is required")
	}
	switch a.Kind {
	case ObjectNaturalPerson:
		if a.CertType == "" {
			a.CertType = CertIDCard
		}
		if a.CertType != CertIDCard {
			return Invalid(field+"certType", "a natural person identifies with an idCard")
		}
		a.CertNo = strings.ToUpper(a.CertNo)
		if err := CheckIDCard(a.CertNo); err != nil {
			return Invalid(field+"certNo", "%v", err)
		}
	case ObjectLegalPerson:
		if a.CertType == "" {
			a.CertType = CertCreditCode
		}
		if a.CertType != CertCreditCode {
			return Invalid(field+"certType", "an organisation identifies with its creditCode (统一社会信用代码)")
		}
		a.CertNo = strings.ToUpper(a.CertNo)
		if err := CheckCreditCode(a.CertNo); err != nil {
			return Invalid(field+"certNo", "%v", err)
		}
	default:
		return Invalid(field+"kind", "must be one of %s", strings.Join(ServiceObjects, ", "))
	}
	return nil
}

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// CheckCreditCode reports whether s is a valid unified social credit code (GB 32100-2015): 18
// characters of 0-9 and upper-case letters but I, O, S, V and Z, the last a check character
// equal to 31 - (Σ value×weight mod 31), 0 for 31.
func CheckCreditCode(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("a unified social credit code has 18 characters, got %d", len([]rune(s)))
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(creditAlphabet, s[i])
		if v < 0 {
			return fmt.Errorf("character %d of a unified social credit code must be a digit or one of the letters %s", i+1, creditAlphabet[10:])
		}
		if i < 17 {
			sum += v * weights[i]
		}
	}
	want := (31 - sum%31) % 31
	if s[17] != creditAlphabet[want] {
		return fmt.Errorf("the check character of the unified social credit code is %c but should be %c", s[17], creditAlphabet[want])
	}
	return nil
}

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

// MaterialInput is a material handed in with an application or a supplement.
type MaterialInput struct {
	// Code is a material code of the item, or OTHER with a Name.
	Code    string   `json:"code" validate:"required,max=64" example:"M01"`
	Name    string   `json:"name,omitempty" validate:"max=200"`
	FileIDs []string `json:"fileIds" validate:"required,min=1,max=20,dive,id" example:"01jd5q3k8m0000000000000200"`
	Note    string   `json:"note,omitempty" validate:"max=500"`
}

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
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO cases (id, definition_key, definition_version, status, variables, last_seq,
		started_at, updated_at, number, query_code, item_id, item_version, item_code, item_name, channel, applicant_id,
		applicant_name, applicant_kind, applicant_cert_type, applicant_cert_no, applicant_phone, submitted_by, window_id,
		station_id, agent_id, received_at, form)
		VALUES (?, ?, ?, 'starting', ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		id, iv.DefinitionKey, iv.DefinitionVersion, string(vars), received, received, number, code, iv.ItemID, iv.Version,
		iv.Code, iv.Name, in.Channel, nullable(a.UserID), a.Name, a.Kind, a.CertType, a.CertNo, nullable(a.Phone),
		in.SubmittedBy, nullable(in.WindowID), nullable(in.StationID), nullable(in.AgentID), received, string(form))
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

// CaseScope is what a caller may see of the cases: everything (admin, supervisor), or the
// cases they applied for, submitted, follow as agent, acted on, or that have a task of one
// of their units or covered by one of their delegation grants.
type CaseScope struct {
	All      bool
	UserID   string
	Username string
	// UnitIDs are the caller's org units: cases submitted at one of these windows or stations.
	UnitIDs []string
	// UnitCodes are the codes of the caller's org units: cases with a task whose candidate
	// group is one of them.
	UnitCodes []string
	// Grants are the caller's active delegation grants.
	Grants []GrantReach
	// Within are org unit ids whose cases the caller oversees: cases of items of departments
	// among them, cases submitted at windows or stations among them, and cases counted on the
	// calendar of one of them (their implementing body).
	Within []string
}

// Clause returns an SQL condition on cases alias c (with ? placeholders) that holds for the
// cases s may see.
func (s *CaseScope) Clause() (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	ors := []string{`c.applicant_id = ?`, `c.submitted_by = ?`, `c.agent_id = ?`,
		`EXISTS (SELECT 1 FROM case_actions sa WHERE sa.case_id = c.id AND sa.actor_id = ?)`}
	args := []any{s.UserID, s.UserID, s.UserID, s.UserID}
	if len(s.Within) > 0 {
		in := qmarkList(len(s.Within))
		ors = append(ors, `c.window_id IN (`+in+`)`, `c.station_id IN (`+in+`)`, `c.calendar_unit IN (`+in+`)`,
			`EXISTS (SELECT 1 FROM items si WHERE si.id = c.item_id AND si.department_id IN (`+in+`))`)
		for range 4 {
			for _, u := range s.Within {
				args = append(args, u)
			}
		}
	}
	if len(s.UnitIDs) > 0 {
		ors = append(ors, `c.window_id IN (`+qmarkList(len(s.UnitIDs))+`)`, `c.station_id IN (`+qmarkList(len(s.UnitIDs))+`)`)
		for range 2 {
			for _, u := range s.UnitIDs {
				args = append(args, u)
			}
		}
	}
	task := `st.assignee IN (?, ?) OR st.owner = ? OR EXISTS (SELECT 1 FROM task_candidates sc WHERE sc.task_id = st.id AND
		((sc.kind = 'user' AND sc.value IN (?, ?))`
	args = append(args, s.UserID, s.Username, s.UserID, s.UserID, s.Username)
	if len(s.UnitCodes) > 0 {
		task += ` OR (sc.kind = 'group' AND sc.value IN (` + qmarkList(len(s.UnitCodes)) + `))`
		for _, u := range s.UnitCodes {
			args = append(args, u)
		}
	}
	task += `))`
	for _, g := range s.Grants {
		if len(g.StepKinds) == 0 {
			continue
		}
		cl := ` OR (st.step_kind IN (` + qmarkList(len(g.StepKinds)) + `) AND EXISTS (SELECT 1 FROM task_candidates sg
			WHERE sg.task_id = st.id AND sg.kind = 'group' AND sg.value = ?)`
		for _, k := range g.StepKinds {
			args = append(args, k)
		}
		args = append(args, g.SectionCode)
		if g.ItemIDs != nil {
			cl += ` AND c.item_id IN (` + qmarkList(len(g.ItemIDs)) + `)`
			for _, it := range g.ItemIDs {
				args = append(args, it)
			}
		}
		task += cl + `)`
	}
	ors = append(ors, `EXISTS (SELECT 1 FROM tasks st WHERE st.case_id = c.id AND (`+task+`))`)
	return `(` + strings.Join(ors, ` OR `) + `)`, args
}

func qmarkList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// CanSeeCase reports whether scope s covers case id.
func CanSeeCase(ctx context.Context, q Q, s *CaseScope, id string) (bool, error) {
	clause, args := s.Clause()
	var n int
	err := q.GetContext(ctx, &n, q.Rebind(`SELECT COUNT(*) FROM cases c WHERE c.id = ? AND `+clause), append([]any{id}, args...)...)
	if err != nil {
		return false, fmt.Errorf("access to case %s: %w", id, err)
	}
	return n > 0, nil
}

// Case filter states (CaseFilter.State).
const (
	CasesOpen  = "open"  // the workflow has not ended
	CasesEnded = "ended" // finished, refused, withdrawn or cancelled
)

// CaseFilter selects cases; zero fields match everything.
type CaseFilter struct {
	Scope       *CaseScope
	ApplicantID string
	ItemID      string
	Channel     string
	// State is open or ended.
	State string
	// Decision is approve, reject or refuse.
	Decision       string
	ReceivedFrom   time.Time
	ReceivedBefore time.Time
	// Search is a part of the case number or of the applicant's name.
	Search string
	Limit  int // default 50
	Offset int
}

// ListCases returns a page of the cases matching f, newest first, and how many match in all.
func ListCases(ctx context.Context, q Q, f CaseFilter) ([]Case, int, error) {
	where := []string{`c.number IS NOT NULL`}
	var args []any
	if f.Scope != nil {
		cl, a := f.Scope.Clause()
		where = append(where, cl)
		args = append(args, a...)
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.ApplicantID != "" {
		add(`c.applicant_id = ?`, f.ApplicantID)
	}
	if f.ItemID != "" {
		add(`c.item_id = ?`, f.ItemID)
	}
	if f.Channel != "" {
		add(`c.channel = ?`, f.Channel)
	}
	switch f.State {
	case CasesOpen:
		where = append(where, `c.ended_at IS NULL`)
	case CasesEnded:
		where = append(where, `c.ended_at IS NOT NULL`)
	}
	if f.Decision != "" {
		add(`c.decision = ?`, f.Decision)
	}
	if !f.ReceivedFrom.IsZero() {
		add(`c.received_at >= ?`, Time(f.ReceivedFrom))
	}
	if !f.ReceivedBefore.IsZero() {
		add(`c.received_at < ?`, Time(f.ReceivedBefore))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		like := "%" + escapeLike(s) + "%"
		where = append(where, `(c.number LIKE ? ESCAPE '\' OR c.applicant_name LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	cond := strings.Join(where, ` AND `)
	var total int
	if err := q.GetContext(ctx, &total, q.Rebind(`SELECT COUNT(*) FROM cases c WHERE `+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var rows []caseRow
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+caseColumns+` FROM cases c WHERE `+cond+`
		ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?`), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	out := make([]Case, len(rows))
	for i := range rows {
		out[i] = *rows[i].toCase()
	}
	return out, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
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

// CaseMaterial is one version of one material of a case.
type CaseMaterial struct {
	ID           string     `json:"id"`
	Code         string     `json:"code" example:"M01"`
	Name         string     `json:"name" example:"营业执照申请书"`
	Version      int        `json:"version" example:"1"`
	SupplementID string     `json:"supplementId,omitempty"`
	Note         string     `json:"note,omitempty"`
	AddedBy      string     `json:"addedBy"`
	AddedAt      time.Time  `json:"addedAt"`
	Files        []FileInfo `json:"files"`
}

// checkMaterials checks materials against item version iv: known codes (or OTHER with a
// name), no code twice, files that exist and were uploaded by uploader.
func checkMaterials(ctx context.Context, q Q, iv *ItemVersion, ms []MaterialInput, uploader, field string) error {
	seen := map[string]bool{}
	for i := range ms {
		m := &ms[i]
		f := fmt.Sprintf("%s[%d].", field, i)
		m.Code = strings.TrimSpace(m.Code)
		m.Name = strings.TrimSpace(m.Name)
		if m.Code == OtherMaterial {
			if m.Name == "" {
				return Invalid(f+"name", "a material the item does not list (code %s) needs a name", OtherMaterial)
			}
		} else {
			j := slices.IndexFunc(iv.Materials, func(x Material) bool { return x.Code == m.Code })
			if j < 0 {
				codes := make([]string, len(iv.Materials))
				for k, x := range iv.Materials {
					codes[k] = x.Code
				}
				return Invalid(f+"code", "item %s has no material %q (its materials: %s; use %s for another document)",
					iv.Code, m.Code, strings.Join(codes, ", "), OtherMaterial)
			}
			if m.Name == "" {
				m.Name = iv.Materials[j].Name
			}
			if seen[m.Code] {
				return Invalid(f+"code", "material %s is given twice: list all its files under one entry", m.Code)
			}
			seen[m.Code] = true
		}
		if len(m.FileIDs) == 0 {
			return Invalid(f+"fileIds", "a material needs at least one uploaded file")
		}
		for k, id := range m.FileIDs {
			if slices.Contains(m.FileIDs[:k], id) {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s is listed twice", id)
			}
			fi, err := GetFile(ctx, q, id)
			if errors.Is(err, ErrNotFound) {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s does not exist: upload it first (POST /api/v1/files)", id)
			}
			if err != nil {
				return err
			}
			if fi.UploadedBy != uploader {
				return Invalid(fmt.Sprintf("%sfileIds[%d]", f, k), "file %s was not uploaded by you", id)
			}
		}
	}
	return nil
}

// addMaterials writes the next version of each material of case caseID.
func addMaterials(ctx context.Context, q Q, caseID string, ms []MaterialInput, supplementID, by string, at time.Time) error {
	others := 0
	for _, m := range ms {
		code := m.Code
		var version int
		if err := q.GetContext(ctx, &version, q.Rebind(`SELECT COALESCE(MAX(version), 0) + 1 FROM case_materials WHERE case_id = ? AND code = ?`),
			caseID, code); err != nil {
			return fmt.Errorf("next version of material %s of case %s: %w", code, caseID, err)
		}
		if code == OtherMaterial {
			// Several unlisted documents in one request are versions of OTHER in order.
			version += others
			others++
		}
		id := NewID()
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_materials (id, case_id, code, name, version, supplement_id, note, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, caseID, code, m.Name, version, nullable(supplementID), m.Note, by, Time(at))
		if err != nil {
			return classify(err, "material %s of case %s", code, caseID)
		}
		for i, f := range m.FileIDs {
			if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO case_material_files (material_id, file_id, position) VALUES (?, ?, ?)`),
				id, f, i); err != nil {
				return classify(err, "file %s of material %s of case %s", f, code, caseID)
			}
		}
	}
	return nil
}

// AddCaseMaterials checks ms against the case's item version and writes the next version of
// each (a supplement's materials, with its id). Run it in a Tx.
func AddCaseMaterials(ctx context.Context, q Q, c *Case, ms []MaterialInput, supplementID, by string, at time.Time) error {
	iv, err := GetItemVersion(ctx, q, c.ItemID, c.ItemVersion)
	if err != nil {
		return err
	}
	if err := checkMaterials(ctx, q, iv, ms, by, "materials"); err != nil {
		return err
	}
	return addMaterials(ctx, q, c.ID, ms, supplementID, by, at)
}

// CaseMaterials lists every version of every material of a case, by code then version.
func CaseMaterials(ctx context.Context, q Q, caseID string) ([]CaseMaterial, error) {
	var rows []struct {
		ID           string    `db:"id"`
		Code         string    `db:"code"`
		Name         string    `db:"name"`
		Version      int       `db:"version"`
		SupplementID *string   `db:"supplement_id"`
		Note         string    `db:"note"`
		AddedBy      string    `db:"added_by"`
		AddedAt      time.Time `db:"added_at"`
	}
	err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT id, code, name, version, supplement_id, note, added_by, added_at
		FROM case_materials WHERE case_id = ? ORDER BY code, version`), caseID)
	if err != nil {
		return nil, fmt.Errorf("materials of case %s: %w", caseID, err)
	}
	var files []struct {
		MaterialID string `db:"material_id"`
		FileInfo
	}
	err = q.SelectContext(ctx, &files, q.Rebind(`SELECT mf.material_id, `+fileColumns+` FROM case_material_files mf
		JOIN case_materials m ON m.id = mf.material_id JOIN files f ON f.id = mf.file_id
		WHERE m.case_id = ? ORDER BY mf.material_id, mf.position`), caseID)
	if err != nil {
		return nil, fmt.Errorf("material files of case %s: %w", caseID, err)
	}
	byMaterial := map[string][]FileInfo{}
	for _, f := range files {
		byMaterial[f.MaterialID] = append(byMaterial[f.MaterialID], f.FileInfo)
	}
	out := make([]CaseMaterial, len(rows))
	for i, r := range rows {
		out[i] = CaseMaterial{ID: r.ID, Code: r.Code, Name: r.Name, Version: r.Version, SupplementID: deref(r.SupplementID),
			Note: r.Note, AddedBy: r.AddedBy, AddedAt: r.AddedAt, Files: byMaterial[r.ID]}
		if out[i].Files == nil {
			out[i].Files = []FileInfo{}
		}
	}
	return out, nil
}

// Actions a person takes on a case or task (case_actions.action).
const (
	ActionSubmit       = "submit"       // applied (online, at a window, at a station)
	ActionClaim        = "claim"        // took a task
	ActionUnclaim      = "unclaim"      // gave a task back to its group
	ActionComplete     = "complete"     // completed a task with an outcome
	ActionHandover     = "handover"     // 转办: passed a task to another person
	ActionDelegate     = "delegate"     // 委派: asked another person to work a task
	ActionResolve      = "resolve"      // 委派归还: the delegate gave the task back (or the owner took it back)
	ActionReturn       = "return"       // 退回: sent the case back to an earlier step
	ActionRecall       = "recall"       // 撤回: took back one's own completion
	ActionAddSigner    = "addSigner"    // 加签
	ActionRemoveSigner = "removeSigner" // 减签
	ActionComment      = "comment"      // 意见
	ActionSupplement   = "supplement"   // 补正: answered a notice
	ActionWithdraw     = "withdraw"     // 撤回申请: the applicant withdrew the case
)

// Action is one entry of a case's action log: who did what, on which task, under which authority.
type Action struct {
	ID        string `json:"id"`
	CaseID    string `json:"caseId"`
	TaskID    string `json:"taskId,omitempty"`
	ElementID string `json:"elementId,omitempty" example:"acceptance"`
	StepKind  string `json:"stepKind,omitempty" example:"acceptance"`
	Action    string `json:"action" example:"complete"`
	Outcome   string `json:"outcome,omitempty" example:"accept"`
	ActorID   string `json:"actorId"`
	ActorName string `json:"actorName" example:"一号窗口 王丽"`
	// Authority is assignee, candidateUser, unit or delegation; for a delegation
	// GrantID, DepartmentID and WindowID say whose and where.
	Authority    string `json:"authority,omitempty" example:"delegation"`
	UnitCode     string `json:"unitCode,omitempty" example:"fgj-xzsp"`
	GrantID      string `json:"grantId,omitempty"`
	DepartmentID string `json:"departmentId,omitempty"`
	WindowID     string `json:"windowId,omitempty"`
	// TargetUser is the person a task was handed over or delegated to; Target the step a case
	// was returned to or the section a signer was added for.
	TargetUser string `json:"targetUser,omitempty"`
	Target     string `json:"target,omitempty"`
	Comment    string `json:"comment,omitempty"`
	// Public actions are shown to the applicant; internal comments are not.
	Public bool           `json:"public"`
	Detail map[string]any `json:"detail,omitempty"`
	At     time.Time      `json:"at"`
}

type actionRow struct {
	ID           string    `db:"id"`
	CaseID       string    `db:"case_id"`
	TaskID       *string   `db:"task_id"`
	ElementID    *string   `db:"element_id"`
	StepKind     *string   `db:"step_kind"`
	Action       string    `db:"action"`
	Outcome      *string   `db:"outcome"`
	ActorID      string    `db:"actor_id"`
	ActorName    string    `db:"actor_name"`
	Authority    *string   `db:"authority"`
	UnitCode     *string   `db:"unit_code"`
	GrantID      *string   `db:"grant_id"`
	DepartmentID *string   `db:"department_id"`
	WindowID     *string   `db:"window_id"`
	TargetUser   *string   `db:"target_user"`
	Target       *string   `db:"target"`
	Comment      string    `db:"comment"`
	Public       bool      `db:"public"`
	Detail       JSON      `db:"detail"`
	At           time.Time `db:"at"`
}

// RecordAction appends a to its case's action log, setting its ID (and At when zero).
func RecordAction(ctx context.Context, q Q, a *Action) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.At.IsZero() {
		a.At = Now()
	}
	a.At = Time(a.At)
	detail, err := json.Marshal(orEmpty(a.Detail))
	if err != nil {
		return fmt.Errorf("encode action detail: %w", err)
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO case_actions (id, case_id, task_id, element_id, step_kind, action, outcome,
		actor_id, actor_name, authority, unit_code, grant_id, department_id, window_id, target_user, target, comment, public, detail, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.ID, a.CaseID, nullable(a.TaskID), nullable(a.ElementID), nullable(a.StepKind), a.Action, nullable(a.Outcome),
		a.ActorID, a.ActorName, nullable(a.Authority), nullable(a.UnitCode), nullable(a.GrantID), nullable(a.DepartmentID),
		nullable(a.WindowID), nullable(a.TargetUser), nullable(a.Target), a.Comment, a.Public, string(detail), a.At)
	return classify(err, "record %s on case %s", a.Action, a.CaseID)
}

const actionColumns = `id, case_id, task_id, element_id, step_kind, action, outcome, actor_id, actor_name, authority, unit_code,
	grant_id, department_id, window_id, target_user, target, comment, public, detail, at`

func (r *actionRow) action() Action {
	a := Action{ID: r.ID, CaseID: r.CaseID, TaskID: deref(r.TaskID), ElementID: deref(r.ElementID), StepKind: deref(r.StepKind),
		Action: r.Action, Outcome: deref(r.Outcome), ActorID: r.ActorID, ActorName: r.ActorName, Authority: deref(r.Authority),
		UnitCode: deref(r.UnitCode), GrantID: deref(r.GrantID), DepartmentID: deref(r.DepartmentID), WindowID: deref(r.WindowID),
		TargetUser: deref(r.TargetUser), Target: deref(r.Target), Comment: r.Comment, Public: r.Public, At: r.At}
	if len(r.Detail) > 0 {
		_ = json.Unmarshal(r.Detail, &a.Detail)
		if len(a.Detail) == 0 {
			a.Detail = nil
		}
	}
	return a
}

// CaseActions lists the actions on a case in order; publicOnly leaves out internal ones.
func CaseActions(ctx context.Context, q Q, caseID string, publicOnly bool) ([]Action, error) {
	query := `SELECT ` + actionColumns + ` FROM case_actions WHERE case_id = ?`
	if publicOnly {
		query += ` AND public = ?`
	}
	args := []any{caseID}
	if publicOnly {
		args = append(args, true)
	}
	var rows []actionRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(query+` ORDER BY at, id`), args...); err != nil {
		return nil, fmt.Errorf("actions of case %s: %w", caseID, err)
	}
	out := make([]Action, len(rows))
	for i := range rows {
		out[i] = rows[i].action()
	}
	return out, nil
}

// TaskActions lists the actions on one task in order.
func TaskActions(ctx context.Context, q Q, taskID string) ([]Action, error) {
	var rows []actionRow
	if err := q.SelectContext(ctx, &rows, q.Rebind(`SELECT `+actionColumns+` FROM case_actions WHERE task_id = ? ORDER BY at, id`), taskID); err != nil {
		return nil, fmt.Errorf("actions on task %s: %w", taskID, err)
	}
	out := make([]Action, len(rows))
	for i := range rows {
		out[i] = rows[i].action()
	}
	return out, nil
}

// IdempotentResponse is the stored first answer to a request with an Idempotency-Key.
type IdempotentResponse struct {
	UserID      string
	Key         string
	RequestHash string
	Status      int
	Response    JSON
	CaseID      string
	CreatedAt   time.Time
}

// ErrIdempotencyMismatch is wrapped when an Idempotency-Key is reused for a different request.
var ErrIdempotencyMismatch = errors.New("the Idempotency-Key was used for a different request")

// GetIdempotent returns the stored answer to user's request with key, or ErrNotFound.
func GetIdempotent(ctx context.Context, q Q, userID, key string) (*IdempotentResponse, error) {
	var r struct {
		RequestHash string    `db:"request_hash"`
		Status      int       `db:"status"`
		Response    JSON      `db:"response"`
		CaseID      *string   `db:"case_id"`
		CreatedAt   time.Time `db:"created_at"`
	}
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT request_hash, status, response, case_id, created_at FROM idempotency_keys
		WHERE user_id = ? AND idem_key = ?`), userID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("idempotency key: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	return &IdempotentResponse{UserID: userID, Key: key, RequestHash: r.RequestHash, Status: r.Status, Response: r.Response,
		CaseID: deref(r.CaseID), CreatedAt: r.CreatedAt}, nil
}

// SaveIdempotent stores the first answer to a request with an Idempotency-Key; a key stored
// already is ErrConflict.
func SaveIdempotent(ctx context.Context, q Q, r *IdempotentResponse) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = Now()
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, response, case_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), r.UserID, r.Key, r.RequestHash, r.Status, string(r.Response), nullable(r.CaseID), Time(r.CreatedAt))
	return classify(err, "store the answer to Idempotency-Key %q", r.Key)
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
