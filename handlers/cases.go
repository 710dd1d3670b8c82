package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"
)

// codeIdempotencyReused (422): an Idempotency-Key used for another request.
const codeIdempotencyReused = "idempotency_key_reused"

func (h *api) caseRoutes(public, authed *gin.RouterGroup) {
	authed.POST("/cases", requireRole(store.RoleApplicant, store.RoleClerk, store.RoleAgent), h.needEngine, h.createCase)
	authed.GET("/cases", h.listCases)
	authed.GET("/cases/:id", h.getCase)
	authed.POST("/cases/:id/withdraw", h.needEngine, h.withdrawCase)
	h.noticeRoutes(public, authed)
	public.GET("/public/progress", h.publicProgress)
}

// ApplicantInput is the applicant of a counter or station submission.
type ApplicantInput struct {
	// UserID links the case to an applicant's account, who then follows it online.
	UserID string `json:"userId,omitempty" validate:"omitempty,id"`
	Name   string `json:"name" validate:"required,max=200" example:"李明"`
	// Kind is naturalPerson (with an idCard) or legalPerson (with a creditCode).
	Kind     string `json:"kind" validate:"required,oneof=naturalPerson legalPerson" example:"naturalPerson"`
	CertType string `json:"certType,omitempty" validate:"omitempty,oneof=idCard creditCode" example:"idCard"`
	CertNo   string `json:"certNo" validate:"required,max=32" example:"450981199001011230"`
	Phone    string `json:"phone,omitempty" validate:"omitempty,cnmobile" example:"13800000001"`
}

// CreateCaseRequest is an application: online by the applicant, at a window by a clerk, or
// at a station by a proxy agent.
type CreateCaseRequest struct {
	ItemID string `json:"itemId" validate:"required,id" example:"01jd5q3k8m0000000000000050"`
	// Channel is online (an applicant), window (a clerk) or station (an agent).
	Channel string `json:"channel" validate:"required,oneof=window online station" example:"online"`
	// Applicant is required at a window or station; online it defaults to the caller's
	// account (give it to apply for an organisation).
	Applicant *ApplicantInput `json:"applicant,omitempty"`
	// WindowID is the clerk's window (needed when the clerk staffs several); StationID the
	// agent's station (needed when the agent serves several).
	WindowID  string `json:"windowId,omitempty" validate:"omitempty,id"`
	StationID string `json:"stationId,omitempty" validate:"omitempty,id"`
	// Form holds the application form's fields.
	Form      map[string]any        `json:"form,omitempty" swaggertype:"object"`
	Materials []store.MaterialInput `json:"materials" validate:"max=50,dive"`
}

// Deadlines are a case's time limits and where its clock stands.
type Deadlines struct {
	PromisedDays  *float64 `json:"promisedDays,omitempty" example:"10"`
	StatutoryDays *float64 `json:"statutoryDays,omitempty" example:"20"`
	// ClockState is none (not yet accepted), running, paused (waiting for a supplement or
	// in a special procedure) or stopped (decided).
	ClockState     string     `json:"clockState" example:"running"`
	ClockStartedAt *time.Time `json:"clockStartedAt,omitempty"`
	WarnAt         *time.Time `json:"warnAt,omitempty"`
	DueAt          *time.Time `json:"dueAt,omitempty"`
	StatutoryDueAt *time.Time `json:"statutoryDueAt,omitempty"`
}

// CaseSummary is a case in a list.
type CaseSummary struct {
	ID            string `json:"id"`
	Number        string `json:"number" example:"20251126-450981-FGJ-XK-001-0001"`
	ItemID        string `json:"itemId"`
	ItemCode      string `json:"itemCode" example:"450981-FGJ-XK-001"`
	ItemName      string `json:"itemName" example:"企业投资项目核准"`
	Channel       string `json:"channel" example:"online"`
	ApplicantName string `json:"applicantName" example:"李明"`
	// Stage says where the case stands: submitted, preReview, awaitingAcceptance,
	// awaitingSupplement, inProgress, delivering, finished, refused, withdrawn, cancelled.
	Stage      string     `json:"stage" example:"preReview"`
	StageText  Words      `json:"stageText"`
	Decision   string     `json:"decision,omitempty" example:"approve"`
	ReceivedAt time.Time  `json:"receivedAt"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	EndedAt    *time.Time `json:"endedAt,omitempty"`
}

// CurrentStep is a step the case is at now.
type CurrentStep struct {
	// TaskID is shown to staff only.
	TaskID   string `json:"taskId,omitempty"`
	Name     string `json:"name" example:"受理"`
	StepKind string `json:"stepKind,omitempty" example:"acceptance"`
	// Units are the names of the units the step is with.
	Units []string   `json:"units" example:"北流市发展和改革局行政审批股"`
	Since time.Time  `json:"since"`
	DueAt *time.Time `json:"dueAt,omitempty"`
	// Assignee is shown to staff only.
	Assignee string `json:"assignee,omitempty"`
}

// CaseDetail is a case with everything its applicant and its staff may read.
type CaseDetail struct {
	CaseSummary
	// QueryCode opens the public progress page; shown to the applicant's side.
	QueryCode   string          `json:"queryCode,omitempty" example:"K7Q4M2XP"`
	ItemVersion int             `json:"itemVersion" example:"1"`
	Applicant   store.Applicant `json:"applicant"`
	Form        store.JSON      `json:"form" swaggertype:"object"`
	Deadlines   Deadlines       `json:"deadlines"`
	// Steps are the steps the case is at now.
	Steps []CurrentStep `json:"steps"`
	// RefusalReason says why the application was not accepted (不予受理); DecisionReason why
	// it was not granted.
	RefusalReason  string               `json:"refusalReason,omitempty" example:"申请事项不属于本机关职权范围"`
	DecisionReason string               `json:"decisionReason,omitempty"`
	DecisionText   *Words               `json:"decisionText,omitempty"`
	WithdrawReason string               `json:"withdrawReason,omitempty"`
	Materials      []store.CaseMaterial `json:"materials"`
	// Timeline is every action and step of the case in plain words, oldest first.
	Timeline []TimelineEntry `json:"timeline"`
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

// CaseList is a page of cases, newest first.
type CaseList struct {
	Items  []CaseSummary `json:"items"`
	Total  int           `json:"total" example:"1"`
	Limit  int           `json:"limit" example:"50"`
	Offset int           `json:"offset" example:"0"`
}

// caseScope is what principal p may see of the cases.
func (h *api) caseScope(ctx context.Context, p *Principal) (*store.CaseScope, error) {
	if p.HasRole(store.RoleAdmin, store.RoleSupervisor) {
		return &store.CaseScope{All: true}, nil
	}
	s := &store.CaseScope{UserID: p.UserID, Username: p.Username}
	for _, m := range p.Memberships {
		if !slices.Contains(s.UnitIDs, m.OrgUnitID) {
			s.UnitIDs = append(s.UnitIDs, m.OrgUnitID)
			s.UnitCodes = append(s.UnitCodes, m.OrgUnitCode)
		}
	}
	grants, err := h.scopeGrants(ctx, p)
	if err != nil {
		return nil, err
	}
	s.Grants = grants
	return s, nil
}

// applicantSide reports whether p applied for case c, submitted it, or follows it from the
// window or station where it was submitted: who may withdraw it, supplement it and read its
// query code.
func applicantSide(p *Principal, c *store.Case) bool {
	if p.UserID == c.Applicant.UserID || p.UserID == c.SubmittedBy || (c.AgentID != "" && p.UserID == c.AgentID) {
		return true
	}
	for _, m := range p.Memberships {
		if (c.WindowID != "" && m.OrgUnitID == c.WindowID && m.Role == store.RoleClerk) ||
			(c.StationID != "" && m.OrgUnitID == c.StationID && m.Role == store.RoleAgent) {
			return true
		}
	}
	return false
}

// loadCase returns the case of path parameter id if p may see it, or answers 404 (a case of
// someone else looks like no case at all).
func (h *api) loadCase(c *gin.Context) (*store.Case, bool) {
	id, ok := pathID(c, "id")
	if !ok {
		return nil, false
	}
	ctx := c.Request.Context()
	k, err := store.GetCase(ctx, h.DB, id)
	if err == nil {
		var scope *store.CaseScope
		var ok bool
		if scope, err = h.caseScope(ctx, principalOf(c)); err == nil {
			if ok, err = store.CanSeeCase(ctx, h.DB, scope, id); err == nil && !ok {
				err = fmt.Errorf("case %s: %w", id, store.ErrNotFound)
			}
		}
	}
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return k, true
}

// createCase godoc
//
//	@Summary		Apply for an item (applicant online, clerk at a window, agent at a station)
//	@Description	Creates a case of a published item with its applicant, form and materials (uploaded first
//	@Description	with POST /api/v1/files), starts its workflow, and returns its number
//	@Description	(date-item-sequence, e.g. 20251126-450981-FGJ-XK-001-0001) and the query code of the public
//	@Description	progress page. An applicant applies online (channel online; the case starts in pre-review,
//	@Description	网上预审: the acceptance clerk checks it before the applicant comes); a clerk at a window
//	@Description	(channel window) and a proxy agent at a station (channel station) give the applicant. With an
//	@Description	Idempotency-Key header the same key from the same caller returns the first answer again
//	@Description	(header Idempotent-Replayed: true) and creates nothing; the key used for a different request is 422.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			Idempotency-Key	header		string				false	"1-128 visible ASCII characters, unique per request"
//	@Param			body			body		CreateCaseRequest	true	"the application"
//	@Success		201				{object}	CaseSubmitted
//	@Failure		400				{object}	ErrorResponse	"validation_failed (naming the field: itemId, channel, applicant.certNo, materials[0].code ...)"
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse	"not an applicant, clerk or agent; a window or station that is not the caller's"
//	@Failure		413				{object}	ErrorResponse
//	@Failure		422				{object}	ErrorResponse	"idempotency_key_reused"
//	@Failure		503				{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/cases [post]
func (h *api) createCase(c *gin.Context) {
	p := principalOf(c)
	key := c.GetHeader("Idempotency-Key")
	if key != "" && !validIdempotencyKey(key) {
		writeError(c, http.StatusBadRequest, codeValidation, "the Idempotency-Key header must be 1 to 128 visible ASCII characters",
			FieldError{Field: "Idempotency-Key", Message: "must be 1 to 128 visible ASCII characters"})
		return
	}
	var req CreateCaseRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	raw, _ := json.Marshal(req)
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	if key != "" && h.replay(c, p, key, hash) {
		return
	}
	in, ok := h.newCaseInput(c, p, &req)
	if !ok {
		return
	}
	var (
		k      *store.Case
		answer CaseSubmitted
	)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
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
		if k, err = store.CreateCase(ctx, tx, in); err != nil {
			return err
		}
		answer = CaseSubmitted{CaseSummary: summaryOf(k, StageSubmitted), QueryCode: k.QueryCode, MissingMaterials: missingMaterials(iv, req.Materials)}
		if key == "" {
			return nil
		}
		body, _ := json.Marshal(answer)
		err = store.SaveIdempotent(ctx, tx, &store.IdempotentResponse{UserID: p.UserID, Key: key, RequestHash: hash,
			Status: http.StatusCreated, Response: body, CaseID: k.ID, CreatedAt: h.Now()})
		if errors.Is(err, store.ErrConflict) {
			return errKeyRace
		}
		return err
	})
	if errors.Is(err, errKeyRace) {
		// The same key raced in from another request, which won: answer as it did.
		if h.replay(c, p, key, hash) {
			return
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.startCase(ctx, k); err != nil {
		// The case is stored; the workflow starts when the request is repeated with its key.
		h.log(c).Error("starting the workflow of a new case failed", "case", k.ID, "number", k.Number, "err", err)
	}
	c.Header("Location", "/api/v1/cases/"+k.ID)
	c.JSON(http.StatusCreated, answer)
}

// errKeyRace: another request with the same Idempotency-Key stored its answer first.
var errKeyRace = errors.New("another request with the same Idempotency-Key came first")

func validIdempotencyKey(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// replay answers with the stored answer to (p, key) and reports whether there was one. A
// case whose workflow did not start then is started now.
func (h *api) replay(c *gin.Context, p *Principal, key, hash string) bool {
	ctx := c.Request.Context()
	rec, err := store.GetIdempotent(ctx, h.DB, p.UserID, key)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		h.fail(c, err)
		return true
	}
	if rec.RequestHash != hash {
		writeError(c, http.StatusUnprocessableEntity, codeIdempotencyReused,
			fmt.Sprintf("the Idempotency-Key %q was used on %s for a different application: use a new key for a new request",
				key, rec.CreatedAt.In(store.CaseZone).Format("2006-01-02 15:04")),
			FieldError{Field: "Idempotency-Key", Message: "was used for a different request"})
		return true
	}
	if rec.CaseID != "" {
		if k, err := store.GetCase(ctx, h.DB, rec.CaseID); err == nil && k.Status == "starting" {
			if err := h.startCase(ctx, k); err != nil {
				h.log(c).Error("starting the workflow of a case failed again", "case", k.ID, "err", err)
			}
		}
		c.Header("Location", "/api/v1/cases/"+rec.CaseID)
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(rec.Status, "application/json; charset=utf-8", rec.Response)
	return true
}

// newCaseInput checks who applies through which channel for whom, or answers 400/403.
func (h *api) newCaseInput(c *gin.Context, p *Principal, req *CreateCaseRequest) (*store.NewCase, bool) {
	ctx := c.Request.Context()
	in := &store.NewCase{Channel: req.Channel, SubmittedBy: p.UserID, ReceivedAt: h.Now(), ActorName: p.DisplayName}
	if len(req.Form) > 0 {
		in.Form, _ = json.Marshal(req.Form)
	}
	in.Materials = req.Materials
	role := map[string]string{store.ChannelOnline: store.RoleApplicant, store.ChannelWindow: store.RoleClerk, store.ChannelStation: store.RoleAgent}[req.Channel]
	if !p.HasRole(role) {
		writeError(c, http.StatusForbidden, codeForbidden, fmt.Sprintf("the channel %s is for %ss; %s is %s: %s",
			req.Channel, role, p.Username, describeRoles(p.Roles), channelHint(p)), FieldError{Field: "channel", Message: "is not yours"})
		return nil, false
	}
	fail := func(err error) (*store.NewCase, bool) {
		h.fail(c, err)
		return nil, false
	}
	switch req.Channel {
	case store.ChannelOnline:
		u, err := store.GetUser(ctx, h.DB, p.UserID)
		if err != nil {
			return fail(err)
		}
		if req.Applicant != nil {
			in.Applicant = applicantOf(req.Applicant)
		} else {
			in.Applicant = store.Applicant{Name: u.RealName, Kind: store.ObjectNaturalPerson, CertType: store.CertIDCard, CertNo: u.IDCard, Phone: u.Phone}
		}
		in.Applicant.UserID = p.UserID
		if req.WindowID != "" || req.StationID != "" {
			return fail(store.Invalid("windowId", "an online application names no window or station"))
		}
	case store.ChannelWindow, store.ChannelStation:
		if req.Applicant == nil {
			return fail(store.Invalid("applicant", "is required: give the applicant's name, kind and certificate"))
		}
		in.Applicant = applicantOf(req.Applicant)
		if in.Applicant.UserID != "" {
			u, err := store.GetUser(ctx, h.DB, in.Applicant.UserID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Kind != store.UserApplicant) {
				return fail(store.Invalid("applicant.userId", "%s is not an applicant's account", in.Applicant.UserID))
			}
			if err != nil {
				return fail(err)
			}
		}
		field, unit, kind := "windowId", req.WindowID, store.KindWindow
		if req.Channel == store.ChannelStation {
			field, unit, kind = "stationId", req.StationID, store.KindStation
			if req.WindowID != "" {
				return fail(store.Invalid("windowId", "a station submission names a station, not a window"))
			}
		} else if req.StationID != "" {
			return fail(store.Invalid("stationId", "a window submission names a window, not a station"))
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
			return fail(store.Invalid(field, "give the %s you work at (you are %s at %d)", kind, role, len(mine)))
		case !slices.ContainsFunc(mine, func(m store.Membership) bool { return m.OrgUnitID == unit }):
			writeError(c, http.StatusForbidden, codeForbidden, fmt.Sprintf("%s is not a %s of the %s %s", p.Username, role, kind, unit),
				FieldError{Field: field, Message: "is not yours"})
			return nil, false
		}
		if req.Channel == store.ChannelStation {
			in.StationID, in.AgentID = unit, p.UserID
		} else {
			in.WindowID = unit
		}
	}
	if err := in.Applicant.Check("applicant."); err != nil {
		return fail(err)
	}
	return in, true
}

func channelHint(p *Principal) string {
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

func applicantOf(a *ApplicantInput) store.Applicant {
	return store.Applicant{UserID: a.UserID, Name: a.Name, Kind: a.Kind, CertType: a.CertType, CertNo: a.CertNo, Phone: a.Phone}
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

// startCase starts the workflow of case k from what its row holds; a workflow started before
// is fine.
func (h *api) startCase(ctx context.Context, k *store.Case) error {
	return StartCase(ctx, h.DB, h.Engine, k)
}

// StartCase starts the workflow of case k (a row CreateCase wrote) with the input its row and
// item version give; a workflow started before is fine.
func StartCase(ctx context.Context, db *store.DB, e *engine.Engine, k *store.Case) error {
	in, err := store.CaseStartInput(ctx, db, k)
	if err != nil {
		return err
	}
	if err := e.StartCase(ctx, in); err != nil && !errors.Is(err, engine.ErrCaseExists) {
		return err
	}
	return nil
}

// ResumeStarting starts the workflows of the cases that were stored but whose start was
// interrupted (the process stopped between the two) before before; it returns how many.
func ResumeStarting(ctx context.Context, db *store.DB, e *engine.Engine, before time.Time) (int, error) {
	ids, err := store.StartingCases(ctx, db, before)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		k, err := store.GetCase(ctx, db, id)
		if err == nil {
			err = StartCase(ctx, db, e, k)
		}
		if err != nil {
			return i, fmt.Errorf("resume case %s: %w", id, err)
		}
	}
	return len(ids), nil
}

func summaryOf(k *store.Case, stage string) CaseSummary {
	return CaseSummary{ID: k.ID, Number: k.Number, ItemID: k.ItemID, ItemCode: k.ItemCode, ItemName: k.ItemName, Channel: k.Channel,
		ApplicantName: k.Applicant.Name, Stage: stage, StageText: stageWords[stage], Decision: k.Decision, ReceivedAt: k.ReceivedAt,
		DueAt: k.DueAt, EndedAt: k.EndedAt}
}

// stageOf reads what caseStage needs and returns the stage and the open tasks.
func (h *api) stageOf(ctx context.Context, k *store.Case) (string, []store.Task, error) {
	open, err := store.ListCaseTasks(ctx, h.DB, k.ID, "open")
	if err != nil {
		return "", nil, err
	}
	waiting := false
	if _, err := store.SubscriptionFor(ctx, h.DB, k.ID, standard.SupplementMessage); err == nil {
		waiting = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	return caseStage(k, open, waiting), open, nil
}

// listCases godoc
//
//	@Summary		List cases: an applicant's own; the cases a staff member's units, windows and delegations deal with
//	@Description	Applicants see the cases they applied for; clerks and agents also those submitted at their window
//	@Description	or station; reviewers those with a step for one of their units or covered by a delegation grant
//	@Description	to them; admins and supervisors every case. Newest first.
//	@Tags			cases
//	@Produce		json
//	@Security		BearerAuth
//	@Param			itemId			query		string	false	"only cases of this item"
//	@Param			channel			query		string	false	"only cases that came in through this channel"	Enums(window, online, station)
//	@Param			state			query		string	false	"open (running) or ended"						Enums(open, ended)
//	@Param			decision		query		string	false	"only cases with this decision"					Enums(approve, reject, refuse)
//	@Param			receivedFrom	query		string	false	"received at or after (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			receivedBefore	query		string	false	"received before (RFC 3339 or YYYY-MM-DD, Beijing time)"
//	@Param			q				query		string	false	"part of the case number or of the applicant's name"
//	@Param			limit			query		int		false	"page size (1-200, default 50)"
//	@Param			offset			query		int		false	"rows to skip"
//	@Success		200				{object}	CaseList
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Router			/api/v1/cases [get]
func (h *api) listCases(c *gin.Context) {
	ctx := c.Request.Context()
	f := store.CaseFilter{ItemID: c.Query("itemId"), Search: c.Query("q")}
	var ok bool
	if f.Channel, ok = queryOneOf(c, "channel", store.Channels); !ok {
		return
	}
	if f.State, ok = queryOneOf(c, "state", []string{store.CasesOpen, store.CasesEnded}); !ok {
		return
	}
	if f.Decision, ok = queryOneOf(c, "decision", []string{store.DecisionApprove, store.DecisionReject, store.DecisionRefuse}); !ok {
		return
	}
	if f.ReceivedFrom, ok = queryDateTime(c, "receivedFrom"); !ok {
		return
	}
	if f.ReceivedBefore, ok = queryDateTime(c, "receivedBefore"); !ok {
		return
	}
	if f.Limit, ok = queryInt(c, "limit", 50, 1, 200); !ok {
		return
	}
	if f.Offset, ok = queryInt(c, "offset", 0, 0, 1<<30); !ok {
		return
	}
	scope, err := h.caseScope(ctx, principalOf(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	f.Scope = scope
	cases, total, err := store.ListCases(ctx, h.DB, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := CaseList{Items: make([]CaseSummary, 0, len(cases)), Total: total, Limit: f.Limit, Offset: f.Offset}
	for i := range cases {
		stage, _, err := h.stageOf(ctx, &cases[i])
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Items = append(out.Items, summaryOf(&cases[i], stage))
	}
	c.JSON(http.StatusOK, out)
}

// queryDateTime reads an RFC 3339 time or a YYYY-MM-DD date (Beijing time) from query parameter
// name, or answers 400.
func queryDateTime(c *gin.Context, name string) (time.Time, bool) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", s, store.CaseZone); err == nil {
		return t, true
	}
	msg := "must be an RFC 3339 time (2025-11-26T09:00:00+08:00) or a date (2025-11-26)"
	writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("query parameter %s %s, got %q", name, msg, s), FieldError{Field: name, Message: msg})
	return time.Time{}, false
}

// getCase godoc
//
//	@Summary		A case: status in plain words, current steps, deadlines, materials and the full timeline
//	@Description	The applicant's side (applicant, submitting clerk or agent) also sees the query code. Staff
//	@Description	see who holds each step and internal comments. A case the caller may not see is 404.
//	@Tags			cases
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		200	{object}	CaseDetail
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/cases/{id} [get]
func (h *api) getCase(c *gin.Context) {
	k, ok := h.loadCase(c)
	if !ok {
		return
	}
	p := principalOf(c)
	d, err := h.caseDetail(c.Request.Context(), k, applicantSide(p, k), p.Kind == store.UserStaff || p.Kind == store.UserSystem)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// caseDetail reads case k for the applicant's side (query code) and for staff (task ids,
// holders, internal comments).
func (h *api) caseDetail(ctx context.Context, k *store.Case, side, staff bool) (*CaseDetail, error) {
	stage, open, err := h.stageOf(ctx, k)
	if err != nil {
		return nil, err
	}
	f, err := h.flow(ctx, k.DefinitionKey, k.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	n := h.namer(ctx)
	d := &CaseDetail{CaseSummary: summaryOf(k, stage), ItemVersion: k.ItemVersion, Applicant: k.Applicant, Form: k.Form,
		Deadlines: Deadlines{PromisedDays: k.PromisedDays, StatutoryDays: k.StatutoryDays, ClockState: k.ClockState,
			ClockStartedAt: k.ClockStartedAt, WarnAt: k.WarnAt, DueAt: k.DueAt, StatutoryDueAt: k.StatutoryDueAt},
		WithdrawReason: k.WithdrawReason}
	if side {
		d.QueryCode = k.QueryCode
	}
	switch k.Decision {
	case store.DecisionRefuse:
		d.RefusalReason = k.DecisionReason
	case store.DecisionReject:
		d.DecisionReason = k.DecisionReason
	}
	if w, ok := decisionWords[k.Decision]; ok {
		d.DecisionText = &w
	}
	if d.Steps, err = h.currentSteps(ctx, open, f, n, staff); err != nil {
		return nil, err
	}
	if d.Materials, err = store.CaseMaterials(ctx, h.DB, k.ID); err != nil {
		return nil, err
	}
	actions, err := store.CaseActions(ctx, h.DB, k.ID, !staff)
	if err != nil {
		return nil, err
	}
	hist, err := store.CaseHistory(ctx, h.DB, k.ID)
	if err != nil {
		return nil, err
	}
	d.Timeline = timeline(actions, hist, f, k, n, staff)
	return d, nil
}

// currentSteps describes the open tasks of a case.
func (h *api) currentSteps(ctx context.Context, open []store.Task, f *flowInfo, n *namer, staff bool) ([]CurrentStep, error) {
	out := []CurrentStep{}
	for _, t := range open {
		_, groups, err := store.TaskCandidates(ctx, h.DB, t.ID)
		if err != nil {
			return nil, err
		}
		s := CurrentStep{Name: t.Name, StepKind: deref(t.StepKind), Units: []string{}, Since: t.CreatedAt, DueAt: t.DueAt}
		if s.Name == "" {
			s.Name = f.name(t.ElementID)
		}
		for _, g := range groups {
			s.Units = append(s.Units, n.unitByCode(g))
		}
		if staff {
			s.TaskID = t.ID
			s.Assignee = n.user(deref(t.Assignee))
		}
		out = append(out, s)
	}
	return out, nil
}

// WithdrawRequest says why the applicant withdraws.
type WithdrawRequest struct {
	Reason string `json:"reason" validate:"max=500" example:"已通过其他途径办理"`
}

// withdrawCase godoc
//
//	@Summary		Withdraw an application that has not been decided (applicant, submitting clerk or agent)
//	@Description	Cancels the case's workflow: its open steps end and an open notice is closed. A case that
//	@Description	has a decision (including a refusal) or has ended is 409 case_decided; one withdrawn before
//	@Description	409 case_withdrawn. The case keeps its number and timeline.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"case id"
//	@Param			body	body		WithdrawRequest	true	"the reason"
//	@Success		202		{object}	CaseSummary
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"staff who did not submit the case"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"case_decided or case_withdrawn"
//	@Router			/api/v1/cases/{id}/withdraw [post]
func (h *api) withdrawCase(c *gin.Context) {
	k, ok := h.loadCase(c)
	if !ok {
		return
	}
	var req WithdrawRequest
	if !h.bind(c, &req) {
		return
	}
	p := principalOf(c)
	if !applicantSide(p, k) {
		writeError(c, http.StatusForbidden, codeForbidden, fmt.Sprintf("only the applicant of case %s (or who submitted it for them) may withdraw it", k.Number))
		return
	}
	ctx := c.Request.Context()
	now := h.Now()
	sig := engine.CancelCase(k.ID)
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.WithdrawCase(ctx, tx, k.ID, strings.TrimSpace(req.Reason), now); err != nil {
			return err
		}
		if err := store.TakeCaseTasks(ctx, tx, k.ID); err != nil {
			return err
		}
		if err := h.closeNotice(ctx, tx, k.ID); err != nil {
			return err
		}
		if err := store.RecordAction(ctx, tx, &store.Action{CaseID: k.ID, Action: store.ActionWithdraw, ActorID: p.UserID,
			ActorName: p.DisplayName, Comment: strings.TrimSpace(req.Reason), Public: true, At: now}); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &sig)
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	k, err = store.GetCase(ctx, h.DB, k.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, summaryOf(k, StageWithdrawn))
}

// deliver hands signals written to the outbox to the engine; one it cannot send now the
// engine's sweeper sends later.
func (h *api) deliver(c *gin.Context, sigs ...engine.OutboxSignal) {
	if err := h.Engine.Deliver(c.Request.Context(), sigs...); err != nil {
		h.log(c).Warn("signal left for the outbox sweeper", "err", err)
	}
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

// publicProgress godoc
//
//	@Summary		Progress of a case by its number and query code, without an account
//	@Description	The number and the query code are on the applicant's receipt. An unknown number and a wrong
//	@Description	code get the same 404, so that neither can be guessed one at a time.
//	@Tags			public
//	@Produce		json
//	@Param			number	query		string	true	"case number"	example(20251126-450981-FGJ-XK-001-0001)
//	@Param			code	query		string	true	"query code"	example(K7Q4M2XP)
//	@Success		200		{object}	PublicProgress
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/public/progress [get]
func (h *api) publicProgress(c *gin.Context) {
	number, code := strings.TrimSpace(c.Query("number")), strings.ToUpper(strings.TrimSpace(c.Query("code")))
	if number == "" || code == "" || len(number) > 100 || len(code) > 32 {
		writeError(c, http.StatusBadRequest, codeValidation, "give the case number (number) and the query code (code) from the receipt",
			FieldError{Field: "number", Message: "and code are required"})
		return
	}
	ctx := c.Request.Context()
	k, err := store.GetCaseByNumber(ctx, h.DB, number)
	if errors.Is(err, store.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(k.QueryCode), []byte(code)) != 1) {
		writeError(c, http.StatusNotFound, codeNotFound, "no case has this number and query code: check both on the receipt")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	d, err := h.caseDetail(ctx, k, false, false)
	if err != nil {
		h.fail(c, err)
		return
	}
	for i := range d.Timeline {
		d.Timeline[i].Actor, d.Timeline[i].Comment = "", ""
	}
	c.JSON(http.StatusOK, PublicProgress{Number: k.Number, ItemName: k.ItemName, Stage: d.Stage, StageText: d.StageText,
		ReceivedAt: k.ReceivedAt, AcceptedAt: k.AcceptedAt, DueAt: k.DueAt, EndedAt: k.EndedAt, DecisionText: d.DecisionText,
		Steps: d.Steps, Timeline: d.Timeline})
}
