package inspectionapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
)

// request builds a POST with body as JSON.
func request(body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/api/v1/x", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// checkDecode runs decode on body and checks what every decoder promises:
// no panic; every error an *api.Error with status 400 or 413 (the content
// type is right); whatever is accepted has UTC times and survives a round
// trip through encode and decode again.
func checkDecode[T any](t *testing.T, body []byte, decode func(*http.Request) (T, error), encode func(T) any, times func(T) []time.Time) {
	t.Helper()
	v, err := decode(request(body))
	if err != nil {
		var ae *api.Error
		if !errors.As(err, &ae) {
			t.Fatalf("error of type %T, want *api.Error: %v", err, err)
		}
		if ae.Status != http.StatusBadRequest && ae.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d for %q: %v", ae.Status, body, err)
		}
		return
	}
	for _, tm := range times(v) {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("time %s of %q is not UTC", tm, body)
		}
	}
	again, err := json.Marshal(encode(v))
	if err != nil {
		t.Fatalf("encode %+v: %v", v, err)
	}
	w, err := decode(request(again))
	if err != nil {
		t.Fatalf("decode of the re-encoded %s (from %q): %v", again, body, err)
	}
	if d := cmp.Diff(v, w, cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("round trip of %q through %s (-first +second):\n%s", body, again, d)
	}
}

// rfc3339 renders an accepted time back; zero is absent.
func rfcOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func noTimes[T any](T) []time.Time { return nil }

func FuzzDecodeInspection(f *testing.F) {
	f.Add([]byte(`{"subjects":["all"],"scope":"Provisions in March."}`))                                       // minimal
	f.Add([]byte(`{"title":"Q1","subjects":["org_a","org_b"],"scope":"s","approval_ids":["a"],"run_ids":[]}`)) // every field
	f.Add([]byte(`{"subjects":"all","scope":"s"}`))                                                            // wrong type
	f.Add([]byte(`{"subjects":["all"],"scope":"s","x":1}`))                                                    // unknown field
	f.Add([]byte(`{"subjects":null,"scope":"\u0000"}`))                                                        // null, escaped NUL
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, body, inspectionapi.DecodeInspection, func(v inspection.NewInspection) any { return v }, noTimes[inspection.NewInspection])
	})
}

func FuzzDecodeRecommendation(f *testing.F) {
	f.Add([]byte(`{"org_id":"org_a","text":"t","rating":"red","due":"2026-05-01T09:00:00+09:00"}`))                             // offset converted to UTC
	f.Add([]byte(`{"inspection_id":"insp_1","org_id":"o","text":"t","rating":"amber","due":"2026-05-01T00:00:00.123456789Z"}`)) // nanoseconds
	f.Add([]byte(`{"org_id":"o","text":"t","rating":"red","due":"tomorrow"}`))                                                  // not a time
	f.Add([]byte(`{"org_id":"o","text":"t","rating":"red","due":"2026-05-01T09:00:00"}`))                                       // no zone
	f.Add([]byte(`{"org_id":"o","due":1}`))                                                                                     // wrong type
	f.Add([]byte(`{"due":"9999-12-31T23:59:59-23:59"}`))                                                                        // extreme offset
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, body, inspectionapi.DecodeRecommendation,
			func(v inspection.NewRecommendation) any {
				return inspectionapi.RecommendationRequest{InspectionID: v.InspectionID, OrgID: v.OrgID, Text: v.Text, Rating: v.Rating, Due: rfcOrEmpty(v.Due)}
			},
			func(v inspection.NewRecommendation) []time.Time { return []time.Time{v.Due} })
	})
}

func FuzzDecodeAssessment(f *testing.F) {
	f.Add([]byte(`{"implementation":"partial"}`))                                 // minimal
	f.Add([]byte(`{"implementation":"implemented","rating":"green","note":"n"}`)) // every field
	f.Add([]byte(`{"implementation":3}`))                                         // wrong type
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, body, inspectionapi.DecodeAssessment, func(v inspection.Assessment) any { return v }, noTimes[inspection.Assessment])
	})
}

func FuzzDecodeHandlingError(f *testing.F) {
	f.Add([]byte(`{"category":"late_deletion","severity":"low","description":"d","occurred_at":"2026-03-31T18:00:00+09:00"}`))         // minimal
	f.Add([]byte(`{"category":"other","severity":"high","description":"d","occurred_at":"2026-03-31T00:00:00Z","related":["a","b"]}`)) // related ids
	f.Add([]byte(`{"occurred_at":"31/03/2026"}`))                                                                                      // not RFC 3339
	f.Add([]byte(`{"related":[1]}`))                                                                                                   // wrong type in a list
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, body, inspectionapi.DecodeHandlingError,
			func(v inspection.NewHandlingError) any {
				return inspectionapi.HandlingErrorRequest{Category: v.Category, Severity: v.Severity, Description: v.Description, OccurredAt: rfcOrEmpty(v.OccurredAt), Related: v.Related}
			},
			func(v inspection.NewHandlingError) []time.Time { return []time.Time{v.OccurredAt} })
	})
}

func FuzzDecodeClassification(f *testing.F) {
	f.Add([]byte(`{"serious":true,"reasons":"r","affected_told":"yes","affected_told_at":"2026-04-01T10:00:00+09:00"}`)) // told
	f.Add([]byte(`{"serious":false,"reasons":"r","affected_told":"not_applicable"}`))                                    // not told
	f.Add([]byte(`{"reasons":"r","affected_told":"no"}`))                                                                // serious missing
	f.Add([]byte(`{"serious":null}`))                                                                                    // serious null
	f.Add([]byte(`{"serious":"yes"}`))                                                                                   // wrong type
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, body, inspectionapi.DecodeClassification,
			func(v inspection.Classification) any {
				return inspectionapi.ClassifyRequest{Serious: &v.Serious, Reasons: v.Reasons, AffectedTold: v.AffectedTold, AffectedToldAt: rfcOrEmpty(v.AffectedToldAt)}
			},
			func(v inspection.Classification) []time.Time { return []time.Time{v.AffectedToldAt} })
	})
}
