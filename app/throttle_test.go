package app

import (
	"strconv"
	"testing"
	"time"
)

func TestSignInBuckets(t *testing.T) {
	th := newThrottles(Limits{})
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	// Five failures under a username from an address; the sixth waits a minute.
	for i := range 5 {
		if _, err := th.takeSignIn("203.0.113.7", "admin", t0); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	_, err := th.takeSignIn("203.0.113.7", "admin", t0)
	if e := refusal(t, err, TooMany, ""); e.RetryAfter != time.Minute || e.Code != CodeTooManyAttempts {
		t.Fatalf("sixth attempt: %+v", e)
	}
	// The refused attempt took nothing from the address: other usernames go on.
	for i := range 15 {
		if _, err := th.takeSignIn("203.0.113.7", "user"+strconv.Itoa(i), t0); err != nil {
			t.Fatalf("user%d: %v", i, err)
		}
	}
	_, err = th.takeSignIn("203.0.113.7", "someone", t0)
	if e := refusal(t, err, TooMany, ""); e.RetryAfter != 30*time.Second {
		t.Fatalf("21st failure from the address: %+v", e)
	}
	// The owner elsewhere is not affected; a minute later the address may try admin once.
	if _, err := th.takeSignIn("198.51.100.9", "admin", t0); err != nil {
		t.Fatalf("the owner: %v", err)
	}
	if _, err := th.takeSignIn("203.0.113.7", "admin", t0.Add(time.Minute)); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
	// A successful attempt gives its tokens back.
	for range 10 {
		tk, err := th.takeSignIn("198.51.100.10", "clerk1", t0)
		if err != nil {
			t.Fatal(err)
		}
		tk.giveBack()
	}
}

func TestUsernameBucketOutlastsOneAddress(t *testing.T) {
	th := newThrottles(Limits{SignInUsername: Limit{Burst: 12, Every: time.Minute}})
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	// Two addresses spend their five each; a third still gets through with its own.
	for _, addr := range []string{"203.0.113.1", "203.0.113.2"} {
		for range 8 {
			_, _ = th.takeSignIn(addr, "admin", t0)
		}
	}
	if _, err := th.takeSignIn("198.51.100.9", "admin", t0); err != nil {
		t.Fatalf("a third address after two bursts: %v", err)
	}
	// Many addresses together exhaust the username's own allowance.
	_, _ = th.takeSignIn("198.51.100.9", "admin", t0)
	_, err := th.takeSignIn("198.51.100.10", "admin", t0)
	if e := refusal(t, err, TooMany, ""); e.Message == "" || e.RetryAfter != time.Minute {
		t.Fatalf("after 12 failures from everywhere: %+v", e)
	}
}

func TestPublicThrottle(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	a := &App{now: func() time.Time { return now }, throttles: newThrottles(Limits{Progress: Limit{Burst: 2, Every: 1500 * time.Millisecond}})}
	for range 2 {
		if err := a.Throttle(ThrottleProgress, "2001:db8:1:2:3:4:5:6"); err != nil {
			t.Fatal(err)
		}
	}
	// Another address of the same /64 shares the allowance; Retry-After rounds up.
	err := a.Throttle(ThrottleProgress, "2001:db8:1:2:ffff::1")
	if e := refusal(t, err, TooMany, ""); e.RetryAfter != 2*time.Second {
		t.Fatalf("third lookup: %+v", e)
	}
	if err := a.Throttle(ThrottleProgress, "2001:db8:1:3::1"); err != nil {
		t.Fatalf("another /64: %v", err)
	}
	now = now.Add(1500 * time.Millisecond)
	if err := a.Throttle(ThrottleProgress, "2001:db8:1:2::9"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
}

func TestIdleBucketsAreForgotten(t *testing.T) {
	b := newBuckets(Limit{Burst: 2, Every: time.Second})
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	b.take("a", t0)
	b.take("b", t0.Add(time.Second))
	b.forget(t0.Add(2 * time.Second)) // a is full again, b not yet
	if _, ok := b.m["a"]; ok || len(b.m) != 1 {
		t.Fatalf("after forgetting: %d buckets, a kept: %v", len(b.m), ok)
	}
}
