package app

import (
	"onewindow/definitions"
	"onewindow/store"
)

// Words is a text in plain Chinese and English.
type Words struct {
	Zh string `json:"zh" example:"网上预审中"`
	En string `json:"en" example:"Online pre-review"`
}

// Stages of a case in plain words: what the applicant is told.
const (
	StageSubmitted          = "submitted"          // the workflow is starting
	StagePreReview          = "preReview"          // online: the acceptance clerk pre-reviews it (网上预审)
	StageAwaitingAcceptance = "awaitingAcceptance" // at a window or station: waiting for acceptance
	StageBackToAcceptance   = "backToAcceptance"   // accepted once, returned or recalled to acceptance: checked again, the clock runs on
	StageAwaitingSupplement = "awaitingSupplement" // a notice is open: waiting for the applicant's supplement
	StageInProgress         = "inProgress"         // accepted, being reviewed and decided
	StageDelivering         = "delivering"         // decided; the result is being produced and delivered
	StageFinished           = "finished"           // decided and delivered
	StageRefused            = "refused"            // not accepted (不予受理)
	StageWithdrawn          = "withdrawn"          // withdrawn by the applicant
	StageCancelled          = "cancelled"          // ended by an administrator
)

var stageWords = map[string]Words{
	StageSubmitted:          {"已提交，正在登记", "Submitted, being registered"},
	StagePreReview:          {"网上预审中", "Online pre-review"},
	StageAwaitingAcceptance: {"待受理", "Awaiting acceptance"},
	StageBackToAcceptance:   {"已退回受理环节重新审查，办理时限继续计算", "Back at acceptance for another check; the time limit keeps running"},
	StageAwaitingSupplement: {"待补正：请按一次性告知书补正材料", "Waiting for your supplement (see the notice)"},
	StageInProgress:         {"已受理，办理中", "Accepted, in progress"},
	StageDelivering:         {"已作出决定，待送达", "Decided, result being delivered"},
	StageFinished:           {"已办结", "Finished"},
	StageRefused:            {"不予受理", "Not accepted"},
	StageWithdrawn:          {"已撤回", "Withdrawn"},
	StageCancelled:          {"已终止", "Cancelled"},
}

var decisionWords = map[string]Words{
	store.DecisionApprove: {"准予", "Granted"},
	store.DecisionReject:  {"不予准予", "Not granted"},
	store.DecisionRefuse:  {"不予受理", "Not accepted"},
}

var stepKindWords = map[string]Words{
	definitions.StepAcceptance:   {"受理", "acceptance"},
	definitions.StepReview:       {"审查", "review"},
	definitions.StepCoordination: {"协调", "coordination"},
	definitions.StepApproval:     {"审批", "approval"},
	definitions.StepCertificate:  {"制证", "certification"},
	definitions.StepDelivery:     {"送达", "delivery"},
}

// caseStage says where a case stands, from its row, its open tasks and whether it waits for
// a supplement.
func caseStage(c *store.Case, atAcceptance, waitingSupplement bool) string {
	switch {
	case c.WithdrawnAt != nil:
		return StageWithdrawn
	case c.Status == "starting":
		return StageSubmitted
	case c.Ended():
		switch {
		case c.Decision == store.DecisionRefuse:
			return StageRefused
		case c.Status == "completed":
			return StageFinished
		}
		return StageCancelled
	case waitingSupplement:
		return StageAwaitingSupplement
	}
	if atAcceptance {
		if c.ClockStartedAt != nil {
			return StageBackToAcceptance // the clock started at an acceptance that was undone
		}
		if c.Channel == store.ChannelOnline && c.AcceptedAt == nil {
			return StagePreReview
		}
		return StageAwaitingAcceptance
	}
	if c.Decision == store.DecisionApprove || c.Decision == store.DecisionReject {
		return StageDelivering
	}
	return StageInProgress
}
