package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// notify is the built-in notify handler (ow:handler="notify"): it writes a notification to
// the outbox for each recipient, read through GET /api/v1/notifications and later delivered
// to other systems. It reads the case's variables:
//
//	notifyTo       user id or list of user ids (default: the variable applicant, else complainant)
//	notifyGroups   org unit code or list of codes: their staff (clerks, reviewers, agents, supervisors)
//	notifyContact  a phone number for someone without an account (default: contactPhone
//	               when there is no user to notify)
//	notifyTitle    the title (default 办件通知)
//	notifyMessage  the text (default: the variable reply, else a line naming the step)
//
// It is idempotent on the call's case and wait.
func (a *App) notify(ctx context.Context, call engine.HandlerCall) (map[string]any, error) {
	v := call.Vars
	users := stringList(v["notifyTo"])
	if len(users) == 0 {
		for _, k := range []string{"applicant", "complainant"} {
			if u := varString(v, k); u != "" {
				users = append(users, u)
				break
			}
		}
	}
	title := varString(v, "notifyTitle")
	if title == "" {
		title = "办件通知"
	}
	body := varString(v, "notifyMessage")
	if body == "" {
		body = varString(v, "reply")
	}
	if body == "" {
		body = "办件 " + call.CaseID + " 有新进展（" + call.Element + "）。"
	}
	source := "handler:" + call.CaseID + "/" + call.WaitID
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(nil, "case.notify", call.CaseID, source, map[string]string{"title": title, "body": body})
		staff, err := store.MembersOfUnits(ctx, tx, stringList(v["notifyGroups"]),
			[]string{store.RoleClerk, store.RoleReviewer, store.RoleAgent, store.RoleSupervisor})
		if err != nil {
			return err
		}
		sent := 0
		for _, u := range append(users, staff...) {
			if _, err := store.GetUser(ctx, tx, u); errors.Is(err, store.ErrNotFound) {
				continue // a user deleted since: nobody to tell
			} else if err != nil {
				return err
			}
			if err := store.AddNotification(ctx, tx, &store.Notification{Recipient: u, UserID: u, Source: source, Kind: "message",
				CaseID: call.CaseID, Title: title, Body: body}); err != nil {
				return err
			}
			sent++
		}
		contact := varString(v, "notifyContact")
		if contact == "" && sent == 0 {
			contact = varString(v, "contactPhone")
		}
		if contact == "" {
			return nil
		}
		return store.AddNotification(ctx, tx, &store.Notification{Recipient: "tel:" + contact, Source: source, Kind: "message",
			CaseID: call.CaseID, Title: title, Body: body})
	})
	if err != nil {
		return nil, fmt.Errorf("notify for case %s: %w", call.CaseID, err)
	}
	return nil, nil
}

// stringList reads a variable holding a string or a list of strings.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

// notifyDecision tells an online applicant the decision on their application (结果告知) in the
// transaction that records it, so that nobody is told of a decision that was not stored. A
// decision undone by a return and made again tells them again (one notification per deciding
// task, so a retried completion does not tell them twice).
func notifyDecision(ctx context.Context, tx *sqlx.Tx, k *store.Case, taskID, decision, reason string) error {
	if k.Applicant.UserID == "" {
		return nil // a walk-in applicant without an account hears it at the window
	}
	words := decisionWords[decision].Zh
	body := fmt.Sprintf("您申请的《%s》（办件编号 %s）已作出决定：%s。", k.ItemName, k.Number, words)
	if decision != store.DecisionApprove && reason != "" {
		body += "理由：" + reason
	}
	if err := store.AddNotification(ctx, tx, &store.Notification{Recipient: k.Applicant.UserID, UserID: k.Applicant.UserID,
		Source: "decision:" + taskID, Kind: "message", CaseID: k.ID, TaskID: taskID, Title: "办件结果：" + words, Body: body}); err != nil {
		return fmt.Errorf("notify case %s's decision: %w", k.ID, err)
	}
	return nil
}
