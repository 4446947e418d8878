package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"text/tabwriter"

	"github.com/acd-platform/acd/internal/keys"
)

func runKeys(ctx context.Context, e *env) error {
	return subcommand(ctx, e, "keys", map[string]func(context.Context, *env) error{
		"list":   runKeysList,
		"rotate": runKeysRotate,
	})
}

func runKeysList(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "keys list", "acd keys list [--data-dir DIR]\n\nLists every key version with its purpose, id, algorithm, dates and, for signing keys, the public half.")
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	ring, err := st.openKeys()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PURPOSE\tID\tALGORITHM\tCREATED\tSTATE\tPUBLIC KEY")
	for _, p := range keys.Purposes {
		for _, k := range ring.All(p) {
			state := "current"
			if !k.Retired.IsZero() {
				state = "retired " + k.Retired.UTC().Format("2006-01-02T15:04:05Z")
			}
			pub := "-"
			if k.Public != nil {
				pub = base64.StdEncoding.EncodeToString(k.Public)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p, k.ID, k.Algorithm, k.Created.UTC().Format("2006-01-02T15:04:05Z"), state, pub)
		}
	}
	return tw.Flush()
}

func runKeysRotate(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "keys rotate", "acd keys rotate [--data-dir DIR] PURPOSE\n\nMakes a new current key for PURPOSE; old versions stay for verification.\nA running server picks up the new key when restarted.")
	var st storage
	st.register(fs, e)
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one PURPOSE (one of %v)", keys.Purposes)
	}
	p := keys.Purpose(fs.Arg(0))
	if _, ok := keys.AlgorithmOf(p); !ok {
		return usagef("unknown purpose %q (want one of %v)", p, keys.Purposes)
	}
	ring, err := st.openKeys()
	if err != nil {
		return err
	}
	k, err := ring.Rotate(p)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rotated %s: new key %s\n", p, k.ID)
	return nil
}
