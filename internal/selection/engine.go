package selection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/packet"
	"github.com/acd-platform/acd/internal/selection/pseudonym"
)

// Config sets up an Engine. Criteria, Matcher, Domestic and PseudonymKey are
// required; the zero value of every other field means its default.
type Config struct {
	// Criteria is the approved criteria set and Matcher its compiled form.
	Criteria *criteria.Set
	Matcher  *criteria.Matcher
	// Approval is the id of the verified approval manifest the run rests
	// on; it goes into the run header and the summary, where the server
	// checks it against the uploading sensor's token. Empty: not recorded.
	Approval string
	// Domestic tells domestic addresses from foreign ones.
	Domestic *direction.Table
	// PseudonymKey makes e-mail address tokens; its id is in every record
	// that carries one.
	PseudonymKey *keys.Key
	// Workers is how many goroutines screen packets, each owning the flows
	// whose hash falls to it. Default 1: the reader and the only worker share
	// one goroutine.
	Workers int
	// IdleTimeout ends a flow that has been silent this long (capture time).
	// Default 60 s.
	IdleTimeout time.Duration
	// ActiveTimeout makes a long selected flow report what it has so far
	// every so often. Default 5 min.
	ActiveTimeout time.Duration
	// FlowBuffer caps the unread client bytes kept per flow for reassembly
	// (a request head, a ClientHello, a mail header block). Default 16 KiB.
	FlowBuffer int
	// BufferMemory caps all flows' reassembly buffers together. Default
	// 256 MiB; a flow that would pass it is no longer parsed.
	BufferMemory int64
	// MaxFlows caps the flows tracked at once, over all workers; when the
	// table is full the least recently active flow ends early (and is
	// reported if selected). Default 1M, about 300 MiB.
	MaxFlows int
	// Logger gets one line per bad record (with its offset) up to a limit,
	// and nothing from any packet's content. Default: discard.
	Logger *slog.Logger
}

// Defaults.
const (
	defaultIdle         = 60 * time.Second
	defaultActive       = 5 * time.Minute
	defaultFlowBuffer   = 16 << 10
	defaultBufferMemory = 256 << 20
	defaultMaxFlows     = 1 << 20
	// maxBadRecordLogs bounds the log lines about bad records; the count
	// goes on in the summary.
	maxBadRecordLogs = 100
)

// Engine screens traffic against one criteria set. Make one with New; Run it
// once per input.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	read  atomic.Uint64 // packets read so far, for progress
	bytes atomic.Uint64 // wire bytes read so far
	pos   atomic.Int64  // input offset reached, when the source tells it
}

// New checks cfg and fills in defaults.
func New(cfg Config) (*Engine, error) {
	switch {
	case cfg.Criteria == nil || cfg.Matcher == nil:
		return nil, errors.New("selection: no criteria set")
	case cfg.Domestic == nil:
		return nil, errors.New("selection: no domestic address table")
	case cfg.PseudonymKey == nil:
		return nil, errors.New("selection: no e-mail pseudonym key")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = defaultIdle
	}
	if cfg.ActiveTimeout <= 0 {
		cfg.ActiveTimeout = defaultActive
	}
	if cfg.FlowBuffer <= 0 {
		cfg.FlowBuffer = defaultFlowBuffer
	}
	if cfg.BufferMemory <= 0 {
		cfg.BufferMemory = defaultBufferMemory
	}
	if cfg.MaxFlows <= 0 {
		cfg.MaxFlows = defaultMaxFlows
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg, log: log.With("component", "selection")}, nil
}

// Progress reports how far a run has read: packets, wire bytes, and the
// input offset when the source tells it (-1 otherwise). Safe to call from
// any goroutine while Run works.
func (e *Engine) Progress() (packets, bytes uint64, offset int64) {
	return e.read.Load(), e.bytes.Load(), e.pos.Load()
}

// UnsupportedLinkError is returned when the input's link-layer type is one
// the decoder does not know; the CLI exits 2 on it.
type UnsupportedLinkError struct{ Link packet.LinkType }

func (e *UnsupportedLinkError) Error() string {
	return fmt.Sprintf("unsupported link-layer type %d (%v)", uint16(e.Link), e.Link)
}

// offsetter is a source that can tell how far into its input it is.
type offsetter interface{ Offset() int64 }

// Run screens every packet src yields until it ends or ctx is done, writing
// records to out: a run header, then flows and events, then a summary that
// carries the SHA-256 of every byte before it. Bad records are counted,
// logged with their offset and skipped; an unsupported link type ends the
// run with *UnsupportedLinkError.
func (e *Engine) Run(ctx context.Context, src capture.Source, input string, out io.Writer) (*Summary, error) {
	started := time.Now().UTC()
	o := newOutput(out)
	ws, err := e.workers(o)
	if err != nil {
		return nil, err
	}
	e.writeHeader(o, input, started)
	e.pos.Store(-1)
	var c Counters // the reader's: bad records
	runErr := e.pump(ctx, src, ws, &c)
	for _, w := range ws {
		c.merge(&w.c)
	}
	return e.writeSummary(o, input, started, &c, runErr)
}

// workers makes the workers, sharing one reassembly memory limit.
func (e *Engine) workers(o *output) ([]*worker, error) {
	inUse := new(atomic.Int64)
	ws := make([]*worker, e.cfg.Workers)
	for i := range ws {
		w, err := e.newWorker(i, len(ws), o, inUse)
		if err != nil {
			return nil, err
		}
		ws[i] = w
	}
	return ws, nil
}

// newWorker makes worker i of n with its own pseudonymizer and flow table.
func (e *Engine) newWorker(i, n int, o *output, inUse *atomic.Int64) (*worker, error) {
	p, err := pseudonym.New(e.cfg.PseudonymKey)
	if err != nil {
		return nil, err
	}
	return &worker{
		id: uint64(i), stride: uint64(n),
		cfg: &e.cfg, dom: e.cfg.Domestic, dirs: e.cfg.Criteria.DirectionSet(), m: e.cfg.Matcher,
		pseud: p, out: o,
		pool:     bufPool{size: e.cfg.FlowBuffer, limit: e.cfg.BufferMemory, inUse: inUse},
		flows:    newFlowTable(1 << 12),
		maxFlows: max(1, e.cfg.MaxFlows/n),
		scratch:  make([]byte, 0, 512),
	}, nil
}

// pump reads and decodes packets and hands each to the worker that owns its
// flow: inline with one worker, else in batches over channels.
func (e *Engine) pump(ctx context.Context, src capture.Source, ws []*worker, rc *Counters) error {
	if len(ws) == 1 {
		err := e.readLoop(ctx, src, rc, ws[0].handle)
		ws[0].finish()
		return err
	}
	n := len(ws)
	in := make([]chan *batch, n)
	free := make(chan *batch, n*4)
	for range n * 4 {
		free <- newBatch()
	}
	var wg sync.WaitGroup
	for i, w := range ws {
		in[i] = make(chan *batch, 2)
		wg.Go(func() {
			for b := range in[i] {
				for k := range b.items {
					it := &b.items[k]
					w.handle(&it.p, it.ts, it.wire)
				}
				b.reset()
				free <- b
			}
			w.finish()
		})
	}
	cur := make([]*batch, n)
	for i := range cur {
		cur[i] = <-free
	}
	err := e.readLoop(ctx, src, rc, func(p *packet.Parsed, ts int64, wire int) {
		i := p.FlowHash() % uint64(n)
		if !cur[i].add(p, ts, wire) {
			in[i] <- cur[i]
			cur[i] = <-free
			cur[i].add(p, ts, wire) // an empty batch takes any packet
		}
	})
	for i := range in {
		in[i] <- cur[i]
		close(in[i])
	}
	wg.Wait()
	return err
}

// readLoop reads, decodes and hands on packets; malformed ones are counted
// into c (which belongs to the reading goroutine until the workers finish).
func (e *Engine) readLoop(ctx context.Context, src capture.Source, c *Counters, handle func(*packet.Parsed, int64, int)) error {
	var (
		rec    capture.Record
		p      packet.Parsed
		logged int
		n      uint64
		wire   uint64
	)
	off, _ := src.(offsetter)
	defer func() {
		e.read.Store(n)
		e.bytes.Store(wire)
	}()
	for {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			e.read.Store(n)
			e.bytes.Store(wire)
			if off != nil {
				e.pos.Store(off.Offset())
			}
		}
		if err := src.Next(&rec); err != nil {
			var ce *capture.CorruptError
			switch {
			case err == io.EOF:
				return nil
			case errors.As(err, &ce):
				c.Malformed.add(1, 0)
				if logged++; logged <= maxBadRecordLogs {
					e.log.Warn("skipped a bad record", "offset", ce.Offset, "reason", ce.Reason)
				}
				continue
			case ctx.Err() != nil:
				return ctx.Err() // a live source closed because the run was stopped
			}
			return fmt.Errorf("read: %w", err)
		}
		if !rec.LinkType.Supported() {
			return &UnsupportedLinkError{Link: rec.LinkType}
		}
		n++
		wire += uint64(rec.OrigLen)
		if err := p.Decode(rec.Data, rec.LinkType); err != nil {
			c.Malformed.add(1, uint64(rec.OrigLen))
			if logged++; logged <= maxBadRecordLogs {
				// The decode error names a layer, an offset and a header
				// field, never payload bytes.
				e.log.Warn("skipped a malformed packet", "offset", rec.Offset, "err", err)
			}
			continue
		}
		handle(&p, rec.Time, rec.OrigLen)
	}
}

// DefaultWorkers is GOMAXPROCS: the default for --workers.
func DefaultWorkers() int { return runtime.GOMAXPROCS(0) }
