package app

// Cases (办件): applying through the three channels, the case lists, a case as its applicant
// and its staff read it, withdrawal, and the public progress page.

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Codes of the case use cases.
const (
	CodeIdempotencyReused = "idempotency_key_reused" // 422: an Idempotency-Key used for another request
	CodeNotOwnName        = "not_own_name"           // 403: an online personal application in another person's name
)

// ApplicantInput is the applicant of a counter or station submission, or the organisation an
// online applicant applies for.
type ApplicantInput struct {
	// UserID links the case to an applicant's account, who then follows it online.
	UserID string `json:"userId,omitempty" validate:"omitempty,id"`
	Name   string `json:"name" validate:"required,max=200,plaintext" example:"李明"`
	// Kind is naturalPerson (with an idCard) or legalPerson (with a creditCode).
	Kind     string `json:"kind" validate:"required,oneof=naturalPerson legalPerson" example:"naturalPerson"`
	CertType string `json:"certType,omitempty" validate:"omitempty,oneof=idCard creditCode" example:"idCard"`
	CertNo   string `json:"certNo" validate:"required,max=32,plaintext" example:"450981199001011230"`
	Phone    string `json:"phone,omitempty" validate:"omitempty,cnmobile" example:"13800000001"`
}

// AuthorizationInput is the principal's authorisation (授权委托书) of a proxy (代办)
// application: the signed letter, uploaded first.
type AuthorizationInput struct {
	FileIDs []string `json:"fileIds" validate:"required,min=1,max=10,dive,id"`
	Note    string   `json:"note,omitempty" validate:"max=500"`
}

// CreateCaseRequest is an application: online by the applicant, at a window by a clerk, or
// at a station by a proxy agent.
type CreateCaseRequest struct {
	ItemID string `json:"itemId" validate:"required,id" example:"01jd5q3k8m0000000000000050"`
	// Channel is online (an applicant), window (a clerk) or station (an agent).
	Channel string `json:"channel" validate:"required,oneof=window online station" example:"online"`
	// Applicant is required at a window or station. Online a person applies in their own
	// verified name (leave it out); give it only to apply for an organisation (legalPerson).
	Applicant *ApplicantInput `json:"applicant,omitempty"`
	// Authorization is the applicant's authorisation of the agent, required at a station.
	Authorization *AuthorizationInput `json:"authorization,omitempty"`
	// WindowID is the clerk's window (needed when the clerk staffs several); StationID the
	// agent's station (needed when the agent serves several).
	WindowID  string `json:"windowId,omitempty" validate:"omitempty,id"`
	StationID string `json:"stationId,omitempty" validate:"omitempty,id"`
	// Form holds the application form's fields.
	Form      map[string]any        `json:"form,omitempty" swaggertype:"object"`
	Materials []store.MaterialInput `json:"materials" validate:"max=50,dive"`
}

// CaseSubmitted answers a new application.
type CaseSubmitted struct {
	CaseSummary
	// QueryCode opens the public progress page together with the number: keep it.
	QueryCode string `json:"queryCode" example:"K7Q4M2XP"`
	// MissingMaterials lists the required materials of the item not handed in: the
	// acceptance clerk will notify them once.
	MissingMaterials []store.Material `json:"missingMaterials"`
}

// Submission is what CreateCase did: the answer, and whether it is the stored answer to an
// earlier request with the same Idempotency-Key (nothing was created).
type Submission struct {
	Answer   json.RawMessage
	CaseID   string
	Status   int
	Replayed bool
}

// CreateCase creates a case of a published item with its applicant, form and materials,
// queues the start of its workflow, and answers its number and query code. With an
// idempotency key the same key from the same actor gets the first answer again and creates
// nothing; the key used for another request is refused.
func (a *App) CreateCase(ctx context.Context, p *Actor, key string, req CreateCaseRequest) (*Submission, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(req)
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	if key != "" {
		if s, err := a.replay(ctx, p, key, hash); s != nil || err != nil {
			return s, err
		}
	}
	in, err := a.newCase(ctx, p, &req)
	if err != nil {
		return nil, err
	}
	var sub Submission
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		iv, err := store.ItemForCase(ctx, tx, req.ItemID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Invalid("itemId", "item %s does not exist", req.ItemID)
		}
		if err != nil {
			return err
		}
		in.Item = iv
		vars, err := store.StartVariables(ctx, tx, iv, store.CaseStart{Channel: in.Channel, ApplicantID: in.Applicant.UserID,
			ApplicantName: in.Applicant.Name, StationID: in.StationID, AgentID: in.AgentID})
		if err != nil {
			return err
		}
		if len(req.Form) > 0 {
			vars["form"] = req.Form
		}
		in.Vars = vars
		k, err := store.CreateCase(ctx, tx, in)
		if err != nil {
			return err
		}
		start, err := store.CaseStartInput(ctx, tx, k)
		if err != nil {
			return err
		}
		if err := out.Start(start); err != nil {
			return err
		}
		out.Audit(p, "case.submit", k.ID, "case:"+k.ID, map[string]any{"number": k.Number, "application": req})
		if err := out.caseEvent(EventCaseCreated, k, k.ReceivedAt, map[string]any{"channel": k.Channel}); err != nil {
			return err
		}
		answer := CaseSubmitted{CaseSummary: summaryOf(k, StageSubmitted), QueryCode: k.QueryCode, MissingMaterials: missingMaterials(iv, req.Materials)}
		body, _ := json.Marshal(answer)
		sub = Submission{Answer: body, CaseID: k.ID, Status: 201}
		if key == "" {
			return nil
		}
		err = store.SaveIdempotent(ctx, tx, &store.IdempotentResponse{UserID: p.UserID, Key: key, RequestHash: hash,
			Status: sub.Status, Response: body, CaseID: k.ID, CreatedAt: a.now()})
		if errors.Is(err, store.ErrConflict) {
			return errKeyRace
		}
		return err
	})
	if errors.Is(err, errKeyRace) {
		// The same key raced in from another request, which won: answer as it did.
		if s, rerr := a.replay(ctx, p, key, hash); s != nil || rerr != nil {
			return s, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// errKeyRace: another request with the same Idempotency-Key stored its answer first.
var errKeyRace = errors.New("another request with the same Idempotency-Key came first")

// replay returns the stored answer to (p, key), or nil when there is none.
func (a *App) replay(ctx context.Context, p *Actor, key, hash string) (*Submission, error) {
	rec, err := store.GetIdempotent(ctx, a.db, p.UserID, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if rec.RequestHash != hash {
		return nil, refuse(Unprocessable, CodeIdempotencyReused, "the Idempotency-Key %q was used on %s for a different application: use a new key for a new request",
			key, rec.CreatedAt.In(store.CaseZone).Format("2006-01-02 15:04")).onField("Idempotency-Key")
	}
	return &Submission{Answer: json.RawMessage(rec.Response), CaseID: rec.CaseID, Status: rec.Status, Replayed: true}, nil
}

// newCase checks who applies through which channel for whom.
func (a *App) newCase(ctx context.Context, p *Actor, req *CreateCaseRequest) (*store.NewCase, error) {
	in := &store.NewCase{Channel: req.Channel, SubmittedBy: p.UserID, ReceivedAt: a.now(), ActorName: p.DisplayName}
	if len(req.Form) > 0 {
		in.Form, _ = json.Marshal(req.Form)
	}
	in.Materials = slices.Clone(req.Materials)
	role := map[string]string{store.ChannelOnline: store.RoleApplicant, store.ChannelWindow: store.RoleClerk, store.ChannelStation: store.RoleAgent}[req.Channel]
	if !p.HasRole(role) {
		return nil, refuse(Forbidden, CodeForbidden, "the channel %s is for %ss; %s is %s: %s", req.Channel, role, p.Username, describeRoles(p.Roles), channelHint(p)).onField("channel")
	}
	if req.Authorization != nil && req.Channel != store.ChannelStation {
		return nil, store.Invalid("authorization", "an authorisation goes with a proxy application at a station")
	}
	switch req.Channel {
	case store.ChannelOnline:
		u, err := store.GetUser(ctx, a.db, p.UserID)
		if err != nil {
			return nil, err
		}
		own := store.Applicant{Name: u.RealName, Kind: store.ObjectNaturalPerson, CertType: store.CertIDCard, CertNo: u.IDCard, Phone: u.Phone}
		switch {
		case req.Applicant == nil:
			if u.IDCard == "" || u.RealName == "" {
				return nil, refuse(Forbidden, CodeNotOwnName, "account %s has no verified real name and ID card: an online application is in the applicant's own verified name", p.Username)
			}
			in.Applicant = own
		case req.Applicant.Kind == store.ObjectNaturalPerson:
			if req.Applicant.Name != u.RealName || !strings.EqualFold(req.Applicant.CertNo, u.IDCard) {
				return nil, refuse(Forbidden, CodeNotOwnName, "an online application by a person is in the account's own verified name (%s); to apply for someone else, go to a station's proxy agent (代办) with their authorisation, or to a window",
					u.RealName).onField("applicant")
			}
			in.Applicant = own
		default:
			in.Applicant = applicantOf(req.Applicant) // an organisation the account applies for
		}
		in.Applicant.UserID = p.UserID
		if req.WindowID != "" || req.StationID != "" {
			return nil, store.Invalid("windowId", "an online application names no window or station")
		}
	case store.ChannelWindow, store.ChannelStation:
		if req.Applicant == nil {
			return nil, store.Invalid("applicant", "is required: give the applicant's name, kind and certificate")
		}
		in.Applicant = applicantOf(req.Applicant)
		if in.Applicant.UserID != "" {
			u, err := store.GetUser(ctx, a.db, in.Applicant.UserID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Kind != store.UserApplicant) {
				return nil, store.Invalid("applicant.userId", "%s is not an applicant's account", in.Applicant.UserID)
			}
			if err != nil {
				return nil, err
			}
		}
		field, unit, kind := "windowId", req.WindowID, store.KindWindow
		if req.Channel == store.ChannelStation {
			field, unit, kind = "stationId", req.StationID, store.KindStation
			if req.WindowID != "" {
				return nil, store.Invalid("windowId", "a station submission names a station, not a window")
			}
			if req.Authorization == nil {
				return nil, store.Invalid("authorization", "a proxy application (代办) carries the applicant's authorisation (授权委托书): upload it and give its fileIds")
			}
			in.Materials = append(in.Materials, store.MaterialInput{Code: store.OtherMaterial, Name: AuthorizationMaterial,
				FileIDs: req.Authorization.FileIDs, Note: strings.TrimSpace(req.Authorization.Note)})
		} else if req.StationID != "" {
			return nil, store.Invalid("stationId", "a window submission names a window, not a station")
		}
		var mine []store.Membership
		for _, m := range p.Memberships {
			if m.Role == role && m.OrgUnitKind == kind {
				mine = append(mine, m)
			}
		}
		switch {
		case unit == "" && len(mine) == 1:
			unit = mine[0].OrgUnitID
		case unit == "":
			return nil, store.Invalid(field, "give the %s you work at (you are %s at %d)", kind, role, len(mine))
		case !slices.ContainsFunc(mine, func(m store.Membership) bool { return m.OrgUnitID == unit }):
			return nil, refuse(Forbidden, CodeForbidden, "%s is not a %s of the %s %s", p.Username, role, kind, unit).onField(field)
		}
		if req.Channel == store.ChannelStation {
			in.StationID, in.AgentID = unit, p.UserID
		} else {
			in.WindowID = unit
		}
	}
	if err := in.Applicant.Check("applicant."); err != nil {
		return nil, err
	}
	return in, nil
}

// AuthorizationMaterial names the material a proxy application's authorisation is kept as.
const AuthorizationMaterial = "代办授权委托书"

func describeRoles(roles []string) string {
	if len(roles) == 0 {
		return "no role"
	}
	return strings.Join(roles, ", ")
}

func channelHint(p *Actor) string {
	switch {
	case p.HasRole(store.RoleApplicant):
		return "an applicant applies online (channel online)"
	case p.HasRole(store.RoleClerk):
		return "a clerk submits at the window (channel window)"
	case p.HasRole(store.RoleAgent):
		return "an agent submits at the station (channel station)"
	}
	return "only applicants, clerks and agents submit"
}

func applicantOf(x *ApplicantInput) store.Applicant {
	return store.Applicant{UserID: x.UserID, Name: x.Name, Kind: x.Kind, CertType: x.CertType, CertNo: x.CertNo, Phone: x.Phone}
}

// missingMaterials lists the required materials of iv not in given.
func missingMaterials(iv *store.ItemVersion, given []store.MaterialInput) []store.Material {
	out := []store.Material{}
	for _, m := range iv.Materials {
		if m.Requirement != store.RequirementRequired {
			continue
		}
		if !slices.ContainsFunc(given, func(g store.MaterialInput) bool { return g.Code == m.Code }) {
			out = append(out, m)
		}
	}
	return out
}

// ResumeStarting queues the start of the cases stored before before whose start was never
// queued (by a version that started cases without the outbox) and starts them; it returns
// how many.
func (a *App) ResumeStarting(ctx context.Context, before time.Time) (int, error) {
	if a.eng == nil {
		return 0, nil
	}
	ids, err := store.StartingCases(ctx, a.db, before)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		k, err := store.GetCase(ctx, a.db, id)
		if err != nil {
			return i, err
		}
		in, err := store.CaseStartInput(ctx, a.db, k)
		if err != nil {
			return i, err
		}
		if err := a.startQueued(ctx, in); err != nil {
			return i, fmt.Errorf("resume case %s: %w", id, err)
		}
	}
	return len(ids), nil
}

// CaseQuery filters a case list.
type CaseQuery struct {
	ItemID  string
	Channel string
	// State is open or ended.
	State string
	// Decision is approve, reject or refuse.
	Decision       string
	ReceivedFrom   time.Time
	ReceivedBefore time.Time
	// Search is a part of the case number or of the applicant's name.
	Search string
	Page   Page
}

// Cases lists the cases the actor may see, newest first, a page at a time (keyset: the
// cursor holds the receipt time and id of the page's last case); with Page.Count, how many
// match (up to MaxCount).
func (a *App) Cases(ctx context.Context, p *Actor, q CaseQuery) (*List[CaseSummary], error) {
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return nil, err
	}
	at, id, err := keysetTimeID(q.Page)
	if err != nil {
		return nil, err
	}
	f := store.CaseFilter{Scope: scope, ItemID: q.ItemID, Channel: q.Channel, State: q.State, Decision: q.Decision,
		ReceivedFrom: q.ReceivedFrom, ReceivedBefore: q.ReceivedBefore, Search: q.Search, Limit: q.Page.limit() + 1,
		After: store.CaseKey{ReceivedAt: at, ID: id}}
	cases, err := store.ListCases(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	items := make([]CaseSummary, len(cases))
	for i := range cases {
		items[i] = summaryOf(&cases[i].Case, caseStage(&cases[i].Case, cases[i].AtAcceptance, cases[i].AwaitingSupplement))
	}
	l := keysetPage(items, q.Page, func(k CaseSummary) []string { return timeIDKey(k.ReceivedAt, internalID(k.ID)) })
	return l.withTotal(q.Page, func(most int) (int, error) { return store.CountCases(ctx, a.db, f, most) })
}

// Case reads a case the actor may see: its stage in plain words, current steps, deadlines,
// materials, commitments and timeline. The applicant's side also reads the query code; staff
// read who holds each step and the internal opinions.
func (a *App) Case(ctx context.Context, p *Actor, id string) (*CaseDetail, error) {
	k, err := a.caseFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	who := forApplicant
	if p.IsStaff() {
		who = forStaff
	}
	return a.caseDetail(ctx, k, applicantSide(p, k), who)
}

// WithdrawRequest says why the applicant withdraws.
type WithdrawRequest struct {
	Reason string `json:"reason" validate:"max=500" example:"已通过其他途径办理"`
}

// WithdrawCase withdraws an application that has not been decided: the applicant, or who
// submitted it for them. Its open steps end, an open notice and open commitments close; the
// case keeps its number and timeline.
func (a *App) WithdrawCase(ctx context.Context, p *Actor, id string, in WithdrawRequest) (*CaseSummary, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	k, err := a.caseFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !applicantSide(p, k) {
		return nil, refuse(Forbidden, CodeForbidden, "only the applicant of case %s (or who submitted it for them) may withdraw it", k.Number)
	}
	now := a.now()
	reason := strings.TrimSpace(in.Reason)
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := store.WithdrawCase(ctx, tx, k.ID, reason, now); err != nil {
			return err
		}
		if err := store.TakeCaseTasks(ctx, tx, k.ID); err != nil {
			return err
		}
		if _, err := store.WithdrawNotice(ctx, tx, k.ID); err != nil {
			return err
		}
		if _, err := store.CloseCommitments(ctx, tx, k.ID, store.CommitmentWithdrawn, nil, "", now); err != nil {
			return err
		}
		x := &store.Action{CaseID: k.ID, Action: store.ActionWithdraw, ActorID: p.UserID, ActorName: p.DisplayName, Comment: reason,
			Public: true, At: now}
		if err := out.Act(p, x); err != nil {
			return err
		}
		return out.Signal(engine.CancelCase(k.ID))
	})
	if err != nil {
		return nil, err
	}
	if k, err = store.GetCase(ctx, a.db, k.ID); err != nil {
		return nil, err
	}
	s := summaryOf(k, StageWithdrawn)
	return &s, nil
}

// PublicProgress is what the public progress page shows of a case: no names of people.
type PublicProgress struct {
	Number     string     `json:"number" example:"20251126-450981-FGJ-XK-001-0001"`
	ItemName   string     `json:"itemName" example:"企业投资项目核准"`
	Stage      string     `json:"stage" example:"inProgress"`
	StageText  Words      `json:"stageText"`
	ReceivedAt time.Time  `json:"receivedAt"`
	AcceptedAt *time.Time `json:"acceptedAt,omitempty"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	EndedAt    *time.Time `json:"endedAt,omitempty"`
	// DecisionText is the decision (准予, 不予准予, 不予受理) once made.
	DecisionText *Words          `json:"decisionText,omitempty"`
	Steps        []CurrentStep   `json:"steps"`
	Timeline     []TimelineEntry `json:"timeline"`
}

// Progress reads a case by its number and query code, for anyone: an unknown number and a
// wrong code are refused alike, so that neither can be guessed one at a time.
func (a *App) Progress(ctx context.Context, number, code string) (*PublicProgress, error) {
	number, code = strings.TrimSpace(number), strings.ToUpper(strings.TrimSpace(code))
	switch {
	case number == "" || len(number) > 100:
		return nil, store.Invalid("number", "give the case number from the receipt")
	case code == "" || len(code) > 32:
		return nil, store.Invalid("code", "give the query code from the receipt")
	}
	k, err := store.GetCaseByNumber(ctx, a.db, number)
	if errors.Is(err, store.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(k.QueryCode), []byte(code)) != 1) {
		return nil, refuse(NotFound, "not_found", "no case has this number and query code: check both on the receipt")
	}
	if err != nil {
		return nil, err
	}
	d, err := a.caseDetail(ctx, k, false, forPublic)
	if err != nil {
		return nil, err
	}
	return &PublicProgress{Number: k.Number, ItemName: k.ItemName, Stage: d.Stage, StageText: d.StageText,
		ReceivedAt: k.ReceivedAt, AcceptedAt: k.AcceptedAt, DueAt: k.DueAt, EndedAt: k.EndedAt, DecisionText: d.DecisionText,
		Steps: d.Steps, Timeline: d.Timeline}, nil
}
