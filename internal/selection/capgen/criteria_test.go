package capgen_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/extract"
)

func writeCriteria(t testing.TB, cfg capgen.CriteriaConfig) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := capgen.WriteCriteria(&buf, cfg); err != nil {
		t.Fatalf("WriteCriteria(%+v): %v", cfg, err)
	}
	return buf.Bytes()
}

// The criteria files parse and compile, with exactly the matchers asked for.
func TestWriteCriteria(t *testing.T) {
	for _, c := range []struct {
		name     string
		matchers int
		wantID   string
	}{
		{"fixed rules only", capgen.FixedMatchers(), ""},
		{"default (10k)", 0, "bench-10000"},
		{"100k", 100_000, "bench-100000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.matchers == 100_000 && testing.Short() {
				t.Skip("100k matchers")
			}
			cfg := capgen.CriteriaConfig{Matchers: c.matchers, Seed: 1}
			data := writeCriteria(t, cfg)
			if again := writeCriteria(t, cfg); !bytes.Equal(data, again) {
				t.Fatal("two runs differ")
			}
			s, err := criteria.Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := c.matchers
			if want == 0 {
				want = 10_000
			}
			if s.Matchers() != want {
				t.Errorf("Matchers() = %d, want %d", s.Matchers(), want)
			}
			if c.wantID != "" && s.ID != c.wantID {
				t.Errorf("ID = %q, want %q", s.ID, c.wantID)
			}
			if err := s.CheckValidity(capgen.DefaultStart()); err != nil {
				t.Errorf("CheckValidity(DefaultStart): %v", err)
			}
			if d := s.DirectionSet(); d.Len() != 3 || d.Has(direction.DomesticDomestic) {
				t.Errorf("directions %v, want the three other than domestic-domestic", d)
			}
			m, err := criteria.Compile(s)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if m.Count() != want {
				t.Errorf("Count() = %d, want %d", m.Count(), want)
			}
		})
	}
	var buf bytes.Buffer
	err := capgen.WriteCriteria(&buf, capgen.CriteriaConfig{Matchers: 3})
	if err == nil || !strings.Contains(err.Error(), "want at least") {
		t.Errorf("3 matchers: got error %v, want one saying the fixed rules need more", err)
	}
}

// appInfo returns the domain names and the request or command lines an
// engine would match in a flow read back from a capture.
func appInfo(f *traceFlow) (names, lines [][]byte) {
	port := f.key.dst.Port()
	switch {
	case f.key.proto == 6 && port == 80:
		for b := f.stream[0]; len(b) > 0; {
			var r extract.Request
			n, err := extract.ParseRequest(b, &r)
			if err != nil {
				break
			}
			names = append(names, r.Host)
			lines = append(lines, r.Line)
			b = b[n:]
			b = b[min(int(r.BodyLength), len(b)):]
		}
	case f.key.proto == 6 && port == 443:
		var h extract.ClientHello
		if extract.ParseClientHello(f.stream[0], &h) == nil {
			names = append(names, h.SNI)
		}
	case port == 53:
		for _, d := range f.datagrams {
			var msg extract.DNSMessage
			if extract.ParseDNS(d, &msg) == nil {
				names = append(names, bytes.Clone(msg.QName()))
			}
		}
		for b := f.stream[0]; len(b) > 0; {
			var msg extract.DNSMessage
			n, err := extract.ParseDNSTCP(b, &msg)
			if err != nil {
				break
			}
			names = append(names, bytes.Clone(msg.QName()))
			b = b[n:]
		}
	case f.key.proto == 6 && port == 25:
		for b := f.stream[0]; len(b) > 0; {
			i := bytes.Index(b, []byte("\r\n"))
			if i < 0 {
				break
			}
			var c extract.Command
			if extract.ParseCommand(b[:i+2], &c) == nil && c.Domain != nil {
				names = append(names, c.Domain)
			}
			lines = append(lines, b[:i])
			if c.Verb == extract.VerbDATA {
				break
			}
			b = b[i+2:]
		}
	}
	return names, lines
}

// matches reports whether the compiled criteria select a flow: its
// direction is in scope and a rule matches its tuple, a name or a line.
func matches(set *criteria.Set, m *criteria.Matcher, tab *direction.Table, f *traceFlow) bool {
	src, dst := f.key.src, f.key.dst
	if !set.DirectionSet().Has(tab.Classify(src.Addr(), dst.Addr())) {
		return false
	}
	tu := criteria.Tuple{Src: src.Addr(), Dst: dst.Addr(), Proto: f.key.proto, SrcPort: src.Port(), DstPort: dst.Port()}
	if _, ok := m.MatchTuple(&tu); ok {
		return true
	}
	domains, commands := m.WantsApp(&tu)
	if !domains && !commands {
		return false
	}
	names, lines := appInfo(f)
	for _, n := range names {
		if _, ok := m.MatchDomain(&tu, n); domains && ok {
			return true
		}
	}
	for _, l := range lines {
		if _, ok := m.MatchCommand(&tu, l); commands && ok {
			return true
		}
	}
	return false
}

// The flows that the criteria select, as the criteria package and the
// extractors find them in the capture, agree with the manifest's counts,
// for the whole set and for each fixed rule alone. The manifest counts
// complete flows; the capture also holds flows cut off at its end.
func TestWriteCriteriaMatching(t *testing.T) {
	data, man := generate(t, capgen.Config{Packets: 60_000, Seed: 6})
	tr := readTrace(t, data)
	var del bytes.Buffer
	if err := capgen.WriteDelegated(&del); err != nil {
		t.Fatal(err)
	}
	b := direction.NewBuilder()
	if err := b.AddDelegated(&del, "delegated"); err != nil {
		t.Fatal(err)
	}
	tab := b.Build()

	full := writeCriteria(t, capgen.CriteriaConfig{Matchers: 10_000, Seed: 2})
	var file map[string]json.RawMessage
	if err := json.Unmarshal(full, &file); err != nil {
		t.Fatal(err)
	}
	var rules []json.RawMessage
	if err := json.Unmarshal(file["rules"], &rules); err != nil {
		t.Fatal(err)
	}
	count := func(t *testing.T, data []byte) int64 {
		set, err := criteria.Parse(data)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		m, err := criteria.Compile(set)
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		var n int64
		for _, f := range tr.flows {
			if matches(set, m, tab, f) {
				n++
			}
		}
		return n
	}
	check := func(t *testing.T, got, want int64) {
		t.Helper()
		t.Logf("criteria select %d flows; manifest: %d complete, %d cut off in all", got, want, man.Truncated)
		if want == 0 {
			t.Errorf("manifest counts no matching flow")
		}
		if got < want || got > want+man.Truncated {
			t.Errorf("criteria select %d flows in the capture, want %d complete ones plus at most %d cut off", got, want, man.Truncated)
		}
	}
	t.Run("all rules", func(t *testing.T) {
		check(t, count(t, full), man.MatchingFlows)
	})
	for i, id := range []string{"watch-http-servers", "watch-smtp-servers", "watch-resolvers", "watch-sni-suffix", "watch-names-exact", "watch-gate-post"} {
		t.Run(id, func(t *testing.T) {
			var r struct{ ID string }
			if err := json.Unmarshal(rules[i], &r); err != nil || r.ID != id {
				t.Fatalf("rule %d is %q (%v), want %q", i, r.ID, err, id)
			}
			one := map[string]json.RawMessage{}
			for k, v := range file {
				one[k] = v
			}
			one["rules"], _ = json.Marshal([]json.RawMessage{rules[i]})
			data, err := json.Marshal(one)
			if err != nil {
				t.Fatal(err)
			}
			check(t, count(t, data), man.Matching[id])
		})
	}
}
