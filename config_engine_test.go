package main

import (
	"strings"
	"testing"

	"onewindow/engine"
)

func TestEngineUpkeepFlags(t *testing.T) {
	cfg, err := loadConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Upkeep.Retention != engine.DefaultRetention || cfg.Upkeep.PprofAddr != "" {
		t.Errorf("defaults: retention %v, pprof %q; want %v and off", cfg.Upkeep.Retention, cfg.Upkeep.PprofAddr, engine.DefaultRetention)
	}
	if cfg, err = loadConfig("serve", []string{"--engine-retention", "0", "--pprof-addr", "127.0.0.1:6060"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Upkeep.Retention != 0 || cfg.Upkeep.PprofAddr != "127.0.0.1:6060" {
		t.Errorf("got retention %v, pprof %q", cfg.Upkeep.Retention, cfg.Upkeep.PprofAddr)
	}
	for _, bad := range [][]string{{"--engine-retention", "10m"}, {"--engine-retention", "-1h"}, {"--pprof-addr", "6060"}} {
		if _, err := loadConfig("serve", bad); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: error %v, want one naming %s", bad, err, bad[0])
		}
	}
}
