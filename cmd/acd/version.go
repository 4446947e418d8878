package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func runVersion(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "version", "acd version")
	if err := parse(fs, e.args); err != nil {
		return err
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		fmt.Fprintf(e.stdout, "acd %s %s\n", v, bi.GoVersion)
		return nil
	}
	fmt.Fprintf(e.stdout, "acd %s\n", v)
	return nil
}
