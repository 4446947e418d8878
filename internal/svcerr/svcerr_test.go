package svcerr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/acd-platform/acd/internal/svcerr"
)

func TestAPI(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int    // 0: not mapped
		field  string // the field the client is told of
		msg    string
	}{
		// A field error keeps its path and says it in the message.
		{"field", svcerr.Fieldf("subjects[2]", "%d characters is over %d", 9, 8), http.StatusBadRequest, "subjects[2]", "subjects[2]: 9 characters is over 8"},
		// A wrapped field error still names its field; the message is the whole chain.
		{"wrapped field", fmt.Errorf("file report: %w", svcerr.Fieldf("title", "required")), http.StatusBadRequest, "title", "file report: title: required"},
		// A field error without a field is the message alone.
		{"no field", &svcerr.FieldError{Msg: "empty body"}, http.StatusBadRequest, "", "empty body"},
		// The sentinels, wrapped with what was looked for.
		{"not found", svcerr.NotFoundf("report %s", "r-1"), http.StatusNotFound, "", "report r-1: not found"},
		{"forbidden", svcerr.Forbiddenf("not your organisation"), http.StatusForbidden, "", "not your organisation: forbidden"},
		{"conflict", svcerr.Conflictf("report %s is closed", "r-1"), http.StatusConflict, "", "report r-1 is closed: conflict"},
		// Anything else is left for the next mapper.
		{"other", errors.New("disk full"), 0, "", ""},
		{"nil", nil, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := svcerr.API(tt.err)
			if tt.status == 0 {
				if e != nil {
					t.Fatalf("got %v, want nil", e)
				}
				return
			}
			if e == nil {
				t.Fatalf("got nil, want status %d", tt.status)
			}
			if e.Status != tt.status || e.Field != tt.field || e.Message != tt.msg {
				t.Errorf("got status %d field %q message %q, want %d %q %q", e.Status, e.Field, e.Message, tt.status, tt.field, tt.msg)
			}
		})
	}
}

func TestSentinelsWrapped(t *testing.T) {
	for _, tt := range []struct {
		err, want error
	}{
		{svcerr.NotFoundf("x"), svcerr.ErrNotFound},
		{svcerr.Forbiddenf("x"), svcerr.ErrForbidden},
		{svcerr.Conflictf("x"), svcerr.ErrConflict},
	} {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("errors.Is(%v, %v) = false, want true", tt.err, tt.want)
		}
	}
}
