package logapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/witness"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// serveWitness puts the checkpoint and witness handlers on a router whose
// only credential is the bearer token "member" (a commission member).
func serveWitness(t *testing.T, l *auditlog.Log, witnessKeys ...string) *httptest.Server {
	t.Helper()
	r := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
			if r.Header.Get("Authorization") == "Bearer member" {
				return &auth.Principal{UserID: "usr_m", OrgID: "org_c", Roles: []auth.Role{auth.RoleCommissionMember}, Via: auth.ViaToken, MFA: true}, nil
			}
			return nil, nil
		}),
		Authorizer: auth.NewPolicy(),
	})
	r.Handle(api.Route{Pattern: "GET " + logapi.PathCheckpoint, Action: auth.AuditCheckpointRead}, logapi.CheckpointHandler(l))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathConsistency, Action: auth.AuditProofRead}, logapi.ConsistencyHandler(l))
	logapi.RegisterWitness(r, l, witnessKeys)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return ts
}

func post(t *testing.T, url, token string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+logapi.PathCosignature, bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCosignatureEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ring, _ := keys.Open(t.TempDir(), nil)
		l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		skey, vkey, _ := witness.GenerateKey(nil, "commission.example/witness")
		ts := serveWitness(t, l, vkey)
		src := &logapi.HTTPSource{Base: ts.URL, Token: "member"}
		appendN(t, db, l, 0, 4)

		if _, err := src.CosignedCheckpoint(ctx); !errors.Is(err, logapi.ErrNoCosigned) {
			t.Errorf("cosigned checkpoint before any cosignature: %v, want ErrNoCosigned", err)
		}
		msg, err := src.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lv, _ := l.Verifiers()
		n, err := note.Open(msg, lv)
		if err != nil {
			t.Fatal(err)
		}
		signer, _ := witness.NewSigner(skey)
		cosigned, err := note.Sign(n, signer)
		if err != nil {
			t.Fatal(err)
		}
		// The public may not post; a commission member may.
		if status, body := post(t, ts.URL, "", cosigned); status != http.StatusUnauthorized {
			t.Errorf("public post: %d %s, want 401", status, body)
		}
		if err := src.PostCosignature(ctx, cosigned); err != nil {
			t.Fatalf("post: %v", err)
		}
		got, err := src.CosignedCheckpoint(ctx)
		if err != nil || !bytes.Equal(got, cosigned) {
			t.Errorf("cosigned checkpoint\n%s (%v)\nwant the posted note\n%s", got, err, cosigned)
		}
		if latest, _ := src.Checkpoint(ctx); !bytes.Equal(latest, cosigned) {
			t.Errorf("checkpoint\n%s\nwant it with its cosignature\n%s", latest, cosigned)
		}
		if _, err := src.CosignedCheckpointBy(ctx, "someone.else", 0x01020304); !errors.Is(err, logapi.ErrNoCosigned) {
			t.Errorf("cosigned by another key: %v, want ErrNoCosigned", err)
		}
		sv := signer.(note.Signer)
		if got, err := src.CosignedCheckpointBy(ctx, sv.Name(), sv.KeyHash()); err != nil || !bytes.Equal(got, cosigned) {
			t.Errorf("cosigned by the witness: %s, %v", got, err)
		}
		for _, q := range []string{"?witness=nohash", "?witness=name+123", "?witness=name+ABCDEF12"} {
			resp, err := http.Get(ts.URL + logapi.PathCosigned + q)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET cosigned%s: %d, want 400", q, resp.StatusCode)
			}
		}
		if status, body := post(t, ts.URL, "member", bytes.Repeat([]byte("x"), auditlog.MaxCosignedNote+1)); status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized post: %d %s, want 413", status, body)
		}
		var he *logapi.HTTPError
		err = src.PostCosignature(ctx, []byte("garbage"))
		if !errors.As(err, &he) || he.Status != http.StatusBadRequest || !strings.Contains(he.Message, "malformed") {
			t.Errorf("garbage post: %v, want a 400 saying malformed", err)
		}
	})
}

// TestNoWitnessKeys: a server configured without witness keys refuses
// every cosignature and says how to configure one; a key that does not
// parse is a server error, not a refusal of the witness.
func TestNoWitnessKeys(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	l, _ := auditlog.New(ctx, db, ring, auditlog.Options{})
	appendN(t, db, l, 0, 2)
	cp, _ := l.Latest(ctx)
	skey, _, _ := witness.GenerateKey(nil, "w.example")
	signer, _ := witness.NewSigner(skey)
	lv, _ := l.Verifiers()
	n, _ := note.Open(cp.Note, lv)
	cosigned, _ := note.Sign(n, signer)

	status, body := post(t, serveWitness(t, l).URL, "member", cosigned)
	if status != http.StatusForbidden || !strings.Contains(body, "--witness-key") {
		t.Errorf("no keys: %d %s, want 403 naming --witness-key", status, body)
	}
	status, body = post(t, serveWitness(t, l, "not-a-key").URL, "member", cosigned)
	if status != http.StatusInternalServerError {
		t.Errorf("bad configured key: %d %s, want 500", status, body)
	}
}
