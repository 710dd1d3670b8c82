package bench

import "syscall"

// workerSysProcAttr kills a worker process when the bench dies without stopping it (kill -9):
// a benchmark leaves no process behind.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
