package handlers

import "github.com/prometheus/client_golang/prometheus"

// engineTasks counts the go-workflows tasks this process completed, by kind.
func newEngineTasks() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "onewindow_engine_tasks_processed_total",
		Help: "go-workflows tasks this process completed, by kind: workflow (a step of a case or a delivery) or activity."},
		[]string{"kind"})
}

// TaskDone counts one go-workflows task completed by this process; kind is workflow or
// activity. The serve command calls it from around the engine's store.
func (m *Metrics) TaskDone(kind string) { m.tasks.WithLabelValues(kind).Inc() }
