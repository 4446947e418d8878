package vendors_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// cveID is the real record the tests use: PAN-OS 10.2.x before
// 10.2.9-h1 is affected (testdata of package cve; its README gives the
// source).
const cveID = "CVE-2024-3400"

// env is the sharing test environment (orgs, users, council) with the
// vulnerability and vendor services on it, CVE-2024-3400 imported, and
// Kanto Power (opr) designated with its PAN-OS 10.2.9 firewall
// registered when affected is true.
type env struct {
	*sharingtest.Env
	vuln *vuln.Service
	svc  *vendors.Service
}

func newEnv(t *testing.T, db *store.DB, affected bool) *env {
	t.Helper()
	e := &env{Env: sharingtest.New(t, db)}
	p := e.Platform
	var err error
	e.vuln, err = vuln.New(e.Ctx, vuln.Deps{DB: db, Log: p.Log, Notifier: p.Notifier}, vuln.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.Reporting.SetAssetObserver(e.vuln)
	e.svc, err = vendors.New(e.Ctx, vendors.Deps{DB: db, Log: p.Log, Auth: p.Auth, Notifier: p.Notifier, Deadlines: p.Deadlines,
		Vuln: e.vuln, Sharing: e.Svc}, vendors.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.Open("../cve/testdata/records/cve5/" + cveID + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if res, err := e.vuln.Import(e.Ctx, e.P("author"), rec); err != nil || len(res.Imported) != 1 {
		t.Fatalf("import %s: %+v, %v", cveID, res, err)
	}
	if affected {
		if _, err := e.Reporting.Designate(e.Ctx, e.P("author"), e.Orgs["opr"].ID, true, "designated for the test"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Reporting.CreateAsset(e.Ctx, e.P("opr"), reporting.AssetInput{Name: "dmz-fw-1", Product: "PAN-OS",
			Vendor: "Palo Alto Networks", Version: "10.2.9", CPE: "cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*",
			Role: reporting.RoleFirewall, InternetFacing: true, Facility: "Head office"}); err != nil {
			t.Fatal(err)
		}
		if err := e.vuln.SettleAssets(e.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func each(t *testing.T, affected bool, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db, affected)) })
}

// panOS is the vendor's product as the tests register it.
func panOS() vendors.ProductInput {
	return vendors.ProductInput{Name: "PAN-OS", CPE: "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*",
		RecordVendor: "Palo Alto Networks", RecordProduct: "PAN-OS", SupportEnds: "2027-08-31"}
}

// registered registers PAN-OS as the vendor's product.
func (e *env) registered(t *testing.T) vendors.Product {
	t.Helper()
	pr, err := e.svc.CreateProduct(e.Ctx, e.P("vendor"), panOS())
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func wantRefusal(t *testing.T, what string, err error, code string) {
	t.Helper()
	var r *svcerr.Refusal
	if !errors.As(err, &r) || r.Code != code {
		t.Errorf("%s: got %v, want refusal %s", what, err, code)
	}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var f *svcerr.FieldError
	if !errors.As(err, &f) || f.Field != field {
		t.Errorf("%s: got %v, want a field error on %s", what, err, field)
	}
}

// notice returns the first notice in name's inbox whose subject starts
// with prefix.
func notice(t *testing.T, e *env, name, prefix string) (deadline.Message, bool) {
	t.Helper()
	ms := e.Inbox(t, name)
	i := slices.IndexFunc(ms, func(m deadline.Message) bool { return strings.HasPrefix(m.Subject, prefix) })
	if i < 0 {
		return deadline.Message{}, false
	}
	return ms[i], true
}

// verify runs the audit log's full check with every registered resolver.
func verify(t *testing.T, e *env) (*auditlog.Report, error) {
	t.Helper()
	log := e.Platform.Log
	if _, err := log.Checkpoint(e.Ctx); err != nil {
		t.Fatal(err)
	}
	vs, err := log.Verifiers()
	if err != nil {
		t.Fatal(err)
	}
	return auditlog.Verify(e.Ctx, auditlog.DBSource(e.Platform.DB), auditlog.VerifyOptions{
		Verifiers: vs, Keys: e.Platform.Keys, Resolvers: log.Resolvers(), Listers: log.Listers()})
}
