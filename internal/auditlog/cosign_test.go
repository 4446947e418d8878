package auditlog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/witness"
)

const witnessName = "commission.example/witness"

// testWitness is a witness key from a fixed seed.
type testWitness struct {
	skey, vkey string
	priv       ed25519.PrivateKey
	verifier   note.Verifier
}

func newTestWitness(t testing.TB, seedByte byte) *testWitness {
	t.Helper()
	seed := bytes.Repeat([]byte{seedByte}, ed25519.SeedSize)
	skey, vkey, err := witness.GenerateKey(bytes.NewReader(seed), witnessName)
	if err != nil {
		t.Fatal(err)
	}
	v, err := witness.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return &testWitness{skey: skey, vkey: vkey, priv: ed25519.NewKeyFromSeed(seed), verifier: v}
}

func (w *testWitness) verifiers() note.Verifiers { return note.VerifierList(w.verifier) }

// cosignAt cosigns body with the signing time ts, following C2SP
// tlog-cosignature by hand, and returns the note.
func (w *testWitness) cosignAt(body string, ts int64) []byte {
	msg := "cosignature/v1\ntime " + strconv.FormatInt(ts, 10) + "\n" + body
	sig := binary.BigEndian.AppendUint32(nil, w.verifier.KeyHash())
	sig = binary.BigEndian.AppendUint64(sig, uint64(ts))
	sig = append(sig, ed25519.Sign(w.priv, []byte(msg))...)
	return []byte(body + "\n— " + witnessName + " " + base64.StdEncoding.EncodeToString(sig) + "\n")
}

// cosign cosigns a signed checkpoint note as the witness does: the log's
// signature kept, the cosignature added.
func (w *testWitness) cosign(t *testing.T, cp *auditlog.Checkpoint, logKeys note.Verifiers) []byte {
	t.Helper()
	s, err := witness.NewSigner(w.skey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cp.Note, logKeys)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(n, s)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestCosignatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		w := newTestWitness(t, 1)
		f.build(t, 4, 10)
		cp, err := f.log.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lv, _ := f.log.Verifiers()
		res, err := f.log.AddCosignatures(ctx, "usr_w", "org_c", w.cosign(t, cp, lv), w.verifiers())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Added) != 1 || len(res.Known) != 0 || res.Size != cp.Size || res.Root != cp.Root {
			t.Fatalf("got %+v, want one cosignature added at size %d", res, cp.Size)
		}
		c := res.Added[0]
		if c.Witness != witnessName || c.Time.IsZero() || c.Root != base64.StdEncoding.EncodeToString(cp.Root[:]) {
			t.Errorf("cosignature %+v", c)
		}
		// The accepted cosignature is an audit entry of the poster.
		recs, _ := f.log.Entries(ctx, cp.Size, 10)
		if len(recs) != 1 || recs[0].Action != auditlog.CosignAction || recs[0].Actor != "usr_w" || recs[0].Resource != c.Resource() {
			t.Errorf("entries after cosigning: %+v, want one %s entry by usr_w for %s", recs, auditlog.CosignAction, c.Resource())
		}
		// Posting it again changes nothing.
		res, err = f.log.AddCosignatures(ctx, "usr_w", "org_c", w.cosign(t, cp, lv), w.verifiers())
		if err != nil || len(res.Added) != 0 || len(res.Known) != 1 {
			t.Fatalf("again: got %+v, %v; want it known", res, err)
		}
		if recs, _ := f.log.Entries(ctx, cp.Size, 10); len(recs) != 1 {
			t.Errorf("a repeated cosignature added an entry: %+v", recs)
		}

		// Served with the checkpoint while it is the newest…
		latest, err := f.log.LatestWithCosignatures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := string(cp.Note) + c.Line()
		if string(latest.Note) != want {
			t.Errorf("latest with cosignatures\n%s\nwant\n%s", latest.Note, want)
		}
		if _, err := auditlog.ParseCheckpoint(latest.Note, lv); err != nil {
			t.Errorf("the log's own verifier no longer reads its checkpoint: %v", err)
		}
		// …and as the newest cosigned one after the log moves on.
		f.put(t, "later", "green")
		if _, err := f.log.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		latest, _ = f.log.LatestWithCosignatures(ctx)
		cosigned, err := f.log.LatestCosigned(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if latest.Size == cp.Size || bytes.Contains(latest.Note, []byte(witnessName)) {
			t.Errorf("newest checkpoint %d carries %q, want none yet", latest.Size, latest.Note)
		}
		if cosigned.Size != cp.Size || string(cosigned.Note) != want {
			t.Errorf("cosigned checkpoint %d\n%s\nwant %d\n%s", cosigned.Size, cosigned.Note, cp.Size, want)
		}

		// Verify checks the stored cosignature against its entry.
		rep, err := f.verify(t)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if rep.RecordsChecked != 6 { // 5 widgets and the cosignature
			t.Errorf("verify checked %d records, want 6", rep.RecordsChecked)
		}
		if _, err := db.Exec(ctx, "UPDATE audit_cosignatures SET ts = ts + 1"); err != nil {
			t.Fatal(err)
		}
		_, err = f.verify(t)
		var ve *auditlog.VerifyError
		if !errors.As(err, &ve) || ve.Index != recs[0].Index || !strings.Contains(err.Error(), "does not match") {
			t.Errorf("verify after a cosignature was edited: %v, want entry %d named", err, recs[0].Index)
		}
		if _, err := db.Exec(ctx, "UPDATE audit_cosignatures SET ts = ts - 1"); err != nil {
			t.Fatal(err)
		}
		// One stored behind the log's back has no entry.
		if _, err := db.Exec(ctx, `INSERT INTO audit_cosignatures (size, witness, key_hash, root, ts, signature, created_at)
SELECT size, witness, 'ffffffff', root, ts, signature, created_at FROM audit_cosignatures`); err != nil {
			t.Fatal(err)
		}
		if _, err = f.verify(t); err == nil || !strings.Contains(err.Error(), "no audit entry") {
			t.Errorf("verify with a cosignature without entry: %v", err)
		}
	})
}

func TestAddCosignaturesRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, storetest.SQLite(t))
	w := newTestWitness(t, 1)
	stranger := newTestWitness(t, 2)
	f.build(t, 3, 10)
	cp, _ := f.log.Latest(ctx)
	lv, _ := f.log.Verifiers()
	body := auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size, cp.Root)
	now := time.Now().Unix()
	var otherRoot tlog.Hash
	otherRoot[31] = 9
	// A valid cosignature with one bit of its Ed25519 signature flipped.
	good := w.cosignAt(body, now)
	text, line, _ := strings.Cut(string(good), "\n— "+witnessName+" ")
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	raw[len(raw)-1] ^= 1
	badSig := []byte(text + "\n— " + witnessName + " " + base64.StdEncoding.EncodeToString(raw) + "\n")
	tests := []struct {
		name      string
		msg       []byte
		witnesses note.Verifiers
		want      error
		wantText  string
	}{
		{"by a key the log does not trust", stranger.cosignAt(body, now), w.verifiers(), auditlog.ErrWitnessUnknown, "signed only by " + witnessName},
		{"only the log's own signature", cp.Note, w.verifiers(), auditlog.ErrWitnessUnknown, "signed only by"},
		{"no witness keys configured", w.cosignAt(body, now), nil, auditlog.ErrWitnessUnknown, ""},
		{"a trusted key's signature does not verify", badSig, w.verifiers(), auditlog.ErrWitnessUnknown, "does not verify"},
		{"a plain note verifier is not a cosignature verifier", w.cosignAt(body, now), lv, auditlog.ErrWitnessUnknown, ""},
		{"dated in the future", w.cosignAt(body, now+3600), w.verifiers(), auditlog.ErrBadCosigned, "in the future"},
		{"a size never signed", w.cosignAt(auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size+1, cp.Root), now), w.verifiers(), auditlog.ErrCheckpointUnknown, "never signed a checkpoint of size 4"},
		{"another root at a signed size", w.cosignAt(auditlog.FormatCheckpointBody(auditlog.DefaultOrigin, cp.Size, otherRoot), now), w.verifiers(), auditlog.ErrCheckpointUnknown, "has root " + cp.Root.String()},
		{"an extension line the log never wrote", w.cosignAt(body+"extra\n", now), w.verifiers(), auditlog.ErrCheckpointUnknown, "body differs"},
		{"another origin", w.cosignAt(auditlog.FormatCheckpointBody("other-log", cp.Size, cp.Root), now), w.verifiers(), auditlog.ErrCheckpointUnknown, `origin "other-log"`},
		{"not a note", []byte("hello\n"), w.verifiers(), auditlog.ErrBadCosigned, ""},
		{"a note over no checkpoint", w.cosignAt("just text\nand more\nand more\n", now), w.verifiers(), auditlog.ErrBadCosigned, "bad size line"},
		{"too large", bytes.Repeat([]byte("x"), auditlog.MaxCosignedNote+1), w.verifiers(), auditlog.ErrBadCosigned, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.log.AddCosignatures(ctx, "usr_w", "", tt.msg, tt.witnesses)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got %v, want %v containing %q", err, tt.want, tt.wantText)
			}
		})
	}
	if cs, _ := f.log.Cosignatures(ctx, cp.Size); len(cs) != 0 {
		t.Errorf("refused cosignatures were stored: %+v", cs)
	}
	if recs, _ := f.log.Entries(ctx, cp.Size, 10); len(recs) != 0 {
		t.Errorf("refused cosignatures left entries: %+v", recs)
	}
}

// FuzzOpenCosigned: any posted text either fails with one of the
// documented errors or parses into cosignatures that, written back as
// signature lines under the same body, parse the same again.
func FuzzOpenCosigned(f *testing.F) {
	w := newTestWitness(f, 1)
	body := "acd-audit-log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	f.Add(w.cosignAt(body, 1700000000))                                      // a valid cosignature
	f.Add(w.cosignAt(body+"ext\n", 1))                                       // with an extension line
	f.Add(append(w.cosignAt(body, 5), w.cosignAt(body, 5)[len(body)+1:]...)) // the same line twice
	f.Add([]byte(body + "\n— x AAAAAAAA\n"))                                 // an unknown signer
	f.Add([]byte("\n\n— \n"))                                                // empty everything
	f.Fuzz(func(t *testing.T, msg []byte) {
		cc, err := auditlog.OpenCosigned(msg, w.verifiers())
		if err != nil {
			if !errors.Is(err, auditlog.ErrBadCosigned) && !errors.Is(err, auditlog.ErrWitnessUnknown) {
				t.Fatalf("error %v is neither ErrBadCosigned nor ErrWitnessUnknown", err)
			}
			return
		}
		if len(cc.Cosignatures) == 0 {
			t.Fatal("opened with no cosignature")
		}
		again := cc.Text + "\n"
		for _, c := range cc.Cosignatures {
			if c.Size != cc.Size || c.Witness != witnessName {
				t.Errorf("cosignature %+v of checkpoint %d", c, cc.Size)
			}
			again += c.Line()
		}
		cc2, err := auditlog.OpenCosigned([]byte(again), w.verifiers())
		if err != nil {
			t.Fatalf("rewritten note %q: %v", again, err)
		}
		if d := cmp.Diff(cc.Cosignatures, cc2.Cosignatures); d != "" {
			t.Errorf("cosignatures changed on rewriting (-first +again):\n%s", d)
		}
	})
}
