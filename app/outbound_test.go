package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo/demotest"
	"onewindow/engine"
	"onewindow/engine/outbound"
	"onewindow/store"
	"onewindow/store/storetest"
)

// clock is a test's clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// withRunner gives a its delivery runner on a go-workflows store of its own, until t ends.
func withRunner(t *testing.T, a *app.App) {
	t.Helper()
	b, err := engine.OpenBackend("sqlite:"+filepath.Join(t.TempDir(), "outbound.db"), engine.BackendOptions{WorkerName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := outbound.New(outbound.Config{Backend: b, Attempt: a.AttemptDelivery, GiveUp: a.GiveUpDelivery, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a.UseOutbound(r)
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = r.Wait(); _ = b.Close() })
}

func actor(t *testing.T, a *app.App, db *store.DB, username string) *app.Actor {
	t.Helper()
	u, err := store.GetUserByUsername(context.Background(), db, username)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.LoadActor(context.Background(), u, app.ViaToken)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestWebhookDisabledAfterADayOfFailures: a receiver that answers 500: the attempts record
// each failure; a day after the first, the subscription is disabled, its pending delivery
// failed, the admins told and the feed says so. Redelivery waits until it is enabled again.
func TestWebhookDisabledAfterADayOfFailures(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	demotest.Demo(t, db)
	clk := &clock{now: time.Date(2025, 11, 3, 1, 0, 0, 0, time.UTC)}
	a := app.New(app.Config{DB: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Outbound: app.OutboundConfig{RetryFirst: time.Hour}})
	withRunner(t, a)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down for maintenance", 500) }))
	t.Cleanup(srv.Close)
	admin := actor(t, a, db, "admin")
	sub, err := a.CreateSubscription(ctx, admin, app.SubscriptionRequest{URL: srv.URL, AllowLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AppendEvents(ctx, db, []store.Event{{ID: store.NewID(), Type: app.EventCaseCreated, Source: "test", Data: store.JSON(`{}`), OccurredAt: clk.Now()}}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.DispatchOutbound(ctx); err != nil || n != 1 {
		t.Fatalf("dispatched %d (%v), want 1", n, err)
	}
	var d store.Delivery
	eventually(t, "the first attempt", func() bool {
		l, err := a.Deliveries(ctx, admin, sub.ID, app.DeliveryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		d = l.Items[0]
		return d.Attempts == 1
	})
	if d.State != store.DeliveryPending || d.LastStatus == nil || *d.LastStatus != 500 || !strings.Contains(d.LastError, "down for maintenance") {
		t.Fatalf("after the first attempt %+v", d)
	}
	// 23 hours later: still failing, still active.
	clk.add(23 * time.Hour)
	if res, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryWebhook, ID: d.ID, Run: 1}, 2); err != nil || res.Done {
		t.Fatalf("attempt after 23 h: %+v %v", res, err)
	}
	if s, _ := a.Subscription(ctx, admin, sub.ID); s.State != store.SubscriptionActive || s.FailingSince == nil {
		t.Fatalf("after 23 h %+v", s)
	}
	// A day after the first failure: disabled, with the alert.
	clk.add(time.Hour)
	if res, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryWebhook, ID: d.ID, Run: 1}, 3); err != nil || !res.Done {
		t.Fatalf("attempt after 24 h: %+v %v", res, err)
	}
	s, _ := a.Subscription(ctx, admin, sub.ID)
	if s.State != store.SubscriptionDisabled || !strings.Contains(s.DisabledReason, "failed since") {
		t.Fatalf("after 24 h %+v", s)
	}
	if got, _ := store.GetDelivery(ctx, db, d.ID); got.State != store.DeliveryFailed || got.Attempts != 3 {
		t.Fatalf("delivery %+v", got)
	}
	ns, _ := store.UserNotifications(ctx, db, admin.UserID, false, 10, store.TimeKey{})
	if len(ns) != 1 || !strings.Contains(ns[0].Title, "Webhook 订阅已停用") {
		t.Fatalf("admin told %+v", ns)
	}
	evs, _ := store.ListEvents(ctx, db, store.EventFilter{Types: []string{app.EventWebhookDisabled}})
	if len(evs) != 1 || !strings.Contains(string(evs[0].Data), sub.ID) {
		t.Fatalf("events %+v", evs)
	}
	// Redelivery needs the subscription enabled again.
	if _, err := a.Redeliver(ctx, admin, sub.ID, d.ID); !errors.Is(err, &app.Error{Kind: app.Conflict, Code: app.CodeSubscriptionDisabled}) {
		t.Fatalf("redeliver while disabled: %v", err)
	}
	active := store.SubscriptionActive
	if s, err := a.UpdateSubscription(ctx, admin, sub.ID, app.SubscriptionUpdate{State: &active}); err != nil || s.FailingSince != nil {
		t.Fatalf("enable: %+v %v", s, err)
	}
	if r, err := a.Redeliver(ctx, admin, sub.ID, d.ID); err != nil || r.Run != 2 || r.State != store.DeliveryPending {
		t.Fatalf("redeliver: %+v %v", r, err)
	}
}

// smtpServer is a minimal SMTP server on loopback that keeps the messages it receives.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>"))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// TestNotificationSenders: notifications go out through the configured sender, each with its
// delivery state: email to a person with an address, failed for one without (no retry), and
// skipped for a contact without an account when no SMS gateway is set up; the log sender
// carries anything; the webhook sender signs its requests.
func TestNotificationSenders(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	_, user := demotest.Demo(t, db)
	note := func(recipient, source string) string {
		n := &store.Notification{Recipient: recipient, Source: source, Kind: "message", Title: "一次性告知书：请补正申请材料", Body: "请补正营业执照复印件。"}
		if !strings.HasPrefix(recipient, "tel:") {
			n.UserID = recipient
		}
		if err := store.AddNotification(ctx, db, n); err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	attempt := func(a *app.App, id string) *store.Notification {
		t.Helper()
		if _, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryNotification, ID: id, Run: 1}, 1); err != nil {
			t.Fatal(err)
		}
		n, err := store.GetNotification(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mail := newSMTPServer(t)
	smtpApp := app.New(app.Config{DB: db, Logger: quiet, Outbound: app.OutboundConfig{
		Sender: app.SMTPSender{Addr: mail.ln.Addr().String(), From: "noreply@zwfw.example.gov.cn"}}})
	applicant := actor(t, smtpApp, db, "applicant1")
	if _, err := smtpApp.SetNotificationEmail(ctx, applicant, app.EmailRequest{Email: "liming@example.com"}); err != nil {
		t.Fatal(err)
	}
	n := attempt(smtpApp, note(user("applicant1"), "s1"))
	if n.DeliveryState != store.NotificationDelivered || n.DeliveryChannel != "email" || n.DeliveryAttempts != 1 || n.DeliveredAt == nil {
		t.Fatalf("email %+v", n)
	}
	mail.mu.Lock()
	if len(mail.msgs) != 1 || mail.rcpt[0] != "liming@example.com" || !strings.Contains(mail.msgs[0], "请补正营业执照复印件") ||
		!strings.Contains(mail.msgs[0], "Subject: =?utf-8?q?") {
		t.Fatalf("mail %q to %q", mail.msgs, mail.rcpt)
	}
	mail.mu.Unlock()
	if n := attempt(smtpApp, note(user("clerk1"), "s2")); n.DeliveryState != store.NotificationFailed || !strings.Contains(n.DeliveryError, "no email address") {
		t.Fatalf("no address %+v", n)
	}
	if n := attempt(smtpApp, note("tel:13900000000", "s3")); n.DeliveryState != store.NotificationSkipped || !strings.Contains(n.DeliveryError, "SMS") {
		t.Fatalf("a contact without an account %+v", n)
	}

	// The default sender logs, whoever it is for.
	logApp := app.New(app.Config{DB: db, Logger: quiet})
	if n := attempt(logApp, note("tel:13900000001", "s4")); n.DeliveryState != store.NotificationDelivered || n.DeliveryChannel != "log" {
		t.Fatalf("log %+v", n)
	}
	// A webhook sender signs; a failure is retried (still pending), a success delivers.
	var (
		mu     sync.Mutex
		got    []app.Message
		status = http.StatusServiceUnavailable
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if app.Sign("s3cret", r.Header.Get(app.HeaderTimestamp), body) != r.Header.Get(app.HeaderSignature) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m app.Message
		_ = json.Unmarshal(body, &m)
		got = append(got, m)
		w.WriteHeader(status)
	}))
	t.Cleanup(hook.Close)
	hookApp := app.New(app.Config{DB: db, Logger: quiet, Outbound: app.OutboundConfig{Sender: app.WebhookSender{URL: hook.URL, Secret: "s3cret"}}})
	id := note(user("clerk1"), "s5")
	if n := attempt(hookApp, id); n.DeliveryState != store.NotificationPending || !strings.Contains(n.DeliveryError, "503") {
		t.Fatalf("webhook failing %+v", n)
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if n := attempt(hookApp, id); n.DeliveryState != store.NotificationDelivered || n.DeliveryAttempts != 2 || n.DeliveryChannel != "webhook" {
		t.Fatalf("webhook %+v", n)
	}
	if len(got) != 2 || got[1].To.UserID != user("clerk1") || got[1].Title != "一次性告知书：请补正申请材料" {
		t.Fatalf("webhook got %+v", got)
	}
}

func TestMaskName(t *testing.T) {
	for _, c := range []struct{ name, kind, want string }{
		{"张三", store.ObjectNaturalPerson, "张*"},
		{"张小三", store.ObjectNaturalPerson, "张*三"},
		{"欧阳小锋", store.ObjectNaturalPerson, "欧**锋"},
		{"李", store.ObjectNaturalPerson, "*"},
		{" 王五 ", "", "王*"},
		{"北流市某某餐饮有限公司", store.ObjectLegalPerson, "北流市某某餐饮有限公司"},
	} {
		if got := app.MaskName(c.name, c.kind); got != c.want {
			t.Errorf("MaskName(%q, %q) = %q, want %q", c.name, c.kind, got, c.want)
		}
	}
}
