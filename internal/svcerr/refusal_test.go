package svcerr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/svcerr"
)

// testCatalogue is a catalogue of one 403 and one 409 code.
func testCatalogue() *svcerr.Catalogue {
	return svcerr.NewCatalogue(
		svcerr.Entry{Code: "not_member", Status: http.StatusForbidden, English: "Not a member.", Japanese: "構成員ではありません。"},
		svcerr.Entry{Code: "closed", Status: http.StatusConflict, English: "Closed.", Japanese: "終結済みです。"},
	)
}

func TestCatalogue(t *testing.T) {
	c := testCatalogue()
	if diff := cmp.Diff([]string{"not_member", "closed"}, c.Codes()); diff != "" {
		t.Errorf("Codes (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		code string
		want int
	}{
		{"not_member", http.StatusForbidden},
		{"closed", http.StatusConflict},
		// A code the catalogue does not hold has no status.
		{"nonsense", 0},
	} {
		if got := c.Status(tt.code); got != tt.want {
			t.Errorf("Status(%q): got %d, want %d", tt.code, got, tt.want)
		}
	}
	r := c.Refuse("closed", "case c-1")
	if r.Code != "closed" || r.Status != http.StatusConflict || r.Detail != "case c-1" {
		t.Errorf("Refuse: got %s %d %q, want closed 409 \"case c-1\"", r.Code, r.Status, r.Detail)
	}
}

func TestNewCataloguePanics(t *testing.T) {
	for _, tt := range []struct {
		name    string
		entries []svcerr.Entry
	}{
		// A code twice would hide the second entry's status and text.
		{"repeated", []svcerr.Entry{{Code: "a", Status: 403}, {Code: "a", Status: 409}}},
		// An entry without a code cannot be refused with.
		{"empty", []svcerr.Entry{{Status: 403}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("got no panic, want one")
				}
			}()
			svcerr.NewCatalogue(tt.entries...)
		})
	}
}

func TestRefusal(t *testing.T) {
	c := testCatalogue()
	tests := []struct {
		name       string
		r          *svcerr.Refusal
		en, ja     string
		status     int // HTTPStatus
		errString  string
		wantUnwrap error
	}{
		// A 403 with a detail: the fixed message in each language, the detail in English.
		{"403 detail", c.Refuse("not_member", "org o-1"), "Not a member. (org o-1)", "構成員ではありません。 (org o-1)", 403, "not_member: Not a member. (org o-1)", svcerr.ErrForbidden},
		// A 409 without a detail.
		{"409", c.Refuse("closed", ""), "Closed.", "終結済みです。", 409, "closed: Closed.", svcerr.ErrConflict},
		// A code the catalogue does not hold: its message is the code, its status 409.
		{"unknown code", c.Refuse("nonsense", "x"), "nonsense (x)", "nonsense (x)", 409, "nonsense: nonsense (x)", svcerr.ErrConflict},
		// A literal has no catalogue: its message is its code, its status its own.
		{"literal", &svcerr.Refusal{Code: "closed", Status: 403}, "closed", "closed", 403, "closed: closed", svcerr.ErrForbidden},
		// A refusal whose status was cleared takes its code's.
		{"no status", func() *svcerr.Refusal { r := c.Refuse("not_member", ""); r.Status = 0; return r }(), "Not a member.", "構成員ではありません。", 403, "not_member: Not a member.", svcerr.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Message("en"); got != tt.en {
				t.Errorf("Message(en): got %q, want %q", got, tt.en)
			}
			if got := tt.r.Message("ja"); got != tt.ja {
				t.Errorf("Message(ja): got %q, want %q", got, tt.ja)
			}
			if got := tt.r.Message("fr"); got != tt.en {
				t.Errorf("Message(fr): got %q, want the English %q", got, tt.en)
			}
			if got := tt.r.HTTPStatus(); got != tt.status {
				t.Errorf("HTTPStatus: got %d, want %d", got, tt.status)
			}
			if got := tt.r.Error(); got != tt.errString {
				t.Errorf("Error: got %q, want %q", got, tt.errString)
			}
			if !errors.Is(tt.r, tt.wantUnwrap) {
				t.Errorf("errors.Is(%v, %v): got false, want true", tt.r, tt.wantUnwrap)
			}
			want := &api.Error{Status: tt.status, Code: tt.r.Code, Message: tt.en, Messages: map[string]string{"en": tt.en, "ja": tt.ja}}
			if diff := cmp.Diff(want, tt.r.APIError()); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			// Wrapped, the refusal is found by RefusalAPI and API, before the
			// sentinel it wraps.
			wrapped := fmt.Errorf("step: %w", tt.r)
			if diff := cmp.Diff(want, svcerr.RefusalAPI(wrapped)); diff != "" {
				t.Errorf("RefusalAPI (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, svcerr.API(wrapped)); diff != "" {
				t.Errorf("API (-want +got):\n%s", diff)
			}
		})
	}
	if e := svcerr.RefusalAPI(svcerr.Conflictf("x")); e != nil {
		t.Errorf("RefusalAPI of a plain conflict: got %v, want nil", e)
	}
}
