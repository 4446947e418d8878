package selection

import (
	"bytes"
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
)

// testWorker makes a worker over capgen's delegated file, writing to
// io.Discard, with a criteria set of about matchers matchers.
func testWorker(tb testing.TB, matchers int) *worker {
	tb.Helper()
	var crit, del bytes.Buffer
	if err := capgen.WriteCriteria(&crit, capgen.CriteriaConfig{Matchers: matchers}); err != nil {
		tb.Fatal(err)
	}
	if err := capgen.WriteDelegated(&del); err != nil {
		tb.Fatal(err)
	}
	set, err := criteria.Parse(crit.Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	m, err := criteria.Compile(set)
	if err != nil {
		tb.Fatal(err)
	}
	b := direction.NewBuilder()
	if err := b.AddDelegated(&del, "delegated"); err != nil {
		tb.Fatal(err)
	}
	ring, err := keys.Open(filepath.Join(tb.TempDir(), "keys"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	k, _ := ring.Current(keys.EmailPseudonym)
	e, err := New(Config{Criteria: set, Matcher: m, Domestic: b.Build(), PseudonymKey: k})
	if err != nil {
		tb.Fatal(err)
	}
	w, err := e.newWorker(0, 1, newOutput(io.Discard), new(atomic.Int64))
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// decoded generates n packets and decodes them into memory, so that the
// worker stage can be measured without the reader.
func decoded(tb testing.TB, n int) []item {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := capgen.Write(&buf, capgen.Config{Packets: n, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	r, err := capture.NewReader(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	items := make([]item, 0, n)
	var rec capture.Record
	for r.Next(&rec) == nil {
		var it item
		if err := it.p.Decode(rec.Data, rec.LinkType); err != nil {
			tb.Fatal(err)
		}
		it.p.Payload = bytes.Clone(it.p.Payload)
		it.ts, it.wire = rec.Time, rec.OrigLen
		items = append(items, it)
	}
	return items
}

// TestNoAllocationsPerPacket pins the hot path: a packet deleted without
// state, a packet of a tracked flow, and the whole generated mix once flows
// have been seen.
func TestNoAllocationsPerPacket(t *testing.T) {
	w := testWorker(t, 10000)
	items := decoded(t, 20000)
	for i := range items {
		w.handle(&items[i].p, items[i].ts, items[i].wire)
	}
	var deleted, tracked *item
	for i := range items {
		p := &items[i].p
		if w.flows.len() > 0 && deleted == nil {
			if k, _ := makeKey(p.Src, p.Dst, p.SrcPort, p.DstPort, p.Proto); w.flows.index[k] == 0 && !w.tracked(k) {
				deleted = &items[i]
			}
		}
		if k, _ := makeKey(p.Src, p.Dst, p.SrcPort, p.DstPort, p.Proto); tracked == nil && w.tracked(k) && len(p.Payload) > 0 && p.TCPFlags&tcpSYN == 0 {
			tracked = &items[i]
		}
	}
	if deleted == nil || tracked == nil {
		t.Fatal("the generated traffic has no deleted or no tracked packet")
	}
	// Replaying a tracked flow's packet is a retransmission: counted, not
	// parsed again.
	for name, it := range map[string]*item{"deleted": deleted, "tracked": tracked} {
		if n := testing.AllocsPerRun(1000, func() { w.handle(&it.p, it.ts, it.wire) }); n != 0 {
			t.Errorf("%s packet: %v allocations, want 0", name, n)
		}
	}
}

func (w *worker) tracked(k flowKey) bool {
	_, ok := w.flows.index[k]
	return ok
}

// TestAllocationsPerFlowOnly: over fresh traffic, allocations come only
// with flows (a flow's slot, a selected flow's strings), never per packet.
func TestAllocationsPerFlowOnly(t *testing.T) {
	w := testWorker(t, 10000)
	warm := decoded(t, 20000)
	for i := range warm {
		w.handle(&warm[i].p, warm[i].ts, warm[i].wire)
	}
	items := decoded(t, 20000) // the same traffic again: same flows, new packets
	i := 0
	allocs := testing.AllocsPerRun(len(items)-1, func() {
		it := &items[i%len(items)]
		it.ts += 1e12 // later than everything before: flows idle out and come anew
		w.handle(&it.p, it.ts, it.wire)
		i++
	})
	flowsPerPacket := float64(w.c.Flows) / float64(2*len(items))
	if allocs > flowsPerPacket*4 || allocs > 0.25 {
		t.Errorf("%.3f allocations per packet with %.3f new flows per packet", allocs, flowsPerPacket)
	}
}

// benchWorker measures the worker stage alone: decoded packets in memory
// through one worker, as one core runs it.
func benchWorker(b *testing.B, matchers int) {
	w := testWorker(b, matchers)
	items := decoded(b, 200000)
	var bytes int64
	for i := range items {
		bytes += int64(items[i].wire)
	}
	b.ResetTimer()
	b.ReportAllocs()
	off := int64(0)
	for n := 0; n < b.N; {
		for i := range items {
			if n == b.N {
				break
			}
			it := &items[i]
			w.handle(&it.p, it.ts+off, it.wire)
			n++
		}
		off += 1e12
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpps")
	b.ReportMetric(float64(bytes)/float64(len(items))*8*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gbps")
}

func BenchmarkWorker10k(b *testing.B)  { benchWorker(b, 10000) }
func BenchmarkWorker100k(b *testing.B) { benchWorker(b, 100000) }

// BenchmarkEngine runs reading, decoding and screening on one goroutine over
// an in-memory capture.
func BenchmarkEngine(b *testing.B) {
	w := testWorker(b, 10000)
	var buf bytes.Buffer
	man, err := capgen.Write(&buf, capgen.Config{Packets: 200000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := New(*w.cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		r, _ := capture.NewReader(bytes.NewReader(buf.Bytes()))
		if _, err := eng.Run(b.Context(), r, "bench", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(man.Packets)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpps")
}
