package selection_test

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/packet"
)

// jpDelegated makes 133.0.0.0/8 and 2001:200::/23 domestic.
const jpDelegated = `2|apnic|20261101|3|19830613|20261031|+1000
apnic|*|ipv4|*|2|summary
apnic|*|ipv6|*|1|summary
apnic|JP|ipv4|133.0.0.0|16777216|19970101|allocated
apnic|CN|ipv4|1.0.0.0|256|20110414|allocated
apnic|JP|ipv6|2001:200::|23|19990813|allocated
`

// TestDirections classifies each direction over IPv4 and IPv6, drops 内内
// first, and leaves out what the set's directions do not cover.
func TestDirections(t *testing.T) {
	pairs := map[string][2]string{ // direction → source, destination
		"foreign-foreign":   {"8.8.8.8", "1.0.0.9"},
		"foreign-domestic":  {"8.8.8.8", "133.1.1.1"},
		"domestic-foreign":  {"133.1.1.1", "8.8.8.8"},
		"domestic-domestic": {"133.1.1.1", "133.2.2.2"},
	}
	pairs6 := map[string][2]string{
		"foreign-foreign":   {"2a00::1", "2a00::2"},
		"foreign-domestic":  {"2a00::1", "2001:200::1"},
		"domestic-foreign":  {"2001:201::1", "2a00::1"},
		"domestic-domestic": {"2001:200::1", "2001:201:ffff::1"},
	}
	c := newCap(t)
	for _, ps := range []map[string][2]string{pairs, pairs6} {
		for _, p := range ps {
			for range 3 {
				c.udp(join(p[0], 4000), join(p[1], 5000), []byte("x"))
			}
		}
	}
	pcap := c.reader()
	r := run(t, pcap, criteriaJSON(allDirections, everything), runOpts{delegated: jpDelegated})
	for name := range pairs {
		d := r.sum.Directions[name]
		if d.Seen.Packets != 6 {
			t.Errorf("%s: seen %d packets, want 6", name, d.Seen.Packets)
		}
		wantSel := uint64(6)
		if name == "domestic-domestic" {
			wantSel = 0
		}
		if d.Selected.Packets != wantSel {
			t.Errorf("%s: selected %d packets, want %d", name, d.Selected.Packets, wantSel)
		}
	}
	got := map[string]int{}
	for _, f := range r.byType("flow") {
		got[f["direction"].(string)]++
	}
	if got["foreign-foreign"] != 2 || got["foreign-domestic"] != 2 || got["domestic-foreign"] != 2 || got["domestic-domestic"] != 0 {
		t.Errorf("flow records by direction: %v; want 2 of each but domestic-domestic", got)
	}
	checkBalance(t, r.sum)

	// A set covering 外内 alone keeps nothing else in scope.
	pcap.Seek(0, 0)
	r = run(t, pcap, criteriaJSON([]string{"foreign-domestic"}, everything), runOpts{delegated: jpDelegated})
	for name, d := range r.sum.Directions {
		want := uint64(0)
		if name == "foreign-domestic" {
			want = 6
		}
		if d.InScope.Packets != want || d.Selected.Packets != want {
			t.Errorf("外内 only: %s in scope %d, selected %d; want %d", name, d.InScope.Packets, d.Selected.Packets, want)
		}
	}

	// An override makes 133.2.0.0/16 foreign: the 内内 pair becomes 内外.
	pcap.Seek(0, 0)
	r = run(t, pcap, criteriaJSON(allDirections, everything), runOpts{delegated: jpDelegated, overrides: "133.2.0.0/16 foreign\n"})
	if d := r.sum.Directions["domestic-foreign"]; d.Seen.Packets != 9 {
		t.Errorf("with the override, domestic-foreign saw %d packets, want 9", d.Seen.Packets)
	}
}

func join(addr string, port int) string {
	if strings.Contains(addr, ":") {
		addr = "[" + addr + "]"
	}
	return addr + ":" + strconv.Itoa(port)
}

// TestDomainRules selects DNS flows by query name on a label boundary, case
// and trailing dot aside.
func TestDomainRules(t *testing.T) {
	c := newCap(t)
	c.udp("8.8.8.8:40000", "1.0.0.53:53", dnsQuery(t, 1, "a.EVIL.example."))
	c.udp("8.8.8.8:40001", "1.0.0.53:53", dnsQuery(t, 2, "notevil.example"))
	c.udp("[2a00::5]:40002", "[2a00::53]:53", dnsQuery(t, 3, "evil.example"))
	r := run(t, c.reader(), criteriaJSON(allDirections, `{"id":"evil","domains":{"suffix":["evil.example"]}}`), runOpts{})
	var names []string
	for _, d := range r.byType("dns") {
		names = append(names, d["qname"].(string))
	}
	if strings.Join(names, ",") != "a.evil.example,evil.example" {
		t.Errorf("dns records for %v; want a.evil.example and evil.example", names)
	}
	if r.sum.SelectedFlows != 2 {
		t.Errorf("selected %d flows, want 2", r.sum.SelectedFlows)
	}
}

// TestHTTPAcrossSegments reads a request head split over segments, matches a
// command pattern across the split, and keeps no query value or cookie.
func TestHTTPAcrossSegments(t *testing.T) {
	c := newCap(t)
	c.conn("8.8.8.8:50000", "1.0.0.80:80", "PO", "ST /A3fe/x.php?cmd=SECRETVALUE&id=1 HTTP/1.1\r\nHo",
		"st: c2.example\r\nCookie: s=SECRETCOOKIE\r\nUser-Agent: curl/8.5\r\nContent-Length: 11\r\n\r\nSECRETBODY!",
		"GET /next?q=SECRETQ HTTP/1.1\r\nHost: c2.example\r\n\r\n")
	c.conn("8.8.8.8:50001", "1.0.0.80:80", "GET /A3fe HTTP/1.1\r\nHost: other.example\r\n\r\n")
	crit := criteriaJSON(allDirections, `{"id":"webshell","commands":["POST /A3fe"],"ports":["tcp/80"]}`)
	r := run(t, c.reader(), crit, runOpts{})
	for _, secret := range []string{"SECRET", "cmd=", "Cookie"} {
		if strings.Contains(string(r.out), secret) {
			t.Errorf("output contains %q", secret)
		}
	}
	https := r.byType("http")
	if len(https) != 2 {
		t.Fatalf("%d http records, want 2 (the POST and the pipelined GET after its body)", len(https))
	}
	if https[0]["path"] != "/A3fe/x.php?cmd&id" || https[0]["host"] != "c2.example" || https[0]["user_agent"] != "curl/8.5" || https[0]["method"] != "POST" {
		t.Errorf("first request: %v", https[0])
	}
	if https[1]["path"] != "/next?q" {
		t.Errorf("second request path %v, want /next?q", https[1]["path"])
	}
	if r.sum.SelectedFlows != 1 {
		t.Errorf("selected %d flows, want 1 (the GET flow has no POST)", r.sum.SelectedFlows)
	}
	f := r.byType("flow")[0]
	if f["rule"] != "webshell" || f["app"] != "http" || f["client"] != "8.8.8.8" || f["server_port"] != 80.0 {
		t.Errorf("flow record: %v", f)
	}
}

// TestStreamGaps: a retransmission is read once; a hole stops reading the
// stream; a head bigger than the per-flow cap is given up.
func TestStreamGaps(t *testing.T) {
	c := newCap(t)
	req := "GET /a HTTP/1.1\r\nHost: h.example\r\n\r\n"
	// Retransmitted request.
	c.tcp(tcpSeg{src: "8.8.8.8:1", dst: "1.0.0.1:80", seq: 99, syn: true})
	c.tcp(tcpSeg{src: "8.8.8.8:1", dst: "1.0.0.1:80", seq: 100, ack: true, payload: req})
	c.tcp(tcpSeg{src: "8.8.8.8:1", dst: "1.0.0.1:80", seq: 100, ack: true, payload: req})
	// A hole: the second segment of the head is missing.
	c.tcp(tcpSeg{src: "8.8.8.8:2", dst: "1.0.0.1:80", seq: 99, syn: true})
	c.tcp(tcpSeg{src: "8.8.8.8:2", dst: "1.0.0.1:80", seq: 100, ack: true, payload: "GET /b HTTP/1.1\r\n"})
	c.tcp(tcpSeg{src: "8.8.8.8:2", dst: "1.0.0.1:80", seq: 200, ack: true, payload: "Host: h.example\r\n\r\n"})
	// A head over the cap.
	c.tcp(tcpSeg{src: "8.8.8.8:3", dst: "1.0.0.1:80", seq: 99, syn: true})
	c.tcp(tcpSeg{src: "8.8.8.8:3", dst: "1.0.0.1:80", seq: 100, ack: true, payload: "GET /c HTTP/1.1\r\nX: " + strings.Repeat("y", 300)})
	c.tcp(tcpSeg{src: "8.8.8.8:3", dst: "1.0.0.1:80", seq: 321, ack: true, payload: strings.Repeat("y", 300) + "\r\n\r\n"})
	r := run(t, c.reader(), criteriaJSON(allDirections, `{"id":"h","domains":{"exact":["h.example"]}}`), runOpts{flowBuffer: 512})
	https := r.byType("http")
	if len(https) != 1 || https[0]["path"] != "/a" {
		t.Errorf("http records %v; want one for /a", https)
	}
	if r.sum.StreamGiveUps != 2 {
		t.Errorf("%d streams given up, want 2 (the hole and the cap)", r.sum.StreamGiveUps)
	}
	checkBalance(t, r.sum)
}

// TestFlowTableCap: a full flow table ends its least recently active flow
// early, and a selected one is still reported.
func TestFlowTableCap(t *testing.T) {
	c := newCap(t)
	for i := range 5 {
		c.udp(join("8.8.8.8", 4000+i), "1.0.0.1:5000", []byte("x"))
	}
	r := run(t, c.reader(), criteriaJSON(allDirections, everything), runOpts{maxFlows: 2})
	if n := len(r.byType("flow")); n != 5 || r.sum.EvictedFlows != 3 {
		t.Errorf("%d flow records, %d evicted; want 5 and 3", n, r.sum.EvictedFlows)
	}
	checkBalance(t, r.sum)
}

// TestServerSpeaksFirst: a capture that begins with the server's SYN-ACK
// still names the client, and the flow's direction is the client's.
func TestServerSpeaksFirst(t *testing.T) {
	c := newCap(t)
	c.tcp(tcpSeg{src: "133.1.1.1:80", dst: "8.8.8.8:5000", seq: 5000, syn: true, ack: true, ackNum: 1001})
	c.tcp(tcpSeg{src: "8.8.8.8:5000", dst: "133.1.1.1:80", seq: 1001, ack: true, payload: "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"})
	r := run(t, c.reader(), criteriaJSON(allDirections, everything), runOpts{delegated: jpDelegated})
	fs := r.byType("flow")
	if len(fs) != 1 || fs[0]["client"] != "8.8.8.8" || fs[0]["direction"] != "foreign-domestic" {
		t.Fatalf("flow records %v; want one with client 8.8.8.8, foreign-domestic", fs)
	}
	if p := fs[0]["packets"].(map[string]any); p["client"] != 1.0 || p["server"] != 1.0 {
		t.Errorf("packets %v, want 1 each way", p)
	}
	if len(r.byType("http")) != 1 {
		t.Errorf("the request after a missed SYN was not read")
	}
	checkBalance(t, r.sum)
}

// TestMidstreamIsNeverParsed: a TCP stream whose start was not captured
// (no SYN, no SYN-ACK) may be in the middle of a body; read as commands or
// requests, body text would come out as mechanical fields. It is not read.
func TestMidstreamIsNeverParsed(t *testing.T) {
	c := newCap(t)
	c.tcp(tcpSeg{src: "8.8.8.8:1", dst: "1.0.0.25:25", seq: 777, ack: true,
		payload: "quoted transcript:\r\nhelo CANARYWORD\r\nMAIL FROM:<CANARYADDR@x.example>\r\ndata\r\nDate: CANARYDATE\r\nMessage-ID: <CANARYMSGID@x>\r\n\r\nbody\r\n.\r\n"})
	c.tcp(tcpSeg{src: "8.8.8.8:2", dst: "1.0.0.80:80", seq: 888, ack: true,
		payload: "GET /CANARYPATH HTTP/1.1\r\nHost: canaryhost.example\r\nUser-Agent: CANARYUA\r\n\r\n"})
	r := run(t, c.reader(), criteriaJSON(allDirections, everything), runOpts{})
	if strings.Contains(strings.ToUpper(string(r.out)), "CANARY") {
		t.Errorf("body text from a stream joined midway reached the output:\n%s", r.out)
	}
	if n := len(r.byType("flow")); n != 2 || r.sum.StreamGiveUps != 2 {
		t.Errorf("%d flow records, %d streams given up; want 2 and 2", n, r.sum.StreamGiveUps)
	}
}

// TestSMTPEnvelope: the envelope is reported once even when the data never
// ends; an unparsable BDAT stops reading, so its chunk is never taken for
// commands; a new connection on a closed flow's ports is screened afresh.
func TestSMTPEnvelope(t *testing.T) {
	c := newCap(t)
	c.conn("8.8.8.8:1000", "1.0.0.25:25", "EHLO a.example\r\nMAIL FROM:<x@a.example>\r\nRCPT TO:<y@b.example>\r\nDATA\r\n",
		"From: x@a.example\r\n\r\nbody that never ends\r\n")
	c.conn("8.8.8.8:1001", "1.0.0.25:25", "EHLO b.example\r\nBDAT 000000000000000000012 LAST\r\nhelo CANARY\r\n")
	c.conn("8.8.8.8:1001", "1.0.0.25:25", "EHLO c.example\r\nQUIT\r\n")
	r := run(t, c.reader(), criteriaJSON(allDirections, `{"id":"mx","addresses":["1.0.0.25"]}`), runOpts{})
	var from, helos []string
	for _, s := range r.byType("smtp") {
		if m, ok := s["mail_from"].(string); ok {
			from = append(from, m)
		}
		if h, ok := s["helo"].(string); ok {
			helos = append(helos, h)
		}
	}
	if len(from) != 1 || !strings.HasSuffix(from[0], "@a.example") {
		t.Errorf("mail_from reported %v; want once, @a.example", from)
	}
	if strings.Contains(string(r.out), "CANARY") {
		t.Errorf("a BDAT chunk was read as commands:\n%s", r.out)
	}
	if !slices.Contains(helos, "c.example") || len(r.byType("flow")) != 3 {
		t.Errorf("helos %v, %d flows; want c.example's connection as a third flow", helos, len(r.byType("flow")))
	}
}

// TestGiantFrame: a frame bigger than a batch's arena (an IPv4 total length
// of 0 from segmentation offload, 2 MiB captured) is screened like any other
// when workers share the load.
func TestGiantFrame(t *testing.T) {
	var buf bytes.Buffer
	w, err := capture.NewWriter(&buf, packet.LinkRaw, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, 20+20+2<<20)
	frame[0], frame[8], frame[9] = 0x45, 64, 6 // IPv4, TTL, TCP; total length 0
	copy(frame[12:], []byte{8, 8, 8, 8, 1, 0, 0, 1})
	frame[20+12] = 5 << 4 // TCP data offset
	for i := range 3 {
		if err := w.WritePacket(int64(i+1)*1e9, frame, len(frame)); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	r := run(t, &buf, criteriaJSON(allDirections, everything), runOpts{workers: 2})
	if got := r.sum.Total.Seen.Packets; got != 3 {
		t.Errorf("seen %d packets, want 3", got)
	}
	checkBalance(t, r.sum)
}
