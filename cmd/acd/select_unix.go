//go:build unix

package main

import "syscall"

// noCoreDumps sets the core-file size limit to zero for this process.
func noCoreDumps() {
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{}) // best effort: nothing to do if refused
}
