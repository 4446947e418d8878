package selection_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// capturesDir holds small real captures, collected by Chris Sanders
// (github.com/chrissanders/packets), used with attribution.
const capturesDir = "../../../shared/captures"

func readCapture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, name))
	if os.IsNotExist(err) {
		t.Skipf("real captures not found at %s", capturesDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRealCaptures screens every shared capture with a set that selects
// everything: none has a malformed packet, and each yields its protocol's
// records.
func TestRealCaptures(t *testing.T) {
	want := map[string]string{
		"dns_query_response.pcapng":     "dns",
		"dns_tcp.pcapng":                "dns",
		"http_google.pcapng":            "http",
		"http_post.pcapng":              "http",
		"http_ip4and6.pcapng":           "http",
		"mail_sender_client_1.pcapng":   "smtp",
		"mail_sender_attachment.pcapng": "mail",
		"mail_receiver_server_3.pcapng": "flow",
		"ip_frag_source.pcapng":         "flow",
		"ipv6_fragments.pcapng":         "flow",
		"tcp_retransmissions.pcapng":    "flow",
		"synscan.pcapng":                "flow",
	}
	for name, typ := range want {
		t.Run(name, func(t *testing.T) {
			r := run(t, bytes.NewReader(readCapture(t, name)), criteriaJSON(allDirections, everything), runOpts{})
			if r.sum.Malformed.Packets != 0 {
				t.Errorf("%d malformed packets; log:\n%s", r.sum.Malformed.Packets, r.log)
			}
			if len(r.byType(typ)) == 0 {
				t.Errorf("no %s records", typ)
			}
			checkBalance(t, r.sum)
		})
	}
}

// TestRealMail: the real e-mail with an attachment gives its mechanical
// fields, and its subject, body, attachment name and bytes, display name and
// multipart boundary never appear.
func TestRealMail(t *testing.T) {
	r := run(t, bytes.NewReader(readCapture(t, "mail_sender_attachment.pcapng")), criteriaJSON(allDirections, everything), runOpts{})
	out := string(r.out)
	for _, content := range []string{
		"New Coworker",               // Subject
		"Chris Sanders", "Sanders <", // display name
		"motorcycle", "new guy", // body
		"newguy.jpg",               // attachment name
		"050407080301000500070000", // multipart boundary
		"ToPC2j7fEmnyXnw91c",       // attachment bytes (base64)
		"sanders@", "ppa@",         // clear addresses
		"Thunderbird", "format=flowed", // other header fields and parameters
	} {
		if strings.Contains(out, content) {
			t.Errorf("output contains %q", content)
		}
	}
	smtp := r.byType("smtp")
	mail := r.byType("mail")
	if len(smtp) == 0 || len(mail) != 1 {
		t.Fatalf("%d smtp and %d mail records; want some and 1", len(smtp), len(mail))
	}
	m := mail[0]
	for k, v := range map[string]string{
		"message_id": "56849222.4000609@skynet.local", "content_type": "multipart/mixed",
		"mime_version": "1.0", "date": "Wed, 30 Dec 2015 21:25:38 -0500",
	} {
		if m[k] != v {
			t.Errorf("mail %s = %v, want %q", k, m[k], v)
		}
	}
	from := pseudonymOf(t, r.key, "sanders@skynet.local")
	to := pseudonymOf(t, r.key, "ppa@skynet.local")
	if f, _ := m["from"].([]any); len(f) != 1 || f[0] != from {
		t.Errorf("mail from = %v, want [%s]", m["from"], from)
	}
	if f, _ := m["to"].([]any); len(f) != 1 || f[0] != to {
		t.Errorf("mail to = %v, want [%s]", m["to"], to)
	}
	s := smtp[0]
	if s["helo"] != "[172.16.16.225]" || s["mail_from"] != from {
		t.Errorf("smtp helo %v mail_from %v; want [172.16.16.225] and %s", s["helo"], s["mail_from"], from)
	}
}
