package app

// Deliveries to the world outside: webhook events to subscribers (webhook_send.go) and
// notifications to people (notify_send.go). Each delivery runs as a durable workflow of
// attempts (engine/outbound); the App makes the deliveries (fan-out of new events to the
// subscriptions, new notifications) and says what one attempt does. RunOutbound dispatches
// until its context ends; a change that wrote events nudges it.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/outbound"
	"onewindow/store"
)

// Kinds of delivery.
const (
	DeliveryWebhook      = "webhook"
	DeliveryNotification = "notification"
)

// OutboundConfig configures the deliveries; zero fields get the defaults documented on them.
type OutboundConfig struct {
	// WebhookTimeout bounds one webhook request, from connecting to the end of the answer;
	// default 10s. A receiver that hangs fails the attempt and holds up nothing else.
	WebhookTimeout time.Duration
	// RetryFirst is the wait after the first failed attempt (default 30s); it doubles up to
	// RetryMax (default 1h). GiveUpAfter ends a delivery's attempts, and disables a webhook
	// subscription that failed that long without a success (default 24h).
	RetryFirst, RetryMax, GiveUpAfter time.Duration
	// SelfAddrs are the host:port addresses this server listens on: a webhook URL naming one
	// is refused like a loopback address.
	SelfAddrs []string
	// Sender sends notifications to people (default: the log sender); SMS sends to the
	// contacts without an account ("tel:"), when a gateway is configured.
	Sender Sender
	SMS    Sender
}

func (c OutboundConfig) withDefaults(log *slog.Logger) OutboundConfig {
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 10 * time.Second
	}
	if c.RetryFirst <= 0 {
		c.RetryFirst = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = time.Hour
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = 24 * time.Hour
	}
	if c.Sender == nil {
		c.Sender = LogSender{Log: log}
	}
	return c
}

// outboundState is the App's part in deliveries.
type outboundState struct {
	cfg    OutboundConfig
	runner *outbound.Runner
	kick   chan struct{}
	// strict and lax are the webhook clients: strict refuses addresses on this machine, lax
	// (for subscriptions an admin allowed loopback) does not.
	strict, lax *http.Client
}

func newOutbound(cfg OutboundConfig, log *slog.Logger) *outboundState {
	cfg = cfg.withDefaults(log)
	o := &outboundState{cfg: cfg, kick: make(chan struct{}, 1)}
	o.strict, o.lax = webhookClient(cfg, false), webhookClient(cfg, true)
	return o
}

// UseOutbound gives the App the runner of its deliveries (made over the engine's backend with
// the App's AttemptDelivery and GiveUpDelivery). Call it once, before RunOutbound.
func (a *App) UseOutbound(r *outbound.Runner) { a.out.runner = r }

// nudgeOutbound wakes RunOutbound: new events were written.
func (a *App) nudgeOutbound() {
	select {
	case a.out.kick <- struct{}{}:
	default:
	}
}

// RunOutbound makes and starts deliveries until ctx ends: at once when nudged, and every
// interval in any case (notifications, events of other processes, a start that failed).
func (a *App) RunOutbound(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := a.DispatchOutbound(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("dispatching deliveries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-a.out.kick:
		case <-t.C:
		}
	}
}

// DispatchOutbound makes the deliveries of the events written since the last call to each
// active subscription, and starts the workflows of the deliveries and notifications that have
// none; it returns how many it started. A workflow started twice is started once.
func (a *App) DispatchOutbound(ctx context.Context) (int, error) {
	if a.out.runner == nil {
		return 0, nil
	}
	if err := a.fanOut(ctx); err != nil {
		return 0, err
	}
	n := 0
	dels, err := store.UnstartedDeliveries(ctx, a.db, 200)
	if err != nil {
		return 0, err
	}
	for _, d := range dels {
		if err := a.out.runner.Enqueue(ctx, a.delivery(DeliveryWebhook, d.ID, d.Run)); err != nil {
			return n, err
		}
		if err := store.MarkDeliveryStarted(ctx, a.db, d.ID, d.Run); err != nil {
			return n, err
		}
		n++
	}
	notes, err := store.UnsentNotifications(ctx, a.db, 200)
	if err != nil {
		return n, err
	}
	for _, id := range notes {
		if err := a.out.runner.Enqueue(ctx, a.delivery(DeliveryNotification, id, 1)); err != nil {
			return n, err
		}
		if err := store.MarkNotificationStarted(ctx, a.db, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (a *App) delivery(kind, id string, run int) outbound.Delivery {
	c := a.out.cfg
	return outbound.Delivery{Kind: kind, ID: id, Run: run, Backoff: c.RetryFirst, MaxBackoff: c.RetryMax, GiveUpAfter: c.GiveUpAfter}
}

// fanOut makes deliveries of the new events to every active subscription that wants them.
func (a *App) fanOut(ctx context.Context) error {
	after := ""
	for {
		subs, err := store.ListSubscriptions(ctx, a.db, store.SubscriptionFilter{State: store.SubscriptionActive, After: after, Limit: 100})
		if err != nil {
			return err
		}
		for _, s := range subs {
			if err := a.fanOutTo(ctx, &s); err != nil {
				return err
			}
		}
		if len(subs) < 100 {
			return nil
		}
		after = subs[len(subs)-1].ID
	}
}

// fanOutTo makes deliveries of the events after its cursor to subscription s, a batch at a time.
func (a *App) fanOutTo(ctx context.Context, s *store.Subscription) error {
	for {
		evs, err := store.ListEvents(ctx, a.db, store.EventFilter{After: s.Cursor, Limit: 500})
		if err != nil || len(evs) == 0 {
			return err
		}
		var want []store.Event
		for _, e := range evs {
			if subscribed(s, &e) {
				want = append(want, e)
			}
		}
		last := evs[len(evs)-1].Seq
		err = a.db.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := store.AddDeliveries(ctx, tx, s.ID, want); err != nil {
				return err
			}
			return store.AdvanceSubscription(ctx, tx, s.ID, last)
		})
		if err != nil {
			return fmt.Errorf("deliveries of %s: %w", s.ID, err)
		}
		s.Cursor = last
		if len(evs) < 500 {
			return nil
		}
	}
}

// subscribed reports whether subscription s wants event e: one of its types (or any), of its
// department (or any, for an admin's without one).
func subscribed(s *store.Subscription, e *store.Event) bool {
	if s.DepartmentID != "" && e.DepartmentID != s.DepartmentID {
		return false
	}
	if len(s.Types) == 0 {
		return true
	}
	for _, t := range s.Types {
		if t == e.Type {
			return true
		}
	}
	return false
}

// AttemptDelivery makes attempt n of a delivery (outbound.Config.Attempt).
func (a *App) AttemptDelivery(ctx context.Context, d outbound.Delivery, n int) (outbound.Result, error) {
	var done bool
	var err error
	switch d.Kind {
	case DeliveryWebhook:
		done, err = a.attemptWebhook(ctx, d, n)
	case DeliveryNotification:
		done, err = a.attemptNotification(ctx, d, n)
	default:
		return outbound.Result{Done: true}, fmt.Errorf("no delivery of kind %q", d.Kind)
	}
	if errors.Is(err, store.ErrNotFound) {
		return outbound.Result{Done: true}, nil // deleted since: nothing to deliver
	}
	return outbound.Result{Done: done}, err
}

// GiveUpDelivery ends a delivery whose attempts went on past the deadline
// (outbound.Config.GiveUp).
func (a *App) GiveUpDelivery(ctx context.Context, d outbound.Delivery) error {
	reason := fmt.Sprintf("gave up after %s of failed attempts", a.out.cfg.GiveUpAfter)
	switch d.Kind {
	case DeliveryWebhook:
		return store.EndDelivery(ctx, a.db, d.ID, d.Run, reason)
	case DeliveryNotification:
		return store.RecordNotificationAttempt(ctx, a.db, d.ID, store.NotificationAttempt{State: store.NotificationFailed, Error: reason})
	}
	return nil
}
