package pgp_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/csaf/pgp"
)

// edSigner signs with an Ed25519 private key, as *keys.Key does.
type edSigner ed25519.PrivateKey

func (s edSigner) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(ed25519.PrivateKey(s), msg), nil
}

var created = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func testKey(t testing.TB, seed byte) *pgp.Key {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	k, err := pgp.NewKey(priv.Public().(ed25519.PublicKey), created, edSigner(priv))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignAndVerify(t *testing.T) {
	k := testKey(t, 1)
	if fpr := k.Fingerprint(); len(fpr) != 40 || strings.ToUpper(fpr) != fpr {
		t.Errorf("fingerprint %q: want 40 upper-case hex digits", fpr)
	}
	pubArmored, err := k.ArmoredPublicKey("ACD CSAF <csaf@acd.example.jp>")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pubArmored, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		t.Errorf("public key does not start with the armor header:\n%s", pubArmored)
	}
	doc := []byte(`{"document":{"title":"test"}}` + "\n")
	sig, err := k.SignDetached(doc, created.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := pgp.ReadPublicKey(pubArmored)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Fingerprint != k.Fingerprint() || pub.UserID != "ACD CSAF <csaf@acd.example.jp>" || !pub.Created.Equal(created) {
		t.Errorf("read back: got %s %q %v, want %s %q %v", pub.Fingerprint, pub.UserID, pub.Created, k.Fingerprint(), "ACD CSAF <csaf@acd.example.jp>", created)
	}
	if err := pub.Verify(sig, doc); err != nil {
		t.Errorf("verify: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"one byte changed", bytes.Replace(doc, []byte("test"), []byte("tesT"), 1)},
		{"a byte added", append(append([]byte(nil), doc...), ' ')},
		{"truncated", doc[:len(doc)-1]},
	} {
		if err := pub.Verify(sig, tc.data); err == nil {
			t.Errorf("%s: altered data verified", tc.name)
		}
	}
	other, _ := pgp.ReadPublicKey(must(testKey(t, 2).ArmoredPublicKey("other <o@example.jp>")))
	if err := other.Verify(sig, doc); err == nil {
		t.Error("another key verified the signature")
	}
}

// The same key, data and time give the same bytes, so a restart serves the
// same signatures; a time before the key is taken as the key's creation.
func TestDeterministic(t *testing.T) {
	a, b := testKey(t, 3), testKey(t, 3)
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatalf("fingerprints differ: %s, %s", a.Fingerprint(), b.Fingerprint())
	}
	ka, kb := must(a.ArmoredPublicKey("x <x@example.jp>")), must(b.ArmoredPublicKey("x <x@example.jp>"))
	if !bytes.Equal(ka, kb) {
		t.Error("the same key armored twice differs")
	}
	at := created.Add(48 * time.Hour)
	if !bytes.Equal(must(a.SignDetached([]byte("d"), at)), must(b.SignDetached([]byte("d"), at))) {
		t.Error("the same signature made twice differs")
	}
	early := must(a.SignDetached([]byte("d"), created.Add(-24*time.Hour)))
	if !bytes.Equal(early, must(a.SignDetached([]byte("d"), created))) {
		t.Error("a signature time before the key was not clamped to the key's creation")
	}
	pub, _ := pgp.ReadPublicKey(ka)
	if err := pub.Verify(early, []byte("d")); err != nil {
		t.Errorf("clamped signature: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	k := testKey(t, 4)
	if _, err := k.ArmoredPublicKey("two\nlines"); err == nil {
		t.Error("a user id with a newline was accepted")
	}
	if _, err := pgp.NewKey(make([]byte, 31), created, edSigner(nil)); err == nil {
		t.Error("a 31-byte public key was accepted")
	}
	if _, err := pgp.NewKey(make([]byte, 32), time.Unix(-1, 0), edSigner(nil)); err == nil {
		t.Error("a creation time before 1970 was accepted")
	}
	// A signer holding another key is caught.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	wrong, _ := pgp.NewKey(testPublic(5), created, edSigner(priv))
	if _, err := wrong.SignDetached([]byte("d"), created); err == nil {
		t.Error("a signature by the wrong private key was returned")
	}
	pub, _ := pgp.ReadPublicKey(must(k.ArmoredPublicKey("k <k@example.jp>")))
	sig := must(k.SignDetached([]byte("d"), created))
	for _, tc := range []struct {
		name string
		sig  []byte
	}{
		{"a public key given as signature", must(k.ArmoredPublicKey("k <k@example.jp>"))},
		{"not armored", []byte("hello")},
		{"empty", nil},
		{"too large", bytes.Repeat([]byte("A"), 70<<10)},
		{"armor damaged", bytes.Replace(sig, []byte("\n="), []byte("\n=A"), 1)},
	} {
		if err := pub.Verify(tc.sig, []byte("d")); err == nil {
			t.Errorf("%s: verified", tc.name)
		}
	}
}

func testPublic(seed byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)).Public().(ed25519.PublicKey)
}

// GnuPG, an independent implementation, imports the key and verifies the
// signature, and rejects altered data.
func TestGnuPGVerifies(t *testing.T) {
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed (Debian package gnupg): the GnuPG interoperability check did not run")
	}
	home := t.TempDir()
	os.Chmod(home, 0o700)
	k := testKey(t, 6)
	dir := t.TempDir()
	keyPath, docPath, sigPath := filepath.Join(dir, "key.asc"), filepath.Join(dir, "doc.json"), filepath.Join(dir, "doc.json.asc")
	doc := []byte("{\"document\":{\"title\":\"ÄCD テスト\"}}\n")
	os.WriteFile(keyPath, must(k.ArmoredPublicKey("ACD CSAF <csaf@acd.example.jp>")), 0o600)
	os.WriteFile(docPath, doc, 0o600)
	os.WriteFile(sigPath, must(k.SignDetached(doc, created.Add(time.Minute))), 0o600)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--no-tty", "--status-fd", "1"}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("--import", keyPath); err != nil || !strings.Contains(out, "IMPORT_OK") {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	out, err := run("--verify", sigPath, docPath)
	if err != nil || !strings.Contains(out, "[GNUPG:] GOODSIG") || !strings.Contains(out, "VALIDSIG "+k.Fingerprint()) {
		t.Fatalf("gpg --verify: %v\n%s", err, out)
	}
	os.WriteFile(docPath, append(doc, ' '), 0o600)
	if out, err := run("--verify", sigPath, docPath); err == nil || !strings.Contains(out, "BADSIG") {
		t.Errorf("gpg verified altered data: %v\n%s", err, out)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
