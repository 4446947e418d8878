// Package product identifies products by CPE 2.3 name and package URL, so
// that the specified critical computers operators notify (§4) can be matched
// against vulnerabilities (§42).
//
// # CPE
//
// [ParseCPE] reads a CPE name in the CPE 2.3 formatted string binding
// ("cpe:2.3:a:vendor:product:…", NISTIR 7695 §6.2) or the CPE 2.2 URI
// binding ("cpe:/a:vendor:product:…", NISTIR 7695 §6.1) into a [CPE], the
// well-formed name (WFN, §5) of eleven attributes. Each attribute is a
// [Value]: the logical value ANY, the logical value NA, or a string with
// optional unquoted wildcards ("*", or a run of "?") at its start or end.
// [CPE.String] writes the canonical formatted string. CPE names are
// case-insensitive: parsing folds ASCII letters to lower case, as the 2.2
// URI binding (§6.1.3) does and the CPE dictionary writes them.
//
// The Value representation keeps what NISTIR 7696 name matching needs (ANY
// vs NA vs a string, the string's characters without quoting, the wildcards
// at each end); the matching itself lives with the vulnerability catalogue.
//
// # Package URL
//
// [ParsePURL] reads a package URL ("pkg:type/namespace/name@version?
// qualifiers#subpath") with github.com/package-url/packageurl-go and adds
// checks of its own (see [ParsePURL]); [PURL.String] writes the canonical
// form.
//
// # Errors
//
// Both parsers return a [*ParseError] that quotes the input and names the
// component at fault, e.g.
//
//	parse CPE "cpe:2.3:x:acme:vpn:1.0:*:*:*:*:*:*:*": part "x": want a, o, h, * or -
package product
