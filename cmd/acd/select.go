package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/afpacket"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/pseudonym"
)

// maxWorkers bounds --workers: each worker has its own packet batches.
const maxWorkers = 64

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runSelect(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "select", `acd select --criteria FILE APPROVAL --domestic FILE [flags] INPUT...
       acd select --criteria FILE APPROVAL --domestic FILE --live IFACE [flags]
       acd select --criteria FILE APPROVAL --domestic FILE --netflow ADDR [flags]
where APPROVAL is --manifest FILE --manifest-keys FILE --revocations FILE|URL

Screens traffic by machine against an approved criteria set and writes only
mechanical information about the traffic it selects, as JSON Lines
(schema acd.selection.output/v1): flows, and HTTP, DNS, SMTP and mail-header
events. Everything else is deleted in memory at once; no packet content is
ever written anywhere. Domestic↔domestic traffic is always dropped first.

Before it reads a packet it verifies the approval: the manifest's Ed25519
signature against the server's public keys (--manifest-keys, kept on the
sensor), the signed revocation list (fresh, and not naming the approval),
the SHA-256 of the criteria file's exact bytes, the manifest's validity
window and that it covers every direction of the criteria set; then the
criteria set's own validity window. The approval id goes into the run
header and the summary.

INPUT is a pcap or pcapng file, or - for standard input; several files are
read in order as one stream. --live captures from an interface (Linux,
CAP_NET_RAW); --netflow listens for NetFlow v5/v9 and IPFIX on a UDP address.

The last record is a summary for the commission: per direction, packets and
bytes seen, in scope, selected and deleted, and the SHA-256 of every byte
written before it. It is also printed on standard error.

--upload URL streams exactly the bytes of the output, header first and
summary last, to the server as one POST (application/x-ndjson) with the
sensor token bound to the approval, while the run goes on; --out still
writes the same bytes locally. With --upload, the output goes to standard
output only when --out - is given.

Exit 0 on success; 1 on failure, or when the upload fails (after the local
output is complete); 2 on bad usage, a malformed criteria file, manifest,
key set or revocation list, or an unsupported input; 3 when the approval
check refuses the run, or the criteria set is outside its validity window.`)
	var (
		domestic, overrides listFlag
		approval            approvalFlags
	)
	critPath := fs.String("criteria", "", "criteria set (JSON, schema acd.selection.criteria/v1); required")
	approval.register(fs)
	fs.Var(&domestic, "domestic", "RIR delegated-statistics file whose JP rows are domestic (repeatable; at least one)")
	fs.Var(&overrides, "overrides", "overrides file: lines 'CIDR domestic|foreign' that win over the delegated data (repeatable)")
	keyPath := fs.String("pseudonym-key", defaultPseudonymKey(e), "e-mail pseudonym key file (env ACD_PSEUDONYM_KEY; default the data directory's keys/email-pseudonym.json, env ACD_DATA_DIR)")
	outPath := fs.String("out", "-", "output file (created 0600), or - for standard output; with --upload, no local output unless given")
	uploadURL := fs.String("upload", "", "also stream the output to this server URL (https; e.g. https://acd.example/api/v1/sensor/runs)")
	tokenPath := fs.String("sensor-token-file", "", "file holding the sensor token bound to the approval, for --upload (default: env ACD_SENSOR_TOKEN)")
	caFile := fs.String("ca-file", "", "PEM certificates to trust besides the system's, for --upload and an https --revocations")
	workers := fs.Int("workers", selection.DefaultWorkers(), "screening goroutines; flows are sharded by hash so each stays on one")
	live := fs.String("live", "", "capture live from this network interface (AF_PACKET)")
	netflowAddr := fs.String("netflow", "", "receive NetFlow v5/v9 and IPFIX on this UDP address (host:port)")
	progress := fs.String("progress", "auto", "progress on standard error for file inputs: auto (when a terminal), always, never")
	idle := fs.Duration("idle-timeout", 60*time.Second, "end a flow silent this long (capture time)")
	active := fs.Duration("active-timeout", 5*time.Minute, "report a long selected flow this often")
	flowBuf := fs.Int("flow-buffer", 16<<10, "reassembly bytes kept per flow at most")
	bufMem := fs.Int64("buffer-memory", 256<<20, "reassembly bytes kept across all flows at most")
	maxFlows := fs.Int("max-flows", 1<<20, "flows tracked at once at most; when full, the least recently active ends early")
	var upURL *url.URL
	if err := parse(fs, e.args, func() error {
		switch {
		case *critPath == "":
			return usagef("--criteria is required")
		case len(domestic) == 0:
			return usagef("--domestic is required: without domestic addresses no direction can be told")
		case *workers < 1 || *workers > maxWorkers:
			return usagef("--workers %d: want 1 to %d (each holds 4 MiB of packet batches)", *workers, maxWorkers)
		case *idle <= 0 || *active <= 0:
			return usagef("--idle-timeout and --active-timeout must be positive")
		case *flowBuf <= 0 || *bufMem < int64(*flowBuf):
			return usagef("--flow-buffer %d must be positive and at most --buffer-memory %d", *flowBuf, *bufMem)
		case *maxFlows <= 0:
			return usagef("--max-flows %d: want at least 1", *maxFlows)
		case *progress != "auto" && *progress != "always" && *progress != "never":
			return usagef("--progress %q: want auto, always or never", *progress)
		case *uploadURL == "" && *tokenPath != "":
			return usagef("--sensor-token-file is for --upload")
		}
		if err := approval.check(); err != nil {
			return err
		}
		if *uploadURL != "" {
			u, err := checkServerURL("--upload", *uploadURL)
			if err != nil {
				return err
			}
			upURL = u
		}
		n := 0
		for _, on := range []bool{*live != "", *netflowAddr != "", fs.NArg() > 0} {
			if on {
				n++
			}
		}
		if n != 1 {
			return usagef("give input files, --live or --netflow (exactly one kind)")
		}
		return nil
	}); err != nil {
		return err
	}
	localOut := true
	if upURL != nil {
		// With --upload the output goes to standard output only when asked.
		localOut = false
		fs.Visit(func(f *flag.Flag) { localOut = localOut || f.Name == "out" })
	}
	var token string
	if upURL != nil {
		t, err := readSensorToken(e, *tokenPath)
		if err != nil {
			return err
		}
		token = t
	}
	client, err := newHTTPClient(*caFile)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The approval first: nothing is opened, listened to or captured
	// before the run is known to be allowed.
	now := time.Now()
	critBytes, set, err := readCriteria(*critPath)
	if err != nil {
		return err
	}
	man, err := verifyApproval(ctx, &approval, client, critBytes, set, now)
	if err != nil {
		return err
	}
	if err := set.CheckValidity(now); err != nil {
		return refused(fmt.Errorf("%s: %w", *critPath, err))
	}
	m, err := criteria.Compile(set)
	if err != nil {
		return usagef("%s: %v", *critPath, err)
	}
	table, err := loadDomestic(domestic, overrides)
	if err != nil {
		return err
	}
	ks, err := keys.LoadFile(*keyPath, keys.EmailPseudonym)
	if err != nil {
		return usagef("--pseudonym-key: %v (make one with: acd keys rotate email-pseudonym)", err)
	}
	key, err := pseudonym.Current(ks)
	if err != nil {
		return usagef("--pseudonym-key: %v", err)
	}
	eng, err := selection.New(selection.Config{
		Criteria: set, Matcher: m, Approval: man.ApprovalID, Domestic: table, PseudonymKey: key, Workers: *workers,
		IdleTimeout: *idle, ActiveTimeout: *active, FlowBuffer: *flowBuf, BufferMemory: *bufMem, MaxFlows: *maxFlows, Logger: logger,
	})
	if err != nil {
		return err
	}
	// Inputs first: a mistyped input must not cost the previous output.
	var (
		src   capture.Source
		input string
		files *fileSource
	)
	switch {
	case *netflowAddr != "":
		input = "netflow:" + *netflowAddr
	case *live != "":
		h, err := afpacket.Open(*live, afpacket.Options{})
		if err != nil {
			return fmt.Errorf("live capture: %w", err)
		}
		// The reading goroutine stops on ctx and only then is the ring
		// closed: closing it under a reader would pull its frame away.
		defer h.Close()
		src, input = liveSource{ctx, h}, "live:"+*live
	default:
		if files, err = openFiles(e, fs.Args()); err != nil {
			return err
		}
		defer files.Close()
		if err := files.notOutput(*outPath); err != nil {
			return err
		}
		src, input = files, strings.Join(fs.Args(), ",")
	}
	var (
		out      io.Writer = io.Discard
		closeOut           = func() error { return nil }
	)
	if localOut {
		if out, closeOut, err = openOutput(e, *outPath); err != nil {
			return err
		}
	}
	noCoreDumps() // memory holds unselected traffic for a moment: it must not land on disk in a core file

	var tee *teeWriter
	if upURL != nil {
		tee = &teeWriter{local: out, up: startUpload(ctx, client, upURL, token)}
		out = tee
	}
	start := time.Now()
	stopProgress := func() {}
	if files != nil && (*progress == "always" || *progress == "auto" && isTerminal(e.stderr)) {
		stopProgress = showProgress(e.stderr, eng, files.size)
	}
	var sum *selection.Summary
	if *netflowAddr != "" {
		sum, err = eng.RunNetflow(ctx, *netflowAddr, out)
	} else {
		sum, err = eng.Run(ctx, src, input, out)
	}
	stopProgress()
	cerr := closeOut()
	if sum != nil {
		printSummary(e.stderr, sum, time.Since(start))
	}
	// The local output is complete: now the server's answer.
	var uerr error
	if tee != nil {
		res, ferr := tee.up.finish(tee.localErr)
		if res != nil {
			fmt.Fprintln(e.stderr, res)
		}
		uerr = ferr
	}
	var ule *selection.UnsupportedLinkError
	switch {
	case errors.As(err, &ule):
		return usagef("%v", err)
	case cerr != nil:
		return fmt.Errorf("write output: %w", cerr)
	case errors.Is(err, context.Canceled):
		return uerr // interrupted: the summary records how far it got
	case err != nil:
		return err
	}
	return uerr
}

// defaultPseudonymKey is the data directory's e-mail pseudonym key, as
// `acd keys` keeps it.
func defaultPseudonymKey(e *env) string {
	if v := e.getenv("ACD_PSEUDONYM_KEY"); v != "" {
		return v
	}
	dd := e.getenv("ACD_DATA_DIR")
	if dd == "" {
		dd = "./acd-data"
	}
	return filepath.Join(dd, "keys", "email-pseudonym.json")
}

func loadDomestic(delegated, overrides []string) (*direction.Table, error) {
	b := direction.NewBuilder()
	add := func(paths []string, fn func(io.Reader, string) error) error {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				return usagef("%v", err)
			}
			err = fn(f, p)
			f.Close()
			if err != nil {
				return usagef("%v", err)
			}
		}
		return nil
	}
	if err := add(delegated, b.AddDelegated); err != nil {
		return nil, err
	}
	if err := add(overrides, b.AddOverrides); err != nil {
		return nil, err
	}
	return b.Build(), nil
}

func openOutput(e *env, path string) (io.Writer, func() error, error) {
	if path == "-" {
		return e.stdout, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, usagef("--out: %v", err)
	}
	return f, func() error {
		if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !isDevice(f) {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

func isDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeDevice != 0
}
