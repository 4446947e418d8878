package netflow_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/acd-platform/acd/internal/selection/netflow"
)

// benchDecode decodes datagram (after setup) b.N times and reports flows/s
// and ns/flow.
func benchDecode(b *testing.B, setup, datagram []byte) {
	d := netflow.NewDecoder(netflow.Options{})
	flows := 0
	fn := func(*netflow.Flow) { flows++ }
	if setup != nil {
		if err := d.Decode(exporterA, setup, fn); err != nil {
			b.Fatal(err)
		}
	}
	flows = 0
	b.SetBytes(int64(len(datagram)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := d.Decode(exporterA, datagram, fn); err != nil {
			b.Fatal(err)
		}
	}
	if flows == 0 {
		b.Fatal("no flows decoded")
	}
	b.ReportMetric(float64(flows)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(flows), "ns/flow")
}

// v5Full is a NetFlow v5 datagram with the maximum of 30 records.
func v5Full() []byte {
	recs := make([]v5Record, 30)
	for i := range recs {
		recs[i] = v5Record{src: fmt.Sprintf("198.51.100.%d", i), dst: "203.0.113.9", nexthop: "0.0.0.0",
			pkts: 10, octets: 1500, first: 1000, last: 2000, sport: uint16(40000 + i), dport: 443, flags: 0x1b, proto: 6}
	}
	return v5Datagram(v5Header{uptime: 3000, secs: exportTime}, recs...)
}

func BenchmarkDecodeV5(b *testing.B) {
	benchDecode(b, nil, v5Full())
}

func BenchmarkDecodeV9(b *testing.B) {
	var recs [][]byte
	for range 30 {
		recs = append(recs, v9Rec1)
	}
	benchDecode(b, v9(set(0, v9Tmpl256)), v9(paddedSet(256, recs...)))
}

// ipfixTypical is a template like those of common exporters: 5-tuple,
// flags, counters, millisecond times, interfaces and a variable-length
// field, and a datagram of records for it under 1,500 bytes.
func ipfixTypical(v6 bool) (tmplMsg, dataMsg []byte) {
	src, dst := spec{ie: ieSrc4, n: 4}, spec{ie: ieDst4, n: 4}
	srcA, dstA := ip("198.51.100.1"), ip("203.0.113.9")
	if v6 {
		src, dst = spec{ie: ieSrc6, n: 16}, spec{ie: ieDst6, n: 16}
		srcA, dstA = netip.MustParseAddr("2001:db8:1::1").AsSlice(), netip.MustParseAddr("2001:db8:2::2").AsSlice()
	}
	t := tmpl(300, src, dst, spec{ie: ieSrcPort, n: 2}, spec{ie: ieDstPort, n: 2}, spec{ie: ieProto, n: 1},
		spec{ie: ieTCPFlags, n: 2}, spec{ie: iePacketDelta, n: 8}, spec{ie: ieOctetDelta, n: 8},
		spec{ie: ieStartMs, n: 8}, spec{ie: ieEndMs, n: 8}, spec{ie: 10, n: 4}, spec{ie: 14, n: 4},
		spec{ie: ieIfName, n: 0xffff})
	rec := cat(srcA, dstA, u16(40000), u16(443), u8(6), u16(0x1b), u64(10), u64(1500),
		u64(uint64(exportTime)*1000-5000), u64(uint64(exportTime)*1000), u32(1), u32(2), varField([]byte("eth0")))
	var recs [][]byte
	for len(recs)*len(rec) < 1400-len(rec) {
		recs = append(recs, rec)
	}
	return ipfix(set(2, t)), ipfix(set(300, recs...))
}

func BenchmarkDecodeIPFIX(b *testing.B) {
	for _, v6 := range []bool{false, true} {
		name := "IPv4"
		if v6 {
			name = "IPv6"
		}
		b.Run(name, func(b *testing.B) {
			t, data := ipfixTypical(v6)
			benchDecode(b, t, data)
		})
	}
}
