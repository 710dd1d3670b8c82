package store

// Webhook subscriptions and their delivery log. Who may subscribe to what, URL checks, signing
// and when to disable are app's rules; these functions store what they decided.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Subscription states.
const (
	SubscriptionActive   = "active"
	SubscriptionDisabled = "disabled"
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Subscription is a webhook subscription: events of Types POSTed to URL.
type Subscription struct {
	ID      string `db:"id" json:"id"`
	OwnerID string `db:"owner_id" json:"ownerId"`
	// DepartmentID limits the events to one department's ("" for an admin's subscription to
	// every department).
	DepartmentID string `db:"department_id" json:"departmentId,omitempty"`
	URL          string `db:"url" json:"url" example:"https://scjg.example.gov.cn/onewindow/events"`
	// Types are the event types delivered (empty: every type).
	Types         []string   `db:"-" json:"types" example:"case.accepted,step.completed"`
	TypesText     string     `db:"types" json:"-"`
	Secret        string     `db:"secret" json:"-"`
	State         string     `db:"state" json:"state" enums:"active,disabled" example:"active"`
	AllowLoopback bool       `db:"allow_loopback" json:"allowLoopback"`
	Cursor        int64      `db:"event_cursor" json:"-"`
	FailingSince  *time.Time `db:"failing_since" json:"failingSince,omitempty"`
	DisabledAt    *time.Time `db:"disabled_at" json:"disabledAt,omitempty"`
	// DisabledReason says why it was disabled: by whom, or after a day of failed deliveries.
	DisabledReason string    `db:"disabled_reason" json:"disabledReason,omitempty"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

const subscriptionCols = `id, owner_id, COALESCE(department_id, '') AS department_id, url, types, secret, state, allow_loopback,
	event_cursor, failing_since, disabled_at, COALESCE(disabled_reason, '') AS disabled_reason, created_at, updated_at`

func (s *Subscription) decode() {
	s.Types = []string{}
	if s.TypesText != "" {
		s.Types = strings.Split(s.TypesText, ",")
	}
}

// CreateSubscription writes s (setting ID, the times and TypesText); it starts after event
// seq cursor.
func CreateSubscription(ctx context.Context, q Q, s *Subscription) error {
	s.ID, s.CreatedAt = NewID(), Now()
	s.UpdatedAt, s.TypesText = s.CreatedAt, strings.Join(s.Types, ",")
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO webhook_subscriptions (id, owner_id, department_id, url, types, secret, state,
		allow_loopback, event_cursor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		s.ID, s.OwnerID, nullable(s.DepartmentID), s.URL, s.TypesText, s.Secret, s.State, s.AllowLoopback, s.Cursor, s.CreatedAt, s.UpdatedAt)
	return classify(err, "create webhook subscription to %s", s.URL)
}

// GetSubscription returns subscription id, or ErrNotFound.
func GetSubscription(ctx context.Context, q Q, id string) (*Subscription, error) {
	var s Subscription
	if err := q.GetContext(ctx, &s, q.Rebind(`SELECT `+subscriptionCols+` FROM webhook_subscriptions WHERE id = ?`), id); err != nil {
		return nil, classify(err, "webhook subscription %s", id)
	}
	s.decode()
	return &s, nil
}

// SubscriptionFilter selects subscriptions.
type SubscriptionFilter struct {
	OwnerID string // "" every owner
	State   string // "" every state
	After   string // the last id of the page before
	Limit   int
}

// ListSubscriptions returns up to f.Limit subscriptions after f.After, by id.
func ListSubscriptions(ctx context.Context, q Q, f SubscriptionFilter) ([]Subscription, error) {
	conds, args := []string{`id > ?`}, []any{f.After}
	if f.OwnerID != "" {
		conds, args = append(conds, `owner_id = ?`), append(args, f.OwnerID)
	}
	if f.State != "" {
		conds, args = append(conds, `state = ?`), append(args, f.State)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out := []Subscription{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+subscriptionCols+` FROM webhook_subscriptions WHERE `+
		strings.Join(conds, ` AND `)+` ORDER BY id LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("webhook subscriptions: %w", err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, nil
}

// SubscriptionPatch changes a subscription; nil fields stay.
type SubscriptionPatch struct {
	URL            *string
	Types          *[]string
	State          *string
	DisabledReason string
}

// UpdateSubscription applies p to subscription id at time at. Enabling clears the failures.
func UpdateSubscription(ctx context.Context, q Q, id string, p SubscriptionPatch, at time.Time) (*Subscription, error) {
	s, err := GetSubscription(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if p.URL != nil {
		s.URL = *p.URL
	}
	if p.Types != nil {
		s.Types = *p.Types
	}
	if p.State != nil && *p.State != s.State {
		s.State = *p.State
		if s.State == SubscriptionDisabled {
			t := Time(at)
			s.DisabledAt, s.DisabledReason = &t, p.DisabledReason
		} else {
			s.DisabledAt, s.DisabledReason, s.FailingSince = nil, "", nil
		}
	}
	_, err = q.ExecContext(ctx, q.Rebind(`UPDATE webhook_subscriptions SET url = ?, types = ?, state = ?, disabled_at = ?,
		disabled_reason = ?, failing_since = ?, updated_at = ? WHERE id = ?`),
		s.URL, strings.Join(s.Types, ","), s.State, s.DisabledAt, nullable(s.DisabledReason), s.FailingSince, Time(at), id)
	if err != nil {
		return nil, classify(err, "update webhook subscription %s", id)
	}
	return GetSubscription(ctx, q, id)
}

// AdvanceSubscription records that the events up to seq were made into deliveries.
func AdvanceSubscription(ctx context.Context, q Q, id string, seq int64) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_subscriptions SET event_cursor = ? WHERE id = ? AND event_cursor < ?`), seq, id, seq)
	return classify(err, "advance webhook subscription %s", id)
}

// SubscriptionFailing records a failed attempt at at: the subscription fails since then,
// unless it failed before already. It returns since when it fails.
func SubscriptionFailing(ctx context.Context, q Q, id string, at time.Time) (time.Time, error) {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_subscriptions SET failing_since = ? WHERE id = ? AND failing_since IS NULL`),
		Time(at), id); err != nil {
		return time.Time{}, classify(err, "webhook subscription %s failing", id)
	}
	var since time.Time
	if err := q.GetContext(ctx, &since, q.Rebind(`SELECT failing_since FROM webhook_subscriptions WHERE id = ?`), id); err != nil {
		return time.Time{}, classify(err, "webhook subscription %s", id)
	}
	return since, nil
}

// SubscriptionSucceeded records a successful delivery: the subscription no longer fails.
func SubscriptionSucceeded(ctx context.Context, q Q, id string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`), id)
	return classify(err, "webhook subscription %s succeeded", id)
}

// Delivery is one event to one subscription, with the state of its attempts.
type Delivery struct {
	ID             string `db:"id" json:"id"`
	SubscriptionID string `db:"subscription_id" json:"subscriptionId"`
	EventSeq       int64  `db:"event_seq" json:"eventSeq"`
	EventID        string `db:"event_id" json:"eventId"`
	EventType      string `db:"event_type" json:"eventType" example:"case.accepted"`
	State          string `db:"state" json:"state" enums:"pending,delivered,failed" example:"delivered"`
	// Run counts the runs of attempts: a manual redelivery starts the next.
	Run      int `db:"run" json:"run" example:"1"`
	Attempts int `db:"attempts" json:"attempts" example:"1"`
	// LastStatus is the receiver's HTTP status at the last attempt (absent when it did not
	// answer); LastError what went wrong.
	LastStatus    *int       `db:"last_status" json:"lastStatus,omitempty" example:"200"`
	LastError     string     `db:"last_error" json:"lastError,omitempty"`
	LastAttemptAt *time.Time `db:"last_attempt_at" json:"lastAttemptAt,omitempty"`
	DeliveredAt   *time.Time `db:"delivered_at" json:"deliveredAt,omitempty"`
	StartedAt     *time.Time `db:"started_at" json:"-"`
	CreatedAt     time.Time  `db:"created_at" json:"createdAt"`
}

const deliveryCols = `id, subscription_id, event_seq, event_id, event_type, state, run, attempts, last_status,
	COALESCE(last_error, '') AS last_error, last_attempt_at, delivered_at, started_at, created_at`

// AddDeliveries makes deliveries of events to subscription subID; an event delivered to it
// before is left out.
func AddDeliveries(ctx context.Context, q Q, subID string, events []Event) error {
	now := Now()
	for _, e := range events {
		_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO webhook_deliveries (id, subscription_id, event_seq, event_id, event_type, state,
			run, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 1, 0, ?) ON CONFLICT (subscription_id, event_seq) DO NOTHING`),
			NewID(), subID, e.Seq, e.ID, e.Type, now)
		if err != nil {
			return classify(err, "delivery of event %d to %s", e.Seq, subID)
		}
	}
	return nil
}

// UnstartedDeliveries returns up to limit pending deliveries whose run has no workflow yet,
// oldest first.
func UnstartedDeliveries(ctx context.Context, q Q, limit int) ([]Delivery, error) {
	out := []Delivery{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE started_at IS NULL
		ORDER BY created_at, id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("unstarted deliveries: %w", err)
	}
	return out, nil
}

// MarkDeliveryStarted records that run of delivery id has its workflow.
func MarkDeliveryStarted(ctx context.Context, q Q, id string, run int) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_deliveries SET started_at = ? WHERE id = ? AND run = ?`), Now(), id, run)
	return classify(err, "mark delivery %s started", id)
}

// GetDelivery returns delivery id, or ErrNotFound.
func GetDelivery(ctx context.Context, q Q, id string) (*Delivery, error) {
	var d Delivery
	if err := q.GetContext(ctx, &d, q.Rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`), id); err != nil {
		return nil, classify(err, "delivery %s", id)
	}
	return &d, nil
}

// Attempt is the outcome of one attempt of a delivery.
type Attempt struct {
	At     time.Time
	Status int // 0: no answer
	Error  string
	// Done ends the delivery: delivered when Error is "", failed otherwise.
	Done bool
}

// RecordAttempt records an attempt of run of delivery id; an attempt of a run that is not
// current any more (redelivered meanwhile) changes nothing.
func RecordAttempt(ctx context.Context, q Q, id string, run int, a Attempt) error {
	state, delivered := DeliveryPending, (*time.Time)(nil)
	switch {
	case a.Done && a.Error == "":
		t := Time(a.At)
		state, delivered = DeliveryDelivered, &t
	case a.Done:
		state = DeliveryFailed
	}
	var status any
	if a.Status != 0 {
		status = a.Status
	}
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?,
		last_attempt_at = ?, state = ?, delivered_at = COALESCE(delivered_at, ?) WHERE id = ? AND run = ? AND state = 'pending'`),
		status, nullable(a.Error), Time(a.At), state, delivered, id, run)
	return classify(err, "record an attempt of delivery %s", id)
}

// EndDelivery fails run of delivery id, still pending, with reason.
func EndDelivery(ctx context.Context, q Q, id string, run int, reason string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_deliveries SET state = 'failed', last_error = ? WHERE id = ? AND run = ? AND state = 'pending'`),
		reason, id, run)
	return classify(err, "end delivery %s", id)
}

// FailPendingDeliveries fails the pending deliveries of subscription subID with reason.
func FailPendingDeliveries(ctx context.Context, q Q, subID, reason string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_deliveries SET state = 'failed', last_error = ? WHERE subscription_id = ? AND state = 'pending'`),
		reason, subID)
	return classify(err, "fail the deliveries of %s", subID)
}

// Redeliver starts the next run of delivery id: pending again, its workflow to be made.
func Redeliver(ctx context.Context, q Q, id string) (*Delivery, error) {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE webhook_deliveries SET run = run + 1, state = 'pending', started_at = NULL
		WHERE id = ?`), id); err != nil {
		return nil, classify(err, "redeliver %s", id)
	}
	return GetDelivery(ctx, q, id)
}

// DeliveryFilter selects a subscription's delivery log.
type DeliveryFilter struct {
	SubscriptionID string
	State          string // "" every state
	// Before is the event seq of the last row of the page before (0: from the newest).
	Before int64
	Limit  int
}

// ListDeliveries returns up to f.Limit deliveries of a subscription, newest event first.
func ListDeliveries(ctx context.Context, q Q, f DeliveryFilter) ([]Delivery, error) {
	conds, args := []string{`subscription_id = ?`}, []any{f.SubscriptionID}
	if f.Before > 0 {
		conds, args = append(conds, `event_seq < ?`), append(args, f.Before)
	}
	if f.State != "" {
		conds, args = append(conds, `state = ?`), append(args, f.State)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	out := []Delivery{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+deliveryCols+` FROM webhook_deliveries WHERE `+strings.Join(conds, ` AND `)+
		` ORDER BY event_seq DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", f.SubscriptionID, err)
	}
	return out, nil
}
