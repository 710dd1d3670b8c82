package app

// e-supervision's counts of open cases by state (GET /supervision/counts), kept for up to
// Config.CountsMaxAge. The states depend on the clock (a case turns overdue when its due time
// passes, with no change to any row), so they cannot be counters kept with the writes; and the
// oversight clause of a supervisor is checked per case, so an index alone cannot count them.
// Counting reads every open case the supervisor oversees (~1 s at 100,000 open cases on
// SQLite); the dashboards ask every 15 s per open browser. So a count is kept per oversight,
// department and process: answered from memory while younger than the maximum age, refreshed in
// the background once it is three quarters of that age (one refresh at a time), and counted
// while the caller waits only when it is older (the first request, or after a quiet spell).
// The answer's asOf says when it was counted.

import (
	"context"
	"sync"
	"time"
)

// countFunc counts the open cases by state.
type countFunc func(ctx context.Context) (*CaseCounts, error)

// countsCache keeps recent counts by key.
type countsCache struct {
	maxAge time.Duration
	mu     sync.Mutex
	byKey  map[string]*countsEntry
}

type countsEntry struct {
	counts     *CaseCounts
	at         time.Time // when counted, by the App's clock
	used       time.Time
	refreshing bool
}

func newCountsCache(maxAge time.Duration) *countsCache {
	return &countsCache{maxAge: maxAge, byKey: map[string]*countsEntry{}}
}

// get answers the counts of key: from memory while younger than maxAge (starting a background
// recount past 3/4 of it), else by count. Without a maximum age it always counts.
func (c *countsCache) get(ctx context.Context, key string, now func() time.Time, count countFunc) (*CaseCounts, error) {
	if c == nil || c.maxAge <= 0 {
		return count(ctx)
	}
	t := now()
	c.mu.Lock()
	e := c.byKey[key]
	if e != nil && t.Sub(e.at) < c.maxAge {
		e.used = t
		out := *e.counts
		if t.Sub(e.at) >= c.maxAge*3/4 && !e.refreshing {
			e.refreshing = true
			go c.refresh(context.WithoutCancel(ctx), key, e, count)
		}
		c.mu.Unlock()
		return &out, nil
	}
	c.mu.Unlock()
	fresh, err := count(ctx)
	if err != nil {
		return nil, err
	}
	c.put(key, fresh, t)
	out := *fresh
	return &out, nil
}

// refresh recounts key in the background; a failure leaves the entry to expire and be counted
// by the next caller, who then sees the error.
func (c *countsCache) refresh(ctx context.Context, key string, e *countsEntry, count countFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.maxAge)
	defer cancel()
	fresh, err := count(ctx)
	c.mu.Lock()
	e.refreshing = false
	c.mu.Unlock()
	if err == nil {
		c.put(key, fresh, fresh.AsOf)
	}
}

// put keeps counts taken at t, and drops the entries nobody asked for in ten maximum ages.
func (c *countsCache) put(key string, counts *CaseCounts, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.byKey[key]; e != nil && e.at.After(t) {
		return // a newer count arrived meanwhile
	}
	c.byKey[key] = &countsEntry{counts: counts, at: t, used: t}
	for k, e := range c.byKey {
		if t.Sub(e.used) > 10*c.maxAge {
			delete(c.byKey, k)
		}
	}
}
