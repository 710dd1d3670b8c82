package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Notification is a message to a person: an alert, a step of a case or complaint.
type Notification struct {
	ID string `db:"id" json:"id"`
	// Recipient is the user id, or "tel:<number>" for someone without an account.
	Recipient   string     `db:"recipient" json:"-"`
	UserID      string     `db:"user_id" json:"-"`
	Source      string     `db:"source" json:"source" example:"alert:C-01jd.../case:warning"`
	Kind        string     `db:"kind" json:"kind" enums:"warning,overdue,violation,message" example:"warning"`
	CaseID      string     `db:"case_id" json:"caseId,omitempty"`
	TaskID      string     `db:"task_id" json:"taskId,omitempty"`
	Title       string     `db:"title" json:"title" example:"黄牌预警：办件 C-01jd... 的「审核」环节"`
	Body        string     `db:"body" json:"body"`
	CreatedAt   time.Time  `db:"created_at" json:"createdAt"`
	ReadAt      *time.Time `db:"read_at" json:"readAt,omitempty"`
	DeliveredAt *time.Time `db:"delivered_at" json:"deliveredAt,omitempty"`
	// DeliveryState says how sending it through the configured sender went (pending,
	// delivered, failed, skipped), over DeliveryChannel (log, webhook, email, sms).
	DeliveryState    string `db:"delivery_state" json:"deliveryState" enums:"pending,delivered,failed,skipped" example:"delivered"`
	DeliveryChannel  string `db:"delivery_channel" json:"deliveryChannel,omitempty" example:"email"`
	DeliveryAttempts int    `db:"delivery_attempts" json:"deliveryAttempts" example:"1"`
	DeliveryError    string `db:"delivery_error" json:"deliveryError,omitempty"`
}

// AddNotification writes a notification (setting ID and CreatedAt); one already written for
// the same source and recipient is left as is.
func AddNotification(ctx context.Context, q Q, n *Notification) error {
	n.ID, n.CreatedAt = NewID(), Now()
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO notifications (id, recipient, user_id, source, kind, case_id, task_id, title, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, recipient) DO NOTHING`),
		n.ID, n.Recipient, nullable(n.UserID), n.Source, n.Kind, nullable(n.CaseID), nullable(n.TaskID), n.Title, n.Body, n.CreatedAt)
	return classify(err, "notification %s for %s", n.Source, n.Recipient)
}

const notificationCols = `id, recipient, COALESCE(user_id, '') AS user_id, source, kind, COALESCE(case_id, '') AS case_id,
	COALESCE(task_id, '') AS task_id, title, body, created_at, read_at, delivered_at, delivery_state,
	COALESCE(delivery_channel, '') AS delivery_channel, delivery_attempts, COALESCE(delivery_error, '') AS delivery_error`

// UserNotifications lists a user's notifications, newest first; unread only when unread.
func UserNotifications(ctx context.Context, q Q, userID string, unread bool, limit int, after TimeKey) ([]Notification, error) {
	query := `SELECT ` + notificationCols + ` FROM notifications WHERE user_id = ?`
	args := []any{userID}
	if unread {
		query += ` AND read_at IS NULL`
	}
	if !after.At.IsZero() {
		query += ` AND (created_at, id) < (?, ?)`
		args = append(args, Time(after.At), after.ID)
	}
	if limit <= 0 {
		limit = 100
	}
	out := []Notification{}
	if err := q.SelectContext(ctx, &out, q.Rebind(query+` ORDER BY created_at DESC, id DESC LIMIT ?`), append(args, limit)...); err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", userID, err)
	}
	return out, nil
}

// MarkNotificationRead marks a user's notification read (ErrNotFound when it is not theirs).
func MarkNotificationRead(ctx context.Context, q Q, userID, id string) (*Notification, error) {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`), Now(), id, userID); err != nil {
		return nil, classify(err, "mark notification %s read", id)
	}
	var n Notification
	if err := q.GetContext(ctx, &n, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE id = ? AND user_id = ?`), id, userID); err != nil {
		return nil, classify(err, "notification %s", id)
	}
	return &n, nil
}

// PendingNotifications is the delivery outbox: up to limit notifications not yet delivered to
// other systems, oldest first. A deliverer marks each with MarkNotificationDelivered.
func PendingNotifications(ctx context.Context, q Q, limit int) ([]Notification, error) {
	out := []Notification{}
	if err := q.SelectContext(ctx, &out, q.Rebind(`SELECT `+notificationCols+` FROM notifications WHERE delivered_at IS NULL
		ORDER BY created_at, id LIMIT ?`), limit); err != nil {
		return nil, fmt.Errorf("pending notifications: %w", err)
	}
	return out, nil
}

// MarkNotificationDelivered records that a notification was delivered.
func MarkNotificationDelivered(ctx context.Context, q Q, id string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE notifications SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`), Now(), id)
	return classify(err, "mark notification %s delivered", id)
}

// MembersOfUnits returns the users who hold one of roles in one of the org units with codes,
// by id.
func MembersOfUnits(ctx context.Context, q Q, codes, roles []string) ([]string, error) {
	if len(codes) == 0 || len(roles) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT DISTINCT m.user_id FROM memberships m JOIN org_units o ON o.id = m.org_unit_id
		WHERE o.code IN (?) AND m.role IN (?) ORDER BY m.user_id`, codes, roles)
	if err != nil {
		return nil, err
	}
	var out []string
	if err := q.SelectContext(ctx, &out, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("members of %v: %w", codes, err)
	}
	return out, nil
}

// SupervisorsOver returns the supervisors of unit or of a unit above it, by id.
func SupervisorsOver(ctx context.Context, q Q, unit string) ([]string, error) {
	var out []string
	err := q.SelectContext(ctx, &out, q.Rebind(`WITH RECURSIVE up (id, parent_id) AS (
			SELECT id, parent_id FROM org_units WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id FROM org_units o JOIN up ON o.id = up.parent_id)
		SELECT DISTINCT m.user_id FROM memberships m JOIN up ON up.id = m.org_unit_id WHERE m.role = 'supervisor' ORDER BY m.user_id`), unit)
	if err != nil {
		return nil, fmt.Errorf("supervisors over %q: %w", unit, err)
	}
	return out, nil
}
