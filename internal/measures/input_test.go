package measures_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/fuzzseed"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/google/go-cmp/cmp"
)

// TestCaseInput: each invalid input is refused on its field; valid input
// is normalised.
func TestCaseInput(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(in *measures.CaseInput)
		field string // "" when accepted
	}{
		{"complete", func(in *measures.CaseInput) {}, ""},
		{"unknown path", func(in *measures.CaseInput) { in.Path = "army" }, "path"},
		{"no title", func(in *measures.CaseInput) { in.Title = " " }, "title"},
		{"title of two lines", func(in *measures.CaseInput) { in.Title = "a\nb" }, "title"},
		{"no target", func(in *measures.CaseInput) { in.Targets = nil }, "targets"},
		{"101 targets", func(in *measures.CaseInput) {
			in.Targets = nil
			for i := range 101 {
				in.Targets = append(in.Targets, measures.Target{Address: fmt.Sprintf("10.0.%d.%d", i/256, i%256)})
			}
		}, "targets"},
		{"a target with neither address nor domain", func(in *measures.CaseInput) { in.Targets[1] = measures.Target{Country: "US"} }, "targets[1]"},
		{"an address that is none", func(in *measures.CaseInput) { in.Targets[0].Address = "192.0.2.300" }, "targets[0].address"},
		{"a prefix with host bits", func(in *measures.CaseInput) { in.Targets[0].Address = "192.0.2.15/24" }, "targets[0].address"},
		{"an address with a zone", func(in *measures.CaseInput) { in.Targets[0].Address = "fe80::1%eth0" }, "targets[0].address"},
		{"a one-label domain", func(in *measures.CaseInput) { in.Targets[1].Domain = "localhost" }, "targets[1].domain"},
		{"a domain with a space", func(in *measures.CaseInput) { in.Targets[1].Domain = "c2 .example.net" }, "targets[1].domain"},
		{"a Unicode domain", func(in *measures.CaseInput) { in.Targets[1].Domain = "例え.jp" }, "targets[1].domain"},
		{"a label starting with a hyphen", func(in *measures.CaseInput) { in.Targets[1].Domain = "-c2.example.net" }, "targets[1].domain"},
		{"an unknown country", func(in *measures.CaseInput) { in.Targets[0].Country = "XX" }, "targets[0].country"},
		{"a repeated target", func(in *measures.CaseInput) { in.Targets[1] = in.Targets[0] }, "targets[1]"},
		{"no observed traffic", func(in *measures.CaseInput) { in.ObservedTraffic = "" }, "observed_traffic"},
		{"no harm", func(in *measures.CaseInput) { in.Harm = "" }, "harm"},
		{"no urgency", func(in *measures.CaseInput) { in.Urgency = "" }, "urgency"},
		{"a control character in the harm", func(in *measures.CaseInput) { in.Harm = "a\x00b" }, "harm"},
		{"nothing proposed", func(in *measures.CaseInput) { in.Proposed = nil }, "proposed"},
		{"an unknown kind", func(in *measures.CaseInput) { in.Proposed = []measures.MeasureKind{"hack_back"} }, "proposed[0]"},
		{"a kind repeated", func(in *measures.CaseInput) {
			in.Proposed = []measures.MeasureKind{measures.KindStopProgram, measures.KindStopProgram}
		}, "proposed[1]"},
		{"other without its text", func(in *measures.CaseInput) { in.Proposed = append(in.Proposed, measures.KindOther) }, "proposed_other"},
		{"text for other without other", func(in *measures.CaseInput) { in.ProposedOther = "x" }, "proposed_other"},
		{"a joint police agency on the police path", func(in *measures.CaseInput) { in.JointPoliceOrgID = "org_x" }, "joint_police_org_id"},
		{"SDF protection without its joint police agency", func(in *measures.CaseInput) { in.Path = measures.PathSDFProtection }, "joint_police_org_id"},
		{"SDF guard without its facility", func(in *measures.CaseInput) { in.Path = measures.PathSDFGuard }, "protected_facility"},
		{"a facility on the police path", func(in *measures.CaseInput) { in.ProtectedFacility = "x" }, "protected_facility"},
		{"a checklist text too long", func(in *measures.CaseInput) { in.Checklist.OnlyMeans.Text = strings.Repeat("あ", 20001) }, "checklist.only_means.text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := input(measures.PathPolice)
			c.edit(&in)
			err := measures.CheckCaseInput(&in)
			if c.field == "" {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			wantField(t, c.name, err, c.field)
		})
	}
	// Normalisation.
	in := input(measures.PathPolice)
	in.Title = "  Title  "
	in.Targets = []measures.Target{{Address: "2001:DB8::1", Country: " us "}, {Address: "198.51.100.0/24"}, {Domain: "C2.Example.NET."}}
	in.Proposed = []measures.MeasureKind{measures.KindOther, measures.KindOrderAdmin}
	in.ProposedOther = " Sinkhole the domain. "
	if err := measures.CheckCaseInput(&in); err != nil {
		t.Fatal(err)
	}
	want := []measures.Target{{Address: "2001:db8::1", Country: "US"}, {Address: "198.51.100.0/24"}, {Domain: "c2.example.net"}}
	if d := cmp.Diff(want, in.Targets); d != "" || in.Title != "Title" || in.ProposedOther != "Sinkhole the domain." ||
		!slices.Equal(in.Proposed, []measures.MeasureKind{measures.KindOrderAdmin, measures.KindOther}) {
		t.Errorf("normalised: title %q other %q proposed %v targets (-want +got):\n%s", in.Title, in.ProposedOther, in.Proposed, d)
	}
}

// TestRefusal: every code has a status of 403 or 409 and a message in
// both languages; a refusal unwraps to the sentinel of its status and
// maps to the API error of its status.
func TestRefusal(t *testing.T) {
	codes := measures.Codes()
	if len(codes) != 38 {
		t.Errorf("got %d codes, want 38", len(codes))
	}
	seen := map[string]bool{}
	for _, code := range codes {
		if seen[code] {
			t.Errorf("code %s repeated", code)
		}
		seen[code] = true
		r := measures.Refuse(code, "case msr_1")
		en, ja := r.Message("en"), r.Message("ja")
		if en == ja || !strings.HasSuffix(en, " (case msr_1)") || !strings.HasSuffix(ja, " (case msr_1)") || r.Message("fr") != en {
			t.Errorf("%s: messages en %q, ja %q", code, en, ja)
		}
		want := svcerr.ErrConflict
		switch r.Status {
		case http.StatusForbidden:
			want = svcerr.ErrForbidden
		case http.StatusConflict:
		default:
			t.Errorf("%s: status %d", code, r.Status)
		}
		if err := error(r); !errors.Is(err, want) || !strings.HasPrefix(err.Error(), code+": ") {
			t.Errorf("%s: %v does not wrap %v", code, err, want)
		}
		if ae := svcerr.API(fmt.Errorf("step: %w", r)); ae == nil || ae.Status != r.Status {
			t.Errorf("%s: API error %+v, want status %d", code, ae, r.Status)
		}
	}
	for _, code := range []string{measures.CodeNotDesignated, measures.CodeWrongPath, measures.CodePrefecturalForeign, measures.CodeCommissionSeparation} {
		if measures.CodeStatus(code) != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", code, measures.CodeStatus(code))
		}
	}
	if measures.CodeStatus("nonsense") != 0 {
		t.Error("an unknown code has a status")
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// fuzzSeeds are the seed corpora, by target and seed name, written to
// testdata/fuzz by go test -run TestFuzzSeeds -update-seeds.
var fuzzSeeds = map[string]map[string]string{
	"FuzzCaseInput": {
		// A complete police case with an address and a domain.
		"police": `{"path":"police","title":"C2","targets":[{"address":"192.0.2.15","country":"jp"},{"domain":"C2.Example.net."}],"observed_traffic":"beacons","harm":"records encrypted","urgency":"tonight","proposed":["stop_program","order_admin"],"checklist":{"only_means":{"met":true,"text":"t"},"least_intrusive":{"met":true,"text":"t"},"third_party_effect":"none"}}`,
		// An SDF protection case needs its joint police agency.
		"sdf-protection": `{"path":"sdf_protection","title":"t","targets":[{"address":"2001:db8::/32"}],"observed_traffic":"o","harm":"h","urgency":"u","proposed":["other"],"proposed_other":"sinkhole","joint_police_org_id":"org_npa"}`,
		// An SDF guard case names the facility guarded.
		"sdf-guard": `{"path":"sdf_guard","title":"t","targets":[{"domain":"a.b"}],"observed_traffic":"o","harm":"h","urgency":"u","proposed":["change_setting"],"protected_facility":"Yokota"}`,
		// A prefix with host bits set: refused, naming the prefix meant.
		"host-bits": `{"path":"police","title":"t","targets":[{"address":"192.0.2.1/24"}],"observed_traffic":"o","harm":"h","urgency":"u","proposed":["order_admin"]}`,
		// A repeated kind: refused.
		"repeated-kind": `{"path":"police","title":"t","targets":[{"address":"::1"}],"observed_traffic":"o","harm":"h","urgency":"u","proposed":["order_admin","order_admin"]}`,
		// An unknown member: refused by strict decoding.
		"unknown-member": `{"path":"police","targetz":[]}`,
		// A wrong type: refused by strict decoding.
		"wrong-type": `{"path":"police","targets":"192.0.2.1"}`,
	},
}

func TestFuzzSeeds(t *testing.T) { fuzzseed.Check(t, fuzzSeeds, *updateSeeds) }

// decodeBody decodes b as the API does: strict JSON into v.
func decodeBody(b []byte, v any) error {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return api.DecodeLimit(r, v, 1<<20)
}

// FuzzCaseInput: a case body is refused on a named field, or accepted in a
// canonical form that is accepted again unchanged, within the limits.
func FuzzCaseInput(f *testing.F) {
	for _, s := range fuzzSeeds["FuzzCaseInput"] {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in measures.CaseInput
		if decodeBody(b, &in) != nil {
			return
		}
		err := measures.CheckCaseInput(&in)
		if err != nil {
			fe, ok := err.(*measures.FieldError)
			if !ok || fe.Field == "" && fe.Msg == "" {
				t.Fatalf("refused without a field error: %v", err)
			}
			return
		}
		if len(in.Targets) == 0 || len(in.Targets) > 100 || len(in.Proposed) == 0 {
			t.Fatalf("accepted %d targets, %d kinds", len(in.Targets), len(in.Proposed))
		}
		for i, tg := range in.Targets {
			if tg.Address == "" && tg.Domain == "" {
				t.Fatalf("target %d is empty", i)
			}
		}
		first, _ := json.Marshal(in)
		var again measures.CaseInput
		if err := json.Unmarshal(first, &again); err != nil {
			t.Fatal(err)
		}
		if err := measures.CheckCaseInput(&again); err != nil {
			t.Fatalf("accepted input refused the second time: %v\n%s", err, first)
		}
		if d := cmp.Diff(in, again); d != "" {
			t.Fatalf("not canonical (-first +second):\n%s", d)
		}
	})
}

// TestDocsCodes: docs/measures.md lists every refusal code with its status
// and both messages, as the package gives them.
func TestDocsCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "measures.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range measures.Codes() {
		r := measures.Refuse(code, "")
		row := fmt.Sprintf("| `%s` | %d | %s | %s |\n", code, r.Status, r.Message("en"), r.Message("ja"))
		if !bytes.Contains(b, []byte(row)) {
			t.Errorf("docs/measures.md lacks the row\n%s", row)
		}
	}
}
