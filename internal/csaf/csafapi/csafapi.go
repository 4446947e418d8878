// Package csafapi serves the CSAF 2.0 provider of package csaf under
// /.well-known/csaf/: the provider metadata, the ROLIE service document
// and feeds, the public OpenPGP keys, and per TLP label a folder of
// documents by year with their .sha256, .sha512 and .asc files, index.txt,
// changes.csv and directory listings. TLP:WHITE (ACD's TLP:CLEAR) and
// everything else outside green/ is public (auth.CSAFRead); green/ needs a
// login (auth.CSAFGreenRead) and then answers 404 to anyone who may not
// read TLP:GREEN, as it does for a file that does not exist. docs/csaf.md
// shows the layout with curl and gpg.
package csafapi

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/csaf"
)

type handlers struct{ p *csaf.Provider }

// Register adds the provider's routes to r.
func Register(r *api.Router, p *csaf.Provider) {
	h := &handlers{p: p}
	const tag = "csaf"
	for _, rt := range []struct {
		pattern, summary string
		action           auth.Action
	}{
		{"GET /.well-known/csaf/{$}", "Listing of the CSAF provider's folder (HTML, public)", auth.CSAFRead},
		{"GET /.well-known/csaf/provider-metadata.json", "CSAF 2.0 provider metadata: role, publisher, ROLIE feeds, directories and OpenPGP keys (public)", auth.CSAFRead},
		{"GET /.well-known/csaf/service.json", "ROLIE service document listing the two CSAF feeds (public)", auth.CSAFRead},
		{"GET /.well-known/csaf/openpgp/{$}", "Listing of the OpenPGP public keys that sign the CSAF documents (HTML, public)", auth.CSAFRead},
		{"GET /.well-known/csaf/openpgp/{file}", "An armored OpenPGP public key that signs the CSAF documents, FINGERPRINT.asc (public)", auth.CSAFRead},
		{"GET /.well-known/csaf/white/{$}", "Listing of the TLP:WHITE folder (HTML, public)", auth.CSAFRead},
		{"GET /.well-known/csaf/white/{file}", "The TLP:WHITE ROLIE feed (csaf-feed-tlp-white.json), index.txt or changes.csv (public)", auth.CSAFRead},
		{"GET /.well-known/csaf/white/{year}/{$}", "Listing of a year of TLP:WHITE documents (HTML, public)", auth.CSAFRead},
		{"GET /.well-known/csaf/white/{year}/{file}", "A TLP:WHITE CSAF 2.0 document (ACD's TLP:CLEAR advisories), or its .sha256, .sha512 or .asc (public)", auth.CSAFRead},
		{"GET /.well-known/csaf/green/{$}", "Listing of the TLP:GREEN folder (HTML; council members)", auth.CSAFGreenRead},
		{"GET /.well-known/csaf/green/{file}", "The TLP:GREEN ROLIE feed (csaf-feed-tlp-green.json), index.txt or changes.csv (council members)", auth.CSAFGreenRead},
		{"GET /.well-known/csaf/green/{year}/{$}", "Listing of a year of TLP:GREEN documents (HTML; council members)", auth.CSAFGreenRead},
		{"GET /.well-known/csaf/green/{year}/{file}", "A TLP:GREEN CSAF 2.0 document, or its .sha256, .sha512 or .asc (council members with the clearance it requires; 404 to others)", auth.CSAFGreenRead},
	} {
		r.Handle(api.Route{Pattern: rt.pattern, Action: rt.action, Tag: tag, Summary: rt.summary, Status: http.StatusOK}, h.serve)
	}
}

// serve answers with the provider's file at the request's path, with
// conditional requests (ETag, Last-Modified) and HEAD handled.
func (h *handlers) serve(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutPrefix(r.URL.Path, csaf.Root)
	if !ok {
		return api.NotFound("no such file")
	}
	f, err := h.p.Open(r.Context(), auth.FromContext(r.Context()), name)
	if errors.Is(err, csaf.ErrNotFound) {
		return api.NotFound("no such file")
	}
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("ETag", f.ETag)
	hd.Set("X-Content-Type-Options", "nosniff")
	if f.Public {
		// CSAF requirement 25 (2.1) and the TC's CDN guidance: public
		// files may be read from other origins and cached briefly.
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cache-Control", "public, max-age=300")
	}
	// TLP:GREEN files keep the router's Cache-Control: no-store; a client
	// that keeps its own copy still revalidates with If-None-Match.
	http.ServeContent(w, r, f.Name, f.Modified, bytes.NewReader(f.Body))
	return nil
}
