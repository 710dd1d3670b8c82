package store

// Planner statistics. SQLite plans without statistics until ANALYZE has run (it then guesses,
// and guessed badly on the case list: it walked a clerk's whole action log for every case);
// PostgreSQL gathers them only when autovacuum gets round to it. The application refreshes them
// itself, so that its plans do not depend on an operator's settings: ANALYZE after migrations
// and bulk loads, PRAGMA optimize at start and every few hours on SQLite (cheap: it analyses only
// the tables whose size changed much since the last time).

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Analyze gathers fresh planner statistics over every table (ANALYZE on both databases). On
// SQLite it samples (analysis_limit) so that it takes milliseconds however large the tables:
// it holds the write lock while it runs.
func Analyze(ctx context.Context, db *DB) error {
	if db.dialect != SQLite {
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA analysis_limit = 2000`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// Optimize refreshes the statistics that are out of date: PRAGMA optimize on SQLite (with no
// statistics yet, a full ANALYZE first), ANALYZE on PostgreSQL.
func Optimize(ctx context.Context, db *DB) error {
	if db.dialect != SQLite {
		return Analyze(ctx, db)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if n == 0 {
		return Analyze(ctx, db)
	}
	// 0x10002: look at every table (not only those the connection used), with limited work.
	if _, err := db.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

// OptimizeEvery is how often KeepOptimized refreshes the statistics.
const OptimizeEvery = 6 * time.Hour

// KeepOptimized runs Optimize now and then every OptimizeEvery until ctx ends, logging
// failures (stale statistics make queries slower, never wrong).
func KeepOptimized(ctx context.Context, db *DB, log *slog.Logger) {
	for {
		if err := Optimize(ctx, db); err != nil && ctx.Err() == nil {
			log.Warn("refreshing planner statistics", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(OptimizeEvery):
		}
	}
}

// HasTable reports whether the database has a table called name.
func HasTable(ctx context.Context, q Q, name string) bool {
	var n int
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if DialectOf(q) == Postgres {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	return q.GetContext(ctx, &n, query, name) == nil && n > 0
}
