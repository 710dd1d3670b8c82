package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// latencyBuckets are the upper bounds, in seconds, of the request-duration histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	buckets []uint64 // per bucket, not cumulative; the last counts requests above every bound
	count   uint64
	sum     float64
}

// metrics counts requests and their latencies by method, route and status, and writes them in
// the Prometheus text format (version 0.0.4) without a client library.
type metrics struct {
	version string
	start   time.Time
	mu      sync.Mutex
	series  map[seriesKey]*series
}

func newMetrics(version string) *metrics {
	return &metrics{version: version, start: time.Now(), series: map[seriesKey]*series{}}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	secs := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, secs)
	m.mu.Lock()
	defer m.mu.Unlock()
	k := seriesKey{method, route, status}
	s := m.series[k]
	if s == nil {
		s = &series{buckets: make([]uint64, len(latencyBuckets)+1)}
		m.series[k] = s
	}
	s.buckets[i]++
	s.count++
	s.sum += secs
}

// serve godoc
//
//	@Summary	Prometheus metrics: requests and latencies by method, route and status
//	@Tags		health
//	@Produce	plain
//	@Success	200	{string}	string	"Prometheus text format"
//	@Router		/metrics [get]
func (m *metrics) serve(c *gin.Context) {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]seriesKey, 0, len(m.series))
	for k := range m.series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b seriesKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.status - b.status
	})
	b.WriteString("# HELP onewindow_http_requests_total HTTP requests served, by method, route and status.\n")
	b.WriteString("# TYPE onewindow_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "onewindow_http_requests_total{%s} %d\n", labels(k), m.series[k].count)
	}
	b.WriteString("# HELP onewindow_http_request_duration_seconds Time to serve HTTP requests, by method, route and status.\n")
	b.WriteString("# TYPE onewindow_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		s, l := m.series[k], labels(k)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += s.buckets[i]
			fmt.Fprintf(&b, "onewindow_http_request_duration_seconds_bucket{%s,le=%q} %d\n", l, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "onewindow_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", l, s.count)
		fmt.Fprintf(&b, "onewindow_http_request_duration_seconds_sum{%s} %g\n", l, s.sum)
		fmt.Fprintf(&b, "onewindow_http_request_duration_seconds_count{%s} %d\n", l, s.count)
	}
	m.mu.Unlock()
	b.WriteString("# HELP onewindow_build_info The running version.\n# TYPE onewindow_build_info gauge\n")
	fmt.Fprintf(&b, "onewindow_build_info{version=%q} 1\n", m.version)
	b.WriteString("# HELP onewindow_start_time_seconds When the process started, in Unix seconds.\n# TYPE onewindow_start_time_seconds gauge\n")
	fmt.Fprintf(&b, "onewindow_start_time_seconds %d\n", m.start.Unix())
	c.Data(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}

// labels renders the label set of k; %q escapes as Prometheus expects for these values.
func labels(k seriesKey) string {
	return fmt.Sprintf("method=%q,route=%q,status=\"%d\"", k.method, k.route, k.status)
}
