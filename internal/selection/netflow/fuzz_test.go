package netflow_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/acd-platform/acd/internal/selection/netflow"
)

var update = flag.Bool("update", false, "rewrite the FuzzDecode seed corpus in testdata")

// fuzzSeeds is the seed corpus of FuzzDecode, one file per entry under
// testdata/fuzz/FuzzDecode, written by go test -run TestFuzzSeeds -update.
func fuzzSeeds() map[string][]byte {
	return map[string][]byte{
		// NetFlow v5: a TCP and an ICMP record with sampling in the header.
		"v5-two-records": v5Datagram(v5Header{uptime: 100_000, secs: exportTime, sampling: 0x4000 | 64},
			v5Record{src: "198.51.100.1", dst: "203.0.113.9", nexthop: "0.0.0.0", pkts: 2, octets: 120, first: 1, last: 2, sport: 1, dport: 443, proto: 6},
			v5Record{src: "198.51.100.2", dst: "203.0.113.9", nexthop: "0.0.0.0", pkts: 1, octets: 84, dport: 8 << 8, proto: 1}),
		// NetFlow v9: template and data in one datagram.
		"v9-template-and-data": v9(set(0, v9Tmpl256), paddedSet(256, v9Rec1, v9Rec2)),
		// NetFlow v9: options template with sampling, options data, template, data.
		"v9-options-sampling": v9(
			paddedSet(1, v9OptTmpl(257, []spec{{ie: ieV9ScopeSys, n: 4}}, []spec{{ie: ieSampling, n: 4}, {ie: ieSamplingAlg, n: 1}})),
			paddedSet(257, cat(u32(0), u32(100), u8(2))),
			set(0, v9Tmpl256), paddedSet(256, v9Rec1)),
		// IPFIX: variable-length (short and 255-escaped) and enterprise fields, IPv4.
		"ipfix-varlen-enterprise": ipfix(
			set(2, tmpl(301, spec{ie: ieSrc4, n: 4}, spec{ie: ieIfName, n: 0xffff}, spec{ie: ieAppName, n: 0xffff},
				spec{ie: ieOctetDelta, n: 4, ent: 9}, spec{ie: ieDst4, n: 4}, spec{ie: ieOctetDelta, n: 4})),
			set(301, cat(ip("198.51.100.1"), varField([]byte("eth0")), varField(bytes.Repeat([]byte("x"), 300)), u32(1),
				ip("203.0.113.9"), u32(4000)))),
		// IPFIX: IPv6 with ICMPv6 type-code and second times.
		"ipfix-ipv6": ipfix(
			set(2, tmpl(302, spec{ie: ieSrc6, n: 16}, spec{ie: ieDst6, n: 16}, spec{ie: ieProto, n: 1},
				spec{ie: ieICMPv6, n: 2}, spec{ie: ieStartSec, n: 4}, spec{ie: ieEndSec, n: 4})),
			set(302, cat(ip("2001:db8:1::1"), ip("2001:db8:2::2"), u8(58), u16(128<<8), u32(exportTime-1), u32(exportTime)))),
		// IPFIX: options template giving init time and sampling, then uptime-based times.
		"ipfix-options-uptime": ipfix(
			set(3, optTmpl(400, 1, spec{ie: ieDomainID, n: 4}, spec{ie: ieSysInitMs, n: 8}, spec{ie: ieSamplingPkt, n: 4})),
			set(400, cat(u32(42), u64(uint64(exportTime-3600)*1000), u32(512))),
			set(2, tmpl(306, spec{ie: ieSrc4, n: 4}, spec{ie: ieStartUptime, n: 4}, spec{ie: ieEndUptime, n: 4})),
			set(306, cat(ip("198.51.100.1"), u32(0), u32(60_000)))),
		// IPFIX: template withdrawal of one template and of all templates.
		"ipfix-withdrawal": ipfix(set(2, ipfixTmpl300), set(2, cat(u16(300), u16(0))), set(2, cat(u16(2), u16(0)))),
	}
}

func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, b := range fuzzSeeds() {
		want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b)
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("seed %s: %v (run go test -run TestFuzzSeeds -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seed %s is out of date (run go test -run TestFuzzSeeds -update)", name)
		}
		// Every seed decodes cleanly.
		if _, err := decodeAll(netflow.NewDecoder(netflow.Options{}), exporterA, b); err != nil {
			t.Errorf("seed %s: %v", name, err)
		}
	}
}

// FuzzDecode feeds arbitrary datagrams to a Decoder (the seeds, one per
// version and feature, are in testdata/fuzz/FuzzDecode). It must never
// panic; errors must be *DecodeError with an offset inside the datagram;
// flows must carry the datagram's version and exporter and be counted.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		d := netflow.NewDecoder(netflow.Options{MaxTemplates: 4})
		n := 0
		for range 2 { // the second pass uses templates the first one learned
			err := d.Decode(exporterA, b, func(fl *netflow.Flow) {
				n++
				if int(fl.Version) != int(binary.BigEndian.Uint16(b)) || fl.Exporter != exporterA {
					t.Fatalf("flow of version %d from %v, datagram of version %d from %v", fl.Version, fl.Exporter, binary.BigEndian.Uint16(b), exporterA)
				}
				if fl.Src.IsValid() && !fl.Src.Is4() && !fl.Src.Is6() {
					t.Fatalf("bad source address %v", fl.Src)
				}
			})
			if err != nil {
				var de *netflow.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("got %T %v, want a *DecodeError", err, err)
				}
				if de.Offset < 0 || de.Offset > len(b) {
					t.Fatalf("offset %d outside the datagram of %d bytes", de.Offset, len(b))
				}
			}
		}
		if st := d.Stats(); st.Flows != uint64(n) || st.Datagrams != 2 || st.Templates > 4 {
			t.Fatalf("Stats %+v after %d flows from 2 datagrams with at most 4 templates", st, n)
		}
	})
}
