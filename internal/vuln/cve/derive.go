package cve

import (
	"net/url"
	"strings"

	"github.com/acd-platform/acd/internal/product"
)

// deriveCPE makes a CPE pattern from CVE 5 vendor and product names when
// the record gives no CPE: part ANY, vendor and product lower case with
// runs of white space as "_", every other attribute ANY. Names that are
// missing, placeholders ("n/a", "unknown") or not ASCII give no CPE.
func deriveCPE(vendor, prod string) (product.CPE, bool) {
	v, ok := cpeName(vendor)
	if !ok {
		return product.CPE{}, false
	}
	p, ok := cpeName(prod)
	if !ok {
		return product.CPE{}, false
	}
	return product.CPE{Vendor: v, Product: p}, true
}

// NameCPE returns the CPE name of a product known only by its vendor,
// product and version names, as a §4 asset notification without a CPE gives
// them: "cpe:2.3:a:<vendor>:<product>:<version>:*:…", the names normalised as
// for derived CPEs (lower case, runs of white space as "_", punctuation
// quoted), so that it matches the CPEs derived from CVE 5 records that use
// the same names. A version that is empty or cannot be written is ANY (such
// an asset is affected only by records that affect every version). ok is
// false when the vendor or product is missing, a placeholder, or not ASCII.
func NameCPE(vendor, prod, version string) (c product.CPE, ok bool) {
	c, ok = deriveCPE(vendor, prod)
	if !ok {
		return product.CPE{}, false
	}
	c.Part, _ = product.ParseValue("a") // a constant that parses
	if v, ok := cpeName(version); ok {
		c.Version = v
	}
	return c, true
}

// cpeName turns a vendor or product name into a CPE string value.
func cpeName(s string) (product.Value, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), "_"))
	switch s {
	case "", "n/a", "na", "unknown", "unspecified", "-", "*":
		return product.Value{}, false
	}
	if len(s) > 200 {
		return product.Value{}, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
			b.WriteByte(c)
		case 0x21 <= c && c <= 0x7e:
			b.WriteByte('\\') // quote punctuation, "*" and "?" included
			b.WriteByte(c)
		default:
			return product.Value{}, false
		}
	}
	v, err := product.ParseValue(b.String())
	if err != nil || v.Kind() != product.KindString {
		return product.Value{}, false
	}
	return v, true
}

// purlTypes maps the host (and path) of a CVE 5 collectionURL to a
// package URL type. The keys are compared after lower-casing, without
// scheme, "www." or a trailing "/".
var purlTypes = map[string]string{
	"repo.maven.apache.org/maven2": "maven",
	"repo1.maven.org/maven2":       "maven",
	"central.sonatype.com":         "maven",
	"search.maven.org":             "maven",
	"registry.npmjs.org":           "npm",
	"npmjs.com":                    "npm",
	"pypi.org":                     "pypi",
	"pypi.python.org":              "pypi",
	"crates.io":                    "cargo",
	"rubygems.org":                 "gem",
	"pkg.go.dev":                   "golang",
	"proxy.golang.org":             "golang",
	"go.dev":                       "golang",
	"nuget.org":                    "nuget",
	"api.nuget.org":                "nuget",
	"packagist.org":                "composer",
	"hex.pm":                       "hex",
	"pub.dev":                      "pub",
	"cocoapods.org":                "cocoapods",
	"hackage.haskell.org":          "hackage",
	"cran.r-project.org":           "cran",
}

// packagePURL makes the package URL (without version) of a CVE 5
// collectionURL and packageName, when the collection is a repository with
// a package URL type: Maven "group:artifact", npm "@scope/name", Go
// "module/path", Composer "vendor/name", others a plain name.
func packagePURL(collection, name string) (product.PURL, bool) {
	if collection == "" || name == "" {
		return product.PURL{}, false
	}
	u, err := url.Parse(strings.TrimSpace(collection))
	if err != nil || u.Host == "" {
		return product.PURL{}, false
	}
	key := strings.TrimPrefix(strings.ToLower(u.Host), "www.") + strings.TrimSuffix(strings.ToLower(u.Path), "/")
	typ, ok := purlTypes[key]
	if !ok {
		typ, ok = purlTypes[strings.TrimPrefix(strings.ToLower(u.Host), "www.")]
	}
	if !ok {
		return product.PURL{}, false
	}
	p := product.PURL{Type: typ}
	switch typ {
	case "maven":
		g, a, found := strings.Cut(name, ":")
		if !found {
			g, a, found = cutLast(name, "/")
		}
		if !found {
			return product.PURL{}, false
		}
		p.Namespace, p.Name = g, a
	case "npm", "golang", "composer":
		p.Namespace, p.Name, _ = cutLast(name, "/")
		if p.Name == "" {
			p.Namespace, p.Name = "", name
		}
	default:
		p.Name = name
	}
	// Parse the canonical form: it checks what the fields hold and
	// applies the type's normalisation (pypi names lower case, …).
	got, err := product.ParsePURL(p.String())
	if err != nil {
		return product.PURL{}, false
	}
	return got, true
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}
