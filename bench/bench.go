// Package bench holds onewindow's benchmark scenarios (`onewindow bench`, `make bench`). Each
// scenario measures one thing on its own files or its own database, and answers a Result that
// the command prints as a table, or as one JSON object per scenario with --json.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Options are the flags of `onewindow bench` that every scenario reads.
type Options struct {
	// DB is the application database the scenario creates and uses: "" for a new SQLite
	// file in Dir, or a postgres:// DSN (the scenario refuses one that holds a live centre).
	DB string
	// EngineStore is "" for SQLite in Dir, or redis://host:port.
	EngineStore string
	// Cases is how many cases a throughput scenario drives; Open lists the open-case sizes
	// the scale scenario fills (e.g. 1000, 10000, 100000).
	Cases int
	Open  []int
	// Concurrency is how many clients (clerks, drivers) run at once.
	Concurrency int
	// Dir is a fresh directory the scenario may fill; the command removes it afterwards.
	Dir string
	// Flow is the definition engine-idle's cases run: "" for the bench's small waiting flow,
	// or a standard flow's key (std-promised, std-parallel, …).
	Flow string
	// Workers is how many worker processes (`serve --role worker` of Binary) run the cases
	// of the http scenario while the bench's own stack serves HTTP as role api;
	// 0 runs everything in the bench's process. It needs PostgreSQL and Redis (CheckWorkers).
	Workers int
	// Binary is the onewindow binary the workers run: "" for the running one (os.Executable).
	Binary string
	// Log receives progress lines (loading 10,000 cases…); never results.
	Log io.Writer
}

// Scenario is one benchmark.
type Scenario struct {
	// Name is the name given to --scenario (engine, raw, http, scale, timers).
	Name string
	// Doc says in one line what it measures.
	Doc string
	// Run measures and answers the result.
	Run func(ctx context.Context, o Options) (*Result, error)
}

// Result is what one scenario measured.
type Result struct {
	Scenario string  `json:"scenario"`
	Machine  Machine `json:"machine"`
	Rows     []Row   `json:"rows"`
	// Notes are findings in words (the median ratio and its spread, how long loading took).
	Notes []string `json:"notes,omitempty"`
}

// Row is one line of a result's table: one operation, or one operation at one size.
type Row struct {
	Name   string  `json:"name"`
	N      int     `json:"n"`
	PerSec float64 `json:"perSec,omitempty"`
	P50    Millis  `json:"p50Ms"`
	P90    Millis  `json:"p90Ms"`
	P99    Millis  `json:"p99Ms"`
	// Extra holds the columns only some rows have (idleCpuPct, rssMB, dbMB, kbPerCase, ratio…).
	Extra map[string]float64 `json:"extra,omitempty"`
}

// Millis is a duration printed and encoded in milliseconds.
type Millis time.Duration

// MarshalJSON encodes the duration as milliseconds.
func (m Millis) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(time.Duration(m).Microseconds()) / 1000)
}

func (m Millis) String() string {
	return fmt.Sprintf("%.2f", float64(time.Duration(m).Microseconds())/1000)
}

// Machine identifies where a result was measured.
type Machine struct {
	Cores int    `json:"cores"`
	Go    string `json:"go"`
	OS    string `json:"os"`
}

// ThisMachine describes the running machine.
func ThisMachine() Machine {
	return Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
}

// Latencies collects durations and answers their percentiles.
type Latencies []time.Duration

// Row summarises the latencies as a table row over the wall time the operations took.
func (l Latencies) Row(name string, wall time.Duration) Row {
	s := append([]time.Duration(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	r := Row{Name: name, N: len(s)}
	if wall > 0 {
		r.PerSec = float64(len(s)) / wall.Seconds()
	}
	if len(s) > 0 {
		r.P50, r.P90, r.P99 = Millis(pct(s, 50)), Millis(pct(s, 90)), Millis(pct(s, 99))
	}
	return r
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return sorted[i]
}

var scenarios []Scenario

// Register adds a scenario; scenario files call it from init. Scenarios run in the order
// of Order, then of registration.
func Register(s Scenario) { scenarios = append(scenarios, s) }

// Order is the order scenarios are listed and run in.
var Order = []string{"engine", "raw", "http", "scale", "timers"}

// Scenarios lists the registered scenarios in Order.
func Scenarios() []Scenario {
	rank := func(name string) int {
		for i, n := range Order {
			if n == name {
				return i
			}
		}
		return len(Order)
	}
	out := append([]Scenario(nil), scenarios...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Name) < rank(out[j].Name) })
	return out
}

// Print writes a result as a table.
func Print(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\n== %s (%d cores, %s, %s)\n", r.Scenario, r.Machine.Cores, r.Machine.Go, r.Machine.OS)
	var extra []string
	seen := map[string]bool{}
	for _, row := range r.Rows {
		for k := range row.Extra {
			if !seen[k] {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tn\tper s\tp50 ms\tp90 ms\tp99 ms", "operation")
	for _, k := range extra {
		fmt.Fprintf(tw, "\t%s", k)
	}
	fmt.Fprintln(tw, "\t")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s", row.Name, row.N, row.PerSec, row.P50, row.P90, row.P99)
		for _, k := range extra {
			if v, ok := row.Extra[k]; ok {
				fmt.Fprintf(tw, "\t%.2f", v)
			} else {
				fmt.Fprint(tw, "\t-")
			}
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace(n))
	}
}
