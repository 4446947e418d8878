package orderdoc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/measures/orderdoc"
)

// FuzzRender puts arbitrary text in a document's fields: Validate, Text,
// HTML and JSON never panic; the HTML never holds a tag from the input;
// JSON round-trips what was valid UTF-8. Seeds under
// testdata/fuzz/FuzzRender: a plain order, markup, control characters and
// broken UTF-8, a CIDR and a bad address.
func FuzzRender(f *testing.F) {
	f.Add("Example Hosting", "192.0.2.1", "c2.example", "Stop the program.")
	f.Fuzz(func(t *testing.T, name, address, domain, text string) {
		d := sample()
		d.Addressee.Name = name
		d.Targets = []orderdoc.Target{{Address: address, Domain: domain}}
		d.RequiredMeasures, d.Grounds.Harm = text, text
		valid := orderdoc.Validate(d) == nil
		_ = orderdoc.Text(d)
		b, err := orderdoc.HTML(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{name, address, domain, text} {
			if strings.Contains(s, "<") && strings.Contains(string(b), "<script") {
				t.Fatalf("HTML holds a tag from the input %q", s)
			}
		}
		js, err := orderdoc.JSON(d)
		if err != nil {
			t.Fatal(err)
		}
		if valid && utf8.ValidString(name+address+domain+text) {
			var got orderdoc.Document
			if err := json.Unmarshal(js, &got); err != nil {
				t.Fatal(err)
			}
			if got.Addressee.Name != name || got.Targets[0].Address != address || got.RequiredMeasures != text {
				t.Fatalf("JSON round trip changed the input")
			}
		}
	})
}
