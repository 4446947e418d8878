// Command capgen writes deterministic synthetic traffic captures for testing
// and benchmarking the selection engine (acd select), and the files that go
// with them: a domestic address table, a criteria set of any size and a
// manifest of what the capture holds.
//
//	capgen --packets 1000000 --seed 1 --out bench.pcap \
//	       --delegated delegated.txt --criteria crit.json --matchers 100000 \
//	       --manifest manifest.json
//	capgen --bytes 4G --out - | acd select ... -
//
// Exit codes: 0 success, 1 failure, 2 usage.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/selection/capgen"
)

const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is bad usage: exit 2.
type usageError struct{ error }

const synopsis = `usage: capgen [--packets N | --bytes B] [--seed S] [--canaries] [--ipv6-share F]
              [--out FILE|-] [--delegated FILE] [--criteria FILE --matchers N]
              [--manifest FILE]

Writes a deterministic synthetic capture (classic pcap, Ethernet, nanosecond
timestamps) of HTTP, TLS, DNS, SMTP, RTP-like and bulk flows over IPv4 and
IPv6, and optionally the delegated address table that makes its domestic pool
Japanese, a criteria file with N matchers, and a JSON manifest (canaries,
mechanical values, counts). The same flags always give the same bytes.
`

// run parses args, writes the files and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	err := runCapgen(args, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "capgen: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "capgen: %v\n", err)
		return exitFailure
	}
}

func runCapgen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("capgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, synopsis, "\n")
		fs.PrintDefaults()
	}
	packets := fs.Int("packets", capgen.DefaultPackets, "number of frames to write")
	size := fs.String("bytes", "", "write about this many bytes of pcap instead of --packets (suffix K, M or G: powers of 1024)")
	seed := fs.Uint64("seed", 1, "seed of the traffic")
	canaries := fs.Bool("canaries", false, "put canaries in every content field (default: random filler of the same size)")
	ipv6 := fs.Float64("ipv6-share", capgen.DefaultIPv6Share, "share of flows over IPv6, 0 to 1")
	out := fs.String("out", "-", "capture file, or - for standard output")
	delegated := fs.String("delegated", "", "also write the domestic address table (RIR delegated format) to this file")
	crit := fs.String("criteria", "", "also write a criteria file with --matchers matchers to this file")
	matchers := fs.Int("matchers", 10_000, "matchers in the --criteria file")
	manifest := fs.String("manifest", "", "also write the manifest (JSON) to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg := capgen.Config{Packets: *packets, Seed: *seed, Canaries: *canaries, IPv6Share: *ipv6}
	if *packets <= 0 {
		return usageError{fmt.Errorf("--packets %d: want at least 1", *packets)}
	}
	if *ipv6 < 0 || *ipv6 > 1 {
		return usageError{fmt.Errorf("--ipv6-share %g: want 0 to 1", *ipv6)}
	}
	if *ipv6 == 0 {
		cfg.IPv6Share = -1 // none
	}
	if *size != "" {
		n, err := parseSize(*size)
		if err != nil {
			return usageError{fmt.Errorf("--bytes: %w", err)}
		}
		cfg.Bytes = n
		if !set["packets"] {
			cfg.Packets = 0
		}
	}
	if set["matchers"] && *crit == "" {
		return usageError{errors.New("--matchers needs --criteria")}
	}
	if *crit != "" && *matchers < capgen.FixedMatchers() {
		return usageError{fmt.Errorf("--matchers %d: want at least %d", *matchers, capgen.FixedMatchers())}
	}

	var w io.Writer = stdout
	name := "standard output"
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w, name = f, *out
	} else if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return usageError{errors.New("not writing a binary capture to a terminal: give --out FILE or redirect standard output")}
		}
	}
	m, err := capgen.Write(w, cfg)
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "-" {
		if err := f.Close(); err != nil {
			return fmt.Errorf("close %s: %w", *out, err)
		}
	}
	if *delegated != "" {
		if err := writeFile(*delegated, capgen.WriteDelegated); err != nil {
			return err
		}
	}
	if *crit != "" {
		ccfg := capgen.CriteriaConfig{Matchers: *matchers, Seed: *seed}
		if err := writeFile(*crit, func(w io.Writer) error { return capgen.WriteCriteria(w, ccfg) }); err != nil {
			return err
		}
	}
	if *manifest != "" {
		err := writeFile(*manifest, func(w io.Writer) error {
			e := json.NewEncoder(w)
			e.SetIndent("", "  ")
			return e.Encode(m)
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "capgen: wrote %d packets, %d wire bytes, %d file bytes to %s\n", m.Packets, m.WireBytes, m.FileBytes, name)
	return nil
}

// writeFile creates path and writes it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// parseSize parses a byte count with an optional K, M or G suffix (powers
// of 1024; a trailing B or iB is allowed: 4G, 4GB, 4GiB).
func parseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(s), "B"), "I")
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult = 1 << 10
	case strings.HasSuffix(t, "M"):
		mult = 1 << 20
	case strings.HasSuffix(t, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		t = t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a byte count such as 1000000, 512M or 4G", s)
	}
	return n * mult, nil
}
