package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// idleCPU measures this process's CPU time (user and system) over window, in percent of one core.
func idleCPU(ctx context.Context, window time.Duration) (float64, error) {
	before, err := cpuTime()
	if err != nil {
		return 0, err
	}
	began := time.Now()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(window):
	}
	after, err := cpuTime()
	if err != nil {
		return 0, err
	}
	return 100 * float64(after-before) / float64(time.Since(began)), nil
}

// cpuTime is the CPU time this process has used.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// rssMB is this process's resident set size in MB (Linux; 0 elsewhere).
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

// loadAverage is the machine's one-minute load average (Linux; 0 elsewhere): how busy the
// shared machine was while a figure was taken.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0
	}
	l, _ := strconv.ParseFloat(f[0], 64)
	return l
}
