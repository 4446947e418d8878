package assetfile_test

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/assetfile"
)

// dateCmp compares reporting.Date values, whose field is unexported.
var dateCmp = cmp.Comparer(func(x, y reporting.Date) bool { return x == y })

func date(t *testing.T, s string) reporting.Date {
	t.Helper()
	d, err := reporting.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wantRejected is a rejection a test expects: the reason need only
// contain Reason.
type wantRejected struct {
	Line   int
	Ref    string
	Field  string
	Reason string
}

func checkRejected(t *testing.T, got []assetfile.Rejected, want []wantRejected) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rejected rows, want %d:", len(got), len(want))
		for _, r := range got {
			t.Errorf("  %s", r)
		}
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.Line || g.Ref != w.Ref || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) {
			t.Errorf("rejected[%d] = %s\nwant line %d, ref %q, field %q, reason containing %q", i, g, w.Line, w.Ref, w.Field, w.Reason)
		}
	}
}

func TestReadCSVFile(t *testing.T) {
	f, err := os.Open("testdata/assets.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, rejected, err := assetfile.ReadCSV(f)
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	want := []assetfile.Row{
		{Line: 2, Asset: reporting.AssetInput{
			Name: "hq-vpn-1", Product: "FortiGate 60F", Vendor: "Fortinet", Model: "FG-60F", Version: "7.4.3",
			CPE: "cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*", Role: reporting.RoleVPNGateway, InternetFacing: true,
			Facility: "東京変電所 制御系", Introduced: date(t, "2023-04-01"), SupportEnd: date(t, "2027-03-31"),
		}},
		// A quoted comma; a 2.2 URI CPE and an upper-case role made canonical.
		{Line: 3, Asset: reporting.AssetInput{
			Name: "scada-1", Product: "WinCC, SCADA", Vendor: "Siemens", Version: "8.0",
			CPE: "cpe:2.3:a:siemens:simatic_wincc:8.0:*:*:*:*:*:*:*", Role: reporting.RoleSCADAServer,
			Facility: "東京変電所 制御系", Introduced: date(t, "2022-10-01"),
		}},
		{Line: 11, Asset: reporting.AssetInput{
			Name: "badge-1", Product: "Access Controller", Vendor: "Acme Security", Version: "2.1",
			Role: reporting.RoleOther, RoleDetail: "badge reader", Facility: "本社",
		}},
		// After a row that spans lines 12 and 13.
		{Line: 14, Asset: reporting.AssetInput{
			Name: "portal-1", Product: "portal", Vendor: "Acme", PURL: "pkg:npm/%40acme/portal@4.2.0",
			Role: reporting.RoleWebServer, InternetFacing: true, Facility: "本社", Introduced: date(t, "2024-01-15"),
		}},
	}
	if diff := cmp.Diff(want, rows, dateCmp); diff != "" {
		t.Errorf("ReadCSV rows mismatch (-want +got):\n%s", diff)
	}
	checkRejected(t, rejected, []wantRejected{
		{Line: 4, Field: "role", Reason: `"controller": want one of vpn_gateway`},
		{Line: 5, Field: "cpe", Reason: `parse CPE "cpe:2.3:h:paloaltonetworks:pa-220": want 13 colon-separated fields`},
		{Line: 6, Field: "introduced", Reason: `"2023/04/01": want YYYY-MM-DD`},
		{Line: 7, Field: "internet_facing", Reason: `"maybe": want true, false, yes, no, 1 or 0`},
		{Line: 8, Field: "", Reason: "5 fields, but the header has 13 columns"},
		{Line: 9, Field: "name", Reason: `"hq-vpn-1" is also the name of line 2`},
		{Line: 12, Field: "facility", Reason: "control or line-break character U+000A"},
	})
	if got, want := rejected[0].String(), "line 4: role: "; !strings.HasPrefix(got, want) {
		t.Errorf("Rejected.String() = %q, want it to start with %q", got, want)
	}
}

func TestReadCSV(t *testing.T) {
	const header = "name,product,vendor,version,role,facility\n"
	tests := []struct {
		name     string
		in       string
		rows     int
		rejected []wantRejected
	}{
		// Header only: nothing to notify, and no error.
		{"header-only", header, 0, nil},
		// Optional columns may be missing; column names ignore case and spaces; no BOM.
		{"minimal", " Name ,PRODUCT,vendor,version,role,facility\nvpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n", 1, nil},
		// No trailing newline, CRLF line ends.
		{"crlf", "name,product,vendor,version,role,facility\r\nvpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ", 1, nil},
		// A row with every field empty is skipped; one with spaces too.
		{"blank-rows", header + ",,,,,\n , , , , , \nvpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n", 1, nil},
		// Too many fields.
		{"too-many-fields", header + "vpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ,extra\n", 0,
			[]wantRejected{{Line: 2, Reason: "7 fields, but the header has 6 columns"}}},
		// Missing required value, and a product that cannot be identified.
		{"no-facility", header + "vpn,FortiGate,Fortinet,7.4.3,vpn_gateway,\n", 0,
			[]wantRejected{{Line: 2, Field: "facility", Reason: "required"}}},
		{"no-version", header + "vpn,FortiGate,Fortinet,,vpn_gateway,HQ\n", 0,
			[]wantRejected{{Line: 2, Field: "version", Reason: "required unless cpe or purl"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejected, err := assetfile.ReadCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if len(rows) != tt.rows {
				t.Errorf("got %d rows, want %d", len(rows), tt.rows)
			}
			checkRejected(t, rejected, tt.rejected)
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	const header = "name,product,vendor,version,role,facility\n"
	const row = "vpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n"
	tests := []struct {
		name string
		in   string
		want string // a part of the error
	}{
		{"empty", "", "read CSV: empty file: want a header row"},
		{"bom-only", "\xef\xbb\xbf", "read CSV: empty file"},
		{"unknown-column", "name,product,vendor,version,role,facility,owner\n", `read CSV: line 1: header column 7: unknown column "owner"; want some of name, product,`},
		{"duplicate-column", "name,product,vendor,version,role,facility,Name\n", `read CSV: line 1: header column 7: "name" is also column 1`},
		{"empty-column", "name,product,,vendor,version,role,facility\n", "read CSV: line 1: header column 3 is empty"},
		{"missing-required", "name,product,vendor,version,role\n", `read CSV: line 1: header has no "facility" column`},
		// Excel's plain "CSV" in Japan is Shift_JIS: 東京 is 93 8C 8B 9E.
		{"shift-jis", header + "vpn,FortiGate,Fortinet,7.4.3,vpn_gateway,\x93\x8c\x8b\x9e\n", `read CSV: line 2, column 6: not UTF-8 text; save the file as "CSV UTF-8"`},
		{"bare-quote", header + "vpn,Forti\"Gate,Fortinet,7.4.3,vpn_gateway,HQ\n", `read CSV: parse error on line 2, column 10: bare " in non-quoted-field`},
		{"unclosed-quote", header + "vpn,\"FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n", "read CSV: parse error"},
		{"long-line", header + strings.Repeat("x", assetfile.MaxLineBytes+1) + "\n", fmt.Sprintf("read CSV: line 2: longer than %d bytes", assetfile.MaxLineBytes)},
		{"too-many-rows", header + strings.Repeat(row, assetfile.MaxRows+1), fmt.Sprintf("read CSV: line %d: more than %d data rows", assetfile.MaxRows+2, assetfile.MaxRows)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejected, err := assetfile.ReadCSV(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadCSV error = %v, want one containing %q", err, tt.want)
			}
			if rows != nil || rejected != nil {
				t.Errorf("ReadCSV returned %d rows and %d rejected with an error, want none", len(rows), len(rejected))
			}
		})
	}
}

func TestReadCSVMaxRows(t *testing.T) {
	// Exactly MaxRows rows are fine.
	var b strings.Builder
	b.WriteString("name,product,vendor,version,role,facility\n")
	for i := range assetfile.MaxRows {
		fmt.Fprintf(&b, "vpn-%d,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n", i)
	}
	rows, rejected, err := assetfile.ReadCSV(strings.NewReader(b.String()))
	if err != nil || len(rows) != assetfile.MaxRows || len(rejected) != 0 {
		t.Errorf("ReadCSV of %d rows = %d rows, %d rejected, %v; want all rows", assetfile.MaxRows, len(rows), len(rejected), err)
	}
}

func TestReadCSVFileTooLarge(t *testing.T) {
	// Many short lines that are all blank rows: only the file size stops them.
	in := "name,product,vendor,version,role,facility\n" + strings.Repeat(",,,,,\n", assetfile.MaxFileBytes/6+1)
	_, _, err := assetfile.ReadCSV(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("ReadCSV of %d bytes: error = %v, want larger than %d bytes", len(in), err, assetfile.MaxFileBytes)
	}
}

// TestCSVColumnsAreJSONFields pins the CSV columns to the JSON fields of
// reporting.AssetInput, so that a field added there is not silently
// missing from the import.
func TestCSVColumnsAreJSONFields(t *testing.T) {
	var fields []string
	typ := reflect.TypeFor[reporting.AssetInput]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
	}
	header := strings.Join(fields, ",") + "\n"
	if _, _, err := assetfile.ReadCSV(strings.NewReader(header)); err != nil {
		t.Errorf("a header of every JSON field of AssetInput: %v", err)
	}
	// And each column the reader knows is such a field: an unknown one is refused.
	for _, f := range fields {
		others := slices.DeleteFunc(slices.Clone(fields), func(s string) bool { return s == f })
		in := strings.Join(others, ",") + "," + f + "x\n"
		if _, _, err := assetfile.ReadCSV(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "unknown column") {
			t.Errorf("header with %q: error = %v, want unknown column", f+"x", err)
		}
	}
}

func TestReadCycloneDXFile(t *testing.T) {
	data, err := os.ReadFile("testdata/vpn-appliance.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	defaults := assetfile.Defaults{Role: reporting.RoleVPNGateway, Facility: "データセンター"}
	rows, rejected, err := assetfile.ReadCycloneDX(bytes.NewReader(data), defaults)
	if err != nil {
		t.Fatalf("ReadCycloneDX: %v", err)
	}
	want := []assetfile.Row{
		// The device: name, role, internet_facing and model from properties; vendor from manufacturer.
		{Line: 1, Ref: "sg100-hw", Asset: reporting.AssetInput{
			Name: "dc-vpn-1", Product: "SecureGate 100", Vendor: "Acme Networks", Model: "SG-100", Version: "rev B",
			CPE: "cpe:2.3:h:acme:securegate_100:-:*:*:*:*:*:*:*", Role: reporting.RoleVPNGateway, InternetFacing: true,
			Facility: "データセンター",
		}},
		// Nested firmware: name from bom-ref, a 2.2 CPE made canonical, dates from properties.
		{Line: 2, Ref: "sgos", Asset: reporting.AssetInput{
			Name: "sgos", Product: "SecureGate OS", Vendor: "Acme Networks", Version: "5.2.1",
			CPE: "cpe:2.3:o:acme:securegate_os:5.2.1:*:*:*:*:*:*:*", Role: reporting.RoleVPNGateway, InternetFacing: true,
			Facility: "データセンター", Introduced: date(t, "2024-06-01"), SupportEnd: date(t, "2028-03-31"),
		}},
		// A library nested two deep: vendor from publisher; defaults fill the rest.
		{Line: 3, Ref: "pkg:generic/openssl@3.0.13", Asset: reporting.AssetInput{
			Name: "pkg:generic/openssl@3.0.13", Product: "openssl", Vendor: "OpenSSL Project", Version: "3.0.13",
			CPE: "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*", PURL: "pkg:generic/openssl@3.0.13",
			Role: reporting.RoleVPNGateway, Facility: "データセンター",
		}},
		{Line: 4, Ref: "strongswan", Asset: reporting.AssetInput{
			Name: "strongswan", Product: "strongswan", Vendor: "strongSwan Project", Version: "5.9.13",
			PURL: "pkg:deb/debian/strongswan@5.9.13-2?arch=arm64", Role: reporting.RoleVPNGateway, Facility: "データセンター",
		}},
		// Vendor from group.
		{Line: 6, Ref: "zlib", Asset: reporting.AssetInput{
			Name: "zlib", Product: "zlib", Vendor: "madler", Version: "1.3.1",
			PURL: "pkg:github/madler/zlib@v1.3.1", Role: reporting.RoleVPNGateway, Facility: "データセンター",
		}},
		// No bom-ref: the name is the product.
		{Line: 9, Asset: reporting.AssetInput{
			Name: "libxml2", Product: "libxml2", Vendor: "GNOME", Version: "2.12.5",
			Role: reporting.RoleVPNGateway, Facility: "データセンター",
		}},
	}
	if diff := cmp.Diff(want, rows, dateCmp); diff != "" {
		t.Errorf("ReadCycloneDX rows mismatch (-want +got):\n%s", diff)
	}
	checkRejected(t, rejected, []wantRejected{
		{Line: 5, Ref: "busybox", Field: "vendor", Reason: "required"},
		{Line: 7, Ref: "web-admin", Field: "cpe", Reason: `product "web admin": space at column 19`},
		{Line: 8, Ref: "ha-sync", Field: "properties", Reason: `unknown property "acd:facilty"`},
	})
	if got, want := rejected[0].String(), `component 5 (bom-ref "busybox"): vendor: required`; got != want {
		t.Errorf("Rejected.String() = %q, want %q", got, want)
	}
}

// bom wraps components (a JSON array's elements) in a CycloneDX 1.6 BOM.
func bom(components ...string) string {
	return `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[` + strings.Join(components, ",") + `]}`
}

func TestReadCycloneDX(t *testing.T) {
	defaults := assetfile.Defaults{Role: reporting.RoleServer, Facility: "HQ", InternetFacing: true}
	tests := []struct {
		name     string
		in       string
		want     []assetfile.Row
		rejected []wantRejected
	}{
		{"no-components", `{"bomFormat":"CycloneDX","specVersion":"1.4","version":1}`, nil, nil},
		// Properties override every default; role other with its detail.
		{"properties", bom(`{"type":"device","name":"UPS","version":"3","supplier":{"name":"APC"},"properties":[
			{"name":"acd:role","value":"other"},{"name":"acd:role_detail","value":"UPS"},
			{"name":"acd:facility","value":"DC"},{"name":"acd:internet_facing","value":"no"}]}`),
			[]assetfile.Row{{Line: 1, Asset: reporting.AssetInput{Name: "UPS", Product: "UPS", Vendor: "APC", Version: "3",
				Role: reporting.RoleOther, RoleDetail: "UPS", Facility: "DC"}}}, nil},
		// Supplier wins over manufacturer, publisher and group; a blank supplier does not.
		{"vendor-order", bom(
			`{"type":"library","name":"a","version":"1","supplier":{"name":"S"},"manufacturer":{"name":"M"},"publisher":"P","group":"G"}`,
			`{"type":"library","name":"b","version":"1","supplier":{"name":" "},"manufacturer":{"name":"M"},"publisher":"P"}`),
			[]assetfile.Row{
				{Line: 1, Asset: reporting.AssetInput{Name: "a", Product: "a", Vendor: "S", Version: "1", Role: reporting.RoleServer, InternetFacing: true, Facility: "HQ"}},
				{Line: 2, Asset: reporting.AssetInput{Name: "b", Product: "b", Vendor: "M", Version: "1", Role: reporting.RoleServer, InternetFacing: true, Facility: "HQ"}},
			}, nil},
		// Two components that end up with one name.
		{"duplicate-name", bom(`{"type":"library","name":"a","version":"1","group":"g"}`, `{"type":"library","name":"a","version":"2","group":"g"}`),
			[]assetfile.Row{{Line: 1, Asset: reporting.AssetInput{Name: "a", Product: "a", Vendor: "g", Version: "1", Role: reporting.RoleServer, InternetFacing: true, Facility: "HQ"}}},
			[]wantRejected{{Line: 2, Field: "name", Reason: `"a" is also the name of component 1`}}},
		// Bad property values, and a property given twice.
		{"bad-properties", bom(
			`{"type":"library","bom-ref":"x","name":"x","version":"1","group":"g","properties":[{"name":"acd:internet_facing","value":"sometimes"}]}`,
			`{"type":"library","bom-ref":"y","name":"y","version":"1","group":"g","properties":[{"name":"acd:support_end","value":"2027"}]}`,
			`{"type":"library","bom-ref":"z","name":"z","version":"1","group":"g","properties":[{"name":"acd:role","value":"hmi"},{"name":"acd:role","value":"plc"}]}`),
			nil, []wantRejected{
				{Line: 1, Ref: "x", Field: "internet_facing", Reason: `property acd:internet_facing is "sometimes"`},
				{Line: 2, Ref: "y", Field: "support_end", Reason: `property acd:support_end is "2027": want YYYY-MM-DD`},
				{Line: 3, Ref: "z", Field: "properties", Reason: `"acd:role" given more than once`},
			}},
		// No default role and no property: rejected.
		{"no-role", bom(`{"type":"library","name":"a","version":"1","group":"g","properties":[{"name":"acd:role","value":""}]}`),
			nil, []wantRejected{{Line: 1, Field: "role", Reason: "required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejected, err := assetfile.ReadCycloneDX(strings.NewReader(tt.in), defaults)
			if err != nil {
				t.Fatalf("ReadCycloneDX: %v", err)
			}
			if diff := cmp.Diff(tt.want, rows, dateCmp); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
			checkRejected(t, rejected, tt.rejected)
		})
	}
}

func TestReadCycloneDXErrors(t *testing.T) {
	many := make([]string, assetfile.MaxRows+1)
	for i := range many {
		many[i] = `{"type":"library","name":"x"}`
	}
	tests := []struct {
		name     string
		in       string
		defaults assetfile.Defaults
		want     string // a part of the error
	}{
		{"empty", "", assetfile.Defaults{}, "read CycloneDX: not JSON: line 1, column 1 (byte offset 0): unexpected end of JSON input"},
		{"syntax", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": 1.5,,\n}", assetfile.Defaults{}, "read CycloneDX: not JSON: line 3, column 22 (byte offset 51): invalid character ',' looking for beginning of object key string"},
		{"type", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","version":7}]}`, assetfile.Defaults{},
			`read CycloneDX: line 1, column 82 (byte offset 81): field "components.version": JSON number where string belongs`},
		{"not-cyclonedx", `{"spdxVersion":"SPDX-2.3"}`, assetfile.Defaults{}, `read CycloneDX: bomFormat is "", want "CycloneDX"`},
		{"no-spec-version", `{"bomFormat":"CycloneDX"}`, assetfile.Defaults{}, "read CycloneDX: specVersion missing: want 1.4, 1.5, 1.6 or 1.7"},
		{"old-spec", `{"bomFormat":"CycloneDX","specVersion":"1.3"}`, assetfile.Defaults{}, "read CycloneDX: specVersion 1.3: want 1.4, 1.5, 1.6 or 1.7"},
		{"unknown-spec", `{"bomFormat":"CycloneDX","specVersion":"2.0"}`, assetfile.Defaults{}, "read CycloneDX: specVersion: want 1.4, 1.5, 1.6 or 1.7"},
		{"bad-default-role", bom(), assetfile.Defaults{Role: "vpn"}, `read CycloneDX: defaults: role "vpn" is not one of the asset roles`},
		{"too-many", bom(many...), assetfile.Defaults{}, fmt.Sprintf("read CycloneDX: more than %d components", assetfile.MaxRows)},
		{"too-large", `{"bomFormat":"CycloneDX","x":"` + strings.Repeat("x", assetfile.MaxFileBytes) + `"}`, assetfile.Defaults{}, "read CycloneDX: larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejected, err := assetfile.ReadCycloneDX(strings.NewReader(tt.in), tt.defaults)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadCycloneDX error = %v, want one containing %q", err, tt.want)
			}
			if rows != nil || rejected != nil {
				t.Errorf("ReadCycloneDX returned %d rows and %d rejected with an error, want none", len(rows), len(rejected))
			}
		})
	}
}

// checkRows checks what both readers promise of a result without error.
func checkRows(t *testing.T, rows []assetfile.Row, rejected []assetfile.Rejected) {
	t.Helper()
	if len(rows)+len(rejected) > assetfile.MaxRows {
		t.Fatalf("%d rows and %d rejected, over MaxRows", len(rows), len(rejected))
	}
	names := map[string]bool{}
	for _, r := range rows {
		if r.Line < 1 {
			t.Fatalf("row at line %d", r.Line)
		}
		if names[r.Asset.Name] {
			t.Fatalf("name %q twice", r.Asset.Name)
		}
		names[r.Asset.Name] = true
		again := r.Asset
		if err := again.Normalize(); err != nil {
			t.Fatalf("row at line %d does not normalize again: %v", r.Line, err)
		}
		if diff := cmp.Diff(r.Asset, again, dateCmp); diff != "" {
			t.Fatalf("row at line %d changes when normalized again:\n%s", r.Line, diff)
		}
	}
	for _, r := range rejected {
		if r.Line < 1 || r.Reason == "" {
			t.Fatalf("rejected %+v: want a line and a reason", r)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	if data, err := os.ReadFile("testdata/assets.csv"); err == nil {
		f.Add(data) // the test file: BOM, CRLF, bad rows
	}
	f.Add([]byte("name,product,vendor,version,role,facility\nvpn,FortiGate,Fortinet,7.4.3,vpn_gateway,HQ\n"))    // minimal
	f.Add([]byte("name,cpe,purl,role,product,vendor,facility\n\"a\nb\",cpe:/a:x:y:1,pkg:npm/x@1,other,p,v,f\n")) // quoted newline, role other without detail
	f.Add([]byte("name,product\n\"unclosed\n"))                                                                  // bad CSV
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, rejected, err := assetfile.ReadCSV(bytes.NewReader(data))
		if err != nil {
			if rows != nil || rejected != nil {
				t.Fatalf("rows with an error")
			}
			return
		}
		checkRows(t, rows, rejected)
	})
}

func FuzzReadCycloneDX(f *testing.F) {
	if data, err := os.ReadFile("testdata/vpn-appliance.cdx.json"); err == nil {
		f.Add(data) // the test SBOM: nested components, bad components
	}
	f.Add([]byte(bom(`{"type":"library","name":"a","version":"1","group":"g","components":[{"type":"library","name":"b","cpe":"cpe:/a:b:b:1","supplier":{"name":"s"}}]}`)))    // nesting
	f.Add([]byte(bom(`{"type":"device","name":"d","version":"1","publisher":"p","properties":[{"name":"acd:role","value":"other"},{"name":"acd:role_detail","value":"x"}]}`))) // properties
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":1}]}`))                                                                                   // type error
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, rejected, err := assetfile.ReadCycloneDX(bytes.NewReader(data), assetfile.Defaults{Role: reporting.RoleServer, Facility: "HQ"})
		if err != nil {
			if rows != nil || rejected != nil {
				t.Fatalf("rows with an error")
			}
			return
		}
		checkRows(t, rows, rejected)
	})
}

// TestDocSample reads the sample CSV of docs/assets-import.md: every row
// must be accepted.
func TestDocSample(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/assets-import.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```csv\n")
	sample, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/assets-import.md has no ```csv block")
	}
	rows, rejected, err := assetfile.ReadCSV(strings.NewReader(sample))
	if err != nil {
		t.Fatalf("ReadCSV(sample): %v", err)
	}
	for _, r := range rejected {
		t.Errorf("sample row rejected: %s", r)
	}
	if len(rows) != 4 {
		t.Errorf("sample: got %d rows, want 4", len(rows))
	}
}
