//go:build !unix

package main

// noCoreDumps does nothing where there are no core files to limit.
func noCoreDumps() {}
