package taxii_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/taxii"
)

var benchObjects = flag.Int("taxii.objects", 20000, "objects BenchmarkPage loads first (bench/taxii loads a million)")

// benchIndicator returns the i-th generated indicator, TLP:CLEAR.
func benchIndicator(i int) json.RawMessage {
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	ts := stix.FormatTime(t0)
	return json.RawMessage(`{"type":"indicator","spec_version":"2.1","id":"` + stix.NewID("indicator") + `","created":"` + ts + `","modified":"` + ts +
		`","name":"C2 server ` + ip + `","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '` + ip +
		`']","pattern_type":"stix","valid_from":"` + ts + `","object_marking_refs":["` + stix.TLPClear + `"]}`)
}

// BenchmarkPage serves 1,000-object pages of a public collection of
// -taxii.objects objects on SQLite, as a council member: the first page,
// and one in the middle (through added_after). The target is
// under 100 ms a page over HTTP with a million objects; bench/taxii
// measures that.
func BenchmarkPage(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b))
	var mid time.Time
	for done := 0; done < *benchObjects; {
		n := min(10000, *benchObjects-done)
		objs := make([]json.RawMessage, n)
		for i := range objs {
			objs[i] = benchIndicator(done + i)
		}
		if _, err := f.svc.Add(f.p.Ctx, f.an, taxii.Public, objs); err != nil {
			b.Fatal(err)
		}
		done += n
		if done <= *benchObjects/2 {
			mid = f.p.Clock.Now()
		}
		f.p.Clock.Advance(time.Second)
	}
	for _, bc := range []struct {
		name string
		q    taxii.Query
	}{
		{"first", taxii.Query{Limit: 1000}},
		{"middle", taxii.Query{Limit: 1000, AddedAfter: mid}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				pg, err := f.svc.Objects(f.p.Ctx, f.a, taxii.Public, bc.q)
				if err != nil {
					b.Fatal(err)
				}
				if want := min(1000, *benchObjects); len(pg.Entries) != want && bc.name == "first" {
					b.Fatalf("%d objects, want %d", len(pg.Entries), want)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/page")
		})
	}
}

// BenchmarkAdd adds envelopes of 1,000 new objects to the council GREEN
// collection as a member, each checked and stored in one transaction, on
// SQLite (synchronous=FULL). The target is 1,000 objects/s.
func BenchmarkAdd(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b))
	n := 0
	for b.Loop() {
		objs := make([]json.RawMessage, 1000)
		for i := range objs {
			objs[i] = benchIndicator(n)
			n++
		}
		st, err := f.svc.Add(f.p.Ctx, f.a, taxii.CouncilGreen, objs)
		if err != nil || st.FailureCount > 0 {
			b.Fatalf("add: %v %+v", err, st)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}
