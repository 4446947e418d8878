package product_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/acd-platform/acd/internal/product"
)

func TestParseCPE(t *testing.T) {
	tests := []struct {
		name string
		in   string
		wfn  string // the WFN, §5.4 notation
		fs   string // canonical formatted string; "" means the input
	}{
		// NISTIR 7695 §6.2.3.3, example 1.
		{"fs-7695-ex1", `cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// §6.2.3.3, example 2: wildcards at the ends.
		{"fs-7695-ex2", `cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// §6.2.3.3, example 3: NA and the extended attributes.
		{"fs-7695-ex3", `cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*`,
			`wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=NA,edition=ANY,language=ANY,sw_edition="online",target_sw="win2003",target_hw="x64",other=ANY]`, ""},
		// §6.2.3.3, example 4.
		{"fs-7695-ex4", `cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*`,
			`wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw="linux",target_hw=ANY,other=ANY]`, ""},
		// §6.2.3.3, example 5: quoted backslash and dollar.
		{"fs-7695-ex5", `cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*`,
			`wfn:[part="a",vendor="foo\\bar",product="big\$money_2010",version=ANY,update=ANY,edition=ANY,language=ANY,sw_edition="special",target_sw="ipod_touch",target_hw="80gb",other=ANY]`, ""},
		// A quoted colon is not a separator.
		{"fs-quoted-colon", `cpe:2.3:a:acme:vpn\:gw:1.0:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="vpn\:gw",version="1\.0",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// Quoting "." and "-" is allowed and dropped in the canonical form.
		{"fs-needless-quotes", `cpe:2.3:a:acme:vpn:1\.0\-r2:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="vpn",version="1\.0\-r2",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:acme:vpn:1.0-r2:*:*:*:*:*:*:*`},
		// Upper case folds to lower case, prefix included.
		{"fs-case", `CPE:2.3:O:Fortinet:FortiOS:7.4.3:*:*:*:*:*:*:*`,
			`wfn:[part="o",vendor="fortinet",product="fortios",version="7\.4\.3",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*`},
		// Everything ANY.
		{"fs-all-any", `cpe:2.3:*:*:*:*:*:*:*:*:*:*:*`,
			`wfn:[part=ANY,vendor=ANY,product=ANY,version=ANY,update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// A language tag with a region, and hardware.
		{"fs-language", `cpe:2.3:h:cisco:asa_5505:-:*:*:ja-jp:*:*:*:*`,
			`wfn:[part="h",vendor="cisco",product="asa_5505",version=NA,update=ANY,edition=ANY,language="ja\-jp",sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// The string "-" stays quoted so that it does not read back as NA.
		{"fs-dash-string", `cpe:2.3:a:acme:vpn:\-:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="vpn",version="\-",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// A value of "?" wildcards only.
		{"fs-question-run", `cpe:2.3:a:acme:vpn:???:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="vpn",version="???",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// Quoted wildcards are literal characters.
		{"fs-quoted-wildcards", `cpe:2.3:a:acme:vpn:*1\*2\?:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="vpn",version="*1\*2\?",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`, ""},
		// "\_" is just "_".
		{"fs-quoted-underscore", `cpe:2.3:a:acme:v\_pn:1:*:*:*:*:*:*:*`,
			`wfn:[part="a",vendor="acme",product="v_pn",version="1",update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:acme:v_pn:1:*:*:*:*:*:*:*`},

		// NISTIR 7695 §6.1.3.3, example 1: the 2.2 URI binding.
		{"uri-7695-ex1", `cpe:/a:microsoft:internet_explorer:8.0.6001:beta`,
			`wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.0\.6001",update="beta",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*`},
		// §6.1.3.3, example 2: percent-encoded "*" and "?" are literal.
		{"uri-7695-ex2", `cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f`,
			`wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.\*",update="sp\?",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:microsoft:internet_explorer:8.\*:sp\?:*:*:*:*:*:*`},
		// §6.1.3.3, example 3: %02 and %01 are the wildcards.
		{"uri-7695-ex3", `cpe:/a:microsoft:internet_explorer:8.%02:sp%01`,
			`wfn:[part="a",vendor="microsoft",product="internet_explorer",version="8\.*",update="sp?",edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*`},
		// §6.1.3.3, example 4: a packed edition.
		{"uri-7695-ex4", `cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~`,
			`wfn:[part="a",vendor="hp",product="insight_diagnostics",version="7\.4\.0\.1570",update=ANY,edition=ANY,language=ANY,sw_edition="online",target_sw="win2003",target_hw="x64",other=ANY]`,
			`cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*`},
		// §6.1.3.3, example 5: NA update and a packed edition.
		{"uri-7695-ex5", `cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~`,
			`wfn:[part="a",vendor="hp",product="openview_network_manager",version="7\.51",update=NA,edition=ANY,language=ANY,sw_edition=ANY,target_sw="linux",target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:hp:openview_network_manager:7.51:-:*:*:*:linux:*:*`},
		// §6.1.3.3, example 7: "~" outside a packed edition, plain and encoded.
		{"uri-7695-ex7", `cpe:/a:foo~bar:big%7emoney_2010`,
			`wfn:[part="a",vendor="foo\~bar",product="big\~money_2010",version=ANY,update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:a:foo\~bar:big\~money_2010:*:*:*:*:*:*:*:*`},
		// An unpacked edition and a language.
		{"uri-edition-language", `cpe:/o:Microsoft:Windows_XP::SP2:Professional:EN-US`,
			`wfn:[part="o",vendor="microsoft",product="windows_xp",version=ANY,update="sp2",edition="professional",language="en\-us",sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:o:microsoft:windows_xp:*:sp2:professional:en-us:*:*:*:*`},
		// Nothing after the prefix: everything ANY.
		{"uri-empty", `cpe:/`,
			`wfn:[part=ANY,vendor=ANY,product=ANY,version=ANY,update=ANY,edition=ANY,language=ANY,sw_edition=ANY,target_sw=ANY,target_hw=ANY,other=ANY]`,
			`cpe:2.3:*:*:*:*:*:*:*:*:*:*:*`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := product.ParseCPE(tt.in)
			if err != nil {
				t.Fatalf("ParseCPE(%q): %v", tt.in, err)
			}
			if got := c.WFN(); got != tt.wfn {
				t.Errorf("ParseCPE(%q).WFN():\ngot  %s\nwant %s", tt.in, got, tt.wfn)
			}
			want := tt.fs
			if want == "" {
				want = tt.in
			}
			if got := c.String(); got != want {
				t.Errorf("ParseCPE(%q).String() = %q, want %q", tt.in, got, want)
			}
			back, err := product.ParseCPE(c.String())
			if err != nil || back != c {
				t.Errorf("ParseCPE(%q) = %v, %v; want the same WFN back", c.String(), back.WFN(), err)
			}
		})
	}
}

func TestParseCPEErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		component string
		want      string // the whole error message
	}{
		// The brief's own example.
		{"part", `cpe:2.3:x:acme:vpn:1.0:*:*:*:*:*:*:*`, "part",
			`parse CPE "cpe:2.3:x:acme:vpn:1.0:*:*:*:*:*:*:*": part "x": want a, o, h, * or -`},
		{"part-wildcard", `cpe:2.3:a*:acme:vpn:1.0:*:*:*:*:*:*:*`, "part",
			`parse CPE "cpe:2.3:a*:acme:vpn:1.0:*:*:*:*:*:*:*": part "a*": want a, o, h, * or -`},
		{"no-prefix", `acme vpn 1.0`, "",
			`parse CPE "acme vpn 1.0": want "cpe:2.3:" (formatted string) or "cpe:/" (URI) at the start`},
		{"cpe-2.2-fs", `cpe:2.2:a:acme:vpn`, "",
			`parse CPE "cpe:2.2:a:acme:vpn": want "cpe:2.3:" (formatted string) or "cpe:/" (URI) at the start`},
		{"too-few-fields", `cpe:2.3:a:acme:vpn:1.0:*:*:*:*:*:*`, "",
			`parse CPE "cpe:2.3:a:acme:vpn:1.0:*:*:*:*:*:*": want 13 colon-separated fields (cpe, 2.3 and 11 attributes), got 12`},
		{"too-many-fields", `cpe:2.3:a:acme:vpn:1.0:*:*:*:*:*:*:*:*`, "",
			`parse CPE "cpe:2.3:a:acme:vpn:1.0:*:*:*:*:*:*:*:*": want 13 colon-separated fields (cpe, 2.3 and 11 attributes), got 14`},
		{"empty-field", `cpe:2.3:a:acme::1.0:*:*:*:*:*:*:*`, "product",
			`parse CPE "cpe:2.3:a:acme::1.0:*:*:*:*:*:*:*": product "": empty: write * for ANY or - for NA`},
		{"space", `cpe:2.3:a:ac me:vpn:1.0:*:*:*:*:*:*:*`, "vendor",
			`parse CPE "cpe:2.3:a:ac me:vpn:1.0:*:*:*:*:*:*:*": vendor "ac me": space at column 13: CPE has no spaces (write them as "_")`},
		{"unquoted-punctuation", `cpe:2.3:a:acme:vpn!:1.0:*:*:*:*:*:*:*`, "product",
			`parse CPE "cpe:2.3:a:acme:vpn!:1.0:*:*:*:*:*:*:*": product "vpn!": '!' at column 19 must be quoted as "\!"`},
		// NISTIR 7695 §6.2.3.3: an embedded unquoted "*" is an error.
		{"embedded-star", `cpe:2.3:a:hp:insight_diagnostics:7.4.*.1570:*:*:*:*:*:*:*`, "version",
			`parse CPE "cpe:2.3:a:hp:insight_diagnostics:7.4.*.1570:*:*:*:*:*:*:*": version "7.4.*.1570": unquoted '*' at column 38: wildcards go only at the start or end ("*" alone or a run of "?"); quote a literal one as "\*"`},
		{"embedded-question", `cpe:2.3:a:acme:vpn:1?2:*:*:*:*:*:*:*`, "version",
			`parse CPE "cpe:2.3:a:acme:vpn:1?2:*:*:*:*:*:*:*": version "1?2": unquoted '?' at column 21: wildcards go only at the start or end ("*" alone or a run of "?"); quote a literal one as "\?"`},
		{"star-star", `cpe:2.3:a:acme:vpn:**:*:*:*:*:*:*:*`, "version",
			`parse CPE "cpe:2.3:a:acme:vpn:**:*:*:*:*:*:*:*": version "**": a value of wildcards only must be "*" (ANY) or a run of "?"`},
		{"dangling-backslash", `cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:1\`, "other",
			`parse CPE "cpe:2.3:a:acme:vpn:*:*:*:*:*:*:*:1\\": other "1\\": "\" at column 35 quotes nothing`},
		{"quoted-letter", `cpe:2.3:a:acme:vpn:1\a:*:*:*:*:*:*:*`, "version",
			`parse CPE "cpe:2.3:a:acme:vpn:1\\a:*:*:*:*:*:*:*": version "1\\a": "\a" at column 21: only punctuation is quoted`},
		{"non-ascii", "cpe:2.3:a:acme:vpn\u00e9:1:*:*:*:*:*:*:*", "product",
			`parse CPE "cpe:2.3:a:acme:vpné:1:*:*:*:*:*:*:*": product "vpné": 'é' at column 19: only printable ASCII is allowed`},
		{"bad-language", `cpe:2.3:a:acme:vpn:1:*:*:japanese:*:*:*:*`, "language",
			`parse CPE "cpe:2.3:a:acme:vpn:1:*:*:japanese:*:*:*:*": language "japanese": want a language tag such as "en" or "ja-jp" (RFC 5646 language and optional region), * or -`},
		{"uri-too-many", `cpe:/a:acme:vpn:1:2:3:en:x`, "",
			`parse CPE "cpe:/a:acme:vpn:1:2:3:en:x": want at most 7 colon-separated components after "cpe:/", got 8`},
		// NISTIR 7695 §6.1.3.3, example 6: %07 is no character CPE allows.
		{"uri-7695-ex6", `cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~`, "product",
			`parse CPE "cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~": product "big%24money_2010%07": "%07" at column 34: only printable ASCII is allowed`},
		// §6.1.3.3, example 8: an embedded %02.
		{"uri-7695-ex8", `cpe:/a:foo:bar:12.%02.1234`, "version",
			`parse CPE "cpe:/a:foo:bar:12.%02.1234": version "12.%02.1234": "%02" at column 19: wildcards go only at the start or end (%02 alone or a run of %01)`},
		{"uri-bad-percent", `cpe:/a:acme:vpn%2`, "product",
			`parse CPE "cpe:/a:acme:vpn%2": product "vpn%2": "%" at column 16: want two hex digits after it`},
		{"uri-unencoded", `cpe:/a:acme:vpn!`, "product",
			`parse CPE "cpe:/a:acme:vpn!": product "vpn!": '!' at column 16 must be percent-encoded as %21`},
		{"uri-packed-short", `cpe:/a:acme:vpn:1::~a~b`, "edition",
			`parse CPE "cpe:/a:acme:vpn:1::~a~b": edition "~a~b": packed edition: want 5 "~"-separated fields (edition, sw_edition, target_sw, target_hw, other), got 2`},
		{"uri-bad-part", `cpe:/q:acme:vpn`, "part",
			`parse CPE "cpe:/q:acme:vpn": part "q": want a, o, h, * or -`},
		{"too-long", "cpe:2.3:a:acme:" + strings.Repeat("x", product.MaxLen), "", ""},
		// Within MaxLen as a URI, but not once bound as a formatted string.
		{"too-long-bound", "cpe:/a:acme:" + strings.Repeat("~", product.MaxLen-20), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := product.ParseCPE(tt.in)
			var pe *product.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseCPE(%q) error = %v, want a *ParseError", tt.in, err)
			}
			if pe.Component != tt.component {
				t.Errorf("ParseCPE(%q) component = %q, want %q", tt.in, pe.Component, tt.component)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("ParseCPE(%q) error:\ngot  %s\nwant %s", tt.in, err, tt.want)
			}
			if len(err.Error()) > 600 {
				t.Errorf("ParseCPE error is %d bytes long, want it cut", len(err.Error()))
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		in                string
		kind              product.Kind
		lead, text, trail string
		wfn               string
	}{
		{`*`, product.KindAny, "", "", "", `ANY`},                                     // ANY
		{`-`, product.KindNA, "", "", "", `NA`},                                       // NA
		{`8.0.*`, product.KindString, "", "8.0.", "*", `"8\.0\.*"`},                   // trailing star
		{`??10`, product.KindString, "??", "10", "", `"??10"`},                        // leading question marks
		{`*big\$money?`, product.KindString, "*", "big$money", "?", `"*big\$money?"`}, // both ends, quoted
		{`\*`, product.KindString, "", "*", "", `"\*"`},                               // a literal star
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := product.ParseValue(tt.in)
			if err != nil {
				t.Fatalf("ParseValue(%q): %v", tt.in, err)
			}
			if v.Kind() != tt.kind || v.LeadingWildcard() != tt.lead || v.Text() != tt.text || v.TrailingWildcard() != tt.trail {
				t.Errorf("ParseValue(%q) = %v %q %q %q, want %v %q %q %q", tt.in,
					v.Kind(), v.LeadingWildcard(), v.Text(), v.TrailingWildcard(), tt.kind, tt.lead, tt.text, tt.trail)
			}
			if got := v.WFN(); got != tt.wfn {
				t.Errorf("ParseValue(%q).WFN() = %s, want %s", tt.in, got, tt.wfn)
			}
			if got := v.String(); got != tt.in {
				t.Errorf("ParseValue(%q).String() = %q, want the input", tt.in, got)
			}
			if got := v.HasWildcards(); got != (tt.lead != "" || tt.trail != "") {
				t.Errorf("ParseValue(%q).HasWildcards() = %v", tt.in, got)
			}
		})
	}
	if (product.Value{}) != product.AnyValue() {
		t.Errorf("zero Value is not ANY")
	}
	if product.NAValue().Kind() != product.KindNA {
		t.Errorf("NAValue().Kind() = %v, want NA", product.NAValue().Kind())
	}
}

func TestCPEAttr(t *testing.T) {
	c, err := product.ParseCPE(`cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*`)
	if err != nil {
		t.Fatal(err)
	}
	names := product.AttrNames()
	if len(names) != 11 || names[0] != "part" || names[10] != "other" {
		t.Fatalf("AttrNames() = %v", names)
	}
	names[0] = "changed" // must not change the package's list
	if product.AttrNames()[0] != "part" {
		t.Errorf("AttrNames returned the package's own array")
	}
	for _, tt := range []struct{ name, want string }{
		{"part", "o"}, {"vendor", "fortinet"}, {"product", "fortios"}, {"version", "7.4.3"}, {"target_hw", "*"},
	} {
		v, ok := c.Attr(tt.name)
		if !ok || v.String() != tt.want {
			t.Errorf("Attr(%q) = %q, %v; want %q, true", tt.name, v.String(), ok, tt.want)
		}
	}
	if _, ok := c.Attr("platform"); ok {
		t.Errorf(`Attr("platform") found an attribute`)
	}
}

func FuzzParseCPE(f *testing.F) {
	f.Add(`cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*`)      // NISTIR 7695 example
	f.Add(`cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*`) // quoting
	f.Add(`cpe:2.3:a:acme:vpn:??8.*:\-:-:en-us:*:*:*:\:`)                         // wildcards, "-", language
	f.Add(`cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~`)      // URI, packed edition
	f.Add(`cpe:/a:microsoft:internet_explorer:8.%02:sp%01`)                       // URI wildcards
	f.Add(`cpe:/a:foo%5cbar:big%24money_2010%07`)                                 // URI, bad escape
	f.Add(`cpe:2.3:a:acme:vpn:1\`)                                                // dangling backslash
	f.Fuzz(func(t *testing.T, s string) {
		c, err := product.ParseCPE(s)
		if err != nil {
			var pe *product.ParseError
			if !errors.As(err, &pe) || pe.Input != s {
				t.Fatalf("ParseCPE(%q) error %v is not a *ParseError quoting the input", s, err)
			}
			return
		}
		fs := c.String()
		back, err := product.ParseCPE(fs)
		if err != nil {
			t.Fatalf("ParseCPE(%q) -> %q, which does not parse: %v", s, fs, err)
		}
		if back != c {
			t.Fatalf("ParseCPE(%q) = %s; its String %q parses to %s", s, c.WFN(), fs, back.WFN())
		}
		if again := back.String(); again != fs {
			t.Fatalf("String not stable: %q then %q", fs, again)
		}
		for i, v := range c.Attrs() {
			w, err := product.ParseValue(v.String())
			if err != nil || w != v {
				t.Fatalf("attribute %d: ParseValue(%q) = %v, %v; want %v", i, v.String(), w.WFN(), err, v.WFN())
			}
		}
	})
}
