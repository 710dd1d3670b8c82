package main

import (
	"flag"
	"fmt"
	"net"
	"time"

	"onewindow/engine"
)

// engineUpkeep configures the engine's background work beside the worker, and profiling.
type engineUpkeep struct {
	// Retention is how long a finished case's engine history is kept (0: for ever).
	Retention time.Duration
	// PprofAddr, if set, serves net/http/pprof on this address only.
	PprofAddr string
}

// engineUpkeepFlags declares the flags of engineUpkeep on fs.
func engineUpkeepFlags(fs *flag.FlagSet, u *engineUpkeep) {
	fs.DurationVar(&u.Retention, "engine-retention", engine.DefaultRetention,
		"how long a finished case's engine history is kept (the case, its action log and audit trail stay); 0 keeps it for ever")
	fs.StringVar(&u.PprofAddr, "pprof-addr", "", "serve net/http/pprof on this address only, e.g. 127.0.0.1:6060 (default: off)")
}

// check checks the settings.
func (u *engineUpkeep) check() error {
	if u.Retention < 0 {
		return fmt.Errorf("--engine-retention %v: must not be negative", u.Retention)
	}
	if u.Retention > 0 && u.Retention < time.Hour {
		return fmt.Errorf("--engine-retention %v: at least an hour (0 keeps history for ever)", u.Retention)
	}
	if u.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(u.PprofAddr); err != nil {
			return fmt.Errorf("--pprof-addr %q: want HOST:PORT", u.PprofAddr)
		}
	}
	return nil
}
