package vendors_test

import (
	"errors"
	"testing"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/vuln/vendors/vendorstest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const cveID = vendorstest.CVE

type env struct {
	*vendorstest.Env
	svc *vendors.Service
}

func each(t *testing.T, affected bool, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v := vendorstest.New(t, db, affected)
		fn(t, &env{Env: v, svc: v.Vendors})
	})
}

func panOS() vendors.ProductInput { return vendorstest.PanOS() }

func (e *env) registered(t *testing.T) vendors.Product { return e.Registered(t) }

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

func notice(t *testing.T, e *env, name, prefix string) (deadline.Message, bool) {
	return e.Notice(t, name, prefix)
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
