package product_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/product"
)

func TestParsePURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want product.PURL
		str  string // canonical form; "" means the input
	}{
		// purl-spec test suite: "valid maven purl".
		{"maven", "pkg:maven/org.apache.commons/io@1.3.4",
			product.PURL{Type: "maven", Namespace: "org.apache.commons", Name: "io", Version: "1.3.4"}, ""},
		// "maven often uses qualifiers"; keys fold to lower case and sort.
		{"maven-qualifiers", "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?repositorY_url=repo.spring.io/release&classifier=sources",
			product.PURL{Type: "maven", Namespace: "org.apache.xmlgraphics", Name: "batik-anim", Version: "1.9.1",
				Qualifiers: []product.Qualifier{{"classifier", "sources"}, {"repository_url", "repo.spring.io/release"}}},
			"pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io%2Frelease"},
		// "slash /// after scheme is not significant".
		{"slashes-after-scheme", "pkg:///maven/org.apache.commons/io",
			product.PURL{Type: "maven", Namespace: "org.apache.commons", Name: "io"}, "pkg:maven/org.apache.commons/io"},
		// "upper case type is lowercased"; golang namespace and subpath.
		{"golang-subpath", "pkg:GOLANG/google.golang.org/genproto#googleapis/api/annotations",
			product.PURL{Type: "golang", Namespace: "google.golang.org", Name: "genproto", Subpath: "googleapis/api/annotations"},
			"pkg:golang/google.golang.org/genproto#googleapis/api/annotations"},
		// "bitbucket namespace and name should be lowercased".
		{"bitbucket-lowercase", "pkg:bitbucket/birKenfeld/pyGments-main@244fd47e07d1014f0aed9c",
			product.PURL{Type: "bitbucket", Namespace: "birkenfeld", Name: "pygments-main", Version: "244fd47e07d1014f0aed9c"},
			"pkg:bitbucket/birkenfeld/pygments-main@244fd47e07d1014f0aed9c"},
		// "github namespace and name should be lowercased".
		{"github-lowercase", "pkg:github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
			product.PURL{Type: "github", Namespace: "package-url", Name: "purl-spec", Version: "244fd47e07d1004f0aed9c"},
			"pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c"},
		// "debian can use qualifiers".
		{"deb-qualifiers", "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
			product.PURL{Type: "deb", Namespace: "debian", Name: "curl", Version: "7.50.3-1",
				Qualifiers: []product.Qualifier{{"arch", "i386"}, {"distro", "jessie"}}}, ""},
		// "docker uses qualifiers and hash image id as versions".
		{"docker", "pkg:docker/customer/dockerimage@sha256:244fd47e07d10?repository_url=gcr.io",
			product.PURL{Type: "docker", Namespace: "customer", Name: "dockerimage", Version: "sha256:244fd47e07d10",
				Qualifiers: []product.Qualifier{{"repository_url", "gcr.io"}}}, ""},
		// "Java gem can use a qualifier".
		{"gem-qualifier", "pkg:gem/jruby-launcher@1.1.2?Platform=java",
			product.PURL{Type: "gem", Name: "jruby-launcher", Version: "1.1.2", Qualifiers: []product.Qualifier{{"platform", "java"}}},
			"pkg:gem/jruby-launcher@1.1.2?platform=java"},
		// "npm can be scoped", encoded and plain.
		{"npm-scoped", "pkg:npm/%40angular/animation@12.3.1",
			product.PURL{Type: "npm", Namespace: "@angular", Name: "animation", Version: "12.3.1"}, ""},
		{"npm-scoped-plain-at", "pkg:npm/@babel/core@7.0.0",
			product.PURL{Type: "npm", Namespace: "@babel", Name: "core", Version: "7.0.0"}, "pkg:npm/%40babel/core@7.0.0"},
		// "nuget names are case sensitive".
		{"nuget", "pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
			product.PURL{Type: "nuget", Name: "EnterpriseLibrary.Common", Version: "6.0.1304"}, ""},
		// "pypi names have special rules and not case sensitive".
		{"pypi", "pkg:pypi/Django_package@1.11.1.dev1",
			product.PURL{Type: "pypi", Name: "django-package", Version: "1.11.1.dev1"}, "pkg:pypi/django-package@1.11.1.dev1"},
		// "rpm often use qualifiers".
		{"rpm", "pkg:rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25",
			product.PURL{Type: "rpm", Namespace: "fedora", Name: "curl", Version: "7.50.3-1.fc25",
				Qualifiers: []product.Qualifier{{"arch", "i386"}, {"distro", "fedora-25"}}},
			"pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"},
		// "generic purl with a download_url and checksum".
		{"generic", "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da",
			product.PURL{Type: "generic", Name: "openssl", Version: "1.1.10g", Qualifiers: []product.Qualifier{
				{"checksum", "sha256:de4d501267da"}, {"download_url", "https://openssl.org/source/openssl-1.1.0g.tar.gz"}}},
			"pkg:generic/openssl@1.1.10g?checksum=sha256:de4d501267da&download_url=https:%2F%2Fopenssl.org%2Fsource%2Fopenssl-1.1.0g.tar.gz"},
		// "cocoapods subpath with a plus".
		{"cocoapods-subpath", "pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib",
			product.PURL{Type: "cocoapods", Name: "GoogleUtilities", Version: "7.5.2", Subpath: "NSData+zlib"},
			"pkg:cocoapods/GoogleUtilities@7.5.2#NSData%2Bzlib"},
		// "swift has a namespace".
		{"swift", "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
			product.PURL{Type: "swift", Namespace: "github.com/Alamofire", Name: "Alamofire", Version: "5.4.3"}, ""},
		// Cargo, hex and hackage (a name starting with a digit).
		{"cargo", "pkg:cargo/rand@0.7.2", product.PURL{Type: "cargo", Name: "rand", Version: "0.7.2"}, ""},
		{"hex", "pkg:hex/jason@1.1.2", product.PURL{Type: "hex", Name: "jason", Version: "1.1.2"}, ""},
		{"hackage", "pkg:hackage/3d-graphics-examples@0.0.0.2",
			product.PURL{Type: "hackage", Name: "3d-graphics-examples", Version: "0.0.0.2"}, ""},
		// An empty qualifier value is as if the key were absent.
		{"empty-qualifier", "pkg:npm/foo@1?arch=", product.PURL{Type: "npm", Name: "foo", Version: "1"}, "pkg:npm/foo@1"},
		// A decoded UTF-8 name is fine.
		{"utf8-name", "pkg:generic/%E6%97%A5%E6%9C%AC@1", product.PURL{Type: "generic", Name: "日本", Version: "1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := product.ParsePURL(tt.in)
			if err != nil {
				t.Fatalf("ParsePURL(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, p); diff != "" {
				t.Errorf("ParsePURL(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			want := tt.str
			if want == "" {
				want = tt.in
			}
			if got := p.String(); got != want {
				t.Errorf("ParsePURL(%q).String() = %q, want %q", tt.in, got, want)
			}
			back, err := product.ParsePURL(p.String())
			if err != nil {
				t.Fatalf("ParsePURL(%q): %v", p.String(), err)
			}
			if diff := cmp.Diff(p, back); diff != "" {
				t.Errorf("round trip mismatch (-first +second):\n%s", diff)
			}
		})
	}
}

func TestParsePURLErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		component string
		want      string // the whole message; "" to check the component only
	}{
		// purl-spec test suite: "a scheme is always required".
		{"no-scheme", "maven/org.apache.commons/io", "", `parse PURL "maven/org.apache.commons/io": want "pkg:" at the start`},
		// "a type is always required".
		{"no-type", "pkg:/io@1.3.4", "type", ""},
		{"empty-type", "pkg:/", "type", `parse PURL "pkg:/": type "": missing`},
		// "a name is required".
		{"no-name", "pkg:maven/@1.3.4", "name", `parse PURL "pkg:maven/@1.3.4": name "@1.3.4": missing`},
		{"no-name-slash", "pkg:npm/", "name", `parse PURL "pkg:npm/": name "": missing`},
		// "checks for invalid qualifier keys".
		{"bad-qualifier-key", "pkg:npm/myartifact@1.0.0?in%20production=true", "qualifiers", ""},
		{"duplicate-qualifier", "pkg:npm/foo@1.0?a=1&a=2", "qualifiers",
			`parse PURL "pkg:npm/foo@1.0?a=1&a=2": qualifiers "a=1&a=2": duplicate qualifier key: "a"`},
		// Type rules.
		{"type-digit", "pkg:3nm/foo", "type", `parse PURL "pkg:3nm/foo": type "3nm": must not start with a digit`},
		{"type-percent", "pkg:n%70m/foo", "type",
			`parse PURL "pkg:n%70m/foo": type "n%70m": '%' at column 6: want letters, digits, ".", "+" or "-"`},
		{"type-underscore", "pkg:my_type/foo", "type", ""},
		// Namespaces some types need.
		{"maven-no-namespace", "pkg:maven/io@1", "namespace",
			`parse PURL "pkg:maven/io@1": namespace "": required for type "maven"`},
		{"deb-no-namespace", "pkg:deb/curl@7.50.3-1", "namespace", ""},
		{"swift-no-namespace", "pkg:swift/Alamofire@5.4.3", "namespace", ""},
		{"npm-namespace-not-scope", "pkg:npm/scope/bar", "namespace",
			`parse PURL "pkg:npm/scope/bar": namespace "scope": an npm namespace is a scope such as "@angular"`},
		// Characters.
		{"space", "pkg:npm/foo bar", "",
			`parse PURL "pkg:npm/foo bar": ' ' at column 12: only printable ASCII is allowed (percent-encode the rest)`},
		{"control-decoded", "pkg:npm/foo%00bar", "name",
			`parse PURL "pkg:npm/foo%00bar": name "foo\x00bar": decodes to control character '\x00'`},
		{"bad-utf8-decoded", "pkg:npm/foo%ff", "name", ""},
		{"bad-escape", "pkg:npm/a%zz", "name", ""},
		// Found by fuzzing: "0%2F" would come back as two segments.
		{"encoded-slash-namespace", "pkg:A/0%2F/0/0", "namespace",
			`parse PURL "pkg:A/0%2F/0/0": namespace "0%2F/0": a segment must not contain an encoded "/" (%2F)`},
		{"dot-subpath", "pkg:npm/foo#./a", "subpath", ""},
		{"dotdot-subpath", "pkg:npm/foo#a/../b", "subpath", ""},
		{"too-long", "pkg:npm/" + strings.Repeat("a", product.MaxLen), "", ""},
		// Found by fuzzing: within MaxLen as given, but not once percent-encoded.
		{"too-long-canonical", "pkg:npm/" + strings.Repeat(",", product.MaxLen-20), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := product.ParsePURL(tt.in)
			var pe *product.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePURL(%q) = %v, %v; want a *ParseError", tt.in, p, err)
			}
			if pe.Component != tt.component {
				t.Errorf("ParsePURL(%q) component = %q, want %q (%v)", tt.in, pe.Component, tt.component, err)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("ParsePURL(%q) error:\ngot  %s\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}

func TestPURLQualifier(t *testing.T) {
	p, err := product.ParsePURL("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := p.Qualifier("arch"); !ok || v != "i386" {
		t.Errorf(`Qualifier("arch") = %q, %v; want "i386", true`, v, ok)
	}
	if v, ok := p.Qualifier("epoch"); ok {
		t.Errorf(`Qualifier("epoch") = %q, true; want none`, v)
	}
}

func FuzzParsePURL(f *testing.F) {
	f.Add("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release") // qualifiers
	f.Add("pkg:npm/%40angular/animation@12.3.1")                                                                        // npm scope
	f.Add("pkg:golang/google.golang.org/genproto#googleapis/api/annotations")                                           // subpath
	f.Add("pkg:pypi/Django_package@1.11.1.dev1")                                                                        // pypi name rules
	f.Add("pkg:generic/%E6%97%A5%E6%9C%AC@1%2F2?a=%26&b=c#d%2Fe/f")                                                     // encoded everything
	f.Add("pkg://docker/customer/dockerimage@sha256:244fd47e07d10?repository_url=gcr.io")                               // slashes after scheme
	f.Add("pkg:maven/@1.3.4")                                                                                           // no name
	f.Fuzz(func(t *testing.T, s string) {
		p, err := product.ParsePURL(s)
		if err != nil {
			var pe *product.ParseError
			if !errors.As(err, &pe) || pe.Input != s {
				t.Fatalf("ParsePURL(%q) error %v is not a *ParseError quoting the input", s, err)
			}
			return
		}
		str := p.String()
		back, err := product.ParsePURL(str)
		if err != nil {
			t.Fatalf("ParsePURL(%q) -> %q, which does not parse: %v", s, str, err)
		}
		if diff := cmp.Diff(p, back); diff != "" {
			t.Fatalf("ParsePURL(%q) -> %q, which parses differently (-first +second):\n%s", s, str, diff)
		}
		if again := back.String(); again != str {
			t.Fatalf("String not stable: %q then %q", str, again)
		}
	})
}
