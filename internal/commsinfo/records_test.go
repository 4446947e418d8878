package commsinfo_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// upload stores r under the sensor's approval.
func (e *env) upload(t testing.TB, r runSpec) commsinfo.UploadResult {
	t.Helper()
	res, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(r.build()))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(rs []commsinfo.SelectedRecord) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		run := e.upload(t, basicRun()).RunID
		id := func(seq string) string { return run + "." + seq }
		tests := []struct {
			name string
			q    commsinfo.RecordQuery
			want []string
		}{
			// Everything, in time order: flow 1 (t0), its HTTP event (t0+1s),
			// flow 2 (t0+2s), its DNS event (t0+3s), flow 3 (t0+4s).
			{"all", commsinfo.RecordQuery{}, []string{id("2"), id("1"), id("4"), id("3"), id("5")}},
			// An address matches flows and the events of their flows.
			{"address", commsinfo.RecordQuery{Address: "8.8.1.1"}, []string{id("2"), id("1")}},
			{"cidr v4", commsinfo.RecordQuery{Address: "8.0.0.0/24"}, []string{id("2"), id("1"), id("5")}},
			{"cidr v6", commsinfo.RecordQuery{Address: "2a00::/64"}, []string{id("4"), id("3")}},
			{"port", commsinfo.RecordQuery{Port: 53}, []string{id("4"), id("3")}},
			// A domain matches itself and its subdomains; Host loses its port.
			{"domain", commsinfo.RecordQuery{Domain: "bad.example"}, []string{id("3"), id("5")}},
			{"domain exact", commsinfo.RecordQuery{Domain: "WWW.evil.example."}, []string{id("1")}},
			{"type", commsinfo.RecordQuery{Type: commsinfo.TypeFlow}, []string{id("2"), id("4"), id("5")}},
			{"time", commsinfo.RecordQuery{From: t0.Add(time.Second), To: t0.Add(3 * time.Second)}, []string{id("1"), id("4")}},
			{"approval", commsinfo.RecordQuery{Approval: "apv_inout"}, []string{}},
			{"direction", commsinfo.RecordQuery{Direction: "foreign-foreign", Port: 443}, []string{id("5")}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				pg, err := e.svc.Search(e.ctx, e.analyst, tt.q, commsinfo.Page{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, ids(pg.Records)); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
			})
		}
		if got := e.countActions(t, "selected.read"); got != len(tests) {
			t.Errorf("selected.read entries: got %d, want one per search (%d)", got, len(tests))
		}
		// Pages of two.
		var got []string
		pg := commsinfo.Page{Limit: 2}
		for range 5 {
			res, err := e.svc.Search(e.ctx, e.member, commsinfo.RecordQuery{}, pg)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(res.Records)...)
			if res.Next == "" {
				break
			}
			pg.Cursor = res.Next
		}
		if diff := cmp.Diff(tests[0].want, got); diff != "" {
			t.Errorf("paged (-want +got):\n%s", diff)
		}
		// The HTTP event carries its flow's endpoints and the record as received.
		res, err := e.svc.Search(e.ctx, e.analyst, commsinfo.RecordQuery{Type: commsinfo.TypeHTTP}, commsinfo.Page{})
		if err != nil {
			t.Fatal(err)
		}
		r := res.Records[0]
		if r.Src != "8.0.0.1" || r.Dst != "8.8.1.1" || *r.SrcPort != 50000 || *r.DstPort != 80 || r.Domain != "www.evil.example" || r.Direction != "foreign-foreign" {
			t.Errorf("http record: got %+v", r)
		}
		if want := httpRec(1, t0.Add(time.Second), "www.Evil.example:8080"); string(r.Record) != want {
			t.Errorf("record: got %s, want %s", r.Record, want)
		}
		for _, bad := range []commsinfo.RecordQuery{{Address: "8.0.0/8"}, {Port: 70000}, {Domain: "a b"}, {Type: "payload"}, {Direction: "domestic-domestic"}} {
			var fe *commsinfo.FieldError
			if _, err := e.svc.Search(e.ctx, e.analyst, bad, commsinfo.Page{}); !errors.As(err, &fe) {
				t.Errorf("query %+v: got %v, want a field error", bad, err)
			}
		}
	})
}

func TestRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{cfg: commsinfo.Config{DefaultRetention: 100 * 24 * time.Hour}})
		e.upload(t, basicRun())
		// The agreement's approval keeps its records 30 days.
		if _, err := e.svc.Upload(e.ctx, e.analyst, "apv_agr", bytes.NewReader((runSpec{seen: 10, selected: 1, records: []string{
			flowRec(1, t0, "8.0.0.1", "133.0.0.1", 1, 2, "foreign-domestic", ""),
		}}).build())); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.Purge(e.ctx, t0.Add(50*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("after 50 days: deleted %d, want 1 (the agreement's record)", n)
		}
		n, err = e.svc.Purge(e.ctx, t0.Add(101*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Errorf("after 101 days: deleted %d, want 5", n)
		}
		if got := e.count(t, "ci_records"); got != 0 {
			t.Errorf("records left: %d", got)
		}
		if got := e.countActions(t, "selected.purge"); got != 2 {
			t.Errorf("selected.purge entries: got %d, want 2", got)
		}
		ds, err := e.svc.Retention(e.ctx, "", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].ApprovalID != "apv_transit" || ds[0].Deleted != 5 || !ds[0].Cutoff.Equal(t0.Add(1*24*time.Hour)) {
			t.Errorf("retention: got %+v", ds)
		}
		// A stale pending upload is removed.
		if _, err := db.Exec(e.ctx, `INSERT INTO ci_runs (id, approval_id, state, via, uploaded_by, uploader_org, criteria_id, criteria_version,
criteria_sha256, input, started, finished, run_error, records, hash_ok, output_sha256, output_bytes, received_sha256, received_bytes,
seen_p, seen_b, in_scope_p, in_scope_b, selected_p, selected_b, deleted_p, deleted_b, summary, created_at, updated_at)
VALUES ('run_stale', 'apv_transit', 'pending', 'sensor', 'x', '', '', 0, '', '', '', '', '', 0, 0, '', 0, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, '', ?, ?)`,
			store.FormatTime(t0), store.FormatTime(t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Purge(e.ctx, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := e.count(t, "ci_runs WHERE state = 'pending'"); got != 1 {
			t.Errorf("fresh pending run: got %d, want kept", got)
		}
		if _, err := e.svc.Purge(e.ctx, t0.Add(7*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := e.count(t, "ci_runs WHERE state = 'pending'"); got != 0 {
			t.Errorf("stale pending run: got %d, want removed", got)
		}
		st, err := e.svc.Stats(e.ctx, t0.Add(-365*24*time.Hour), t0.Add(365*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.RetentionDeleted != 6 {
			t.Errorf("stats: retention deleted %d, want 6", st.RetentionDeleted)
		}
		if !slices.Contains(e.actions(t), "run.upload") {
			t.Error("no run.upload entries")
		}
	})
}
