package storetest_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"onewindow/store/storetest"
)

// TestServices proves that the configured PostgreSQL and Redis answer. In CI
// (ONEWINDOW_TEST_REQUIRE_SERVICES=1) a missing one fails here rather than being skipped.
func TestServices(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		var one int
		if err := db.GetContext(context.Background(), &one, `SELECT 1`); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
	})
	t.Run("redis", func(t *testing.T) {
		addr := storetest.RedisAddr(t)
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial Redis at %s: %v", addr, err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte("PING\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "+PONG" {
			t.Fatalf("PING answered %q, %v", line, err)
		}
	})
}

func TestSQLiteIsolatedPerTest(t *testing.T) {
	a, b := storetest.SQLite(t), storetest.SQLite(t)
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, `CREATE TABLE only_in_a (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ExecContext(ctx, `SELECT * FROM only_in_a`); err == nil {
		t.Fatal("two SQLite test databases share tables")
	}
}
