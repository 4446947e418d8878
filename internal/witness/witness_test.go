package witness_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/witness"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// logServer is a real ACD server on httptest with a commission member's
// API token.
type logServer struct {
	db    *store.DB
	ring  *keys.Ring
	srv   *server.Server
	ts    *httptest.Server
	token string
}

// newLogServer starts a server over db with the keys in keysDir (two
// servers given the same dir sign with the same log key), accepting
// cosignatures by witnessKeys.
func newLogServer(t *testing.T, db *store.DB, keysDir string, witnessKeys ...string) *logServer {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(keysDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, server.Config{DB: db, Keys: ring, WitnessKeys: witnessKeys,
		Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: "member1", DisplayName: "Member", OrgID: org.ID,
		Roles: []auth.Role{auth.RoleCommissionMember}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	self := &auth.Principal{UserID: u.ID, Via: auth.ViaSession, MFA: true, Roles: u.Roles}
	token, _, err := s.Auth.CreateToken(ctx, self, u.ID, "witness", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &logServer{db: db, ring: ring, srv: s, ts: ts, token: token}
}

// add appends n entries tagged tag and signs a checkpoint.
func (s *logServer) add(t *testing.T, n int, tag string) *auditlog.Checkpoint {
	t.Helper()
	ctx := context.Background()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			e := auditlog.Entry{Actor: "usr_x", Action: "thing.put", Resource: fmt.Sprintf("thing/%s-%d", tag, i), Payload: tag}
			if _, err := s.srv.Log.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.checkpoint(t)
}

func (s *logServer) checkpoint(t *testing.T) *auditlog.Checkpoint {
	t.Helper()
	cp, err := s.srv.Log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func (s *logServer) source() *logapi.HTTPSource {
	return &logapi.HTTPSource{Base: s.ts.URL, Token: s.token}
}

func (s *logServer) logKey(t *testing.T) string {
	t.Helper()
	k, err := s.srv.Log.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newWitness(t *testing.T, log witness.Log, logKey, skey, state string) *witness.Witness {
	t.Helper()
	w, err := witness.New(log, witness.Config{LogKey: logKey, Key: skey, StatePath: state})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCosignAndServe(t *testing.T) {
	ctx := context.Background()
	skey, vkey, err := witness.GenerateKey(nil, "commission.example/witness")
	if err != nil {
		t.Fatal(err)
	}
	s := newLogServer(t, storetest.SQLite(t), t.TempDir(), vkey)
	first := s.add(t, 5, "a")
	state := filepath.Join(t.TempDir(), "witness.state")
	w := newWitness(t, s.source(), s.logKey(t), skey, state)

	res, err := w.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.FirstUse || !res.Cosigned || res.Size != first.Size {
		t.Errorf("first step: got %+v, want first use, cosigned, size %d", res, first.Size)
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	v, _ := witness.NewVerifier(vkey)
	cosigned, err := s.source().CosignedCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lv, _ := s.srv.Log.Verifiers()
	cp, err := auditlog.ParseCheckpoint(cosigned, lv)
	if err != nil || cp.Size != first.Size || cp.Root != first.Root {
		t.Fatalf("cosigned checkpoint: %+v, %v; want size %d root %s", cp, err, first.Size, first.Root)
	}
	if _, err := note.Open(cosigned, note.VerifierList(v)); err != nil {
		t.Errorf("the cosigned checkpoint's cosignature does not verify: %v", err)
	}
	// The plain checkpoint endpoint carries it too while it is the newest.
	if latest, _ := s.source().Checkpoint(ctx); !bytes.Equal(latest, cosigned) {
		t.Errorf("GET checkpoint\n%s\nwant the cosigned note\n%s", latest, cosigned)
	}
	// The cosignature is an audit entry, signed into the next checkpoint.
	second := s.checkpoint(t)
	recs, _ := s.srv.Log.Entries(ctx, first.Size, 10)
	if len(recs) != 1 || recs[0].Action != auditlog.CosignAction || second.Size != first.Size+1 {
		t.Fatalf("after cosigning: entries %+v, checkpoint size %d; want one %s entry", recs, second.Size, auditlog.CosignAction)
	}

	// The log grew only by the cosignature's entry: verified, recorded,
	// not cosigned again (so that an idle log comes to rest).
	res, err = w.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cosigned || res.Previous != first.Size || res.Size != second.Size || !strings.Contains(res.NotCosigned, "only cosignature entries") {
		t.Errorf("quiet growth: got %+v, want verified %d→%d and not cosigned", res, first.Size, second.Size)
	}
	// Real growth is cosigned.
	third := s.add(t, 3, "b")
	res, err = w.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Cosigned || res.Previous != second.Size || res.Size != third.Size {
		t.Errorf("growth: got %+v, want cosigned %d→%d", res, second.Size, third.Size)
	}
	// The same checkpoint again: nothing to do.
	res, err = w.Step(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cosigned || !strings.Contains(res.NotCosigned, "already holds") {
		t.Errorf("same checkpoint: got %+v, want not cosigned again", res)
	}
	// The whole log, cosignature records included, verifies.
	rep, err := auditlog.Verify(ctx, auditlog.DBSource(s.db), auditlog.VerifyOptions{Verifiers: lv, Keys: s.ring, Resolvers: s.srv.Log.Resolvers()})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.RecordsChecked < 2 {
		t.Errorf("verify checked %d records, want at least the 2 cosignatures", rep.RecordsChecked)
	}
}

// TestRewrittenLogRefused: a second log with the same key and origin but
// other entries, shown to a witness that holds a checkpoint of the first.
// Whatever its size, the witness refuses it and keeps its state.
func TestRewrittenLogRefused(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := witness.GenerateKey(nil, "commission.example/witness")
	keysDir := t.TempDir()
	honest := newLogServer(t, storetest.SQLite(t), keysDir, vkey)
	seen := honest.add(t, 5, "honest")
	state := filepath.Join(t.TempDir(), "witness.state")
	if _, err := newWitness(t, honest.source(), honest.logKey(t), skey, state).Step(ctx); err != nil {
		t.Fatal(err)
	}
	kept, _ := os.ReadFile(state)

	// The same key signs another history.
	forged := newLogServer(t, storetest.SQLite(t), keysDir, vkey)
	if forged.logKey(t) != honest.logKey(t) {
		t.Fatal("the two logs do not share their key")
	}
	w := newWitness(t, forged.source(), forged.logKey(t), skey, state)
	forged.add(t, 1, "other") // the server's own entries come first
	steps := []struct {
		name  string
		grow  int    // entries the forged log adds before the step
		want  string // in the error
		isErr any    // the error type, if typed
	}{
		{"smaller: rolled back", 0, "log rolled back", nil},
		{"same size, other root: forked", 0, fmt.Sprintf("log forked: checkpoint at size %d has root", seen.Size), &witness.ForkError{}},
		{"larger, not an extension", 7, fmt.Sprintf("not an extension of the tree the witness verified at size %d", seen.Size), &witness.RewriteError{}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			cp := forged.checkpoint(t)
			if st.name == "same size, other root: forked" {
				cp = forged.add(t, int(seen.Size-cp.Size), "other")
				if cp.Size != seen.Size || cp.Root == seen.Root {
					t.Fatalf("setup: forged checkpoint %d %s, want size %d with another root", cp.Size, cp.Root, seen.Size)
				}
			}
			if st.grow > 0 {
				forged.add(t, st.grow, "more")
			}
			_, err := w.Step(ctx)
			if !errors.Is(err, witness.ErrRefused) || !strings.Contains(err.Error(), st.want) {
				t.Fatalf("got %v, want a refusal containing %q", err, st.want)
			}
			var fe *witness.ForkError
			var re *witness.RewriteError
			switch st.isErr.(type) {
			case *witness.ForkError:
				if !errors.As(err, &fe) || fe.Saw != seen.Root || fe.Size != seen.Size {
					t.Errorf("got %#v, want a ForkError at %d saw %s", err, seen.Size, seen.Root)
				}
				want := fmt.Sprintf("log forked: checkpoint at size %d has root %s, witness saw %s", seen.Size, fe.Root, seen.Root)
				if err.Error() != want {
					t.Errorf("message %q, want %q", err, want)
				}
			case *witness.RewriteError:
				if !errors.As(err, &re) || re.Size != seen.Size {
					t.Errorf("got %#v, want a RewriteError from size %d", err, seen.Size)
				}
			}
			if now, _ := os.ReadFile(state); !bytes.Equal(now, kept) {
				t.Errorf("state changed after a refusal:\n%s\nwant\n%s", now, kept)
			}
		})
	}
	// Run stops at the refusal instead of retrying.
	err := w.Run(ctx, time.Millisecond, nil)
	if !errors.Is(err, witness.ErrRefused) {
		t.Errorf("Run: got %v, want the refusal", err)
	}
	// No cosignature reached the forged log.
	if _, err := forged.source().CosignedCheckpoint(ctx); !errors.Is(err, logapi.ErrNoCosigned) {
		t.Errorf("forged log's cosigned checkpoint: %v, want none", err)
	}
}

// tamperedProof serves a log but alters its consistency proofs.
type tamperedProof struct {
	witness.Log
	alter func(tlog.TreeProof) tlog.TreeProof
}

func (p tamperedProof) ConsistencyProof(ctx context.Context, oldSize, newSize int64) (tlog.TreeProof, error) {
	proof, err := p.Log.ConsistencyProof(ctx, oldSize, newSize)
	if err != nil {
		return nil, err
	}
	return p.alter(proof), nil
}

func TestBadConsistencyProofRefused(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := witness.GenerateKey(nil, "commission.example/witness")
	s := newLogServer(t, storetest.SQLite(t), t.TempDir(), vkey)
	seen := s.add(t, 6, "a")
	state := filepath.Join(t.TempDir(), "witness.state")
	if _, err := newWitness(t, s.source(), s.logKey(t), skey, state).Step(ctx); err != nil {
		t.Fatal(err)
	}
	kept, _ := os.ReadFile(state)
	s.add(t, 9, "b")
	for _, tt := range []struct {
		name  string
		alter func(tlog.TreeProof) tlog.TreeProof
	}{
		{"a hash flipped", func(p tlog.TreeProof) tlog.TreeProof { p[0][0] ^= 1; return p }},
		{"a hash missing", func(p tlog.TreeProof) tlog.TreeProof { return p[1:] }},
		{"a hash too many", func(p tlog.TreeProof) tlog.TreeProof { return append(p, tlog.Hash{}) }},
		{"no proof", func(tlog.TreeProof) tlog.TreeProof { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWitness(t, tamperedProof{s.source(), tt.alter}, s.logKey(t), skey, state)
			_, err := w.Step(ctx)
			var re *witness.RewriteError
			if !errors.As(err, &re) || re.Size != seen.Size || !strings.Contains(err.Error(), fmt.Sprintf("not an extension of the tree the witness verified at size %d", seen.Size)) {
				t.Fatalf("got %v, want a RewriteError from size %d", err, seen.Size)
			}
			if now, _ := os.ReadFile(state); !bytes.Equal(now, kept) {
				t.Error("state changed after a refused proof")
			}
		})
	}
	// The untampered proof is accepted.
	if res, err := newWitness(t, s.source(), s.logKey(t), skey, state).Step(ctx); err != nil || !res.Cosigned {
		t.Errorf("honest proof: %+v, %v", res, err)
	}
}

// TestWrongLogKeyAndBadState: a checkpoint that the given log key did not
// sign is refused; a state file that is not a checkpoint of this log is an
// error, never silently replaced.
func TestWrongLogKeyAndBadState(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := witness.GenerateKey(nil, "commission.example/witness")
	s := newLogServer(t, storetest.SQLite(t), t.TempDir(), vkey)
	s.add(t, 2, "a")
	other := newLogServer(t, storetest.SQLite(t), t.TempDir())
	state := filepath.Join(t.TempDir(), "witness.state")
	_, err := newWitness(t, s.source(), other.logKey(t), skey, state).Step(ctx)
	if !errors.Is(err, witness.ErrRefused) || !strings.Contains(err.Error(), "does not verify with the log key") {
		t.Errorf("checkpoint by another key: got %v, want a refusal", err)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("state written after a refusal: %v", err)
	}
	if err := os.WriteFile(state, []byte("not a checkpoint\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = newWitness(t, s.source(), s.logKey(t), skey, state).Step(ctx)
	if err == nil || errors.Is(err, witness.ErrRefused) || !strings.Contains(err.Error(), "state file") {
		t.Errorf("corrupt state: got %v, want a state-file error", err)
	}
	if b, _ := os.ReadFile(state); string(b) != "not a checkpoint\n" {
		t.Errorf("corrupt state file replaced with %q", b)
	}
}

// TestServerRefusesCosignatures posts cosignatures that the server must
// refuse: by a key it does not trust, and over a checkpoint it never
// signed.
func TestServerRefusesCosignatures(t *testing.T) {
	ctx := context.Background()
	skey, vkey, _ := witness.GenerateKey(nil, "commission.example/witness")
	strangerKey, _, _ := witness.GenerateKey(nil, "stranger.example/witness")
	s := newLogServer(t, storetest.SQLite(t), t.TempDir(), vkey)
	cp := s.add(t, 4, "a")
	post := func(t *testing.T, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.ts.URL+logapi.PathCosignature, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cosign := func(t *testing.T, text, key string) []byte {
		t.Helper()
		signer, err := witness.NewSigner(key)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := note.Sign(&note.Note{Text: text}, signer)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	body := auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size, cp.Root)
	var otherRoot tlog.Hash
	otherRoot[0] = 1
	for _, tt := range []struct {
		name   string
		msg    []byte
		status int
		want   string
	}{
		{"unknown witness key", cosign(t, body, strangerKey), http.StatusForbidden, "no valid cosignature by a trusted witness key"},
		{"never-signed size", cosign(t, auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size+10, cp.Root), skey), http.StatusBadRequest, "never signed a checkpoint of size"},
		{"another root at a signed size", cosign(t, auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size, otherRoot), skey), http.StatusBadRequest, "not a checkpoint this log signed"},
		{"another origin", cosign(t, auditlog.FormatCheckpointBody("elsewhere", cp.Size, cp.Root), skey), http.StatusBadRequest, `origin \"elsewhere\"`},
		{"not a note", []byte("hello"), http.StatusBadRequest, "malformed"},
		{"accepted", cosign(t, body, skey), http.StatusCreated, `"added":[{`},
		{"accepted again: already held", cosign(t, body, skey), http.StatusOK, `"known":[{`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, got := post(t, tt.msg)
			if status != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("got %d %s, want %d containing %q", status, got, tt.status, tt.want)
			}
		})
	}
	cs, err := s.srv.Log.Cosignatures(ctx, cp.Size)
	if err != nil || len(cs) != 1 {
		t.Errorf("stored cosignatures: %+v, %v; want the one accepted", cs, err)
	}
}

// TestTwoWitnessesComeToRest: two witnesses cosigning in turn would add an
// entry each round forever, each cosigning the other's cosignature entry;
// skipping growth that is only cosignature entries lets the log rest.
func TestTwoWitnessesComeToRest(t *testing.T) {
	ctx := context.Background()
	sk1, vk1, _ := witness.GenerateKey(nil, "one.example/witness")
	sk2, vk2, _ := witness.GenerateKey(nil, "two.example/witness")
	s := newLogServer(t, storetest.SQLite(t), t.TempDir(), vk1, vk2)
	s.add(t, 3, "a")
	dir := t.TempDir()
	ws := []*witness.Witness{
		newWitness(t, s.source(), s.logKey(t), sk1, filepath.Join(dir, "one.state")),
		newWitness(t, s.source(), s.logKey(t), sk2, filepath.Join(dir, "two.state")),
	}
	var sizes []int64
	for round := range 6 {
		for i, w := range ws {
			if _, err := w.Step(ctx); err != nil {
				t.Fatalf("round %d, witness %d: %v", round, i+1, err)
			}
			s.checkpoint(t)
		}
		cp, _ := s.srv.Log.Latest(ctx)
		sizes = append(sizes, cp.Size)
	}
	t.Logf("log sizes by round: %v", sizes)
	if n := len(sizes); sizes[n-1] != sizes[n-3] {
		t.Errorf("log sizes by round %v: still growing, want it to come to rest", sizes)
	}
	cosigned, err := s.source().CosignedCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, vk := range []string{vk1, vk2} {
		msg, err := s.source().CosignedCheckpointBy(ctx, strings.Split(vk, "+")[0], mustVerifier(t, vk).KeyHash())
		if err != nil {
			t.Errorf("newest checkpoint cosigned by %s: %v", vk, err)
			continue
		}
		if _, err := note.Open(msg, note.VerifierList(mustVerifier(t, vk))); err != nil {
			t.Errorf("it does not carry %s's cosignature: %v", vk, err)
		}
	}
	if len(cosigned) == 0 {
		t.Error("no cosigned checkpoint")
	}
}

func mustVerifier(t *testing.T, vkey string) note.Verifier {
	t.Helper()
	v, err := witness.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
