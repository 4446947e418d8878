package csaf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/acd-platform/acd/internal/csaf/pgp"
	"github.com/acd-platform/acd/internal/keys"
)

// channel is a distribution of provider-metadata.json: a directory, and
// the ROLIE feeds.
type channel struct {
	DirectoryURL string `json:"directory_url,omitempty"`
	ROLIE        *rolie `json:"rolie,omitempty"`
}

type rolie struct {
	Feeds    []feedRef `json:"feeds"`
	Services []string  `json:"services,omitempty"`
}

type feedRef struct {
	Summary  string `json:"summary"`
	TLPLabel string `json:"tlp_label"`
	URL      string `json:"url"`
}

type keyRef struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

// Role is the CSAF 2.0 role (§7.2) the provider meets: a trusted provider
// — requirements 1–7, 9, 11–17 (both the directory and the ROLIE
// distribution) and 18–20.
const Role = "csaf_trusted_provider"

func (p *Provider) metadata() (File, error) {
	ks, err := p.keysAll()
	if err != nil {
		return File{}, err
	}
	m := providerMetadata{
		CanonicalURL: p.url("provider-metadata.json"),
		Distributions: []channel{
			{DirectoryURL: p.url("white/"), ROLIE: &rolie{
				Feeds: []feedRef{
					{Summary: "All TLP:WHITE (TLP 2.0: TLP:CLEAR) advisories of the " + p.cfg.PublisherName + ".", TLPLabel: string(White), URL: p.url("white/" + feedName(White))},
					{Summary: "All TLP:GREEN advisories of the " + p.cfg.PublisherName + ", for the members of the Council (login required).", TLPLabel: string(Green), URL: p.url("green/" + feedName(Green))},
				},
				Services: []string{p.url("service.json")},
			}},
			{DirectoryURL: p.url("green/")},
		},
		LastUpdated:             stamp(p.lastUpdated()),
		ListOnCSAFAggregators:   true,
		MetadataVersion:         "2.0",
		MirrorOnCSAFAggregators: true,
		Publisher:               p.publisher,
		Role:                    Role,
	}
	// The current key first; retired keys stay listed so that what they
	// signed can still be checked.
	for i := len(ks) - 1; i >= 0; i-- {
		fpr := ks[i].pgp.Fingerprint()
		m.PublicOpenPGPKeys = append(m.PublicOpenPGPKeys, keyRef{Fingerprint: fpr, URL: p.url("openpgp/" + fpr + ".asc")})
	}
	return jsonFile("provider-metadata.json", m, p.lastUpdated(), true)
}

// serviceDocument is the ROLIE service document (requirement 16).
func (p *Provider) serviceDocument() (File, error) {
	type categories struct {
		Category []rolieCategory `json:"category"`
	}
	type collection struct {
		Title      string     `json:"title"`
		Href       string     `json:"href"`
		Categories categories `json:"categories"`
	}
	var doc struct {
		Service struct {
			Workspace []struct {
				Title      string       `json:"title"`
				Collection []collection `json:"collection"`
			} `json:"workspace"`
		} `json:"service"`
	}
	doc.Service.Workspace = append(doc.Service.Workspace, struct {
		Title      string       `json:"title"`
		Collection []collection `json:"collection"`
	}{Title: "CSAF feeds of the " + p.cfg.PublisherName, Collection: []collection{
		{Title: feedTitle(White), Href: p.url("white/" + feedName(White)), Categories: categories{[]rolieCategory{csafCategory}}},
		{Title: feedTitle(Green), Href: p.url("green/" + feedName(Green)), Categories: categories{[]rolieCategory{csafCategory}}},
	}})
	return jsonFile("service.json", doc, p.lastUpdated(), true)
}

var keyFileRE = regexp.MustCompile(`^([0-9A-F]{40})\.asc$`)

// publicKey serves openpgp/<FINGERPRINT>.asc for every version of the
// advisory-signing key (requirement 20).
func (p *Provider) publicKey(name string) (File, error) {
	m := keyFileRE.FindStringSubmatch(name)
	if m == nil {
		return File{}, ErrNotFound
	}
	ks, err := p.keysAll()
	if err != nil {
		return File{}, err
	}
	for _, k := range ks {
		if k.pgp.Fingerprint() == m[1] {
			return File{Name: name, ContentType: typeKeys, Body: k.armored, Modified: k.pgp.Created(), ETag: etag(k.armored), Public: true}, nil
		}
	}
	return File{}, ErrNotFound
}

// keysAll returns every version of the advisory-signing key, oldest first.
func (p *Provider) keysAll() ([]*signingKey, error) {
	all := p.ring.All(keys.AdvisorySigning)
	if len(all) == 0 {
		return nil, fmt.Errorf("csaf: no %s key in the key ring", keys.AdvisorySigning)
	}
	out := make([]*signingKey, 0, len(all))
	for _, k := range all {
		sk, err := p.signer(k)
		if err != nil {
			return nil, err
		}
		out = append(out, sk)
	}
	return out, nil
}

// currentKey is the key that signs.
func (p *Provider) currentKey() (*signingKey, error) {
	k, err := p.ring.Current(keys.AdvisorySigning)
	if err != nil {
		return nil, fmt.Errorf("csaf: %w", err)
	}
	return p.signer(k)
}

// signer returns k as an OpenPGP key, made once per version: its creation
// time is the key's, so its fingerprint is the same at every start.
func (p *Provider) signer(k *keys.Key) (*signingKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sk, ok := p.signers[k.ID]; ok {
		return sk, nil
	}
	priv, err := k.Ed25519PrivateKey()
	if err != nil {
		return nil, fmt.Errorf("csaf: key %s: %w", k.ID, err)
	}
	pk, err := pgp.NewKey(priv, k.Created, p.cfg.KeyUserID)
	if err != nil {
		return nil, fmt.Errorf("csaf: key %s: %w", k.ID, err)
	}
	armored, err := pk.ArmoredPublicKey()
	if err != nil {
		return nil, fmt.Errorf("csaf: key %s: %w", k.ID, err)
	}
	sk := &signingKey{key: k, pgp: pk, armored: armored}
	p.signers[k.ID] = sk
	return sk, nil
}

// lastUpdated is when the metadata last changed: the newest key's
// creation (the rest of it changes only with the configuration).
func (p *Provider) lastUpdated() time.Time {
	var t time.Time
	for _, k := range p.ring.All(keys.AdvisorySigning) {
		if k.Created.After(t) {
			t = k.Created
		}
	}
	return t
}

// jsonFile encodes v as an indented JSON file.
func jsonFile(name string, v any, mod time.Time, public bool) (File, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return File{}, fmt.Errorf("encode %s: %w", name, err)
	}
	return File{Name: name, ContentType: typeJSON, Body: buf.Bytes(), Modified: mod, ETag: etag(buf.Bytes()), Public: public}, nil
}

// etag is a strong entity tag: the first 128 bits of the body's SHA-256.
func etag(b []byte) string {
	s := sha256.Sum256(b)
	return `"` + hex.EncodeToString(s[:16]) + `"`
}
