// Package standard holds onewindow's standard flows: four BPMN definitions
// that most catalogue items run instead of a flowchart of their own. Each is
// parameterised by the start variables the catalogue derives from an item
// (store.StartVariables; the variables are listed in docs/standard-flows.md),
// so an item names its departments and limits and picks a flow; the flow
// never names a department itself.
//
// The files are ordinary BPMN 2.0 with diagrams: a designer opens them in
// bpmn-js, and a copy edited there and uploaded under another key becomes a
// custom flow. The server deploys and publishes them at start when their
// content is not yet published (store.EnsureStandardFlows).
package standard

import (
	"embed"
	"fmt"
	"slices"
)

//go:embed *.bpmn
var files embed.FS

// Keys of the standard flows (the process ids inside the files, which are
// the definition keys they are deployed under).
const (
	// Immediate is flow 1, an immediate item (即办件): acceptance, a
	// decision on the spot, delivery.
	Immediate = "std-immediate"
	// Promised is flow 2, a promised item of one department (承诺件):
	// acceptance, review, approval, certificate, delivery.
	Promised = "std-promised"
	// Parallel is flow 3, parallel approval (并联审批): the lead department
	// accepts, the co-reviewing departments countersign in parallel, an
	// objection goes to coordination, a joint decision, delivery.
	Parallel = "std-parallel"
	// Proxy is flow 4, a village proxy (代办): a station agent submits and
	// follows the case; the result goes back through the station.
	Proxy = "std-proxy"
)

// Outcomes of the standard flows' tasks, as the gateways after them read
// the variable outcome (countersignResult after the countersign).
const (
	OutcomeAccept   = "accept"   // acceptance: accepted
	OutcomeRefuse   = "refuse"   // acceptance: not accepted (不予受理), with refusalReason
	OutcomeNotify   = "notify"   // acceptance: notify once (一次性告知), wait for the supplement
	OutcomeApprove  = "approve"  // decision: granted (准予)
	OutcomeReject   = "reject"   // decision: refused (不予准予), with decisionReason
	OutcomeAgree    = "agree"    // countersign: the department agrees
	OutcomeObject   = "object"   // countersign: the department objects, with objection
	OutcomeResolved = "resolved" // coordination: agreement reached, on to the joint decision
	OutcomeRereview = "rereview" // coordination: every co-reviewer reviews again
)

// SupplementMessage is the name of the message that answers a notice: the
// case waits for it at the element SupplementElement.
const SupplementMessage = "supplement"

// Element ids every standard flow shares.
const (
	AcceptanceElement     = "acceptance"     // the acceptance task
	SupplementElement     = "supplement"     // the wait for the supplement (ow:clock="pause")
	DeemedAcceptedElement = "deemedAccepted" // entered when 5 working days passed without a notice
	RefusedElement        = "refused"        // the end event of a refused application
	FinishedElement       = "finished"       // the end event of a decided and delivered case
)

// Step is one user task of a standard flow.
type Step struct {
	// Element is the task's id in the BPMN file.
	Element string `json:"element"`
	// Kind is its ow:stepKind.
	Kind string `json:"kind"`
	// Group names the start variable its candidate group comes from:
	// "leadSection", "section" (one task per element of coReviewers) or
	// "station".
	Group string `json:"group"`
	// Outcomes lists the outcomes the task must complete with; empty means
	// the task completes without one.
	Outcomes []string `json:"outcomes,omitempty"`
}

// Flow describes one standard flow.
type Flow struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// HandlingType is the handling type of the items it suits: immediate
	// or promised.
	HandlingType string `json:"handlingType"`
	Description  string `json:"description"`
	// Steps lists the user tasks in the order a case passes them.
	Steps []Step `json:"steps"`
	// File is the name of the embedded BPMN file.
	File string `json:"file"`
}

var acceptance = Step{Element: AcceptanceElement, Kind: "acceptance", Group: "leadSection",
	Outcomes: []string{OutcomeAccept, OutcomeRefuse, OutcomeNotify}}

var decision = []string{OutcomeApprove, OutcomeReject}

var flows = []Flow{
	{
		Key: Immediate, Name: "标准流程：即办件", HandlingType: "immediate",
		Description: "Immediate item: acceptance (accept, refuse, notify once), a decision on the spot, delivery.",
		Steps: []Step{acceptance,
			{Element: "decision", Kind: "approval", Group: "leadSection", Outcomes: decision},
			{Element: "delivery", Kind: "delivery", Group: "leadSection"}},
	},
	{
		Key: Promised, Name: "标准流程：承诺件（单部门）", HandlingType: "promised",
		Description: "Promised item of one department: acceptance (accept, refuse, notify once), review, approval, certificate (when granted), delivery.",
		Steps: []Step{acceptance,
			{Element: "review", Kind: "review", Group: "leadSection"},
			{Element: "approval", Kind: "approval", Group: "leadSection", Outcomes: decision},
			{Element: "certification", Kind: "certification", Group: "leadSection"},
			{Element: "delivery", Kind: "delivery", Group: "leadSection"}},
	},
	{
		Key: Parallel, Name: "标准流程：并联审批", HandlingType: "promised",
		Description: "Parallel approval: the lead department accepts; every co-reviewing department reviews at the same time and all must agree; " +
			"an objection goes to coordination by the lead department (resolved, or review again); a joint decision; delivery.",
		Steps: []Step{acceptance,
			{Element: "countersign", Kind: "review", Group: "section", Outcomes: []string{OutcomeAgree, OutcomeObject}},
			{Element: "coordination", Kind: "coordination", Group: "leadSection", Outcomes: []string{OutcomeResolved, OutcomeRereview}},
			{Element: "jointDecision", Kind: "approval", Group: "leadSection", Outcomes: decision},
			{Element: "delivery", Kind: "delivery", Group: "leadSection"}},
	},
	{
		Key: Proxy, Name: "标准流程：村（社区）代办", HandlingType: "promised",
		Description: "Village proxy: a station agent submits for the applicant and follows the case; acceptance, review, approval and certificate " +
			"at the department; the result is sent to the station, which hands it over to the applicant.",
		Steps: []Step{acceptance,
			{Element: "review", Kind: "review", Group: "leadSection"},
			{Element: "approval", Kind: "approval", Group: "leadSection", Outcomes: decision},
			{Element: "certification", Kind: "certification", Group: "leadSection"},
			{Element: "dispatch", Kind: "delivery", Group: "leadSection"},
			{Element: "handover", Kind: "delivery", Group: "station"}},
	},
}

func init() {
	for i := range flows {
		flows[i].File = flows[i].Key + ".bpmn"
	}
}

// Flows lists the standard flows in the order above.
func Flows() []Flow {
	out := make([]Flow, len(flows))
	copy(out, flows)
	return out
}

// Get returns the standard flow with key.
func Get(key string) (Flow, bool) {
	i := slices.IndexFunc(flows, func(f Flow) bool { return f.Key == key })
	if i < 0 {
		return Flow{}, false
	}
	return flows[i], true
}

// IsStandard reports whether key names a standard flow.
func IsStandard(key string) bool {
	_, ok := Get(key)
	return ok
}

// XML returns the BPMN file of the standard flow or supervision process key.
func XML(key string) ([]byte, error) {
	f, ok := Get(key)
	if !ok {
		if f, ok = supervisionFlow(key); !ok {
			return nil, fmt.Errorf("no standard flow %q", key)
		}
	}
	return files.ReadFile(f.File)
}
