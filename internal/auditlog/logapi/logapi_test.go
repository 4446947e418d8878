package logapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// serve puts the log's handlers on a router whose only credential is the
// bearer token "auditor".
func serve(t *testing.T, l *auditlog.Log) *httptest.Server {
	t.Helper()
	r := api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(func(r *http.Request) (*auth.Principal, error) {
			if r.Header.Get("Authorization") == "Bearer auditor" {
				return &auth.Principal{UserID: "usr_a", Roles: []auth.Role{auth.RoleCommissionMember}, Via: auth.ViaToken, MFA: true}, nil
			}
			return nil, nil
		}),
		Authorizer: auth.NewPolicy(),
	})
	r.Handle(api.Route{Pattern: "GET " + logapi.PathCheckpoint, Action: auth.AuditCheckpointRead}, logapi.CheckpointHandler(l))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathPublicKey, Action: auth.KeysPublicRead}, logapi.PublicKeyHandler(l))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathEntries, Action: auth.AuditEntriesRead}, logapi.EntriesHandler(l))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathInclusion, Action: auth.AuditProofRead}, logapi.InclusionHandler(l))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathConsistency, Action: auth.AuditProofRead}, logapi.ConsistencyHandler(l))
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	return ts
}

func appendN(t *testing.T, db *store.DB, l *auditlog.Log, from, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := from; i < from+n; i++ {
			if _, err := l.Append(ctx, tx, auditlog.Entry{Actor: "usr_1", Action: "thing.put", Resource: fmt.Sprintf("thing/%d", i), Payload: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyOverHTTP(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	l, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t, l)
	appendN(t, db, l, 0, 25)
	vs, _ := l.Verifiers()
	src := &logapi.HTTPSource{Base: ts.URL, Token: "auditor"}
	rep, err := auditlog.Verify(ctx, src, auditlog.VerifyOptions{Verifiers: vs})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 25 || rep.Checkpointed != 25 {
		t.Errorf("got %+v, want 25 entries checkpointed", rep)
	}
	notes, _ := src.Checkpoints(ctx)
	old, err := auditlog.ParseCheckpoint(notes[0], vs)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, db, l, 25, 17)
	notes, _ = src.Checkpoints(ctx)
	cur, _ := auditlog.ParseCheckpoint(notes[0], vs)
	if err := src.CheckConsistency(ctx, old, cur); err != nil {
		t.Errorf("consistency %d→%d: %v", old.Size, cur.Size, err)
	}
	// A forked history: a checkpoint of the same size with another root.
	forged := *old
	forged.Root[0] ^= 1
	if err := src.CheckConsistency(ctx, &forged, cur); err == nil {
		t.Error("consistency with a forged old root passed")
	}
	// An edited entry on the server is caught by the remote verifier.
	if _, err := db.Exec(ctx, "UPDATE audit_entries SET action = 'thing.hidden' WHERE idx = 30"); err != nil {
		t.Fatal(err)
	}
	_, err = auditlog.Verify(ctx, src, auditlog.VerifyOptions{Verifiers: vs})
	var ve *auditlog.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a VerifyError", err)
	}
}

func TestEntriesNeedAnAuditor(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	ring, _ := keys.Open(t.TempDir(), nil)
	l, _ := auditlog.New(ctx, db, ring, auditlog.Options{})
	ts := serve(t, l)
	appendN(t, db, l, 0, 3)
	for _, tt := range []struct {
		path string
		want int
	}{
		{logapi.PathCheckpoint, http.StatusOK},        // public
		{logapi.PathPublicKey, http.StatusOK},         // public
		{logapi.PathEntries, http.StatusUnauthorized}, // auditors only
		{logapi.PathInclusion + "?index=0&size=3", http.StatusUnauthorized},
	} {
		resp, err := http.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s as the public: %d, want %d", tt.path, resp.StatusCode, tt.want)
		}
	}
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"?index=0&size=3", http.StatusOK},
		{"?index=3&size=3", http.StatusBadRequest},  // index outside the tree
		{"?index=0&size=99", http.StatusBadRequest}, // beyond the newest checkpoint
		{"?index=x&size=3", http.StatusBadRequest},
		{"?size=3", http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+logapi.PathInclusion+tt.query, nil)
		req.Header.Set("Authorization", "Bearer auditor")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("inclusion %s: %d, want %d", tt.query, resp.StatusCode, tt.want)
		}
	}
}
