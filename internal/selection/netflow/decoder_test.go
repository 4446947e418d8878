package netflow_test

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/selection/netflow"
)

var (
	exporterA = netip.MustParseAddr("192.0.2.1")
	exporterB = netip.MustParseAddr("2001:db8::1")

	cmpAddr = cmpopts.EquateComparable(netip.Addr{})
)

// exportTime is the export time of every test datagram.
const exportTime = 1_700_000_000

// unixNs is Unix seconds plus nanoseconds.
func unixNs(sec, nsec int64) int64 { return sec*1e9 + nsec }

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// clock is a settable clock for template expiry.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newDecoder(c *clock, opts netflow.Options) *netflow.Decoder {
	if c != nil {
		opts.Now = c.now
	}
	return netflow.NewDecoder(opts)
}

// decodeAll decodes datagrams from exporter in order and returns the flows
// and the first error.
func decodeAll(d *netflow.Decoder, exporter netip.Addr, datagrams ...[]byte) ([]netflow.Flow, error) {
	var flows []netflow.Flow
	var first error
	for _, b := range datagrams {
		if err := d.Decode(exporter, b, func(f *netflow.Flow) { flows = append(flows, *f) }); err != nil && first == nil {
			first = err
		}
	}
	return flows, first
}

func TestDecodeV5(t *testing.T) {
	hdr := v5Header{uptime: 100_000, secs: exportTime, nsecs: 500_000_000, engineType: 1, engineID: 2, sampling: 0x4000 | 64}
	b := v5Datagram(hdr,
		// A TCP flow that started 10 s and ended 1 s before export.
		v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "198.51.100.254", pkts: 12, octets: 3400,
			first: 90_000, last: 99_000, sport: 40000, dport: 443, flags: 0x1b, proto: 6},
		// ICMP echo request: type 8 code 0 in the destination port.
		v5Record{src: "198.51.100.2", dst: "203.0.113.9", nexthop: "0.0.0.0", pkts: 1, octets: 84,
			first: 99_500, last: 99_500, dport: 8 << 8, proto: 1},
	)
	got, err := decodeAll(newDecoder(nil, netflow.Options{}), exporterA, b)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	common := netflow.Flow{Exporter: exporterA, Version: 5, Domain: 1<<8 | 2, SamplingInterval: 64}
	want := []netflow.Flow{
		with(common, func(f *netflow.Flow) {
			f.Start, f.End = unixNs(exportTime-10, 5e8), unixNs(exportTime-1, 5e8)
			f.Src, f.Dst, f.SrcPort, f.DstPort, f.Proto, f.TCPFlags = addr("198.51.100.1"), addr("203.0.113.9"), 40000, 443, 6, 0x1b
			f.Packets, f.Bytes = 12, 3400
		}),
		with(common, func(f *netflow.Flow) {
			f.Start, f.End = unixNs(exportTime, 0), unixNs(exportTime, 0)
			f.Src, f.Dst, f.Proto = addr("198.51.100.2"), addr("203.0.113.9"), 1
			f.ICMPType, f.HasICMP = 8, true
			f.Packets, f.Bytes = 1, 84
		}),
	}
	if diff := cmp.Diff(want, got, cmpAddr); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
}

func TestDecodeV5UptimeWrap(t *testing.T) {
	// The uptime wrapped 1 s before export; the flow started 1 s before the wrap.
	b := v5Datagram(v5Header{uptime: 1000, secs: exportTime},
		v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "0.0.0.0", first: 0xffff_ffff - 999, last: 500, proto: 17})
	got, err := decodeAll(newDecoder(nil, netflow.Options{}), exporterA, b)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d flows, want 1", len(got))
	}
	if want := unixNs(exportTime-2, 0); got[0].Start != want {
		t.Errorf("Start: got %d, want %d", got[0].Start, want)
	}
	if want := unixNs(exportTime, -5e8); got[0].End != want {
		t.Errorf("End: got %d, want %d", got[0].End, want)
	}
}

// with returns f changed by change.
func with(f netflow.Flow, change func(*netflow.Flow)) netflow.Flow {
	change(&f)
	return f
}

// v9 template 256 and two records for it.
var (
	v9Tmpl256 = tmpl(256, spec{ie: ieSrc4, n: 4}, spec{ie: ieDst4, n: 4}, spec{ie: ieSrcPort, n: 2}, spec{ie: ieDstPort, n: 2},
		spec{ie: ieProto, n: 1}, spec{ie: ieTCPFlags, n: 1}, spec{ie: iePacketDelta, n: 4}, spec{ie: ieOctetDelta, n: 4},
		spec{ie: ieStartUptime, n: 4}, spec{ie: ieEndUptime, n: 4})
	v9Rec1 = cat(ip("198.51.100.1"), ip("203.0.113.9"), u16(40000), u16(443), u8(6), u8(0x12), u32(10), u32(1500), u32(40_000), u32(49_000))
	v9Rec2 = cat(ip("198.51.100.3"), ip("203.0.113.7"), u16(53), u16(5353), u8(17), u8(0), u32(1), u32(80), u32(49_999), u32(50_001))

	v9Flow1 = netflow.Flow{Start: unixNs(exportTime-10, 0), End: unixNs(exportTime-1, 0),
		Src: addr("198.51.100.1"), Dst: addr("203.0.113.9"), SrcPort: 40000, DstPort: 443, Proto: 6, TCPFlags: 0x12,
		Packets: 10, Bytes: 1500, Exporter: exporterA, Version: 9, Domain: 7}
	v9Flow2 = netflow.Flow{Start: unixNs(exportTime, -1e6), End: unixNs(exportTime, 1e6),
		Src: addr("198.51.100.3"), Dst: addr("203.0.113.7"), SrcPort: 53, DstPort: 5353, Proto: 17,
		Packets: 1, Bytes: 80, Exporter: exporterA, Version: 9, Domain: 7}
)

func v9(sets ...[]byte) []byte { return v9Datagram(50_000, exportTime, 1, 7, sets...) }

func TestDecodeV9(t *testing.T) {
	sampled := func(f netflow.Flow, n uint32) netflow.Flow { f.SamplingInterval = n; return f }
	tests := []struct {
		name        string
		datagrams   [][]byte
		want        []netflow.Flow
		wantUnknown uint64 // Stats.UnknownTemplateSets
	}{
		{
			// The usual first datagram of an exporter: template, then data.
			name:      "template and data in one datagram",
			datagrams: [][]byte{v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1, v9Rec2))},
			want:      []netflow.Flow{v9Flow1, v9Flow2},
		},
		{
			// Data before its template is skipped and counted, then decoded once the template came.
			name:        "template and data in separate datagrams",
			datagrams:   [][]byte{v9(paddedSet(256, v9Rec1)), v9(set(0, v9Tmpl256)), v9(paddedSet(256, v9Rec2))},
			want:        []netflow.Flow{v9Flow2},
			wantUnknown: 1,
		},
		{
			// An options template with the system scope gives the domain's sampling interval.
			name: "options template with sampling interval",
			datagrams: [][]byte{v9(
				paddedSet(1, v9OptTmpl(257, []spec{{ie: ieV9ScopeSys, n: 4}}, []spec{{ie: ieSampling, n: 4}, {ie: ieSamplingAlg, n: 1}})),
				paddedSet(257, cat(u32(0), u32(100), u8(2))),
				set(0, v9Tmpl256), paddedSet(256, v9Rec1),
			), v9(paddedSet(256, v9Rec2))},
			want: []netflow.Flow{sampled(v9Flow1, 100), sampled(v9Flow2, 100)},
		},
		{
			// Sampler options as Cisco IOS sends them: sampler ID, mode, random interval.
			name: "options template with sampler random interval",
			datagrams: [][]byte{v9(
				paddedSet(1, v9OptTmpl(258, []spec{{ie: ieV9ScopeSys, n: 4}}, []spec{{ie: ieV9Sampler, n: 1}, {ie: ieV9SamplerInt, n: 4}})),
				paddedSet(258, cat(u32(0), u8(1), u32(1000))),
				set(0, v9Tmpl256), paddedSet(256, v9Rec1),
			)},
			want: []netflow.Flow{sampled(v9Flow1, 1000)},
		},
		{
			// A scope field type 1 ("System") is not octetDeltaCount: it must not leak into flows.
			name: "scope fields are not flow fields",
			datagrams: [][]byte{v9(
				paddedSet(1, v9OptTmpl(259, []spec{{ie: ieV9ScopeSys, n: 4}}, []spec{{ie: ieSampling, n: 4}})),
				paddedSet(259, cat(u32(999), u32(10))),
			)},
			want: nil,
		},
		{
			// IPv6 with ICMPv6 type and code in the destination port.
			name: "IPv6 and ICMPv6 in the port field",
			datagrams: [][]byte{v9(
				set(0, tmpl(260, spec{ie: ieSrc6, n: 16}, spec{ie: ieDst6, n: 16}, spec{ie: ieProto, n: 1}, spec{ie: ieDstPort, n: 2},
					spec{ie: iePacketDelta, n: 8}, spec{ie: ieOctetDelta, n: 8})),
				paddedSet(260, cat(ip("2001:db8:1::1"), ip("2001:db8:2::2"), u8(58), u16(128<<8), u64(3), u64(312))),
			)},
			want: []netflow.Flow{{Src: addr("2001:db8:1::1"), Dst: addr("2001:db8:2::2"), Proto: 58, ICMPType: 128, HasICMP: true,
				Packets: 3, Bytes: 312, Exporter: exporterA, Version: 9, Domain: 7}},
		},
		{
			// Two templates in one flowset, data for both in one datagram, reserved set IDs skipped.
			name: "two templates in one flowset",
			datagrams: [][]byte{v9(
				set(0, v9Tmpl256, tmpl(261, spec{ie: ieSrc4, n: 4}, spec{ie: ieDst4, n: 4})),
				set(77, u32(0xdeadbeef)),
				paddedSet(261, ip("198.51.100.5"), ip("203.0.113.5")),
				paddedSet(256, v9Rec2),
			)},
			want: []netflow.Flow{
				{Src: addr("198.51.100.5"), Dst: addr("203.0.113.5"), Exporter: exporterA, Version: 9, Domain: 7},
				v9Flow2,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(nil, netflow.Options{})
			got, err := decodeAll(d, exporterA, tt.datagrams...)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpAddr); diff != "" {
				t.Errorf("flows (-want +got):\n%s", diff)
			}
			st := d.Stats()
			if st.UnknownTemplateSets != tt.wantUnknown {
				t.Errorf("UnknownTemplateSets: got %d, want %d", st.UnknownTemplateSets, tt.wantUnknown)
			}
			if st.Flows != uint64(len(tt.want)) || st.Datagrams != uint64(len(tt.datagrams)) || st.Malformed != 0 {
				t.Errorf("Stats: got %+v, want %d flows, %d datagrams, 0 malformed", st, len(tt.want), len(tt.datagrams))
			}
		})
	}
}

func ipfix(sets ...[]byte) []byte { return ipfixMessage(exportTime, 1, 42, sets...) }

func TestDecodeIPFIX(t *testing.T) {
	base := netflow.Flow{Exporter: exporterA, Version: 10, Domain: 42}
	v4 := func(change func(*netflow.Flow)) netflow.Flow {
		f := base
		f.Src, f.Dst = addr("198.51.100.1"), addr("203.0.113.9")
		change(&f)
		return f
	}
	addrs := cat(ip("198.51.100.1"), ip("203.0.113.9"))
	addrSpecs := []spec{{ie: ieSrc4, n: 4}, {ie: ieDst4, n: 4}}
	withAddrs := func(id uint16, specs ...spec) []byte { return tmpl(id, append(addrSpecs, specs...)...) }
	long := bytes.Repeat([]byte("x"), 300)

	tests := []struct {
		name      string
		datagrams [][]byte
		want      []netflow.Flow
	}{
		{
			// Millisecond times, 2-byte tcpControlBits, 8-byte counters.
			name: "milliseconds ports counters",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(300, spec{ie: ieSrcPort, n: 2}, spec{ie: ieDstPort, n: 2}, spec{ie: ieProto, n: 1},
					spec{ie: ieTCPFlags, n: 2}, spec{ie: iePacketDelta, n: 8}, spec{ie: ieOctetDelta, n: 8},
					spec{ie: ieStartMs, n: 8}, spec{ie: ieEndMs, n: 8})),
				set(300, cat(addrs, u16(51000), u16(80), u8(6), u16(0x0113), u64(7), u64(900),
					u64(uint64(exportTime)*1000-2500), u64(uint64(exportTime)*1000-1))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) {
				f.Start, f.End = unixNs(exportTime-3, 5e8), unixNs(exportTime, -1e6)
				f.SrcPort, f.DstPort, f.Proto, f.TCPFlags, f.Packets, f.Bytes = 51000, 80, 6, 0x13, 7, 900
			})},
		},
		{
			// Variable-length fields (short and 255-escaped) and enterprise IEs are skipped;
			// enterprise IE 1 is not octetDeltaCount; counters in reduced-size encoding.
			name: "variable length and enterprise fields",
			datagrams: [][]byte{ipfix(
				set(2, tmpl(301, spec{ie: ieSrc4, n: 4}, spec{ie: ieIfName, n: 0xffff}, spec{ie: ieAppName, n: 0xffff},
					spec{ie: ieOctetDelta, n: 4, ent: 9}, spec{ie: ieDst4, n: 4}, spec{ie: 5, n: 0xffff, ent: 29305},
					spec{ie: ieOctetDelta, n: 4}, spec{ie: iePacketDelta, n: 2}, spec{ie: ieProto, n: 1})),
				set(301,
					cat(ip("198.51.100.1"), varField([]byte("eth0")), varField(long), u32(0xffffffff), ip("203.0.113.9"),
						varField(nil), u32(4000), u16(4), u8(17)),
					cat(ip("198.51.100.1"), varField(nil), varField([]byte("a")), u32(1), ip("203.0.113.9"),
						varField(long), u32(5), u16(1), u8(17)),
					[]byte{0, 0, 0}), // padding
			)},
			want: []netflow.Flow{
				v4(func(f *netflow.Flow) { f.Proto, f.Packets, f.Bytes = 17, 4, 4000 }),
				v4(func(f *netflow.Flow) { f.Proto, f.Packets, f.Bytes = 17, 1, 5 }),
			},
		},
		{
			// IPv6, ICMPv6 type and code, total counts only, second times.
			name: "IPv6 ICMPv6 total counts seconds",
			datagrams: [][]byte{ipfix(
				set(2, tmpl(302, spec{ie: ieSrc6, n: 16}, spec{ie: ieDst6, n: 16}, spec{ie: ieProto, n: 1},
					spec{ie: ieICMPv6, n: 2}, spec{ie: iePacketTotal, n: 8}, spec{ie: ieOctetTotal, n: 8},
					spec{ie: ieStartSec, n: 4}, spec{ie: ieEndSec, n: 4})),
				set(302, cat(ip("2001:db8:1::1"), ip("2001:db8:2::2"), u8(58), u16(1<<8|4), u64(2), u64(200),
					u32(exportTime-60), u32(exportTime-30))),
			)},
			want: []netflow.Flow{with(base, func(f *netflow.Flow) {
				f.Start, f.End = unixNs(exportTime-60, 0), unixNs(exportTime-30, 0)
				f.Src, f.Dst, f.Proto, f.ICMPType, f.ICMPCode, f.HasICMP = addr("2001:db8:1::1"), addr("2001:db8:2::2"), 58, 1, 4, true
				f.Packets, f.Bytes = 2, 200
			})},
		},
		{
			// A delta count wins over a total count whatever the order.
			name: "delta over total",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(303, spec{ie: iePacketTotal, n: 8}, spec{ie: iePacketDelta, n: 4}, spec{ie: ieOctetDelta, n: 4}, spec{ie: ieOctetTotal, n: 8})),
				set(303, cat(addrs, u64(1000), u32(10), u32(700), u64(99999))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) { f.Packets, f.Bytes = 10, 700 })},
		},
		{
			// NTP microseconds (low 11 bits ignored) and nanoseconds.
			name: "microseconds and nanoseconds",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(304, spec{ie: ieStartUs, n: 8}, spec{ie: ieEndNs, n: 8})),
				set(304, cat(addrs, u64(ntp(exportTime-5, 123_456_000)|0x7ff), u64(ntp(exportTime-1, 987_654_321)))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) {
				f.Start, f.End = unixNs(exportTime-5, 123_456_000), unixNs(exportTime-1, 987_654_321)
			})},
		},
		{
			// flowStart/EndSysUpTime with systemInitTimeMilliseconds in the same record.
			name: "uptime with init time in record",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(305, spec{ie: ieSysInitMs, n: 8}, spec{ie: ieStartUptime, n: 4}, spec{ie: ieEndUptime, n: 4})),
				set(305, cat(addrs, u64(uint64(exportTime-3600)*1000), u32(1_000), u32(2_500))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) {
				f.Start, f.End = unixNs(exportTime-3599, 0), unixNs(exportTime-3597, -5e8)
			})},
		},
		{
			// Options data gives the init time and sampling for the domain; a flow record's own sampling wins.
			name: "options data for the domain",
			datagrams: [][]byte{
				ipfix(
					set(3, optTmpl(400, 1, spec{ie: ieDomainID, n: 4}, spec{ie: ieSysInitMs, n: 8}, spec{ie: ieSamplingPkt, n: 4})),
					set(400, cat(u32(42), u64(uint64(exportTime-3600)*1000), u32(512))),
					set(2, withAddrs(306, spec{ie: ieStartUptime, n: 4}, spec{ie: ieEndUptime, n: 4}),
						withAddrs(307, spec{ie: ieSampling, n: 4})),
					set(306, cat(addrs, u32(0), u32(60_000))),
				),
				ipfix(set(307, cat(addrs, u32(8)))),
			},
			want: []netflow.Flow{
				v4(func(f *netflow.Flow) {
					f.Start, f.End, f.SamplingInterval = unixNs(exportTime-3600, 0), unixNs(exportTime-3540, 0), 512
				}),
				v4(func(f *netflow.Flow) { f.SamplingInterval = 8 }),
			},
		},
		{
			// Uptimes with no init time known: no times rather than wrong ones.
			name: "uptime without init time",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(308, spec{ie: ieStartUptime, n: 4}, spec{ie: ieEndUptime, n: 4})),
				set(308, cat(addrs, u32(1), u32(2))),
			)},
			want: []netflow.Flow{v4(func(*netflow.Flow) {})},
		},
		{
			// Delta microseconds count back from the export time.
			name: "delta microseconds",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(309, spec{ie: ieStartDeltaUs, n: 4}, spec{ie: ieEndDeltaUs, n: 4})),
				set(309, cat(addrs, u32(2_000_000), u32(250))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) {
				f.Start, f.End = unixNs(exportTime-2, 0), unixNs(exportTime, -250_000)
			})},
		},
		{
			// icmpTypeIPv4 and icmpCodeIPv4 as separate fields; the ports stay 0 for ICMP.
			name: "ICMP type and code fields",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(310, spec{ie: ieProto, n: 1}, spec{ie: 176, n: 1}, spec{ie: 177, n: 1}, spec{ie: ieDstPort, n: 2})),
				set(310, cat(addrs, u8(1), u8(3), u8(13), u16(3<<8|13))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) { f.Proto, f.ICMPType, f.ICMPCode, f.HasICMP = 1, 3, 13, true })},
		},
		{
			// An ICMP record with no port field and no ICMP field says nothing about type and code.
			name: "ICMP without type information",
			datagrams: [][]byte{ipfix(
				set(2, withAddrs(311, spec{ie: ieProto, n: 1})),
				set(311, cat(addrs, u8(1))),
			)},
			want: []netflow.Flow{v4(func(f *netflow.Flow) { f.Proto = 1 })},
		},
		{
			// Fields of a length their element cannot have are ignored, not misread.
			name: "wrong field lengths ignored",
			datagrams: [][]byte{ipfix(
				set(2, tmpl(312, spec{ie: ieSrc4, n: 16}, spec{ie: ieDst4, n: 4}, spec{ie: ieProto, n: 2}, spec{ie: ieStartMs, n: 4})),
				set(312, cat(ip("2001:db8::5"), ip("203.0.113.9"), u16(6), u32(1))),
			)},
			want: []netflow.Flow{with(base, func(f *netflow.Flow) { f.Dst = addr("203.0.113.9") })},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(nil, netflow.Options{})
			got, err := decodeAll(d, exporterA, tt.datagrams...)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpAddr); diff != "" {
				t.Errorf("flows (-want +got):\n%s", diff)
			}
			if st := d.Stats(); st.UnknownTemplateSets != 0 || st.Malformed != 0 {
				t.Errorf("Stats: got %+v, want no unknown sets and none malformed", st)
			}
		})
	}
}

// ipfixTmpl300 and ipfixRec300 are a minimal IPFIX template and a record for it.
var (
	ipfixTmpl300 = tmpl(300, spec{ie: ieSrc4, n: 4}, spec{ie: ieDst4, n: 4})
	ipfixRec300  = cat(ip("198.51.100.1"), ip("203.0.113.9"))
)

// countFlows decodes b and returns the number of flows, failing on error.
func countFlows(t *testing.T, d *netflow.Decoder, exporter netip.Addr, b []byte) int {
	t.Helper()
	flows, err := decodeAll(d, exporter, b)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return len(flows)
}

func TestTemplateExpiry(t *testing.T) {
	c := &clock{t: time.Unix(exportTime, 0)}
	d := newDecoder(c, netflow.Options{TemplateTTL: time.Minute})
	data := ipfix(set(300, ipfixRec300))
	countFlows(t, d, exporterA, ipfix(set(2, ipfixTmpl300)))

	c.t = c.t.Add(time.Minute) // exactly the TTL: still usable
	if n := countFlows(t, d, exporterA, data); n != 1 {
		t.Errorf("at the TTL: got %d flows, want 1", n)
	}
	countFlows(t, d, exporterA, ipfix(set(2, ipfixTmpl300))) // re-announced: the TTL starts again
	c.t = c.t.Add(time.Minute)
	if n := countFlows(t, d, exporterA, data); n != 1 {
		t.Errorf("a TTL after re-announcement: got %d flows, want 1", n)
	}
	c.t = c.t.Add(time.Nanosecond)
	if n := countFlows(t, d, exporterA, data); n != 0 {
		t.Errorf("after the TTL: got %d flows, want 0", n)
	}
	st := d.Stats()
	if st.TemplatesExpired != 1 || st.UnknownTemplateSets != 1 || st.Templates != 0 {
		t.Errorf("Stats: got %+v, want 1 expired, 1 unknown set, 0 templates", st)
	}
}

func TestTemplateWithdrawal(t *testing.T) {
	opt := optTmpl(400, 1, spec{ie: ieDomainID, n: 4}, spec{ie: ieSamplingPkt, n: 4})
	tmpl301 := tmpl(301, spec{ie: ieSrc4, n: 4})
	tests := []struct {
		name       string
		withdrawal []byte
		want300    int    // flows from a record of template 300 afterwards
		want301    int    // flows from a record of template 301 afterwards
		wantCount  uint64 // Stats.TemplatesWithdrawn
	}{
		// Field count 0 withdraws one template.
		{"one template", ipfix(set(2, cat(u16(300), u16(0)))), 0, 1, 1},
		// Template ID 2 in a template set withdraws all (non-options) templates of the domain.
		{"all templates", ipfix(set(2, cat(u16(2), u16(0)))), 0, 0, 2},
		// Template ID 3 in an options template set withdraws only options templates.
		{"all options templates", ipfix(set(3, cat(u16(3), u16(0)))), 1, 1, 1},
		// Withdrawing an unknown template is harmless.
		{"unknown template", ipfix(set(2, cat(u16(999), u16(0)))), 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(nil, netflow.Options{})
			countFlows(t, d, exporterA, ipfix(set(2, ipfixTmpl300, tmpl301), set(3, opt)))
			// Another domain's template of the same ID is not touched.
			countFlows(t, d, exporterA, ipfixMessage(exportTime, 1, 43, set(2, ipfixTmpl300)))
			countFlows(t, d, exporterA, tt.withdrawal)
			if n := countFlows(t, d, exporterA, ipfix(set(300, ipfixRec300))); n != tt.want300 {
				t.Errorf("template 300: got %d flows, want %d", n, tt.want300)
			}
			if n := countFlows(t, d, exporterA, ipfix(set(301, ip("198.51.100.1")))); n != tt.want301 {
				t.Errorf("template 301: got %d flows, want %d", n, tt.want301)
			}
			if n := countFlows(t, d, exporterA, ipfixMessage(exportTime, 1, 43, set(300, ipfixRec300))); n != 1 {
				t.Errorf("other domain: got %d flows, want 1", n)
			}
			if got := d.Stats().TemplatesWithdrawn; got != tt.wantCount {
				t.Errorf("TemplatesWithdrawn: got %d, want %d", got, tt.wantCount)
			}
		})
	}
}

func TestTemplateCacheBound(t *testing.T) {
	c := &clock{t: time.Unix(exportTime, 0)}
	d := newDecoder(c, netflow.Options{MaxTemplates: 2})
	for _, id := range []uint16{300, 301, 302} {
		countFlows(t, d, exporterA, ipfix(set(2, tmpl(id, spec{ie: ieSrc4, n: 4}))))
		c.t = c.t.Add(time.Second)
	}
	// 300 was the least recently announced.
	for id, want := range map[uint16]int{300: 0, 301: 1, 302: 1} {
		if n := countFlows(t, d, exporterA, ipfix(set(id, ip("198.51.100.1")))); n != want {
			t.Errorf("template %d: got %d flows, want %d", id, n, want)
		}
	}
	if st := d.Stats(); st.Templates != 2 || st.TemplatesEvicted != 1 {
		t.Errorf("Stats: got %+v, want 2 templates, 1 evicted", st)
	}
}

func TestTemplateScope(t *testing.T) {
	d := newDecoder(nil, netflow.Options{})
	countFlows(t, d, exporterA, ipfix(set(2, ipfixTmpl300)))
	// Same ID, other exporter, other version, other domain: all unknown.
	if n := countFlows(t, d, exporterB, ipfix(set(300, ipfixRec300))); n != 0 {
		t.Errorf("other exporter: got %d flows, want 0", n)
	}
	if n := countFlows(t, d, exporterA, v9Datagram(0, exportTime, 1, 42, set(300, ipfixRec300))); n != 0 {
		t.Errorf("other version: got %d flows, want 0", n)
	}
	if n := countFlows(t, d, exporterA, ipfixMessage(exportTime, 1, 41, set(300, ipfixRec300))); n != 0 {
		t.Errorf("other domain: got %d flows, want 0", n)
	}
	// A redefinition replaces the template.
	countFlows(t, d, exporterA, ipfix(set(2, tmpl(300, spec{ie: ieDst4, n: 4}))))
	flows, err := decodeAll(d, exporterA, ipfix(set(300, ip("203.0.113.1"))))
	if err != nil || len(flows) != 1 || flows[0].Dst != addr("203.0.113.1") || flows[0].Src.IsValid() {
		t.Errorf("after redefinition: got %+v, %v; want one flow with only Dst 203.0.113.1", flows, err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	v9h := func(rest ...[]byte) []byte { return v9Datagram(0, exportTime, 1, 7, rest...) }
	ipfixTmplSet := func(body ...[]byte) []byte { return ipfix(set(2, body...)) }
	goodV5 := v5Datagram(v5Header{}, v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "0.0.0.0"})
	tests := []struct {
		name        string
		in          []byte
		wantVersion int
		wantOffset  int
		wantReason  string // substring of Reason
	}{
		{"empty", nil, 0, 0, "no version"},
		{"one byte", []byte{0}, 0, 0, "no version"},
		{"unsupported version", cat(u16(7), u16(0)), 7, 0, "unsupported version 7"},
		{"v5 header truncated", goodV5[:10], 5, 10, "header truncated"},
		{"v5 no records", cat(u16(5), u16(0), make([]byte, 20)), 5, 2, "record count 0"},
		{"v5 too many records", cat(u16(5), u16(31), make([]byte, 20+31*48)), 5, 2, "record count 31"},
		{"v5 records truncated", cat(goodV5[:2], u16(2), goodV5[4:]), 5, 72, "records truncated"},
		{"v9 header truncated", v9h()[:12], 9, 12, "header truncated"},
		{"v9 set length below 4", v9h(cat(u16(256), u16(2))), 9, 22, "length 2 is less than 4"},
		{"v9 set length beyond datagram", v9h(cat(u16(256), u16(40), u32(0))), 9, 22, "exceeds the 8 bytes left"},
		{"v9 set header truncated", v9h([]byte{1, 2, 3}), 9, 20, "set header truncated"},
		{"v9 template without fields", v9h(set(0, cat(u16(256), u16(0)))), 9, 26, "template 256 has no fields"},
		{"v9 reserved template ID", v9h(set(0, tmpl(5, spec{ie: ieSrc4, n: 4}))), 9, 24, "reserved"},
		{"v9 field specifiers truncated", v9h(set(0, cat(u16(256), u16(3), spec{ie: 8, n: 4}.bytes(), spec{ie: 12, n: 4}.bytes()))), 9, 36, "field 3 of 3 truncated"},
		{"v9 records of length 0", v9h(set(0, tmpl(256, spec{ie: ieSrc4, n: 0}))), 9, 24, "length 0"},
		{"v9 options scope length not a multiple of 4", v9h(set(1, cat(u16(257), u16(3), u16(4), u32(0)))), 9, 26, "not positive multiples of 4"},
		{"v9 options specifiers beyond set", v9h(set(1, cat(u16(257), u16(4), u16(8), spec{ie: 1, n: 4}.bytes()))), 9, 26, "exceed"},
		{"v9 stray bytes after templates", v9h(set(0, v9Tmpl256, []byte{0, 1})), 9, 24 + len(v9Tmpl256), "stray bytes"},
		{"ipfix length below header", cat(u16(10), u16(12), make([]byte, 12)), 10, 2, "message length 12"},
		{"ipfix length beyond datagram", cat(u16(10), u16(100), make([]byte, 14)), 10, 2, "message length 100"},
		{"ipfix options scope count 0", ipfix(set(3, optTmpl(400, 0, spec{ie: ieSampling, n: 4}))), 10, 24, "scope field count 0"},
		{"ipfix options scope count beyond fields", ipfix(set(3, optTmpl(400, 2, spec{ie: ieSampling, n: 4}))), 10, 24, "scope field count 2 not in 1..1"},
		{"ipfix enterprise number truncated", ipfixTmplSet(cat(u16(300), u16(1), u16(ieSrc4|0x8000), u16(4))), 10, 28, "enterprise number truncated"},
		{"ipfix withdrawal of reserved ID", ipfixTmplSet(cat(u16(5), u16(0))), 10, 20, "withdrawal of reserved template ID 5"},
		{"ipfix variable-length record overruns its set", ipfix(
			set(2, tmpl(300, spec{ie: ieSrc4, n: 4}, spec{ie: ieIfName, n: 0xffff})),
			set(300, cat(ip("198.51.100.1"), u8(200), []byte("abc")))), 10, 16 + 4 + 12 + 4, "overruns its set"},
		{"ipfix long escape truncated", ipfix(
			set(2, tmpl(300, spec{ie: ieIfName, n: 0xffff})),
			set(300, cat(u8(255), u8(1)))), 10, 16 + 4 + 8 + 4, "overruns its set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(nil, netflow.Options{})
			_, err := decodeAll(d, exporterA, tt.in)
			var de *netflow.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got error %v, want a *DecodeError", err)
			}
			if de.Version != tt.wantVersion || de.Offset != tt.wantOffset || !strings.Contains(de.Reason, tt.wantReason) {
				t.Errorf("got %+v, want version %d, offset %d, reason containing %q", de, tt.wantVersion, tt.wantOffset, tt.wantReason)
			}
			if de.Offset < 0 || de.Offset > len(tt.in) {
				t.Errorf("offset %d outside the datagram of %d bytes", de.Offset, len(tt.in))
			}
			if got := d.Stats().Malformed; got != 1 {
				t.Errorf("Stats.Malformed: got %d, want 1", got)
			}
		})
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		err  netflow.DecodeError
		want string
	}{
		{netflow.DecodeError{Version: 9, Offset: 22, Reason: "set 256 length 2 is less than 4"}, "decode netflow v9 datagram: offset 22: set 256 length 2 is less than 4"},
		{netflow.DecodeError{Version: 10, Offset: 2, Reason: "x"}, "decode ipfix datagram: offset 2: x"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestDecodeFlowsBeforeError checks that records before a broken set are delivered.
func TestDecodeFlowsBeforeError(t *testing.T) {
	d := newDecoder(nil, netflow.Options{})
	got, err := decodeAll(d, exporterA, v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1), cat(u16(256), u16(1))))
	if err == nil {
		t.Fatal("got no error, want one for the broken last set")
	}
	if diff := cmp.Diff([]netflow.Flow{v9Flow1}, got, cmpAddr); diff != "" {
		t.Errorf("flows (-want +got):\n%s", diff)
	}
}

func TestDecodeAllocs(t *testing.T) {
	tmplIPFIX := set(2, tmpl(300, spec{ie: ieSrc6, n: 16}, spec{ie: ieDst6, n: 16}, spec{ie: ieIfName, n: 0xffff},
		spec{ie: ieOctetDelta, n: 8}, spec{ie: iePacketDelta, n: 8}, spec{ie: ieStartMs, n: 8}, spec{ie: ieEndMs, n: 8}))
	rec := cat(ip("2001:db8::1"), ip("2001:db8::2"), varField([]byte("eth0")), u64(1), u64(2), u64(3), u64(4))
	tests := []struct {
		name     string
		setup    []byte // decoded once before measuring
		datagram []byte
	}{
		{"v5", nil, v5Datagram(v5Header{}, v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "0.0.0.0"})},
		{"v9 data", v9(set(0, v9Tmpl256)), v9(paddedSet(256, v9Rec1, v9Rec2))},
		{"v9 template re-announced with data", v9(set(0, v9Tmpl256)), v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1, v9Rec2))},
		{"ipfix data", ipfix(tmplIPFIX), ipfix(set(300, rec, rec))},
		{"ipfix template re-announced with data", ipfix(tmplIPFIX), ipfix(tmplIPFIX, set(300, rec, rec))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDecoder(nil, netflow.Options{})
			n := 0
			fn := func(*netflow.Flow) { n++ }
			if tt.setup != nil {
				if err := d.Decode(exporterA, tt.setup, fn); err != nil {
					t.Fatal(err)
				}
			}
			allocs := testing.AllocsPerRun(100, func() {
				if err := d.Decode(exporterA, tt.datagram, fn); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("got %v allocations per Decode, want 0", allocs)
			}
			if n == 0 {
				t.Error("decoded no flows")
			}
		})
	}
}

// TestDecodeConcurrent decodes from several goroutines at once, for the race
// detector: a Decoder is safe for concurrent use.
func TestDecodeConcurrent(t *testing.T) {
	d := newDecoder(nil, netflow.Options{})
	done := make(chan int)
	for g := range 4 {
		go func() {
			exporter := netip.AddrFrom4([4]byte{192, 0, 2, byte(g)})
			n := 0
			for range 100 {
				flows, err := decodeAll(d, exporter, v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1, v9Rec2)), ipfix(set(2, ipfixTmpl300), set(300, ipfixRec300)))
				if err != nil {
					t.Error(err)
				}
				n += len(flows)
				_ = d.Stats()
			}
			done <- n
		}()
	}
	total := 0
	for range 4 {
		total += <-done
	}
	if want := 4 * 100 * 3; total != want || d.Stats().Flows != uint64(want) {
		t.Errorf("got %d flows (Stats %d), want %d", total, d.Stats().Flows, want)
	}
}
