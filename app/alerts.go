package app

// E-supervision's alerts (电子监察): every alert is recorded with whom it concerns
// (parties.go) and told to the people who can act on it. The engine writes its warning and
// overdue alerts and calls OnAlert (supervision_hooks.go); violations of the published rules
// that no timer checks are recorded with recordRuleAlert.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// ruleText says what a rule forbids, for notifications.
var ruleText = map[string]string{
	store.RuleRefusalWithoutReason: "不予受理未说明理由",
	store.RuleNoticeTwice:          "重复出具一次性告知书",
}

// RecordRuleAlert records a violation of a published rule as an alert (kind violation,
// scope rule), says whom it concerns and tells them, like the engine's alerts. It returns the
// alert id; the same alert (case, rule and key) recorded again changes nothing. Call it
// outside a transaction that is about to roll back (e.g. after a second notice was refused).
func (a *App) RecordRuleAlert(ctx context.Context, r store.RuleAlert) (string, error) {
	if r.At.IsZero() {
		r.At = a.now()
	}
	var id string
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		var err error
		if id, err = store.RecordRuleAlert(ctx, tx, r); err != nil {
			return err
		}
		return a.enrichAlert(ctx, tx, out, id)
	})
	return id, err
}

// enrichAlert records whom an alert concerns, writes its notifications and audits it, once:
// an alert enriched before is left as it is (the engine calls OnAlert at least once per
// alert).
func (a *App) enrichAlert(ctx context.Context, tx *sqlx.Tx, out *Outbox, alertID string) error {
	al, err := store.GetAlert(ctx, tx, alertID)
	if err != nil {
		return err
	}
	if al.EnrichedAt != nil {
		return nil
	}
	p, err := a.partiesOf(ctx, tx, al.CaseID, deref(al.TaskID))
	if err != nil {
		return err
	}
	first, err := store.SetAlertParties(ctx, tx, alertID, store.AlertParties{ItemID: p.ItemID, DepartmentID: p.DepartmentID,
		WindowID: p.WindowID, PersonID: p.PersonID}, a.now())
	if err != nil || !first {
		return err
	}
	out.Audit(nil, "alert."+al.Kind, al.CaseID, "alert:"+alertID, al)
	recipients, err := alertRecipients(ctx, tx, al, p)
	if err != nil {
		return err
	}
	title, body := alertText(al)
	for _, user := range recipients {
		n := &store.Notification{Recipient: user, UserID: user, Source: "alert:" + alertID, Kind: al.Kind, CaseID: al.CaseID,
			TaskID: deref(al.TaskID), Title: title, Body: body}
		if err := store.AddNotification(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// alertRecipients are whom an alert is told to: the person working on it, else the clerks,
// reviewers and agents of the units its tasks are offered to; and, for overdue alerts and
// violations, the supervisors over its department and over its window. A supervisor hears
// only of what lies in their part of the org tree: an alert of neither department nor window
// reaches none.
func alertRecipients(ctx context.Context, q store.Q, al *store.SupervisedAlert, p *parties) ([]string, error) {
	var out []string
	add := func(ids []string) {
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	if p.PersonID != "" {
		add([]string{p.PersonID})
	} else {
		staff, err := store.MembersOfUnits(ctx, q, p.Groups, []string{store.RoleClerk, store.RoleReviewer, store.RoleAgent})
		if err != nil {
			return nil, err
		}
		add(staff)
	}
	if al.Kind != store.AlertOverdue && al.Kind != store.AlertViolation {
		return out, nil
	}
	for _, unit := range []string{p.DepartmentID, p.WindowID} {
		if unit == "" {
			continue
		}
		sup, err := store.SupervisorsOver(ctx, q, unit)
		if err != nil {
			return nil, err
		}
		add(sup)
	}
	return out, nil
}

// alertText is the title and body of an alert's notification, in the words of the service
// centre; dates in Beijing time.
func alertText(al *store.SupervisedAlert) (string, string) {
	what := "办件 " + al.CaseID
	switch {
	case al.TaskName != nil && *al.TaskName != "":
		what += " 的「" + *al.TaskName + "」环节"
	case al.ElementID != nil:
		what += " 的 " + *al.ElementID + " 环节"
	}
	due := al.DueAt.In(store.CaseZone).Format("2006-01-02 15:04")
	limit := map[string]string{store.ScopeCase: "承诺时限", store.ScopeStatutory: "法定时限", store.ScopeTask: "环节时限"}[al.Scope]
	switch al.Kind {
	case store.AlertWarning:
		return "黄牌预警：" + what, fmt.Sprintf("%s将于 %s 达到%s，请抓紧办理。", what, due, limit)
	case store.AlertOverdue:
		return "红牌超时：" + what, fmt.Sprintf("%s已于 %s 超过%s。", what, due, limit)
	}
	rule := deref(al.Rule)
	if t := ruleText[rule]; t != "" {
		rule = t
	}
	return "违规提醒：" + what, strings.TrimSpace(fmt.Sprintf("%s：%s。%s", what, rule, deref(al.Detail)))
}
