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

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/witness"
)

// Paths of the witness side of the log's API.
//
// GET PathCheckpoint stays "the newest signed checkpoint" and carries the
// cosignatures that checkpoint has so far (often none: the witness cosigns
// a little after the log signs). GET PathCosigned is the newest checkpoint
// that carries at least one cosignature, with all of them: what a verifier
// that requires the witness (`acd log verify --witness-key`) checks against.
const (
	PathCosignature = "/api/v1/log/cosignature"
	PathCosigned    = "/api/v1/log/checkpoint/cosigned"
)

// CosignResponse is the body of a successful POST PathCosignature.
type CosignResponse struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
	// Added are the cosignatures stored by this request, Known those the
	// log already held for this checkpoint and key.
	Added []auditlog.Cosignature `json:"added"`
	Known []auditlog.Cosignature `json:"known"`
}

// RegisterWitness registers POST PathCosignature (action auth.AuditCosign)
// and GET PathCosigned (auth.AuditCheckpointRead) on r. witnessKeys are the
// witness verifier keys the log accepts cosignatures from (see
// witness.NewVerifier); with none, every cosignature is refused. A key that
// does not parse makes every POST fail with 500 naming it: `acd serve`
// checks the keys before it starts.
func RegisterWitness(r *api.Router, l *auditlog.Log, witnessKeys []string) {
	r.Handle(api.Route{Pattern: "POST " + PathCosignature, Action: auth.AuditCosign,
		Summary: "Post the witness's cosignature of a checkpoint (C2SP tlog-cosignature note, text/plain)", Tag: "audit log",
		Response: CosignResponse{}}, CosignatureHandler(l, witnessKeys))
	r.Handle(api.Route{Pattern: "GET " + PathCosigned, Action: auth.AuditCheckpointRead,
		Summary: "Newest checkpoint with witness cosignatures (signed note, text/plain)", Tag: "audit log"}, CosignedHandler(l))
}

// CosignatureHandler accepts a cosigned checkpoint note as the request body
// and stores the cosignatures by witnessKeys in it. It answers 201 when it
// stored one, 200 when it already had them all, 400 for a malformed note or
// a checkpoint the log never signed, and 403 when no trusted witness key
// cosigned it.
func CosignatureHandler(l *auditlog.Log, witnessKeys []string) api.HandlerFunc {
	vs, keyErr := witness.NewVerifiers(witnessKeys...)
	verifiers := note.VerifierList(vs...)
	return func(w http.ResponseWriter, r *http.Request) error {
		if keyErr != nil {
			return fmt.Errorf("witness keys configured on the server: %w", keyErr)
		}
		if r.Body == nil {
			return api.BadRequest("", "empty body: want a cosigned checkpoint note")
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, auditlog.MaxCosignedNote))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeTooLarge,
					Message: fmt.Sprintf("cosigned checkpoint larger than %d bytes", auditlog.MaxCosignedNote)}
			}
			return api.BadRequest("", "read body: "+err.Error())
		}
		var actor, org string
		if p := auth.FromContext(r.Context()); p != nil {
			actor, org = p.UserID, p.OrgID
		}
		res, err := l.AddCosignatures(r.Context(), actor, org, body, verifiers)
		switch {
		case errors.Is(err, auditlog.ErrWitnessUnknown):
			if len(vs) == 0 {
				return api.Forbidden(err.Error() + " (this server trusts no witness key: acd serve --witness-key)")
			}
			return api.Forbidden(err.Error())
		case errors.Is(err, auditlog.ErrBadCosigned), errors.Is(err, auditlog.ErrCheckpointUnknown):
			return api.BadRequest("", err.Error())
		case err != nil:
			return err
		}
		out := CosignResponse{Size: res.Size, Root: res.Root.String(), Added: res.Added, Known: res.Known}
		if out.Added == nil {
			out.Added = []auditlog.Cosignature{}
		}
		if out.Known == nil {
			out.Known = []auditlog.Cosignature{}
		}
		status := http.StatusOK
		if len(res.Added) > 0 {
			status = http.StatusCreated
		}
		return api.WriteJSON(w, status, out)
	}
}

// CosignedHandler serves the newest checkpoint that carries witness
// cosignatures, with all of them, as text/plain; 404 when none does. With
// ?witness=NAME+HASH (a witness key's name and 8-hex-digit key hash) it
// serves the newest one cosigned by that key.
func CosignedHandler(l *auditlog.Log) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var cp *auditlog.Checkpoint
		var err error
		if key := r.URL.Query().Get("witness"); key != "" {
			i := strings.LastIndex(key, "+")
			if i <= 0 || len(key)-i-1 != 8 || strings.Trim(key[i+1:], "0123456789abcdef") != "" {
				return api.BadRequest("witness", fmt.Sprintf("witness %q: want NAME+HASH with an 8-hex-digit key hash", key))
			}
			cp, err = l.LatestCosignedBy(r.Context(), key[:i], key[i+1:])
		} else {
			cp, err = l.LatestCosigned(r.Context())
		}
		if err != nil {
			return err
		}
		if cp == nil {
			return api.NotFound("no cosigned checkpoint yet")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, err = w.Write(cp.Note)
		return err
	}
}

// Checkpoint returns the server's newest checkpoint note, with the
// cosignatures it has.
func (s *HTTPSource) Checkpoint(ctx context.Context) ([]byte, error) {
	return s.get(ctx, PathCheckpoint, nil)
}

// CosignedCheckpoint returns the newest checkpoint note that carries
// witness cosignatures. It fails with ErrNoCosigned when there is none.
func (s *HTTPSource) CosignedCheckpoint(ctx context.Context) ([]byte, error) {
	return s.cosigned(ctx, nil)
}

// CosignedCheckpointBy returns the newest checkpoint note that carries a
// cosignature by the witness key name with key hash keyHash. It fails with
// ErrNoCosigned when there is none.
func (s *HTTPSource) CosignedCheckpointBy(ctx context.Context, name string, keyHash uint32) ([]byte, error) {
	return s.cosigned(ctx, url.Values{"witness": {fmt.Sprintf("%s+%08x", name, keyHash)}})
}

func (s *HTTPSource) cosigned(ctx context.Context, q url.Values) ([]byte, error) {
	b, err := s.get(ctx, PathCosigned, q)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		return nil, ErrNoCosigned
	}
	return b, err
}

// ErrNoCosigned means the server holds no cosigned checkpoint yet.
var ErrNoCosigned = errors.New("the server has no cosigned checkpoint")

// ConsistencyProof fetches the proof that the tree of size newSize extends
// the tree of size oldSize. The caller checks it (tlog.CheckTree).
func (s *HTTPSource) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	b, err := s.get(ctx, PathConsistency, url.Values{"old": {strconv.FormatInt(oldSize, 10)}, "size": {strconv.FormatInt(newSize, 10)}})
	if err != nil {
		return nil, err
	}
	var p Proof
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	if p.Old != oldSize || p.Size != newSize {
		return nil, fmt.Errorf("consistency proof: the server answered for %d→%d, asked %d→%d", p.Old, p.Size, oldSize, newSize)
	}
	return decodeHashes(p.Proof)
}

// PostCosignature posts a cosigned checkpoint note to the server, which
// keeps the cosignatures by the witness keys it trusts (and acknowledges
// again those it already holds). A refusal is an *HTTPError.
func (s *HTTPSource) PostCosignature(ctx context.Context, cosigned []byte) error {
	u := strings.TrimRight(s.Base, "/") + PathCosignature
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(cosigned))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	body, status, err := s.do(req)
	if err != nil {
		return err
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return &HTTPError{Method: http.MethodPost, Path: PathCosignature, Status: status, Message: errorMessage(body)}
	}
	return nil
}

// HTTPError is a response other than success from the log's API.
type HTTPError struct {
	Method, Path string
	Status       int
	// Message is the server's error message (or body).
	Message string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// errorMessage returns the message of an API error envelope, or the body.
func errorMessage(body []byte) string {
	var env struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Message != "" {
		return env.Error.Message
	}
	return strings.TrimSpace(string(body))
}
