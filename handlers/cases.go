package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/store"
)

func (h *api) caseRoutes(public, authed *gin.RouterGroup) {
	authed.POST("/cases", requireRole(store.RoleApplicant, store.RoleClerk, store.RoleAgent), h.createCase)
	authed.GET("/cases", h.listCases)
	authed.GET("/cases/:id", h.getCase)
	authed.POST("/cases/:id/withdraw", h.withdrawCase)
	authed.GET("/cases/:id/notice", h.getNotice)
	authed.POST("/cases/:id/supplement", h.supplementCase)
	authed.GET("/commitments", h.listCommitments)
	public.GET("/public/progress", h.throttle(limitProgress), h.publicProgress)
}

// createCase godoc
//
//	@Summary		Apply for an item (applicant online, clerk at a window, agent at a station)
//	@Description	Creates a case of a published item with its applicant, form and materials (uploaded first
//	@Description	with POST /api/v1/files), starts its workflow, and returns its number
//	@Description	(date-item-sequence, e.g. 20251126-450981-FGJ-XK-001-0001) and the query code of the public
//	@Description	progress page. An applicant applies online in their own verified name (channel online; the case
//	@Description	starts in pre-review, 网上预审), or for an organisation; applying for another person is a
//	@Description	proxy agent's (代办) job: an agent at a station (channel station) gives the applicant and their
//	@Description	authorisation; a clerk at a window (channel window) gives the applicant. With an
//	@Description	Idempotency-Key header the same key from the same caller returns the first answer again
//	@Description	(header Idempotent-Replayed: true) and creates nothing; the key used for a different request is 422.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			Idempotency-Key	header		string					false	"1-128 visible ASCII characters, unique per request"
//	@Param			body			body		app.CreateCaseRequest	true	"the application"
//	@Success		201				{object}	app.CaseSubmitted
//	@Failure		400				{object}	ErrorResponse	"validation_failed (naming the field: itemId, channel, applicant.certNo, materials[0].code, authorization ...)"
//	@Failure		401				{object}	ErrorResponse
//	@Failure		403				{object}	ErrorResponse	"forbidden: not an applicant, clerk or agent, or a window or station not the caller's; not_own_name: online in another person's name"
//	@Failure		413				{object}	ErrorResponse
//	@Failure		422				{object}	ErrorResponse	"idempotency_key_reused"
//	@Failure		503				{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/cases [post]
func (h *api) createCase(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if key != "" && !validIdempotencyKey(key) {
		writeError(c, http.StatusBadRequest, codeValidation, "the Idempotency-Key header must be 1 to 128 visible ASCII characters",
			FieldError{Field: "Idempotency-Key", Message: "must be 1 to 128 visible ASCII characters"})
		return
	}
	var req app.CreateCaseRequest
	if !h.bind(c, &req) {
		return
	}
	s, err := h.App.CreateCase(c.Request.Context(), principalOf(c), key, req)
	if err != nil {
		h.fail(c, err)
		return
	}
	if s.CaseID != "" {
		c.Header("Location", "/api/v1/cases/"+s.CaseID)
	}
	if s.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Data(s.Status, "application/json; charset=utf-8", s.Answer)
}

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

// caseQuery filters a case list.
type caseQuery struct {
	ItemID         string `form:"itemId" validate:"omitempty,id"`
	Channel        string `form:"channel" validate:"omitempty,oneof=window online station"`
	State          string `form:"state" validate:"omitempty,oneof=open ended"`
	Decision       string `form:"decision" validate:"omitempty,oneof=approve reject refuse"`
	ReceivedFrom   string `form:"receivedFrom" validate:"max=40"`
	ReceivedBefore string `form:"receivedBefore" validate:"max=40"`
	Q              string `form:"q" validate:"max=100,plaintext"`
	pageQuery
}

// listCases godoc
//
//	@Summary		List cases: an applicant's own; the cases a staff member's units, windows and delegations deal with
//	@Description	Applicants see the cases they applied for; clerks and agents also those submitted at their window
//	@Description	or station; reviewers those with a step for one of their units or covered by a delegation grant
//	@Description	to them; supervisors the cases of their org unit's subtree; admins every case. Newest first.
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
//	@Param			after			query		string	false	"the next cursor of the page before"
//	@Param			count	query		bool	false	"true: count the matches, up to 10,000 (total; totalCapped when there are more)"
//	@Success		200				{object}	app.List[app.CaseSummary]
//	@Failure		400				{object}	ErrorResponse
//	@Failure		401				{object}	ErrorResponse
//	@Router			/api/v1/cases [get]
func (h *api) listCases(c *gin.Context) {
	var q caseQuery
	if !h.bindQuery(c, &q) {
		return
	}
	from, ok := parseQueryTime(c, "receivedFrom", q.ReceivedFrom)
	if !ok {
		return
	}
	before, ok := parseQueryTime(c, "receivedBefore", q.ReceivedBefore)
	if !ok {
		return
	}
	h.answer(c, http.StatusOK)(h.App.Cases(c.Request.Context(), principalOf(c), app.CaseQuery{ItemID: q.ItemID, Channel: q.Channel,
		State: q.State, Decision: q.Decision, ReceivedFrom: from, ReceivedBefore: before, Search: q.Q, Page: q.page()}))
}

// getCase godoc
//
//	@Summary		A case: status in plain words, current steps, deadlines, materials and the full timeline
//	@Description	The applicant's side (applicant, submitting clerk or agent) also sees the query code. Staff
//	@Description	see who holds each step and internal opinions. A case the caller may not see is 404.
//	@Tags			cases
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		200	{object}	app.CaseDetail
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/cases/{id} [get]
func (h *api) getCase(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.Case(c.Request.Context(), principalOf(c), id))
	}
}

// withdrawCase godoc
//
//	@Summary		Withdraw an application that has not been decided (applicant, submitting clerk or agent)
//	@Description	Cancels the case's workflow: its open steps end, an open notice and open commitments close. A
//	@Description	case that has a decision (including a refusal) or has ended is 409 case_decided; one withdrawn
//	@Description	before 409 case_withdrawn. The case keeps its number and timeline.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"case id"
//	@Param			body	body		app.WithdrawRequest	true	"the reason"
//	@Success		202		{object}	app.CaseSummary
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"staff who did not submit the case"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"case_decided or case_withdrawn"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/cases/{id}/withdraw [post]
func (h *api) withdrawCase(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	var req app.WithdrawRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.WithdrawCase(c.Request.Context(), principalOf(c), id, req))
	}
}

// getNotice godoc
//
//	@Summary		The notice (一次性告知书) of a case: the open one, or the last one
//	@Description	Lists every missing or defective material at once, as the acceptance step issued it. Answer it
//	@Description	with POST /api/v1/cases/{id}/supplement. A case never notified is 404.
//	@Tags			cases
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"case id"
//	@Success		200	{object}	app.NoticeView
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such case, or it has no notice"
//	@Router			/api/v1/cases/{id}/notice [get]
func (h *api) getNotice(c *gin.Context) {
	if id, ok := pathName(c, "id", "case id"); ok {
		h.answer(c, http.StatusOK)(h.App.Notice(c.Request.Context(), principalOf(c), id))
	}
}

// supplementCase godoc
//
//	@Summary		Hand in materials: answer the open notice (补正), or bring what the case was accepted without (容缺)
//	@Description	Adds the next version of each material (its files uploaded first). With an open notice the case
//	@Description	goes back to acceptance and its clock, paused since the notice, runs again. Without one, the
//	@Description	materials fulfil the case's open commitments (容缺受理) and the case goes on where it is; with
//	@Description	neither, 409 no_open_notice and nothing changes.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"case id"
//	@Param			body	body		app.SupplementRequest	true	"the supplied materials"
//	@Success		202		{object}	app.SupplementAccepted
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming the material"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"staff who did not submit the case"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"no_open_notice, or not_waiting (the case is still moving to the wait: try again)"
//	@Failure		503		{object}	ErrorResponse	"engine_unavailable"
//	@Router			/api/v1/cases/{id}/supplement [post]
func (h *api) supplementCase(c *gin.Context) {
	id, ok := pathName(c, "id", "case id")
	var req app.SupplementRequest
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusAccepted)(h.App.Supplement(c.Request.Context(), principalOf(c), id, req))
	}
}

// listCommitments godoc
//
//	@Summary		Open commitments (容缺受理): materials cases were accepted without, the earliest promised first
//	@Tags			supervision
//	@Produce		json
//	@Security		BearerAuth
//	@Param			limit	query		int		false	"page size (1-200, default 50)"
//	@Param			after	query		string	false	"the next cursor of the page before"
//	@Success		200		{object}	app.List[store.OpenCommitment]
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/commitments [get]
func (h *api) listCommitments(c *gin.Context) {
	var q pageQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Commitments(c.Request.Context(), principalOf(c), q.page()))
	}
}

// progressQuery names a case on its receipt.
type progressQuery struct {
	Number string `form:"number" validate:"required,max=100,plaintext"`
	Code   string `form:"code" validate:"required,max=32,plaintext"`
}

// publicProgress godoc
//
//	@Summary		Progress of a case by its number and query code, without an account
//	@Description	The number and the query code are on the applicant's receipt. An unknown number and a wrong
//	@Description	code get the same 404, so that neither can be guessed one at a time. No names of people:
//	@Description	windows and departments only.
//	@Tags			public
//	@Produce		json
//	@Param			number	query		string	true	"case number"	example(20251126-450981-FGJ-XK-001-0001)
//	@Param			code	query		string	true	"query code"	example(K7Q4M2XP)
//	@Success		200		{object}	app.PublicProgress
//	@Failure		400		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/public/progress [get]
func (h *api) publicProgress(c *gin.Context) {
	var q progressQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Progress(c.Request.Context(), q.Number, q.Code))
	}
}
