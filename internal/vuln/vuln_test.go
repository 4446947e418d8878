package vuln_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

type env struct {
	ctx  context.Context
	p    *servicetest.Platform
	rep  *reporting.Service
	svc  *vuln.Service
	opA  auth.Org
	pA   *auth.Principal
	pB   *auth.Principal
	meti *auth.Principal
	mlit *auth.Principal
	nco  *auth.Principal
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	p := servicetest.New(t, db, t0)
	e := &env{ctx: p.Ctx, p: p}
	keys, err := idempotency.New(p.Ctx, db, p.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.rep, err = reporting.New(p.Ctx, reporting.Deps{DB: db, Log: p.Log, Auth: p.Auth, Policy: auth.NewPolicy(), Deadlines: p.Deadlines, Notifier: p.Notifier, Keys: keys},
		reporting.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = e.newService(t, db)
	e.opA = p.Org(t, auth.NewOrg{Name: "Kanto Power", Kind: auth.OrgOperator, Sectors: []string{"electricity"}})
	opB := p.Org(t, auth.NewOrg{Name: "Chuo Railway", Kind: auth.OrgOperator, Sectors: []string{"railways"}})
	meti := p.Org(t, auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity", "gas"}})
	mlit := p.Org(t, auth.NewOrg{Name: "MLIT", Kind: auth.OrgMinistry, Sectors: []string{"railways"}})
	nco := p.Org(t, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	pr := servicetest.Principal
	e.pA, e.pB = pr("usr_a", e.opA, auth.RoleOperator), pr("usr_b", opB, auth.RoleOperator)
	e.meti, e.mlit, e.nco = pr("usr_meti", meti, auth.RoleMinistry), pr("usr_mlit", mlit, auth.RoleMinistry), pr("usr_nco", nco, auth.RoleAnalyst)
	for _, o := range []auth.Org{e.opA, opB} {
		if _, err := e.rep.Designate(e.ctx, e.nco, o.ID, true, "designated for the test"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// newService builds a vulnerability service on db and registers it as the
// reporting service's asset observer.
func (e *env) newService(t *testing.T, db *store.DB) *vuln.Service {
	t.Helper()
	svc, err := vuln.New(e.ctx, vuln.Deps{DB: db, Log: e.p.Log, Notifier: e.p.Notifier}, vuln.Config{Now: e.p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.rep.SetAssetObserver(svc)
	return svc
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// cve5 returns a CVE JSON 5 record of id affecting vendor/product versions
// [from, before) with the given status.
func cve5(id, vendor, prod, from, before, status string) string {
	return `{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"` + id + `","state":"PUBLISHED","datePublished":"2026-03-01T00:00:00Z"},` +
		`"containers":{"cna":{"providerMetadata":{"orgId":"00000000-0000-4000-8000-000000000000"},"title":"` + id + ` in ` + prod + `",` +
		`"descriptions":[{"lang":"en","value":"A flaw."}],` +
		`"metrics":[{"cvssV3_1":{"version":"3.1","baseScore":9.8,"baseSeverity":"CRITICAL","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],` +
		`"affected":[{"vendor":"` + vendor + `","product":"` + prod + `","defaultStatus":"unaffected",` +
		`"versions":[{"version":"` + from + `","lessThan":"` + before + `","status":"` + status + `","versionType":"custom"}]}]}}}`
}

func asset(name, version string) reporting.AssetInput {
	return reporting.AssetInput{Name: name, Product: "Gate", Vendor: "Acme", Version: version, Role: reporting.RoleVPNGateway, Facility: "HQ", InternetFacing: true}
}

func TestImportMatchNoticeResolve(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2"))
		if err != nil {
			t.Fatal(err)
		}
		// A second operator's asset of another version, not affected.
		if _, err := e.rep.CreateAsset(e.ctx, e.pB, asset("rail-vpn", "2.0")); err != nil {
			t.Fatal(err)
		}
		stream := strings.Join([]string{
			cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"),
			cve5("CVE-2026-0002", "Acme", "Gate", "1.0", "1.5", "fixed"), // bad status
			cve5("CVE-2026-0003", "Other", "Thing", "0", "9", "affected"),
		}, "\n")
		res, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(stream))
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 3 || len(res.Imported) != 2 || res.RejectedCount != 1 {
			t.Fatalf("got %d records, %d imported, %d rejected, want 3, 2, 1: %+v", res.Records, len(res.Imported), res.RejectedCount, res)
		}
		rej := res.Rejected[0]
		if rej.Index != 1 || rej.ID != "CVE-2026-0002" || rej.Path != "containers.cna.affected[0].versions[0].status" {
			t.Errorf("got rejection %+v, want index 1, CVE-2026-0002, containers.cna.affected[0].versions[0].status", rej)
		}
		if res.Imported[0].ID != "CVE-2026-0001" || res.Imported[0].NewPairs != 1 {
			t.Errorf("got imported %+v, want CVE-2026-0001 with 1 new pair", res.Imported[0])
		}

		ms, err := e.svc.Matches(e.ctx, e.pA, vuln.MatchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].AssetID != a.ID || ms[0].VulnID != "CVE-2026-0001" || ms[0].AssetName != "hq-vpn-1" {
			t.Fatalf("got operator A matches %+v, want hq-vpn-1 × CVE-2026-0001", ms)
		}
		if ms, _ := e.svc.Matches(e.ctx, e.pB, vuln.MatchFilter{}); len(ms) != 0 {
			t.Errorf("got operator B matches %+v, want none", ms)
		}
		inbox, err := e.p.Notifier.Inbox(e.ctx, "usr_a", e.opA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !hasNotice(inbox, "§42", "hq-vpn-1 ("+a.ID+"): CVE-2026-0001") {
			t.Errorf("operator A's inbox has no §42 notice naming the asset: %+v", inbox)
		}

		// Views: METI sees its sector, MLIT nothing, the Cabinet Office
		// the nation, an operator no exposure view.
		if ex, err := e.svc.SectorExposure(e.ctx, e.meti, ""); err != nil || len(ex) != 1 || ex[0].Assets != 1 || ex[0].Operators != 1 || ex[0].Sector != "electricity" {
			t.Errorf("got METI exposure %+v, %v; want one row, electricity, 1 asset, 1 operator", ex, err)
		}
		if ex, err := e.svc.SectorExposure(e.ctx, e.mlit, ""); err != nil || len(ex) != 0 {
			t.Errorf("got MLIT exposure %+v, %v; want none", ex, err)
		}
		if _, err := e.svc.SectorExposure(e.ctx, e.mlit, "electricity"); err == nil {
			t.Error("MLIT read electricity's exposure")
		}
		if ex, err := e.svc.National(e.ctx, e.nco); err != nil || len(ex) != 1 || ex[0].VulnID != "CVE-2026-0001" || *ex[0].CVSS != 9.8 {
			t.Errorf("got national %+v, %v; want CVE-2026-0001 9.8", ex, err)
		}
		if _, err := e.svc.National(e.ctx, e.pA); err == nil {
			t.Error("an operator read the national view")
		}

		// The asset is updated out of the range: the pair is resolved.
		if _, err := e.rep.UpdateAsset(e.ctx, e.pA, a.ID, asset("hq-vpn-1", "1.5")); err != nil {
			t.Fatal(err)
		}
		if ms, _ := e.svc.Matches(e.ctx, e.pA, vuln.MatchFilter{}); len(ms) != 0 {
			t.Errorf("got open matches %+v after the update, want none", ms)
		}
		ms, _ = e.svc.Matches(e.ctx, e.pA, vuln.MatchFilter{IncludeResolved: true})
		if len(ms) != 1 || ms[0].ResolvedAt == nil {
			t.Errorf("got matches %+v, want the one pair resolved", ms)
		}
		// Back into the range: the pair reopens.
		if _, err := e.rep.UpdateAsset(e.ctx, e.pA, a.ID, asset("hq-vpn-1", "1.4.9")); err != nil {
			t.Fatal(err)
		}
		if ms, _ := e.svc.Matches(e.ctx, e.pA, vuln.MatchFilter{}); len(ms) != 1 {
			t.Errorf("got open matches %+v after going back to 1.4.9, want one", ms)
		}
		// Retired: resolved.
		if _, err := e.rep.RetireAsset(e.ctx, e.pA, a.ID, "replaced"); err != nil {
			t.Fatal(err)
		}
		if ms, _ := e.svc.Matches(e.ctx, e.nco, vuln.MatchFilter{}); len(ms) != 0 {
			t.Errorf("got open matches %+v after retirement, want none", ms)
		}
	})
}

func TestRestartKeepsMatches(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if _, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
			t.Fatal(err)
		}
		svc2 := e.newService(t, e.p.DB)
		ms, err := svc2.Matches(e.ctx, e.nco, vuln.MatchFilter{IncludeResolved: true})
		if err != nil || len(ms) != 1 || ms[0].ResolvedAt != nil {
			t.Fatalf("got %+v, %v after restart, want the one open pair", ms, err)
		}
		// The reloaded index still matches new records.
		res, err := svc2.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0009", "Acme", "Gate", "1.2", "1.3", "affected")))
		if err != nil || res.Imported[0].NewPairs != 1 {
			t.Fatalf("got %+v, %v; want one new pair", res, err)
		}
	})
}

// TestAnalystOutsideCabinetOffice: an analyst of another organisation (an
// agency's) holds the role but not the Cabinet Office's scope.
func TestAnalystOutsideCabinetOffice(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if _, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
			t.Fatal(err)
		}
		ags := e.p.Org(t, auth.NewOrg{Name: "Digital Agency", Kind: auth.OrgAgency})
		agsan := servicetest.Principal("usr_agsan", ags, auth.RoleAnalyst)
		if ms, err := e.svc.Matches(e.ctx, agsan, vuln.MatchFilter{}); err != nil || len(ms) != 0 {
			t.Errorf("an agency's analyst sees %d matches (%v), want none", len(ms), err)
		}
		if _, err := e.svc.National(e.ctx, agsan); err == nil {
			t.Error("an agency's analyst read the national view")
		}
		if _, err := e.svc.Import(e.ctx, agsan, strings.NewReader(cve5("CVE-2026-0002", "Acme", "Gate", "1.0", "1.5", "affected"))); err == nil {
			t.Error("an agency's analyst imported a record")
		}
		if _, err := e.svc.SetExploited(e.ctx, agsan, "CVE-2026-0001", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_1"},
			Date: "2026-03-20"}); err == nil {
			t.Error("an agency's analyst marked exploitation")
		}
		if ms, _ := e.svc.Matches(e.ctx, e.nco, vuln.MatchFilter{}); len(ms) != 1 {
			t.Errorf("the Cabinet Office sees %d matches, want 1", len(ms))
		}
	})
}

func TestImportRefusesNonJSON(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, err := e.svc.Import(e.ctx, e.nco, strings.NewReader("hello"))
		var fe *vuln.FieldError
		if err == nil || !asField(err, &fe) || fe.Field != "body" {
			t.Errorf("got %v, want a FieldError on body", err)
		}
	})
}

func TestExploited(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
			t.Fatal(err)
		}
		in := vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_abc"}, Note: "Seen at two operators.", Date: "2026-03-20"}
		if _, err := e.svc.SetExploited(e.ctx, e.pA, "CVE-2026-0001", in); err == nil {
			t.Error("an operator marked exploitation")
		}
		if _, err := e.svc.SetExploited(e.ctx, e.nco, "CVE-2099-0001", in); err == nil {
			t.Error("marked a vulnerability that does not exist")
		}
		if _, err := e.svc.SetExploited(e.ctx, e.nco, "CVE-2026-0001", in); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.Vulnerability(e.ctx, e.pA, "CVE-2026-0001")
		if err != nil {
			t.Fatal(err)
		}
		// The operator reads the mark with its evidence counted, not named.
		if !d.ExploitedInJapan || d.Exploited == nil || d.Exploited.Date != "2026-03-20" || d.Exploited.Reports != 1 ||
			d.Exploited.ReportIDs != nil || d.Exploited.Note != "" || d.Exploited.SetBy != "" {
			t.Errorf("operator's view: got %+v, %+v; want marked on 2026-03-20 with 1 report, no ids, note or author", d.Summary, d.Exploited)
		}
		if d, _ := e.svc.Vulnerability(e.ctx, e.nco, "CVE-2026-0001"); d.Exploited == nil || d.Exploited.SetBy != "usr_nco" ||
			len(d.Exploited.ReportIDs) != 1 || d.Exploited.Note == "" {
			t.Errorf("Cabinet Office's view: got %+v; want the ids, the note and usr_nco", d.Exploited)
		}
		// A re-import keeps the mark.
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.6", "affected"))); err != nil {
			t.Fatal(err)
		}
		if d, _ := e.svc.Vulnerability(e.ctx, e.nco, "CVE-2026-0001"); !d.ExploitedInJapan {
			t.Error("re-import cleared the mark")
		}
	})
}

func TestExploitedInputNormalize(t *testing.T) {
	now := t0
	tests := []struct {
		name  string
		in    vuln.ExploitedInput
		field string // "" for valid
	}{
		{"mark with report", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_1"}, Date: "2026-03-31"}, ""},
		{"mark with note only", vuln.ExploitedInput{Exploited: true, Note: "seen", Date: "2026-03-31"}, ""},
		{"clear with note", vuln.ExploitedInput{Note: "false positive"}, ""},
		{"no date", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_1"}}, "date"},
		{"bad date", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_1"}, Date: "31/03/2026"}, "date"},
		{"future date", vuln.ExploitedInput{Exploited: true, ReportIDs: []string{"rep_1"}, Date: "2026-04-02"}, "date"},
		{"no evidence", vuln.ExploitedInput{Exploited: true, Date: "2026-03-31"}, "report_ids"},
		{"id with space", vuln.ExploitedInput{Exploited: true, FindingIDs: []string{"ok", "f 1"}, Date: "2026-03-31"}, "finding_ids[1]"},
		{"clear with evidence", vuln.ExploitedInput{ReportIDs: []string{"rep_1"}}, "exploited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Normalize(now)
			var fe *vuln.FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.field != "" && (!asField(err, &fe) || fe.Field != tt.field):
				t.Errorf("got %v, want a FieldError on %s", err, tt.field)
			}
		})
	}
}

func hasNotice(msgs []deadline.Message, subject, body string) bool {
	for _, m := range msgs {
		if strings.Contains(m.Subject, subject) && strings.Contains(m.Body, body) {
			return true
		}
	}
	return false
}

// TestExploitedTellsAffectedOperators: marking a vulnerability exploited
// tells the operators whose assets it affects, once, and nobody else.
func TestExploitedTellsAffectedOperators(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if _, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.rep.CreateAsset(e.ctx, e.pB, asset("rail-vpn", "2.0")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
			t.Fatal(err)
		}
		in := vuln.ExploitedInput{Exploited: true, Date: "2026-03-20", Note: "Seen at an operator.", CatalogueFields: vuln.CatalogueFields{RequiredAction: "Update to 1.5."}}
		for range 2 { // marking again with more evidence tells nobody again
			if _, err := e.svc.SetExploited(e.ctx, e.nco, "CVE-2026-0001", in); err != nil {
				t.Fatal(err)
			}
		}
		count := func(user, org string) int {
			t.Helper()
			msgs, err := e.p.Notifier.Inbox(e.ctx, user, org)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range msgs {
				if strings.Contains(m.Subject, "exploited in Japan") {
					if !strings.Contains(m.Body, "hq-vpn-1") || !strings.Contains(m.Body, "Required action: Update to 1.5.") {
						t.Errorf("notice %q lacks the asset or the action: %s", m.Subject, m.Body)
					}
					n++
				}
			}
			return n
		}
		if n := count("usr_a", e.opA.ID); n != 1 {
			t.Errorf("operator A got %d exploitation notices, want 1", n)
		}
		if n := count("usr_b", e.pB.OrgID); n != 0 {
			t.Errorf("operator B (not affected) got %d exploitation notices, want 0", n)
		}
	})
}

// TestSyncAssets: assets registered before the service observed reporting
// are recorded and matched by SyncAssets; a second sync with nothing new
// writes nothing.
func TestSyncAssets(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.rep.SetAssetObserver(nil) // the asset predates the service
		if _, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2")); err != nil {
			t.Fatal(err)
		}
		e.rep.SetAssetObserver(e.svc)
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(cve5("CVE-2026-0001", "Acme", "Gate", "1.0", "1.5", "affected"))); err != nil {
			t.Fatal(err)
		}
		if ms, _ := e.svc.Matches(e.ctx, e.nco, vuln.MatchFilter{}); len(ms) != 0 {
			t.Fatalf("got matches %+v before the sync, want none", ms)
		}
		all, err := e.rep.Assets(e.ctx, e.nco, reporting.AssetFilter{IncludeRetired: true})
		if err != nil {
			t.Fatal(err)
		}
		syncs := func() int {
			t.Helper()
			recs, err := e.p.Log.Entries(e.ctx, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.Action == "vuln.assets_sync" {
					n++
				}
			}
			return n
		}
		for range 2 {
			if err := e.svc.SyncAssets(e.ctx, all); err != nil {
				t.Fatal(err)
			}
		}
		if ms, _ := e.svc.Matches(e.ctx, e.nco, vuln.MatchFilter{}); len(ms) != 1 || ms[0].AssetName != "hq-vpn-1" {
			t.Errorf("got matches %+v after the sync, want hq-vpn-1", ms)
		}
		if n := syncs(); n != 1 {
			t.Errorf("got %d vuln.assets_sync entries after two syncs, want 1 (the second had nothing new)", n)
		}
	})
}
