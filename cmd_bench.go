package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"onewindow/bench"
)

// runBench runs the benchmark scenarios (package bench) and prints their results.
func runBench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := bench.Options{Log: os.Stderr}
	var open, only, cpuprofile, blockprofile string
	var asJSON bool
	fs.StringVar(&o.DB, "db", "", "application database: empty for a new SQLite file, or a postgres:// DSN of a database the bench may fill")
	fs.StringVar(&o.EngineStore, "engine-store", "", "engine store: empty for SQLite, or redis://host:port")
	fs.IntVar(&o.Cases, "cases", 200, "cases a throughput scenario drives")
	fs.StringVar(&open, "open", "1000", "open-case sizes the scale scenario fills, comma-separated (e.g. 1000,10000,100000)")
	fs.IntVar(&o.Workers, "workers", 0, "http scenario: worker processes (serve --role worker) that run the cases while the bench serves HTTP as role api; needs --db postgres://... and --engine-store redis://... (default 0: one process)")
	fs.IntVar(&o.Concurrency, "concurrency", 50, "concurrent clients")
	fs.StringVar(&only, "scenario", "", "run only these scenarios, comma-separated: "+strings.Join(bench.Order, ", "))
	fs.StringVar(&o.Flow, "flow", "", "the definition engine-idle's cases run: empty for a small waiting flow, or a standard flow (std-parallel, …)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per scenario instead of tables")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&blockprofile, "blockprofile", "", "write a profile of where goroutines waited (blocking and mutex contention, 1 ms and longer) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, s := range strings.Split(open, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n <= 0 {
			return usageError(fmt.Errorf("--open: %q is not a positive number of cases", s))
		}
		o.Open = append(o.Open, n)
	}
	if o.Cases <= 0 || o.Concurrency <= 0 {
		return usageError(errors.New("--cases and --concurrency must be positive"))
	}
	if err := bench.CheckWorkers(o); err != nil {
		return usageError(err)
	}
	want := map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	var run []bench.Scenario
	found := map[string]bool{}
	for _, s := range bench.Scenarios() {
		if len(want) == 0 || want[s.Name] {
			run = append(run, s)
			found[s.Name] = true
		}
	}
	for name := range want {
		if !found[name] {
			return usageError(fmt.Errorf("--scenario: no scenario %q (have %s)", name, strings.Join(bench.Order, ", ")))
		}
	}
	if o.Workers > 0 {
		for _, s := range run {
			if s.Name != "http" {
				// The other scenarios drive the engine in the bench's own process.
				return usageError(fmt.Errorf("--workers applies to the http scenario only: add --scenario http"))
			}
		}
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return usageError(fmt.Errorf("--cpuprofile: %w", err))
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageError(fmt.Errorf("--cpuprofile: %w", err))
		}
		defer pprof.StopCPUProfile()
	}
	if blockprofile != "" {
		f, err := os.Create(blockprofile)
		if err != nil {
			return usageError(fmt.Errorf("--blockprofile: %w", err))
		}
		defer f.Close()
		// Waits shorter than a millisecond are not what a slow request is made of.
		runtime.SetBlockProfileRate(int(time.Millisecond))
		defer func() {
			if err := pprof.Lookup("block").WriteTo(f, 0); err != nil {
				fmt.Fprintln(os.Stderr, "onewindow bench: --blockprofile:", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := 0
	for _, s := range run {
		dir, err := os.MkdirTemp("", "onewindow-bench-"+s.Name+"-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "onewindow bench:", err)
			return 1
		}
		so := o
		so.Dir = dir
		fmt.Fprintf(os.Stderr, "bench: %s: %s\n", s.Name, s.Doc)
		res, err := s.Run(ctx, so)
		if os.Getenv("BENCH_KEEP_DIR") == "" {
			os.RemoveAll(dir)
		} else { // to look at the databases a run filled (EXPLAIN a slow read)
			fmt.Fprintf(os.Stderr, "bench: %s: files kept in %s\n", s.Name, dir)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "onewindow bench: %s: %v\n", s.Name, err)
			failed++
			continue
		}
		res.Scenario, res.Machine = s.Name, bench.ThisMachine()
		if asJSON {
			b, _ := json.Marshal(res)
			fmt.Println(string(b))
		} else {
			bench.Print(os.Stdout, res)
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}
