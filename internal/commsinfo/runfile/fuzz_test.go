package runfile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/commsinfo/runfile"
)

var critSHA = strings.Repeat("ab", 32)

// body returns a run of records whose summary states the right hash.
func body(approval string, records ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"run","schema":"acd.selection.output/v1","criteria":{"id":"c","version":1,"sha256":%q,"approval":%q},"input":"x","started":"2026-11-02T00:00:00Z"}`+"\n", critSHA, approval)
	for _, r := range records {
		b.WriteString(r + "\n")
	}
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, `{"type":"summary","schema":"acd.selection.output/v1","criteria":{"sha256":%q},"started":"2026-11-02T00:00:00Z","finished":"2026-11-02T00:01:00Z","total":{"seen":{"packets":5,"bytes":500}},"output_bytes":%d,"output_sha256":%q}`+"\n",
		critSHA, b.Len(), hex.EncodeToString(sum[:]))
	return b.Bytes()
}

const (
	flow = `{"type":"flow","flow":1,"first":"2026-11-02T00:00:00Z","last":"2026-11-02T00:00:01Z","proto":"tcp","client":"8.0.0.1","server":"8.8.1.1","client_port":50000,"server_port":443,"direction":"foreign-foreign","rule":"r","tls":{"sni":"Login.Bad.Example"},"final":true}`
	http = `{"type":"http","flow":1,"time":"2026-11-02T00:00:00.5Z","method":"GET","path":"/a?b","version":"HTTP/1.1","host":"www.example:8080","user_agent":"curl"}`
	dns  = `{"type":"dns","flow":2,"time":"2026-11-02T00:00:02Z","id":1,"response":true,"qname":"c2.example.","qtype":1,"rcode":0,"answers":["8.8.8.8"]}`
	xf   = `{"type":"exported_flow","flow":3,"first":"2026-11-02T00:00:00Z","last":"2026-11-02T00:00:09Z","proto":"udp","src":"2a00::1","dst":"2a00::2","src_port":53,"dst_port":5353,"direction":"foreign-foreign","rule":"r","packets":3,"bytes":300}`
)

func TestScan(t *testing.T) {
	var got []string
	res, err := runfile.Scan(bytes.NewReader(body("apv_1", http, flow, dns, xf)), 4096, nil, func(r *runfile.Record) error {
		got = append(got, fmt.Sprintf("%s %s %s %d %d %s", r.Type, r.Src, r.Dst, r.SrcPort, r.DstPort, r.Domain))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"http invalid IP invalid IP -1 -1 www.example",
		"flow 8.0.0.1 8.8.1.1 50000 443 login.bad.example",
		"dns invalid IP invalid IP -1 -1 c2.example",
		"exported_flow 2a00::1 2a00::2 53 5353 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\ngot  %q\nwant %q", got, want)
	}
	if !res.HashOK() || res.Records != 4 || res.Approval != "apv_1" || res.Directions["foreign-foreign"] != 2 {
		t.Errorf("result: got %+v", res)
	}
}

// FuzzScan feeds any bytes to the parser. It must never panic; it either
// rejects the body with an *Error or returns the SHA-256 and size of
// exactly the bytes before the last line, which is a summary.
func FuzzScan(f *testing.F) {
	// A well-formed run of every record shape.
	f.Add(body("", http, flow, dns, xf))
	// A run with no records, naming its approval.
	f.Add(body("apv_1"))
	// Truncated: the header only.
	f.Add(body("")[:bytes.IndexByte(body(""), '\n')+1])
	// A summary and then more.
	f.Add(append(body("", flow), "{}\n"...))
	// An exported flow with a port out of range.
	f.Add(body("", strings.Replace(xf, "5353", "70000", 1)))
	// A record of unknown type.
	f.Add(body("", `{"type":"payload","flow":1}`))
	// Not JSON at all.
	f.Add([]byte("\x00\xff\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := runfile.Scan(bytes.NewReader(b), 4096, nil, func(r *runfile.Record) error {
			if !runfile.KnownType(r.Type) || r.Time.IsZero() || !bytes.Contains(b, r.Line) {
				t.Fatalf("record %+v", r)
			}
			return nil
		})
		if err != nil {
			if _, ok := errors.AsType[*runfile.Error](err); !ok {
				t.Fatalf("got %v (%T), want an *Error", err, err)
			}
			return
		}
		n := res.Bytes
		if n <= 0 || n > int64(len(b)) || b[n-1] != '\n' {
			t.Fatalf("hashed %d of %d bytes, not whole lines", n, len(b))
		}
		sum := sha256.Sum256(b[:n])
		if res.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("sha %s is not that of the first %d bytes", res.SHA256, n)
		}
		if got := int64(bytes.Count(b[:n], []byte("\n"))) - 1; res.Records != got {
			t.Fatalf("records %d, want %d (lines between header and summary)", res.Records, got)
		}
		if rest := b[n:]; bytes.Count(rest, []byte("\n")) > 1 || string(bytes.TrimSuffix(rest, []byte("\n"))) != res.SummaryLine {
			t.Fatalf("after the hashed bytes: %q, want the summary line alone", rest)
		}
	})
}
