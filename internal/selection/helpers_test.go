package selection_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/selection/pseudonym"
)

// result is one engine run.
type result struct {
	out     []byte
	log     string
	sum     *selection.Summary
	records []map[string]any
	key     *keys.Key
}

// byType returns the records of one type.
func (r *result) byType(typ string) []map[string]any {
	var rs []map[string]any
	for _, rec := range r.records {
		if rec["type"] == typ {
			rs = append(rs, rec)
		}
	}
	return rs
}

// options for a test run.
type runOpts struct {
	workers    int
	delegated  string // RIR delegated-statistics text
	overrides  string
	flowBuffer int
	maxFlows   int
	key        *keys.Key // default: a new key
}

// criteriaJSON writes a criteria set valid now, covering dirs, with rules
// given as JSON objects.
func criteriaJSON(dirs []string, rules ...string) []byte {
	ds, _ := json.Marshal(dirs)
	now := time.Now().UTC()
	return fmt.Appendf(nil, `{"schema":"acd.selection.criteria/v1","id":"test","version":1,"authority":"APR-TEST-1",
"directions":%s,"valid_from":%q,"valid_until":%q,"rules":[%s]}`,
		ds, now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339), strings.Join(rules, ","))
}

var allDirections = []string{"foreign-foreign", "foreign-domestic", "domestic-foreign"}

// everything is a rule that selects every flow in scope.
const everything = `{"id":"all","addresses":["0.0.0.0/0","::/0"]}`

// run screens the capture in pcap with crit and returns what came out.
func run(t testing.TB, pcap io.Reader, crit []byte, o runOpts) *result {
	t.Helper()
	set, err := criteria.Parse(crit)
	if err != nil {
		t.Fatal(err)
	}
	m, err := criteria.Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	b := direction.NewBuilder()
	if o.delegated != "" {
		if err := b.AddDelegated(strings.NewReader(o.delegated), "delegated"); err != nil {
			t.Fatal(err)
		}
	}
	if o.overrides != "" {
		if err := b.AddOverrides(strings.NewReader(o.overrides), "overrides"); err != nil {
			t.Fatal(err)
		}
	}
	key := o.key
	if key == nil {
		key = newKey(t)
	}
	var log bytes.Buffer
	e, err := selection.New(selection.Config{
		Criteria: set, Matcher: m, Domestic: b.Build(), PseudonymKey: key, Workers: o.workers,
		FlowBuffer: o.flowBuffer, MaxFlows: o.maxFlows,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := capture.NewReader(pcap)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := e.Run(context.Background(), r, "test", &out)
	if err != nil {
		t.Fatal(err)
	}
	res := &result{out: out.Bytes(), log: log.String(), sum: sum, key: key}
	sc := bufio.NewScanner(bytes.NewReader(res.out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		res.records = append(res.records, rec)
	}
	return res
}

// pseudonymOf is what the engine writes for an address under key.
func pseudonymOf(t testing.TB, key *keys.Key, addr string) string {
	t.Helper()
	p, err := pseudonym.New(key)
	if err != nil {
		t.Fatal(err)
	}
	local, domain, _ := strings.Cut(addr, "@")
	return string(p.AppendAddress(nil, []byte(local), []byte(domain)))
}

// checkBalance asserts the commission's figures add up.
func checkBalance(t testing.TB, s *selection.Summary) {
	t.Helper()
	for name, d := range s.Directions {
		if d.Seen != sum(d.Selected, d.Deleted) {
			t.Errorf("%s: seen %+v != selected %+v + deleted %+v", name, d.Seen, d.Selected, d.Deleted)
		}
		if d.Selected.Packets > d.InScope.Packets || d.InScope.Packets > d.Seen.Packets {
			t.Errorf("%s: selected %d ≤ in scope %d ≤ seen %d does not hold", name, d.Selected.Packets, d.InScope.Packets, d.Seen.Packets)
		}
	}
	if dd := s.Directions["domestic-domestic"]; dd.InScope.Packets != 0 || dd.Selected.Packets != 0 {
		t.Errorf("domestic-domestic: in scope %d, selected %d; want 0", dd.InScope.Packets, dd.Selected.Packets)
	}
}

func sum(a, b selection.Volume) selection.Volume {
	return selection.Volume{Packets: a.Packets + b.Packets, Bytes: a.Bytes + b.Bytes}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func newKey(t testing.TB) *keys.Key {
	t.Helper()
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ring.Current(keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
