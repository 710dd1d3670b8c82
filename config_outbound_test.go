package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"onewindow/app"
)

// TestOutboundFlags: the notification sender and the webhook retries come from flags (the
// SMTP password from the environment too); the default sender logs; a sender without what it
// needs, or a wait that is not positive, stops the server from starting.
func TestOutboundFlags(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := loadConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Outbound.appConfig(cfg.Addr, quiet)
	if _, ok := c.Sender.(app.LogSender); !ok || c.RetryFirst != 30*time.Second || c.RetryMax != time.Hour || c.GiveUpAfter != 24*time.Hour ||
		c.WebhookTimeout != 10*time.Second || strings.Join(c.SelfAddrs, ",") != "127.0.0.1:8080" {
		t.Errorf("defaults %+v", c)
	}

	t.Setenv("ONEWINDOW_SMTP_PASSWORD", "from-the-environment")
	cfg, err = loadConfig("serve", []string{"--notify-sender", "smtp", "--smtp-addr", "mail.example.gov.cn:587", "--smtp-from", "noreply@example.gov.cn",
		"--smtp-username", "onewindow", "--webhook-retry", "1m", "--webhook-retry-max", "2h", "--webhook-give-up", "48h"})
	if err != nil {
		t.Fatal(err)
	}
	c = cfg.Outbound.appConfig(cfg.Addr, quiet)
	want := app.SMTPSender{Addr: "mail.example.gov.cn:587", From: "noreply@example.gov.cn", Username: "onewindow", Password: "from-the-environment",
		Timeout: 10 * time.Second}
	if got, ok := c.Sender.(app.SMTPSender); !ok || got != want || c.RetryFirst != time.Minute || c.RetryMax != 2*time.Hour || c.GiveUpAfter != 48*time.Hour {
		t.Errorf("smtp %+v", c)
	}
	cfg, err = loadConfig("serve", []string{"--notify-sender", "webhook", "--notify-webhook-url", "https://sms-gw.example.gov.cn/notify",
		"--notify-webhook-secret", "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := cfg.Outbound.appConfig(cfg.Addr, quiet).Sender.(app.WebhookSender); !ok || got.URL != "https://sms-gw.example.gov.cn/notify" || got.Secret != "s3cret" ||
		got.Client == nil || got.Client.Timeout != 10*time.Second {
		t.Errorf("webhook sender %+v", got)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--notify-sender", "sms"}, "--notify-sender"},
		{[]string{"--notify-sender", "smtp", "--smtp-from", "a@b.c"}, "--smtp-addr"},
		{[]string{"--notify-sender", "smtp", "--smtp-addr", "mail:25"}, "--smtp-from"},
		{[]string{"--notify-sender", "webhook", "--notify-webhook-url", "ftp://x"}, "--notify-webhook-url"},
		{[]string{"--webhook-retry", "0s"}, "--webhook-retry"},
		{[]string{"--webhook-give-up", "-1h"}, "--webhook-give-up"},
	} {
		if _, err := loadConfig("serve", c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("loadConfig(%q) = %v, want an error about %q", c.args, err, c.want)
		}
	}
}
