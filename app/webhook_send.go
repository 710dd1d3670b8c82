package app

// Sending webhook events: each request is signed with the subscription's secret (HMAC-SHA256
// over the timestamp and the body), bounded by a timeout, never redirected, and never sent to
// this machine unless an admin allowed it for the subscription (a test setup). A subscription
// whose deliveries failed for a day without a success is disabled, and its owner and the
// admins are told.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"onewindow/engine/outbound"
	"onewindow/store"
)

// Headers of a webhook request.
const (
	HeaderEventID   = "X-Onewindow-Event-Id"
	HeaderEventType = "X-Onewindow-Event-Type"
	HeaderDelivery  = "X-Onewindow-Delivery"
	HeaderAttempt   = "X-Onewindow-Attempt"
	HeaderTimestamp = "X-Onewindow-Timestamp"
	HeaderSignature = "X-Onewindow-Signature"
)

// Sign is the signature of a webhook request: "v1=" and the hex HMAC-SHA256, keyed with the
// subscription's secret, of the timestamp (Unix seconds, as in HeaderTimestamp), a dot and
// the body. A receiver computes the same and compares in constant time (docs/integration.md).
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookBody is what a webhook request carries: one event.
type WebhookBody struct {
	ID           string          `json:"id"`
	Seq          int64           `json:"seq"`
	Type         string          `json:"type"`
	OccurredAt   time.Time       `json:"occurredAt"`
	CaseID       string          `json:"caseId,omitempty"`
	DepartmentID string          `json:"departmentId,omitempty"`
	Data         json.RawMessage `json:"data"`
}

// errOwnMachine refuses a connection to this machine.
var errOwnMachine = errors.New("the address is on this machine (loopback or one of its own); an admin may allow it for a test setup")

// webhookClient is the HTTP client of webhook requests: a timeout for the whole exchange, no
// redirects, and (unless lax) no connection to an address of this machine, checked on the
// address actually dialled so that a name resolving to it later is refused too.
func webhookClient(cfg OutboundConfig, lax bool) *http.Client {
	d := &net.Dialer{Timeout: cfg.WebhookTimeout}
	if !lax {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip != nil && ownAddress(ip) {
				return errOwnMachine
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: cfg.WebhookTimeout, ResponseHeaderTimeout: cfg.WebhookTimeout,
		MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
	return &http.Client{Timeout: cfg.WebhookTimeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// ownAddress reports whether ip is loopback, unspecified, link-local or multicast, or an
// address of one of this machine's interfaces.
func ownAddress(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// attemptWebhook makes attempt n of a webhook delivery; it reports whether the delivery is
// done (delivered, or nothing more to try).
func (a *App) attemptWebhook(ctx context.Context, d outbound.Delivery, n int) (bool, error) {
	del, err := store.GetDelivery(ctx, a.db, d.ID)
	if err != nil {
		return false, err
	}
	if del.State != store.DeliveryPending || del.Run != d.Run {
		return true, nil // delivered, failed, or redelivered by a later run
	}
	sub, err := store.GetSubscription(ctx, a.db, del.SubscriptionID)
	if err != nil {
		return false, err
	}
	if sub.State != store.SubscriptionActive {
		return true, store.EndDelivery(ctx, a.db, del.ID, del.Run, "the subscription is disabled")
	}
	ev, err := store.GetEvent(ctx, a.db, del.EventSeq)
	if err != nil {
		return false, err
	}
	status, sendErr := a.postEvent(ctx, sub, ev, del, n)
	now := a.now()
	att := store.Attempt{At: now, Status: status, Done: sendErr == nil}
	if sendErr != nil {
		att.Error = sendErr.Error()
		a.log.Info("webhook attempt failed", "subscription", sub.ID, "delivery", del.ID, "event", ev.ID, "attempt", n, "err", sendErr)
	}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		if sendErr == nil {
			if err := store.RecordAttempt(ctx, tx, del.ID, del.Run, att); err != nil {
				return err
			}
			return store.SubscriptionSucceeded(ctx, tx, sub.ID)
		}
		since, err := store.SubscriptionFailing(ctx, tx, sub.ID, now)
		if err != nil {
			return err
		}
		if now.Sub(since) < a.out.cfg.GiveUpAfter {
			return store.RecordAttempt(ctx, tx, del.ID, del.Run, att)
		}
		att.Done = true
		if err := store.RecordAttempt(ctx, tx, del.ID, del.Run, att); err != nil {
			return err
		}
		out.Audit(nil, "webhook.disable", "", "webhook:"+sub.ID, map[string]any{"failingSince": since, "delivery": del.ID})
		return a.disableFailing(ctx, tx, out, sub, since, now)
	})
	return att.Done, err
}

// postEvent sends event ev to subscription s, signed; it returns the receiver's status (0
// without an answer) and why the attempt failed (nil: a 2xx answer).
func (a *App) postEvent(ctx context.Context, s *store.Subscription, ev *store.Event, del *store.Delivery, n int) (int, error) {
	body, err := json.Marshal(WebhookBody{ID: ev.ID, Seq: ev.Seq, Type: ev.Type, OccurredAt: ev.OccurredAt, CaseID: PublicID(ev.CaseID),
		DepartmentID: ev.DepartmentID, Data: json.RawMessage(ev.Data)})
	if err != nil {
		return 0, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	ts := strconv.FormatInt(a.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("request to %s: %w", s.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "onewindow-webhooks/1")
	req.Header.Set(HeaderEventID, ev.ID)
	req.Header.Set(HeaderEventType, ev.Type)
	req.Header.Set(HeaderDelivery, del.ID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(n))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(s.Secret, ts, body))
	client := a.out.strict
	if s.AllowLoopback {
		client = a.out.lax
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("no answer from %s: %w", hostOf(s.URL), err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("%s answered %d: %s", hostOf(s.URL), resp.StatusCode, strings.TrimSpace(string(head)))
	}
	return resp.StatusCode, nil
}

// disableFailing disables subscription s, failing since since, and raises the alert: its
// owner and the admins are notified, and the event feed says so.
func (a *App) disableFailing(ctx context.Context, tx *sqlx.Tx, out *Outbox, s *store.Subscription, since, now time.Time) error {
	reason := fmt.Sprintf("disabled after deliveries failed since %s without a success", since.In(store.CaseZone).Format("2006-01-02 15:04"))
	state := store.SubscriptionDisabled
	if _, err := store.UpdateSubscription(ctx, tx, s.ID, store.SubscriptionPatch{State: &state, DisabledReason: reason}, now); err != nil {
		return err
	}
	if err := store.FailPendingDeliveries(ctx, tx, s.ID, "the subscription was "+reason); err != nil {
		return err
	}
	admins, err := store.UsersWithRole(ctx, tx, store.RoleAdmin)
	if err != nil {
		return err
	}
	title := "Webhook 订阅已停用：" + hostOf(s.URL)
	body := fmt.Sprintf("向 %s 推送事件自 %s 起持续失败，订阅 %s 已自动停用。修复接收端后，可重新启用并补发失败的事件。", s.URL,
		since.In(store.CaseZone).Format("2006-01-02 15:04"), s.ID)
	for _, u := range append(admins, s.OwnerID) {
		n := &store.Notification{Recipient: u, UserID: u, Source: "webhook-disabled:" + s.ID + ":" + strconv.FormatInt(now.Unix(), 10),
			Kind: "message", Title: title, Body: body}
		if err := store.AddNotification(ctx, tx, n); err != nil {
			return err
		}
	}
	a.log.Warn("webhook subscription disabled after a day of failures", "subscription", s.ID, "url", s.URL, "failing_since", since)
	return out.event(store.Event{Type: EventWebhookDisabled, DepartmentID: s.DepartmentID, OccurredAt: now},
		map[string]any{"subscriptionId": s.ID, "url": s.URL, "failingSince": since, "reason": reason})
}

// hostOf is the host of a URL, for messages.
func hostOf(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		raw = raw[i+3:]
	}
	if i := strings.IndexAny(raw, "/?#"); i >= 0 {
		raw = raw[:i]
	}
	return raw
}
