// Package taxiiapi serves package taxii as a TAXII 2.1 server (OASIS
// Standard, 10 June 2021) under /taxii2/: the discovery resource, one API
// root (/taxii2/api/), its collections, their objects, manifests and
// versions, adding objects, and the status of an addition. docs/taxii.md
// has the details and curl examples.
//
// Every route is registered on the api.Router, so authentication, CSRF and
// the policy (auth.TAXIIRead: anyone, even without an account;
// auth.TAXIIWrite: any authenticated user) come first; the taxii service
// then decides per collection and per object. Responses and errors are in
// the TAXII media type application/taxii+json;version=2.1, errors as TAXII
// error messages — except the router's own refusals before a handler runs
// (401 for a POST without credentials, 404 and 405 for paths and methods
// the server does not have), which keep ACD's JSON error envelope.
package taxiiapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/taxii"
)

// Media types of TAXII 2.1 and STIX 2.1.
const (
	MediaTypeTAXII = "application/taxii+json;version=2.1"
	MediaTypeSTIX  = "application/stix+json;version=2.1"
)

// Paths of the discovery resource and of the API root.
const (
	PathDiscovery = "/taxii2/"
	PathAPIRoot   = "/taxii2/" + taxii.APIRoot + "/"
)

// Config configures the discovery and API root resources. The zero value
// works.
type Config struct {
	// BaseURL is ACD's external URL ("https://acd.example.go.jp"), for the
	// absolute API root URL in the discovery resource; empty means the
	// scheme and host the request came to.
	BaseURL string
	// Title and Description describe the server and its API root;
	// defaults name ACD.
	Title, Description string
	// Contact is the discovery resource's contact line; empty for none.
	Contact string
	// Logger receives internal errors; nil discards.
	Logger *slog.Logger
}

type handlers struct {
	svc    *taxii.Service
	cfg    Config
	logger *slog.Logger
}

// Register adds the TAXII routes to r.
func Register(r *api.Router, svc *taxii.Service, cfg Config) {
	if cfg.Title == "" {
		cfg.Title = "ACD TAXII server"
	}
	if cfg.Description == "" {
		cfg.Description = "STIX 2.1 objects shared by the national cyber office and the council (Act on Active Cyber Defense, ch.8 and ch.9), each served under its TLP 2.0 marking."
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handlers{svc: svc, cfg: cfg, logger: cfg.Logger.With("component", "taxiiapi")}
	const tag = "TAXII 2.1"
	coll := PathAPIRoot + "collections/{id}/"
	route := func(pattern string, action auth.Action, summary string, req, resp any, status int, fn func(http.ResponseWriter, *http.Request) error) {
		r.Handle(api.Route{Pattern: pattern + "{$}", Action: action, Tag: tag, Summary: summary, Request: req, Response: resp, Status: status}, h.wrap(fn))
	}
	route("GET "+PathDiscovery, auth.TAXIIRead, "TAXII discovery: the server and its API root", nil, Discovery{}, 0, h.discovery)
	route("GET "+PathAPIRoot, auth.TAXIIRead, "TAXII API root information (max_content_length)", nil, APIRootInfo{}, 0, h.apiRoot)
	route("GET "+PathAPIRoot+"status/{status_id}/", auth.TAXIIRead, "Status of an add-objects request (its poster's organisation only)", nil, taxii.Status{}, 0, h.status)
	route("GET "+PathAPIRoot+"collections/", auth.TAXIIRead, "Collections the caller may read or write", nil, Collections{}, 0, h.collections)
	route("GET "+coll, auth.TAXIIRead, "One collection", nil, Collection{}, 0, h.collection)
	route("GET "+coll+"manifest/", auth.TAXIIRead, "Manifest of a collection (added_after, limit, next, match[id|type|version|spec_version])", nil, Manifest{}, 0, h.manifest)
	route("GET "+coll+"objects/", auth.TAXIIRead, "Objects of a collection the caller may read (added_after, limit, next, match[id|type|version|spec_version])", nil, Envelope{}, 0, h.objects)
	route("POST "+coll+"objects/", auth.TAXIIWrite, "Add objects: a TAXII envelope or a STIX bundle; answers the status (202)", Envelope{}, taxii.Status{}, http.StatusAccepted, h.add)
	route("GET "+coll+"objects/{object_id}/", auth.TAXIIRead, "One object's versions (added_after, limit, next, match[version|spec_version]; default the latest)", nil, Envelope{}, 0, h.object)
	route("GET "+coll+"objects/{object_id}/versions/", auth.TAXIIRead, "Version timestamps of one object (added_after, limit, next, match[spec_version])", nil, Versions{}, 0, h.versions)
}

// Discovery is the discovery resource (TAXII 2.1 §4.1.1).
type Discovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

// APIRootInfo is the API root resource (TAXII 2.1 §4.2.1).
type APIRootInfo struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collections is the collections resource (§5.1.1); the list is left out
// when empty, as TAXII forbids empty lists.
type Collections struct {
	Collections []Collection `json:"collections,omitempty"`
}

// Collection is the collection resource (§5.2.1).
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

// Envelope is the envelope resource (§3.7) of objects.
type Envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

// Manifest is the manifest resource (§5.3.1).
type Manifest struct {
	More    bool             `json:"more"`
	Next    string           `json:"next,omitempty"`
	Objects []ManifestRecord `json:"objects,omitempty"`
}

// ManifestRecord is one object version in a manifest.
type ManifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type,omitempty"`
}

// Versions is the versions resource (§5.8.1).
type Versions struct {
	More     bool     `json:"more"`
	Next     string   `json:"next,omitempty"`
	Versions []string `json:"versions,omitempty"`
}

// ErrorMessage is the TAXII error message (§3.6.1).
type ErrorMessage struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// ErrorID is the request id (X-Request-ID), for the server's logs.
	ErrorID    string            `json:"error_id,omitempty"`
	ErrorCode  string            `json:"error_code,omitempty"`
	HTTPStatus string            `json:"http_status,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
}

// httpError is an error with the TAXII error message to send.
type httpError struct {
	status int
	code   string
	title  string
	desc   string
	field  string
	cause  error // logged for 5xx, never shown
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.title, e.desc) }

// wrap runs fn after the Accept check and renders its error as a TAXII
// error message. It always returns nil to the router: the response is
// written.
func (h *handlers) wrap(fn func(http.ResponseWriter, *http.Request) error) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !acceptable(r.Header.Get("Accept")) {
			h.fail(w, r, &httpError{status: http.StatusNotAcceptable, code: "not_acceptable", title: "Not acceptable",
				desc: "the Accept header must allow " + MediaTypeTAXII})
			return nil
		}
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
		return nil
	}
}

// fail writes err as a TAXII error message.
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := errorFor(err)
	if e.status >= 500 {
		h.logger.Error("request failed", "request_id", api.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	msg := ErrorMessage{Title: e.title, Description: e.desc, ErrorID: api.RequestID(r.Context()), ErrorCode: e.code, HTTPStatus: strconv.Itoa(e.status)}
	if e.field != "" {
		msg.Details = map[string]string{"field": e.field}
	}
	writeTAXII(w, e.status, msg)
}

// errorFor maps an error to the message a client sees.
func errorFor(err error) *httpError {
	if he, ok := errors.AsType[*httpError](err); ok {
		return he
	}
	if fe, ok := errors.AsType[*taxii.FieldError](err); ok {
		return &httpError{status: http.StatusBadRequest, code: "bad_request", title: "Bad request", desc: err.Error(), field: fe.Field}
	}
	switch {
	case errors.Is(err, taxii.ErrCursor):
		return &httpError{status: http.StatusBadRequest, code: "invalid_next", title: "Invalid next", desc: err.Error(), field: "next"}
	case errors.Is(err, taxii.ErrNotFound):
		return &httpError{status: http.StatusNotFound, code: "not_found", title: "Not found", desc: err.Error()}
	case errors.Is(err, taxii.ErrForbidden):
		return &httpError{status: http.StatusForbidden, code: "forbidden", title: "Forbidden", desc: err.Error()}
	}
	return &httpError{status: http.StatusInternalServerError, code: "internal", title: "Internal error",
		desc: "the server failed; quote the error_id when reporting it", cause: err}
}

// writeTAXII writes v as JSON in the TAXII media type.
func writeTAXII(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"title":"Internal error","http_status":"500"}` + "\n")
	}
	writeBody(w, status, b.Bytes())
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", MediaTypeTAXII)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// acceptable reports whether an Accept header admits the TAXII 2.1 media
// type. No header admits anything; application/taxii+json without a
// version means the latest, 2.1; a range with q=0 admits nothing.
func acceptable(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for rng := range strings.SplitSeq(accept, ",") {
		mt, ps, err := mime.ParseMediaType(strings.TrimSpace(rng))
		if err != nil {
			continue
		}
		if q, ok := ps["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
				continue
			}
		}
		switch mt {
		case "*/*", "application/*":
			return true
		case "application/taxii+json":
			if v, ok := ps["version"]; !ok || v == "2.1" {
				return true
			}
		}
	}
	return false
}

// bodyKind is what a POST body holds, from its Content-Type.
func bodyKind(ct string) (envelope bool, err error) {
	bad := &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
		desc: "Content-Type must be " + MediaTypeTAXII + " (an envelope) or " + MediaTypeSTIX + " (a bundle)"}
	mt, ps, perr := mime.ParseMediaType(ct)
	if perr != nil {
		return false, bad
	}
	if v, ok := ps["version"]; ok && v != "2.1" {
		return false, bad
	}
	switch mt {
	case "application/taxii+json":
		return true, nil
	case "application/stix+json":
		return false, nil
	}
	return false, bad
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// apiRootURL is the absolute URL of the API root.
func (h *handlers) apiRootURL(r *http.Request) string {
	base := h.cfg.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + PathAPIRoot
}

func (h *handlers) discovery(w http.ResponseWriter, r *http.Request) error {
	root := h.apiRootURL(r)
	writeTAXII(w, http.StatusOK, Discovery{Title: h.cfg.Title, Description: h.cfg.Description, Contact: h.cfg.Contact, Default: root, APIRoots: []string{root}})
	return nil
}

func (h *handlers) apiRoot(w http.ResponseWriter, r *http.Request) error {
	writeTAXII(w, http.StatusOK, APIRootInfo{Title: h.cfg.Title, Description: h.cfg.Description,
		Versions: []string{MediaTypeTAXII}, MaxContentLength: h.svc.MaxContentLength()})
	return nil
}

func (h *handlers) status(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Status(r.Context(), principal(r), r.PathValue("status_id"))
	if err != nil {
		return err
	}
	writeTAXII(w, http.StatusOK, st)
	return nil
}

func resource(c taxii.Collection) Collection {
	return Collection{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias, CanRead: c.CanRead, CanWrite: c.CanWrite,
		MediaTypes: []string{MediaTypeSTIX}}
}

func (h *handlers) collections(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.Collections(r.Context(), principal(r))
	if err != nil {
		return err
	}
	var out Collections
	for _, c := range cs {
		out.Collections = append(out.Collections, resource(c))
	}
	writeTAXII(w, http.StatusOK, out)
	return nil
}

func (h *handlers) collection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Collection(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeTAXII(w, http.StatusOK, resource(c))
	return nil
}

// objectID reads the object id of the path; a malformed one names no
// object.
func objectID(r *http.Request) (string, error) {
	id := r.PathValue("object_id")
	if _, _, err := stix.ParseID(id); err != nil {
		return "", fmt.Errorf("object %q: %w", id, taxii.ErrNotFound)
	}
	return id, nil
}

func (h *handlers) objects(w http.ResponseWriter, r *http.Request) error {
	q, err := taxii.ParseQuery(taxii.EndpointObjects, r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.svc.Objects(r.Context(), principal(r), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	writeEnvelope(w, pg)
	return nil
}

func (h *handlers) object(w http.ResponseWriter, r *http.Request) error {
	id, err := objectID(r)
	if err != nil {
		return err
	}
	q, err := taxii.ParseQuery(taxii.EndpointObject, r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.svc.Object(r.Context(), principal(r), r.PathValue("id"), id, q)
	if err != nil {
		return err
	}
	writeEnvelope(w, pg)
	return nil
}

func (h *handlers) manifest(w http.ResponseWriter, r *http.Request) error {
	q, err := taxii.ParseQuery(taxii.EndpointManifest, r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.svc.Manifest(r.Context(), principal(r), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	m := Manifest{More: pg.More, Next: pg.Next}
	for _, e := range pg.Entries {
		m.Objects = append(m.Objects, ManifestRecord{ID: e.ID, DateAdded: formatTime(e.DateAdded), Version: formatTime(e.Version), MediaType: MediaTypeSTIX})
	}
	dateHeaders(w, pg)
	writeTAXII(w, http.StatusOK, m)
	return nil
}

func (h *handlers) versions(w http.ResponseWriter, r *http.Request) error {
	id, err := objectID(r)
	if err != nil {
		return err
	}
	q, err := taxii.ParseQuery(taxii.EndpointVersions, r.URL.Query())
	if err != nil {
		return err
	}
	pg, err := h.svc.Versions(r.Context(), principal(r), r.PathValue("id"), id, q)
	if err != nil {
		return err
	}
	v := Versions{More: pg.More, Next: pg.Next}
	for _, e := range pg.Entries {
		v.Versions = append(v.Versions, formatTime(e.Version))
	}
	dateHeaders(w, pg)
	writeTAXII(w, http.StatusOK, v)
	return nil
}

func (h *handlers) add(w http.ResponseWriter, r *http.Request) error {
	envelope, err := bodyKind(r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	limit := h.svc.MaxContentLength()
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tooLarge(limit)
		}
		return &httpError{status: http.StatusBadRequest, code: "bad_request", title: "Bad request", desc: "read body: " + err.Error()}
	}
	var objs []json.RawMessage
	if envelope {
		objs, err = taxii.ReadEnvelope(body)
	} else {
		objs, err = taxii.ReadBundle(body)
	}
	if err != nil {
		return err
	}
	st, err := h.svc.Add(r.Context(), principal(r), r.PathValue("id"), objs)
	if err != nil {
		return err
	}
	writeTAXII(w, http.StatusAccepted, st)
	return nil
}

func tooLarge(limit int64) error {
	return &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", title: "Request too large",
		desc: fmt.Sprintf("the body is larger than the API root's max_content_length, %d bytes", limit)}
}
