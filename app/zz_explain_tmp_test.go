package app

import (
	"context"
	"os"
	"testing"
	"time"

	"onewindow/store"
)

type rec struct {
	*store.DB
	qs   []string
	args [][]any
}

func (r *rec) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	r.qs, r.args = append(r.qs, query), append(r.args, args)
	return r.DB.SelectContext(ctx, dest, query, args...)
}

func TestZZExplain(t *testing.T) {
	path := os.Getenv("EXPLAIN_DB")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{DB: db})
	u, err := store.GetUserByUsername(ctx, db, "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.LoadActor(ctx, u, "token")
	if err != nil {
		t.Fatal(err)
	}
	o, err := a.supervising(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	r := &rec{DB: db}
	start := time.Now()
	rows, err := store.SupervisedPage(ctx, r, store.SupervisionFilter{Oversight: o, Now: time.Now(), Sort: store.SortRemaining, Limit: 51})
	t.Logf("%d rows in %s, err %v", len(rows), time.Since(start), err)
	for i, q := range r.qs {
		t.Logf("QUERY %s", q)
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		xs, err := db.QueryxContext(ctx, "EXPLAIN QUERY PLAN "+q, r.args[i]...)
		if err != nil {
			t.Fatal(err)
		}
		for xs.Next() {
			var id, parent, nu int
			var d string
			xs.Scan(&id, &parent, &nu, &d)
			plan = append(plan, struct {
				ID, Parent, NotUsed int
				Detail              string
			}{id, parent, nu, d})
			t.Logf("  %s", d)
		}
		xs.Close()
	}
	var n []struct {
		Due *string `db:"d"`
		N   int     `db:"n"`
	}
	db.SelectContext(ctx, &n, `SELECT substr(due_at,1,10) AS d, COUNT(*) AS n FROM cases WHERE status IN ('starting','active','incident') GROUP BY 1 ORDER BY 1 LIMIT 15`)
	t.Logf("due days: %+v", n)
}
