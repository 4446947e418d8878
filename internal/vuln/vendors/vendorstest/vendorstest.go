// Package vendorstest builds the §42 vendor service for tests: the
// sharing test environment (organisations, users, council) with the
// vulnerability and vendor services on it, their API routes on its
// router, and a real CVE record imported.
package vendorstest

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/vuln/vendors/vendorsapi"
	"github.com/acd-platform/acd/internal/vuln/vulnapi"
)

// CVE is the real record every Env imports: PAN-OS 10.2.x before
// 10.2.9-h1 is affected (testdata of package cve, whose README gives the
// source).
const CVE = "CVE-2024-3400"

// Env is the sharing test environment with the vulnerability and vendor
// services. The sharing env's users include "vendor" (of org "ven"),
// analysts "author" and "reviewer", and operators "opr" (Kanto Power,
// electricity) and "opu" (Chuo Railway).
type Env struct {
	*sharingtest.Env
	Vuln    *vuln.Service
	Vendors *vendors.Service
}

// New builds the env on db with CVE imported; with affected, Kanto Power
// (opr) is designated and its PAN-OS 10.2.9 firewall "dmz-fw-1"
// registered, so that the record affects it.
func New(t testing.TB, db *store.DB, affected bool) *Env {
	t.Helper()
	e := &Env{Env: sharingtest.New(t, db)}
	p := e.Platform
	var err error
	e.Vuln, err = vuln.New(e.Ctx, vuln.Deps{DB: db, Log: p.Log, Notifier: p.Notifier}, vuln.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.Reporting.SetAssetObserver(e.Vuln)
	e.Vendors, err = vendors.New(e.Ctx, vendors.Deps{DB: db, Log: p.Log, Auth: p.Auth, Notifier: p.Notifier, Deadlines: p.Deadlines,
		Vuln: e.Vuln, Sharing: e.Svc}, vendors.Config{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	vulnapi.Register(e.Router, e.Vuln)
	vendorsapi.Register(e.Router, e.Vendors)
	rec, err := os.Open(recordPath())
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if res, err := e.Vuln.Import(e.Ctx, e.P("author"), rec); err != nil || len(res.Imported) != 1 {
		t.Fatalf("import %s: %+v, %v", CVE, res, err)
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
		if err := e.Vuln.SettleAssets(e.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// recordPath is the CVE record in package cve's testdata, found from this
// file so that tests of any package can use it.
func recordPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "cve", "testdata", "records", "cve5", CVE+".json")
}

// PanOS is the vendor's product as the tests register it.
func PanOS() vendors.ProductInput {
	return vendors.ProductInput{Name: "PAN-OS", CPE: "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*",
		RecordVendor: "Palo Alto Networks", RecordProduct: "PAN-OS", SupportEnds: "2027-08-31"}
}

// Registered registers PanOS as user "vendor"'s product.
func (e *Env) Registered(t testing.TB) vendors.Product {
	t.Helper()
	pr, err := e.Vendors.CreateProduct(e.Ctx, e.P("vendor"), PanOS())
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// Notice returns the first notice in user name's inbox whose subject
// starts with prefix.
func (e *Env) Notice(t testing.TB, name, prefix string) (deadline.Message, bool) {
	t.Helper()
	ms := e.Inbox(t, name)
	i := slices.IndexFunc(ms, func(m deadline.Message) bool { return strings.HasPrefix(m.Subject, prefix) })
	if i < 0 {
		return deadline.Message{}, false
	}
	return ms[i], true
}
