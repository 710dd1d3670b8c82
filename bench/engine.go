package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"onewindow/definitions"
	"onewindow/engine"
	"onewindow/store"
)

func init() {
	Register(Scenario{Name: "engine", Doc: "the parallel-approval case through the engine and hand-written on go-workflows, interleaved: median ratio and spread", Run: runEngineVsBaseline})
	Register(Scenario{Name: "engine-idle", Doc: "open cases waiting at a step with its timers: idle CPU, engine state per open case, RSS (sizes from --open)", Run: runEngineIdle})
}

// approvalFlow is the standard parallel-approval shape: accept, countersign by three
// departments, approve, deliver; each step has a ten-day reminder timer.
var approvalFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  xmlns:ow="` + definitions.ExtensionNS + `" targetNamespace="t">
<process id="bench" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window"/>
  <boundaryEvent id="t1" attachedToRef="accept" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="review" flowable:candidateGroups="${department}">
    <multiInstanceLoopCharacteristics isSequential="false" flowable:collection="departments" flowable:elementVariable="department"/>
  </userTask>
  <boundaryEvent id="t2" attachedToRef="review" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="approve" flowable:candidateGroups="lead"/>
  <boundaryEvent id="t3" attachedToRef="approve" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <userTask id="deliver" flowable:candidateGroups="window"/>
  <boundaryEvent id="t4" attachedToRef="deliver" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="e"/><endEvent id="r1"/><endEvent id="r2"/><endEvent id="r3"/><endEvent id="r4"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
  <sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
  <sequenceFlow id="f3" sourceRef="review" targetRef="approve"/>
  <sequenceFlow id="f4" sourceRef="approve" targetRef="deliver"/>
  <sequenceFlow id="f5" sourceRef="deliver" targetRef="e"/>
  <sequenceFlow id="g1" sourceRef="t1" targetRef="r1"/><sequenceFlow id="g2" sourceRef="t2" targetRef="r2"/>
  <sequenceFlow id="g3" sourceRef="t3" targetRef="r3"/><sequenceFlow id="g4" sourceRef="t4" targetRef="r4"/>
</process></definitions>`)

var approvalDepartments = []any{"fgj", "zjj", "zrzyj"}

// rig is an application database and an engine on an engine store of the scenario's own.
type rig struct {
	db      *store.DB
	backend backend.Backend
	engine  *engine.Engine
	// engineFile is the SQLite engine store's file ("" on Redis); redisPrefix its keys' prefix.
	engineFile  string
	redisPrefix string
	stop        func()
}

// openDB opens the scenario's application database: a new SQLite file in o.Dir, or o.DB when
// it is empty (a database holding cases is refused: the bench never writes into a live centre).
func openDB(ctx context.Context, o Options) (*store.DB, error) {
	dsn := o.DB
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(o.Dir, "onewindow.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM cases`); err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 && o.DB != "" {
		db.Close()
		return nil, fmt.Errorf("--db holds %d cases: the bench works on an empty database of its own, never on a live centre's", n)
	}
	return db, nil
}

// openEngine starts an engine over db on a new engine store named name: an SQLite file in
// o.Dir, or o.EngineStore (Redis) under a key prefix of its own.
func openEngine(ctx context.Context, o Options, db *store.DB, name string, cfg engine.Config) (*rig, error) {
	r := &rig{db: db}
	dsn := "sqlite:" + filepath.Join(o.Dir, name+".db")
	if o.EngineStore != "" {
		dsn = o.EngineStore
		r.redisPrefix = fmt.Sprintf("bench-%s-%d:", name, time.Now().UnixNano())
	} else {
		r.engineFile = strings.TrimPrefix(dsn, "sqlite:")
	}
	quiet := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := engine.OpenBackend(dsn, engine.BackendOptions{WorkerName: "bench-" + name, KeyPrefix: r.redisPrefix, Logger: quiet})
	if err != nil {
		return nil, err
	}
	cfg.Backend, cfg.Store, cfg.Logger = b, store.Engine{DB: db}, quiet
	e, err := engine.New(cfg)
	if err != nil {
		b.Close()
		return nil, err
	}
	ectx, cancel := context.WithCancel(ctx)
	if err := e.Start(ectx); err != nil {
		cancel()
		b.Close()
		return nil, err
	}
	r.backend, r.engine = b, e
	r.stop = func() {
		cancel()
		_ = e.Wait()
		_ = b.Close()
	}
	return r, nil
}

// deploy stores and publishes a definition.
func deploy(ctx context.Context, db *store.DB, key string, xml []byte) error {
	d := &store.DefinitionVersion{Key: key, Name: key, XML: xml, FileName: key + ".bpmn", DeploymentID: store.NewID(), CreatedBy: "bench"}
	if _, err := store.DeployDefinition(ctx, db, d); err != nil {
		return fmt.Errorf("deploying %s: %w", key, err)
	}
	if _, err := store.PublishDefinition(ctx, db, key, d.Version, "bench"); err != nil {
		return fmt.Errorf("publishing %s: %w", key, err)
	}
	return nil
}

// clerks complete the open tasks of cases whose id starts with prefix the way the task API
// does (take the task and queue the signal in one transaction, then deliver), until want
// cases with that prefix have completed; it fails after a minute without progress.
func clerks(ctx context.Context, db *store.DB, prefix string, want, n int, deliver func(engine.OutboxSignal) error) (Latencies, error) {
	var mu sync.Mutex
	var lat Latencies
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := 0; c < n; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var open []string
				_ = db.SelectContext(ctx, &open, db.Rebind(`SELECT id FROM tasks WHERE state = 'open' AND case_id LIKE ? ORDER BY created_at LIMIT 64`), prefix+"%")
				done := 0
				for i, id := range open {
					if i%n != c {
						continue
					}
					began := time.Now()
					sig, _ := engine.CompleteTask(id, "agree", nil, false)
					err := db.Tx(ctx, func(tx *sqlx.Tx) error {
						if err := store.TakeTask(ctx, tx, id); err != nil {
							return err
						}
						return store.EnqueueSignal(ctx, tx, &sig)
					})
					if err == nil && deliver(sig) == nil {
						done++
						mu.Lock()
						lat = append(lat, time.Since(began))
						mu.Unlock()
					}
				}
				if done == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}(c)
	}
	defer func() { close(stop); wg.Wait() }()
	last, lastChange := -1, time.Now()
	for {
		var got int
		if err := db.GetContext(ctx, &got, db.Rebind(`SELECT COUNT(*) FROM cases WHERE status = 'completed' AND id LIKE ?`), prefix+"%"); err != nil {
			return nil, err
		}
		if got >= want {
			mu.Lock()
			defer mu.Unlock()
			return append(Latencies(nil), lat...), nil
		}
		if got != last {
			last, lastChange = got, time.Now()
		} else if time.Since(lastChange) > time.Minute {
			return nil, fmt.Errorf("no progress for a minute at %d of %d cases (%s)", got, want, prefix)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runEngineVsBaseline drives the parallel-approval case through the engine and the same
// waits, signals, timers and writes hand-written on go-workflows, in alternate rounds of the
// same run, and reports each variant's case rate and the median ratio with its spread.
func runEngineVsBaseline(ctx context.Context, o Options) (*Result, error) {
	db, err := openDB(ctx, o)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := deploy(ctx, db, "bench", approvalFlow); err != nil {
		return nil, err
	}
	eng, err := openEngine(ctx, o, db, "engine", engine.Config{})
	if err != nil {
		return nil, err
	}
	defer eng.stop()
	hw, err := startHandwritten(ctx, o, db)
	if err != nil {
		return nil, err
	}
	defer hw.stop()

	const rounds = 6
	per := max(o.Cases/(2*rounds), 10) // --cases in all, half per variant
	var rates = map[string][]float64{}
	var lats = map[string]Latencies{}
	var walls = map[string]time.Duration{}
	var ratios []float64
	for round := 0; round < rounds; round++ {
		for _, variant := range []string{"engine", "baseline"} {
			prefix := fmt.Sprintf("%s-%d-", variant, round)
			began := time.Now()
			for i := 0; i < per; i++ {
				id := fmt.Sprintf("%s%05d", prefix, i)
				if variant == "engine" {
					err = eng.engine.StartCase(ctx, engine.CaseInput{CaseID: id, Definition: "bench", Vars: map[string]any{"departments": approvalDepartments}})
				} else {
					err = hw.start(ctx, id)
				}
				if err != nil {
					return nil, fmt.Errorf("%s: starting %s: %w", variant, id, err)
				}
			}
			deliver := func(sig engine.OutboxSignal) error { return eng.engine.Deliver(ctx, sig) }
			if variant == "baseline" {
				deliver = func(sig engine.OutboxSignal) error { return hw.deliver(ctx, sig) }
			}
			l, err := clerks(ctx, db, prefix, per, 4, deliver)
			if err != nil {
				return nil, fmt.Errorf("%s round %d: %w", variant, round, err)
			}
			wall := time.Since(began)
			rates[variant] = append(rates[variant], float64(per)/wall.Seconds())
			lats[variant] = append(lats[variant], l...)
			walls[variant] += wall
			fmt.Fprintf(o.Log, "engine: round %d %s %.1f cases/s\n", round+1, variant, float64(per)/wall.Seconds())
		}
		ratios = append(ratios, rates["engine"][round]/rates["baseline"][round])
	}
	res := &Result{Scenario: "engine", Machine: ThisMachine()}
	for _, variant := range []string{"engine", "baseline"} {
		row := lats[variant].Row(variant+": task completion (take + signal)", walls[variant])
		row.Extra = map[string]float64{"casesPerSec": median(rates[variant])}
		res.Rows = append(res.Rows, row)
	}
	lo, mid, hi := spread(ratios)
	res.Rows = append(res.Rows, Row{Name: "engine/baseline ratio (median of rounds)", N: len(ratios), Extra: map[string]float64{"ratio": mid, "ratioMin": lo, "ratioMax": hi}})
	res.Notes = append(res.Notes, fmt.Sprintf("%d alternate rounds of %d cases per variant (accept, 3 countersigns, approve, deliver; a P10D timer per step); "+
		"engine/baseline case-rate ratio median %.2f (min %.2f, max %.2f); store %s", rounds, per, mid, lo, hi, storeKind(o)))
	return res, nil
}

func storeKind(o Options) string {
	if o.EngineStore != "" {
		return "Redis"
	}
	return "SQLite"
}

func median(xs []float64) float64 {
	_, m, _ := spread(xs)
	return m
}

// spread answers the smallest, median and largest of xs.
func spread(xs []float64) (lo, mid, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	mid = s[len(s)/2]
	if len(s)%2 == 0 {
		mid = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[0], mid, s[len(s)-1]
}

// startCases starts n cases through the engine, conc at a time, with ids prefix + number;
// in gives each case's input.
func startCases(ctx context.Context, e *engine.Engine, n, conc int, prefix string, in func(i int) engine.CaseInput) error {
	return eachParallel(ctx, n, conc, func(i int) error {
		c := in(i)
		c.CaseID = fmt.Sprintf("%s%07d", prefix, i)
		if err := e.StartCase(ctx, c); err != nil && !errors.Is(err, engine.ErrCaseExists) {
			return err
		}
		return nil
	})
}

// eachParallel calls fn for 0 … n-1 from conc goroutines and answers the first error (the
// goroutine that met it stops; the others finish what is left).
func eachParallel(ctx context.Context, n, conc int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return ctx.Err()
}

// waitingFlow is a case waiting at its acceptance step with a ten-day reminder, under
// promised and statutory limits (the clock's warning and overdue alarms).
var waitingFlow = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn" targetNamespace="t">
<process id="waiting" isExecutable="true">
  <startEvent id="s"/>
  <userTask id="accept" flowable:candidateGroups="window"/>
  <boundaryEvent id="remind" attachedToRef="accept" cancelActivity="false"><timerEventDefinition><timeDuration>P10D</timeDuration></timerEventDefinition></boundaryEvent>
  <endEvent id="e"/><endEvent id="r"/>
  <sequenceFlow id="f1" sourceRef="s" targetRef="accept"/><sequenceFlow id="f2" sourceRef="accept" targetRef="e"/>
  <sequenceFlow id="g1" sourceRef="remind" targetRef="r"/>
</process></definitions>`)

// loadBatch is how many cases the idle scenario starts before it waits for them to reach
// their step.
const loadBatch = 500

// idleWindow is how long idle CPU is measured at each size.
const idleWindow = 15 * time.Second

// runEngineIdle fills each --open size of open cases through the engine's Go API (cases
// waiting at a step with a reminder timer and the clock's alarms), then measures the
// process's CPU over idleWindow with nothing due, the engine state per open case and RSS.
func runEngineIdle(ctx context.Context, o Options) (*Result, error) {
	sizes := append([]int(nil), o.Open...)
	sort.Ints(sizes)
	if len(sizes) == 0 {
		sizes = []int{1000}
	}
	db, err := openDB(ctx, o)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	flow, vars, err := idleFlow(ctx, db, o.Flow)
	if err != nil {
		return nil, err
	}
	r, err := openEngine(ctx, o, db, "idle", engine.Config{})
	if err != nil {
		return nil, err
	}
	defer r.stop()
	res := &Result{Scenario: "engine-idle", Machine: ThisMachine()}
	loaded := 0
	for _, size := range sizes {
		began := time.Now()
		in := func(i int) engine.CaseInput {
			return engine.CaseInput{Definition: flow, Vars: vars, Limits: &engine.Limits{PromisedDays: 20, StatutoryDays: 20, WarnDays: 3}}
		}
		// In batches: go-workflows serves due work oldest first, so thousands of cases started
		// at once all take their first turn before any reaches its step.
		for from := loaded; from < size; from += loadBatch {
			to := min(from+loadBatch, size)
			if err := startCases(ctx, r.engine, to-from, 8, fmt.Sprintf("idle-%d-", from), in); err != nil {
				return nil, err
			}
			if err := waitOpenTasks(ctx, db, to); err != nil {
				return nil, err
			}
		}
		took := time.Since(began)
		fmt.Fprintf(o.Log, "engine-idle: %d open cases (%d started in %v, %.0f cases/s)\n", size, size-loaded, took.Round(time.Second), float64(size-loaded)/took.Seconds())
		loaded = size
		if err := r.quiet(ctx); err != nil {
			return nil, err
		}
		cpu, err := idleCPU(ctx, idleWindow)
		if err != nil {
			return nil, err
		}
		bytes, err := r.engineBytes(ctx, o)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, Row{Name: fmt.Sprintf("%d open cases, idle", size), N: size, Extra: map[string]float64{
			"idleCpuPct": cpu, "engineMB": float64(bytes) / (1 << 20), "kbPerCase": float64(bytes) / 1024 / float64(size),
			"rssMB": rssMB(), "loadPerSec": float64(size) / took.Seconds(),
		}})
	}
	what := "cases wait at acceptance with a P10D reminder and 20-day limits (warning and overdue alarms)"
	if o.Flow != "" {
		what = "cases run the standard flow " + o.Flow + " and wait at its acceptance step, with 20-day limits"
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%s; idle CPU is this process's user+system time over %v with nothing due, in %% of one core; engine state is the %s store's size over open cases", what, idleWindow, storeKind(o)))
	return res, nil
}

// waitOpenTasks waits until n tasks are open (every case started has reached its step).
func waitOpenTasks(ctx context.Context, db *store.DB, n int) error {
	last, lastChange := -1, time.Now()
	for {
		var got int
		if err := db.GetContext(ctx, &got, `SELECT COUNT(*) FROM tasks WHERE state = 'open'`); err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if got != last {
			last, lastChange = got, time.Now()
		} else if time.Since(lastChange) > time.Minute {
			return fmt.Errorf("no progress for a minute at %d of %d open cases", got, n)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// engineBytes is the size of the rig's engine state: the SQLite file after a checkpoint of
// its write-ahead log, or the memory of its keys in Redis.
func (r *rig) engineBytes(ctx context.Context, o Options) (int64, error) {
	if r.engineFile != "" {
		if db, ok := r.backend.(interface{ DB() *sql.DB }); ok {
			if _, err := db.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				return 0, fmt.Errorf("checkpointing the engine store: %w", err)
			}
		}
		var total int64
		for _, f := range []string{r.engineFile, r.engineFile + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				total += st.Size()
			}
		}
		return total, nil
	}
	ropts, err := redis.ParseURL(o.EngineStore)
	if err != nil {
		return 0, err
	}
	rc := redis.NewClient(ropts)
	defer rc.Close()
	var total int64
	iter := rc.Scan(ctx, 0, r.redisPrefix+"*", 1000).Iterator()
	var keys []string
	flush := func() error {
		p := rc.Pipeline()
		cmds := make([]*redis.IntCmd, len(keys))
		for i, k := range keys {
			cmds[i] = p.MemoryUsage(ctx, k)
		}
		if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for _, c := range cmds {
			total += c.Val()
		}
		keys = keys[:0]
		return nil
	}
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	return total, flush()
}

// quiet waits until the engine has no work left: on SQLite, no pending event due and no
// activity queued (the steps after each case's task opened, such as arming its alarms); on
// Redis, until the armed alarms stop changing.
func (r *rig) quiet(ctx context.Context) error {
	q := `SELECT (SELECT COUNT(*) FROM alarms WHERE state = 'armed')`
	var db *sql.DB
	engineQuery := ""
	if e, ok := r.backend.(interface{ DB() *sql.DB }); ok {
		engineQuery = `SELECT (SELECT COUNT(*) FROM pending_events WHERE visible_at IS NULL OR visible_at <= ?) + (SELECT COUNT(*) FROM activities)`
		db = e.DB()
	}
	last, same := -1, 0
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
		var n int
		var err error
		if engineQuery != "" {
			err = db.QueryRowContext(ctx, engineQuery, time.Now()).Scan(&n)
		} else {
			err = r.db.GetContext(ctx, &n, q)
		}
		if err != nil {
			return fmt.Errorf("waiting for the engine to be idle: %w", err)
		}
		if engineQuery != "" && n == 0 || engineQuery == "" && n == last {
			if same++; same >= 3 {
				return nil
			}
		} else {
			same = 0
		}
		last = n
		time.Sleep(time.Second)
	}
	return errors.New("the engine did not become idle within ten minutes")
}
