package keys_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/acd-platform/acd/internal/keys"
)

func TestOpenCreatesEveryPurposeWithMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ring, err := keys.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("key dir mode: %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	for _, p := range keys.Purposes {
		k, err := ring.Current(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		fi, err := os.Stat(filepath.Join(dir, string(p)+".json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s file mode: %v, %v; want 0600", p, fi.Mode().Perm(), err)
		}
		alg, _ := keys.AlgorithmOf(p)
		if k.Algorithm != alg || len(k.ID) != 16 {
			t.Errorf("%s: got algorithm %s id %q", p, k.Algorithm, k.ID)
		}
	}
	// Reopening finds the same keys.
	again, err := keys.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range keys.Purposes {
		a, _ := ring.Current(p)
		b, _ := again.Current(p)
		if a.ID != b.ID {
			t.Errorf("%s: reopened id %s, want %s", p, b.ID, a.ID)
		}
	}
}

func TestRotateKeepsOldVersions(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	ring, err := keys.Open(dir, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	old, _ := ring.Current(keys.ApprovalManifest)
	msg := []byte("approval manifest")
	sig, err := old.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	nk, err := ring.Rotate(keys.ApprovalManifest)
	if err != nil {
		t.Fatal(err)
	}
	if nk.ID == old.ID {
		t.Fatal("rotation kept the id")
	}
	reopened, err := keys.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := reopened.All(keys.ApprovalManifest)
	if len(all) != 2 || all[0].ID != old.ID || all[0].Retired.IsZero() || !all[1].Retired.IsZero() {
		t.Fatalf("after rotation: got %+v, want old (retired) then new", all)
	}
	got, err := reopened.ByID(keys.ApprovalManifest, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(got.Public, msg, sig) {
		t.Error("old public key no longer verifies what it signed")
	}
	if _, err := reopened.ByID(keys.ApprovalManifest, "0000000000000000"); !errors.Is(err, keys.ErrUnknownKey) {
		t.Errorf("unknown id: got %v, want ErrUnknownKey", err)
	}
	if _, err := ring.Rotate("nonsense"); err == nil {
		t.Error("rotating an unknown purpose succeeded")
	}
}

func TestMACKeysDiffer(t *testing.T) {
	ring, _ := keys.Open(t.TempDir(), nil)
	a, _ := ring.Current(keys.AuditHMAC)
	b, _ := ring.Current(keys.EmailPseudonym)
	ma, _ := a.MAC([]byte("x"))
	mb, _ := b.MAC([]byte("x"))
	if bytes.Equal(ma, mb) || len(ma) != 32 {
		t.Error("purposes share a MAC key, or the MAC is not SHA-256 sized")
	}
	if _, err := a.Sign([]byte("x")); err == nil {
		t.Error("an HMAC key signed")
	}
}

func TestNoteSignerVerifies(t *testing.T) {
	ring, _ := keys.Open(t.TempDir(), nil)
	k, _ := ring.Current(keys.AuditCheckpoint)
	signer, err := k.NoteSigner("acd-audit-log")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "acd-audit-log\n1\nAAAA\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	vkey, _ := k.NoteVerifierKey("acd-audit-log")
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("verifier key %q: %v", vkey, err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Errorf("signed note does not verify: %v", err)
	}
	if _, err := k.NoteSigner("bad name"); err == nil {
		t.Error("a note name with a space was accepted")
	}
}

// The private key handed to OpenPGP signing is the key's own: it signs
// what the public key verifies, is a copy, and exists only for Ed25519.
func TestEd25519PrivateKey(t *testing.T) {
	ring, _ := keys.Open(t.TempDir(), nil)
	k, _ := ring.Current(keys.AdvisorySigning)
	priv, err := k.Ed25519PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), k.Public) {
		t.Errorf("public half: got %x, want %x", priv.Public(), k.Public)
	}
	if sig := ed25519.Sign(priv, []byte("x")); !ed25519.Verify(k.Public, []byte("x"), sig) {
		t.Error("a signature by the returned key does not verify with the key's public key")
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "key", k)
	for _, enc := range []string{hex.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(priv)} {
		if strings.Contains(buf.String()+k.String(), enc) {
			t.Errorf("the private key shows in the log line or String: %s", buf.String())
		}
	}
	clear(priv)
	if sig, _ := k.Sign([]byte("x")); !ed25519.Verify(k.Public, []byte("x"), sig) {
		t.Error("clearing the returned key changed the ring's key")
	}
	for _, p := range []keys.Purpose{keys.AuditHMAC, keys.SecretBox} {
		other, _ := ring.Current(p)
		if _, err := other.Ed25519PrivateKey(); err == nil {
			t.Errorf("%s: got a private key, want an error", p)
		}
	}
}

func TestRefusesLooseOrCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := keys.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cursor.json")
	os.Chmod(path, 0o644)
	if _, err := keys.Open(dir, nil); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("world-readable key file: got %v, want a mode error", err)
	}
	os.Chmod(path, 0o600)
	var fks []map[string]any
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &fks)
	fks[0]["id"] = "ffffffffffffffff"
	b, _ = json.Marshal(fks)
	os.WriteFile(path, b, 0o600)
	if _, err := keys.Open(dir, nil); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("id not matching its key: got %v", err)
	}
}

func TestKeysDoNotLog(t *testing.T) {
	ring, _ := keys.Open(t.TempDir(), nil)
	k, _ := ring.Current(keys.AuditHMAC)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "key", k)
	if !strings.Contains(buf.String(), k.ID) || strings.Contains(buf.String(), "secret") {
		t.Errorf("log line: %s", buf.String())
	}
}

func TestSealOpen(t *testing.T) {
	dir := t.TempDir()
	ring, _ := keys.Open(dir, nil)
	k, err := ring.Current(keys.SecretBox)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal([]byte("JBSWY3DPEHPK3PXP"), "totp/usr_1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "JBSWY3DP") {
		t.Fatal("sealed value shows the plaintext")
	}
	got, err := ring.OpenSealed(sealed, "totp/usr_1")
	if err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %q, %v", got, err)
	}
	// Bound to its context: a value copied to another row does not open.
	if _, err := ring.OpenSealed(sealed, "totp/usr_2"); !errors.Is(err, keys.ErrSealed) {
		t.Errorf("other context: got %v, want ErrSealed", err)
	}
	// A damaged value does not open.
	damaged := sealed[:len(sealed)-2] + "AA"
	if _, err := ring.OpenSealed(damaged, "totp/usr_1"); !errors.Is(err, keys.ErrSealed) {
		t.Errorf("damaged: got %v, want ErrSealed", err)
	}
	// After a rotation old values still open (the key id travels with them).
	if _, err := ring.Rotate(keys.SecretBox); err != nil {
		t.Fatal(err)
	}
	reopened, _ := keys.Open(dir, nil)
	if got, err := reopened.OpenSealed(sealed, "totp/usr_1"); err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Errorf("after rotation: %q, %v", got, err)
	}
	if _, err := k.MAC([]byte("x")); err == nil {
		t.Error("an AES key computed a MAC")
	}
}

func TestLoadCreatesNothing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	if _, err := keys.Load(missing); err == nil {
		t.Error("Load of a missing directory succeeded")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("Load created the directory")
	}
	dir := t.TempDir()
	if _, err := keys.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "cursor.json"))
	if _, err := keys.Load(dir); err == nil || !strings.Contains(err.Error(), "cursor") {
		t.Errorf("Load with a purpose missing: got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cursor.json")); !os.IsNotExist(err) {
		t.Error("Load created a key")
	}
}

func TestLoadFileReadsOnePurpose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ring, err := keys.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ring.Rotate(keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.LoadFile(filepath.Join(dir, "email-pseudonym.json"), keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[1].ID != cur.ID {
		t.Fatalf("got %d versions, last %v; want 2 ending in %s", len(ks), ks[len(ks)-1], cur.ID)
	}
	want, _ := cur.MAC([]byte("x"))
	if got, _ := ks[1].MAC([]byte("x")); !bytes.Equal(got, want) {
		t.Error("loaded key computes a different MAC")
	}
	// Another purpose's file is refused, not misused.
	if _, err := keys.LoadFile(filepath.Join(dir, "audit-checkpoint.json"), keys.EmailPseudonym); err == nil || !strings.Contains(err.Error(), "want hmac-sha256") {
		t.Errorf("wrong purpose's file: got %v", err)
	}
	if _, err := keys.LoadFile(filepath.Join(dir, "nope.json"), keys.EmailPseudonym); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
}

// An existing key directory from before the advisory-signing purpose gains
// that key when opened, keeps its other keys, and still loads (for
// verification) without it.
func TestAddedPurposeIsCreatedOnOpen(t *testing.T) {
	dir := t.TempDir()
	ring, err := keys.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := ring.Current(keys.AuditCheckpoint)
	// What a directory made before the purpose existed looks like.
	if err := os.Remove(filepath.Join(dir, string(keys.AdvisorySigning)+".json")); err != nil {
		t.Fatal(err)
	}
	loaded, err := keys.Load(dir)
	if err != nil {
		t.Fatalf("Load of a directory without %s: %v", keys.AdvisorySigning, err)
	}
	if _, err := loaded.Current(keys.AdvisorySigning); err == nil {
		t.Errorf("Load made up a %s key", keys.AdvisorySigning)
	}
	if _, err := os.Stat(filepath.Join(dir, string(keys.AdvisorySigning)+".json")); !os.IsNotExist(err) {
		t.Errorf("Load created the %s key file", keys.AdvisorySigning)
	}

	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	reopened, err := keys.Open(dir, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	k, err := reopened.Current(keys.AdvisorySigning)
	if err != nil {
		t.Fatalf("Open did not create the %s key: %v", keys.AdvisorySigning, err)
	}
	if k.Algorithm != keys.Ed25519 || !k.Created.Equal(now) || len(k.Public) != ed25519.PublicKeySize {
		t.Errorf("new key: got %s created %v with %d-byte public key, want ed25519 created %v", k.Algorithm, k.Created, len(k.Public), now)
	}
	if fi, err := os.Stat(filepath.Join(dir, string(keys.AdvisorySigning)+".json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new key file: %v, %v; want mode 0600", fi, err)
	}
	if after, _ := reopened.Current(keys.AuditCheckpoint); after.ID != before.ID {
		t.Errorf("audit-checkpoint key changed: got %s, want %s", after.ID, before.ID)
	}
	// It signs, and the next open finds the same key.
	sig, err := k.Sign([]byte("advisory"))
	if err != nil || !ed25519.Verify(k.Public, []byte("advisory"), sig) {
		t.Errorf("advisory key does not sign: %v", err)
	}
	again, _ := keys.Open(dir, nil)
	if k2, _ := again.Current(keys.AdvisorySigning); k2.ID != k.ID || !k2.Created.Equal(k.Created) {
		t.Errorf("reopened: got %v created %v, want %s created %v", k2, k2.Created, k.ID, k.Created)
	}
}
