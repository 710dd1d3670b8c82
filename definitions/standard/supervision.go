package standard

import "slices"

// Keys of the processes e-supervision runs (they are not item flows: no item picks them).
const (
	// Rectification is the rectification after a poor rating (好差评整改): the rated
	// department's section rectifies within 15 working days (task rectify), e-supervision
	// reviews it (task followUp: outcome accepted, or redo back to rectify).
	Rectification = "std-rectification"
	// Complaint is a complaint (投诉) about a case, a window or a department: register,
	// assign (variable handler), handle, reply (variable reply), the complainant is told
	// (notify handler) and confirms (task confirm, or confirmByPhone for someone without an
	// account: outcome satisfied or unsatisfied, back to handle).
	Complaint = "std-complaint"
	// Disclosure is an information-disclosure request (依申请公开): the disclosure desk
	// registers and assigns it (variable handler), the handler replies (variable reply) with
	// one of the DisclosureReplies as outcome, and the requester is told (notify handler).
	Disclosure = "std-disclosure"
)

// Outcomes of a disclosure request's reply (政府信息公开条例 §36).
const (
	ReplyDisclose = "disclose" // 予以公开
	ReplyPartial  = "partial"  // 部分公开
	ReplyWithhold = "withhold" // 不予公开
	ReplyNotHeld  = "notHeld"  // 信息不存在
	ReplyNotOurs  = "notOurs"  // 非本机关负责公开
)

// DisclosureReplies lists the outcomes of a disclosure request's reply.
var DisclosureReplies = []string{ReplyDisclose, ReplyPartial, ReplyWithhold, ReplyNotHeld, ReplyNotOurs}

// Outcomes of the supervision processes' tasks.
const (
	OutcomeAccepted    = "accepted"    // followUp: the rectification is done
	OutcomeRedo        = "redo"        // followUp: rectify again
	OutcomeSatisfied   = "satisfied"   // confirm: the complainant is satisfied
	OutcomeUnsatisfied = "unsatisfied" // confirm: handle the complaint again
)

var supervisionFlows = []Flow{
	{
		Key: Rectification, Name: "差评整改", File: Rectification + ".bpmn",
		Description: "Rectification after a poor rating: the department's section rectifies (15 working days), e-supervision reviews it (accepted, or redo).",
		Steps: []Step{
			{Element: "rectify", Group: "section"},
			{Element: "followUp", Group: "supervisionUnit", Outcomes: []string{OutcomeAccepted, OutcomeRedo}},
		},
	},
	{
		Key: Complaint, Name: "投诉处理", File: Complaint + ".bpmn",
		Description: "A complaint: register, assign, handle, reply, the complainant confirms (satisfied, or unsatisfied: handle again).",
		Steps: []Step{
			{Element: "register", Group: "complaintDesk"},
			{Element: "assign", Group: "complaintDesk"},
			{Element: "handle", Group: "handler"},
			{Element: "reply", Group: "complaintDesk"},
			{Element: "confirm", Group: "complainant", Outcomes: []string{OutcomeSatisfied, OutcomeUnsatisfied}},
			{Element: "confirmByPhone", Group: "complaintDesk", Outcomes: []string{OutcomeSatisfied, OutcomeUnsatisfied}},
		},
	},
	{
		Key: Disclosure, Name: "政府信息公开申请", File: Disclosure + ".bpmn",
		Description: "An information-disclosure request: register, assign, reply (20 working days, extendable once by 20 with a reason), the requester is told.",
		Steps: []Step{
			{Element: "register", Group: "disclosureDesk"},
			{Element: "assign", Group: "disclosureDesk"},
			{Element: "reply", Group: "handler", Outcomes: DisclosureReplies},
		},
	},
}

// Supervision lists the processes e-supervision runs: rectification, complaint and disclosure request.
func Supervision() []Flow { return slices.Clone(supervisionFlows) }

// supervisionFlow returns the supervision process with key.
func supervisionFlow(key string) (Flow, bool) {
	i := slices.IndexFunc(supervisionFlows, func(f Flow) bool { return f.Key == key })
	if i < 0 {
		return Flow{}, false
	}
	return supervisionFlows[i], true
}
