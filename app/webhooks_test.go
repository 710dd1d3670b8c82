package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/demo/demotest"
	"onewindow/engine/outbound"
	"onewindow/store"
	"onewindow/store/storetest"
)

// TestWebhookURLOfThisServer: a URL naming the address this server listens on is refused; a
// server listening on every address refuses its own name on its port, and not every other
// host that happens to listen on the same port (a department's receiver on :8080).
func TestWebhookURLOfThisServer(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	demotest.Demo(t, db)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hostname, err := os.Hostname()
	if err != nil || hostname == "" {
		t.Fatalf("this machine has no name: %v", err)
	}
	for _, c := range []struct {
		self, url string
		refused   bool
	}{
		{":8080", "https://scjg.example.gov.cn:8080/hook", false},
		{"0.0.0.0:8080", "http://scjg.example.gov.cn:8080/hook", false},
		{"[::]:8080", "http://10.20.30.40:8080/hook", false},
		{":8080", "http://" + hostname + ":8080/hook", true},
		{":8080", "http://" + strings.ToUpper(hostname) + ":8080/hook", true},
		{"onewindow.example.gov.cn:443", "https://onewindow.example.gov.cn/hook", true},
		{"onewindow.example.gov.cn:443", "https://OneWindow.Example.gov.cn:443/hook", true},
		{"onewindow.example.gov.cn:443", "http://onewindow.example.gov.cn/hook", false}, // port 80: another server
	} {
		a := app.New(app.Config{DB: db, Logger: quiet, Outbound: app.OutboundConfig{SelfAddrs: []string{c.self}}})
		_, err := a.CreateSubscription(ctx, actor(t, a, db, "admin"), app.SubscriptionRequest{URL: c.url})
		refused := errors.Is(err, &app.Error{Kind: app.Invalid, Code: app.CodeWebhookURL})
		if refused != c.refused || (err != nil && !refused) {
			t.Errorf("server on %s, webhook %s: %v, want refused %v", c.self, c.url, err, c.refused)
		}
	}
}

// TestWebhookToThisMachineRefusedAtConnection: a subscription whose URL leads to this machine
// without an admin's leave (a name that resolved elsewhere when it was made, or a row written
// past the use case) is refused when the attempt connects: the receiver gets nothing and the
// delivery log says why.
func TestWebhookToThisMachineRefusedAtConnection(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	demotest.Demo(t, db)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	a := app.New(app.Config{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Outbound: app.OutboundConfig{WebhookTimeout: 2 * time.Second}})
	admin := actor(t, a, db, "admin")
	sub := &store.Subscription{OwnerID: admin.UserID, URL: srv.URL, Secret: "whsec_x", State: store.SubscriptionActive}
	if err := store.CreateSubscription(ctx, db, sub); err != nil {
		t.Fatal(err)
	}
	ev := store.Event{ID: store.NewID(), Type: app.EventCaseCreated, Source: "test", Data: store.JSON(`{}`), OccurredAt: time.Now()}
	if err := store.AppendEvents(ctx, db, []store.Event{ev}); err != nil {
		t.Fatal(err)
	}
	evs, err := store.ListEvents(ctx, db, store.EventFilter{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %+v (%v)", evs, err)
	}
	if err := store.AddDeliveries(ctx, db, sub.ID, evs); err != nil {
		t.Fatal(err)
	}
	log, err := a.Deliveries(ctx, admin, sub.ID, app.DeliveryQuery{})
	if err != nil || len(log.Items) != 1 {
		t.Fatalf("deliveries %+v (%v)", log, err)
	}
	d := log.Items[0]
	if res, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryWebhook, ID: d.ID, Run: d.Run}, 1); err != nil || res.Done {
		t.Fatalf("attempt: %+v %v", res, err)
	}
	got, err := store.GetDelivery(ctx, db, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 0 || got.State != store.DeliveryPending || got.Attempts != 1 || got.LastStatus != nil || !strings.Contains(got.LastError, "this machine") {
		t.Fatalf("receiver hit %d times, delivery %+v", hits.Load(), got)
	}
	// The admin's leave (allowLoopback) lets the same receiver be reached.
	allowed := &store.Subscription{OwnerID: admin.UserID, URL: srv.URL, Secret: "whsec_y", State: store.SubscriptionActive, AllowLoopback: true}
	if err := store.CreateSubscription(ctx, db, allowed); err != nil {
		t.Fatal(err)
	}
	if err := store.AddDeliveries(ctx, db, allowed.ID, evs); err != nil {
		t.Fatal(err)
	}
	log, _ = a.Deliveries(ctx, admin, allowed.ID, app.DeliveryQuery{})
	if res, err := a.AttemptDelivery(ctx, outbound.Delivery{Kind: app.DeliveryWebhook, ID: log.Items[0].ID, Run: 1}, 1); err != nil || !res.Done {
		t.Fatalf("attempt with leave: %+v %v", res, err)
	}
	if hits.Load() != 1 {
		t.Fatalf("receiver hit %d times, want once", hits.Load())
	}
}

// TestSignIsTheDocumentedHMAC pins the signature to the vector computed outside Go (Python's
// hmac.new(secret, ts + b"." + body, hashlib.sha256)), so that a receiver following
// docs/integration.md agrees with the server whatever app.Sign does inside.
func TestSignIsTheDocumentedHMAC(t *testing.T) {
	body := []byte(`{"id":"01jd5q3k8m0000000000000300","type":"case.accepted"}`)
	const want = "v1=9f4ba9357902742d0c59b88b063ae09bb88225aa1d3750e0ae8fbcca6ab74e9e"
	if got := app.Sign("whsec_4f9c", "1764122400", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if app.Sign("whsec_4f9c", "1764122401", body) == want || app.Sign("whsec_other", "1764122400", body) == want {
		t.Fatal("the signature does not depend on the timestamp or the secret")
	}
}
