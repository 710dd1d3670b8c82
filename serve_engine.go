package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"onewindow/engine"
)

// retentionInterval is how often finished cases' engine history is looked for.
const retentionInterval = time.Hour

// startEngineUpkeep starts the engine's background loops that run where workers run: the
// removal of finished cases' engine history after the retention period. It returns the
// function that stops them.
func startEngineUpkeep(ctx context.Context, cfg *config, eng *engine.Engine, log *slog.Logger) func(context.Context) error {
	uctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if cfg.Upkeep.Retention > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng.RunRetention(uctx, cfg.Upkeep.Retention, retentionInterval)
		}()
		log.Info("engine retention on", "keep_finished", cfg.Upkeep.Retention)
	}
	return func(context.Context) error {
		cancel()
		wg.Wait()
		return nil
	}
}

// servePprof serves net/http/pprof on addr apart from the API, for profiling on demand; it
// returns the function that stops it.
func servePprof(addr string, log *slog.Logger) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on --pprof-addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("pprof served apart", "address", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
