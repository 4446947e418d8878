package commsinfo_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestUploadEngineRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		body, sha := engineRun(t, 20000, "apv_engine")
		e.apr.set(commsinfo.ApprovalInfo{ID: "apv_engine", Basis: "ch6", CriteriaSHA256: sha})
		sensor := &auth.Principal{Sensor: "apv_engine", Via: auth.ViaToken}
		res, err := e.svc.Upload(e.ctx, sensor, "", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if !res.HashOK || res.ApprovalID != "apv_engine" || res.Records == 0 {
			t.Fatalf("got %+v, want hash_ok, approval apv_engine, records", res)
		}
		lines := bytes.Count(body, []byte("\n"))
		if got, want := res.Records, int64(lines-2); got != want {
			t.Errorf("records: got %d, want %d (every line but the header and summary)", got, want)
		}
		run, err := e.svc.Run(e.ctx, res.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Total.Seen.Packets == 0 || run.Total.Selected.Packets == 0 || run.Via != commsinfo.ViaSensor || run.UploadedBy != "sensor:apv_engine" {
			t.Errorf("run: got %+v", run)
		}
		if len(run.Directions) != 4 {
			t.Errorf("directions: got %d, want 4", len(run.Directions))
		}
		// Every HTTP event got its flow's addresses.
		pg, err := e.svc.Search(e.ctx, e.analyst, commsinfo.RecordQuery{Approval: "apv_engine", Type: commsinfo.TypeHTTP}, commsinfo.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Records) == 0 {
			t.Fatal("no http records")
		}
		for _, r := range pg.Records {
			if r.Src == "" || r.Dst == "" || r.Direction == "" {
				t.Fatalf("http record %s: got src %q dst %q direction %q, want its flow's", r.ID, r.Src, r.Dst, r.Direction)
			}
		}
		if got := e.countActions(t, "run.upload"); got != 1 {
			t.Errorf("run.upload entries: got %d, want 1", got)
		}
	})
}

func TestUploadTampered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		body := basicRun().build()
		// Change the client port of a flow: still valid JSON, another hash.
		tampered := bytes.Replace(body, []byte(`"client_port":50000`), []byte(`"client_port":50009`), 1)
		if bytes.Equal(body, tampered) {
			t.Fatal("nothing tampered")
		}
		res, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(tampered))
		if err != nil {
			t.Fatal(err)
		}
		if res.HashOK {
			t.Fatal("hash_ok: got true, want false")
		}
		if !hasKind(res.Anomalies, commsinfo.AnomalyHashMismatch) {
			t.Errorf("anomalies: got %+v, want hash_mismatch", res.Anomalies)
		}
		if got := e.count(t, "ci_records"); got != 5 {
			t.Errorf("stored records: got %d, want 5 (quarantined, not dropped)", got)
		}
		pg, err := e.svc.Search(e.ctx, e.analyst, commsinfo.RecordQuery{Run: res.RunID}, commsinfo.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Records) != 0 {
			t.Errorf("search: got %d quarantined records, want none", len(pg.Records))
		}
		run, err := e.svc.Run(e.ctx, res.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if run.HashOK || run.ReceivedSHA256 == run.OutputSHA256 {
			t.Errorf("run: hash_ok %v, received %s, stated %s", run.HashOK, run.ReceivedSHA256, run.OutputSHA256)
		}
		// Quarantined records cannot be provided either.
		_, err = e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
			Basis: commsinfo.BasisCooperation, Reference: "coop_x", Purpose: "p", RecordIDs: []string{res.RunID + ".1"}})
		var fe *commsinfo.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("provide quarantined: got %v, want a field error", err)
		}
	})
}

func TestUploadRejected(t *testing.T) {
	good := basicRun().build()
	lines := strings.SplitAfter(string(good), "\n")
	tests := []struct {
		name  string
		p     string // "sensor" or "analyst"
		apr   string // approval named by the analyst
		body  string
		inErr string
	}{
		// The summary line is missing: the upload broke off.
		{"truncated", "sensor", "", strings.Join(lines[:len(lines)-2], ""), "truncated"},
		// Broken off in the middle of a record.
		{"truncated mid-line", "sensor", "", string(good[:len(good)/2]), "truncated"},
		{"empty", "sensor", "", "", "empty body"},
		// The run applied another criteria set.
		{"wrong criteria", "sensor", "", string((runSpec{crit: strings.Repeat("cd", 32), seen: 1, records: basicRun().records}).build()), "not the criteria set"},
		// The header names another approval than the token's.
		{"wrong approval", "sensor", "", string((runSpec{approval: "apv_inout", seen: 1, records: basicRun().records}).build()), `names approval "apv_inout"`},
		// The sensor token names one approval, the path another.
		{"token for another approval", "sensor", "apv_inout", string(good), "bound to approval"},
		{"unknown type", "sensor", "", strings.Replace(string(good), `"type":"dns"`, `"type":"payload"`, 1), `unknown record type "payload"`},
		{"data after summary", "sensor", "", string(good) + "{}\n", "after the summary"},
		{"not json", "sensor", "", lines[0] + "hello\n" + strings.Join(lines[1:], ""), "line 2: invalid JSON"},
		{"second header", "sensor", "", lines[0] + lines[0] + strings.Join(lines[1:], ""), "second run header"},
		{"bad address", "sensor", "", strings.Replace(string(good), `"client":"8.0.0.1"`, `"client":"8.0.0.999"`, 1), "not an IP address"},
		{"empty line", "sensor", "", lines[0] + "\n" + strings.Join(lines[1:], ""), "empty line"},
		{"no header", "sensor", "", strings.Join(lines[1:], ""), "want \"run\""},
		// An analyst uploads a run of apv_transit under apv_agr, whose
		// criteria hash is the same but whose id is not the run's.
		{"analyst, approval named in run differs", "analyst", "apv_agr", string((runSpec{approval: "apv_transit", seen: 1}).build()), `names approval "apv_transit"`},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{cfg: commsinfo.Config{BatchSize: 2}})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := e.sensor
				if tt.p == "analyst" {
					p = e.analyst
				}
				_, err := e.svc.Upload(e.ctx, p, tt.apr, strings.NewReader(tt.body))
				if !errors.Is(err, commsinfo.ErrRejected) {
					t.Fatalf("got %v, want a rejection", err)
				}
				if !strings.Contains(err.Error(), tt.inErr) {
					t.Errorf("error %q: want it to contain %q", err, tt.inErr)
				}
				for _, table := range []string{"ci_runs", "ci_records", "ci_anomalies"} {
					if n := e.count(t, table); n != 0 {
						t.Errorf("%s: got %d rows, want none kept", table, n)
					}
				}
			})
		}
		if got := e.countActions(t, "run.upload"); got != 0 {
			t.Errorf("run.upload entries: got %d, want 0", got)
		}
		// A line longer than MaxLine.
		e2 := newEnv(t, storetest.SQLite(t), envOpts{cfg: commsinfo.Config{MaxLine: 512}})
		long := strings.Replace(string(good), "curl/8", strings.Repeat("x", 600), 1)
		if _, err := e2.svc.Upload(e.ctx, e.sensor, "", strings.NewReader(long)); !errors.Is(err, commsinfo.ErrRejected) || !strings.Contains(err.Error(), "longer than 512") {
			t.Errorf("long line: got %v", err)
		}
	})
}

func TestUploadOffline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		res, err := e.svc.Upload(e.ctx, e.analyst, "apv_transit", bytes.NewReader(basicRun().build()))
		if err != nil {
			t.Fatal(err)
		}
		run, err := e.svc.Run(e.ctx, res.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Via != commsinfo.ViaOffline || run.UploadedBy != "usr_analyst" {
			t.Errorf("run: via %q by %q", run.Via, run.UploadedBy)
		}
		if _, err := e.svc.Upload(e.ctx, e.analyst, "apv_nope", bytes.NewReader(basicRun().build())); !errors.Is(err, commsinfo.ErrNotFound) {
			t.Errorf("unknown approval: got %v, want not found", err)
		}
		if _, err := e.svc.Upload(e.ctx, nil, "apv_transit", bytes.NewReader(basicRun().build())); !errors.Is(err, commsinfo.ErrForbidden) {
			t.Errorf("public: got %v, want forbidden", err)
		}
	})
}

func hasKind(as []commsinfo.Anomaly, kind string) bool {
	for _, a := range as {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

func kinds(as []commsinfo.Anomaly) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Kind)
	}
	return out
}

func TestAnomalies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{})
		up := func(r runSpec) commsinfo.UploadResult {
			t.Helper()
			res, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(r.build()))
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// Within the window, no history: no anomaly.
		if res := up(runSpec{seen: 1000, selected: 10}); len(res.Anomalies) != 0 {
			t.Errorf("first run: got %v, want none", kinds(res.Anomalies))
		}
		// Started before the approval is valid.
		res := up(runSpec{started: t0.Add(-48 * time.Hour), seen: 1000, selected: 10})
		if !hasKind(res.Anomalies, commsinfo.AnomalyOutsideWindow) {
			t.Errorf("early run: got %v, want outside_window", kinds(res.Anomalies))
		}
		// Finished after it expired.
		res = up(runSpec{started: t0.Add(30*24*time.Hour - time.Minute), finished: t0.Add(31 * 24 * time.Hour), seen: 1000, selected: 10})
		if !hasKind(res.Anomalies, commsinfo.AnomalyOutsideWindow) {
			t.Errorf("late run: got %v, want outside_window", kinds(res.Anomalies))
		}
		// Three runs at 1% make a history; 2.5% is within 3×, 5% is not.
		if res := up(runSpec{seen: 1000, selected: 25}); hasKind(res.Anomalies, commsinfo.AnomalyRatio) {
			t.Errorf("2.5%%: got %v, want no ratio anomaly", kinds(res.Anomalies))
		}
		res = up(runSpec{seen: 1000, selected: 50})
		if !hasKind(res.Anomalies, commsinfo.AnomalyRatio) {
			t.Errorf("5%%: got %v, want selection_ratio", kinds(res.Anomalies))
		}
		// A record in a direction the approval does not cover.
		res = up(runSpec{seen: 10, selected: 1, records: []string{flowRec(1, t0, "8.0.0.1", "133.0.0.1", 1, 2, "foreign-domestic", "")}})
		if !hasKind(res.Anomalies, commsinfo.AnomalyDirection) {
			t.Errorf("direction: got %v, want direction_not_approved", kinds(res.Anomalies))
		}
		// A revoked approval.
		a, _ := e.apr.Approval(e.ctx, "apv_transit")
		a.Revoked = true
		e.apr.set(a)
		res = up(runSpec{seen: 1000, selected: 10})
		if !hasKind(res.Anomalies, commsinfo.AnomalyRevoked) {
			t.Errorf("revoked: got %v, want approval_revoked", kinds(res.Anomalies))
		}
		list, err := e.svc.Anomalies(e.ctx, commsinfo.AnomalyFilter{ApprovalID: "apv_transit"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 6 {
			t.Errorf("anomalies listed: got %d (%v), want 6", len(list), kinds(list))
		}
		byKind, err := e.svc.Anomalies(e.ctx, commsinfo.AnomalyFilter{Kind: commsinfo.AnomalyOutsideWindow})
		if err != nil {
			t.Fatal(err)
		}
		if len(byKind) != 2 {
			t.Errorf("outside_window: got %d, want 2", len(byKind))
		}
		days, err := e.svc.Totals(e.ctx, "apv_transit", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 3 {
			t.Fatalf("days: got %+v, want 3 days", days)
		}
		mid := days[1]
		if mid.Day != "2026-11-02" || mid.Runs != 5 || mid.Total.Seen.Packets != 4010 || mid.Total.Selected.Packets != 96 || mid.Records != 1 {
			t.Errorf("2026-11-02: got %+v", mid)
		}
	})
}

// TestLogsHoldNoContent: the service's log lines and the audit log's
// stored fields never carry record content (addresses, domains, paths).
func TestLogsHoldNoContent(t *testing.T) {
	var logs bytes.Buffer
	db := storetest.SQLite(t)
	e := newEnv(t, db, envOpts{cfg: commsinfo.Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}})
	res := e.upload(t, basicRun())
	tampered := bytes.Replace(basicRun().build(), []byte("8.9.9.9"), []byte("8.9.9.8"), 1)
	if _, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(tampered)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Search(e.ctx, e.analyst, commsinfo.RecordQuery{Domain: "evil.example"}, commsinfo.Page{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Provide(e.ctx, e.analyst, commsinfo.ProvisionRequest{RecipientOrgID: "org_npa", RecipientKind: commsinfo.RecipientAgencyCooperation,
		Basis: commsinfo.BasisCooperation, Purpose: "p", RecordIDs: []string{res.RunID + ".1"}}); !errors.Is(err, commsinfo.ErrRefused) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if _, err := e.svc.Purge(e.ctx, t0.Add(400*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	recs, err := e.log.Entries(e.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var audit strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&audit, "%s %s %s %s\n", r.Actor, r.Action, r.Resource, r.Digest)
	}
	for _, canary := range []string{"evil.example", "bad.example", "8.8.1.1", "8.9.9", "2a00::", "/x?id", "curl/8"} {
		if strings.Contains(logs.String(), canary) {
			t.Errorf("service log holds %q:\n%s", canary, logs.String())
		}
		if strings.Contains(audit.String(), canary) {
			t.Errorf("audit log holds %q", canary)
		}
	}
	if !strings.Contains(logs.String(), "run uploaded") {
		t.Errorf("log: %s", logs.String())
	}
}

// TestUploadConcurrent: uploads interleave their batches without mixing
// their records.
func TestUploadConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, envOpts{cfg: commsinfo.Config{BatchSize: 2}})
		const n = 4
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := e.svc.Upload(e.ctx, e.sensor, "", bytes.NewReader(basicRun().build()))
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		runs, err := e.svc.Runs(e.ctx, commsinfo.RunFilter{ApprovalID: "apv_transit"})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != n {
			t.Fatalf("runs: got %d, want %d", len(runs), n)
		}
		for _, r := range runs {
			pg, err := e.svc.Search(e.ctx, e.analyst, commsinfo.RecordQuery{Run: r.ID}, commsinfo.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Records) != 5 || !r.HashOK {
				t.Errorf("run %s: %d records, hash_ok %v", r.ID, len(pg.Records), r.HashOK)
			}
		}
	})
}
