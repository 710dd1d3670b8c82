package bench

// The stores a run owns on a shared PostgreSQL and Redis: a schema of its own in the database
// it was given, and a key prefix of its own in Redis, both removed at the run's end. Runs on
// one server (interleaved A/B runs, other tests) never meet, and none is flushed.

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/store"
)

// benchSchema creates a schema of the run's own in the PostgreSQL database dsn names, and
// answers the DSN that selects it (search_path) and names its connections (application_name,
// so that the CPU of the run's own server backends can be told apart: readCPU), the
// application name, and the function that drops the schema.
func benchSchema(ctx context.Context, dsn string) (string, string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", nil, fmt.Errorf("--db: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", "", nil, err
	}
	schema := "bench_" + strings.ToLower(store.NewID())
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("--db %s: create the bench's schema: %w", redact(dsn), err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer admin.Close()
		if _, err := admin.ExecContext(dctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			fmt.Printf("bench: drop schema %s: %v\n", schema, err)
		}
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", "onewindow-"+schema)
	u.RawQuery = q.Encode()
	return u.String(), "onewindow-" + schema, drop, nil
}

// benchPrefix answers the Redis URL without a ?prefix= and a key prefix of the run's own
// (under the given prefix, if any).
func benchPrefix(redisURL string) (string, string, error) {
	u, err := url.Parse(redisURL)
	if err != nil {
		return "", "", fmt.Errorf("--engine-store: %w", err)
	}
	q := u.Query()
	base := q.Get("prefix")
	q.Del("prefix")
	u.RawQuery = q.Encode()
	return u.String(), base + "bench" + strings.ToLower(store.NewID()) + ":", nil
}

// withPrefix answers the engine store URL serve reads: redisURL with ?prefix=prefix.
func withPrefix(redisURL, prefix string) string {
	u, err := url.Parse(redisURL)
	if err != nil {
		return redisURL
	}
	q := u.Query()
	q.Set("prefix", prefix)
	u.RawQuery = q.Encode()
	return u.String()
}

// deletePrefix deletes the keys under prefix (and only those).
func deletePrefix(redisURL, prefix string) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return
	}
	rc := redis.NewClient(opts)
	defer rc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	iter := rc.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		if keys = append(keys, iter.Val()); len(keys) == 1000 {
			rc.Unlink(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rc.Unlink(ctx, keys...)
	}
}
