package csaf_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/csaf"
	"github.com/acd-platform/acd/internal/csaf/pgp"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// metadata is provider-metadata.json as the tests read it.
type metadata struct {
	CanonicalURL  string `json:"canonical_url"`
	Role          string `json:"role"`
	Distributions []struct {
		DirectoryURL string `json:"directory_url"`
		ROLIE        *struct {
			Feeds []struct {
				TLPLabel string `json:"tlp_label"`
				URL      string `json:"url"`
			} `json:"feeds"`
		} `json:"rolie"`
	} `json:"distributions"`
	Keys []struct {
		Fingerprint string `json:"fingerprint"`
		URL         string `json:"url"`
	} `json:"public_openpgp_keys"`
	Publisher struct {
		Category  string `json:"category"`
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"publisher"`
}

// doc is a CSAF document as the tests read it.
type doc struct {
	Document struct {
		Category     string `json:"category"`
		Title        string `json:"title"`
		Distribution struct {
			Text string `json:"text"`
			TLP  struct {
				Label string `json:"label"`
			} `json:"tlp"`
		} `json:"distribution"`
		Notes []struct {
			Category string `json:"category"`
			Title    string `json:"title"`
			Text     string `json:"text"`
		} `json:"notes"`
		Publisher struct {
			Category, Name, Namespace string
		} `json:"publisher"`
		References []struct {
			Category, Summary, URL string
		} `json:"references"`
		Tracking struct {
			ID                 string `json:"id"`
			Version            string `json:"version"`
			Status             string `json:"status"`
			InitialReleaseDate string `json:"initial_release_date"`
			CurrentReleaseDate string `json:"current_release_date"`
			RevisionHistory    []struct {
				Date, Number, Summary string
			} `json:"revision_history"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree *struct {
		Branches []branch `json:"branches"`
	} `json:"product_tree"`
	Vulnerabilities []struct {
		CVE string `json:"cve"`
		CWE *struct {
			ID, Name string
		} `json:"cwe"`
		Notes []struct {
			Category, Title, Text string
		} `json:"notes"`
		ProductStatus map[string][]string `json:"product_status"`
		Remediations  []struct {
			Category   string   `json:"category"`
			ProductIDs []string `json:"product_ids"`
			URL        string   `json:"url"`
		} `json:"remediations"`
		Scores []struct {
			CVSSv3 struct {
				BaseScore    float64 `json:"baseScore"`
				BaseSeverity string  `json:"baseSeverity"`
				VectorString string  `json:"vectorString"`
			} `json:"cvss_v3"`
			Products []string `json:"products"`
		} `json:"scores"`
		Threats []struct {
			Category, Details string
		} `json:"threats"`
	} `json:"vulnerabilities"`
}

type branch struct {
	Category string   `json:"category"`
	Name     string   `json:"name"`
	Branches []branch `json:"branches"`
	Product  *struct {
		Name      string `json:"name"`
		ProductID string `json:"product_id"`
		Helper    *struct {
			CPE string `json:"cpe"`
		} `json:"product_identification_helper"`
	} `json:"product"`
}

// leaves lists the product tree's leaves as "category name id".
func leaves(bs []branch, prefix string) []string {
	var out []string
	for _, b := range bs {
		p := prefix + b.Category + ":" + b.Name
		if b.Product != nil {
			s := p + " = " + b.Product.ProductID
			if b.Product.Helper != nil {
				s += " cpe"
			}
			out = append(out, s)
		}
		out = append(out, leaves(b.Branches, p+" / ")...)
	}
	return out
}

// served is one document as fetched through a feed.
type served struct {
	url     string
	body    []byte
	doc     doc
	sigPath string
}

func TestProvider(t *testing.T) {
	v := newValidator(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		// The metadata validates, names the feeds and the key, and is
		// public.
		metaBytes := f.get(t, "/.well-known/csaf/provider-metadata.json", "", 200)
		validate(t, v.provider, "provider-metadata.json", metaBytes)
		var m metadata
		decode(t, metaBytes, &m)
		if m.Role != "csaf_trusted_provider" || m.CanonicalURL != base+"/.well-known/csaf/provider-metadata.json" {
			t.Errorf("metadata: role %q canonical %q", m.Role, m.CanonicalURL)
		}
		if m.Publisher.Category != "coordinator" || m.Publisher.Name != "Cabinet Office, National Cybersecurity Office" || m.Publisher.Namespace != base {
			t.Errorf("metadata publisher: %+v", m.Publisher)
		}
		feeds := map[string]string{}
		for _, d := range m.Distributions {
			if d.ROLIE != nil {
				for _, fd := range d.ROLIE.Feeds {
					feeds[fd.TLPLabel] = fd.URL
				}
			}
		}
		if diff := cmp.Diff(map[string]string{
			"WHITE": base + "/.well-known/csaf/white/csaf-feed-tlp-white.json",
			"GREEN": base + "/.well-known/csaf/green/csaf-feed-tlp-green.json",
		}, feeds); diff != "" {
			t.Errorf("feeds (-want +got):\n%s", diff)
		}
		if len(m.Keys) != 1 {
			t.Fatalf("metadata lists %d keys, want 1", len(m.Keys))
		}
		keyBytes := f.get(t, path(t, m.Keys[0].URL), "", 200)
		pub, err := pgp.ReadPublicKey(keyBytes)
		if err != nil {
			t.Fatal(err)
		}
		if pub.Fingerprint != m.Keys[0].Fingerprint || pub.UserID != "ACD CSAF <csaf@acd.example.jp>" {
			t.Errorf("served key: fingerprint %s user id %q; metadata says %s", pub.Fingerprint, pub.UserID, m.Keys[0].Fingerprint)
		}
		ringKey, _ := f.e.Platform.Keys.Current(keys.AdvisorySigning)
		if !pub.Created.Equal(ringKey.Created.Truncate(1e9)) {
			t.Errorf("OpenPGP key created %v, want the ring key's %v", pub.Created, ringKey.Created)
		}

		// The feeds validate; each lists exactly the documents its
		// reader may read.
		white := f.get(t, path(t, feeds["WHITE"]), "", 200)
		validate(t, v.feed, "TLP:WHITE feed", white)
		green := f.get(t, path(t, feeds["GREEN"]), "opr", 200)
		validate(t, v.feed, "TLP:GREEN feed", green)
		greenConf := f.get(t, path(t, feeds["GREEN"]), "oprc", 200)
		validate(t, v.feed, "TLP:GREEN feed with clearance", greenConf)
		for _, tc := range []struct {
			name string
			feed []byte
			want []string
		}{
			{"white", white, []string{"sec", "info", "withdrawn", "revised"}},
			{"green for opr (no clearance)", green, []string{"green"}},
			{"green for oprc (confidential)", greenConf, []string{"green", "greenconf"}},
		} {
			var fd feed
			decode(t, tc.feed, &fd)
			var got, want []string
			for _, e := range fd.Feed.Entry {
				got = append(got, e.ID)
			}
			for _, n := range tc.want {
				want = append(want, csaf.TrackingID(f.ads[n].ID))
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s feed entries (-want +got):\n%s", tc.name, diff)
			}
		}

		// Every document in the feeds validates, passes Check, and has
		// matching hashes and a signature that verifies with the served
		// key and fails for altered bytes.
		docs := map[string]served{} // by fixture name
		for _, fc := range []struct {
			feed []byte
			user string
		}{{white, ""}, {greenConf, "oprc"}} {
			var fd feed
			decode(t, fc.feed, &fd)
			for _, e := range fd.Feed.Entry {
				links := map[string][]string{}
				for _, l := range e.Link {
					links[l.Rel] = append(links[l.Rel], l.Href)
				}
				u := links["self"][0]
				body := f.get(t, path(t, u), fc.user, 200)
				validate(t, v.csaf, e.ID, body)
				if errs := csaf.Check(body); len(errs) > 0 {
					t.Errorf("%s: Check: %v", e.ID, errs)
				}
				if want := []string{u + ".sha256", u + ".sha512"}; !slices.Equal(links["hash"], want) || !slices.Equal(links["signature"], []string{u + ".asc"}) {
					t.Errorf("%s: links %v", e.ID, links)
				}
				s256, s512 := sha256.Sum256(body), sha512.Sum512(body)
				name := filepath.Base(u)
				if got := f.get(t, path(t, u+".sha256"), fc.user, 200); string(got) != hex.EncodeToString(s256[:])+"  "+name+"\n" {
					t.Errorf("%s.sha256 = %q, want the SHA-256 of the document", e.ID, got)
				}
				if got := f.get(t, path(t, u+".sha512"), fc.user, 200); string(got) != hex.EncodeToString(s512[:])+"  "+name+"\n" {
					t.Errorf("%s.sha512 = %q, want the SHA-512 of the document", e.ID, got)
				}
				sig := f.get(t, path(t, u+".asc"), fc.user, 200)
				if err := pub.Verify(sig, body); err != nil {
					t.Errorf("%s: signature: %v", e.ID, err)
				}
				if err := pub.Verify(sig, bytes.Replace(body, []byte(`"final"`), []byte(`"draft"`), 1)); err == nil {
					t.Errorf("%s: the signature verifies altered bytes", e.ID)
				}
				var d doc
				decode(t, body, &d)
				// §5.1 file names, in the folder of the initial release's
				// year and the label.
				wantName := strings.ToLower(strings.NewReplacer("_", "_").Replace(d.Document.Tracking.ID))
				if name != csaf.Filename(d.Document.Tracking.ID) || name != wantName+".json" || !regexp.MustCompile(`^[a-z0-9+\-_]+\.json$`).MatchString(name) {
					t.Errorf("%s: file name %q", e.ID, name)
				}
				wantDir := "/.well-known/csaf/" + strings.ToLower(d.Document.Distribution.TLP.Label) + "/" + d.Document.Tracking.InitialReleaseDate[:4] + "/"
				if !strings.HasPrefix(path(t, u), wantDir) {
					t.Errorf("%s at %s, want under %s", e.ID, u, wantDir)
				}
				if e.Published != d.Document.Tracking.InitialReleaseDate || e.Updated != d.Document.Tracking.CurrentReleaseDate || e.Title != d.Document.Title {
					t.Errorf("%s: feed entry %q %s %s, document %q %s %s", e.ID, e.Title, e.Published, e.Updated,
						d.Document.Title, d.Document.Tracking.InitialReleaseDate, d.Document.Tracking.CurrentReleaseDate)
				}
				for n, a := range f.ads {
					if csaf.TrackingID(a.ID) == e.ID {
						docs[n] = served{url: u, body: body, doc: d, sigPath: path(t, u+".asc")}
					}
				}
			}
		}
		if len(docs) != 6 {
			t.Fatalf("served %d documents, want 6", len(docs))
		}

		t.Run("security advisory", func(t *testing.T) { checkSecurity(t, docs["sec"].doc, "WHITE") })
		t.Run("green security advisory", func(t *testing.T) { checkSecurity(t, docs["green"].doc, "GREEN") })
		t.Run("informational", func(t *testing.T) {
			d := docs["info"].doc
			if d.Document.Category != "csaf_informational_advisory" || d.ProductTree != nil || d.Vulnerabilities != nil {
				t.Errorf("category %q, product tree %v, %d vulnerabilities", d.Document.Category, d.ProductTree != nil, len(d.Vulnerabilities))
			}
			var titles []string
			for _, n := range d.Document.Notes {
				titles = append(titles, n.Title)
			}
			want := []string{"Summary", "Background", "Attacker's purpose", "Impact", "Recommended actions", "Threat hunting",
				"Indicators of compromise", "MITRE ATT&CK techniques", "Sharing"}
			if diff := cmp.Diff(want, titles); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			if ind := d.Document.Notes[6].Text; !strings.Contains(ind, "ipv4: 203.0.113.7") || !strings.Contains(ind, "STIX pattern: [url:value = 'https://evil.example/a']") {
				t.Errorf("indicators note: %q", ind)
			}
			refs := d.Document.References
			if len(refs) != 2 || refs[0].Category != "self" || refs[0].URL != docs["info"].url ||
				refs[1].Category != "external" || refs[1].URL != base+"/alerts/"+f.ads["info"].ID {
				t.Errorf("references: %+v", refs)
			}
			tr := d.Document.Tracking
			if tr.ID != "JP-ACD-"+strings.ToUpper(f.ads["info"].ID) || tr.Version != "1" || tr.Status != "final" || len(tr.RevisionHistory) != 1 ||
				tr.RevisionHistory[0].Number != "1" || tr.RevisionHistory[0].Date != tr.InitialReleaseDate || tr.InitialReleaseDate != tr.CurrentReleaseDate {
				t.Errorf("tracking: %+v", tr)
			}
			if d.Document.Distribution.Text != "TLP v2.0: TLP:CLEAR" || d.Document.Distribution.TLP.Label != "WHITE" {
				t.Errorf("distribution: %+v", d.Document.Distribution)
			}
		})
		t.Run("revised", func(t *testing.T) {
			tr := docs["revised"].doc.Document.Tracking
			var nums, sums []string
			for _, r := range tr.RevisionHistory {
				nums, sums = append(nums, r.Number), append(sums, r.Summary)
			}
			if tr.Version != "2" || !slices.Equal(nums, []string{"1", "2"}) || sums[1] != "Revision 2, correcting revision 1." ||
				tr.CurrentReleaseDate != tr.RevisionHistory[1].Date || tr.InitialReleaseDate != tr.RevisionHistory[0].Date ||
				tr.CurrentReleaseDate <= tr.InitialReleaseDate {
				t.Errorf("tracking: %+v", tr)
			}
			if !strings.Contains(docs["revised"].doc.Document.Notes[0].Text, "Corrected") {
				t.Errorf("the document is not the corrected revision: %q", docs["revised"].doc.Document.Notes[0].Text)
			}
		})
		t.Run("withdrawn", func(t *testing.T) {
			d := docs["withdrawn"].doc
			tr := d.Document.Tracking
			if d.Document.Category != "Withdrawn" || d.Document.Title != "Withdrawn: Mistaken alert" || d.ProductTree != nil || d.Vulnerabilities != nil {
				t.Errorf("category %q title %q", d.Document.Category, d.Document.Title)
			}
			if tr.Version != "2" || len(tr.RevisionHistory) != 2 || tr.RevisionHistory[1].Summary != "Revision 1 withdrawn." || tr.Status != "final" {
				t.Errorf("tracking: %+v", tr)
			}
			var desc []string
			for _, n := range d.Document.Notes {
				if n.Category == "description" {
					desc = append(desc, n.Title)
					if !strings.Contains(n.Text, "It described a test, not an attack.") {
						t.Errorf("reasoning note %q lacks the reason", n.Text)
					}
				}
			}
			if !slices.Equal(desc, []string{"Reasoning for Withdrawal"}) {
				t.Errorf("description notes %v, want one Reasoning for Withdrawal", desc)
			}
		})

		// AMBER and RED advisories, and an advisory corrected to AMBER,
		// appear nowhere: not in any listing, feed, index or change list
		// of either label (not even for their recipient), not at the path
		// their file would have.
		secret := []string{"AMBER-SECRET-TITLE", "RED-SECRET-TITLE", "GREEN-THEN-AMBER-TITLE"}
		for _, n := range []string{"amber", "red", "greenamber"} {
			secret = append(secret, f.ads[n].ID, strings.ToUpper(f.ads[n].ID))
		}
		var everything [][]byte
		for _, p := range []string{"/.well-known/csaf/", "/.well-known/csaf/provider-metadata.json", "/.well-known/csaf/service.json"} {
			everything = append(everything, f.get(t, p, "opr", 200))
		}
		for _, dir := range []string{"white", "green"} {
			for _, p := range []string{"/", "/csaf-feed-tlp-" + dir + ".json", "/index.txt", "/changes.csv", "/2026/"} {
				everything = append(everything, f.get(t, "/.well-known/csaf/"+dir+p, "oprs", 200))
			}
		}
		for _, b := range everything {
			for _, s := range secret {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%q appears in %s", s, cutBytes(b))
				}
			}
		}
		for _, n := range []string{"amber", "red", "greenamber"} {
			name := csaf.Filename(csaf.TrackingID(f.ads[n].ID))
			for _, dir := range []string{"white", "green"} {
				for _, suffix := range []string{"", ".asc", ".sha256"} {
					f.get(t, "/.well-known/csaf/"+dir+"/2026/"+name+suffix, "opr", 404)
				}
			}
		}

		// TLP:GREEN: 401 without a login, 404 to a non-member (the same
		// as for a file that does not exist), 200 to a council member;
		// a document requiring clearance is 404 to a member without it.
		g := path(t, docs["green"].url)
		gc := path(t, docs["greenconf"].url)
		missing := "/.well-known/csaf/green/2026/jp-acd-adv_nosuchadvisory.json"
		for _, p := range []string{g, g + ".asc", gc, missing, path(t, feeds["GREEN"]), "/.well-known/csaf/green/index.txt"} {
			f.get(t, p, "", 401)
		}
		for _, p := range []string{g, g + ".sha256", missing, path(t, feeds["GREEN"]), "/.well-known/csaf/green/", "/.well-known/csaf/green/changes.csv"} {
			f.get(t, p, "opu", 404)
		}
		f.get(t, g, "opr", 200)
		f.get(t, g, "vendor", 200)
		f.get(t, gc, "opr", 404)
		f.get(t, gc, "oprc", 200)
		// A TLP:GREEN document is not served under white/, nor a WHITE
		// one under green/.
		f.get(t, strings.Replace(g, "/green/", "/white/", 1), "", 404)
		f.get(t, strings.Replace(path(t, docs["sec"].url), "/white/", "/green/", 1), "opr", 404)

		// Reads of TLP:GREEN documents are recorded; hashes are not.
		before := len(f.e.Entries(t, "shared.read"))
		f.get(t, g, "opr", 200)
		f.get(t, g+".sha512", "opr", 200)
		if got := len(f.e.Entries(t, "shared.read")) - before; got != 1 {
			t.Errorf("a document and its hash read: %d read entries, want 1", got)
		}

		// index.txt and changes.csv list the documents.
		idx := string(f.get(t, "/.well-known/csaf/white/index.txt", "", 200))
		changes := string(f.get(t, "/.well-known/csaf/white/changes.csv", "", 200))
		for _, n := range []string{"sec", "info", "withdrawn", "revised"} {
			rel := strings.TrimPrefix(docs[n].url, base+"/.well-known/csaf/white/")
			if !strings.Contains(idx, rel+"\n") {
				t.Errorf("index.txt lacks %s:\n%s", rel, idx)
			}
			if !strings.Contains(changes, `"`+rel+`","`+docs[n].doc.Document.Tracking.CurrentReleaseDate+`"`) {
				t.Errorf("changes.csv lacks %s:\n%s", rel, changes)
			}
		}
		if lines := strings.Split(strings.TrimSpace(changes), "\n"); len(lines) != 4 || !strings.Contains(lines[0], strings.TrimPrefix(docs["revised"].url, base+"/.well-known/csaf/white/")) {
			t.Errorf("changes.csv is not newest first:\n%s", changes)
		}
		listing := string(f.get(t, "/.well-known/csaf/white/2026/", "", 200))
		if !strings.Contains(listing, `href="`+filepath.Base(docs["sec"].url)+`.asc"`) {
			t.Errorf("listing lacks the signature:\n%s", listing)
		}

		// Conditional requests: the ETag and Last-Modified are honoured.
		code, hdr, _ := f.c.Do(t, "GET", path(t, docs["sec"].url), "", "", "")
		if code != 200 || hdr.Get("ETag") == "" || hdr.Get("Last-Modified") == "" || hdr.Get("Content-Type") != "application/json" ||
			hdr.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("headers: %v", hdr)
		}
		if code, _, _ := f.c.Do(t, "GET", path(t, docs["sec"].url), "", "", "", "If-None-Match", hdr.Get("ETag")); code != 304 {
			t.Errorf("If-None-Match: status %d, want 304", code)
		}
		if _, hdr, _ := f.c.Do(t, "GET", g, "opr", "", ""); hdr.Get("Access-Control-Allow-Origin") != "" || hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("TLP:GREEN headers: %v", hdr)
		}
		if _, hdr, _ := f.c.Do(t, "GET", docs["sec"].sigPath, "", "", ""); hdr.Get("Content-Type") != "application/pgp-signature" {
			t.Errorf("signature content type %q", hdr.Get("Content-Type"))
		}

		// The same revision gives the same bytes from another provider
		// (a restart): hashes and signatures are stable.
		again, err := csaf.New(csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: base, Contact: "csirt@acd.example.jp"})
		if err != nil {
			t.Fatal(err)
		}
		for n, s := range docs {
			u := path(t, s.url)
			fl, err := again.Open(f.e.Ctx, f.e.P("oprc"), strings.TrimPrefix(u, csaf.Root))
			if err != nil || !bytes.Equal(fl.Body, s.body) {
				t.Errorf("%s rebuilt: %v, same bytes %v", n, err, bytes.Equal(fl.Body, s.body))
			}
			sig, err := again.Open(f.e.Ctx, f.e.P("oprc"), strings.TrimPrefix(u, csaf.Root)+".asc")
			if err != nil || !bytes.Equal(sig.Body, f.get(t, s.sigPath, "oprc", 200)) {
				t.Errorf("%s: signature differs after a restart: %v", n, err)
			}
		}

		// GnuPG verifies a served document with the served key.
		gnupgVerify(t, keyBytes, docs["sec"].body, f.get(t, docs["sec"].sigPath, "", 200), pub.Fingerprint)

		// After a key rotation the new key signs and both keys are listed
		// and served.
		if _, err := f.e.Platform.Keys.Rotate(keys.AdvisorySigning); err != nil {
			t.Fatal(err)
		}
		metaBytes = f.get(t, "/.well-known/csaf/provider-metadata.json", "", 200)
		validate(t, v.provider, "provider-metadata.json after rotation", metaBytes)
		decode(t, metaBytes, &m)
		if len(m.Keys) != 2 || m.Keys[1].Fingerprint != pub.Fingerprint {
			t.Fatalf("after rotation the metadata lists %+v, want the new key and then %s", m.Keys, pub.Fingerprint)
		}
		newPub, err := pgp.ReadPublicKey(f.get(t, path(t, m.Keys[0].URL), "", 200))
		if err != nil {
			t.Fatal(err)
		}
		f.get(t, path(t, m.Keys[1].URL), "", 200)
		sig := f.get(t, docs["sec"].sigPath, "", 200)
		if err := newPub.Verify(sig, docs["sec"].body); err != nil {
			t.Errorf("after rotation: %v", err)
		}
		if err := pub.Verify(sig, docs["sec"].body); err == nil {
			t.Error("after rotation the old key still verifies the new signature")
		}
	})
}

// checkSecurity checks the mapping of securityInput.
func checkSecurity(t *testing.T, d doc, label string) {
	t.Helper()
	if d.Document.Category != "csaf_security_advisory" || d.Document.Distribution.TLP.Label != label {
		t.Errorf("category %q label %q", d.Document.Category, d.Document.Distribution.TLP.Label)
	}
	want := []string{
		"vendor:Palo Alto Networks / product_name:PAN-OS / product_version_range:vers:generic/>=11.1.0|<11.1.2-h3 = CSAFPID-0001 cpe",
		"vendor:Palo Alto Networks / product_name:PAN-OS / product_version:11.1.2-h3 = CSAFPID-0002",
		"vendor:Palo Alto Networks / product_name:PAN-OS / product_version_range:vers:generic/>=10.2.0|<10.2.9-h1 = CSAFPID-0003",
		"vendor:Palo Alto Networks / product_name:PAN-OS / product_version:10.2.9-h1 = CSAFPID-0004",
		"vendor:Example Controls / product_name:EC-100 firmware / product_version:2.4.1 = CSAFPID-0005",
	}
	if d.ProductTree == nil {
		t.Fatal("no product tree")
	}
	if diff := cmp.Diff(want, leaves(d.ProductTree.Branches, "")); diff != "" {
		t.Errorf("product tree (-want +got):\n%s", diff)
	}
	if len(d.Vulnerabilities) != 2 {
		t.Fatalf("%d vulnerabilities, want 2 (the one without products is a note)", len(d.Vulnerabilities))
	}
	v := d.Vulnerabilities[0]
	if v.CVE != "CVE-2024-3400" || v.CWE == nil || v.CWE.Name != "Improper Neutralization of Special Elements used in a Command ('Command Injection')" {
		t.Errorf("first vulnerability: %s %+v", v.CVE, v.CWE)
	}
	if diff := cmp.Diff(map[string][]string{"known_affected": {"CSAFPID-0001", "CSAFPID-0003"}, "fixed": {"CSAFPID-0002", "CSAFPID-0004"}}, v.ProductStatus); diff != "" {
		t.Errorf("product status (-want +got):\n%s", diff)
	}
	if len(v.Scores) != 1 || v.Scores[0].CVSSv3.BaseScore != 10 || v.Scores[0].CVSSv3.BaseSeverity != "CRITICAL" ||
		!slices.Equal(v.Scores[0].Products, []string{"CSAFPID-0001", "CSAFPID-0003"}) {
		t.Errorf("scores: %+v", v.Scores)
	}
	if len(v.Threats) != 1 || v.Threats[0].Category != "exploit_status" || !strings.Contains(v.Threats[0].Details, "Exploited in Japan") {
		t.Errorf("threats: %+v", v.Threats)
	}
	if len(v.Remediations) != 2 || v.Remediations[0].Category != "vendor_fix" || v.Remediations[0].URL == "" ||
		!slices.Equal(v.Remediations[1].ProductIDs, []string{"CSAFPID-0001", "CSAFPID-0003"}) {
		t.Errorf("remediations: %+v", v.Remediations)
	}
	var notes []string
	for _, n := range v.Notes {
		notes = append(notes, n.Category+":"+n.Title)
	}
	if diff := cmp.Diff([]string{"description:Description", "details:How to investigate", "other:End of vendor support"}, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	v2 := d.Vulnerabilities[1]
	notes = nil
	for _, n := range v2.Notes {
		notes = append(notes, n.Category+":"+n.Title)
	}
	if v2.CWE != nil || len(v2.Scores) != 0 || !slices.Equal(notes, []string{"description:Description", "other:Weakness", "other:CVSS v4.0"}) {
		t.Errorf("second vulnerability: cwe %v, %d scores, notes %v", v2.CWE, len(v2.Scores), notes)
	}
	found := false
	for _, n := range d.Document.Notes {
		found = found || n.Title == "Vulnerability CVE-2025-0202 (no product information)" && strings.Contains(n.Text, "products are not yet known")
	}
	if !found {
		t.Error("the vulnerability without products is not a document note")
	}
}

// gnupgVerify checks, when GnuPG is installed, that it imports key and
// verifies sig over data as made by fpr.
func gnupgVerify(t *testing.T, key, data, sig []byte, fpr string) {
	t.Helper()
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Log("gpg not installed (Debian package gnupg): the GnuPG check of a served document did not run")
		return
	}
	home, dir := t.TempDir(), t.TempDir()
	os.Chmod(home, 0o700)
	for name, b := range map[string][]byte{"key.asc": key, "doc.json": data, "doc.json.asc": sig} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		out, err := exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--no-tty", "--status-fd", "1"}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return string(out)
	}
	run("--import", filepath.Join(dir, "key.asc"))
	if out := run("--verify", filepath.Join(dir, "doc.json.asc"), filepath.Join(dir, "doc.json")); !strings.Contains(out, "VALIDSIG "+fpr) {
		t.Errorf("gpg --verify of a served document:\n%s", out)
	}
}

func TestNewRefuses(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, tc := range []struct {
		name string
		d    csaf.Deps
		cfg  csaf.Config
	}{
		{"no sharing service", csaf.Deps{Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: base}},
		{"no ring", csaf.Deps{Sharing: f.e.Svc}, csaf.Config{BaseURL: base}},
		{"relative base URL", csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: "acd.example.jp"}},
		{"ftp base URL", csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: "ftp://acd.example.jp"}},
		{"base URL with a query", csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: "https://acd.example.jp/?x=1"}},
		{"a user id on two lines", csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{BaseURL: base, KeyUserID: "a\nb"}},
	} {
		if _, err := csaf.New(tc.d, tc.cfg); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	// No base URL works, for tests, with links to https://localhost.
	p, err := csaf.New(csaf.Deps{Sharing: f.e.Svc, Ring: f.e.Platform.Keys}, csaf.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Open(f.e.Ctx, nil, "provider-metadata.json")
	if err != nil || !bytes.Contains(m.Body, []byte(`"canonical_url": "https://localhost/.well-known/csaf/provider-metadata.json"`)) {
		t.Errorf("metadata without a base URL: %v\n%s", err, m.Body)
	}
}
