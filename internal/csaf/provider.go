package csaf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/csaf/pgp"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// Root is where the provider's files are served: the well-known path of
// CSAF 2.0 requirement 9.
const Root = "/.well-known/csaf/"

// SchemaURL is the CSAF 2.0 JSON schema's id, which the feeds name as the
// documents' format.
const SchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

// ErrNotFound means there is no such file, or none the caller may read:
// the two are not told apart. The API answers 404.
var ErrNotFound = errors.New("csaf: no such file")

// Deps are what a Provider builds on; both are required.
type Deps struct {
	Sharing *sharing.Service
	Ring    *keys.Ring
}

// Config configures a Provider. The zero value works, but production
// sets BaseURL.
type Config struct {
	// BaseURL is the server's external URL ("https://acd.example.go.jp"):
	// the publisher's namespace and the start of every link. CSAF wants
	// https (requirement 3); the feed schema accepts only https links.
	// Empty means https://localhost (for tests; New logs a warning).
	BaseURL string
	// PublisherName is the publisher's name; default "Cabinet Office,
	// National Cybersecurity Office".
	PublisherName string
	// Contact is the publisher's contact details ("csirt@…, +81 …");
	// empty leaves them out.
	Contact string
	// IssuingAuthority says on whose authority the documents are issued;
	// empty leaves it out.
	IssuingAuthority string
	// KeyUserID is the OpenPGP user id of the signing key; default
	// "ACD CSAF <csaf@HOST>" with HOST the base URL's host.
	KeyUserID string
	// Logger; nil discards.
	Logger *slog.Logger
}

// DefaultPublisherName is the publisher's name when none is configured.
const DefaultPublisherName = "Cabinet Office, National Cybersecurity Office"

// maxCached bounds the documents kept built; past it the cache starts
// again.
const maxCached = 4096

// Provider serves ACD's published TLP:CLEAR and TLP:GREEN advisories as a
// CSAF 2.0 trusted provider (see the package documentation). It is safe
// for concurrent use.
type Provider struct {
	shr       *sharing.Service
	ring      *keys.Ring
	cfg       Config
	publisher Publisher
	logger    *slog.Logger

	mu      sync.Mutex             // guards docs and signers
	docs    map[docKey]*servedDoc  // built documents
	signers map[string]*signingKey // by keys.Key ID
}

// docKey names what a document's bytes depend on.
type docKey struct {
	id       string
	revision int
	state    sharing.State
	keyID    string // the signing key
}

// servedDoc is a built document with its hashes and signature, or why it
// is not served.
type servedDoc struct {
	b      *built
	sha256 []byte // the .sha256 file
	sha512 []byte // the .sha512 file
	asc    []byte // the detached signature
	err    error
}

// signingKey is a version of the advisory-signing key as OpenPGP sees it.
type signingKey struct {
	key     *keys.Key
	pgp     *pgp.Key
	armored []byte // the public key with its user id
}

// New returns a provider. It fails without an advisory-signing key in the
// ring (keys.Open creates one) or with a base URL that is not an absolute
// http or https URL without query or fragment.
func New(d Deps, cfg Config) (*Provider, error) {
	if d.Sharing == nil || d.Ring == nil {
		return nil, errors.New("csaf: every dependency is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://localhost"
		cfg.Logger.Warn("csaf: no base URL configured; the CSAF documents' links name https://localhost")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("csaf: base URL %q: want an absolute https URL such as https://acd.example.go.jp", cfg.BaseURL)
	}
	if cfg.PublisherName == "" {
		cfg.PublisherName = DefaultPublisherName
	}
	if cfg.KeyUserID == "" {
		cfg.KeyUserID = "ACD CSAF <csaf@" + u.Hostname() + ">"
	}
	p := &Provider{shr: d.Sharing, ring: d.Ring, cfg: cfg, logger: cfg.Logger.With("component", "csaf"),
		publisher: Publisher{Category: "coordinator", Name: cfg.PublisherName, Namespace: cfg.BaseURL,
			ContactDetails: cfg.Contact, IssuingAuthority: cfg.IssuingAuthority},
		docs: map[docKey]*servedDoc{}, signers: map[string]*signingKey{}}
	if _, err := p.currentKey(); err != nil {
		return nil, err
	}
	return p, nil
}

// File is a file of the provider.
type File struct {
	// Name is the file's base name ("jp-acd-adv_….json", "index.html").
	Name        string
	ContentType string
	Body        []byte
	// Modified is when the content last changed; zero when unknown.
	Modified time.Time
	// ETag is a strong entity tag of Body, quoted.
	ETag string
	// Public is set for what anyone may read (the metadata, the keys and
	// everything TLP:WHITE): it may be cached by shared caches and read
	// from other origins.
	Public bool
}

// Content types of the files.
const (
	typeJSON = "application/json"
	typeText = "text/plain; charset=utf-8"
	typeCSV  = "text/csv; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
	typeSig  = "application/pgp-signature"
	typeKeys = "application/pgp-keys"
)

// Open returns the file at name, a path under Root without the leading
// Root ("provider-metadata.json", "white/2026/jp-acd-adv_….json.asc"), as
// p (nil for the public) may read it. Names ending in "/" (or "") are
// directory listings. Anything under green/ is ErrNotFound unless p may
// read TLP:GREEN (a council member, with the clearance a document
// requires); the router's action has already required a login there.
func (p *Provider) Open(ctx context.Context, pr *auth.Principal, name string) (File, error) {
	if len(name) > 256 || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return File{}, ErrNotFound
	}
	switch name {
	case "":
		return p.listing(Root, []string{"provider-metadata.json", "service.json", "openpgp/", "white/", "green/"}, time.Time{}, true), nil
	case "provider-metadata.json":
		return p.metadata()
	case "service.json":
		return p.serviceDocument()
	case "openpgp/":
		ks, err := p.keysAll()
		if err != nil {
			return File{}, err
		}
		var names []string
		for _, k := range ks {
			names = append(names, k.pgp.Fingerprint()+".asc")
		}
		return p.listing(Root+"openpgp/", names, time.Time{}, true), nil
	}
	if rest, ok := strings.CutPrefix(name, "openpgp/"); ok {
		return p.publicKey(rest)
	}
	dir, rest, _ := strings.Cut(name, "/")
	var label Label
	switch dir {
	case "white":
		label = White
	case "green":
		label = Green
	default:
		return File{}, ErrNotFound
	}
	if !strings.Contains(name, "/") {
		return File{}, ErrNotFound // "white" without its slash
	}
	if label == Green {
		r, err := p.shr.Reader(ctx, pr)
		if err != nil {
			return File{}, err
		}
		if !p.shr.Scale().Visible(tlp.Marking{Level: tlp.Green}, r) {
			return File{}, ErrNotFound
		}
	}
	switch rest {
	case "":
		return p.labelListing(ctx, pr, label)
	case feedName(label):
		return p.feed(ctx, pr, label)
	case "index.txt":
		return p.index(ctx, pr, label)
	case "changes.csv":
		return p.changes(ctx, pr, label)
	}
	year, file, ok := strings.Cut(rest, "/")
	if !ok || !yearRE.MatchString(year) {
		return File{}, ErrNotFound
	}
	if file == "" {
		return p.yearListing(ctx, pr, label, year)
	}
	return p.documentFile(ctx, pr, label, year, file)
}

var yearRE = regexp.MustCompile(`^[0-9]{4}$`)

// feedName is the file name of a label's ROLIE feed.
func feedName(l Label) string { return "csaf-feed-tlp-" + l.dir() + ".json" }

func (p *Provider) url(path string) string { return p.cfg.BaseURL + Root + path }

func (p *Provider) docURL(l Label, year, filename string) string {
	return p.url(l.dir() + "/" + year + "/" + filename)
}

// documentFile serves a document or its .sha256, .sha512 or .asc file.
func (p *Provider) documentFile(ctx context.Context, pr *auth.Principal, label Label, year, file string) (File, error) {
	base, suffix := file, ""
	for _, s := range []string{".sha256", ".sha512", ".asc"} {
		if b, ok := strings.CutSuffix(file, s); ok {
			base, suffix = b, s
			break
		}
	}
	idPart, ok := strings.CutSuffix(base, ".json")
	if !ok {
		return File{}, ErrNotFound
	}
	id, ok := strings.CutPrefix(idPart, strings.ToLower(TrackingIDPrefix))
	if !ok || id == "" {
		return File{}, ErrNotFound
	}
	item, err := p.shr.CSAFItem(ctx, pr, id, suffix == "")
	if errors.Is(err, sharing.ErrNotFound) {
		return File{}, ErrNotFound
	}
	if err != nil {
		return File{}, err
	}
	d, err := p.document(item)
	if err != nil {
		return File{}, ErrNotFound // logged when built
	}
	if d.b.label != label || d.b.year != year || d.b.filename != base {
		return File{}, ErrNotFound
	}
	f := File{Name: file, Modified: d.b.current, Public: label == White}
	switch suffix {
	case "":
		f.ContentType, f.Body = typeJSON, d.b.json
	case ".sha256":
		f.ContentType, f.Body = typeText, d.sha256
	case ".sha512":
		f.ContentType, f.Body = typeText, d.sha512
	case ".asc":
		f.ContentType, f.Body = typeSig, d.asc
	}
	f.ETag = etag(f.Body)
	return f, nil
}

// document returns item's document, built, checked, hashed and signed,
// from the cache when it has it.
func (p *Provider) document(item sharing.CSAFItem) (*servedDoc, error) {
	sk, err := p.currentKey()
	if err != nil {
		return nil, err
	}
	a := item.Advisory
	k := docKey{id: a.ID, revision: a.Revision, state: a.State, keyID: sk.key.ID}
	p.mu.Lock()
	d, ok := p.docs[k]
	p.mu.Unlock()
	if ok {
		return d, d.err
	}
	d = p.buildServed(item, sk)
	p.mu.Lock()
	if len(p.docs) >= maxCached {
		clear(p.docs)
	}
	p.docs[k] = d
	p.mu.Unlock()
	return d, d.err
}

func (p *Provider) buildServed(item sharing.CSAFItem, sk *signingKey) *servedDoc {
	d := &servedDoc{}
	b, err := p.buildDocument(item)
	if err == nil {
		if errs := Check(b.json); len(errs) > 0 {
			err = fmt.Errorf("document %s fails CSAF's mandatory tests: %w", b.trackingID, errors.Join(errs...))
		}
	}
	if err != nil {
		p.logger.Error("advisory not served as CSAF", "advisory", item.Advisory.ID, "revision", item.Advisory.Revision, "err", err)
		d.err = err
		return d
	}
	d.b = b
	s256, s512 := sha256.Sum256(b.json), sha512.Sum512(b.json)
	d.sha256 = []byte(hex.EncodeToString(s256[:]) + "  " + b.filename + "\n")
	d.sha512 = []byte(hex.EncodeToString(s512[:]) + "  " + b.filename + "\n")
	if d.asc, err = sk.pgp.SignDetached(b.json, b.current); err != nil {
		p.logger.Error("advisory not served as CSAF", "advisory", item.Advisory.ID, "err", err)
		d.err = fmt.Errorf("sign %s: %w", b.trackingID, err)
	}
	return d
}

// served lists the documents at label that pr may read, each built, most
// recently changed first.
func (p *Provider) served(ctx context.Context, pr *auth.Principal, label Label) ([]*servedDoc, error) {
	items, err := p.shr.CSAFItems(ctx, pr, label.level())
	if err != nil {
		return nil, err
	}
	var out []*servedDoc
	for _, it := range items {
		if d, err := p.document(it); err == nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].b.current.Equal(out[j].b.current) {
			return out[i].b.current.After(out[j].b.current)
		}
		return out[i].b.trackingID < out[j].b.trackingID
	})
	return out, nil
}

// rolieFeed is a ROLIE feed of CSAF documents (RFC 8322, in the form of
// CSAF 2.0 requirement 15).
type rolieFeed struct {
	Feed struct {
		ID       string          `json:"id"`
		Title    string          `json:"title"`
		Link     []link          `json:"link"`
		Category []rolieCategory `json:"category"`
		Updated  string          `json:"updated"`
		Entry    []feedEntry     `json:"entry"`
	} `json:"feed"`
}

type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

type rolieCategory struct {
	Scheme string `json:"scheme"`
	Term   string `json:"term"`
}

// csafCategory is the ROLIE information type CSAF registers.
var csafCategory = rolieCategory{Scheme: "urn:ietf:params:rolie:category:information-type", Term: "csaf"}

type feedEntry struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Link      []link `json:"link"`
	Published string `json:"published"`
	Updated   string `json:"updated"`
	Summary   *struct {
		Content string `json:"content"`
	} `json:"summary,omitempty"`
	Content struct {
		Type string `json:"type"`
		Src  string `json:"src"`
	} `json:"content"`
	Format struct {
		Schema  string `json:"schema"`
		Version string `json:"version"`
	} `json:"format"`
}

func feedTitle(l Label) string { return "ACD CSAF feed (TLP:" + string(l) + ")" }

func (p *Provider) feed(ctx context.Context, pr *auth.Principal, label Label) (File, error) {
	docs, err := p.served(ctx, pr, label)
	if err != nil {
		return File{}, err
	}
	var f rolieFeed
	f.Feed.ID = "jp-acd-csaf-feed-tlp-" + label.dir()
	f.Feed.Title = feedTitle(label)
	f.Feed.Link = []link{{Rel: "self", Href: p.url(label.dir() + "/" + feedName(label))}}
	f.Feed.Category = []rolieCategory{csafCategory}
	f.Feed.Entry = []feedEntry{}
	updated := p.lastUpdated()
	if len(docs) > 0 {
		updated = docs[0].b.current
	}
	f.Feed.Updated = stamp(updated)
	for _, d := range docs {
		u := p.docURL(label, d.b.year, d.b.filename)
		e := feedEntry{ID: d.b.trackingID, Title: d.b.title, Published: stamp(d.b.initial), Updated: stamp(d.b.current),
			Link: []link{{Rel: "self", Href: u}, {Rel: "hash", Href: u + ".sha256"}, {Rel: "hash", Href: u + ".sha512"}, {Rel: "signature", Href: u + ".asc"}}}
		if d.b.summary != "" {
			e.Summary = &struct {
				Content string `json:"content"`
			}{d.b.summary}
		}
		e.Content.Type, e.Content.Src = "application/json", u
		e.Format.Schema, e.Format.Version = SchemaURL, "2.0"
		f.Feed.Entry = append(f.Feed.Entry, e)
	}
	return jsonFile(feedName(label), f, updated, label == White)
}

// index is index.txt (requirement 12): every document's path under the
// label's folder, one a line.
func (p *Provider) index(ctx context.Context, pr *auth.Principal, label Label) (File, error) {
	docs, err := p.served(ctx, pr, label)
	if err != nil {
		return File{}, err
	}
	var lines []string
	for _, d := range docs {
		lines = append(lines, d.b.year+"/"+d.b.filename+"\n")
	}
	sort.Strings(lines)
	body := []byte(strings.Join(lines, ""))
	return File{Name: "index.txt", ContentType: typeText, Body: body, Modified: newest(docs), ETag: etag(body), Public: label == White}, nil
}

// changes is changes.csv (requirement 13): each document's path and
// current release date, the latest first, quoted as CSAF 2.0 writes it.
func (p *Provider) changes(ctx context.Context, pr *auth.Principal, label Label) (File, error) {
	docs, err := p.served(ctx, pr, label)
	if err != nil {
		return File{}, err
	}
	var buf bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&buf, "%q,%q\n", d.b.year+"/"+d.b.filename, stamp(d.b.current))
	}
	body := buf.Bytes()
	return File{Name: "changes.csv", ContentType: typeCSV, Body: body, Modified: newest(docs), ETag: etag(body), Public: label == White}, nil
}

func newest(docs []*servedDoc) time.Time {
	if len(docs) == 0 {
		return time.Time{}
	}
	return docs[0].b.current
}

func (p *Provider) labelListing(ctx context.Context, pr *auth.Principal, label Label) (File, error) {
	docs, err := p.served(ctx, pr, label)
	if err != nil {
		return File{}, err
	}
	names := []string{feedName(label), "index.txt", "changes.csv"}
	var years []string
	for _, d := range docs {
		if !slices.Contains(years, d.b.year+"/") {
			years = append(years, d.b.year+"/")
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(years)))
	return p.listing(Root+label.dir()+"/", append(years, names...), newest(docs), label == White), nil
}

func (p *Provider) yearListing(ctx context.Context, pr *auth.Principal, label Label, year string) (File, error) {
	docs, err := p.served(ctx, pr, label)
	if err != nil {
		return File{}, err
	}
	var names []string
	var mod time.Time
	for _, d := range docs {
		if d.b.year != year {
			continue
		}
		names = append(names, d.b.filename, d.b.filename+".asc", d.b.filename+".sha256", d.b.filename+".sha512")
		if d.b.current.After(mod) {
			mod = d.b.current
		}
	}
	if len(names) == 0 {
		return File{}, ErrNotFound
	}
	sort.Strings(names)
	return p.listing(Root+label.dir()+"/"+year+"/", names, mod, label == White), nil
}

// listing is a server-side directory listing (requirement 14).
func (p *Provider) listing(path string, names []string, mod time.Time, public bool) File {
	var b bytes.Buffer
	t := html.EscapeString(path)
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Index of %s</title></head>\n<body>\n<h1>Index of %s</h1>\n<ul>\n", t, t)
	if path != Root {
		b.WriteString("<li><a href=\"../\">../</a></li>\n")
	}
	for _, n := range names {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(url.PathEscape(n)), html.EscapeString(n))
	}
	b.WriteString("</ul>\n</body>\n</html>\n")
	return File{Name: "index.html", ContentType: typeHTML, Body: b.Bytes(), Modified: mod, ETag: etag(b.Bytes()), Public: public}
}

// providerMetadata is provider-metadata.json (requirement 7).
type providerMetadata struct {
	CanonicalURL            string    `json:"canonical_url"`
	Distributions           []channel `json:"distributions"`
	LastUpdated             string    `json:"last_updated"`
	ListOnCSAFAggregators   bool      `json:"list_on_CSAF_aggregators"`
	MetadataVersion         string    `json:"metadata_version"`
	MirrorOnCSAFAggregators bool      `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys       []keyRef  `json:"public_openpgp_keys"`
	Publisher               Publisher `json:"publisher"`
	Role                    string    `json:"role"`
}
