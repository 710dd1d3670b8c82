package app

// Throttling: how often a client may fail to sign in, register, file a complaint or look up a
// case's progress. Every allowance is a token bucket (golang.org/x/time/rate) per key, kept in
// this process's memory: with several processes behind a balancer, each counts on its own, so
// a client spreading its requests over N processes gets up to N times the allowance.
//
// Sign-ins are counted in three buckets: per client address (whatever the username), per
// username at that address, and per username from everywhere. An attempt takes one token
// from each before its password is checked, so that parallel attempts cannot all pass one
// check; a successful one gives them back. The per-username bucket is larger than what one
// address can take from it (its own address-and-username bucket runs dry first), so a burst
// from one address cannot lock the owner out at another.

import (
	"math"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is an allowance: Burst at once, then one more every Every.
type Limit struct {
	Burst int
	Every time.Duration
}

// Limits are the allowances of one process; a zero Limit takes the default given.
type Limits struct {
	// SignInAddress: failed sign-ins from one client address, any username (20, then 1 per 30 s).
	SignInAddress Limit
	// SignInAccount: failed sign-ins under one username from one address (5, then 1 per minute).
	SignInAccount Limit
	// SignInUsername: failed sign-ins under one username from all addresses together (60, then
	// 1 per 30 s): against guessing from many addresses at once.
	SignInUsername Limit
	// Register: applicant registrations from one address (10, then 1 per 6 minutes).
	Register Limit
	// Complaints: complaints filed from one address (20, then 1 per 3 minutes).
	Complaints Limit
	// Progress: public progress lookups from one address (30, then 1 per 2 s).
	Progress Limit
	// PublicReads: reads of the public disclosure (result publicity, statistics, flowcharts)
	// from one address (120, then 2 per second).
	PublicReads Limit
	// Disclosures: information-disclosure requests filed from one address (20, then 1 per 3
	// minutes).
	Disclosures Limit
}

func (l Limits) withDefaults() Limits {
	def := func(v *Limit, burst int, every time.Duration) {
		if v.Burst <= 0 {
			v.Burst = burst
		}
		if v.Every <= 0 {
			v.Every = every
		}
	}
	def(&l.SignInAddress, 20, 30*time.Second)
	def(&l.SignInAccount, 5, time.Minute)
	def(&l.SignInUsername, 60, 30*time.Second)
	def(&l.Register, 10, 6*time.Minute)
	def(&l.Complaints, 20, 3*time.Minute)
	def(&l.Progress, 30, 2*time.Second)
	def(&l.PublicReads, 120, 500*time.Millisecond)
	def(&l.Disclosures, 20, 3*time.Minute)
	return l
}

// Throttled names a public write endpoint limited per client address.
type Throttled string

// The public endpoints limited per client address.
const (
	ThrottleRegister   Throttled = "registrations"
	ThrottleComplaints Throttled = "complaints"
	ThrottleProgress   Throttled = "progress lookups"
	ThrottlePublic     Throttled = "public reads"
	ThrottleDisclosure Throttled = "information-disclosure requests"
)

// CodeTooManyAttempts is the code of a throttled request (429, with Retry-After).
const CodeTooManyAttempts = "too_many_attempts"

// throttles are the buckets of one App.
type throttles struct {
	signInAddress, signInAccount, signInUsername *buckets
	public                                       map[Throttled]*buckets
}

func newThrottles(l Limits) *throttles {
	l = l.withDefaults()
	return &throttles{
		signInAddress:  newBuckets(l.SignInAddress),
		signInAccount:  newBuckets(l.SignInAccount),
		signInUsername: newBuckets(l.SignInUsername),
		public: map[Throttled]*buckets{
			ThrottleRegister:   newBuckets(l.Register),
			ThrottleComplaints: newBuckets(l.Complaints),
			ThrottleProgress:   newBuckets(l.Progress),
			ThrottlePublic:     newBuckets(l.PublicReads),
			ThrottleDisclosure: newBuckets(l.Disclosures),
		},
	}
}

// maxKeys bounds the keys one set of buckets remembers.
const maxKeys = 100_000

// buckets are the token buckets of one allowance, one per key. A bucket idle long enough to
// be full again is forgotten, which changes nothing; past maxKeys busy ones are forgotten too
// (a client with that many addresses gets fresh allowances, but memory stays bounded).
type buckets struct {
	limit Limit
	mu    sync.Mutex
	m     map[string]*bucket
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newBuckets(l Limit) *buckets { return &buckets{limit: l, m: map[string]*bucket{}} }

// get returns the bucket of key.
func (b *buckets) get(key string, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.m[key]
	if e == nil {
		if len(b.m) >= maxKeys {
			b.forget(now)
		}
		e = &bucket{l: rate.NewLimiter(rate.Every(b.limit.Every), b.limit.Burst)}
		b.m[key] = e
	}
	if now.After(e.seen) {
		e.seen = now
	}
	return e.l
}

// forget drops the buckets that are full again, and then, if still too many, any half.
func (b *buckets) forget(now time.Time) {
	refill := b.limit.Every * time.Duration(b.limit.Burst)
	for k, e := range b.m {
		if now.Sub(e.seen) >= refill {
			delete(b.m, k)
		}
	}
	if len(b.m) < maxKeys {
		return
	}
	for k := range b.m {
		if len(b.m) < maxKeys/2 {
			break
		}
		delete(b.m, k)
	}
}

// take takes a token of key's bucket at now. It returns the reservation, to give the token
// back with cancel, or how long to wait when the bucket is empty.
func (b *buckets) take(key string, now time.Time) (*rate.Reservation, time.Duration) {
	r := b.get(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d
	}
	return r, 0
}

// taken are tokens taken at one time, to be given back together.
type taken struct {
	at time.Time
	rs []*rate.Reservation
}

// giveBack returns the tokens: the attempt does not count.
func (t *taken) giveBack() {
	for _, r := range t.rs {
		r.CancelAt(t.at)
	}
	t.rs = nil
}

// tooMany refuses a throttled request, saying when to try again.
func tooMany(wait time.Duration, format string, args ...any) *Error {
	secs := int(math.Ceil(wait.Seconds()))
	e := refuse(TooMany, CodeTooManyAttempts, format+"; try again in %d seconds", append(args, secs)...)
	e.RetryAfter = time.Duration(secs) * time.Second
	return e
}

// Throttle counts a request to the public endpoint what from client (its address), or refuses
// it with too_many_attempts when the address has used its allowance.
func (a *App) Throttle(what Throttled, client string) error {
	b, ok := a.throttles.public[what]
	if !ok {
		panic("app.Throttle: unknown endpoint " + string(what))
	}
	if r, wait := b.take(clientKey(client), a.now()); r == nil {
		return tooMany(wait, "too many %s from your address", what)
	}
	return nil
}

// takeSignIn takes a failed sign-in's tokens under username from client, or refuses with
// too_many_attempts.
func (t *throttles) takeSignIn(client, username string, now time.Time) (*taken, error) {
	tk := &taken{at: now}
	for _, s := range []struct {
		b       *buckets
		key, of string
	}{
		{t.signInAddress, client, "from your address"},
		{t.signInAccount, username + "\x00" + client, "for this username from your address"},
		{t.signInUsername, username, "for this username"},
	} {
		r, wait := s.b.take(s.key, now)
		if r == nil {
			tk.giveBack()
			return nil, tooMany(wait, "too many failed sign-ins %s", s.of)
		}
		tk.rs = append(tk.rs, r)
	}
	return tk, nil
}

// clientKey is the key of a client address: the address itself, or for IPv6 its /64
// network, which one subscriber usually holds whole.
func clientKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
