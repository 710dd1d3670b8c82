package bench

// CPU of other processes, read from /proc (Linux; zero elsewhere): the worker processes a run
// started, and the database servers (postgres, redis-server) it drove. The database servers
// may serve others on a shared machine too: their figure is an upper bound of the run's share.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the kernel's USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux
// architecture Go runs on.
const clockTick = 10 * time.Millisecond

// procCPU answers the CPU time (user and system, with that of its waited-for children) pid has
// used; 0 if it cannot be read (the process has gone, or this is not Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	return statCPU(string(b))
}

// statCPU reads utime, stime, cutime and cstime (fields 14-17) of a /proc/PID/stat line. The
// command name (field 2) may hold spaces and parentheses: the fields are counted from its last ')'.
func statCPU(stat string) time.Duration {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return 0
	}
	var ticks int64
	for _, s := range f[11:15] {
		n, _ := strconv.ParseInt(s, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// commCPU answers the CPU time used by every process whose command name (/proc/PID/comm) is
// one of names, summed per name. A postgres server's backends exit and are waited for by the
// postmaster: their time is in its children's times, which procCPU counts, so a backend that
// ends between two readings is not lost.
func commCPU(names ...string) map[string]time.Duration {
	out := map[string]time.Duration{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil {
			continue
		}
		comm := strings.TrimSpace(string(b))
		for _, n := range names {
			if comm == n {
				out[n] += procCPU(pid)
			}
		}
	}
	return out
}

// cpuReading is the CPU time used so far by the bench, its worker processes and the
// database servers.
type cpuReading struct {
	self, workers, postgres, redis time.Duration
	// pgSessions counts the sessions ever opened on the run's PostgreSQL database (its
	// pg_stat_database.sessions, shared with whoever else uses that database): a new
	// session is a new server process, whose start costs the server milliseconds of CPU.
	pgSessions int64
}

// readCPU takes a cpuReading of stack s.
func readCPU(ctx context.Context, s *stack) (cpuReading, error) {
	var r cpuReading
	var err error
	if r.self, err = cpuTime(); err != nil {
		return r, err
	}
	for _, w := range s.workers {
		r.workers += procCPU(w.cmd.Process.Pid)
	}
	if s.pgApp != "" {
		// The run's own backends cannot be told apart by CPU: the connection pools close
		// idle connections and open new ones, and an exited backend's time goes to the
		// postmaster. Count the sessions opened instead.
		if err := s.db.GetContext(ctx, &r.pgSessions, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`); err != nil {
			return r, fmt.Errorf("PostgreSQL sessions: %w", err)
		}
	}
	m := commCPU("postgres", "redis-server")
	r.postgres, r.redis = m["postgres"], m["redis-server"]
	return r, nil
}
