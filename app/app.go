// Package app holds onewindow's use cases: every rule of the service centre and every
// change it makes. A use case is a method of *App that takes the acting user (an *Actor),
// decides whether they may, checks the rules, writes through one store transaction and
// queues its engine signals through the outbox (outbox.go), in that order.
//
// handlers/ calls one use case per request and only binds, validates and encodes; store/
// holds the SQL; engine/ runs the cases. Nothing here knows HTTP, and nothing below here
// decides a rule. Files are named by area (cases.go, tasks.go, catalogue.go ...), with the
// read models the areas share (the case view, the timeline, the flow contracts) beside them.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"onewindow/engine"
	"onewindow/store"
)

// Config is what the use cases need. Zero fields get the defaults documented on them; DB is
// required.
type Config struct {
	DB *store.DB
	// Engine runs cases; nil where no case runs (tests of areas that start none). Use cases
	// that signal a case answer ErrEngineUnavailable without one.
	Engine *engine.Engine
	// Calendars count working days; default a cache over DB.
	Calendars *store.Calendars
	Logger    *slog.Logger // default slog.Default()
	Now       func() time.Time
	// DataDir is where uploaded files are kept (under DataDir/files); default "data".
	DataDir string
	// MaxFileBytes limits one uploaded file; default 20 MiB.
	MaxFileBytes int64
	// TokenSecret signs access tokens (HS256, at least 32 bytes); TokenTTL is their lifetime,
	// default 12h.
	TokenSecret []byte
	TokenTTL    time.Duration
	// Limits are the allowances of sign-ins and public writes per client (throttle.go).
	Limits Limits
	// Outbound configures webhook deliveries and the senders of notifications (outbound.go).
	Outbound OutboundConfig
	// CountsMaxAge is how old e-supervision's counts of open cases by state may be when
	// answered (supervision_counts.go); 0 counts on every request. serve uses a minute.
	CountsMaxAge time.Duration
}

// App runs the use cases over one database and engine. It is safe for concurrent use.
type App struct {
	cfg   Config
	db    *store.DB
	eng   *engine.Engine
	log   *slog.Logger
	now   func() time.Time
	blobs store.Blobs
	cals  *store.Calendars
	flows *flowCache
	// throttles count sign-ins and public writes per client, in this process's memory.
	throttles *throttles
	// out makes and runs deliveries to the world outside (outbound.go).
	out *outboundState
	// counts keeps e-supervision's recent counts of open cases by state.
	counts *countsCache
}

// New returns an App over cfg.
func New(cfg Config) *App {
	if cfg.DB == nil {
		panic("app.New: Config.DB is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = 20 << 20
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.Calendars == nil {
		cfg.Calendars = &store.Calendars{DB: cfg.DB, Logger: cfg.Logger}
	}
	return &App{cfg: cfg, db: cfg.DB, eng: cfg.Engine, log: cfg.Logger, now: cfg.Now,
		blobs: store.Blobs{Dir: filepath.Join(cfg.DataDir, "files")}, cals: cfg.Calendars, flows: newFlowCache(),
		throttles: newThrottles(cfg.Limits), out: newOutbound(cfg.Outbound, cfg.Logger), counts: newCountsCache(cfg.CountsMaxAge)}
}

// UseEngine gives the App the engine that runs its cases, when the engine is built after the
// App (it calls back into the App's EngineHooks). Call it once, before the App serves.
func (a *App) UseEngine(e *engine.Engine) {
	a.eng, a.cfg.Engine = e, e
}

// Now is the App's clock.
func (a *App) Now() time.Time { return a.now() }

// HasEngine reports whether cases run here (false in tests of areas that start none).
func (a *App) HasEngine() bool { return a.eng != nil }

// MaxFileBytes is the size limit of one uploaded file.
func (a *App) MaxFileBytes() int64 { return a.cfg.MaxFileBytes }

// Ready reports whether the parts the use cases need answer: the database, and the engine's
// store where cases run here.
func (a *App) Ready(ctx context.Context) error {
	if err := a.db.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if a.eng != nil {
		if err := a.eng.Ready(ctx); err != nil {
			return fmt.Errorf("engine store: %w", err)
		}
	}
	return nil
}

// OpsFigures are the counts of /metrics (store.OpsFigures).
type OpsFigures = store.OpsFigures

// AlertKinds are the kinds of alert e-supervision raises, as the metrics count them.
var AlertKinds = []string{store.AlertWarning, store.AlertOverdue, store.AlertViolation}

// OpsFigures counts what an operator watches: signals and starts waiting for the engine,
// timers armed, open incidents, alerts raised by kind, audit rows. Any caller: /metrics is
// served to whoever can reach it (--metrics-addr keeps it off the public address).
func (a *App) OpsFigures(ctx context.Context) (*OpsFigures, error) {
	return store.ReadOpsFigures(ctx, a.db)
}
