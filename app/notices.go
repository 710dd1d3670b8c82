package app

// Notify-once (一次性告知, 行政许可法 §32). When an application lacks materials or has
// defective ones, the acceptance step lists every problem in one notice and the case waits for
// the applicant's supplement (补正). The notice must name every material the server already
// knows is missing: the item's required materials the case has none of. A second notice on a
// case is refused, except for defects in materials newly supplied in the last supplement:
// those could not have been raised before. Accepting a case while a required material is
// missing is refused, unless the clerk accepts with deficiencies (容缺受理): naming the
// materials, the date the applicant promises them by, and why; each becomes an open
// commitment that supervision lists and the applicant sees, and a later supplement fulfils.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onewindow/definitions/standard"
	"onewindow/engine"
	"onewindow/store"

	"github.com/jmoiron/sqlx"
)

// Codes of notify-once.
const (
	CodeNotifyOnce       = "notify_once"       // 409: a notice the notify-once rule forbids
	CodeNoOpenNotice     = "no_open_notice"    // 409: a supplement while nothing waits for one
	CodeNotWaiting       = "not_waiting"       // 409: the case is still on its way to the supplement wait
	CodeMaterialsMissing = "materials_missing" // 409: acceptance while required materials are missing
)

// ErrNotifyOnce: a notice the notify-once rule forbids.
var ErrNotifyOnce = &Error{Kind: Conflict, Code: CodeNotifyOnce, Message: "notify-once"}

// NoticeInput is the notice (一次性告知书) that completes an acceptance with outcome notify.
type NoticeInput struct {
	// Materials lists every missing or defective material, at once.
	Materials []store.NoticeItem `json:"materials" validate:"required,min=1,max=50,dive"`
	Note      string             `json:"note,omitempty" validate:"max=2000" example:"请于补正后重新提交"`
}

// DeficiencyInput accepts a case with required materials still missing (容缺受理).
type DeficiencyInput struct {
	// Materials are the codes of the missing materials the applicant will hand in later:
	// every required material the case lacks.
	Materials []string `json:"materials" validate:"required,min=1,max=50,dive,max=32" example:"M04"`
	// PromisedDate is the date (YYYY-MM-DD, Beijing) by which the applicant promised them.
	PromisedDate string `json:"promisedDate" validate:"required,datetime=2006-01-02" example:"2026-12-10"`
	// Reason says why the case is accepted without them.
	Reason string `json:"reason" validate:"required,max=2000" example:"主要材料齐全，次要材料申请人承诺五个工作日内补齐"`
}

// knownMissing lists the required materials the case has no version of, from the facts of
// its acceptance.
func knownMissing(f *store.AcceptanceFacts) []store.Material {
	var out []store.Material
	if f == nil {
		return nil
	}
	for _, m := range f.ItemMaterials {
		if m.Requirement == store.RequirementRequired && !slices.ContainsFunc(f.CaseMaterials, func(c store.CaseMaterial) bool { return c.Code == m.Code }) {
			out = append(out, m)
		}
	}
	return out
}

func materialNames(ms []store.Material) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Code + " " + m.Name
	}
	return strings.Join(s, ", ")
}

// checkNotice checks notice n of case k against the facts of its acceptance and fills in its
// Seq and the names of the materials it names by code. Every material must be missing or
// defective, named by a material code of the case's item version or by name, none twice;
// every material known missing must be in it; and the notify-once rule must allow it.
func checkNotice(k *store.Case, f *store.AcceptanceFacts, n *store.Notice) error {
	if f == nil {
		f = &store.AcceptanceFacts{}
	}
	if len(n.Materials) == 0 {
		return store.Invalid("notice.materials", "list every missing or defective material, at least one")
	}
	known := f.ItemMaterials
	seen := map[string]int{}
	for i := range n.Materials {
		m := &n.Materials[i]
		field := fmt.Sprintf("notice.materials[%d].", i)
		m.MaterialCode, m.Name = strings.TrimSpace(m.MaterialCode), strings.TrimSpace(m.Name)
		if m.Problem != store.NoticeMissing && m.Problem != store.NoticeDefective {
			return store.Invalid(field+"problem", "must be missing or defective")
		}
		if m.MaterialCode == "" {
			if m.Name == "" {
				return store.Invalid(field+"name", "name the material, or give its materialCode")
			}
		} else if known != nil {
			j := slices.IndexFunc(known, func(x store.Material) bool { return x.Code == m.MaterialCode })
			if j < 0 {
				return store.Invalid(field+"materialCode", "item %s v%d has no material %q", n.ItemID, n.ItemVersion, m.MaterialCode)
			}
			if m.Name == "" {
				m.Name = known[j].Name
			}
		}
		key := m.MaterialCode
		if key == "" {
			key = "name:" + m.Name
		}
		if j, dup := seen[key]; dup {
			return store.Invalid(field+"materialCode", "%s is listed twice (materials[%d] lists it too): say everything about it once", noticeItemName(m), j)
		}
		seen[key] = i
	}
	prior := f.Notices
	n.Seq = len(prior) + 1
	if len(prior) == 0 {
		var omitted []store.Material
		for _, m := range knownMissing(f) {
			if _, ok := seen[m.Code]; !ok {
				omitted = append(omitted, m)
			}
		}
		if len(omitted) > 0 {
			return store.Invalid("notice.materials", "the notice must list every missing material at once, and the application lacks %s as well: add them",
				materialNames(omitted))
		}
		return nil
	}
	last := prior[len(prior)-1]
	if last.State == store.NoticeOpen {
		return refuse(Conflict, CodeNotifyOnce, "case %s already has notice no. %d of %s waiting for its supplement; everything missing must be in that one notice",
			k.Number, last.Seq, beijingDate(last.IssuedAt))
	}
	var supplied []string
	if len(f.Supplements) > 0 {
		supplied = f.Supplements[len(f.Supplements)-1].Materials
	}
	for i, m := range n.Materials {
		if m.MaterialCode == "" || !slices.Contains(supplied, m.MaterialCode) || m.Problem != store.NoticeDefective {
			list := strings.Join(supplied, ", ")
			if list == "" {
				list = "none"
			}
			return refuse(Conflict, CodeNotifyOnce, "case %s had notice no. %d on %s; a further notice may only raise defects in materials newly supplied in the last supplement (%s), "+
				"and notice.materials[%d] (%s, %s) is not one", k.Number, last.Seq, beijingDate(last.IssuedAt), list, i, noticeItemName(&m), m.Problem)
		}
	}
	return nil
}

func noticeItemName(m *store.NoticeItem) string {
	if m.MaterialCode != "" {
		return m.MaterialCode
	}
	return m.Name
}

// beijingDate is t's date in Beijing, as people at the centre read it.
func beijingDate(t time.Time) string { return t.In(store.CaseZone).Format(time.DateOnly) }

// checkDeficiencies checks an acceptance of case k against the materials it lacks (from the
// facts of its acceptance) at time now: none missing and no deficiencies, or every missing
// one named in d with a promised date from today on and a reason. It returns the materials
// of the commitments to record.
func checkDeficiencies(k *store.Case, f *store.AcceptanceFacts, d *DeficiencyInput, now time.Time) ([]store.Material, error) {
	missing := knownMissing(f)
	if d == nil {
		if len(missing) > 0 {
			return nil, refuse(Conflict, CodeMaterialsMissing, "case %s lacks the required %s: notify the applicant once (outcome notify), refuse, or accept with deficiencies (容缺受理: deficiencies naming them, a promised date and the reason)",
				k.Number, materialNames(missing))
		}
		return nil, nil
	}
	if len(missing) == 0 {
		return nil, store.Invalid("deficiencies", "case %s lacks no required material: accept it without deficiencies", k.Number)
	}
	var out []store.Material
	for i, code := range d.Materials {
		j := slices.IndexFunc(missing, func(m store.Material) bool { return m.Code == code })
		if j < 0 {
			return nil, store.Invalid(fmt.Sprintf("deficiencies.materials[%d]", i), "%s is not a required material the case lacks (it lacks %s)", code, materialNames(missing))
		}
		if slices.Index(d.Materials, code) != i {
			return nil, store.Invalid(fmt.Sprintf("deficiencies.materials[%d]", i), "%s is listed twice", code)
		}
		out = append(out, missing[j])
	}
	if len(out) < len(missing) {
		var rest []store.Material
		for _, m := range missing {
			if !slices.Contains(d.Materials, m.Code) {
				rest = append(rest, m)
			}
		}
		return nil, store.Invalid("deficiencies.materials", "every missing material must be named: the case also lacks %s", materialNames(rest))
	}
	if _, err := time.ParseInLocation(time.DateOnly, d.PromisedDate, store.CaseZone); err != nil {
		return nil, store.Invalid("deficiencies.promisedDate", "must be a date (YYYY-MM-DD)")
	}
	if today := beijingDate(now); d.PromisedDate < today {
		return nil, store.Invalid("deficiencies.promisedDate", "%s is in the past (today is %s)", d.PromisedDate, today)
	}
	if strings.TrimSpace(d.Reason) == "" {
		return nil, store.Invalid("deficiencies.reason", "say why the case is accepted without the materials")
	}
	return out, nil
}

// recordNoticeTwice records, outside the refused completion's transaction, that a second
// notice was attempted on a case: e-supervision counts it against the rule.
func (a *App) recordNoticeTwice(ctx context.Context, tc *taskCtx, refusal error) {
	var e *Error
	if !errors.As(refusal, &e) || e.Code != CodeNotifyOnce {
		return
	}
	_, err := a.RecordRuleAlert(ctx, store.RuleAlert{CaseID: tc.k.ID, TaskID: tc.t.ID, Element: tc.t.ElementID,
		StepKind: deref(tc.t.StepKind), Rule: store.RuleNoticeTwice, Detail: e.Message, At: a.now()})
	if err != nil {
		a.log.Error("recording a notice issued twice", "case", tc.k.ID, "err", err)
	}
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

// Notice reads the notice of a case (the open one, or the last one).
func (a *App) Notice(ctx context.Context, p *Actor, caseID string) (*NoticeView, error) {
	k, err := a.caseFor(ctx, p, caseID)
	if err != nil {
		return nil, err
	}
	ns, err := store.CaseNotices(ctx, a.db, k.ID)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, refuse(NotFound, "not_found", "case %s has no notice: nothing was found missing", k.Number)
	}
	n := ns[len(ns)-1]
	nm := a.namer(ctx)
	v := &NoticeView{Notice: n, CaseNumber: k.Number, ItemName: k.ItemName, IssuedByName: nm.user(n.IssuedBy)}
	v.TaskID, v.CaseID = PublicID(v.TaskID), PublicID(v.CaseID)
	acts, err := store.TaskActions(ctx, a.db, n.TaskID)
	if err != nil {
		return nil, err
	}
	for _, x := range acts {
		if x.Action == store.ActionComplete && x.Outcome == "notify" && x.UnitCode != "" {
			v.Unit = nm.unitByCode(x.UnitCode)
		}
	}
	v.Letter = noticeLetter(k, &n, v.Unit)
	return v, nil
}

// noticeLetter writes the notice as the applicant reads it; dates are Beijing dates.
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

// SupplementRequest answers a notice, or hands in materials a case was accepted without,
// with new versions of materials (uploaded first).
type SupplementRequest struct {
	Materials []store.MaterialInput `json:"materials" validate:"required,min=1,max=50,dive"`
	Note      string                `json:"note,omitempty" validate:"max=1000" example:"已补充编制单位盖章"`
}

// SupplementAccepted answers a supplement.
type SupplementAccepted struct {
	Supplement store.Supplement `json:"supplement"`
	// Fulfilled counts the commitments (容缺) the supplement fulfilled.
	Fulfilled int `json:"fulfilled"`
	// Materials are the case's materials with the new versions.
	Materials []store.CaseMaterial `json:"materials"`
}

// Supplement answers the open notice of a case (补正): the next version of each material,
// and the case goes back to acceptance, its clock running again. Without an open notice it
// hands in materials the case was accepted without (容缺): their commitments are fulfilled and
// the case goes on where it is. The applicant's side only.
func (a *App) Supplement(ctx context.Context, p *Actor, caseID string, in SupplementRequest) (*SupplementAccepted, error) {
	if err := a.needEngine(); err != nil {
		return nil, err
	}
	k, err := a.caseFor(ctx, p, caseID)
	if err != nil {
		return nil, err
	}
	if !applicantSide(p, k) {
		return nil, refuse(Forbidden, CodeForbidden, "only the applicant of case %s (or who submitted it for them) supplements it", k.Number)
	}
	var codes []string
	for _, m := range in.Materials {
		if m.Code != store.OtherMaterial && !slices.Contains(codes, m.Code) {
			codes = append(codes, m.Code)
		}
	}
	if len(codes) == 0 {
		return nil, store.Invalid("materials", "a supplement hands in at least one material the item lists (not only %s)", store.OtherMaterial)
	}
	_, err = store.OpenNotice(ctx, a.db, k.ID)
	noticed := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var wait string
	if noticed {
		if wait, err = a.supplementWait(ctx, k.ID); errors.Is(err, store.ErrNotFound) {
			return nil, refuse(Conflict, CodeNotWaiting, "case %s is not waiting for a supplement yet: try again in a moment", k.Number)
		}
		if err != nil {
			return nil, err
		}
	} else if !slices.ContainsFunc(mustCommitments(ctx, a.db, k.ID), func(c store.Commitment) bool {
		return c.State == store.CommitmentOpen && slices.Contains(codes, c.MaterialCode)
	}) {
		return nil, refuse(Conflict, CodeNoOpenNotice, "case %s has no open notice and awaits none of %s: there is nothing to supplement", k.Number, strings.Join(codes, ", "))
	}
	now := a.now()
	s := &store.Supplement{CaseID: k.ID, Materials: codes, Note: strings.TrimSpace(in.Note), RecordedBy: p.UserID}
	fulfilled := 0
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if noticed {
			if err := store.RecordSupplement(ctx, tx, s); err != nil {
				return err
			}
		} else {
			s.ID, s.RecordedAt = store.NewID(), now
		}
		if err := store.AddCaseMaterials(ctx, tx, k, in.Materials, s.ID, p.UserID, now); err != nil {
			return err
		}
		var err error
		if fulfilled, err = store.CloseCommitments(ctx, tx, k.ID, store.CommitmentFulfilled, codes, s.ID, now); err != nil {
			return err
		}
		if err := out.Act(p, &store.Action{CaseID: k.ID, Action: store.ActionSupplement, ActorID: p.UserID, ActorName: p.DisplayName,
			Comment: s.Note, Public: true, At: now, Detail: map[string]any{"materials": anySlice(codes), "supplementId": s.ID}}); err != nil {
			return err
		}
		if err := out.caseEvent(EventCaseSupplemented, k, now, map[string]any{"supplementId": s.ID, "materials": codes}); err != nil {
			return err
		}
		if !noticed {
			return nil
		}
		sig, err := engine.DeliverMessage(wait, standard.SupplementMessage, map[string]any{"supplied": anySlice(codes)})
		if err != nil {
			return err
		}
		return out.Signal(sig)
	})
	if err != nil {
		return nil, err
	}
	ms, err := store.CaseMaterials(ctx, a.db, k.ID)
	if err != nil {
		return nil, err
	}
	return &SupplementAccepted{Supplement: *s, Fulfilled: fulfilled, Materials: ms}, nil
}

// mustCommitments lists a case's commitments; an error reads as none (the caller refuses).
func mustCommitments(ctx context.Context, q store.Q, caseID string) []store.Commitment {
	cs, _ := store.CaseCommitments(ctx, q, caseID)
	return cs
}

// supplementWait returns the case's open supplement wait. The notice and the completion that
// leads to the wait commit together, and the engine opens the wait a moment later: a
// supplement that comes at once waits for it briefly.
func (a *App) supplementWait(ctx context.Context, caseID string) (string, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		id, err := store.SubscriptionFor(ctx, a.db, caseID, standard.SupplementMessage)
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

// Commitments lists the open commitments (容缺) of the cases the actor may see, the earliest
// promised first: what supervision tracks.
func (a *App) Commitments(ctx context.Context, p *Actor, page Page) (*List[store.OpenCommitment], error) {
	if !p.HasRole(store.RoleSupervisor, store.RoleAdmin, store.RoleClerk, store.RoleReviewer) {
		return nil, refuse(Forbidden, CodeForbidden, "the open commitments are for staff and supervisors")
	}
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return nil, err
	}
	var after store.CommitmentKey
	if key, err := keysetAfter(page, 2); err != nil {
		return nil, err
	} else if key != nil {
		after = store.CommitmentKey{PromisedDate: key[0], ID: key[1]}
	}
	items, err := store.ListOpenCommitments(ctx, a.db, scope, after, page.limit()+1)
	if err != nil {
		return nil, err
	}
	return keysetPage(items, page, func(m store.OpenCommitment) []string { return []string{m.PromisedDate, m.ID} }), nil
}
