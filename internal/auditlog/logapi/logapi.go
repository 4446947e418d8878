// Package logapi is the audit log's HTTP API and a client for it: the
// server registers the handlers on its router with the policy's actions (the
// checkpoint and public keys are public; entries and proofs need an auditing
// role), and `acd log verify --server` reads a log through HTTPSource.
// RegisterWitness adds the witness's side: the commission's witness posts
// cosignatures (witness.go), which the checkpoint endpoints then serve, and
// HTTPSource is also the witness's client (`acd witness run`).
package logapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// Paths of the log's HTTP API.
const (
	PathCheckpoint  = "/api/v1/log/checkpoint"
	PathPublicKey   = "/api/v1/log/pubkey"
	PathEntries     = "/api/v1/log/entries"
	PathInclusion   = "/api/v1/log/proof/inclusion"
	PathConsistency = "/api/v1/log/proof/consistency"
)

// maxEntriesPage bounds one entries response.
const maxEntriesPage = 10000

// EntriesPage is the body of GET /api/v1/log/entries.
type EntriesPage struct {
	Entries []auditlog.Record `json:"entries"`
	// Next is the index to ask for next, or absent at the end.
	Next *int64 `json:"next,omitempty"`
}

// Proof is the body of the proof endpoints: the RFC 6962 proof hashes in
// base64, for the tree of size Size (and, for consistency, from Old).
type Proof struct {
	Index int64    `json:"index,omitempty"`
	Old   int64    `json:"old,omitempty"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

// CheckpointHandler serves the newest signed checkpoint as text/plain,
// with the signature lines of the witness cosignatures it has so far.
func CheckpointHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		cp, err := l.LatestWithCosignatures(r.Context())
		if err != nil {
			return err
		}
		if cp == nil {
			return api.NotFound("no checkpoint yet")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, err = w.Write(cp.Note)
		return err
	}
}

// PublicKeyHandler serves the checkpoint verifier key(s), current last, one
// per line, as `acd log verify --pubkey` takes them.
func PublicKeyHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		vks, err := l.PublicKeys()
		if err != nil {
			return err
		}
		var b bytes.Buffer
		for _, vk := range vks {
			b.WriteString(vk + "\n")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write(b.Bytes())
		return err
	}
}

// EntriesHandler serves entries: ?from=N&limit=M (limit at most 10000).
func EntriesHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		from, err := queryInt(r, "from", 0)
		if err != nil {
			return err
		}
		limit, err := queryInt(r, "limit", 1000)
		if err != nil {
			return err
		}
		if limit < 1 || limit > maxEntriesPage {
			return api.BadRequest("limit", fmt.Sprintf("limit must be 1 to %d", maxEntriesPage))
		}
		recs, err := l.Entries(r.Context(), from, int(limit))
		if err != nil {
			return err
		}
		page := EntriesPage{Entries: recs}
		if page.Entries == nil {
			page.Entries = []auditlog.Record{}
		}
		if len(recs) == int(limit) {
			n := recs[len(recs)-1].Index + 1
			page.Next = &n
		}
		return api.WriteJSON(w, http.StatusOK, page)
	}
}

// InclusionHandler serves ?index=I&size=N.
func InclusionHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		index, err := queryInt(r, "index", -1)
		if err != nil {
			return err
		}
		size, err := queryInt(r, "size", -1)
		if err != nil {
			return err
		}
		p, err := l.InclusionProof(r.Context(), index, size)
		if err != nil {
			return proofError(err)
		}
		return api.WriteJSON(w, http.StatusOK, Proof{Index: index, Size: size, Proof: encodeHashes(p)})
	}
}

// ConsistencyHandler serves ?old=M&size=N.
func ConsistencyHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		old, err := queryInt(r, "old", -1)
		if err != nil {
			return err
		}
		size, err := queryInt(r, "size", -1)
		if err != nil {
			return err
		}
		p, err := l.ConsistencyProof(r.Context(), old, size)
		if err != nil {
			return proofError(err)
		}
		return api.WriteJSON(w, http.StatusOK, Proof{Old: old, Size: size, Proof: encodeHashes(p)})
	}
}

func proofError(err error) error {
	if errors.Is(err, auditlog.ErrSize) {
		return api.BadRequest("size", err.Error())
	}
	if strings.Contains(err.Error(), "proof:") {
		return api.BadRequest("", err.Error())
	}
	return err
}

func queryInt(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if def < 0 {
			return 0, api.BadRequest(name, name+" is required")
		}
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, api.BadRequest(name, fmt.Sprintf("%s %q: want a non-negative integer", name, s))
	}
	return n, nil
}

func encodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

func decodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("proof hash %d: %w", i, err)
		}
		out[i] = h
	}
	return out, nil
}

// HTTPSource reads a log from a server's API. Token is an API token of an
// auditing role (entries need one); Client defaults to http.DefaultClient.
type HTTPSource struct {
	Base   string
	Token  string
	Client *http.Client
}

var _ auditlog.Source = (*HTTPSource)(nil)

func (s *HTTPSource) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := strings.TrimRight(s.Base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	body, status, err := s.do(req)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, &HTTPError{Method: http.MethodGet, Path: path, Status: status, Message: errorMessage(body)}
	}
	return body, nil
}

// do sends req and reads up to 64 MiB of the response.
func (s *HTTPSource) do(req *http.Request) ([]byte, int, error) {
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return body, resp.StatusCode, nil
}

// Checkpoints returns the server's newest checkpoint.
func (s *HTTPSource) Checkpoints(ctx context.Context) ([][]byte, error) {
	b, err := s.get(ctx, PathCheckpoint, nil)
	if err != nil {
		return nil, err
	}
	return [][]byte{b}, nil
}

// Entries fetches a page of entries.
func (s *HTTPSource) Entries(ctx context.Context, from int64, limit int) ([]auditlog.Record, error) {
	var out []auditlog.Record
	for len(out) < limit {
		n := min(limit-len(out), maxEntriesPage)
		b, err := s.get(ctx, PathEntries, url.Values{"from": {strconv.FormatInt(from, 10)}, "limit": {strconv.Itoa(n)}})
		if err != nil {
			return nil, err
		}
		var page EntriesPage
		if err := json.Unmarshal(b, &page); err != nil {
			return nil, fmt.Errorf("entries from %d: %w", from, err)
		}
		out = append(out, page.Entries...)
		if page.Next == nil || len(page.Entries) == 0 {
			break
		}
		from = *page.Next
	}
	return out, nil
}

// LeafHashes is not offered by the server: the names of altered entries come
// from the tree instead.
func (s *HTTPSource) LeafHashes(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	return nil, nil
}

// Records is nil: a remote verifier has no access to the data.
func (s *HTTPSource) Records() store.Querier { return nil }

// CheckConsistency fetches a consistency proof from the server and checks
// that cur extends old (both already signature-checked).
func (s *HTTPSource) CheckConsistency(ctx context.Context, old, cur *auditlog.Checkpoint) error {
	if old.Size == cur.Size {
		if old.Root != cur.Root {
			return fmt.Errorf("two checkpoints of size %d with different roots: the log forked", old.Size)
		}
		return nil
	}
	if old.Size > cur.Size {
		return fmt.Errorf("the server's checkpoint (size %d) is older than the one given (size %d): the log was truncated", cur.Size, old.Size)
	}
	hs, err := s.ConsistencyProof(ctx, old.Size, cur.Size)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(hs, cur.Size, cur.Root, old.Size, old.Root); err != nil {
		return fmt.Errorf("checkpoint of size %d is not consistent with size %d: %w", cur.Size, old.Size, err)
	}
	return nil
}
