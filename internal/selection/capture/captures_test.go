package capture_test

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// capturesDir holds real captures collected by Chris Sanders
// (github.com/chrissanders/packets), used with attribution as their author
// allows: traffic that nobody here wrote.
const capturesDir = "../../../../shared/captures"

// captureFrames is how many frames each capture holds, as capinfos counts them.
var captureFrames = map[string]int{
	"dns_query_response.pcapng":     2,
	"dns_tcp.pcapng":                14,
	"http_google.pcapng":            12,
	"http_ip4and6.pcapng":           20,
	"http_post.pcapng":              21,
	"ip_frag_source.pcapng":         6,
	"ipv6_fragments.pcapng":         22,
	"mail_receiver_server_3.pcapng": 54,
	"mail_sender_attachment.pcapng": 58,
	"mail_sender_client_1.pcapng":   23,
	"synscan.pcapng":                2011,
	"tcp_retransmissions.pcapng":    6,
}

func realCaptures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(capturesDir, "*.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no captures in %s: the real-traffic tests need the shared captures", capturesDir)
	}
	return files
}

// TestRealCaptures reads every shared capture and decodes every frame, with
// no error, and checks the reader against gopacket's pcapng reader: the same
// frames, times and link types.
func TestRealCaptures(t *testing.T) {
	for _, file := range realCaptures(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			input, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r, err := capture.NewReader(bytes.NewReader(input))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := pcapgo.NewNgReader(bytes.NewReader(input), pcapgo.DefaultNgReaderOptions)
			if err != nil {
				t.Fatal(err)
			}
			var (
				rec capture.Record
				p   packet.Parsed
				n   int

				compared int // frames whose ports and payload were compared
			)
			for {
				err := r.Next(&rec)
				refData, ci, refErr := ref.ReadPacketData()
				if err == io.EOF {
					if refErr != io.EOF {
						t.Errorf("frame %d: got io.EOF, gopacket read a frame (%v)", n, refErr)
					}
					break
				}
				if err != nil {
					t.Fatalf("frame %d: Next: %v", n, err)
				}
				if refErr != nil {
					t.Fatalf("frame %d: gopacket: %v", n, refErr)
				}
				if !bytes.Equal(rec.Data, refData) || rec.Time != ci.Timestamp.UnixNano() || rec.OrigLen != ci.Length ||
					int(rec.LinkType) != int(ref.LinkType()) {
					t.Errorf("frame %d: got time %d, %d/%d bytes, link %v; gopacket: time %d, %d/%d bytes, link %v", n,
						rec.Time, len(rec.Data), rec.OrigLen, rec.LinkType, ci.Timestamp.UnixNano(), len(refData), ci.Length, ref.LinkType())
				}
				if err := p.Decode(rec.Data, rec.LinkType); err != nil {
					t.Errorf("frame %d at offset %d: Decode: %v", n, rec.Offset, err)
				}
				if compareGopacket(t, n, &p, rec.Data) {
					compared++
				}
				n++
			}
			if compared == 0 && !strings.Contains(file, "frag") {
				t.Errorf("no TCP or UDP frame compared with gopacket")
			}
			if want, ok := captureFrames[filepath.Base(file)]; ok && n != want {
				t.Errorf("got %d frames, want %d", n, want)
			}
		})
	}
}

// compareGopacket checks the addresses, protocol, ports and payload length
// of a decoded Ethernet frame against gopacket's decoding of it, and reports
// whether it got as far as the ports.
func compareGopacket(t *testing.T, n int, p *packet.Parsed, frame []byte) bool {
	t.Helper()
	pkt := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.DecodeOptions{NoCopy: true, Lazy: true})
	var src, dst netip.Addr
	var proto uint8
	switch ip := pkt.NetworkLayer().(type) {
	case *layers.IPv4:
		src, _ = netip.AddrFromSlice(ip.SrcIP)
		dst, _ = netip.AddrFromSlice(ip.DstIP)
		proto = uint8(ip.Protocol)
		if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
			return false // gopacket does not go on into fragments
		}
	case *layers.IPv6:
		src, _ = netip.AddrFromSlice(ip.SrcIP)
		dst, _ = netip.AddrFromSlice(ip.DstIP)
		proto = uint8(ip.NextHeader)
		if l := pkt.Layer(layers.LayerTypeIPv6Fragment); l != nil {
			return false
		}
		for _, l := range pkt.Layers() {
			switch e := l.(type) {
			case *layers.IPv6HopByHop:
				proto = uint8(e.NextHeader)
			case *layers.IPv6Routing:
				proto = uint8(e.NextHeader)
			case *layers.IPv6Destination:
				proto = uint8(e.NextHeader)
			}
		}
	default:
		if p.IPVersion != 0 {
			t.Errorf("frame %d: got IPv%d, gopacket found no IP", n, p.IPVersion)
		}
		return false
	}
	if p.Src != src || p.Dst != dst || p.Proto != proto {
		t.Errorf("frame %d: got %v > %v proto %d, gopacket %v > %v proto %d", n, p.Src, p.Dst, p.Proto, src, dst, proto)
	}
	var sport, dport uint16
	var payload int
	switch l := pkt.TransportLayer().(type) {
	case *layers.TCP:
		sport, dport, payload = uint16(l.SrcPort), uint16(l.DstPort), len(l.Payload)
	case *layers.UDP:
		sport, dport, payload = uint16(l.SrcPort), uint16(l.DstPort), len(l.Payload)
	default:
		return false
	}
	if p.SrcPort != sport || p.DstPort != dport || len(p.Payload) != payload {
		t.Errorf("frame %d: got ports %d > %d, %d payload bytes; gopacket %d > %d, %d bytes",
			n, p.SrcPort, p.DstPort, len(p.Payload), sport, dport, payload)
	}
	return true
}

// TestRealCapturesCorrupted damages real captures and checks that the
// reader reports the damage and reads on: a packet block whose trailing
// length disagrees costs that packet only, and a capture cut short ends
// with an error unless the cut falls between blocks.
func TestRealCapturesCorrupted(t *testing.T) {
	for _, file := range realCaptures(t) {
		name := filepath.Base(file)
		input, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		good := readAll(t, input)
		ends := blockEnds(t, input)
		// Damage the middle packet block's trailing length.
		mid := good[len(good)/2].Rec.Offset
		end := ends[mid]
		bad := bytes.Clone(input)
		bad[end-4] ^= 0x40
		res := readAll(t, bad)
		var recs, errs int
		for _, r := range res {
			if r.Err != "" {
				errs++
			} else {
				recs++
			}
		}
		if errs != 1 || recs != len(good)-1 {
			t.Errorf("%s with block at %d damaged: got %d records and %d errors, want %d and 1", name, mid, recs, errs, len(good)-1)
		}
		// Cut it short.
		boundary := make(map[int64]bool)
		for _, e := range ends {
			boundary[e] = true
		}
		for cut := 1000; cut < len(input); cut += 1000 {
			res := readAll(t, input[:cut])
			if len(res) > 0 && res[len(res)-1].Err == "" && !boundary[int64(cut)] {
				t.Errorf("%s cut at %d: got no error for the cut block", name, cut)
			}
		}
	}
}

// blockEnds maps the offset of each pcapng block in input to the offset of
// its end, walking the blocks by their lengths (little-endian sections only,
// as all the shared captures are).
func blockEnds(t *testing.T, input []byte) map[int64]int64 {
	ends := make(map[int64]int64)
	for off := 0; off+8 <= len(input); {
		n := int(le.Uint32(input[off+4:]))
		if n < 12 {
			t.Fatalf("block at %d: length %d", off, n)
		}
		ends[int64(off)] = int64(off + n)
		off += n
	}
	return ends
}
