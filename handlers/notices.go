package handlers

import (
	"context"
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

// codeNotWaiting (409): the case is not (yet) waiting for the supplement.
const codeNotWaiting = "not_waiting"

func (h *api) noticeRoutes(public, authed *gin.RouterGroup) {
	authed.GET("/cases/:id/notice", h.getNotice)
	authed.POST("/cases/:id/supplement", h.needEngine, h.supplementCase)
}

// scopeGrants turns the caller's active delegation grants into what they let them see.
func (h *api) scopeGrants(ctx context.Context, p *Principal) ([]store.ScopeGrant, error) {
	if !p.HasRole(store.RoleClerk) {
		return nil, nil
	}
	v, err := store.TaskVisibility(ctx, h.DB, p.UserID, h.Now())
	if err != nil {
		return nil, err
	}
	out := make([]store.ScopeGrant, 0, len(v.Grants))
	for _, g := range v.Grants {
		out = append(out, store.ScopeGrant{SectionCode: g.SectionCode, StepKinds: g.StepKinds, ItemIDs: g.ItemIDs})
	}
	return out, nil
}

// closeNotice withdraws the open notice of a case that ends without a supplement.
func (h *api) closeNotice(ctx context.Context, tx *sqlx.Tx, caseID string) error {
	_, err := store.WithdrawNotice(ctx, tx, caseID)
	return err
}

// NoticeView is a notice (一次性告知书) with its letter in plain words.
type NoticeView struct {
	store.Notice
	CaseNumber string `json:"caseNumber" example:"20251126-450981-FGJ-XK-001-0001"`
	ItemName   string `json:"itemName" example:"企业投资项目核准"`
	// IssuedByName is who issued it, Unit the unit they issued it for.
	IssuedByName string `json:"issuedByName" example:"一号窗口 王丽"`
	Unit         string `json:"unit,omitempty" example:"北流市发展和改革局行政审批股"`
	// Letter is the notice as the applicant reads it.
	Letter Words `json:"letter"`
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
//	@Success		200	{object}	NoticeView
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse	"no such case, or it has no notice"
//	@Router			/api/v1/cases/{id}/notice [get]
func (h *api) getNotice(c *gin.Context) {
	k, ok := h.loadCase(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	ns, err := store.CaseNotices(ctx, h.DB, k.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	if len(ns) == 0 {
		writeError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("case %s has no notice: nothing was found missing", k.Number))
		return
	}
	n := ns[len(ns)-1]
	nm := h.namer(ctx)
	v := NoticeView{Notice: n, CaseNumber: k.Number, ItemName: k.ItemName, IssuedByName: nm.user(n.IssuedBy)}
	if acts, err := store.TaskActions(ctx, h.DB, n.TaskID); err == nil {
		for _, a := range acts {
			if a.Action == store.ActionComplete && a.Outcome == standard.OutcomeNotify && a.UnitCode != "" {
				v.Unit = nm.unitByCode(a.UnitCode)
			}
		}
	}
	v.Letter = noticeLetter(k, &n, v.Unit)
	c.JSON(http.StatusOK, v)
}

// noticeLetter writes the notice as the applicant reads it.
func noticeLetter(k *store.Case, n *store.Notice, unit string) Words {
	var zh, en strings.Builder
	issued := n.IssuedAt.In(store.CaseZone)
	fmt.Fprintf(&zh, "%s：\n你（单位）于%s提交的《%s》申请（办件编号 %s），经审查，申请材料不齐全或者不符合法定形式，请补正以下材料：\n",
		k.Applicant.Name, k.ReceivedAt.In(store.CaseZone).Format("2006年1月2日"), k.ItemName, k.Number)
	fmt.Fprintf(&en, "To %s:\nYour application for %q of %s (case %s) is incomplete or not in the legal form. Please supplement:\n",
		k.Applicant.Name, k.ItemName, k.ReceivedAt.In(store.CaseZone).Format("2 January 2006"), k.Number)
	for i, m := range n.Materials {
		p := map[string]Words{store.NoticeMissing: {"未提交", "missing"}, store.NoticeDefective: {"不符合要求", "defective"}}[m.Problem]
		fmt.Fprintf(&zh, "%d. %s（%s）", i+1, m.Name, p.Zh)
		fmt.Fprintf(&en, "%d. %s (%s)", i+1, m.Name, p.En)
		if m.Detail != "" {
			fmt.Fprintf(&zh, "：%s", m.Detail)
			fmt.Fprintf(&en, ": %s", m.Detail)
		}
		zh.WriteString("\n")
		en.WriteString("\n")
	}
	if n.Note != "" {
		fmt.Fprintf(&zh, "说明：%s\n", n.Note)
		fmt.Fprintf(&en, "Note: %s\n", n.Note)
	}
	zh.WriteString("以上为需补正的全部内容，补正期间不计入办理时限。\n")
	en.WriteString("This is everything to supplement; the time until you do does not count toward the time limit.\n")
	if unit != "" {
		fmt.Fprintf(&zh, "%s\n", unit)
		fmt.Fprintf(&en, "%s\n", unit)
	}
	fmt.Fprintf(&zh, "%s", issued.Format("2006年1月2日"))
	fmt.Fprintf(&en, "%s", issued.Format("2 January 2006"))
	return Words{Zh: zh.String(), En: en.String()}
}

// SupplementRequest answers a notice with new versions of materials (uploaded first).
type SupplementRequest struct {
	Materials []store.MaterialInput `json:"materials" validate:"required,min=1,max=50,dive"`
	Note      string                `json:"note,omitempty" validate:"max=1000" example:"已补充编制单位盖章"`
}

// SupplementAccepted answers a supplement.
type SupplementAccepted struct {
	Supplement store.Supplement `json:"supplement"`
	// Materials are the case's materials with the new versions.
	Materials []store.CaseMaterial `json:"materials"`
}

// supplementCase godoc
//
//	@Summary		Answer the open notice with a supplement (applicant, submitting clerk or agent)
//	@Description	Adds the next version of each material (its files uploaded first) and sends the case back to
//	@Description	acceptance; the clock, paused since the notice, runs again. Without an open notice: 409
//	@Description	no_open_notice, and nothing changes.
//	@Tags			cases
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"case id"
//	@Param			body	body		SupplementRequest	true	"the supplied materials"
//	@Success		202		{object}	SupplementAccepted
//	@Failure		400		{object}	ErrorResponse	"validation_failed naming the material"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"staff who did not submit the case"
//	@Failure		404		{object}	ErrorResponse
//	@Failure		409		{object}	ErrorResponse	"no_open_notice, or not_waiting (the case is still moving to the wait: try again)"
//	@Router			/api/v1/cases/{id}/supplement [post]
func (h *api) supplementCase(c *gin.Context) {
	k, ok := h.loadCase(c)
	if !ok {
		return
	}
	var req SupplementRequest
	if !h.bind(c, &req) {
		return
	}
	p := principalOf(c)
	if !applicantSide(p, k) {
		writeError(c, http.StatusForbidden, codeForbidden, fmt.Sprintf("only the applicant of case %s (or who submitted it for them) supplements it", k.Number))
		return
	}
	ctx := c.Request.Context()
	if _, err := store.OpenNotice(ctx, h.DB, k.ID); errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusConflict, codeNoOpenNotice, fmt.Sprintf("case %s has no open notice: there is nothing to supplement", k.Number))
		return
	} else if err != nil {
		h.fail(c, err)
		return
	}
	wait, err := h.supplementWait(ctx, k.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, http.StatusConflict, codeNotWaiting, fmt.Sprintf("case %s is not waiting for a supplement yet: try again in a moment", k.Number))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	var codes []string
	for _, m := range req.Materials {
		if m.Code != store.OtherMaterial && !slices.Contains(codes, m.Code) {
			codes = append(codes, m.Code)
		}
	}
	if len(codes) == 0 {
		h.fail(c, store.Invalid("materials", "a supplement hands in at least one material the item lists (not only %s)", store.OtherMaterial))
		return
	}
	sig, err := engine.DeliverMessage(wait, standard.SupplementMessage, map[string]any{"supplied": anySlice(codes)})
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.Now()
	s := &store.Supplement{CaseID: k.ID, Materials: codes, Note: strings.TrimSpace(req.Note), RecordedBy: p.UserID}
	err = h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := store.RecordSupplement(ctx, tx, s); err != nil {
			return err
		}
		if err := store.AddCaseMaterials(ctx, tx, k, req.Materials, s.ID, p.UserID, now); err != nil {
			return err
		}
		if err := store.RecordAction(ctx, tx, &store.Action{CaseID: k.ID, Action: store.ActionSupplement, ActorID: p.UserID, ActorName: p.DisplayName,
			Comment: s.Note, Public: true, At: now, Detail: map[string]any{"materials": anySlice(codes), "supplementId": s.ID}}); err != nil {
			return err
		}
		return store.EnqueueSignal(ctx, tx, &sig)
	})
	if errors.Is(err, store.ErrNoOpenNotice) {
		writeError(c, http.StatusConflict, codeNoOpenNotice, err.Error())
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.deliver(c, sig)
	ms, err := store.CaseMaterials(ctx, h.DB, k.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, SupplementAccepted{Supplement: *s, Materials: ms})
}

// supplementWait returns the case's open supplement wait. The notice and the completion that
// leads to the wait commit together, and the engine opens the wait a moment later: a
// supplement that comes at once waits for it briefly.
func (h *api) supplementWait(ctx context.Context, caseID string) (string, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		id, err := store.SubscriptionFor(ctx, h.DB, caseID, standard.SupplementMessage)
		if !errors.Is(err, store.ErrNotFound) || time.Now().After(deadline) {
			return id, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
