package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/store"
)

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
	// Commitments are the materials the case was accepted without (容缺受理) and the dates they
	// were promised by; open ones are still to come.
	Commitments []store.Commitment `json:"commitments"`
	// Timeline is every action and step of the case in plain words, oldest first.
	Timeline []TimelineEntry `json:"timeline"`
}

// summaryOf is case k in a list at stage.
func summaryOf(k *store.Case, stage string) CaseSummary {
	return CaseSummary{ID: k.ID, Number: k.Number, ItemID: k.ItemID, ItemCode: k.ItemCode, ItemName: k.ItemName, Channel: k.Channel,
		ApplicantName: k.Applicant.Name, Stage: stage, StageText: stageWords[stage], Decision: k.Decision, ReceivedAt: k.ReceivedAt,
		DueAt: k.DueAt, EndedAt: k.EndedAt}
}

// stageOf reads what caseStage needs and returns the stage and the open tasks.
func (a *App) stageOf(ctx context.Context, k *store.Case) (string, []store.Task, error) {
	open, err := store.CaseTasks(ctx, a.db, k.ID, "open")
	if err != nil {
		return "", nil, err
	}
	waiting := false
	if _, err := store.SubscriptionFor(ctx, a.db, k.ID, standard.SupplementMessage); err == nil {
		waiting = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	at := slices.ContainsFunc(open, func(t store.Task) bool { return deref(t.StepKind) == definitions.StepAcceptance })
	return caseStage(k, at, waiting), open, nil
}

// caseDetail reads case k for who: staff read task ids, holders and internal opinions; the
// applicant's side (side) reads the query code.
func (a *App) caseDetail(ctx context.Context, k *store.Case, side bool, who audience) (*CaseDetail, error) {
	staff := who == forStaff
	stage, open, err := a.stageOf(ctx, k)
	if err != nil {
		return nil, err
	}
	f, err := a.flow(ctx, k.DefinitionKey, k.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	n := a.namer(ctx)
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
	if d.Steps, err = a.currentSteps(ctx, open, f, n, staff); err != nil {
		return nil, err
	}
	if d.Materials, err = store.CaseMaterials(ctx, a.db, k.ID); err != nil {
		return nil, err
	}
	if d.Commitments, err = store.CaseCommitments(ctx, a.db, k.ID); err != nil {
		return nil, err
	}
	actions, err := store.CaseActions(ctx, a.db, k.ID, false)
	if err != nil {
		return nil, err
	}
	hist, err := store.CaseHistory(ctx, a.db, k.ID)
	if err != nil {
		return nil, err
	}
	procs, err := store.CaseProcedures(ctx, a.db, k.ID)
	if err != nil {
		return nil, err
	}
	d.Timeline = timeline(actions, hist, procs, f, k, n, who)
	return d, nil
}

// currentSteps describes the open tasks of a case.
func (a *App) currentSteps(ctx context.Context, open []store.Task, f *flow, n *namer, staff bool) ([]CurrentStep, error) {
	out := []CurrentStep{}
	for _, t := range open {
		_, groups, err := store.TaskCandidates(ctx, a.db, t.ID)
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
			s.TaskID = PublicID(t.ID)
			s.Assignee = n.user(deref(t.Assignee))
		}
		out = append(out, s)
	}
	return out, nil
}
