package product

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/package-url/packageurl-go"
)

// PURL is a package URL (purl-spec, ECMA-427):
// pkg:type/namespace/name@version?qualifiers#subpath. Its fields hold the
// decoded components; [ParsePURL] leaves them in canonical form.
type PURL struct {
	// Type is the package type, e.g. "npm", "maven", "deb", "generic";
	// lower case.
	Type string
	// Namespace is the name prefix ("/"-separated segments), e.g. a Maven
	// groupId, a Debian distribution or an npm scope ("@angular"); "" if
	// none.
	Namespace string
	// Name is the package name; never "".
	Name string
	// Version is the package version; "" if not given.
	Version string
	// Qualifiers are extra key=value data (arch, distro, repository_url,
	// …), keys lower case and sorted, no key twice, no empty value.
	Qualifiers []Qualifier
	// Subpath is a path inside the package; "" if none.
	Subpath string
}

// Qualifier is one key=value qualifier of a [PURL].
type Qualifier struct {
	Key   string
	Value string
}

// Qualifier returns the value of the qualifier with key, and whether there
// is one.
func (p PURL) Qualifier(key string) (string, bool) {
	for _, q := range p.Qualifiers {
		if q.Key == key {
			return q.Value, true
		}
	}
	return "", false
}

// String returns p in canonical form: lower-case type, components
// percent-encoded as the specification says, qualifiers sorted by key.
func (p PURL) String() string {
	qs := make(packageurl.Qualifiers, len(p.Qualifiers))
	for i, q := range p.Qualifiers {
		qs[i] = packageurl.Qualifier{Key: q.Key, Value: q.Value}
	}
	u := packageurl.PackageURL{
		Type:       p.Type,
		Namespace:  p.Namespace,
		Name:       p.Name,
		Version:    p.Version,
		Qualifiers: qs,
		Subpath:    p.Subpath,
	}
	return u.ToString()
}

// namespaceRequired reports whether packages of type typ are not named
// without a namespace (purl-spec PURL-TYPES: the Maven groupId, the
// repository owner of github/bitbucket/gitlab, the Composer vendor, the
// distribution of deb/apk/alpm, the source host of swift, the publisher of
// a VS Code extension).
func namespaceRequired(typ string) bool {
	switch typ {
	case "maven", "github", "bitbucket", "gitlab", "composer", "swift", "deb", "apk", "alpm", "vscode-extension":
		return true
	}
	return false
}

// ParsePURL reads a package URL with packageurl-go and checks more than it
// does: the input is printable ASCII (anything else is percent-encoded);
// the scheme is "pkg:"; the type is letters, digits, ".", "+" and "-", not
// starting with a digit (any case; it is folded to lower case); a name is
// given; no namespace segment holds an encoded "/"; the types that need a
// namespace (maven, github, bitbucket, gitlab, composer, swift, deb, apk,
// alpm, vscode-extension) have one; an npm namespace is a scope
// ("@angular"); decoded components are UTF-8 without control characters;
// no subpath segment is "." or "..". Errors are [*ParseError].
func ParsePURL(s string) (PURL, error) {
	perr := func(component, value string, off int, format string, args ...any) error {
		return &ParseError{Kind: "PURL", Input: s, Component: component, Value: value, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if len(s) > MaxLen {
		return PURL{}, perr("", "", MaxLen, "longer than %d bytes", MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if !isPrintable(s[i]) {
			return PURL{}, perr("", "", i, "%s at column %d: only printable ASCII is allowed (percent-encode the rest)", describeByte(s, i), i+1)
		}
	}
	if !hasPrefixFold(s, "pkg:") {
		return PURL{}, perr("", "", 0, `want "pkg:" at the start`)
	}

	// Find the components the way the specification's parsing procedure
	// does, to name them in errors before packageurl-go runs.
	off := len("pkg:")
	rest := s[off:]
	for strings.HasPrefix(rest, "/") {
		rest, off = rest[1:], off+1
	}
	rest, rawSubpath, _ := strings.Cut(rest, "#")
	rest, rawQuery, _ := strings.Cut(rest, "?")
	typ, path, ok := strings.Cut(rest, "/")
	if typ == "" {
		return PURL{}, perr("type", typ, off, "missing")
	}
	if f := checkType(typ, off); f != nil {
		return PURL{}, perr("type", typ, f.off, "%s", f.msg)
	}
	if !ok || path == "" || strings.HasSuffix(path, "/") {
		return PURL{}, perr("name", "", off+len(rest), "missing")
	}

	// A namespace segment that decodes to one with "/" in it would be
	// written back as two segments, a different package URL.
	nameVersion := path
	if i := strings.LastIndex(path, "@"); i > 0 {
		nameVersion = path[:i]
	}
	if i := strings.LastIndex(nameVersion, "/"); i > 0 {
		if ns := nameVersion[:i]; strings.Contains(strings.ToLower(ns), "%2f") {
			return PURL{}, perr("namespace", ns, off+len(typ)+1, `a segment must not contain an encoded "/" (%%2F)`)
		}
	}

	u, err := packageurl.FromString(s)
	if err != nil {
		component, msg := libComponent(err.Error())
		raw := path // namespace, name and version
		switch component {
		case "type":
			raw = typ
		case "qualifiers":
			raw = rawQuery
		case "subpath":
			raw = rawSubpath
		}
		return PURL{}, perr(component, raw, off, "%s", msg)
	}
	p := PURL{
		Type:      u.Type,
		Namespace: u.Namespace,
		Name:      u.Name,
		Version:   u.Version,
		Subpath:   u.Subpath,
	}
	for _, q := range u.Qualifiers {
		p.Qualifiers = append(p.Qualifiers, Qualifier{Key: q.Key, Value: q.Value})
	}

	if p.Name == "" {
		return PURL{}, perr("name", "", off, "missing")
	}
	if p.Namespace == "" && namespaceRequired(p.Type) {
		return PURL{}, perr("namespace", "", off, "required for type %q", p.Type)
	}
	if p.Type == "npm" && p.Namespace != "" && (!strings.HasPrefix(p.Namespace, "@") || len(p.Namespace) == 1 || strings.Contains(p.Namespace, "/")) {
		return PURL{}, perr("namespace", p.Namespace, off, `an npm namespace is a scope such as "@angular"`)
	}
	for _, c := range [...]struct{ name, v string }{
		{"namespace", p.Namespace}, {"name", p.Name}, {"version", p.Version}, {"subpath", p.Subpath},
	} {
		if msg := checkDecoded(c.v); msg != "" {
			return PURL{}, perr(c.name, c.v, off, "%s", msg)
		}
	}
	for _, q := range p.Qualifiers {
		if msg := checkDecoded(q.Value); msg != "" {
			return PURL{}, perr("qualifiers", q.Key+"="+q.Value, off, "%s", msg)
		}
	}
	if p.Subpath != "" {
		for seg := range strings.SplitSeq(p.Subpath, "/") {
			if seg == "." || seg == ".." {
				return PURL{}, perr("subpath", p.Subpath, off, `segments "." and ".." are not allowed`)
			}
		}
	}
	if n := len(p.String()); n > MaxLen {
		// Percent-encoding can triple a character; what this returns must
		// parse again.
		return PURL{}, perr("", "", 0, "canonical form is %d bytes, longer than %d", n, MaxLen)
	}
	return p, nil
}

// checkType checks a purl type as written at off: ASCII letters, digits,
// ".", "+" and "-", not starting with a digit.
func checkType(typ string, off int) *fault {
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		switch {
		case isAlpha(c) || c == '.' || c == '+' || c == '-':
		case isDigit(c):
			if i == 0 {
				return &fault{off, "must not start with a digit"}
			}
		default:
			return &fault{off + i, fmt.Sprintf(`%q at column %d: want letters, digits, ".", "+" or "-"`, c, off+i+1)}
		}
	}
	return nil
}

// checkDecoded returns what is wrong with a decoded component, or "".
func checkDecoded(v string) string {
	if !utf8.ValidString(v) {
		return "decodes to invalid UTF-8"
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Sprintf("decodes to control character %q", r)
		}
	}
	return ""
}

// libComponent guesses from a packageurl-go error message which component
// it is about, and returns the message without the words that say so.
func libComponent(msg string) (component, text string) {
	if msg == "purl is missing name" {
		return "name", "missing"
	}
	for _, c := range [...]string{"qualifier", "subpath", "namespace", "version", "name", "type"} {
		if strings.Contains(msg, c) {
			if c == "qualifier" {
				c = "qualifiers"
				msg = strings.TrimPrefix(msg, "invalid qualifiers: ")
			}
			return c, msg
		}
	}
	return "", msg
}
