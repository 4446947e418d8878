package sharing_test

import (
	"errors"
	"github.com/acd-platform/acd/internal/deadline"
	"testing"

	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// each runs fn on a fresh env on each back end.
func each(t *testing.T, fn func(t *testing.T, e *sharingtest.Env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, sharingtest.New(t, db)) })
}

// wantRefusal fails t unless err is a *sharing.Refusal with code.
func wantRefusal(t *testing.T, what string, err error, code string) {
	t.Helper()
	r, ok := errors.AsType[*sharing.Refusal](err)
	if !ok {
		t.Errorf("%s: got error %v, want refusal %s", what, err, code)
		return
	}
	if r.Code != code {
		t.Errorf("%s: got refusal %s (%s), want %s", what, r.Code, r.Message("en"), code)
	}
	if r.Status != sharing.CodeStatus(code) {
		t.Errorf("%s: got status %d, want %d", what, r.Status, sharing.CodeStatus(code))
	}
}

// wantField fails t unless err is a *sharing.FieldError for field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	fe, ok := errors.AsType[*sharing.FieldError](err)
	if !ok || fe.Field != field {
		t.Errorf("%s: got error %v, want a field error for %s", what, err, field)
	}
}

type deadlineMessage = deadline.Message
