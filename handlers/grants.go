package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

func (h *api) grantRoutes(public, authed *gin.RouterGroup) {
	staff := authed.Group("", requireRole(staffRoles...))
	admin := authed.Group("", requireRole(store.RoleAdmin))
	staff.GET("/grants", h.listGrants)
	staff.GET("/grants/:id", h.getGrant)
	staff.GET("/grants/:id/audit", h.grantAudit)
	admin.POST("/grants", h.createGrant)
	admin.PATCH("/grants/:id", h.updateGrant)
	admin.POST("/grants/:id/revoke", h.revokeGrant)
	authed.GET("/departments/:id/delegation-report", requireRole(store.RoleAdmin, store.RoleSupervisor), h.delegationReport)
}

// queryTime reads the RFC 3339 time query parameter name (zero when absent),
// or answers 400 and returns false.
func queryTime(c *gin.Context, name string) (time.Time, bool) {
	s := c.Query(name)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		msg := "must be an RFC 3339 time such as 2025-10-01T09:00:00+08:00"
		writeError(c, http.StatusBadRequest, codeValidation, "query parameter "+name+" "+msg+", got "+s, FieldError{Field: name, Message: msg})
		return time.Time{}, false
	}
	return t, true
}

// GrantList lists delegation grants.
type GrantList struct {
	Items []store.Grant `json:"items"`
}

// listGrants godoc
//
//	@Summary	List delegation grants (三集中), newest first
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		departmentId	query		string	false	"only grants of this department"
//	@Param		windowId		query		string	false	"only grants to this window"
//	@Param		userId			query		string	false	"only grants naming this clerk"
//	@Param		activeAt		query		string	false	"only grants in force at this time (RFC 3339); without it, revoked and expired ones are listed too"
//	@Success	200				{object}	GrantList
//	@Failure	400				{object}	ErrorResponse
//	@Failure	401				{object}	ErrorResponse
//	@Failure	403				{object}	ErrorResponse
//	@Router		/api/v1/grants [get]
func (h *api) listGrants(c *gin.Context) {
	at, ok := queryTime(c, "activeAt")
	if !ok {
		return
	}
	gs, err := store.ListGrants(c.Request.Context(), h.DB, store.GrantFilter{
		DepartmentID: c.Query("departmentId"), WindowID: c.Query("windowId"), UserID: c.Query("userId"), ActiveAt: at,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, GrantList{Items: gs})
}

// getGrant godoc
//
//	@Summary	Get a delegation grant
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"grant id"
//	@Success	200	{object}	store.Grant
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/grants/{id} [get]
func (h *api) getGrant(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	g, err := store.GetGrant(c.Request.Context(), h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

// GrantAuditList is the audit trail of a grant.
type GrantAuditList struct {
	Items []store.GrantAuditEntry `json:"items"`
}

// grantAudit godoc
//
//	@Summary	Who granted, changed and revoked a grant, and when
//	@Tags		delegation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"grant id"
//	@Success	200	{object}	GrantAuditList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/grants/{id}/audit [get]
func (h *api) grantAudit(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := store.GetGrant(ctx, h.DB, id); err != nil {
		h.fail(c, err)
		return
	}
	entries, err := store.GrantAudit(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, GrantAuditList{Items: entries})
}

// CreateGrantRequest delegates a department's authority for some step kinds of some (or all) of
// its items to a window, or to one clerk of a window.
type CreateGrantRequest struct {
	DepartmentID string `json:"departmentId" validate:"required,id" example:"01jd5q3k8m0000000000000000"`
	// SectionID is the department's section whose tasks are delegated; it may be left out when
	// the department has exactly one.
	SectionID string `json:"sectionId" validate:"omitempty,id"`
	WindowID  string `json:"windowId" validate:"required,id" example:"01jd5q3k8m0000000000000002"`
	// UserID names one clerk of the window; absent grants every clerk of it.
	UserID    string   `json:"userId" validate:"omitempty,id"`
	StepKinds []string `json:"stepKinds" validate:"required,min=1,max=6,dive,oneof=acceptance review coordination approval certification delivery" example:"acceptance,review,coordination,delivery"`
	// ItemIDs limits the grant to these items; absent or empty covers all the section's items.
	ItemIDs []string `json:"itemIds" validate:"max=1000,dive,id"`
	// ValidFrom defaults to now; ValidUntil absent means until revoked.
	ValidFrom  *time.Time `json:"validFrom" example:"2025-01-01T00:00:00+08:00"`
	ValidUntil *time.Time `json:"validUntil" example:"2025-12-31T23:59:59+08:00"`
	Note       string     `json:"note" validate:"max=500" example:"发改局授权综合受理一号窗口"`
}

// createGrant godoc
//
//	@Summary		Delegate authority to a window (admin)
//	@Description	Refused with 400 naming the field: a unit that is not a window (windowId), a step kind the department's section does not own in the grant's items (stepKinds[i]: it is the candidate group of no such step), an item in which the section holds no step (itemIds[i]), a named user who is not a clerk of the window (userId). Audited.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		CreateGrantRequest	true	"the grant"
//	@Success		201		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse
//	@Router			/api/v1/grants [post]
func (h *api) createGrant(c *gin.Context) {
	var req CreateGrantRequest
	if !h.bind(c, &req) {
		return
	}
	in := store.GrantInput{DepartmentID: req.DepartmentID, SectionID: req.SectionID, WindowID: req.WindowID, UserID: req.UserID,
		StepKinds: req.StepKinds, ItemIDs: req.ItemIDs, ValidUntil: req.ValidUntil, Note: req.Note}
	if req.ValidFrom != nil {
		in.ValidFrom = *req.ValidFrom
	} else {
		in.ValidFrom = h.Now()
	}
	var g *store.Grant
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) (err error) {
		g, err = store.CreateGrant(c.Request.Context(), tx, in, principalOf(c).UserID)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, g)
}

// UpdateGrantRequest changes a grant's terms; absent fields stay as they are.
type UpdateGrantRequest struct {
	StepKinds *[]string `json:"stepKinds" validate:"omitempty,min=1,max=6,dive,oneof=acceptance review coordination approval certification delivery"`
	// ItemIDs replaces the grant's items; an empty list covers all the section's items.
	ItemIDs    *[]string  `json:"itemIds" validate:"omitempty,max=1000,dive,id"`
	ValidUntil *time.Time `json:"validUntil"`
	// ClearValidUntil removes the end of validity.
	ClearValidUntil bool    `json:"clearValidUntil"`
	Note            *string `json:"note" validate:"omitempty,max=500"`
}

// updateGrant godoc
//
//	@Summary		Change a grant's terms (admin)
//	@Description	Checked as on creation and audited. 409 for a revoked grant.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"grant id"
//	@Param			body	body		UpdateGrantRequest	true	"the changes"
//	@Success		200		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"revoked"
//	@Router			/api/v1/grants/{id} [patch]
func (h *api) updateGrant(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req UpdateGrantRequest
	if !h.bind(c, &req) {
		return
	}
	if req.ClearValidUntil && req.ValidUntil != nil {
		writeError(c, http.StatusBadRequest, codeValidation, "give validUntil or clearValidUntil, not both",
			FieldError{Field: "clearValidUntil", Message: "cannot be combined with validUntil"})
		return
	}
	var g *store.Grant
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) (err error) {
		g, err = store.UpdateGrant(c.Request.Context(), tx, id, store.GrantPatch{StepKinds: req.StepKinds, ItemIDs: req.ItemIDs,
			ValidUntil: req.ValidUntil, ClearValidUntil: req.ClearValidUntil, Note: req.Note}, principalOf(c).UserID)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

// RevokeGrantRequest says why a grant ends.
type RevokeGrantRequest struct {
	Reason string `json:"reason" validate:"required,max=500" example:"窗口调整"`
}

// revokeGrant godoc
//
//	@Summary		Revoke a grant now (admin)
//	@Description	The grant stays, with who revoked it, when and why. 409 when it is revoked already.
//	@Tags			delegation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"grant id"
//	@Param			body	body		RevokeGrantRequest	true	"the reason"
//	@Success		200		{object}	store.Grant
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"already revoked"
//	@Router			/api/v1/grants/{id}/revoke [post]
func (h *api) revokeGrant(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req RevokeGrantRequest
	if !h.bind(c, &req) {
		return
	}
	var g *store.Grant
	err := h.DB.Tx(c.Request.Context(), func(tx *sqlx.Tx) (err error) {
		g, err = store.RevokeGrant(c.Request.Context(), tx, id, principalOf(c).UserID, req.Reason)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

// delegationReport godoc
//
//	@Summary		A department's delegation rate (admin, supervisor)
//	@Description	Over the published items in which the department's sections hold a step: the share whose acceptance, review, coordination and delivery steps are all delegated to windows by active grants (the source reports 100%), the same for approval and certification (80%+), and a row per item and step kind.
//	@Tags			delegation
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"department id"
//	@Param			at	query		string	false	"as of this time (RFC 3339; default now)"
//	@Success		200	{object}	store.DelegationReport
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		403	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/departments/{id}/delegation-report [get]
func (h *api) delegationReport(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	at, ok := queryTime(c, "at")
	if !ok {
		return
	}
	if at.IsZero() {
		at = h.Now()
	}
	r, err := store.GetDelegationReport(c.Request.Context(), h.DB, id, at)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
