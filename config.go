package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is the server's configuration, from flags and ONEWINDOW_* environment variables.
type config struct {
	DataDir         string
	DB              string
	EngineStore     engineStore
	Addr            string
	Demo            bool
	TokenSecret     string
	TokenTTL        time.Duration
	LogLevel        slog.Level
	LogJSON         bool
	ShutdownTimeout time.Duration
	// WorkerName names this process to go-workflows; it must stay the same
	// across restarts of the process and differ between processes.
	WorkerName string
	Engine     engineTuning

	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For
	// names the client that throttling counts by; none by default.
	TrustedProxies []string
	// MetricsAddr, if set, serves /metrics on its own address instead of the API's.
	MetricsAddr string
	// Role is what this process does: api, worker or all (serve_roles.go).
	Role string
	// Outbound configures webhook deliveries and notification senders (config_outbound.go).
	Outbound outboundSettings
	// Upkeep configures engine retention and profiling (config_engine.go).
	Upkeep engineUpkeep
}

// engineTuning are the go-workflows worker settings (see engine.WorkerOptions).
type engineTuning struct {
	WorkflowPollers int
	ActivityPollers int
	MaxParallel     int
	PollInterval    time.Duration
	CacheSize       int
}

// engineStore says where go-workflows keeps its state: an SQLite file, or Redis for scale-out.
type engineStore struct {
	Kind    string // "sqlite" or "redis"
	Path    string // sqlite: the file
	Addr    string // redis: host:port
	RedisDB int    // redis: database number
	// KeyPrefix (redis: ?prefix=NAME) puts every key under NAME:, so that several
	// installations or tests share one Redis.
	KeyPrefix string
	DSN       string // as given, without prefix
}

// parseEngineStore reads "sqlite:PATH" or "redis://HOST:PORT/DB".
func parseEngineStore(s string) (engineStore, error) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
		if p == "" {
			return engineStore{}, fmt.Errorf("engine store %q: want sqlite:PATH", s)
		}
		return engineStore{Kind: "sqlite", Path: p, DSN: s}, nil
	case strings.HasPrefix(s, "redis://"):
		u, err := url.Parse(s)
		if err != nil {
			return engineStore{}, fmt.Errorf("engine store %q: %w", s, err)
		}
		host, port := u.Hostname(), u.Port()
		if host == "" {
			return engineStore{}, fmt.Errorf("engine store %q: want redis://HOST:PORT/DB", s)
		}
		if port == "" {
			port = "6379"
		}
		q := u.Query()
		prefix := q.Get("prefix")
		q.Del("prefix")
		u.RawQuery = q.Encode()
		n := 0
		if db := strings.Trim(u.Path, "/"); db != "" {
			if n, err = strconv.Atoi(db); err != nil || n < 0 {
				return engineStore{}, fmt.Errorf("engine store %q: the database %q must be a number", s, db)
			}
		}
		return engineStore{Kind: "redis", Addr: net.JoinHostPort(host, port), RedisDB: n, KeyPrefix: prefix, DSN: u.String()}, nil
	}
	return engineStore{}, fmt.Errorf("engine store %q: want sqlite:PATH or redis://HOST:PORT/DB", s)
}

// commandFlags declares the flags of command name; serve gets them all, migrate and audit only
// those of the database, backup those of the database and the engine store.
func commandFlags(name string, cfg *config, engine *string, logLevel *string) *flag.FlagSet {
	fs := flag.NewFlagSet("onewindow "+name, flag.ContinueOnError)
	fs.StringVar(&cfg.DataDir, "data-dir", "data", "directory for the default SQLite files and uploaded files")
	fs.StringVar(&cfg.DB, "db", "", "application database: sqlite:PATH or postgres://USER@HOST:5432/DB (default sqlite:DATA-DIR/onewindow.db)")
	fs.StringVar(logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&cfg.LogJSON, "log-json", false, "log JSON lines instead of text")
	if name == "serve" || name == "backup" {
		fs.StringVar(engine, "engine-store", "", "workflow engine state: sqlite:PATH or redis://HOST:6379/0[?prefix=NAME] (default sqlite:engine.db beside the application database)")
	}
	if name == "serve" {
		fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "HTTP listen address")
		fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve /metrics on this address only, e.g. 127.0.0.1:9090, so that it need not be public (default: on --addr)")
		fs.StringVar(&cfg.Role, "role", roleAll, "what this process does: api (HTTP; signals go to the outbox), worker (cases, timers, sweepers, deliveries) or all; api and worker need --db postgres:// and --engine-store redis://")
		fs.BoolVar(&cfg.Demo, "demo", false, "load the demo organisation and users into an empty database")
		fs.StringVar(&cfg.TokenSecret, "token-secret", "", "secret for signing access tokens, at least 32 characters (default: generated once and kept in the database)")
		fs.DurationVar(&cfg.TokenTTL, "token-ttl", 12*time.Hour, "lifetime of an access token")
		fs.Func("trusted-proxies", "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client (default none: the client is the connection's peer)", func(s string) error {
			cfg.TrustedProxies = nil
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
					return fmt.Errorf("%q is neither an IP address nor a CIDR range", p)
				}
				cfg.TrustedProxies = append(cfg.TrustedProxies, p)
			}
			return nil
		})
		fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long to let requests finish on SIGTERM")
		fs.StringVar(&cfg.WorkerName, "worker-name", "", "stable name of this process for the workflow engine (default HOSTNAME:PORT)")
		fs.IntVar(&cfg.Engine.WorkflowPollers, "engine-workflow-pollers", 0, "workflow task pollers (default 2)")
		fs.IntVar(&cfg.Engine.ActivityPollers, "engine-activity-pollers", 0, "activity task pollers (default 2)")
		fs.IntVar(&cfg.Engine.MaxParallel, "engine-max-parallel", 0, "most workflow and activity tasks run at once (default unlimited)")
		fs.DurationVar(&cfg.Engine.PollInterval, "engine-poll-interval", 0, "how long a poll of an idle SQLite engine store waits before it reads again (default 1s; work this process writes wakes it at once)")
		fs.IntVar(&cfg.Engine.CacheSize, "engine-cache-size", 0, "cases kept in memory between steps (default 4096)")
		outboundFlags(fs, &cfg.Outbound)
		engineUpkeepFlags(fs, &cfg.Upkeep)
	}
	return fs
}

// envName is the environment variable of a flag: ONEWINDOW_ and the name in upper snake case.
func envName(flagName string) string {
	return "ONEWINDOW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// loadConfig reads the configuration of command name: environment variables first, then flags,
// which win. It fills in the defaults that depend on other settings and checks the values.
// extra declares flags of the command's own beside the common ones.
func loadConfig(name string, args []string, extra ...func(*flag.FlagSet)) (*config, error) {
	cfg := &config{}
	var engine, logLevel string
	fs := commandFlags(name, cfg, &engine, &logLevel)
	for _, add := range extra {
		add(fs)
	}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if err := cfg.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", logLevel)
	}
	if cfg.DB == "" {
		cfg.DB = "sqlite:" + filepath.Join(cfg.DataDir, "onewindow.db")
	}
	if !strings.HasPrefix(cfg.DB, "sqlite:") && !strings.HasPrefix(cfg.DB, "postgres://") && !strings.HasPrefix(cfg.DB, "postgresql://") {
		return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://USER@HOST:5432/DB", cfg.DB)
	}
	if name != "serve" && name != "backup" {
		return cfg, nil
	}
	if engine == "" {
		dir := cfg.DataDir
		if p, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
			p, _, _ = strings.Cut(p, "?")
			dir = filepath.Dir(p)
		}
		engine = "sqlite:" + filepath.Join(dir, "engine.db")
	}
	if cfg.EngineStore, err = parseEngineStore(engine); err != nil {
		return nil, fmt.Errorf("--engine-store: %w", err)
	}
	if name != "serve" {
		return cfg, nil
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: want HOST:PORT", cfg.Addr)
	}
	if cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("--metrics-addr %q: want HOST:PORT", cfg.MetricsAddr)
		}
	}
	if cfg.WorkerName == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "onewindow"
		}
		cfg.WorkerName = host + ":" + port
	}
	if err := checkRole(cfg); err != nil {
		return nil, err
	}
	if cfg.TokenSecret != "" && len(cfg.TokenSecret) < 32 {
		return nil, fmt.Errorf("--token-secret: at least 32 characters, got %d", len(cfg.TokenSecret))
	}
	if cfg.TokenTTL < time.Minute {
		return nil, fmt.Errorf("--token-ttl %v: at least a minute", cfg.TokenTTL)
	}
	if err := cfg.Outbound.check(); err != nil {
		return nil, err
	}
	if err := cfg.Upkeep.check(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func newLogger(cfg *config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
