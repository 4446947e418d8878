package blocklist_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/stix/stixtest"
	"github.com/acd-platform/acd/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden feeds in testdata")

// oasisSchemas is the local copy of the OASIS STIX 2.1 JSON schemas.
const oasisSchemas = "../../../shared/reference/stix2-json-schemas/schemas"

// mix fills the blocklist with one entry of each shape the feeds write:
// IPv4 /32 and /24, IPv6 /128 and /48, an ASCII and an IDN domain, one
// tied to a case, reasons with quotes and Japanese. It returns the
// entries in the order they were added.
func (e *env) mix(t *testing.T) []blocklist.Entry {
	t.Helper()
	e.cases.set("msr_demo1", "executing", blocklist.CaseTarget{Address: "198.51.100.7", Domain: "c2.example"})
	res, err := e.svc.AddCase(e.ctx, e.officer, "msr_demo1", `C2 server of "Operation Sakura" (measure case msr_demo1)`, t0.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := res.Added
	for i, in := range []blocklist.EntryInput{
		{Value: "203.0.113.0/24", Reason: "Malware download network; 配布元"},
		{Value: "2001:db8::1", Reason: "Phishing kit host"},
		{Value: "2001:db8:abcd::/48", Reason: "Bulletproof hosting range"},
		{Value: "ダウンロード.example", Reason: "マルウェア配布サイト"},
	} {
		e.clock.Advance(time.Minute)
		ent, err := e.svc.Add(e.ctx, e.analyst, in)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		out = append(out, ent)
	}
	return out
}

func TestFeedsGolden(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db, blocklist.Config{AllowDocumentation: true})
	entries := e.mix(t)
	e.clock.Advance(time.Hour)
	for _, f := range blocklist.AllFormats() {
		t.Run(string(f), func(t *testing.T) {
			feed, err := e.svc.Preview(e.ctx, e.commander, f)
			if err != nil {
				t.Fatal(err)
			}
			name := map[blocklist.Format]string{blocklist.FormatRPZ: "feed.rpz", blocklist.FormatTXT: "feed.txt", blocklist.FormatSTIX: "feed.stix.json"}[f]
			golden(t, name, normalise(feed.Body, entries))
		})
	}
}

// normalise replaces the random entry ids, and the indicator and bundle
// ids derived from them, with fixed ones so that feeds can be compared
// with golden files.
func normalise(body []byte, entries []blocklist.Entry) []byte {
	s := string(body)
	for i, ent := range entries {
		s = strings.ReplaceAll(s, blocklist.IndicatorID(ent.ID), fmt.Sprintf("indicator--00000000-0000-5000-8000-%012d", i+1))
		s = strings.ReplaceAll(s, ent.ID, fmt.Sprintf("blk_%d", i+1))
	}
	return regexp.MustCompile(`bundle--[0-9a-f-]{36}`).ReplaceAll([]byte(s), []byte("bundle--00000000-0000-5000-8000-000000000000"))
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestRPZNamedCheckzone(t *testing.T) {
	checker, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Skip("named-checkzone not found: install Debian package bind9-utils to check the RPZ zone with BIND (CI does)")
	}
	each(t, func(t *testing.T, e *env) {
		check := func(t *testing.T, body []byte) {
			t.Helper()
			path := filepath.Join(t.TempDir(), "acd.rpz")
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(e.ctx, checker, "-k", "fail", "-n", "fail", "-i", "full", "rpz.acd.invalid", path).CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("OK")) {
				t.Fatalf("named-checkzone: %v\n%s\nzone:\n%s", err, out, body)
			}
		}
		empty, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatRPZ)
		if err != nil {
			t.Fatal(err)
		}
		check(t, empty.Body)
		e.mix(t)
		feed, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatRPZ)
		if err != nil {
			t.Fatal(err)
		}
		check(t, feed.Body)
		for _, want := range []string{
			"32.7.100.51.198.rpz-ip CNAME .", "24.0.113.0.203.rpz-ip CNAME .", "128.1.zz.db8.2001.rpz-ip CNAME .",
			"48.zz.abcd.db8.2001.rpz-ip CNAME .", "c2.example CNAME .", "*.c2.example CNAME .", "xn--gck8b2a7k3a9c.example CNAME .",
			fmt.Sprintf("@ SOA localhost. hostmaster.rpz.acd.invalid. %d ", feed.LastModified.Unix()),
		} {
			if !bytes.Contains(feed.Body, []byte(want)) {
				t.Errorf("zone lacks %q:\n%s", want, feed.Body)
			}
		}
	})
}

func TestSTIXFeedValid(t *testing.T) {
	schemas := stixtest.Open(t, oasisSchemas)
	each(t, func(t *testing.T, e *env) {
		check := func(t *testing.T, body []byte) *stix.Bundle {
			t.Helper()
			if err := schemas.Bundle(body); err != nil {
				t.Fatalf("OASIS schemas: %v\n%s", err, body)
			}
			b, err := stix.ParseBundle(body)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		empty, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatSTIX)
		if err != nil {
			t.Fatal(err)
		}
		check(t, empty.Body)
		entries := e.mix(t)
		feed, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatSTIX)
		if err != nil {
			t.Fatal(err)
		}
		b := check(t, feed.Body)
		if len(b.Objects) != 2+len(entries) {
			t.Fatalf("got %d objects, want identity, marking and %d indicators", len(b.Objects), len(entries))
		}
		if m, ok := b.Objects[1].(*stix.MarkingDefinition); !ok || m.ID != stix.TLPGreen {
			t.Errorf("second object is %T %s, want the TLP:GREEN marking", b.Objects[1], b.Objects[1].ObjectID())
		}
		patterns := map[string]*stix.Indicator{}
		for _, o := range b.Objects[2:] {
			ind := o.(*stix.Indicator)
			patterns[ind.Pattern] = ind
		}
		c2 := patterns["[ipv4-addr:value = '198.51.100.7']"]
		if c2 == nil {
			t.Fatalf("no indicator for 198.51.100.7 among %v", patterns)
		}
		ent := entries[0]
		want := []stix.ExternalReference{{SourceName: "acd-blocklist", ExternalID: ent.ID}, {SourceName: "acd-measure-case", ExternalID: "msr_demo1"}}
		if c2.ID != blocklist.IndicatorID(ent.ID) || !c2.ValidFrom.Equal(ent.AddedAt) || !c2.ValidUntil.Equal(ent.ExpiresAt) ||
			c2.Description != ent.Reason || !cmp.Equal(c2.IndicatorTypes, []string{"malicious-activity"}) || !cmp.Equal(c2.ExternalReferences, want) ||
			!cmp.Equal(c2.ObjectMarkingRefs, []string{stix.TLPGreen}) {
			t.Errorf("indicator of %s: %+v", ent.ID, c2)
		}
		for _, p := range []string{"[ipv4-addr:value = '203.0.113.0/24']", "[ipv6-addr:value = '2001:db8::1']", "[ipv6-addr:value = '2001:db8:abcd::/48']",
			"[domain-name:value = 'c2.example']", "[domain-name:value = 'xn--gck8b2a7k3a9c.example']"} {
			if patterns[p] == nil {
				t.Errorf("no indicator with pattern %s", p)
			}
		}
	})
}

func TestSTIXFeedTLP(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), blocklist.Config{AllowDocumentation: true, TLP: "amber"})
	e.add(t, e.analyst, "198.51.100.7")
	feed, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatSTIX)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(feed.Body, []byte(stix.TLPAmber)) || bytes.Contains(feed.Body, []byte(stix.TLPGreen)) {
		t.Errorf("bundle is not marked TLP:AMBER alone:\n%s", feed.Body)
	}
}

func TestTXTFeed(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), blocklist.Config{AllowDocumentation: true})
	entries := e.mix(t)
	feed, err := e.svc.Preview(e.ctx, e.analyst, blocklist.FormatTXT)
	if err != nil {
		t.Fatal(err)
	}
	var nets []string
	for _, l := range strings.Split(strings.TrimSpace(string(feed.Body)), "\n") {
		if !strings.HasPrefix(l, "#") {
			nets = append(nets, l)
		}
	}
	if diff := cmp.Diff([]string{"198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:abcd::/48"}, nets); diff != "" {
		t.Errorf("networks (-want +got):\n%s", diff)
	}
	if feed.Entries != 4 || feed.ContentType != blocklist.ContentTypeTXT {
		t.Errorf("got %d entries, %s; want 4, %s", feed.Entries, feed.ContentType, blocklist.ContentTypeTXT)
	}
	wantComment := fmt.Sprintf(`# %s reason="C2 server of \"Operation Sakura\" (measure case msr_demo1)" case=msr_demo1 added=2026-04-01T00:00:00Z expires=2026-05-01T00:00:00Z`, entries[0].ID)
	if !strings.Contains(string(feed.Body), wantComment+"\n198.51.100.7/32\n") {
		t.Errorf("feed lacks %q before its network:\n%s", wantComment, feed.Body)
	}
}

// TestFeedChanges checks that a feed's bytes, ETag and LastModified
// depend on the blocklist's state alone, and change with every addition,
// removal and expiry.
func TestFeedChanges(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		preview := func(t *testing.T, f blocklist.Format) blocklist.Feed {
			t.Helper()
			feed, err := e.svc.Preview(e.ctx, e.analyst, f)
			if err != nil {
				t.Fatal(err)
			}
			sum := fmt.Sprintf("%x", sha256.Sum256(feed.Body))
			if feed.ETag != `"`+sum+`"` {
				t.Errorf("ETag %s is not the quoted SHA-256 %s of the body", feed.ETag, sum)
			}
			return feed
		}
		empty := preview(t, blocklist.FormatRPZ)
		if !empty.LastModified.Equal(time.Unix(0, 0)) || empty.Entries != 0 {
			t.Errorf("empty blocklist: last modified %s, %d entries; want the epoch and none", empty.LastModified, empty.Entries)
		}

		short, err := e.svc.Add(e.ctx, e.analyst, blocklist.EntryInput{Value: "198.51.100.9", Reason: "short-lived", ExpiresAt: t0.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * time.Minute)
		long := e.add(t, e.analyst, "c2.example")
		state := map[blocklist.Format]blocklist.Feed{}
		for _, f := range blocklist.AllFormats() {
			state[f] = preview(t, f)
			if !state[f].LastModified.Equal(long.AddedAt) {
				t.Errorf("%s: last modified %s, want the last addition %s", f, state[f].LastModified, long.AddedAt)
			}
		}

		// Time passing without a change changes nothing.
		e.clock.Advance(30 * time.Minute)
		for _, f := range blocklist.AllFormats() {
			again := preview(t, f)
			if !bytes.Equal(again.Body, state[f].Body) || again.ETag != state[f].ETag || !again.LastModified.Equal(state[f].LastModified) {
				t.Errorf("%s changed with no change to the blocklist:\n%s\n---\n%s", f, state[f].Body, again.Body)
			}
		}

		step := func(what string, wantLastModified time.Time) {
			t.Helper()
			for _, f := range blocklist.AllFormats() {
				next := preview(t, f)
				if next.ETag == state[f].ETag {
					t.Errorf("%s: %s did not change the ETag", f, what)
				}
				if !next.LastModified.Equal(wantLastModified) {
					t.Errorf("%s after %s: last modified %s, want %s", f, what, next.LastModified, wantLastModified)
				}
				state[f] = next
			}
		}
		// An expiry is a change once it has passed.
		e.clock.Set(short.ExpiresAt.Add(time.Second))
		step("expiry", short.ExpiresAt)
		// So is a removal.
		e.clock.Advance(time.Minute)
		removed, err := e.svc.Remove(e.ctx, e.analyst, long.ID, "taken down")
		if err != nil {
			t.Fatal(err)
		}
		step("domain removed", removed.RemovedAt)
		if state[blocklist.FormatRPZ].Entries != 0 {
			t.Errorf("got %d entries after expiry and removal, want none", state[blocklist.FormatRPZ].Entries)
		}
	})
}

func TestFeedAccess(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tok, _, err := e.svc.CreateSubscriber(e.ctx, e.analyst, blocklist.SubscriberInput{Name: "Resolver ISP", Contact: "dns@isp.example.jp", Formats: []blocklist.Format{blocklist.FormatRPZ}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.ResolveFeedToken(e.ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		e.add(t, e.analyst, "c2.example")
		feed, err := e.svc.Feed(e.ctx, p, blocklist.FormatRPZ)
		if err != nil {
			t.Fatal(err)
		}
		prev, err := e.svc.Preview(e.ctx, e.officer, blocklist.FormatRPZ)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(feed.Body, prev.Body) || feed.ETag != prev.ETag {
			t.Error("the preview differs from the subscriber's feed")
		}
		_, err = e.svc.Feed(e.ctx, p, blocklist.FormatSTIX)
		wantErr(t, err, blocklist.ErrForbidden, "may pull rpz, not stix")
		_, err = e.svc.Feed(e.ctx, p, "csv")
		wantField(t, err, "format")
		// Users pull no feed; subscribers preview nothing.
		_, err = e.svc.Feed(e.ctx, e.analyst, blocklist.FormatRPZ)
		wantErr(t, err, blocklist.ErrForbidden, "")
		_, err = e.svc.Preview(e.ctx, p, blocklist.FormatRPZ)
		wantErr(t, err, blocklist.ErrForbidden, "")
		_, err = e.svc.Preview(e.ctx, e.operator, blocklist.FormatRPZ)
		wantErr(t, err, blocklist.ErrForbidden, "")
		// A principal naming a subscriber that does not exist.
		_, err = e.svc.Feed(e.ctx, &auth.Principal{Subscriber: "sub_ghost", Via: auth.ViaToken}, blocklist.FormatRPZ)
		if !errors.Is(err, blocklist.ErrForbidden) {
			t.Errorf("unknown subscriber: got %v, want ErrForbidden", err)
		}
	})
}
