//go:build !linux

package bench

import "syscall"

// workerSysProcAttr has no parent-death signal outside Linux: the bench stops its workers
// itself (SIGTERM, then SIGKILL) on every way out but its own kill -9.
func workerSysProcAttr() *syscall.SysProcAttr { return nil }
