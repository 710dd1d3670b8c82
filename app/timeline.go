package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"onewindow/definitions"
	"onewindow/definitions/standard"
	"onewindow/store"
)

// TimelineEntry is one event of a case's timeline in plain words.
type TimelineEntry struct {
	At time.Time `json:"at"`
	// Kind is an action (submit, claim, complete, handover, delegate, resolve, return, recall,
	// addSigner, removeSigner, comment, supplement, withdraw) or a flow event (stepStarted,
	// deemedAccepted, ended).
	Kind string `json:"kind" example:"complete"`
	Text Words  `json:"text"`
	// Step names the step concerned.
	Step string `json:"step,omitempty" example:"受理"`
	// Actor is who acted (left out on the public page), Unit the unit they acted for.
	Actor   string `json:"actor,omitempty" example:"一号窗口 王丽"`
	Unit    string `json:"unit,omitempty" example:"北流市发展和改革局行政审批股"`
	Comment string `json:"comment,omitempty"`
}

// namer resolves org units and users to names for one request.
type namer struct {
	a     *App
	ctx   context.Context
	units map[string]string
	users map[string]string
}

func (a *App) namer(ctx context.Context) *namer {
	return &namer{a: a, ctx: ctx, units: map[string]string{}, users: map[string]string{}}
}

// unitByCode names the unit with code (the code itself when unknown).
func (n *namer) unitByCode(code string) string {
	if code == "" {
		return ""
	}
	if s, ok := n.units["code:"+code]; ok {
		return s
	}
	name := code
	if u, err := store.GetOrgUnitByCode(n.ctx, n.a.db, code); err == nil {
		name = u.Name
	}
	n.units["code:"+code] = name
	return name
}

// unitByID names the unit with id.
func (n *namer) unitByID(id string) string {
	if id == "" {
		return ""
	}
	if s, ok := n.units[id]; ok {
		return s
	}
	name := id
	if u, err := store.GetOrgUnit(n.ctx, n.a.db, id); err == nil {
		name = u.Name
	}
	n.units[id] = name
	return name
}

// user names the user with id (or username).
func (n *namer) user(id string) string {
	if id == "" {
		return ""
	}
	if s, ok := n.users[id]; ok {
		return s
	}
	name := id
	if u, err := store.GetUser(n.ctx, n.a.db, id); err == nil {
		name = u.DisplayName
	} else if u, err := store.GetUserByUsername(n.ctx, n.a.db, id); err == nil {
		name = u.DisplayName
	}
	n.users[id] = name
	return name
}

var channelWords = map[string]Words{
	store.ChannelOnline:  {"网上", "online"},
	store.ChannelWindow:  {"窗口", "at a window"},
	store.ChannelStation: {"便民服务站代办", "through a station's proxy agent"},
}

// audience is who reads a timeline. Staff read everything. The applicant's side and the
// public read no names of staff and no internal opinions (内部意见); the public page reads no
// names of people at all.
type audience int

const (
	forStaff audience = iota
	forApplicant
	forPublic
)

// actionEntry puts an action into plain words for who.
func actionEntry(a *store.Action, f *flow, n *namer, who audience) TimelineEntry {
	step := f.name(a.ElementID)
	e := TimelineEntry{At: a.At, Kind: a.Action, Step: step, Actor: a.ActorName, Comment: a.Comment}
	if a.UnitCode != "" {
		e.Unit = n.unitByCode(a.UnitCode)
	}
	under := Words{}
	if a.Authority == AuthorityDelegation {
		under = Words{fmt.Sprintf("（受%s委托）", n.unitByCode(a.UnitCode)), fmt.Sprintf(" (under the delegation of %s)", n.unitByCode(a.UnitCode))}
	}
	target := Words{n.user(a.TargetUser), n.user(a.TargetUser)}
	if who != forStaff {
		target = Words{"其他工作人员", "a colleague"}
	}
	switch a.Action {
	case store.ActionSubmit:
		ch := channelWords[fmt.Sprint(a.Detail["channel"])]
		e.Text = Words{ch.Zh + "提交了申请", "Application submitted " + ch.En}
		if ch.Zh == "" {
			e.Text = Words{"提交了申请", "Application submitted"}
		}
	case store.ActionClaim:
		e.Text = Words{fmt.Sprintf("开始办理「%s」%s", step, under.Zh), fmt.Sprintf("Took up %q%s", step, under.En)}
	case store.ActionUnclaim:
		e.Text = Words{fmt.Sprintf("将「%s」放回待办", step), fmt.Sprintf("Put %q back for the team", step)}
	case store.ActionComplete:
		e.Text = completionWords(a, step, under, who == forStaff || publicOpinions(f, a.ElementID))
	case store.ActionHandover:
		e.Text = Words{fmt.Sprintf("将「%s」转交%s办理", step, target.Zh), fmt.Sprintf("Handed %q over to %s", step, target.En)}
	case store.ActionDelegate:
		e.Text = Words{fmt.Sprintf("委派%s协助办理「%s」", target.Zh, step), fmt.Sprintf("Asked %s to work on %q", target.En, step)}
	case store.ActionResolve:
		e.Text = Words{fmt.Sprintf("委派办理完毕，「%s」交回%s", step, target.Zh), fmt.Sprintf("Delegated work on %q done, back to %s", step, target.En)}
	case store.ActionReturn:
		to := f.name(a.Target)
		e.Text = Words{fmt.Sprintf("将案件从「%s」退回至「%s」", step, to), fmt.Sprintf("Returned the case from %q to %q", step, to)}
	case store.ActionRecall:
		e.Text = Words{fmt.Sprintf("撤回了「%s」的办理结果，重新办理", step), fmt.Sprintf("Recalled the completion of %q to redo it", step)}
	case store.ActionAddSigner:
		sec := n.unitByCode(a.Target)
		e.Text = Words{fmt.Sprintf("「%s」增加会签部门：%s", step, sec), fmt.Sprintf("Added %s to the countersign %q", sec, step)}
	case store.ActionRemoveSigner:
		sec := n.unitByCode(a.Target)
		e.Text = Words{fmt.Sprintf("「%s」减少会签部门：%s", step, sec), fmt.Sprintf("Removed %s from the countersign %q", sec, step)}
	case store.ActionComment:
		e.Text = Words{"填写了意见", "Commented"}
	case store.ActionSupplement:
		k := len(anyList(a.Detail["materials"]))
		e.Text = Words{fmt.Sprintf("提交了补正材料（%d 项）", k), fmt.Sprintf("Supplement handed in (%d materials)", k)}
	case store.ActionWithdraw:
		e.Text = Words{"申请人撤回了申请", "The applicant withdrew the application"}
	case store.ActionAttach:
		k := len(anyList(a.Detail["files"]))
		e.Text = Words{fmt.Sprintf("上传了「%s」的结果文书（%d 份）", step, k), fmt.Sprintf("Attached the result documents of %q (%d)", step, k)}
	case store.ActionExtend:
		e.Text = Words{"延长答复期限。理由：" + fmt.Sprint(a.Detail["reason"]), "Extended the time limit. Reason: " + fmt.Sprint(a.Detail["reason"])}
	default:
		e.Text = Words{a.Action, a.Action}
	}
	return e
}

// publicOpinions reports whether the step of element marks its opinions public.
func publicOpinions(f *flow, element string) bool {
	n := f.node(element)
	return n != nil && n.Step != nil && n.Step.PublicOpinions
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// completionWords says what a completion decided; opinions says whether the reader may read
// an objection's words (refusal and rejection reasons are always the applicant's to read).
func completionWords(a *store.Action, step string, under Words, opinions bool) Words {
	reason := fmt.Sprint(a.Detail["reason"])
	if a.Detail["reason"] == nil {
		reason = ""
	}
	switch a.Outcome {
	case standard.OutcomeAccept:
		if missing := anyList(a.Detail["deficiencies"]); len(missing) > 0 {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = fmt.Sprint(m)
			}
			list, date := strings.Join(names, "、"), fmt.Sprint(a.Detail["promisedDate"])
			return Words{fmt.Sprintf("容缺受理：%s 待补，申请人承诺于 %s 前补齐%s", list, date, under.Zh),
				fmt.Sprintf("Accepted with deficiencies: %s to follow by %s%s", list, date, under.En)}
		}
		return Words{"申请材料齐全、符合法定形式，予以受理" + under.Zh, "Application accepted" + under.En}
	case standard.OutcomeRefuse:
		return Words{"不予受理。理由：" + reason + under.Zh, "Not accepted. Reason: " + reason + under.En}
	case standard.OutcomeNotify:
		k := len(anyList(a.Detail["materials"]))
		return Words{fmt.Sprintf("出具一次性告知书，需补正 %d 项材料%s", k, under.Zh), fmt.Sprintf("Notice issued: %d materials to supplement%s", k, under.En)}
	case standard.OutcomeApprove:
		return Words{fmt.Sprintf("「%s」：准予%s", step, under.Zh), fmt.Sprintf("%s: granted%s", step, under.En)}
	case standard.OutcomeReject:
		return Words{fmt.Sprintf("「%s」：不予准予。理由：%s%s", step, reason, under.Zh), fmt.Sprintf("%s: not granted. Reason: %s%s", step, reason, under.En)}
	case standard.OutcomeAgree:
		return Words{fmt.Sprintf("「%s」：同意%s", step, under.Zh), fmt.Sprintf("%s: agreed%s", step, under.En)}
	case standard.OutcomeObject:
		if !opinions {
			return Words{fmt.Sprintf("「%s」：提出异议，由牵头部门协调%s", step, under.Zh), fmt.Sprintf("%s: objected; the lead department coordinates%s", step, under.En)}
		}
		return Words{fmt.Sprintf("「%s」：提出异议：%s%s", step, reason, under.Zh), fmt.Sprintf("%s: objected: %s%s", step, reason, under.En)}
	case standard.OutcomeResolved:
		return Words{"牵头部门协调一致" + under.Zh, "The lead department resolved the objections" + under.En}
	case standard.OutcomeRereview:
		return Words{"牵头部门协调后，各部门重新审查" + under.Zh, "After coordination every department reviews again" + under.En}
	case "":
		return Words{fmt.Sprintf("完成「%s」%s", step, under.Zh), fmt.Sprintf("Completed %q%s", step, under.En)}
	}
	return Words{fmt.Sprintf("完成「%s」，结果：%s%s", step, a.Outcome, under.Zh), fmt.Sprintf("Completed %q with %s%s", step, a.Outcome, under.En)}
}

// flowEntries puts the case's flow events into plain words: steps started, deemed
// acceptance, the end.
func flowEntries(hist []store.ElementEvent, f *flow, c *store.Case) []TimelineEntry {
	var out []TimelineEntry
	seen := map[string]bool{}
	for _, h := range hist {
		if h.Kind != "entered" || f == nil {
			continue
		}
		n := f.node(h.ElementID)
		if n == nil {
			continue
		}
		switch {
		case n.Kind == definitions.UserTask:
			key := fmt.Sprintf("%s/%d", h.ElementID, h.Seq)
			if seen[key] {
				continue // the instances of a multi-instance step start together
			}
			seen[key] = true
			name := f.name(h.ElementID)
			out = append(out, TimelineEntry{At: h.At, Kind: "stepStarted", Step: name,
				Text: Words{fmt.Sprintf("进入「%s」环节", name), fmt.Sprintf("Step %q started", name)}})
		case n.Clock == definitions.ClockStartAtReceipt:
			out = append(out, TimelineEntry{At: h.At, Kind: "deemedAccepted",
				Text: Words{"自收到申请之日起5个工作日内未告知补正，依法视为受理", "No notice within 5 working days of receipt: accepted by law"}})
		case n.Kind == definitions.EndEvent:
			w := Words{"办件结束", "The case ended"}
			switch {
			case h.ElementID == standard.RefusedElement || c.Decision == store.DecisionRefuse:
				w = Words{"不予受理，办件结束", "Not accepted: the case ended"}
			case c.Decision != "":
				d := decisionWords[c.Decision]
				w = Words{"已办结（" + d.Zh + "）", "Finished (" + strings.ToLower(d.En) + ")"}
			}
			out = append(out, TimelineEntry{At: h.At, Kind: "ended", Text: w})
		}
	}
	return out
}

// procedureEntries puts the case's special procedures into plain words: each pause of the
// clock with its reason, and its end.
func procedureEntries(ps []store.Procedure) []TimelineEntry {
	var out []TimelineEntry
	for _, p := range ps {
		kind := procedureWords[p.Kind]
		if kind.Zh == "" {
			kind = Words{p.Kind, p.Kind}
		}
		out = append(out, TimelineEntry{At: p.StartedAt, Kind: "procedureStarted", Comment: p.Reason,
			Text: Words{fmt.Sprintf("启动特别程序（%s），暂停计时。理由：%s", kind.Zh, p.Reason), fmt.Sprintf("Special procedure (%s) started, the clock paused. Reason: %s", kind.En, p.Reason)}})
		if p.EndedAt != nil {
			out = append(out, TimelineEntry{At: *p.EndedAt, Kind: "procedureEnded",
				Text: Words{fmt.Sprintf("特别程序（%s）结束，恢复计时", kind.Zh), fmt.Sprintf("Special procedure (%s) ended, the clock runs again", kind.En)}})
		}
	}
	return out
}

var procedureWords = map[string]Words{
	store.ProcedureHearing:      {"听证", "hearing"},
	store.ProcedureExpertReview: {"专家评审", "expert review"},
	store.ProcedureSurvey:       {"现场勘查", "on-site survey"},
	store.ProcedurePublicNotice: {"公示", "public notice"},
}

// timeline merges a case's actions, flow events and special procedures in time order for
// who. Outside staff the opinions written with an action (internal unless the step marks
// them public) and the names of staff are left out; the applicant's own words stay, but for
// the public.
func timeline(actions []store.Action, hist []store.ElementEvent, procs []store.Procedure, f *flow, c *store.Case, n *namer, who audience) []TimelineEntry {
	out := []TimelineEntry{}
	for i := range actions {
		x := &actions[i]
		if who != forStaff && !x.Public {
			continue
		}
		e := actionEntry(x, f, n, who)
		own := x.Action == store.ActionSupplement || x.Action == store.ActionWithdraw || x.Action == store.ActionSubmit
		switch {
		case who == forStaff:
		case who == forApplicant && own:
		case who == forApplicant && publicOpinions(f, x.ElementID):
			e.Actor = ""
		default:
			e.Actor, e.Comment = "", ""
		}
		if who == forPublic {
			e.Actor, e.Comment = "", ""
		}
		out = append(out, e)
	}
	out = append(out, flowEntries(hist, f, c)...)
	out = append(out, procedureEntries(procs)...)
	if who == forPublic {
		for i := range out {
			out[i].Comment = ""
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
