package engine_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"onewindow/app"
	"onewindow/engine"
	"onewindow/engine/calendar"
	"onewindow/engine/enginetest"
	"onewindow/store/storetest"
)

// allDays counts every day as a working day of 24 hours, so that a limit in working days is a
// plain duration and a warning can be made to fall due seconds ahead at any hour of any day.
type allDays struct{ cal *calendar.Calendar }

func newAllDays(b *testing.B, around time.Time) allDays {
	var days []calendar.Day
	for d := calendar.DateOf(around.AddDate(0, 0, -30)); d.Before(calendar.DateOf(around.AddDate(0, 0, 30))); d = d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			days = append(days, calendar.Day{Date: d, Kind: calendar.Workday})
		}
	}
	c, err := calendar.New(calendar.Weekends(), days)
	if err != nil {
		b.Fatal(err)
	}
	if c, err = c.WithHours([]calendar.Period{{Start: 0, End: calendar.At(24, 0)}}); err != nil {
		b.Fatal(err)
	}
	return allDays{c}
}

func (a allDays) Calendar(context.Context, string) (*calendar.Calendar, error) { return a.cal, nil }

// limitsWarningAt returns a receipt and limits whose yellow warning (one working day before
// the promised limit) falls due at warn on the allDays calendar: the clock starts at midnight
// after the day of receipt, and a working day is 24 hours.
func limitsWarningAt(cal *calendar.Calendar, warn time.Time) (time.Time, *engine.Limits) {
	w := warn.In(cal.Location())
	received := time.Date(w.Year(), w.Month(), w.Day()-3, 12, 0, 0, 0, cal.Location())
	clockStart := time.Date(w.Year(), w.Month(), w.Day()-2, 0, 0, 0, 0, cal.Location())
	days := float64(w.Add(24*time.Hour).Sub(clockStart)) / float64(24*time.Hour)
	return received, &engine.Limits{PromisedDays: days, WarnDays: 1}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkAlarmLateness measures how many armed timers one process holds and how late the
// warnings fire at that load. It starts N cases (ONEWINDOW_BENCH_ALARMS, default 2000) through
// the engine on SQLite, each with a promised limit whose yellow warning falls due within a
// window of ONEWINDOW_BENCH_SPREAD seconds (default 10) after all cases have started, and whose
// red alert falls due a day later (so every case holds two armed timers until its warning);
// ONEWINDOW_BENCH_RATE is the start rate the schedule assumes (default 50 cases/s).
// Each warning runs e-supervision's OnAlert (enrichment and notifications); lateness is the
// wall time OnAlert is called minus the warning's due time. It prints the start rate, the
// timers held, the heap, and lateness percentiles.
func BenchmarkAlarmLateness(b *testing.B) {
	n := envInt("ONEWINDOW_BENCH_ALARMS", 2000)
	spread := time.Duration(envInt("ONEWINDOW_BENCH_SPREAD", 10)) * time.Second
	for range b.N {
		runAlarmBench(b, n, spread)
	}
}

func runAlarmBench(b *testing.B, n int, spread time.Duration) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	sup := app.New(app.Config{DB: db}).EngineHooks()
	var (
		mu      sync.Mutex
		late    []time.Duration
		allDone = make(chan struct{})
	)
	onAlert := func(ctx context.Context, a engine.Alert) error {
		at := time.Now()
		if a.Kind == "warning" {
			mu.Lock()
			late = append(late, at.Sub(a.Due))
			if len(late) == n {
				close(allDone)
			}
			mu.Unlock()
		}
		return sup.OnAlert(ctx, a)
	}
	cals := newAllDays(b, time.Now())
	backendFile := filepath.Join(b.TempDir(), "engine.db")
	worker := engine.DefaultWorkerOptions
	x := enginetest.Start(b, db, enginetest.Options{Backend: "sqlite:" + backendFile, Calendars: cals, OnAlert: onAlert, Worker: &worker})
	x.Deploy("receipt", benchReceiptFlow)

	startOne := func(i int, warn time.Time) {
		received, limits := limitsWarningAt(cals.cal, warn)
		if err := x.Engine.StartCase(ctx, engine.CaseInput{CaseID: fmt.Sprintf("B-%06d", i), Definition: "receipt", ReceivedAt: received, Limits: limits}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	began := time.Now()
	// The warnings fall due from fireFrom on: after the cases have started at a conservative
	// rate (ONEWINDOW_BENCH_RATE cases/s, default 50; 2 cores start ~90/s at 2,000 cases and
	// ~50/s at 10,000) plus a margin, so that starting does not overlap firing.
	rate := envInt("ONEWINDOW_BENCH_RATE", 50)
	fireFrom := began.Add(time.Duration(n)*time.Second/time.Duration(rate) + 5*time.Second)
	for i := range n {
		startOne(i, fireFrom.Add(time.Duration(i)*spread/time.Duration(n)))
	}
	queued := time.Since(began)
	// Wait until every case holds its two alarms (a warning fired early would leave one).
	held := 0
	for deadline := time.Now().Add(10 * time.Minute); held < 2*n && time.Now().Before(fireFrom) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		held = pendingTimers(b, backendFile)
	}
	started := time.Since(began)
	overlap := time.Now().After(fireFrom)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	select {
	case <-allDone:
	case <-time.After(time.Until(fireFrom.Add(spread)) + 10*time.Minute):
		b.Fatalf("only %d of %d warnings fired", len(late), n)
	}
	b.StopTimer()
	heldAfter := pendingTimers(b, backendFile)
	slices.Sort(late)
	pct := func(p float64) time.Duration { return late[min(len(late)-1, int(math.Ceil(p*float64(len(late))))-1)] }
	fmt.Printf("BenchmarkAlarmLateness: %d cases queued in %v, all alarms armed after %v (%.0f cases/s); "+
		"%d armed timers held by one process (%d after the warnings fired); heap %.1f MiB (%.1f KiB per case)\n",
		n, queued.Round(time.Millisecond), started.Round(time.Millisecond), float64(n)/started.Seconds(),
		held, heldAfter, float64(ms.HeapInuse)/(1<<20), float64(ms.HeapInuse)/1024/float64(n))
	fmt.Printf("BenchmarkAlarmLateness: %d warnings due over %v (%.0f/s): lateness p50 %v, p90 %v, p99 %v, max %v%s\n",
		n, spread, float64(n)/spread.Seconds(), pct(0.5).Round(time.Millisecond), pct(0.9).Round(time.Millisecond),
		pct(0.99).Round(time.Millisecond), late[len(late)-1].Round(time.Millisecond),
		map[bool]string{true: " (starting overran the first due times)", false: ""}[overlap])
	b.ReportMetric(float64(pct(0.5).Milliseconds()), "p50-late-ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-late-ms")
	b.ReportMetric(float64(held), "timers-held")
}

// pendingTimers counts the timers go-workflows holds in its SQLite store: future events.
func pendingTimers(b *testing.B, file string) int {
	conn, err := sql.Open("sqlite", file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM pending_events WHERE visible_at IS NOT NULL").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

var benchReceiptFlow = receiptFlowForBench()

func receiptFlowForBench() []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ow="https://onewindow.dev/schema/bpmn/1.0" targetNamespace="t">
<process id="receipt" isExecutable="true"><startEvent id="s"/>
  <intermediateThrowEvent id="deemed" ow:clock="startAtReceipt"/><userTask id="work"/><endEvent id="e"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="deemed"/><sequenceFlow id="f2" sourceRef="deemed" targetRef="work"/>
  <sequenceFlow id="f3" sourceRef="work" targetRef="e"/></process></definitions>`)
}
