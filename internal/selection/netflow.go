package selection

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/netflow"
)

// RunNetflow receives NetFlow v5/v9 and IPFIX on the UDP address addr until
// ctx is done, and screens each flow record as a packet would be: 内内 and
// directions out of scope are dropped, then the criteria's address and port
// conditions decide. Flow records carry no content, so rules that need a
// domain or a command never match them. Output and summary are as Run's.
func (e *Engine) RunNetflow(ctx context.Context, addr string, out io.Writer) (*Summary, error) {
	started := time.Now().UTC()
	o := newOutput(out)
	w, err := e.newWorker(0, 1, o, new(atomic.Int64))
	if err != nil {
		return nil, err
	}
	input := "netflow:" + addr
	e.pos.Store(-1)
	e.writeHeader(o, input, started)
	d := netflow.NewDecoder(netflow.Options{})
	err = netflow.Listen(ctx, addr, d, func(fl *netflow.Flow) {
		e.read.Add(1) // progress: flow records received
		w.flowRecord(fl)
	})
	w.finish()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return e.writeSummary(o, input, started, &w.c, err)
}

// flowRecord screens one exported flow; it runs on the listener's goroutine.
func (w *worker) flowRecord(fl *netflow.Flow) {
	if fl.End > w.now {
		w.now = fl.End
	}
	d := w.dom.Classify(fl.Src, fl.Dst)
	dc := w.c.dirCounters(d)
	dc.Seen.add(fl.Packets, fl.Bytes)
	if d == direction.DomesticDomestic || !w.dirs.Has(d) {
		dc.Deleted.add(fl.Packets, fl.Bytes)
		return
	}
	dc.InScope.add(fl.Packets, fl.Bytes)
	t := criteria.Tuple{Src: fl.Src, Dst: fl.Dst, Proto: fl.Proto, SrcPort: fl.SrcPort, DstPort: fl.DstPort}
	rule, ok := w.m.MatchTuple(&t)
	if !ok {
		dc.Deleted.add(fl.Packets, fl.Bytes)
		return
	}
	dc.Selected.add(fl.Packets, fl.Bytes)
	w.c.Flows++
	w.c.SelectedFlows++
	j := &w.rec
	j.open()
	j.str("type", "exported_flow")
	j.uint("flow", w.flowID())
	j.time("first", fl.Start)
	j.time("last", fl.End)
	j.str("proto", protoName(fl.Proto))
	j.key("src")
	j.b = appendAddr(j.b, fl.Src)
	j.key("dst")
	j.b = appendAddr(j.b, fl.Dst)
	if fl.Proto == protoTCP || fl.Proto == protoUDP || fl.Proto == 132 {
		j.uint("src_port", uint64(fl.SrcPort))
		j.uint("dst_port", uint64(fl.DstPort))
	}
	j.str("direction", d.String())
	j.str("rule", w.m.RuleID(rule))
	j.uint("packets", fl.Packets)
	j.uint("bytes", fl.Bytes)
	if fl.Proto == protoTCP {
		j.key("tcp_flags")
		j.b = appendJSONString(j.b, appendFlags(w.scratch[:0], fl.TCPFlags))
	}
	j.key("exporter")
	j.b = appendAddr(j.b, fl.Exporter)
	j.uint("export_version", uint64(fl.Version))
	j.uint("observation_domain", uint64(fl.Domain))
	w.done()
	// Exported flows arrive live: hand records on within a second.
	if t := time.Now().UnixNano(); t-w.swept >= sweepEvery {
		w.swept = t
		w.flush()
	}
}
