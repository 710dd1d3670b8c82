package app

// Webhook subscriptions: a department system subscribes to its department's events, an admin
// to any department's or every one's. Each subscription has a secret, shown once, that signs
// every request (webhook_send.go); its delivery log says what was sent and how it went, and a
// failed delivery can be sent again by hand.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// Codes of webhook subscriptions.
const (
	CodeWebhookURL = "webhook_url_refused" // 400: not http(s), or on this machine without the admin's leave
)

// SubscriptionRequest subscribes a URL to events.
type SubscriptionRequest struct {
	URL string `json:"url" validate:"required,max=2000" example:"https://scjg.example.gov.cn/onewindow/events"`
	// Types are the event types to deliver (none: every type).
	Types []string `json:"types,omitempty" validate:"max=20,dive,max=64" example:"case.created,step.completed"`
	// DepartmentID limits an admin's subscription to one department's events (a system's is
	// always its department's).
	DepartmentID string `json:"departmentId,omitempty" validate:"omitempty,id"`
	// AllowLoopback lets the URL point at this machine (loopback), for a test setup: admins only.
	AllowLoopback bool `json:"allowLoopback,omitempty"`
}

// NewSubscription answers a new subscription with its signing secret, shown this once.
type NewSubscription struct {
	store.Subscription
	Secret string `json:"secret" example:"whsec_4f9c..."`
}

// SubscriptionUpdate changes a subscription: its URL, its types, or its state (disable it, or
// enable it again after fixing the receiver).
type SubscriptionUpdate struct {
	URL   *string   `json:"url,omitempty" validate:"omitempty,max=2000"`
	Types *[]string `json:"types,omitempty" validate:"omitempty,max=20,dive,max=64"`
	State *string   `json:"state,omitempty" validate:"omitempty,oneof=active disabled" example:"active"`
}

// mayManageWebhooks lets admins and department systems through.
func mayManageWebhooks(p *Actor) error {
	if p.HasRole(store.RoleAdmin) || (p.Kind == store.UserSystem && len(systemDepartments(p)) > 0) {
		return nil
	}
	return refuse(Forbidden, CodeForbidden, "webhook subscriptions are made by department systems and admins; %s has %s", p.Username, describeRoles(p.Roles))
}

// CreateSubscription subscribes a URL to events from now on.
func (a *App) CreateSubscription(ctx context.Context, p *Actor, in SubscriptionRequest) (*NewSubscription, error) {
	if err := mayManageWebhooks(p); err != nil {
		return nil, err
	}
	admin := p.HasRole(store.RoleAdmin)
	if in.AllowLoopback && !admin {
		return nil, refuse(Forbidden, CodeForbidden, "only an admin allows a webhook to this machine (a test setup)").onField("allowLoopback")
	}
	dept := in.DepartmentID
	if !admin {
		depts := systemDepartments(p)
		switch {
		case dept == "" && len(depts) == 1:
			dept = depts[0]
		case !slices.Contains(depts, dept):
			return nil, refuse(Forbidden, CodeForbidden, "%s subscribes to the events of its own department only", p.Username).onField("departmentId")
		}
	}
	if err := a.checkWebhookURL("url", in.URL, in.AllowLoopback); err != nil {
		return nil, err
	}
	types, err := checkEventTypes("types", in.Types)
	if err != nil {
		return nil, err
	}
	var buf [24]byte
	_, _ = rand.Read(buf[:])
	s := &store.Subscription{OwnerID: p.UserID, DepartmentID: dept, URL: in.URL, Types: types, Secret: "whsec_" + hex.EncodeToString(buf[:]),
		State: store.SubscriptionActive, AllowLoopback: in.AllowLoopback}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "webhook.subscribe", "", "webhook:"+s.URL, map[string]any{"types": types, "department": dept, "allowLoopback": in.AllowLoopback})
		if dept != "" {
			if err := complaintUnit(ctx, tx, "departmentId", &dept, store.KindDepartment, CodeDepartmentNotFound); err != nil {
				return err
			}
		}
		last, err := store.LastEventSeq(ctx, tx)
		if err != nil {
			return err
		}
		s.Cursor = last
		return store.CreateSubscription(ctx, tx, s)
	})
	if err != nil {
		return nil, err
	}
	a.log.Info("webhook subscription created", "subscription", s.ID, "owner", p.Username, "url", s.URL)
	return &NewSubscription{Subscription: *s, Secret: s.Secret}, nil
}

// checkWebhookURL refuses a URL that is not http(s) with a host, or that points at this
// machine or this server without the admin's leave (allowLoopback).
func (a *App) checkWebhookURL(field, raw string, allowLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return refuse(Invalid, CodeWebhookURL, "%s: %q is not an http or https URL with a host (and no user name)", field, raw).onField(field)
	}
	if allowLoopback {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, self := range a.out.cfg.SelfAddrs {
		if isSelf(self, host, port) {
			return refuse(Invalid, CodeWebhookURL, "%s: %s is this server", field, u.Host).onField(field)
		}
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return refuse(Invalid, CodeWebhookURL, "%s: %s is this machine (loopback)", field, u.Host).onField(field)
	}
	if ip := net.ParseIP(host); ip != nil && ownAddress(ip) {
		return refuse(Invalid, CodeWebhookURL, "%s: %s is on this machine (loopback or one of its own addresses)", field, u.Host).onField(field)
	}
	return nil
}

// isSelf reports whether host and port name the server listening on self (HOST:PORT). A
// server listening on every address (":8080", "0.0.0.0:8080") is this machine's name on that
// port, not every host on that port: a department's receiver elsewhere on :8080 is no loop.
// An address of this machine is refused by ownAddress whatever the port.
func isSelf(self, host, port string) bool {
	h, p, err := net.SplitHostPort(self)
	if err != nil || p != port {
		return false
	}
	h = strings.ToLower(h)
	if h == "" || h == "0.0.0.0" || h == "::" {
		name, err := os.Hostname()
		return err == nil && strings.EqualFold(name, host)
	}
	return h == host
}

// subscriptionFor reads subscription id if actor p manages it (its owner, or an admin);
// otherwise there is none.
func (a *App) subscriptionFor(ctx context.Context, p *Actor, id string) (*store.Subscription, error) {
	if err := mayManageWebhooks(p); err != nil {
		return nil, err
	}
	s, err := store.GetSubscription(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	if s.OwnerID != p.UserID && !p.HasRole(store.RoleAdmin) {
		return nil, refuse(NotFound, "not_found", "no webhook subscription %s of yours", id)
	}
	return s, nil
}

// Subscriptions lists the actor's subscriptions (an admin's: every one), by id.
func (a *App) Subscriptions(ctx context.Context, p *Actor, page Page) (*List[store.Subscription], error) {
	if err := mayManageWebhooks(p); err != nil {
		return nil, err
	}
	after, err := keysetAfter(page, 1)
	if err != nil {
		return nil, err
	}
	f := store.SubscriptionFilter{Limit: page.limit() + 1}
	if after != nil {
		f.After = after[0]
	}
	if !p.HasRole(store.RoleAdmin) {
		f.OwnerID = p.UserID
	}
	subs, err := store.ListSubscriptions(ctx, a.db, f)
	if err != nil {
		return nil, err
	}
	return keysetPage(subs, page, func(s store.Subscription) []string { return []string{s.ID} }), nil
}

// Subscription reads one subscription.
func (a *App) Subscription(ctx context.Context, p *Actor, id string) (*store.Subscription, error) {
	return a.subscriptionFor(ctx, p, id)
}

// UpdateSubscription changes a subscription's URL, types or state. Enabling it again clears
// its failures; the events it missed while disabled are redelivered by hand.
func (a *App) UpdateSubscription(ctx context.Context, p *Actor, id string, in SubscriptionUpdate) (*store.Subscription, error) {
	s, err := a.subscriptionFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	patch := store.SubscriptionPatch{URL: in.URL, State: in.State, DisabledReason: "disabled by " + p.Username}
	if in.URL != nil {
		if err := a.checkWebhookURL("url", *in.URL, s.AllowLoopback); err != nil {
			return nil, err
		}
	}
	if in.Types != nil {
		types, err := checkEventTypes("types", *in.Types)
		if err != nil {
			return nil, err
		}
		patch.Types = &types
	}
	var out *store.Subscription
	err = a.change(ctx, func(tx *sqlx.Tx, box *Outbox) error {
		box.Audit(p, "webhook.update", "", "webhook:"+id, patch)
		if out, err = store.UpdateSubscription(ctx, tx, id, patch, a.now()); err != nil {
			return err
		}
		if out.State == store.SubscriptionDisabled && s.State == store.SubscriptionActive {
			return store.FailPendingDeliveries(ctx, tx, id, "the subscription was "+patch.DisabledReason)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.nudgeOutbound()
	return out, nil
}

// DeliveryQuery selects a subscription's delivery log.
type DeliveryQuery struct {
	State string
	Page  Page
}

// Deliveries lists the delivery log of a subscription, newest event first.
func (a *App) Deliveries(ctx context.Context, p *Actor, id string, q DeliveryQuery) (*List[store.Delivery], error) {
	if _, err := a.subscriptionFor(ctx, p, id); err != nil {
		return nil, err
	}
	before, err := keysetSeq(q.Page)
	if err != nil {
		return nil, err
	}
	dels, err := store.ListDeliveries(ctx, a.db, store.DeliveryFilter{SubscriptionID: id, State: q.State, Before: before, Limit: q.Page.limit() + 1})
	if err != nil {
		return nil, err
	}
	return keysetPage(dels, q.Page, func(d store.Delivery) []string { return seqKey(d.EventSeq) }), nil
}

// Codes of redelivery.
const CodeSubscriptionDisabled = "subscription_disabled" // 409: enable the subscription first

// Redeliver sends a delivery again, as a new run of attempts: after a receiver was fixed, or
// to have an event once more.
func (a *App) Redeliver(ctx context.Context, p *Actor, id, deliveryID string) (*store.Delivery, error) {
	s, err := a.subscriptionFor(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if s.State != store.SubscriptionActive {
		return nil, refuse(Conflict, CodeSubscriptionDisabled, "subscription %s is disabled: enable it (PATCH state active) before redelivering", id)
	}
	var d *store.Delivery
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "webhook.redeliver", "", "webhook:"+id, map[string]any{"delivery": deliveryID})
		old, err := store.GetDelivery(ctx, tx, deliveryID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && old.SubscriptionID != id) {
			return refuse(NotFound, "not_found", "no delivery %s of subscription %s", deliveryID, id)
		}
		if err != nil {
			return err
		}
		d, err = store.Redeliver(ctx, tx, deliveryID)
		return err
	})
	if err != nil {
		return nil, err
	}
	a.nudgeOutbound()
	return d, nil
}
