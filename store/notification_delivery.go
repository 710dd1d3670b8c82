package store

// Sending notifications to people through the configured sender: which are still to send,
// whom each goes to, and how each attempt went. Which sender and when to give up are app's.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Delivery states of a notification.
const (
	NotificationPending   = "pending"
	NotificationDelivered = "delivered"
	NotificationFailed    = "failed"
	NotificationSkipped   = "skipped" // no sender for it (no SMS gateway, no email address)
)

// UnsentNotifications returns the ids of up to limit pending notifications whose delivery has
// not started, oldest first.
func UnsentNotifications(ctx context.Context, q Q, limit int) ([]string, error) {
	var ids []string
	err := q.SelectContext(ctx, &ids, q.Rebind(`SELECT id FROM notifications WHERE delivery_started_at IS NULL AND delivery_state = 'pending'
		ORDER BY created_at, id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("unsent notifications: %w", err)
	}
	return ids, nil
}

// MarkNotificationStarted records that the delivery of notification id has its workflow.
func MarkNotificationStarted(ctx context.Context, q Q, id string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET delivery_started_at = ? WHERE id = ?`), Now(), id)
	return classify(err, "mark notification %s started", id)
}

// GetNotification returns notification id, or ErrNotFound.
func GetNotification(ctx context.Context, q Q, id string) (*Notification, error) {
	var n Notification
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE id = ?`), id); err != nil {
		return nil, classify(err, "notification %s", id)
	}
	return &n, nil
}

// Recipient is whom a notification goes to, with the addresses senders need.
type Recipient struct {
	UserID string `db:"user_id"`
	Name   string `db:"name"`
	Email  string `db:"email"`
	Phone  string `db:"phone"`
}

// NotificationRecipient returns whom notification n goes to: its user (with their email and
// phone), or a contact without an account ("tel:<number>").
func NotificationRecipient(ctx context.Context, q Q, n *Notification) (*Recipient, error) {
	if phone, ok := strings.CutPrefix(n.Recipient, "tel:"); ok {
		return &Recipient{Phone: phone}, nil
	}
	var r Recipient
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT u.id AS user_id, u.display_name AS name, COALESCE(a.email, '') AS email,
		COALESCE(u.phone, '') AS phone FROM users u LEFT JOIN notification_addresses a ON a.user_id = u.id WHERE u.id = ?`), n.UserID)
	if err != nil {
		return nil, classify(err, "recipient of notification %s", n.ID)
	}
	return &r, nil
}

// NotificationAttempt is how one attempt to send a notification went.
type NotificationAttempt struct {
	Channel string
	State   string // the state after it
	Error   string
}

// RecordNotificationAttempt records an attempt to send notification id; a notification no
// longer pending is left as is.
func RecordNotificationAttempt(ctx context.Context, q Q, id string, a NotificationAttempt) error {
	var delivered any
	if a.State == NotificationDelivered {
		delivered = Now()
	}
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET delivery_attempts = delivery_attempts + 1, delivery_state = ?,
		delivery_channel = COALESCE(?, delivery_channel), delivery_error = ?, delivered_at = COALESCE(delivered_at, ?)
		WHERE id = ? AND delivery_state = 'pending'`), a.State, nullable(a.Channel), nullable(a.Error), delivered, id)
	return classify(err, "record the delivery of notification %s", id)
}

// SetNotificationEmail sets where user userID gets notifications by email ("" removes it).
func SetNotificationEmail(ctx context.Context, q Q, userID, email string) error {
	if email == "" {
		_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM notification_addresses WHERE user_id = ?`), userID)
		return classify(err, "remove the email of %s", userID)
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO notification_addresses (user_id, email, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at`), userID, email, Time(time.Now()))
	return classify(err, "set the email of %s", userID)
}

// UsersWithRole returns the enabled users who hold role somewhere, by id.
func UsersWithRole(ctx context.Context, q Q, role string) ([]string, error) {
	var out []string
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.role = ? AND NOT u.disabled ORDER BY m.user_id`), role)
	if err != nil {
		return nil, fmt.Errorf("users with role %s: %w", role, err)
	}
	return out, nil
}
