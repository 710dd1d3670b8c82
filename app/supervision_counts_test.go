package app

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The counts are answered from memory while younger than the maximum age, recounted in the
// background past three quarters of it, and counted while the caller waits once older; without a
// maximum age every request counts. The clock is virtual.
func TestCountsCacheAge(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(d time.Duration) { mu.Lock(); now = t0.Add(d); mu.Unlock() }
	calls := 0
	done := make(chan struct{}, 10)
	count := func(context.Context) (*CaseCounts, error) {
		mu.Lock()
		calls++
		n, at := calls, now
		mu.Unlock()
		done <- struct{}{}
		return &CaseCounts{Total: n, AsOf: at}, nil
	}
	c := newCountsCache(time.Minute)
	get := func(key string) *CaseCounts {
		t.Helper()
		got, err := c.get(ctx, key, clock, count)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := get("k"); got.Total != 1 || !got.AsOf.Equal(t0) {
		t.Fatalf("first: %+v", got)
	}
	<-done
	set(30 * time.Second)
	if got := get("k"); got.Total != 1 || !got.AsOf.Equal(t0) {
		t.Fatalf("at 30 s: %+v, want the count of 0 s", got)
	}
	if got := get("other"); got.Total != 2 {
		t.Fatalf("another key: %+v, want its own count", got)
	}
	<-done
	set(50 * time.Second)
	if got := get("k"); got.Total != 1 {
		t.Fatalf("at 50 s: %+v, want the kept count while the background one runs", got)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no background recount past 3/4 of the maximum age")
	}
	deadline := time.Now().Add(5 * time.Second)
	for { // the background count is kept once it returns
		c.mu.Lock()
		kept := c.byKey["k"].at
		c.mu.Unlock()
		if kept.Equal(t0.Add(50 * time.Second)) {
			break
		} else if time.Now().After(deadline) {
			t.Fatal("the background count was not kept")
		}
		time.Sleep(10 * time.Millisecond)
	}
	set(100 * time.Second) // 50 s after the background count: still young
	if got := get("k"); got.Total != 3 || !got.AsOf.Equal(t0.Add(50*time.Second)) {
		t.Fatalf("at 100 s: %+v, want the background count of 50 s", got)
	}
	set(200 * time.Second)
	if got := get("k"); got.Total != 4 || !got.AsOf.Equal(t0.Add(200*time.Second)) {
		t.Fatalf("at 200 s: %+v, want a count while waiting", got)
	}
	<-done
	uncached := newCountsCache(0)
	for i := range 2 {
		got, err := uncached.get(ctx, "k", clock, count)
		if err != nil || got.Total != 5+i {
			t.Fatalf("without a maximum age: %+v %v, want a count each time", got, err)
		}
		<-done
	}
}
