package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"onewindow/app"
)

// outboundSettings configure deliveries to the world outside: webhook retries and the
// sender of notifications to people.
type outboundSettings struct {
	WebhookTimeout time.Duration
	RetryFirst     time.Duration
	RetryMax       time.Duration
	GiveUpAfter    time.Duration
	// Sender is log, webhook or smtp.
	Sender        string
	WebhookURL    string
	WebhookSecret string
	SMTPAddr      string
	SMTPFrom      string
	SMTPUsername  string
	SMTPPassword  string
}

// outboundFlags declares the flags of the deliveries on fs.
func outboundFlags(fs *flag.FlagSet, o *outboundSettings) {
	fs.DurationVar(&o.WebhookTimeout, "webhook-timeout", 10*time.Second, "how long one webhook or notification request may take")
	fs.DurationVar(&o.RetryFirst, "webhook-retry", 30*time.Second, "the wait after a delivery's first failed attempt; it doubles after each")
	fs.DurationVar(&o.RetryMax, "webhook-retry-max", time.Hour, "the longest wait between two attempts of a delivery")
	fs.DurationVar(&o.GiveUpAfter, "webhook-give-up", 24*time.Hour, "how long a delivery is retried; a webhook subscription failing that long is disabled")
	fs.StringVar(&o.Sender, "notify-sender", "log", "how notifications reach people: log, webhook or smtp")
	fs.StringVar(&o.WebhookURL, "notify-webhook-url", "", "with --notify-sender webhook: the URL each notification is POSTed to")
	fs.StringVar(&o.WebhookSecret, "notify-webhook-secret", "", "with --notify-sender webhook: the key of the requests' HMAC-SHA256 signature")
	fs.StringVar(&o.SMTPAddr, "smtp-addr", "", "with --notify-sender smtp: the mail server, HOST:PORT")
	fs.StringVar(&o.SMTPFrom, "smtp-from", "", "with --notify-sender smtp: the sender address")
	fs.StringVar(&o.SMTPUsername, "smtp-username", "", "with --notify-sender smtp: the user name (PLAIN authentication; none without)")
	fs.StringVar(&o.SMTPPassword, "smtp-password", "", "with --notify-sender smtp: the password (prefer ONEWINDOW_SMTP_PASSWORD)")
}

// check checks the settings.
func (o *outboundSettings) check() error {
	for name, d := range map[string]time.Duration{"--webhook-timeout": o.WebhookTimeout, "--webhook-retry": o.RetryFirst,
		"--webhook-retry-max": o.RetryMax, "--webhook-give-up": o.GiveUpAfter} {
		if d <= 0 {
			return fmt.Errorf("%s %v: must be positive", name, d)
		}
	}
	switch o.Sender {
	case "log":
	case "webhook":
		if u, err := url.Parse(o.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--notify-webhook-url %q: an http or https URL is needed with --notify-sender webhook", o.WebhookURL)
		}
	case "smtp":
		if _, _, err := net.SplitHostPort(o.SMTPAddr); err != nil {
			return fmt.Errorf("--smtp-addr %q: HOST:PORT is needed with --notify-sender smtp", o.SMTPAddr)
		}
		if o.SMTPFrom == "" {
			return fmt.Errorf("--smtp-from: a sender address is needed with --notify-sender smtp")
		}
	default:
		return fmt.Errorf("--notify-sender %q: want log, webhook or smtp", o.Sender)
	}
	return nil
}

// appConfig is the use cases' configuration of the deliveries; self is this server's address.
func (o *outboundSettings) appConfig(self string, log *slog.Logger) app.OutboundConfig {
	c := app.OutboundConfig{WebhookTimeout: o.WebhookTimeout, RetryFirst: o.RetryFirst, RetryMax: o.RetryMax, GiveUpAfter: o.GiveUpAfter,
		SelfAddrs: []string{self}, Sender: app.LogSender{Log: log}}
	switch o.Sender {
	case "webhook":
		c.Sender = app.WebhookSender{URL: o.WebhookURL, Secret: o.WebhookSecret, Client: &http.Client{Timeout: o.WebhookTimeout}}
	case "smtp":
		c.Sender = app.SMTPSender{Addr: o.SMTPAddr, From: o.SMTPFrom, Username: o.SMTPUsername, Password: o.SMTPPassword, Timeout: o.WebhookTimeout}
	}
	return c
}
