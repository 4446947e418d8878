// Package blocklistapi serves the defensive blocklist's JSON API under
// /api/v1/blocklist — entries, a measure case's targets, subscribers and
// feed previews for analysts, officers and commanders — and the feeds
// that subscribers pull with their feed token: feed.rpz, feed.txt and
// feed.stix.json, with ETag and Last-Modified for conditional requests.
// docs/blocklist.md has curl examples and resolver configurations.
//
// The server's authenticator must send bearer tokens that start with
// blocklist.FeedTokenPrefix to Service.ResolveFeedToken; every other
// credential goes to auth.
package blocklistapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/svcerr"
)

// Paths of the feeds.
const (
	PathFeedRPZ  = "/api/v1/blocklist/feed.rpz"
	PathFeedTXT  = "/api/v1/blocklist/feed.txt"
	PathFeedSTIX = "/api/v1/blocklist/feed.stix.json"
)

// EntryList is the response of GET /api/v1/blocklist/entries.
type EntryList struct {
	Entries []blocklist.Entry `json:"entries"`
}

// ReasonRequest is the body of a removal or a revocation.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// CaseRequest is the body of POST /api/v1/blocklist/cases/{id}.
type CaseRequest struct {
	// Reason is the reason of every entry added; required.
	Reason string `json:"reason"`
	// ExpiresAt is their expiry; omitted means the default (90 days).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// SubscriberList is the response of GET /api/v1/blocklist/subscribers.
type SubscriberList struct {
	Subscribers []blocklist.Subscriber `json:"subscribers"`
}

// NewSubscriber is the response of POST /api/v1/blocklist/subscribers:
// the feed token, shown this once, and the subscriber.
type NewSubscriber struct {
	Token      string               `json:"token"`
	Subscriber blocklist.Subscriber `json:"subscriber"`
}

type handlers struct {
	svc *blocklist.Service
}

// Register adds the blocklist routes to r.
func Register(r *api.Router, svc *blocklist.Service) {
	h := &handlers{svc: svc}
	const tag = "blocklist"
	route := func(rt api.Route, fn api.HandlerFunc) {
		rt.Tag = tag
		r.Handle(rt, fn)
	}
	route(api.Route{Pattern: "GET /api/v1/blocklist/entries", Action: auth.BlocklistRead, Summary: "Blocklist entries, newest first (?active=true, ?case=, ?limit= up to 1000)", Response: EntryList{}}, h.entries)
	route(api.Route{Pattern: "POST /api/v1/blocklist/entries", Action: auth.BlocklistWrite, Summary: "Add an IP address, network (CIDR) or domain to the blocklist", Request: blocklist.EntryInput{}, Response: blocklist.Entry{}, Status: http.StatusCreated}, h.add)
	route(api.Route{Pattern: "GET /api/v1/blocklist/entries/{id}", Action: auth.BlocklistRead, Summary: "One blocklist entry", Response: blocklist.Entry{}}, h.entry)
	route(api.Route{Pattern: "POST /api/v1/blocklist/entries/{id}/remove", Action: auth.BlocklistWrite, Summary: "Remove an entry from the feeds, with a reason", Request: ReasonRequest{}, Response: blocklist.Entry{}}, h.remove)
	route(api.Route{Pattern: "POST /api/v1/blocklist/cases/{id}", Action: auth.BlocklistWrite, Summary: "Add every address and domain target of a measure case that has taken a measure (executing or closed)", Request: CaseRequest{}, Response: blocklist.CaseResult{}}, h.addCase)
	route(api.Route{Pattern: "GET /api/v1/blocklist/subscribers", Action: auth.BlocklistSubscribers, Summary: "Feed subscribers with their pull counts", Response: SubscriberList{}}, h.subscribers)
	route(api.Route{Pattern: "POST /api/v1/blocklist/subscribers", Action: auth.BlocklistSubscribers, Summary: "Register a feed subscriber; the response holds its feed token, shown once", Request: blocklist.SubscriberInput{}, Response: NewSubscriber{}, Status: http.StatusCreated}, h.createSubscriber)
	route(api.Route{Pattern: "POST /api/v1/blocklist/subscribers/{id}/revoke", Action: auth.BlocklistSubscribers, Summary: "Revoke a subscriber's feed token", Request: ReasonRequest{}, Response: blocklist.Subscriber{}}, h.revokeSubscriber)
	route(api.Route{Pattern: "GET /api/v1/blocklist/preview/{format}", Action: auth.BlocklistRead, Summary: "A feed (rpz, txt or stix) exactly as subscribers get it", Status: http.StatusOK}, h.preview)
	route(api.Route{Pattern: "GET " + PathFeedRPZ, Action: auth.BlocklistFeed, Summary: "The blocklist as a DNS response policy zone (text/dns); feed token; If-None-Match and If-Modified-Since honoured", Status: http.StatusOK}, h.feed(blocklist.FormatRPZ))
	route(api.Route{Pattern: "GET " + PathFeedTXT, Action: auth.BlocklistFeed, Summary: "The blocklist's IP addresses and networks, one CIDR per line (text/plain); feed token; conditional requests honoured", Status: http.StatusOK}, h.feed(blocklist.FormatTXT))
	route(api.Route{Pattern: "GET " + PathFeedSTIX, Action: auth.BlocklistFeed, Summary: "The blocklist as a STIX 2.1 bundle of indicators; feed token; conditional requests honoured", Status: http.StatusOK}, h.feed(blocklist.FormatSTIX))
}

// Error maps the blocklist package's errors to API errors; the server's
// MapError calls it.
func Error(err error) *api.Error {
	if e := svcerr.API(err); e != nil {
		return e
	}
	if errors.Is(err, blocklist.ErrNoCases) {
		return &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable, Message: err.Error()}
	}
	return nil
}

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

func (h *handlers) entries(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f blocklist.Filter
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return api.BadRequest("active", strconv.Quote(v)+": want true or false")
		}
		f.Active = b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return api.BadRequest("limit", strconv.Quote(v)+": want a non-negative integer")
		}
		f.Limit = n
	}
	f.CaseRef = q.Get("case")
	list, err := h.svc.Entries(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, EntryList{Entries: list})
}

func (h *handlers) add(w http.ResponseWriter, r *http.Request) error {
	var in blocklist.EntryInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.svc.Add(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/blocklist/entries/"+e.ID)
	return api.WriteJSON(w, http.StatusCreated, e)
}

func (h *handlers) entry(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.Entry(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, e)
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) error {
	var req ReasonRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	e, err := h.svc.Remove(r.Context(), principal(r), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, e)
}

func (h *handlers) addCase(w http.ResponseWriter, r *http.Request) error {
	var req CaseRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	res, err := h.svc.AddCase(r.Context(), principal(r), r.PathValue("id"), req.Reason, req.ExpiresAt)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, res)
}

func (h *handlers) subscribers(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Subscribers(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, SubscriberList{Subscribers: list})
}

func (h *handlers) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	var in blocklist.SubscriberInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	tok, sub, err := h.svc.CreateSubscriber(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusCreated, NewSubscriber{Token: tok, Subscriber: sub})
}

func (h *handlers) revokeSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req ReasonRequest
	if err := api.Decode(r, &req); err != nil {
		return err
	}
	sub, err := h.svc.RevokeSubscriber(r.Context(), principal(r), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return api.WriteJSON(w, http.StatusOK, sub)
}

func (h *handlers) preview(w http.ResponseWriter, r *http.Request) error {
	f, err := blocklist.ParseFormat("format", r.PathValue("format"))
	if err != nil {
		return err
	}
	feed, err := h.svc.Preview(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	// A preview is for people, who read it once: it is not cached.
	writeFeed(w, r, feed, "no-store")
	return nil
}

func (h *handlers) feed(f blocklist.Format) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		feed, err := h.svc.Feed(r.Context(), principal(r), f)
		if err != nil {
			return err
		}
		// no-cache: caches may keep the feed but must revalidate it, which
		// a conditional request makes cheap.
		writeFeed(w, r, feed, "no-cache")
		return nil
	}
}
