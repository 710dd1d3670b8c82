package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo/demotest"
	"onewindow/engine/outbound"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestNotificationsRetriedByTheRunner: a notification written by a change is sent by the
// durable delivery runner, as webhook events are: a sender that fails twice is tried again
// with backoff until it takes it (three attempts, delivered), a sender that never takes it is
// given up at the deadline (failed, saying so), and dispatching again starts neither twice.
func TestNotificationsRetriedByTheRunner(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	_, user := demotest.Demo(t, db)
	var (
		mu   sync.Mutex
		hits = map[string]int{}
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		title := "never"
		if strings.Contains(string(body), "retried") {
			title = "retried"
		}
		if hits[title]++; title == "never" || hits[title] <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	a := app.New(app.Config{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Outbound: app.OutboundConfig{
		Sender:     app.WebhookSender{URL: hook.URL, Secret: "s3cret"},
		RetryFirst: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond, GiveUpAfter: 300 * time.Millisecond}})
	withRunner(t, a)
	ids := map[string]string{}
	for _, title := range []string{"retried", "never"} {
		n := &store.Notification{Recipient: user("clerk1"), UserID: user("clerk1"), Source: "test:" + title, Kind: "message", Title: title, Body: "."}
		if err := store.AddNotification(ctx, db, n); err != nil {
			t.Fatal(err)
		}
		ids[title] = n.ID
	}
	if n, err := a.DispatchOutbound(ctx); err != nil || n != 2 {
		t.Fatalf("dispatched %d (%v), want 2", n, err)
	}
	if n, err := a.DispatchOutbound(ctx); err != nil || n != 0 {
		t.Fatalf("dispatched again %d (%v), want 0", n, err)
	}
	final := func(id string) *store.Notification {
		t.Helper()
		var n *store.Notification
		eventually(t, "notification "+id+" to end", func() bool {
			var err error
			if n, err = store.GetNotification(ctx, db, id); err != nil {
				t.Fatal(err)
			}
			return n.DeliveryState != store.NotificationPending
		})
		return n
	}
	if n := final(ids["retried"]); n.DeliveryState != store.NotificationDelivered || n.DeliveryAttempts != 3 || n.DeliveryChannel != "webhook" {
		t.Fatalf("retried notification %+v", n)
	}
	n := final(ids["never"])
	if n.DeliveryState != store.NotificationFailed || !strings.Contains(n.DeliveryError, "gave up") || n.DeliveryAttempts < 2 {
		t.Fatalf("given-up notification %+v", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["retried"] != 3 {
		t.Fatalf("the sender was asked %d times for the retried one, want 3", hits["retried"])
	}
}

// TestSMTPServerThatHangs: a mail server that accepts the connection and never answers fails
// the attempt by the sender's timeout (the notification stays pending, to be retried) instead
// of holding the delivery worker.
func TestSMTPServerThatHangs(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	_, user := demotest.Demo(t, db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c // accepted, never answered
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(held)
		for c := range held {
			c.Close()
		}
	})
	a := app.New(app.Config{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Outbound: app.OutboundConfig{
		Sender: app.SMTPSender{Addr: ln.Addr().String(), From: "noreply@zwfw.example.gov.cn", Timeout: 200 * time.Millisecond}}})
	if _, err := a.SetNotificationEmail(ctx, actor(t, a, db, "applicant1"), app.EmailRequest{Email: "liming@example.com"}); err != nil {
		t.Fatal(err)
	}
	n := &store.Notification{Recipient: user("applicant1"), UserID: user("applicant1"), Source: "hang", Kind: "message", Title: "办件通知", Body: "."}
	if err := store.AddNotification(ctx, db, n); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryNotification, ID: n.ID, Run: 1}, 1)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the attempt is still waiting for a mail server that never answers")
	}
	got, err := store.GetNotification(ctx, db, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DeliveryState != store.NotificationPending || got.DeliveryAttempts != 1 || !strings.Contains(got.DeliveryError, "timeout") {
		t.Fatalf("notification %+v", got)
	}
}
