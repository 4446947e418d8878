package reporting

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/product"
)

// Limits on the fields of an AssetInput.
const (
	// MaxAssetTextLen is the most characters (not bytes) a one-line text
	// field of an asset may hold: name, product, vendor, model, version,
	// role_detail, facility.
	MaxAssetTextLen = 200
	// MaxAssetIDLen is the most characters the cpe and purl fields may
	// hold, as given (package URLs with qualifiers run long).
	MaxAssetIDLen = 512
)

// Normalize checks a and rewrites it to canonical form, so that two
// notifications of the same computer compare equal. It
//
//   - trims spaces from every text field and lower-cases role;
//   - requires name, product, vendor, role and facility;
//   - requires role to be one of AssetRoles, and role_detail exactly when
//     role is "other";
//   - limits text fields to MaxAssetTextLen characters (cpe and purl to
//     MaxAssetIDLen), valid UTF-8, with no control or line-break
//     characters;
//   - parses cpe with product.ParseCPE (CPE 2.3 formatted string or 2.2
//     URI) and rewrites it as the CPE 2.3 formatted string; it must name
//     one product: part, vendor and product given (not * or -), and no
//     wildcards in any attribute;
//   - parses purl with product.ParsePURL and rewrites it in canonical form;
//     cpe and purl are held to MaxAssetIDLen both as given and as
//     rewritten, so that a normalized asset normalizes again unchanged;
//   - requires the product to be identifiable for vulnerability matching
//     (§42): a cpe, a purl, or a version (product and vendor are always
//     required, so product+vendor+version is the fallback);
//   - requires support_end not to be before introduced when both are given.
//
// It stops at the first problem, checking fields in the order of the JSON
// object, and returns it as a *FieldError naming the JSON field. On error
// a may be partly rewritten.
func (a *AssetInput) Normalize() error {
	text := []struct {
		field    string
		v        *string
		required bool
		max      int
	}{
		{"name", &a.Name, true, MaxAssetTextLen},
		{"product", &a.Product, true, MaxAssetTextLen},
		{"vendor", &a.Vendor, true, MaxAssetTextLen},
		{"model", &a.Model, false, MaxAssetTextLen},
		{"version", &a.Version, false, MaxAssetTextLen},
		{"cpe", &a.CPE, false, MaxAssetIDLen},
		{"purl", &a.PURL, false, MaxAssetIDLen},
	}
	for _, f := range text {
		if err := normalizeLine(f.field, f.v, f.required, f.max); err != nil {
			return err
		}
	}
	if a.CPE != "" {
		c, err := product.ParseCPE(a.CPE)
		if err != nil {
			return &FieldError{Field: "cpe", Msg: err.Error()}
		}
		if msg := cpeNamesOneProduct(c); msg != "" {
			return fieldErrorf("cpe", "%q %s", a.CPE, msg)
		}
		a.CPE = c.String()
		if n := len(a.CPE); n > MaxAssetIDLen {
			return fieldErrorf("cpe", "%d characters long as CPE 2.3, want at most %d", n, MaxAssetIDLen)
		}
	}
	if a.PURL != "" {
		p, err := product.ParsePURL(a.PURL)
		if err != nil {
			return &FieldError{Field: "purl", Msg: err.Error()}
		}
		a.PURL = p.String()
		if n := len(a.PURL); n > MaxAssetIDLen {
			return fieldErrorf("purl", "%d characters long in canonical form (percent-encoded), want at most %d", n, MaxAssetIDLen)
		}
	}
	if a.CPE == "" && a.PURL == "" && a.Version == "" {
		return fieldErrorf("version", "required unless cpe or purl is given (the product must be identifiable to match vulnerabilities)")
	}

	role := strings.ToLower(strings.TrimSpace(string(a.Role)))
	a.Role = AssetRole(role)
	if role == "" {
		return fieldErrorf("role", "required")
	}
	if !isAssetRole(a.Role) {
		return fieldErrorf("role", "%q: want one of %s", truncate(role), assetRoleList())
	}
	if err := normalizeLine("role_detail", &a.RoleDetail, a.Role == RoleOther, MaxAssetTextLen); err != nil {
		if a.Role == RoleOther && a.RoleDetail == "" {
			return fieldErrorf("role_detail", `required when role is "other"`)
		}
		return err
	}
	if a.Role != RoleOther && a.RoleDetail != "" {
		return fieldErrorf("role_detail", `only for role "other" (role is %q)`, role)
	}
	if err := normalizeLine("facility", &a.Facility, true, MaxAssetTextLen); err != nil {
		return err
	}
	if !a.Introduced.IsZero() && !a.SupportEnd.IsZero() && a.SupportEnd.Time().Before(a.Introduced.Time()) {
		return fieldErrorf("support_end", "%s is before introduced (%s)", a.SupportEnd, a.Introduced)
	}
	return nil
}

// normalizeLine trims *v and checks it as a one-line text field.
func normalizeLine(field string, v *string, required bool, max int) error {
	s := strings.TrimSpace(*v)
	*v = s
	if s == "" {
		if required {
			return fieldErrorf(field, "required")
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return fieldErrorf(field, "not valid UTF-8")
	}
	n := 0
	for _, r := range s {
		n++
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fieldErrorf(field, "control or line-break character %U at character %d: one line of text only", r, n)
		}
	}
	if n > max {
		return fieldErrorf(field, "%d characters long, want at most %d", n, max)
	}
	return nil
}

// cpeNamesOneProduct returns what keeps c from naming one product, or "":
// an asset's CPE is a name (NISTIR 7695 §5), not a pattern.
func cpeNamesOneProduct(c product.CPE) string {
	for _, attr := range [...]struct {
		name string
		v    product.Value
	}{{"part", c.Part}, {"vendor", c.Vendor}, {"product", c.Product}} {
		if attr.v.Kind() != product.KindString {
			return fmt.Sprintf("does not name a product: %s is %s, want a value", attr.name, attr.v.WFN())
		}
	}
	names := product.AttrNames()
	for i, v := range c.Attrs() {
		if v.HasWildcards() {
			return fmt.Sprintf("is a pattern, not a name: %s %s has wildcards", names[i], v.WFN())
		}
	}
	return ""
}

// isAssetRole reports whether r is one of AssetRoles.
func isAssetRole(r AssetRole) bool {
	for _, x := range AssetRoles {
		if r == x {
			return true
		}
	}
	return false
}

// assetRoleList returns AssetRoles as a comma-separated list.
func assetRoleList() string {
	s := make([]string, len(AssetRoles))
	for i, r := range AssetRoles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// truncate cuts s to MaxAssetTextLen bytes (on a character boundary) for
// quoting in an error.
func truncate(s string) string {
	if len(s) <= MaxAssetTextLen {
		return s
	}
	n := MaxAssetTextLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
