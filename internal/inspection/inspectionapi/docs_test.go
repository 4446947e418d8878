package inspectionapi_test

import (
	"bytes"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
)

// TestDocsBodies: every request body in docs/inspection.md decodes
// strictly, so the guide cannot drift from the field names.
func TestDocsBodies(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/inspection.md")
	if err != nil {
		t.Fatal(err)
	}
	decoders := []struct {
		path   *regexp.Regexp
		decode func(*http.Request) error
	}{
		{regexp.MustCompile(`^/api/v1/inspections$`), func(r *http.Request) error { _, err := inspectionapi.DecodeInspection(r); return err }},
		{regexp.MustCompile(`^/api/v1/inspections/[^/]+/findings$`), strictly[inspectionapi.FindingRequest]},
		{regexp.MustCompile(`^/api/v1/inspections/[^/]+/close$`), strictly[inspectionapi.CloseRequest]},
		{regexp.MustCompile(`^/api/v1/recommendations$`), func(r *http.Request) error { _, err := inspectionapi.DecodeRecommendation(r); return err }},
		{regexp.MustCompile(`^/api/v1/recommendations/[^/]+/answer$`), strictly[inspectionapi.AnswerRequest]},
		{regexp.MustCompile(`^/api/v1/recommendations/[^/]+/assess$`), func(r *http.Request) error { _, err := inspectionapi.DecodeAssessment(r); return err }},
		{regexp.MustCompile(`^/api/v1/recommendations/[^/]+/withdraw$`), strictly[inspectionapi.WithdrawRequest]},
		{regexp.MustCompile(`^/api/v1/handling-errors$`), func(r *http.Request) error { _, err := inspectionapi.DecodeHandlingError(r); return err }},
		{regexp.MustCompile(`^/api/v1/handling-errors/[^/]+/classify$`), func(r *http.Request) error { _, err := inspectionapi.DecodeClassification(r); return err }},
	}
	call := regexp.MustCompile(`(?s)\$ACD(/api/v1/[^\s"?]+) -d '([^']*)'`)
	matches := call.FindAllSubmatch(doc, -1)
	if len(matches) < 9 {
		t.Fatalf("found %d request bodies in the guide, want at least 9", len(matches))
	}
	for _, m := range matches {
		path, body := string(m[1]), m[2]
		found := false
		for _, d := range decoders {
			if !d.path.MatchString(path) {
				continue
			}
			found = true
			if err := d.decode(request(body)); err != nil {
				t.Errorf("the guide's body for %s: %v\n%s", path, err, body)
			}
		}
		if !found {
			t.Errorf("the guide posts to %s, which has no route", path)
		}
	}
	if !bytes.Contains(doc, []byte("recommendation.response")) || !strings.Contains(string(doc), "handling_error.classify") {
		t.Errorf("the guide lost its deadline kind or audit actions")
	}
}

func strictly[T any](r *http.Request) error {
	_, err := inspectionapi.Decode[T](r)
	return err
}
