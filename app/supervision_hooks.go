package app

// E-supervision's part in the engine: the engine calls these hooks while it runs cases. They
// are given to the engine when it is built (serve.go builds the App first, the engine with
// the App's hooks, and then gives the App its engine with UseEngine).

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/store"
)

// EngineHooks are the App's callbacks for engine.Config: OnAlert, Observer and the built-in
// service handlers.
type EngineHooks struct {
	OnAlert  func(ctx context.Context, a engine.Alert) error
	Observer func(ctx context.Context, b *engine.Batch) error
	Handlers map[string]engine.Handler
}

// NotifyHandler is the name service tasks give in ow:handler to run the notify handler.
const NotifyHandler = "notify"

// EngineHooks returns the hooks the engine calls e-supervision with: alerts recorded with
// whom they concern and told to them, each step checked against the published rules, and the
// notify handler.
func (a *App) EngineHooks() EngineHooks {
	return EngineHooks{OnAlert: a.onAlert, Observer: a.observe, Handlers: map[string]engine.Handler{NotifyHandler: a.notify}}
}

// onAlert implements engine.Config.OnAlert: it records whom the alert the engine just wrote
// concerns, tells them, and records its event (once, however often it is called).
func (a *App) onAlert(ctx context.Context, al engine.Alert) error {
	return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if err := a.enrichAlert(ctx, tx, out, al.ID); err != nil {
			return err
		}
		return out.alertEvent(al.ID)
	})
}

// observe implements engine.Config.Observer: it checks each step of a case against the
// published rules the step can break (an acceptance completed with outcome refuse and no
// refusalReason), and ends the special procedures and records the end event of a case that
// has ended. It runs at least once per step and what it records is idempotent; an error
// fails the step's Apply activity, which is retried, so that a rule alert or the end event is
// not lost when the database fails just after the batch was written.
func (a *App) observe(ctx context.Context, b *engine.Batch) error {
	if err := a.checkStep(ctx, b); err != nil {
		a.log.Warn("e-supervision could not check a step; the step's Apply is retried", "case", b.CaseID, "seq", b.Seq, "err", err)
		return err
	}
	return nil
}

func (a *App) checkStep(ctx context.Context, b *engine.Batch) error {
	for _, h := range b.History {
		if h.Kind != "completed" || h.Element == "" || !isRefusal(h.Detail) {
			continue
		}
		if reason := strings.TrimSpace(fmt.Sprint(b.Vars[definitions.VarRefusalReason])); b.Vars[definitions.VarRefusalReason] != nil && reason != "" {
			continue
		}
		tasks, err := store.CaseTasks(ctx, a.db, b.CaseID, "")
		if err != nil {
			return err
		}
		taskID := ""
		for _, t := range tasks { // oldest first: the last of the element's acceptance tasks
			if t.ElementID == h.Element && deref(t.StepKind) == definitions.StepAcceptance {
				taskID = t.ID
			}
		}
		if taskID == "" {
			continue // not an acceptance step: other steps may refuse without the rule applying
		}
		_, err = a.RecordRuleAlert(ctx, store.RuleAlert{CaseID: b.CaseID, TaskID: taskID, Element: h.Element, StepKind: definitions.StepAcceptance,
			Rule: store.RuleRefusalWithoutReason, Detail: "acceptance completed with outcome " + h.Detail + " and no refusalReason",
			Key: fmt.Sprintf("%d.%d", h.Seq, h.Index), At: h.At})
		if err != nil {
			return err
		}
	}
	if store.CaseEnded(b.Status) {
		return a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
			n, err := store.EndOpenProcedures(ctx, tx, b.CaseID, "the case ended ("+b.Status+")", b.At)
			if err != nil {
				return err
			}
			if n > 0 {
				out.Audit(nil, "procedure.endAll", b.CaseID, "case:"+b.CaseID, map[string]any{"ended": n, "status": b.Status})
			}
			return out.endEvent(b.CaseID, b.Status, b.At)
		})
	}
	return nil
}

func isRefusal(outcome string) bool {
	switch strings.ToLower(outcome) {
	case "refuse", "refused":
		return true
	}
	return false
}
