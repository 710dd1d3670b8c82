package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"onewindow/app"
)

// latencyBuckets are the upper bounds, in seconds, of the request-duration histogram.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics is the server's Prometheus registry: HTTP requests and their latencies by method,
// route and status, the engine's figures (read from the database at each scrape), the build,
// and the Go runtime and process. Make one with NewMetrics and give it to New, and serve
// Handler where it should be reachable (on the API's address, or on --metrics-addr only).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	tasks    *prometheus.CounterVec
}

// NewMetrics makes the registry; figures reads the engine's figures at each scrape (nil:
// none, for a process that serves no cases).
func NewMetrics(version string, figures func(context.Context) (*app.OpsFigures, error), log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	labels := []string{"method", "route", "status"}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onewindow_http_requests_total",
		Help: "HTTP requests served, by method, route and status."}, labels)
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "onewindow_http_request_duration_seconds",
		Help: "Time to serve HTTP requests, by method, route and status.", Buckets: latencyBuckets}, labels)
	m.tasks = newEngineTasks()
	for _, kind := range []string{"workflow", "activity"} {
		m.tasks.WithLabelValues(kind) // shown at 0 before the first task
	}
	m.reg.MustRegister(m.requests, m.duration, m.tasks,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "onewindow_build_info", Help: "The running version.",
			ConstLabels: prometheus.Labels{"version": version}}, func() float64 { return 1 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	start := prometheus.NewGauge(prometheus.GaugeOpts{Name: "onewindow_start_time_seconds", Help: "When the process started, in Unix seconds."})
	start.Set(float64(time.Now().Unix()))
	m.reg.MustRegister(start)
	if figures != nil {
		m.reg.MustRegister(&engineCollector{figures: figures, log: log})
	}
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, s).Inc()
	m.duration.WithLabelValues(method, route, s).Observe(d.Seconds())
}

// serve godoc
//
//	@Summary	Prometheus metrics: requests and latencies by method, route and status; the engine's pending signals, queued starts, armed timers, open incidents, webhook and notification backlog, alerts, audit rows and tasks processed
//	@Tags		health
//	@Produce	plain
//	@Success	200	{string}	string	"Prometheus text format"
//	@Router		/metrics [get]
func (m *Metrics) serve(c *gin.Context) { m.Handler().ServeHTTP(c.Writer, c.Request) }

// engineCollector reads the engine's figures from the database at each scrape. They are
// counts over the whole deployment, the same from every process.
type engineCollector struct {
	figures func(context.Context) (*app.OpsFigures, error)
	log     *slog.Logger
}

var (
	descSignals   = prometheus.NewDesc("onewindow_outbox_signals_pending", "Signals written to the outbox and not yet delivered to their cases.", nil, nil)
	descStarts    = prometheus.NewDesc("onewindow_case_starts_pending", "Case starts queued and not yet handed to the engine.", nil, nil)
	descTimers    = prometheus.NewDesc("onewindow_timers_armed", "BPMN timers armed and waiting to fire.", nil, nil)
	descIncidents = prometheus.NewDesc("onewindow_incidents_open", "Incidents (tokens that could not move) waiting for an admin.", nil, nil)
	descAlerts    = prometheus.NewDesc("onewindow_alerts_raised_total", "Alerts raised by e-supervision, by kind (warning, overdue, violation).", []string{"kind"}, nil)
	descWebhooks  = prometheus.NewDesc("onewindow_webhook_backlog", "Webhook deliveries not yet delivered nor given up.", nil, nil)
	descNotes     = prometheus.NewDesc("onewindow_notification_backlog", "Notifications not yet sent nor given up.", nil, nil)
	descAudit     = prometheus.NewDesc("onewindow_audit_rows_total", "Rows appended to the audit trail.", nil, nil)
	descUp        = prometheus.NewDesc("onewindow_figures_up", "1 when the engine's figures could be read from the database at this scrape, else 0.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSignals, descStarts, descTimers, descIncidents, descWebhooks, descNotes, descAlerts, descAudit, descUp} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f, err := c.figures(ctx)
	if err != nil {
		c.log.Warn("metrics: the engine's figures could not be read", "err", err)
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descSignals, prometheus.GaugeValue, float64(f.PendingSignals))
	ch <- prometheus.MustNewConstMetric(descStarts, prometheus.GaugeValue, float64(f.PendingStarts))
	ch <- prometheus.MustNewConstMetric(descTimers, prometheus.GaugeValue, float64(f.TimersArmed))
	ch <- prometheus.MustNewConstMetric(descIncidents, prometheus.GaugeValue, float64(f.OpenIncidents))
	ch <- prometheus.MustNewConstMetric(descWebhooks, prometheus.GaugeValue, float64(f.WebhookBacklog))
	ch <- prometheus.MustNewConstMetric(descNotes, prometheus.GaugeValue, float64(f.NotificationBacklog))
	ch <- prometheus.MustNewConstMetric(descAudit, prometheus.CounterValue, float64(f.AuditRows))
	for _, kind := range app.AlertKinds {
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.CounterValue, float64(f.Alerts[kind]), kind)
	}
}
