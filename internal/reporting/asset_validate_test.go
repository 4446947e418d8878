package reporting_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/reporting"
)

// validAsset returns an asset that passes Normalize unchanged.
func validAsset() reporting.AssetInput {
	return reporting.AssetInput{
		Name:           "hq-vpn-1",
		Product:        "FortiGate 60F",
		Vendor:         "Fortinet",
		Model:          "FG-60F",
		Version:        "7.4.3",
		CPE:            "cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*",
		Role:           reporting.RoleVPNGateway,
		InternetFacing: true,
		Facility:       "Tokyo substation control",
		Introduced:     mustDate("2023-04-01"),
		SupportEnd:     mustDate("2027-03-31"),
	}
}

func mustDate(s string) reporting.Date {
	d, err := reporting.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAssetInputNormalize(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *reporting.AssetInput)
		want   func(a *reporting.AssetInput) // the canonical result; nil: unchanged
	}{
		// Already canonical.
		{"valid", func(a *reporting.AssetInput) {}, nil},
		// Spaces around every text field go; the role folds to lower case.
		{"trims", func(a *reporting.AssetInput) {
			a.Name, a.Product, a.Vendor, a.Model, a.Version = " hq-vpn-1 ", "\tFortiGate 60F", "Fortinet ", " FG-60F", "7.4.3 "
			a.CPE, a.Facility, a.Role = " cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:* ", " Tokyo substation control\n", " VPN_Gateway "
		}, nil},
		// A 2.2 URI and upper case become the canonical 2.3 formatted string.
		{"cpe-uri", func(a *reporting.AssetInput) { a.CPE = "cpe:/o:Fortinet:FortiOS:7.4.3" }, nil},
		// A package URL is rewritten in canonical form.
		{"purl", func(a *reporting.AssetInput) { a.CPE, a.PURL = "", "pkg:NPM/@babel/core@7.0.0" },
			func(a *reporting.AssetInput) { a.CPE, a.PURL = "", "pkg:npm/%40babel/core@7.0.0" }},
		// Version alone identifies the product.
		{"version-only", func(a *reporting.AssetInput) { a.CPE = "" }, func(a *reporting.AssetInput) { a.CPE = "" }},
		// A CPE alone identifies it too.
		{"cpe-only", func(a *reporting.AssetInput) { a.Version = "" }, func(a *reporting.AssetInput) { a.Version = "" }},
		// Role other with its detail.
		{"other", func(a *reporting.AssetInput) { a.Role, a.RoleDetail = "other", " badge reader " },
			func(a *reporting.AssetInput) { a.Role, a.RoleDetail = "other", "badge reader" }},
		// Dates are optional, and equal dates are fine.
		{"no-dates", func(a *reporting.AssetInput) { a.Introduced, a.SupportEnd = reporting.Date{}, reporting.Date{} },
			func(a *reporting.AssetInput) { a.Introduced, a.SupportEnd = reporting.Date{}, reporting.Date{} }},
		{"same-day", func(a *reporting.AssetInput) { a.SupportEnd = a.Introduced },
			func(a *reporting.AssetInput) { a.SupportEnd = a.Introduced }},
		// Exactly 200 characters (multi-byte) is the limit.
		{"name-200", func(a *reporting.AssetInput) { a.Name = strings.Repeat("計", 200) },
			func(a *reporting.AssetInput) { a.Name = strings.Repeat("計", 200) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAsset()
			tt.change(&a)
			if err := a.Normalize(); err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			want := validAsset()
			if tt.want != nil {
				tt.want(&want)
			}
			if diff := cmp.Diff(want, a, cmp.Comparer(func(x, y reporting.Date) bool { return x == y })); diff != "" {
				t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssetInputNormalizeErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *reporting.AssetInput)
		field  string
		msg    string // a part of the message
	}{
		{"no-name", func(a *reporting.AssetInput) { a.Name = "  " }, "name", "required"},
		{"no-product", func(a *reporting.AssetInput) { a.Product = "" }, "product", "required"},
		{"no-vendor", func(a *reporting.AssetInput) { a.Vendor = "\t" }, "vendor", "required"},
		{"no-role", func(a *reporting.AssetInput) { a.Role = "" }, "role", "required"},
		{"no-facility", func(a *reporting.AssetInput) { a.Facility = "" }, "facility", "required"},
		{"bad-role", func(a *reporting.AssetInput) { a.Role = "vpn" }, "role", `"vpn": want one of vpn_gateway, firewall,`},
		{"other-no-detail", func(a *reporting.AssetInput) { a.Role = "other" }, "role_detail", `required when role is "other"`},
		{"detail-not-other", func(a *reporting.AssetInput) { a.RoleDetail = "x" }, "role_detail", `only for role "other"`},
		{"name-201", func(a *reporting.AssetInput) { a.Name = strings.Repeat("a", 201) }, "name", "201 characters long, want at most 200"},
		{"newline", func(a *reporting.AssetInput) { a.Model = "FG\n60F" }, "model", "U+000A at character 3"},
		{"line-separator", func(a *reporting.AssetInput) { a.Facility = "a\u2028b" }, "facility", "U+2028"},
		{"bad-utf8", func(a *reporting.AssetInput) { a.Vendor = "Forti\xffnet" }, "vendor", "not valid UTF-8"},
		{"cpe-syntax", func(a *reporting.AssetInput) { a.CPE = "cpe:2.3:x:fortinet:fortios:7.4.3:*:*:*:*:*:*:*" }, "cpe",
			`parse CPE "cpe:2.3:x:fortinet:fortios:7.4.3:*:*:*:*:*:*:*": part "x": want a, o, h, * or -`},
		{"cpe-pattern", func(a *reporting.AssetInput) { a.CPE = "cpe:2.3:o:fortinet:fortios:7.4.*:*:*:*:*:*:*:*" }, "cpe",
			`is a pattern, not a name: version "7\.4\.*" has wildcards`},
		{"cpe-any-vendor", func(a *reporting.AssetInput) { a.CPE = "cpe:2.3:o:*:fortios:7.4.3:*:*:*:*:*:*:*" }, "cpe",
			"does not name a product: vendor is ANY"},
		{"cpe-too-long", func(a *reporting.AssetInput) { a.CPE = "cpe:2.3:o:fortinet:" + strings.Repeat("x", 600) }, "cpe", "want at most 512"},
		// Within the limit as given, not once percent-encoded.
		{"purl-too-long-canonical", func(a *reporting.AssetInput) { a.PURL = "pkg:npm/" + strings.Repeat(",", 300) }, "purl",
			"908 characters long in canonical form"},
		{"purl-syntax", func(a *reporting.AssetInput) { a.PURL = "pkg:maven/io@1" }, "purl", `parse PURL "pkg:maven/io@1": namespace "": required for type "maven"`},
		{"unidentified", func(a *reporting.AssetInput) { a.CPE, a.PURL, a.Version = "", "", "" }, "version", "required unless cpe or purl is given"},
		{"support-before-introduced", func(a *reporting.AssetInput) { a.SupportEnd = mustDate("2023-03-31") }, "support_end",
			"2023-03-31 is before introduced (2023-04-01)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAsset()
			tt.change(&a)
			err := a.Normalize()
			var fe *reporting.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Normalize() = %v, want a *FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("Normalize() field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("Normalize() message = %q, want it to contain %q", fe.Msg, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("Normalize() error %q does not start with the field", err)
			}
		})
	}
}
