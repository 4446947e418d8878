package match

import (
	"strings"

	"github.com/acd-platform/acd/internal/product"
	"github.com/acd-platform/acd/internal/vuln/cve"
)

// AffectsCPE reports whether the affected product a covers the asset
// named by the CPE name (see docs/vuln-matching.md):
//
//   - a has a CPE, and every attribute of it other than the version is
//     SUPERSET or EQUAL of the name's (NISTIR 7696), so a pattern with ANY
//     covers any value and NA only NA;
//   - the version: a's CPE version, if a string without wildcards, must
//     equal the name's version as a version (Generic: "7.4" = "7.4.0"), if
//     wildcards, match it as NISTIR 7696 says, if NA, the name's must be
//     NA; and the name's version (with its update appended, "10.2.9" and
//     "h1" giving "10.2.9-h1", when the update is a string) must be
//     affected by a.Versions. A name whose version is ANY or NA is
//     affected only when a.Versions affects every version.
func AffectsCPE(a *cve.Affected, name product.CPE) bool {
	e, ok := compileEntry(a)
	if !ok || e.isPURL {
		return false
	}
	return e.coversCPE(&name, assetVersions(name))
}

// AffectsPURL reports whether the affected product a covers the package
// p: same type, namespace and name; every qualifier a's PURL gives has the
// same value in p; a's subpath, if any, is p's; and p's version is
// affected by a.Versions (a p without a version only when every version
// is).
func AffectsPURL(a *cve.Affected, p product.PURL) bool {
	e, ok := compileEntry(a)
	if !ok || !e.isPURL || purlKey(p) != e.key {
		return false
	}
	return e.coversPURL(&p, purlVersions(p))
}

// entry is a cve.Affected compiled for matching.
type entry struct {
	vuln int32 // the vulnerability's slot in an Index; unused elsewhere
	idx  int32 // the Affected's index in Vulnerability.Affected

	isPURL bool
	// key is the bucket: "vendor:product" for a CPE whose vendor and
	// product are strings without wildcards, "type/namespace/name" for a
	// PURL; "" for a CPE that must be compared with every asset.
	key string
	// bucket is the Index's bucket for key while the entry is in an
	// Index (a bucket lives as long as an entry names it).
	bucket *bucket

	// CPE: the criteria's attributes that are not ANY, other than
	// vendor and product when key holds them, and other than version.
	conds []cond
	ver   product.Value // the criteria's version attribute
	// verKey is the Generic key of ver when it is a plain string.
	verKey string
	// partOnly says conds is at most the part, a plain value or NA, so
	// that an asset's part byte (see partByte) settles it: it is
	// covered when part is 0 (ANY) or equal.
	partOnly bool
	part     byte

	// PURL: constraints beyond the key.
	quals   []product.Qualifier
	subpath string
	pver    string // a version in the affected PURL itself; "" if none

	set versionSet
}

// cond is one attribute the asset's CPE must be covered in.
type cond struct {
	attr int // index in product.CPE.Attrs order
	v    product.Value
}

// Attribute indexes in product.AttrNames order.
const (
	attrPart = iota
	attrVendor
	attrProduct
	attrVersion
	attrUpdate
)

// compileEntry compiles a; false if a names nothing to match (no CPE and
// no PURL).
func compileEntry(a *cve.Affected) (entry, bool) {
	var e entry
	switch {
	case a.PURL != nil:
		e.isPURL = true
		e.key = purlKey(*a.PURL)
		e.quals = a.PURL.Qualifiers
		e.subpath = a.PURL.Subpath
		e.pver = a.PURL.Version
	case a.CPE != nil:
		c := a.CPE
		plain := func(v product.Value) bool { return v.Kind() == product.KindString && !v.HasWildcards() }
		if plain(c.Vendor) && plain(c.Product) {
			e.key = c.Vendor.Text() + ":" + c.Product.Text()
		}
		for i, v := range c.Attrs() {
			switch {
			case i == attrVersion:
				e.ver = v
				if v.Kind() == product.KindString && !v.HasWildcards() {
					e.verKey = versionKey(Generic, v.Text())
				}
			case (i == attrVendor || i == attrProduct) && e.key != "":
			case v.Kind() != product.KindAny:
				e.conds = append(e.conds, cond{i, v})
			}
		}
	default:
		return e, false
	}
	switch {
	case len(e.conds) == 0:
		e.partOnly = true
	case len(e.conds) == 1 && e.conds[0].attr == attrPart && !e.conds[0].v.HasWildcards():
		e.partOnly = true
		e.part = '-'
		if v := e.conds[0].v; v.Kind() == product.KindString {
			e.part = v.Text()[0]
		}
	}
	e.set = compileVersions(a.Versions)
	return e, true
}

// purlKey is the bucket of a package: type, namespace and name.
func purlKey(p product.PURL) string {
	return p.Type + "/" + p.Namespace + "/" + p.Name
}

// versions is an asset's version under each scheme, computed once.
type versions struct {
	known      bool // the asset has a version (a string)
	raw        string
	keys       [3]string // by Scheme
	rawGeneric string    // Generic key of the CPE version attribute alone
}

// assetVersions returns the versions of a CPE name: its version attribute
// with the update appended when that is a string.
func assetVersions(c product.CPE) versions {
	if c.Version.Kind() != product.KindString {
		return versions{}
	}
	v := c.Version.Text()
	raw := v
	if c.Update.Kind() == product.KindString {
		v += "-" + c.Update.Text()
	}
	vs := makeVersions(v)
	vs.rawGeneric = versionKey(Generic, raw)
	return vs
}

// purlVersions returns the versions of a package URL.
func purlVersions(p product.PURL) versions {
	if p.Version == "" {
		return versions{}
	}
	vs := makeVersions(p.Version)
	vs.rawGeneric = vs.keys[Generic]
	return vs
}

func makeVersions(v string) versions {
	return versions{
		known: true,
		raw:   v,
		keys:  [3]string{versionKey(Generic, v), versionKey(Semver, v), versionKey(Git, v)},
	}
}

// coversCPE reports whether e covers the asset name c with versions vs.
func (e *entry) coversCPE(c *product.CPE, vs versions) bool {
	if e.key != "" && !keyIs(e.key, c.Vendor.Text(), c.Product.Text()) {
		return false
	}
	return e.coversName(c) && e.coversVersion(c.Version, vs)
}

// keyIs reports whether key is vendor+":"+product, without building it.
func keyIs(key, vendor, product string) bool {
	return len(key) == len(vendor)+1+len(product) && key[len(vendor)] == ':' &&
		key[:len(vendor)] == vendor && key[len(vendor)+1:] == product
}

// coversName checks the conditions other than the version; the caller has
// checked vendor and product when e.key holds them.
func (e *entry) coversName(c *product.CPE) bool {
	if e.partOnly {
		return e.part == 0 || e.part == partByte(c)
	}
	for _, k := range e.conds {
		if !covers(k.v, *attr(c, k.attr)) {
			return false
		}
	}
	return true
}

// attr returns c's attribute i (in product.AttrNames order) without
// copying the CPE.
func attr(c *product.CPE, i int) *product.Value {
	switch i {
	case 0:
		return &c.Part
	case 1:
		return &c.Vendor
	case 2:
		return &c.Product
	case 3:
		return &c.Version
	case 4:
		return &c.Update
	case 5:
		return &c.Edition
	case 6:
		return &c.Language
	case 7:
		return &c.SWEdition
	case 8:
		return &c.TargetSW
	case 9:
		return &c.TargetHW
	}
	return &c.Other
}

// coversVersion checks the criteria's version attribute against the
// asset's (v) and the affected versions against the asset's versions.
func (e *entry) coversVersion(v product.Value, vs versions) bool {
	switch e.ver.Kind() {
	case product.KindNA:
		if v.Kind() != product.KindNA {
			return false
		}
	case product.KindString:
		if !vs.known {
			return false
		}
		if e.ver.HasWildcards() {
			if !covers(e.ver, v) {
				return false
			}
		} else if e.verKey != vs.rawGeneric {
			return false
		}
	}
	return e.inSet(vs)
}

// inSet reports whether the asset's versions are affected by e.set.
func (e *entry) inSet(vs versions) bool {
	if e.set.all() {
		return true
	}
	if !vs.known {
		return false
	}
	return e.set.contains(vs.keys[e.set.scheme])
}

// coversPURL reports whether e covers package p with versions vs; the
// caller has checked the key.
func (e *entry) coversPURL(p *product.PURL, vs versions) bool {
	for _, q := range e.quals {
		if got, ok := p.Qualifier(q.Key); !ok || got != q.Value {
			return false
		}
	}
	if e.subpath != "" && p.Subpath != e.subpath && !strings.HasPrefix(p.Subpath, e.subpath+"/") {
		return false
	}
	if e.pver != "" && (!vs.known || versionKey(e.set.scheme, e.pver) != vs.keys[e.set.scheme]) {
		return false
	}
	return e.inSet(vs)
}
