package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaultsEnvAndFlags(t *testing.T) {
	cfg, err := loadConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "sqlite:data/onewindow.db" || cfg.EngineStore.DSN != "sqlite:data/engine.db" || cfg.Addr != "127.0.0.1:8080" || cfg.Demo {
		t.Errorf("defaults: %+v", cfg)
	}

	// The engine store defaults to a file beside the application database.
	cfg, err = loadConfig("serve", []string{"--db", "sqlite:/var/lib/ow/app.db"})
	if err != nil || cfg.EngineStore.Kind != "sqlite" || cfg.EngineStore.Path != "/var/lib/ow/engine.db" {
		t.Errorf("engine beside db: %+v, %v", cfg, err)
	}

	// Environment variables set values; flags win over them.
	t.Setenv("ONEWINDOW_ADDR", "0.0.0.0:9000")
	t.Setenv("ONEWINDOW_DEMO", "true")
	t.Setenv("ONEWINDOW_ENGINE_STORE", "redis://cache:6380/2")
	t.Setenv("ONEWINDOW_TOKEN_TTL", "30m")
	t.Setenv("ONEWINDOW_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
	cfg, err = loadConfig("serve", []string{"--addr", "127.0.0.1:9001"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9001" || !cfg.Demo || cfg.TokenTTL != 30*time.Minute || strings.Join(cfg.TrustedProxies, " ") != "10.0.0.1 192.168.0.0/16" {
		t.Errorf("env and flags: %+v", cfg)
	}
	if es := cfg.EngineStore; es.Kind != "redis" || es.Addr != "cache:6380" || es.RedisDB != 2 {
		t.Errorf("redis engine store: %+v", es)
	}

	// migrate knows only the database flags.
	if _, err := loadConfig("migrate", []string{"--addr", "x:1"}); err == nil {
		t.Error("migrate accepted --addr")
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", "mysql://x"}, "--db"},
		{[]string{"--engine-store", "mysql://x"}, "--engine-store"},
		{[]string{"--engine-store", "redis://:6379"}, "--engine-store"},
		{[]string{"--engine-store", "redis://h:6379/x"}, "must be a number"},
		{[]string{"--addr", "8080"}, "--addr"},
		{[]string{"--token-secret", "short"}, "32 characters"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"--trusted-proxies", "10.0.0.1,proxy.local"}, "neither an IP address nor a CIDR range"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		_, err := loadConfig("serve", c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("loadConfig(%q) = %v, want an error about %q", c.args, err, c.want)
		}
	}
	t.Setenv("ONEWINDOW_DEMO", "maybe")
	if _, err := loadConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "ONEWINDOW_DEMO") {
		t.Errorf("bad env value: %v, want an error naming ONEWINDOW_DEMO", err)
	}
}

func TestParseEngineStoreDefaultsRedisPort(t *testing.T) {
	es, err := parseEngineStore("redis://127.0.0.1")
	if err != nil || es.Addr != "127.0.0.1:6379" || es.RedisDB != 0 {
		t.Fatalf("%+v, %v", es, err)
	}
}
