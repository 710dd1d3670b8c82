package app

// Sending notifications to people (notices to applicants, alerts to staff, replies to
// complainants and requesters): every notification is sent once through a Sender, retried
// like a webhook until the deadline, with its delivery state kept on the notification. The
// sender is configured by flags: the log (default), a webhook, or email over SMTP. SMS is
// behind the same interface: a gateway's client implements Sender (Channel "sms") and is
// given as OutboundConfig.SMS; without one, notifications to contacts without an account
// ("tel:") are skipped, and say so.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"onewindow/engine/outbound"
	"onewindow/store"

	"github.com/jmoiron/sqlx"
)

// Message is a notification as a sender sends it.
type Message struct {
	ID     string          `json:"id"`
	Kind   string          `json:"kind"`
	Title  string          `json:"title"`
	Body   string          `json:"body"`
	CaseID string          `json:"caseId,omitempty"`
	To     store.Recipient `json:"to"`
}

// Sender sends notifications over one channel.
type Sender interface {
	// Channel names the channel: log, webhook, email, sms.
	Channel() string
	// Send sends m. An error is tried again later; a Permanent one is not.
	Send(ctx context.Context, m Message) error
}

// Permanent marks a send error that trying again cannot mend (no address, a refused
// recipient).
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// LogSender writes notifications to the log: the default, where no other channel is set up.
type LogSender struct{ Log *slog.Logger }

// Channel implements Sender.
func (LogSender) Channel() string { return "log" }

// Send implements Sender.
func (s LogSender) Send(_ context.Context, m Message) error {
	to := m.To.UserID
	if to == "" {
		to = "tel:" + m.To.Phone
	}
	s.Log.Info("notification", "id", m.ID, "to", to, "kind", m.Kind, "title", m.Title, "case", m.CaseID)
	return nil
}

// WebhookSender POSTs each notification as JSON to a URL (e.g. a messaging gateway of the
// government's), signed like webhook events (Sign over the timestamp and the body).
type WebhookSender struct {
	URL    string
	Secret string
	Client *http.Client
}

// Channel implements Sender.
func (WebhookSender) Channel() string { return "webhook" }

// Send implements Sender.
func (s WebhookSender) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return &Permanent{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return &Permanent{err}
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(s.Secret, ts, body))
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("no answer from %s: %w", hostOf(s.URL), err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %d", hostOf(s.URL), resp.StatusCode)
	}
	return nil
}

// SMTPSender sends notifications as email through an SMTP server (net/smtp; STARTTLS when
// the server offers it, PLAIN authentication when a username is set).
type SMTPSender struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// Timeout bounds one message's whole exchange with the server (default 30s): a server
	// that hangs fails the attempt, which is retried, instead of holding a delivery worker.
	Timeout time.Duration
}

// Channel implements Sender.
func (SMTPSender) Channel() string { return "email" }

// Send implements Sender.
func (s SMTPSender) Send(ctx context.Context, m Message) error {
	if m.To.Email == "" {
		return &Permanent{errors.New("the recipient has no email address (PUT /api/v1/me/email)")}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"+
		"Content-Transfer-Encoding: 8bit\r\nMessage-ID: <%s@onewindow>\r\n\r\n%s\r\n",
		s.From, m.To.Email, mime.QEncoding.Encode("utf-8", m.Title), m.ID, strings.ReplaceAll(m.Body, "\n", "\r\n"))
	if err := s.sendMail(ctx, m.To.Email, b.Bytes()); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return &Permanent{err}
		}
		return fmt.Errorf("send email to %s: %w", m.To.Email, err)
	}
	return nil
}

// sendMail is smtp.SendMail (STARTTLS when offered, PLAIN authentication with a username)
// over a connection with a deadline: smtp.SendMail has none, so a server that accepts the
// connection and never answers would hold the delivery worker for good.
func (s SMTPSender) sendMail(ctx context.Context, to string, msg []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return err
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp: the server does not support AUTH, and a username is set")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// senderFor picks the sender of a notification to r: SMS for a contact without an account,
// where a gateway is set up (else the people's sender, when it is the log or a webhook, which
// carry any recipient); the people's sender for a user. It returns nil and why when none fits.
func (o *outboundState) senderFor(r *store.Recipient) (Sender, string) {
	people := o.cfg.Sender
	if r.UserID != "" {
		return people, ""
	}
	if o.cfg.SMS != nil {
		return o.cfg.SMS, ""
	}
	if c := people.Channel(); c == "log" || c == "webhook" {
		return people, ""
	}
	return nil, "no SMS gateway is configured for a contact without an account"
}

// attemptNotification makes attempt n of sending a notification; it reports whether the
// notification is done with (sent, failed for good, or skipped).
func (a *App) attemptNotification(ctx context.Context, d outbound.Delivery, _ int) (bool, error) {
	n, err := store.GetNotification(ctx, a.db, d.ID)
	if err != nil {
		return false, err
	}
	if n.DeliveryState != store.NotificationPending {
		return true, nil
	}
	to, err := store.NotificationRecipient(ctx, a.db, n)
	if err != nil {
		return false, err
	}
	sender, why := a.out.senderFor(to)
	if sender == nil {
		return true, store.RecordNotificationAttempt(ctx, a.db, n.ID, store.NotificationAttempt{State: store.NotificationSkipped, Error: why})
	}
	m := Message{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, CaseID: PublicID(n.CaseID), To: *to}
	sendErr := sender.Send(ctx, m)
	att := store.NotificationAttempt{Channel: sender.Channel(), State: store.NotificationDelivered}
	var perm *Permanent
	switch {
	case errors.As(sendErr, &perm):
		att.State, att.Error = store.NotificationFailed, sendErr.Error()
	case sendErr != nil:
		att.State, att.Error = store.NotificationPending, sendErr.Error()
	}
	if err := store.RecordNotificationAttempt(ctx, a.db, n.ID, att); err != nil {
		return false, err
	}
	return att.State != store.NotificationPending, nil
}

// EmailRequest sets where the actor gets notifications by email.
type EmailRequest struct {
	// Email is the address ("" stops email).
	Email string `json:"email" validate:"omitempty,email,max=254" example:"zhangsan@example.com"`
}

// SetNotificationEmail sets the address the actor's notifications are emailed to.
func (a *App) SetNotificationEmail(ctx context.Context, p *Actor, in EmailRequest) (*EmailRequest, error) {
	err := a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "user.notificationEmail", "", "user:"+p.UserID, map[string]any{"email": strings.TrimSpace(in.Email)})
		return store.SetNotificationEmail(ctx, tx, p.UserID, strings.TrimSpace(in.Email))
	})
	if err != nil {
		return nil, err
	}
	return &EmailRequest{Email: strings.TrimSpace(in.Email)}, nil
}
