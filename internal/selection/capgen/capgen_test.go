package capgen_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/extract"
)

// corpus returns every reassembled TCP stream and every UDP payload of tr,
// separated by NUL bytes: what an engine could ever see.
func (tr *trace) corpus() []byte {
	var b bytes.Buffer
	for _, f := range tr.flows {
		for _, s := range f.stream {
			b.Write(s)
			b.WriteByte(0)
		}
		for _, d := range f.datagrams {
			b.Write(d)
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

func TestWriteDeterministic(t *testing.T) {
	cfg := capgen.Config{Packets: 20_000, Seed: 7, Canaries: true}
	a, ma := generate(t, cfg)
	b, mb := generate(t, cfg)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatalf("two runs of %+v differ", cfg)
	}
	if ma.Packets != mb.Packets || len(ma.Canaries) != len(mb.Canaries) || ma.WireBytes != mb.WireBytes {
		t.Errorf("manifests differ: %d/%d packets, %d/%d canaries", ma.Packets, mb.Packets, len(ma.Canaries), len(mb.Canaries))
	}
	for i := range ma.Canaries {
		if ma.Canaries[i] != mb.Canaries[i] {
			t.Fatalf("canary %d: got %q and %q", i, ma.Canaries[i], mb.Canaries[i])
		}
	}

	// Another seed gives other traffic; no canaries gives the same frames
	// with filler in place of each canary.
	c, _ := generate(t, capgen.Config{Packets: 20_000, Seed: 8, Canaries: true})
	if bytes.Equal(a, c) {
		t.Errorf("seeds 7 and 8 give the same capture")
	}
	d, md := generate(t, capgen.Config{Packets: 20_000, Seed: 7})
	if len(d) != len(a) || md.WireBytes != ma.WireBytes {
		t.Errorf("without canaries: %d bytes, want %d (same sizes)", len(d), len(a))
	}
	if bytes.Contains(d, []byte(capgen.CanaryPrefix)) {
		t.Errorf("capture without canaries holds %q", capgen.CanaryPrefix)
	}
}

func TestWriteFrames(t *testing.T) {
	const n = 30_000
	data, m := generate(t, capgen.Config{Packets: n, Seed: 1})
	tr := readTrace(t, data)
	if tr.frames != n || m.Packets != n {
		t.Fatalf("got %d frames (manifest %d), want %d", tr.frames, m.Packets, n)
	}
	if m.WireBytes != tr.wire || m.FileBytes != int64(len(data)) {
		t.Errorf("manifest: wire %d, file %d bytes; read %d, %d", m.WireBytes, m.FileBytes, tr.wire, len(data))
	}
	if want := capgen.DefaultStart(); !m.First.Equal(want) || !m.Last.After(want) || m.Last.Sub(want) > time.Duration(n)*4*time.Microsecond {
		t.Errorf("manifest times %v..%v, want from %v, 0-4 µs apart", m.First, m.Last, want)
	}
	// Shares: IPv6 about 20% of flows, VLAN tags on a few percent.
	if s := float64(tr.v6) / n; s < 0.1 || s > 0.35 {
		t.Errorf("IPv6 share of frames %.3f, want about 0.2", s)
	}
	if s := float64(tr.vlan) / n; s < 0.005 || s > 0.08 {
		t.Errorf("VLAN share of frames %.3f, want about 0.03", s)
	}
	var complete, truncated int64
	for _, f := range tr.flows {
		switch {
		case f.complete:
			complete++
		case f.key.proto == 6:
			truncated++
		}
	}
	var done int64
	for k, c := range m.Flows {
		if c == 0 {
			t.Errorf("no complete %s flow", k)
		}
		if k != "dns" && k != "rtp" {
			done += c
		}
	}
	if complete != done {
		t.Errorf("read %d complete TCP flows, manifest %d", complete, done)
	}
	if truncated > m.Truncated {
		t.Errorf("read %d cut-off TCP flows, manifest %d in all", truncated, m.Truncated)
	}
}

// The size mix is roughly IMIX: many small frames (ACKs, DNS), some
// medium (requests, media), some full-sized.
func TestWriteSizeMix(t *testing.T) {
	data, m := generate(t, capgen.Config{Packets: 50_000, Seed: 2})
	tr := readTrace(t, data)
	var small, medium, large int
	for _, s := range tr.sizes {
		switch {
		case s <= 90:
			small++
		case s <= 1000:
			medium++
		default:
			large++
		}
	}
	n := float64(len(tr.sizes))
	t.Logf("frames ≤90 B %.1f%%, 91–1000 B %.1f%%, >1000 B %.1f%%, mean %.0f B",
		100*float64(small)/n, 100*float64(medium)/n, 100*float64(large)/n, float64(m.WireBytes)/n)
	for _, c := range []struct {
		name     string
		share    float64
		min, max float64
	}{
		{"≤90 B", float64(small) / n, 0.30, 0.60},
		{"91–1000 B", float64(medium) / n, 0.20, 0.55},
		{">1000 B", float64(large) / n, 0.08, 0.30},
	} {
		if c.share < c.min || c.share > c.max {
			t.Errorf("share of frames %s: got %.3f, want %.2f..%.2f", c.name, c.share, c.min, c.max)
		}
	}
}

func TestWriteCanaries(t *testing.T) {
	data, m := generate(t, capgen.Config{Packets: 40_000, Seed: 3, Canaries: true})
	corpus := readTrace(t, data).corpus()
	if len(m.Canaries) == 0 {
		t.Fatal("manifest lists no canaries")
	}
	for _, k := range capgen.CanaryKinds() {
		if m.CanaryCounts[k] == 0 {
			t.Errorf("no canary of kind %s written", k)
		}
	}
	// Each kind keeps an equal share of 10,000.
	per := int64(10_000 / len(capgen.CanaryKinds()))
	for _, k := range capgen.CanaryKinds() {
		var listed int64
		for _, c := range m.Canaries {
			if strings.HasPrefix(c, capgen.CanaryPrefix+k+"-") || (k == "attachment-bytes" && !strings.HasPrefix(c, capgen.CanaryPrefix)) {
				listed++
			}
		}
		if want := min(m.CanaryCounts[k], per); listed != want {
			t.Errorf("manifest lists %d canaries of kind %s, want %d (of %d written)", listed, k, want, m.CanaryCounts[k])
		}
	}
	found := canariesIn(corpus)
	var clear int64 // canaries written in clear: all but the attachments' bytes
	for k, c := range m.CanaryCounts {
		if k != "attachment-bytes" {
			clear += c
		}
	}
	if int64(len(found)) < clear {
		t.Errorf("found %d distinct canaries in the capture, want at least the %d written in clear", len(found), clear)
	}
	seen := map[string]bool{}
	for _, c := range m.Canaries {
		if seen[c] {
			t.Errorf("canary %q listed twice", c)
		}
		seen[c] = true
		if strings.HasPrefix(c, capgen.CanaryPrefix) && !found[c] ||
			!strings.HasPrefix(c, capgen.CanaryPrefix) && !bytes.Contains(corpus, []byte(c)) {
			t.Errorf("canary %q is not in the capture's streams", c)
		}
	}
	// Attachment canaries: base64 text in the capture, the canary itself
	// only in the decoded attachment.
	if len(m.DecodedCanaries) == 0 || int64(len(m.DecodedCanaries)) > m.CanaryCounts["attachment-bytes"] {
		t.Errorf("%d decoded canaries for %d attachments", len(m.DecodedCanaries), m.CanaryCounts["attachment-bytes"])
	}
	for _, d := range m.DecodedCanaries {
		if !strings.HasPrefix(d, capgen.CanaryPrefix+"attachment-bytes-") {
			t.Errorf("decoded canary %q is not an attachment canary", d)
		}
		if found[d] {
			t.Errorf("decoded canary %q is in the capture in clear", d)
		}
		enc := base64.StdEncoding.EncodeToString([]byte(d[:len(d)/3*3]))
		if !seen[enc] {
			t.Errorf("decoded canary %q: its base64 text %q is not listed", d, enc)
		}
	}
}

// canariesIn returns the canaries in b: CANARY-<kind>-<n>-<8 hex digits>.
func canariesIn(b []byte) map[string]bool {
	found := map[string]bool{}
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	isHex := func(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' }
	for {
		i := bytes.Index(b, []byte(capgen.CanaryPrefix))
		if i < 0 {
			return found
		}
		b = b[i:]
		for _, k := range capgen.CanaryKinds() {
			rest, ok := bytes.CutPrefix(b[len(capgen.CanaryPrefix):], []byte(k+"-"))
			if !ok {
				continue
			}
			n := 0
			for n < len(rest) && isDigit(rest[n]) {
				n++
			}
			if n == 0 || len(rest) < n+9 || rest[n] != '-' {
				continue
			}
			h := rest[n+1 : n+9]
			if len(bytes.TrimLeftFunc(h, func(r rune) bool { return r < 128 && isHex(byte(r)) })) == 0 {
				end := len(b) - len(rest) + n + 9
				found[string(b[:end])] = true
			}
		}
		b = b[len(capgen.CanaryPrefix):]
	}
}

// Without canaries the capture holds none, and the manifest lists none.
func TestWriteNoCanaries(t *testing.T) {
	data, m := generate(t, capgen.Config{Packets: 20_000, Seed: 3})
	if bytes.Contains(readTrace(t, data).corpus(), []byte(capgen.CanaryPrefix)) {
		t.Errorf("capture without canaries holds %q", capgen.CanaryPrefix)
	}
	if len(m.Canaries) != 0 || len(m.DecodedCanaries) != 0 {
		t.Errorf("manifest lists %d canaries, want none", len(m.Canaries)+len(m.DecodedCanaries))
	}
}

// Every mechanical value the manifest lists is in the capture, in the form
// the protocol carries it.
func TestWriteMechanicalValues(t *testing.T) {
	data, m := generate(t, capgen.Config{Packets: 40_000, Seed: 4, Canaries: true})
	corpus := readTrace(t, data).corpus()
	dnsName := func(s string) string {
		var b []byte
		for _, l := range strings.Split(s, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
		return string(append(b, 0))
	}
	for _, c := range []struct {
		field  string
		values []string
		wire   func(string) string
	}{
		{"Hosts", m.Hosts, func(v string) string { return "\r\nHost: " + v + "\r\n" }},
		{"UserAgents", m.UserAgents, func(v string) string { return "\r\nUser-Agent: " + v + "\r\n" }},
		{"SNIs", m.SNIs, func(v string) string { return v }},
		{"QNames", m.QNames, dnsName},
		{"HELOs", m.HELOs, func(v string) string { return "EHLO " + v + "\r\n" }},
		{"MailFrom", m.MailFrom, func(v string) string { return "MAIL FROM:<" + v + ">" }},
		{"RcptTo", m.RcptTo, func(v string) string { return "RCPT TO:<" + v + ">\r\n" }},
		{"HeaderFrom", m.HeaderFrom, func(v string) string { return "\" <" + v + ">\r\n" }},
		{"Paths", m.Paths, func(v string) string {
			if i := strings.IndexByte(v, '?'); i >= 0 {
				v = v[:i+1]
			}
			return " " + v
		}},
	} {
		if len(c.values) == 0 {
			t.Errorf("%s: none listed", c.field)
		}
		for _, v := range c.values {
			if !bytes.Contains(corpus, []byte(c.wire(v))) {
				t.Errorf("%s: %q is not in the capture as %q", c.field, v, c.wire(v))
			}
		}
	}
	for _, p := range m.Paths {
		if strings.Contains(p, "=") || strings.Contains(p, capgen.CanaryPrefix) {
			t.Errorf("path %q keeps a query value", p)
		}
	}
}

// The application messages parse with the selection engine's extractors,
// and what they extract agrees with the manifest.
func TestWriteExtractors(t *testing.T) {
	data, m := generate(t, capgen.Config{Packets: 40_000, Seed: 5, Canaries: true})
	tr := readTrace(t, data)
	paths, snis, qnames, helos := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	var requests, hellos, dns, commands int
	for _, f := range tr.flows {
		port := f.key.dst.Port()
		switch {
		case f.key.proto == 6 && port == 80:
			for b := f.stream[0]; len(b) > 0; {
				var r extract.Request
				n, err := extract.ParseRequest(b, &r)
				if err == extract.ErrNeedMore && !f.complete {
					break
				}
				if err != nil {
					t.Fatalf("HTTP request in flow %v→%v: %v", f.key.src, f.key.dst, err)
				}
				requests++
				paths[string(extract.AppendPath(nil, r.Target))] = true
				b = b[n:]
				b = b[min(int(r.BodyLength), len(b)):]
			}
		case f.key.proto == 6 && port == 443 && len(f.stream[0]) > 0:
			var h extract.ClientHello
			err := extract.ParseClientHello(f.stream[0], &h)
			if err == extract.ErrNeedMore && !f.complete {
				continue
			}
			if err != nil {
				t.Fatalf("ClientHello in flow %v→%v: %v", f.key.src, f.key.dst, err)
			}
			if h.ALPNCount != 2 || !h.HasSNI {
				t.Errorf("ClientHello: ALPN count %d, SNI %v; want 2, true", h.ALPNCount, h.HasSNI)
			}
			hellos++
			snis[string(h.SNI)] = true
		case f.key.proto == 17 && port == 53:
			for i, d := range f.datagrams {
				var msg extract.DNSMessage
				if err := extract.ParseDNS(d, &msg); err != nil {
					t.Fatalf("DNS message %d in flow %v→%v: %v", i, f.key.src, f.key.dst, err)
				}
				if msg.Response != (f.from[i] == 1) {
					t.Errorf("DNS message %d from side %d: response %v", i, f.from[i], msg.Response)
				}
				dns++
				qnames[string(msg.QName())] = true
			}
		case f.key.proto == 6 && port == 53:
			for side, b := range f.stream {
				for len(b) > 0 {
					var msg extract.DNSMessage
					n, err := extract.ParseDNSTCP(b, &msg)
					if err != nil {
						t.Fatalf("DNS message over TCP in flow %v→%v: %v", f.key.src, f.key.dst, err)
					}
					if msg.Response != (side == 1) {
						t.Errorf("DNS message over TCP from side %d: response %v", side, msg.Response)
					}
					dns++
					qnames[string(msg.QName())] = true
					b = b[n:]
				}
			}
		case f.key.proto == 6 && port == 25:
			// Client lines up to DATA.
			b := f.stream[0]
			for len(b) > 0 {
				i := bytes.Index(b, []byte("\r\n"))
				if i < 0 {
					break
				}
				var c extract.Command
				if err := extract.ParseCommand(b[:i+2], &c); err != nil {
					t.Fatalf("SMTP command %q: %v", b[:i], err)
				}
				commands++
				if c.Domain != nil {
					helos[string(c.Domain)] = true
				}
				if c.Verb == extract.VerbDATA {
					break
				}
				b = b[i+2:]
			}
		}
	}
	t.Logf("parsed %d HTTP requests, %d ClientHellos, %d DNS messages, %d SMTP commands", requests, hellos, dns, commands)
	for _, c := range []struct {
		field string
		want  []string
		got   map[string]bool
	}{
		{"Paths", m.Paths, paths},
		{"SNIs", m.SNIs, snis},
		{"QNames", m.QNames, qnames},
		{"HELOs", m.HELOs, helos},
	} {
		for _, v := range c.want {
			if !c.got[v] {
				t.Errorf("%s: manifest lists %q, extractors did not find it", c.field, v)
			}
		}
	}
}

// Memory stays flat: writing four times the packets allocates about the
// same, and the live heap stays small.
func TestWriteFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 125,000 packets")
	}
	alloc := func(n int) (total, live uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := capgen.Write(io.Discard, capgen.Config{Packets: n, Seed: 9, Canaries: true}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, after.HeapInuse
	}
	small, _ := alloc(25_000)
	big, live := alloc(100_000)
	t.Logf("allocated %d KiB for 25k packets, %d KiB for 100k; heap in use %d KiB", small>>10, big>>10, live>>10)
	if big > small+small/4+1<<20 {
		t.Errorf("100k packets allocate %d bytes, 25k %d: memory grows with the packet count", big, small)
	}
	if live > 64<<20 {
		t.Errorf("heap in use %d MiB after writing, want < 64 MiB", live>>20)
	}
}

// Bytes stops the capture at about that many bytes of pcap.
func TestWriteBytes(t *testing.T) {
	const limit = 3 << 20
	data, m := generate(t, capgen.Config{Bytes: limit, Seed: 1})
	if int64(len(data)) < limit || len(data) > limit+capgen.Snaplen || m.FileBytes != int64(len(data)) {
		t.Errorf("got %d bytes (manifest %d), want %d to %d", len(data), m.FileBytes, limit, limit+capgen.Snaplen)
	}
}

func TestWriteConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  capgen.Config
		want string
	}{
		{"negative packets", capgen.Config{Packets: -1}, "packets -1 is negative"},
		{"negative bytes", capgen.Config{Bytes: -5}, "bytes -5 is negative"},
		{"IPv6 share above 1", capgen.Config{IPv6Share: 1.5}, "ipv6 share 1.5 is above 1"},
		{"VLAN share above 1", capgen.Config{VLANShare: 2}, "vlan share 2 is above 1"},
		{"start before 1970", capgen.Config{Start: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}, "start 1960-01-01T00:00:00Z outside 1970..2100"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := capgen.Write(io.Discard, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// The delegated file makes the domestic pool Japanese and nothing else.
func TestWriteDelegated(t *testing.T) {
	var buf bytes.Buffer
	if err := capgen.WriteDelegated(&buf); err != nil {
		t.Fatal(err)
	}
	b := direction.NewBuilder()
	if err := b.AddDelegated(&buf, "capgen-delegated"); err != nil {
		t.Fatalf("AddDelegated: %v", err)
	}
	tab := b.Build()
	for _, c := range []struct {
		addr     string
		domestic bool
	}{
		{"133.0.1.16", true},     // domestic HTTP server
		{"133.15.255.254", true}, // end of the domestic IPv4 pool
		{"2001:2f8:0:1::10", true},
		{"2001:2f8:ffff::1", true},
		{"8.0.1.16", false}, // foreign HTTP server
		{"8.15.0.1", false},
		{"2a00:0:0:1::10", false},
		{"2a00:ff::1", false},
		{"1.0.1.1", false}, // CN row
	} {
		if got := tab.Domestic(netipMust(c.addr)); got != c.domestic {
			t.Errorf("Domestic(%s) = %v, want %v", c.addr, got, c.domestic)
		}
	}
}

// Once its buffers have grown, the generator allocates nothing per packet
// (without canaries; with them, only the sampled canaries' strings).
func TestWriteAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 50,000 packets")
	}
	got := capgen.AllocsPerPacket(capgen.Config{Seed: 1}, 30_000, 10, 2_000)
	t.Logf("%.5f allocations per packet", got)
	if got != 0 {
		t.Errorf("got %.5f allocations per packet in steady state, want none", got)
	}
}
